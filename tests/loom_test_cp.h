/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the command-processor programs (test_cp, test_device): a
 * device per test with one context whose page table (tests/loom_test_pt.h)
 * maps 32 MiB of 2 MiB pages and 16 small pages, one of them read-only
 * (VA == PA), its completion interrupt on an eventfd; queues through
 * tests/loom_test_queue.h; CBs built packet by packet and submitted from
 * their own VA; checks of a halted queue. Header-only; fixture code, no
 * tests.
 */
#ifndef LOOM_TEST_CP_H
#define LOOM_TEST_CP_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "device/loom_device.h"
#include "loom_test_pt.h"
#include "loom_test_queue.h"

#define TEST_DRAM	(64ULL << 20)
#define ASID		1
#define CHANNEL		1
#define EQ_N		64

/* Device DRAM layout (PA); VA == PA for the mapped ranges. */
#define PT_BASE		0x010000ULL	/* page tables, bump-allocated */
#define PT_END		0x100000ULL
#define RING_PA(q)	(0x100000ULL + (uint64_t)(q) * TQ_STRIDE)
#define CQ_PA(q)	(0x180000ULL + (uint64_t)(q) * TQ_STRIDE)
#define EQ_PA		0x1f0000ULL
#define MAP_HUGE_VA	0x400000ULL	/* [4 MiB, 36 MiB): 2 MiB pages, writable */
#define MAP_HUGE_SIZE	(32ULL << 20)
#define MAP_SMALL_VA	(36ULL << 20)	/* 16 x 4 KiB pages, page 2 read-only */
#define MAP_SMALL_SIZE	0x10000ULL
#define RO_VA		(MAP_SMALL_VA + 0x2000)
#define CB_VA(q)	(MAP_HUGE_VA + (uint64_t)(q) * 0x10000)
#define DATA_VA		(8ULL << 20)	/* scratch data, 8 MiB .. 36 MiB */
#define UNMAPPED_VA	0x80000000ULL

#define WAIT_MS		5000

struct ctx {
	struct loom_dev *dev;
	struct tpt pt;		/* context ASID's page table */
	struct tq tq;		/* the queues */
	int irq_cq;		/* eventfd on CHANNEL's completion vector */
};

/* ---- memory, queues --------------------------------------------------------- */

static inline uint64_t *pa_u64(struct ctx *c, uint64_t pa)
{
	return (uint64_t *)(c->dev->dram + pa);
}

static inline uint64_t data_u64(struct ctx *c, uint64_t va)
{
	return __atomic_load_n(pa_u64(c, va), __ATOMIC_ACQUIRE);
}

static inline void submit(struct ctx *c, unsigned q, uint64_t cb_va, uint32_t size,
			  uint32_t flags, uint64_t tag)
{
	struct loom_ring_entry e = { .cb_addr = cb_va, .cb_size = size, .flags = flags,
				     .tag = tag };

	submit_entry(&c->tq, q, &e);
}

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline bool irq_pending(struct ctx *c, int ms)
{
	struct pollfd p = { .fd = c->irq_cq, .events = POLLIN };
	uint64_t cnt;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(c->irq_cq, &cnt, sizeof(cnt)) == sizeof(cnt);
}

/* Queue q is halted with error err at CB offset off. */
static inline void assert_halted(struct ctx *c, unsigned q, uint32_t err, uint32_t off)
{
	uint32_t st = qreg(&c->tq, q, LOOM_QREG_STATUS);

	assert_int_equal(LOOM_QSTATUS_STATE(st), LOOM_QSTATUS_HALTED);
	assert_int_equal(LOOM_QSTATUS_ERROR(st), err);
	assert_int_equal(qreg(&c->tq, q, LOOM_QREG_ERR_INFO), off);
}

/* ---- CB building ------------------------------------------------------------ */

struct cb {
	uint32_t w[256];
	uint32_t n;		/* dwords */
};

static inline void cb_raw(struct cb *b, const void *p, size_t len)
{
	assert_true(b->n * 4 + len <= sizeof(b->w));
	memcpy(&b->w[b->n], p, len);
	b->n += (uint32_t)(len / 4);
}

