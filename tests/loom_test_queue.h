/* SPDX-License-Identifier: MIT */
/*
 * Queue plumbing for the device-model unit tests that drive the command
 * processors the way a driver does (test_cp, the test_tpc programs): a
 * ring and a completion queue per queue in device DRAM, set up through the
 * queue registers, ring entries submitted through RING_PI and the
 * doorbell, completions waited for with a deadline, and a halted queue
 * recovered with QCTRL_RESET. Queue q's ring and CQ are TQ_STRIDE bytes
 * after queue q-1's. Header-only; the includer has cmocka.h.
 */
#ifndef LOOM_TEST_QUEUE_H
#define LOOM_TEST_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "device/loom_device.h"

#define TQ_RING_N	64
#define TQ_CQ_N		64
#define TQ_STRIDE	0x1000ULL	/* between two queues' rings (CQs) */

struct tq {
	struct loom_dev *dev;
	uint64_t ring_pa;		/* queue 0's ring */
	uint64_t cq_pa;			/* queue 0's CQ */
	uint32_t channel;		/* every queue's completion channel */
	unsigned wait_ms;		/* how long cq_wait() waits */
	uint32_t pi[LOOM_NUM_QUEUES];	/* ring entries submitted */
	uint32_t cq[LOOM_NUM_QUEUES];	/* CQ entries consumed (cq_next) */
};

static inline void tq_init(struct tq *t, struct loom_dev *dev, uint64_t ring_pa,
			   uint64_t cq_pa, uint32_t channel, unsigned wait_ms)
{
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->ring_pa = ring_pa;
	t->cq_pa = cq_pa;
	t->channel = channel;
	t->wait_ms = wait_ms;
}

static inline uint32_t qreg(struct tq *t, unsigned q, uint32_t r)
{
	return loom_reg_read(t->dev, LOOM_REG_QUEUE(q, r));
}

static inline void qreg_set(struct tq *t, unsigned q, uint32_t r, uint32_t v)
{
	loom_reg_write(t->dev, LOOM_REG_QUEUE(q, r), v);
}

/* Ring doorbell v (a queue's number). */
static inline void doorbell(struct tq *t, unsigned v)
{
	uint64_t one = 1;

	assert_int_equal(write(loom_dev_doorbell_fd(t->dev, v), &one, sizeof(one)),
			 sizeof(one));
}

/* Empty ring and CQ for queue q, in context asid, enabled. */
static inline void queue_setup(struct tq *t, unsigned q, uint32_t asid)
{
	uint64_t ring = t->ring_pa + q * TQ_STRIDE, cq = t->cq_pa + q * TQ_STRIDE;

	memset(t->dev->dram + ring, 0, TQ_RING_N * sizeof(struct loom_ring_entry));
	memset(t->dev->dram + cq, 0, TQ_CQ_N * sizeof(struct loom_cq_entry));
	loom_reg_write64(t->dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_LO), ring);
	qreg_set(t, q, LOOM_QREG_RING_SIZE, TQ_RING_N);
	qreg_set(t, q, LOOM_QREG_RING_PI, 0);
	loom_reg_write64(t->dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_LO), cq);
	qreg_set(t, q, LOOM_QREG_CQ_SIZE, TQ_CQ_N);
	qreg_set(t, q, LOOM_QREG_ASID, asid);
	qreg_set(t, q, LOOM_QREG_CHANNEL, t->channel);
	qreg_set(t, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE);
	t->pi[q] = 0;
	t->cq[q] = 0;
	doorbell(t, q);
}

/* Write ring entry e at queue q's PI, move PI and ring the doorbell. */
static inline void submit_entry(struct tq *t, unsigned q, const struct loom_ring_entry *e)
{
	struct loom_ring_entry *slot = (struct loom_ring_entry *)
		(t->dev->dram + t->ring_pa + q * TQ_STRIDE) + (t->pi[q] % TQ_RING_N);

	*slot = *e;
	t->pi[q]++;
	qreg_set(t, q, LOOM_QREG_RING_PI, t->pi[q]);
	doorbell(t, q);
}

/* Wait until register r of queue q reads want; false on timeout. */
static inline bool qreg_wait(struct tq *t, unsigned q, uint32_t r, uint32_t want, unsigned ms)
{
	uint64_t end = loom_now_ns() + (uint64_t)ms * 1000000ULL;

	while (qreg(t, q, r) != want) {
		if (loom_now_ns() > end)
			return false;
		usleep(50);
	}
	return true;
}

/* Wait up to ms for queue q's STATUS state field to read want. */
static inline bool qstate_wait(struct tq *t, unsigned q, uint32_t want, unsigned ms)
{
	uint64_t end = loom_now_ns() + (uint64_t)ms * 1000000ULL;

	while (LOOM_QSTATUS_STATE(qreg(t, q, LOOM_QREG_STATUS)) != want) {
		if (loom_now_ns() > end)
			return false;
		usleep(50);
	}
	return true;
}

/* Wait for CQ entry number n (0-based) of queue q and return it. */
static inline struct loom_cq_entry cq_wait(struct tq *t, unsigned q, uint32_t n)
{
	assert_true(qreg_wait(t, q, LOOM_QREG_CQ_PI, n + 1, t->wait_ms));
	return ((struct loom_cq_entry *)(t->dev->dram + t->cq_pa + q * TQ_STRIDE))[n % TQ_CQ_N];
}

/* Wait for the next CQ entry of queue q not consumed yet and return it. */
static inline struct loom_cq_entry cq_next(struct tq *t, unsigned q)
{
	return cq_wait(t, q, t->cq[q]++);
}

/*
 * Clear the error of a halted queue the way a driver does: QCTRL_RESET,
 * then the queue is idle with every submitted entry consumed.
 */
static inline void queue_recover(struct tq *t, unsigned q)
{
	qreg_set(t, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE | LOOM_QCTRL_RESET);
	doorbell(t, q);
	assert_true(qreg_wait(t, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE, t->wait_ms));
	assert_int_equal(qreg(t, q, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
	assert_int_equal(qreg(t, q, LOOM_QREG_RING_CI), t->pi[q]);
}

#endif /* LOOM_TEST_QUEUE_H */