static inline void cb_nop(struct cb *b)
{
	struct loom_pkt_nop p = { .header = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 2) };

	cb_raw(b, &p, sizeof(p));
}

static inline void cb_signal(struct cb *b, uint32_t sob, uint32_t op, uint32_t value)
{
	struct loom_pkt_signal p = { .header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, 4),
				     .sob = sob, .op = op, .value = value };

	cb_raw(b, &p, sizeof(p));
}

static inline void cb_wait(struct cb *b, uint32_t sob, uint32_t target, uint32_t timeout_ms)
{
	struct loom_pkt_wait p = { .header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, 4),
				   .sob = sob, .target = target, .timeout_ms = timeout_ms };

	cb_raw(b, &p, sizeof(p));
}

static inline void cb_write64(struct cb *b, uint64_t addr, uint64_t value)
{
	struct loom_pkt_write64 p = { .header = LOOM_PKT_HDR(LOOM_PKT_WRITE64, 0, 6),
				      .addr = addr, .value = value };

	cb_raw(b, &p, sizeof(p));
}

static inline void cb_timestamp(struct cb *b, uint64_t addr)
{
	struct loom_pkt_timestamp p = { .header = LOOM_PKT_HDR(LOOM_PKT_TIMESTAMP, 0, 4),
					.addr = addr };

	cb_raw(b, &p, sizeof(p));
}

static inline void cb_wreg(struct cb *b, uint32_t reg, uint32_t value)
{
	struct loom_pkt_wreg32 p = { .header = LOOM_PKT_HDR(LOOM_PKT_WREG32, 0, 4),
				     .reg = reg, .value = value };

	cb_raw(b, &p, sizeof(p));
}

static inline void cb_dma(struct cb *b, uint32_t flags, uint64_t src, uint64_t dst,
			  uint64_t size)
{
	struct loom_pkt_lin_dma p = { .header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, 8),
				      .flags = flags, .src = src, .dst = dst, .size = size };

	cb_raw(b, &p, sizeof(p));
}

/* Copy the CB to its VA (identity-mapped) and submit it. */
static inline void cb_submit(struct ctx *c, unsigned q, const struct cb *b, uint32_t flags,
			     uint64_t tag)
{
	memcpy(c->dev->dram + CB_VA(q), b->w, b->n * 4);
	submit(c, q, CB_VA(q), b->n * 4, flags, tag);
}

/* ---- fixture --------------------------------------------------------------- */

static inline int cp_setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = TEST_DRAM };
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || loom_dev_create(&cfg, &c->dev)) {
		free(c);
		return -1;
	}
	tq_init(&c->tq, c->dev, RING_PA(0), CQ_PA(0), CHANNEL, WAIT_MS);
	tpt_init(&c->pt, c->dev, ASID, PT_BASE);
	tpt_map_range2m(&c->pt, MAP_HUGE_VA, MAP_HUGE_VA, MAP_HUGE_SIZE, LOOM_PTE_WRITE);
	for (uint64_t off = 0; off < MAP_SMALL_SIZE; off += LOOM_PAGE_SIZE)
		tpt_map4k(&c->pt, MAP_SMALL_VA + off, MAP_SMALL_VA + off,
			  MAP_SMALL_VA + off != RO_VA ? LOOM_PTE_WRITE : 0);
	if (c->pt.next > PT_END)	/* the tables ran into the rings */
		return -1;
	loom_reg_write(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CHANNEL), CHANNEL);
	c->irq_cq = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->irq_cq < 0 || loom_dev_set_irq_fd(c->dev, CHANNEL, LOOM_IRQ_COMPLETION, c->irq_cq))
		return -1;
	*state = c;
	return 0;
}

static inline int cp_teardown(void **state)
{
	struct ctx *c = *state;

	loom_dev_destroy(c->dev);
	close(c->irq_cq);
	free(c);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, cp_setup, cp_teardown)

#endif /* LOOM_TEST_CP_H */
