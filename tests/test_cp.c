// SPDX-License-Identifier: MIT
/*
 * Tests of the command processors (device/loom_qman.c) and the device
 * frame (device/loom_device.c), driven the way a driver drives them: the
 * test builds a page table in device DRAM, enables a context, sets up a
 * ring and a completion queue, writes CBs, and submits through the queue
 * registers and doorbell. Covers every packet, every error a CB or a ring
 * entry can cause (status, error offset, halted queue, recovery with
 * QCTRL_RESET), queue and device resets, PA decoding and host windows.
 */
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

#define TEST_DRAM	(64ULL << 20)
#define ASID		1
#define CHANNEL		1
#define RING_N		64
#define CQ_N		64
#define EQ_N		64

/* Device DRAM layout (PA); VA == PA for the mapped ranges. */
#define PT_BASE		0x010000ULL	/* page tables, bump-allocated */
#define PT_END		0x100000ULL
#define RING_PA(q)	(0x100000ULL + (uint64_t)(q) * 0x1000)
#define CQ_PA(q)	(0x180000ULL + (uint64_t)(q) * 0x1000)
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
	uint64_t pt_next;
	uint64_t pgd;
	int irq_cq;		/* eventfd on CHANNEL's completion vector */
	uint32_t pi[LOOM_NUM_QUEUES];
};

/* ---- helpers: page tables -------------------------------------------------- */

static uint64_t *pa_u64(struct ctx *c, uint64_t pa)
{
	return (uint64_t *)(c->dev->dram + pa);
}

static uint64_t pt_alloc(struct ctx *c)
{
	uint64_t pa = c->pt_next;

	assert_true(pa + LOOM_PT_SIZE <= PT_END);
	c->pt_next += LOOM_PT_SIZE;
	memset(c->dev->dram + pa, 0, LOOM_PT_SIZE);
	return pa;
}

/* Table at level l+1 under entry idx of table tbl (created if absent). */
static uint64_t pt_next_level(struct ctx *c, uint64_t tbl, unsigned idx)
{
	uint64_t *e = pa_u64(c, tbl) + idx;

	if (!(*e & LOOM_PTE_VALID))
		*e = pt_alloc(c) | LOOM_PTE_VALID;
	return LOOM_PTE_ADDR(*e);
}

static void pt_map_page(struct ctx *c, uint64_t va, uint64_t pa, bool huge, bool write)
{
	uint64_t t = c->pgd;
	unsigned last = huge ? 2 : 3;

	for (unsigned l = 0; l < last; l++)
		t = pt_next_level(c, t, LOOM_PT_INDEX(va, l));
	pa_u64(c, t)[LOOM_PT_INDEX(va, last)] = pa | LOOM_PTE_VALID |
		(write ? LOOM_PTE_WRITE : 0) | (huge ? LOOM_PTE_HUGE : 0);
}

static void pt_build(struct ctx *c)
{
	c->pt_next = PT_BASE;
	c->pgd = pt_alloc(c);
	for (uint64_t off = 0; off < MAP_HUGE_SIZE; off += LOOM_HUGE_SIZE)
		pt_map_page(c, MAP_HUGE_VA + off, MAP_HUGE_VA + off, true, true);
	for (uint64_t off = 0; off < MAP_SMALL_SIZE; off += LOOM_PAGE_SIZE)
		pt_map_page(c, MAP_SMALL_VA + off, MAP_SMALL_VA + off, false,
			    MAP_SMALL_VA + off != RO_VA);
}

/* ---- helpers: queues ------------------------------------------------------ */

static uint32_t qreg(struct ctx *c, unsigned q, uint32_t r)
{
	return loom_reg_read(c->dev, LOOM_REG_QUEUE(q, r));
}

static void qreg_set(struct ctx *c, unsigned q, uint32_t r, uint32_t v)
{
	loom_reg_write(c->dev, LOOM_REG_QUEUE(q, r), v);
}

static void doorbell(struct ctx *c, unsigned v)
{
	uint64_t one = 1;

	assert_int_equal(write(loom_dev_doorbell_fd(c->dev, v), &one, sizeof(one)),
			 sizeof(one));
}

static void queue_setup(struct ctx *c, unsigned q, uint32_t asid)
{
	memset(c->dev->dram + RING_PA(q), 0, RING_N * sizeof(struct loom_ring_entry));
	memset(c->dev->dram + CQ_PA(q), 0, CQ_N * sizeof(struct loom_cq_entry));
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_LO), RING_PA(q));
	qreg_set(c, q, LOOM_QREG_RING_SIZE, RING_N);
	qreg_set(c, q, LOOM_QREG_RING_PI, 0);
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_LO), CQ_PA(q));
	qreg_set(c, q, LOOM_QREG_CQ_SIZE, CQ_N);
	qreg_set(c, q, LOOM_QREG_ASID, asid);
	qreg_set(c, q, LOOM_QREG_CHANNEL, CHANNEL);
	qreg_set(c, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE);
	c->pi[q] = 0;
	doorbell(c, q);
}

static void submit_entry(struct ctx *c, unsigned q, const struct loom_ring_entry *e)
{
	struct loom_ring_entry *slot = (struct loom_ring_entry *)
		(c->dev->dram + RING_PA(q)) + (c->pi[q] % RING_N);

	*slot = *e;
	c->pi[q]++;
	qreg_set(c, q, LOOM_QREG_RING_PI, c->pi[q]);
	doorbell(c, q);
}

static void submit(struct ctx *c, unsigned q, uint64_t cb_va, uint32_t size, uint32_t flags,
		   uint64_t tag)
{
	struct loom_ring_entry e = { .cb_addr = cb_va, .cb_size = size, .flags = flags,
				     .tag = tag };

	submit_entry(c, q, &e);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait until register r of queue q satisfies (v == want); false on timeout. */
static bool qreg_wait(struct ctx *c, unsigned q, uint32_t r, uint32_t want, unsigned ms)
{
	uint64_t end = loom_now_ns() + (uint64_t)ms * 1000000ULL;

	while (qreg(c, q, r) != want) {
		if (loom_now_ns() > end)
			return false;
		usleep(100);
	}
	return true;
}

/* Wait for CQ entry number n (0-based) of queue q and return it. */
static struct loom_cq_entry cq_wait(struct ctx *c, unsigned q, uint32_t n)
{
	assert_true(qreg_wait(c, q, LOOM_QREG_CQ_PI, n + 1, WAIT_MS));
	return ((struct loom_cq_entry *)(c->dev->dram + CQ_PA(q)))[n % CQ_N];
}

static bool irq_pending(struct ctx *c, int ms)
{
	struct pollfd p = { .fd = c->irq_cq, .events = POLLIN };
	uint64_t cnt;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(c->irq_cq, &cnt, sizeof(cnt)) == sizeof(cnt);
}

/* ---- helpers: CB building ---------------------------------------------------- */

struct cb {
	uint32_t w[256];
	uint32_t n;		/* dwords */
};

static void cb_raw(struct cb *b, const void *p, size_t len)
{
	assert_true(b->n * 4 + len <= sizeof(b->w));
	memcpy(&b->w[b->n], p, len);
	b->n += (uint32_t)(len / 4);
}

static void cb_nop(struct cb *b)
{
	struct loom_pkt_nop p = { .header = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 2) };

	cb_raw(b, &p, sizeof(p));
}

static void cb_signal(struct cb *b, uint32_t sob, uint32_t op, uint32_t value)
{
	struct loom_pkt_signal p = { .header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, 4),
				     .sob = sob, .op = op, .value = value };

	cb_raw(b, &p, sizeof(p));
}

static void cb_wait(struct cb *b, uint32_t sob, uint32_t target, uint32_t timeout_ms)
{
	struct loom_pkt_wait p = { .header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, 4),
				   .sob = sob, .target = target, .timeout_ms = timeout_ms };

	cb_raw(b, &p, sizeof(p));
}

static void cb_write64(struct cb *b, uint64_t addr, uint64_t value)
{
	struct loom_pkt_write64 p = { .header = LOOM_PKT_HDR(LOOM_PKT_WRITE64, 0, 6),
				      .addr = addr, .value = value };

	cb_raw(b, &p, sizeof(p));
}

static void cb_timestamp(struct cb *b, uint64_t addr)
{
	struct loom_pkt_timestamp p = { .header = LOOM_PKT_HDR(LOOM_PKT_TIMESTAMP, 0, 4),
					.addr = addr };

	cb_raw(b, &p, sizeof(p));
}

static void cb_wreg(struct cb *b, uint32_t reg, uint32_t value)
{
	struct loom_pkt_wreg32 p = { .header = LOOM_PKT_HDR(LOOM_PKT_WREG32, 0, 4),
				     .reg = reg, .value = value };

	cb_raw(b, &p, sizeof(p));
}

static void cb_dma(struct cb *b, uint32_t flags, uint64_t src, uint64_t dst, uint64_t size)
{
	struct loom_pkt_lin_dma p = { .header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, 8),
				      .flags = flags, .src = src, .dst = dst, .size = size };

	cb_raw(b, &p, sizeof(p));
}

/* Copy the CB to its VA (identity-mapped) and submit it. */
static void cb_submit(struct ctx *c, unsigned q, const struct cb *b, uint32_t flags,
		      uint64_t tag)
{
	memcpy(c->dev->dram + CB_VA(q), b->w, b->n * 4);
	submit(c, q, CB_VA(q), b->n * 4, flags, tag);
}

static uint64_t data_u64(struct ctx *c, uint64_t va)
{
	return __atomic_load_n(pa_u64(c, va), __ATOMIC_ACQUIRE);
}

/* Clear the error of a halted queue the way a driver does. */
static void queue_recover(struct ctx *c, unsigned q)
{
	qreg_set(c, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE | LOOM_QCTRL_RESET);
	doorbell(c, q);
	assert_true(qreg_wait(c, q, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE, WAIT_MS));
	assert_int_equal(qreg(c, q, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
	assert_int_equal(qreg(c, q, LOOM_QREG_RING_CI), c->pi[q]);
}

static void assert_halted(struct ctx *c, unsigned q, uint32_t err, uint32_t off)
{
	uint32_t st = qreg(c, q, LOOM_QREG_STATUS);

	assert_int_equal(LOOM_QSTATUS_STATE(st), LOOM_QSTATUS_HALTED);
	assert_int_equal(LOOM_QSTATUS_ERROR(st), err);
	assert_int_equal(qreg(c, q, LOOM_QREG_ERR_INFO), off);
}

/* ---- fixture --------------------------------------------------------------- */

static int setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = TEST_DRAM };
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || loom_dev_create(&cfg, &c->dev)) {
		free(c);
		return -1;
	}
	pt_build(c);
	loom_reg_write64(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_PGD_LO), c->pgd);
	loom_reg_write(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CHANNEL), CHANNEL);
	loom_reg_write(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 1);
	c->irq_cq = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->irq_cq < 0 || loom_dev_set_irq_fd(c->dev, CHANNEL, LOOM_IRQ_COMPLETION, c->irq_cq))
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	loom_dev_destroy(c->dev);
	close(c->irq_cq);
	free(c);
	return 0;
}

/* ---- tests: normal operation ---------------------------------------------------- */

/* nop-completion: NOPs complete with a CQ entry, DONE, CI and an interrupt. */
static void test_nop(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };
	uint64_t t0 = loom_dev_time_ns(c->dev);

	queue_setup(c, 0, ASID);
	cb_nop(&b);
	cb_nop(&b);
	cb_nop(&b);
	cb_submit(c, 0, &b, LOOM_RING_F_COMPLETION, 0x1122334455667788ULL);
	ce = cq_wait(c, 0, 0);
	assert_int_equal(ce.tag, 0x1122334455667788ULL);
	assert_int_equal(ce.status, LOOM_ERR_NONE);
	assert_int_equal(ce.queue, 0);
	assert_int_equal(ce.err_offset, 0);
	assert_true(ce.timestamp_ns >= t0 && ce.timestamp_ns <= loom_dev_time_ns(c->dev));
	assert_int_equal(qreg(c, 0, LOOM_QREG_RING_CI), 1);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_QUEUE(0, LOOM_QREG_DONE_LO)),
			 0x1122334455667788ULL);
	assert_true(irq_pending(c, WAIT_MS));
	assert_true(qreg_wait(c, 0, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE, WAIT_MS));

	/* Without the completion flag: CI and DONE move, no CQ entry, no interrupt. */
	cb_submit(c, 0, &b, 0, 77);
	assert_true(qreg_wait(c, 0, LOOM_QREG_RING_CI, 2, WAIT_MS));
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_QUEUE(0, LOOM_QREG_DONE_LO)), 77);
	assert_int_equal(qreg(c, 0, LOOM_QREG_CQ_PI), 1);
	assert_false(irq_pending(c, 20));

	/* Many entries in one go, wrapping the ring. */
	for (unsigned i = 0; i < RING_N + 10; i++) {
		cb_submit(c, 0, &b, LOOM_RING_F_COMPLETION, 1000 + i);
		if (i % 16 == 15)
			assert_true(qreg_wait(c, 0, LOOM_QREG_RING_CI, c->pi[0], WAIT_MS));
	}
	ce = cq_wait(c, 0, RING_N + 10);
	assert_int_equal(ce.tag, 1000 + RING_N + 9);
	assert_int_equal(ce.status, 0);
}

/* signal: SIGNAL adds to and sets SOBs; WREG32 reaches the sync manager only. */
static void test_signal(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(c, 2, ASID);
	cb_signal(&b, 100, LOOM_SIGNAL_OP_ADD, 5);
	cb_signal(&b, 100, LOOM_SIGNAL_OP_ADD, 2);
	cb_signal(&b, 101, LOOM_SIGNAL_OP_SET, 0xdeadbeefU);
	cb_wreg(&b, LOOM_REG_SOB(102), 9);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 1);
	ce = cq_wait(c, 2, 0);
	assert_int_equal(ce.status, 0);
	assert_int_equal(loom_sob_read(c->dev, 100), 7);
	assert_int_equal(loom_sob_read(c->dev, 101), 0xdeadbeefU);
	assert_int_equal(loom_sob_read(c->dev, 102), 9);

	/* SIGNAL to a SOB that does not exist, or with a bad op: BAD_ARG. */
	b.n = 0;
	cb_nop(&b);
	cb_signal(&b, LOOM_NUM_SOBS, LOOM_SIGNAL_OP_ADD, 1);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 2);
	ce = cq_wait(c, 2, 1);
	assert_int_equal(ce.status, LOOM_ERR_BAD_ARG);
	assert_int_equal(ce.err_offset, 8);
	assert_halted(c, 2, LOOM_ERR_BAD_ARG, 8);
	queue_recover(c, 2);

	b.n = 0;
	cb_signal(&b, 100, 7, 1);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 3);
	ce = cq_wait(c, 2, 2);
	assert_int_equal(ce.status, LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_sob_read(c->dev, 100), 7);
	queue_recover(c, 2);

	/* WREG32 to a queue register: PRIV, the register is untouched. */
	b.n = 0;
	cb_wreg(&b, LOOM_REG_QUEUE(2, LOOM_QREG_ASID), 5);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 4);
	ce = cq_wait(c, 2, 3);
	assert_int_equal(ce.status, LOOM_ERR_PRIV);
	assert_int_equal(qreg(c, 2, LOOM_QREG_ASID), ASID);
	queue_recover(c, 2);
}

/* wait-cross-queue: a WAIT on one queue is released by another queue's SIGNAL. */
static void test_wait_cross_queue(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(c, 3, ASID);
	queue_setup(c, 4, ASID);
	cb_wait(&b, 200, 2, 5000);
	cb_write64(&b, DATA_VA, 0x5151);
	cb_submit(c, 3, &b, LOOM_RING_F_COMPLETION, 30);

	sleep_ms(30);
	assert_int_equal(qreg(c, 3, LOOM_QREG_CQ_PI), 0);
	assert_int_equal(qreg(c, 3, LOOM_QREG_STATUS), LOOM_QSTATUS_BUSY);
	assert_int_not_equal(data_u64(c, DATA_VA), 0x5151);

	b.n = 0;
	cb_signal(&b, 200, LOOM_SIGNAL_OP_ADD, 1);
	cb_submit(c, 4, &b, LOOM_RING_F_COMPLETION, 40);
	ce = cq_wait(c, 4, 0);
	assert_int_equal(ce.status, 0);
	sleep_ms(20);
	assert_int_equal(qreg(c, 3, LOOM_QREG_CQ_PI), 0);	/* 1 < 2: still waiting */

	cb_submit(c, 4, &b, LOOM_RING_F_COMPLETION, 41);
	ce = cq_wait(c, 3, 0);
	assert_int_equal(ce.status, 0);
	assert_int_equal(ce.tag, 30);
	assert_int_equal(data_u64(c, DATA_VA), 0x5151);
	assert_true(qreg_wait(c, 3, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE, WAIT_MS));
}

/* write64-timestamp: both write 64-bit values through the MMU. */
static void test_write64_timestamp(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };
	uint64_t t0, t1, ts;

	queue_setup(c, 5, ASID);
	*pa_u64(c, DATA_VA + 0x100) = 0;
	*pa_u64(c, MAP_SMALL_VA + 0x3008) = 0;
	t0 = loom_dev_time_ns(c->dev);
	cb_write64(&b, DATA_VA + 0x100, 0x0123456789abcdefULL);
	cb_write64(&b, MAP_SMALL_VA + 0x3008, 42);	/* a 4 KiB page */
	cb_timestamp(&b, DATA_VA + 0x108);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 5);
	ce = cq_wait(c, 5, 0);
	t1 = loom_dev_time_ns(c->dev);
	assert_int_equal(ce.status, 0);
	assert_int_equal(data_u64(c, DATA_VA + 0x100), 0x0123456789abcdefULL);
	assert_int_equal(data_u64(c, MAP_SMALL_VA + 0x3008), 42);
	ts = data_u64(c, DATA_VA + 0x108);
	assert_true(ts >= t0 && ts <= t1);
	assert_true(ts <= ce.timestamp_ns);

	/* Misaligned address: BAD_ARG, nothing written. */
	b.n = 0;
	cb_write64(&b, DATA_VA + 0x204, 1);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 6);
	ce = cq_wait(c, 5, 1);
	assert_int_equal(ce.status, LOOM_ERR_BAD_ARG);
	assert_int_equal(data_u64(c, DATA_VA + 0x200), 0);
	queue_recover(c, 5);

	/* Read-only page: PERMISSION; unmapped: PAGE_FAULT, with the fault registers. */
	b.n = 0;
	cb_nop(&b);
	cb_write64(&b, RO_VA + 8, 1);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 7);
	ce = cq_wait(c, 5, 2);
	assert_int_equal(ce.status, LOOM_ERR_PERMISSION);
	assert_int_equal(ce.err_offset, 8);
	assert_halted(c, 5, LOOM_ERR_PERMISSION, 8);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_CAUSE), LOOM_FAULT_WRITE);
	assert_int_equal(data_u64(c, RO_VA + 8), 0);
	queue_recover(c, 5);

	b.n = 0;
	cb_timestamp(&b, UNMAPPED_VA);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 8);
	ce = cq_wait(c, 5, 3);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_MMU_FAULT_VA_LO), UNMAPPED_VA);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_CAUSE), LOOM_FAULT_NOT_PRESENT);
	queue_recover(c, 5);
}

/* lin-dma: a copy and a fill through the DMA engines. */
static void test_lin_dma(void **state)
{
	struct ctx *c = *state;
	const uint64_t src = DATA_VA + (1 << 20), dst = DATA_VA + (4 << 20);
	const uint64_t size = 1 << 20;
	uint32_t *s = (uint32_t *)(c->dev->dram + src), *d = (uint32_t *)(c->dev->dram + dst);
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(c, 6, ASID);
	for (uint32_t i = 0; i < size / 4; i++)
		s[i] = i * 2654435761U;
	memset(d, 0, size + 8);
	cb_dma(&b, 0, src, dst, size);
	cb_dma(&b, LOOM_DMA_F_MEMSET, 0xa5a5a5a5U, dst + size, 8);
	cb_submit(c, 6, &b, LOOM_RING_F_COMPLETION, 6);
	ce = cq_wait(c, 6, 0);
	assert_int_equal(ce.status, 0);
	assert_memory_equal(s, d, size);
	assert_int_equal(d[size / 4], 0xa5a5a5a5U);
	assert_int_equal(d[size / 4 + 1], 0xa5a5a5a5U);

	/* Copy from an unmapped VA: PAGE_FAULT at the DMA packet. */
	b.n = 0;
	cb_nop(&b);
	cb_dma(&b, 0, UNMAPPED_VA, dst, 4096);
	cb_submit(c, 6, &b, LOOM_RING_F_COMPLETION, 7);
	ce = cq_wait(c, 6, 1);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	assert_int_equal(ce.err_offset, 8);
	queue_recover(c, 6);
}

/* ---- tests: errors ------------------------------------------------------------ */

/* bad-packet: each malformed packet halts the queue with BAD_PACKET at its offset. */
static void test_bad_packet(void **state)
{
	struct ctx *c = *state;
	const struct {
		const char *what;
		uint32_t w[4];
		uint32_t n;
	} bad[] = {
		{ "unknown opcode", { LOOM_PKT_HDR(0x7f, 0, 2), 0 }, 2 },
		{ "opcode zero", { LOOM_PKT_HDR(0, 0, 2), 0 }, 2 },
		{ "length too long", { LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 3), 0, 0 }, 3 },
		{ "length too short", { LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, 2), 0 }, 2 },
		{ "length zero", { LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 0), 0 }, 2 },
		{ "nop reserved", { LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 2), 1 }, 2 },
		{ "nop flags", { LOOM_PKT_HDR(LOOM_PKT_NOP, 1, 2), 0 }, 2 },
		{ "signal flags", { LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0x80, 4), 1, 0, 1 }, 4 },
		{ "wreg reserved", { LOOM_PKT_HDR(LOOM_PKT_WREG32, 0, 4), LOOM_REG_SOB(0), 1, 1 },
		  4 },
		{ "stop reserved", { LOOM_PKT_HDR(LOOM_PKT_STOP, 0, 2), 3 }, 2 },
		{ "truncated", { LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, 4), 0 }, 2 },
	};
	struct cb b = { 0 };
	uint32_t n = 0;

	queue_setup(c, 7, ASID);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct loom_cq_entry ce;

		b.n = 0;
		cb_nop(&b);
		cb_signal(&b, 300, LOOM_SIGNAL_OP_ADD, 1);
		cb_raw(&b, bad[i].w, bad[i].n * 4);
		if (strcmp(bad[i].what, "truncated"))
			cb_signal(&b, 301, LOOM_SIGNAL_OP_ADD, 1);	/* never runs */
		cb_submit(c, 7, &b, 0, 700 + i);
		ce = cq_wait(c, 7, n++);
		if (ce.status != LOOM_ERR_BAD_PACKET)
			fail_msg("%s: status %u", bad[i].what, ce.status);
		assert_int_equal(ce.tag, 700 + i);
		assert_int_equal(ce.err_offset, 24);
		assert_int_equal(ce.queue, 7);
		assert_halted(c, 7, LOOM_ERR_BAD_PACKET, 24);
		assert_int_equal(loom_sob_read(c->dev, 300), i + 1);
		assert_int_equal(loom_sob_read(c->dev, 301), 0);

		/* Halted: a new entry is not run until QCTRL_RESET. */
		b.n = 0;
		cb_signal(&b, 302, LOOM_SIGNAL_OP_ADD, 1);
		memcpy(c->dev->dram + CB_VA(7) + 0x1000, b.w, b.n * 4);
		submit(c, 7, CB_VA(7) + 0x1000, b.n * 4, LOOM_RING_F_COMPLETION, 1);
		sleep_ms(5);
		assert_int_equal(qreg(c, 7, LOOM_QREG_CQ_PI), n);
		assert_int_equal(loom_sob_read(c->dev, 302), 0);
		queue_recover(c, 7);
		assert_int_equal(loom_sob_read(c->dev, 302), 0);	/* dropped */
	}

	/* LIN_DMA flags outside LOOM_DMA_F_*: BAD_PACKET. */
	b.n = 0;
	cb_dma(&b, 2, DATA_VA, DATA_VA + 4096, 64);
	cb_submit(c, 7, &b, 0, 800);
	assert_int_equal(cq_wait(c, 7, n++).status, LOOM_ERR_BAD_PACKET);
	queue_recover(c, 7);

	/* After all that the queue works normally. */
	b.n = 0;
	cb_nop(&b);
	cb_submit(c, 7, &b, LOOM_RING_F_COMPLETION, 900);
	assert_int_equal(cq_wait(c, 7, n).status, 0);
	assert_int_equal(qreg(c, 7, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
}

/* bad-ring-entry: invalid ring entries fail with BAD_CB and the entry's tag. */
static void test_bad_cb(void **state)
{
	struct ctx *c = *state;
	const struct loom_ring_entry bad[] = {
		{ .cb_addr = CB_VA(8), .cb_size = 8, .reserved = 1 },
		{ .cb_addr = CB_VA(8), .cb_size = 8, .flags = 2 },
		{ .cb_addr = CB_VA(8), .cb_size = 0 },
		{ .cb_addr = CB_VA(8), .cb_size = 6 },
		{ .cb_addr = CB_VA(8), .cb_size = LOOM_CB_MAX_SIZE + 4 },
		{ .cb_addr = CB_VA(8) + 4, .cb_size = 8 },
	};
	struct cb b = { 0 };
	uint32_t n = 0;

	queue_setup(c, 8, ASID);
	cb_nop(&b);
	memcpy(c->dev->dram + CB_VA(8), b.w, 8);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct loom_ring_entry e = bad[i];
		struct loom_cq_entry ce;

		e.tag = 50 + i;
		submit_entry(c, 8, &e);
		ce = cq_wait(c, 8, n++);
		assert_int_equal(ce.status, LOOM_ERR_BAD_CB);
		assert_int_equal(ce.tag, 50 + i);
		assert_halted(c, 8, LOOM_ERR_BAD_CB, 0);
		queue_recover(c, 8);
	}

	/* A misconfigured ring (size not a power of two): halted, nothing consumed. */
	qreg_set(c, 8, LOOM_QREG_RING_SIZE, 3);
	submit(c, 8, CB_VA(8), 8, LOOM_RING_F_COMPLETION, 60);
	assert_true(qreg_wait(c, 8, LOOM_QREG_STATUS,
			      LOOM_QSTATUS_HALTED | (LOOM_ERR_BAD_CB << 8), WAIT_MS));
	assert_int_equal(qreg(c, 8, LOOM_QREG_RING_CI), c->pi[8] - 1);
	qreg_set(c, 8, LOOM_QREG_RING_SIZE, RING_N);
	queue_recover(c, 8);

	/* Ring base outside DRAM. */
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(8, LOOM_QREG_RING_BASE_LO), TEST_DRAM);
	qreg_set(c, 8, LOOM_QREG_RING_PI, ++c->pi[8]);
	doorbell(c, 8);
	assert_true(qreg_wait(c, 8, LOOM_QREG_STATUS,
			      LOOM_QSTATUS_HALTED | (LOOM_ERR_BAD_CB << 8), WAIT_MS));
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(8, LOOM_QREG_RING_BASE_LO), RING_PA(8));
	queue_recover(c, 8);

	/* Completion asked for but the CQ size is not a power of two: BAD_CB. */
	qreg_set(c, 8, LOOM_QREG_CQ_SIZE, 6);
	submit(c, 8, CB_VA(8), 8, LOOM_RING_F_COMPLETION, 61);
	assert_true(qreg_wait(c, 8, LOOM_QREG_STATUS,
			      LOOM_QSTATUS_HALTED | (LOOM_ERR_BAD_CB << 8), WAIT_MS));
	qreg_set(c, 8, LOOM_QREG_CQ_SIZE, CQ_N);
	queue_recover(c, 8);

	submit(c, 8, CB_VA(8), 8, LOOM_RING_F_COMPLETION, 62);
	assert_int_equal(cq_wait(c, 8, n).status, 0);
}

/* page-fault: a CB at an unmapped VA fails with PAGE_FAULT and a fault event. */
static void test_cb_page_fault(void **state)
{
	struct ctx *c = *state;
	struct loom_event *eq = (struct loom_event *)(c->dev->dram + EQ_PA);
	uint32_t count = loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_COUNT);
	struct loom_cq_entry ce;
	bool seen = false;

	memset(eq, 0, EQ_N * sizeof(*eq));
	loom_reg_write64(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_BASE_LO), EQ_PA);
	loom_reg_write(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_SIZE), EQ_N);

	queue_setup(c, 9, ASID);
	submit(c, 9, UNMAPPED_VA, 64, 0, 90);
	ce = cq_wait(c, 9, 0);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	assert_int_equal(ce.tag, 90);
	assert_halted(c, 9, LOOM_ERR_PAGE_FAULT, 0);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_COUNT), count + 1);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_MMU_FAULT_VA_LO), UNMAPPED_VA);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_ASID), ASID);

	/* The event queue got a PAGE_FAULT event for this queue. */
	for (uint32_t i = 0; i < loom_reg_read(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_PI)) &&
	     i < EQ_N; i++)
		if (eq[i].type == LOOM_EVENT_PAGE_FAULT && eq[i].queue == 9 &&
		    eq[i].addr == UNMAPPED_VA && eq[i].asid == ASID)
			seen = true;
	assert_true(seen);
	queue_recover(c, 9);

	/* A CB that runs off the end of the mapping faults too. */
	submit(c, 9, MAP_SMALL_VA + MAP_SMALL_SIZE - 8, 16, 0, 91);
	ce = cq_wait(c, 9, 1);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	queue_recover(c, 9);
}

/* wait-timeout: WAIT fails after its own time limit, or the device's. */
static void test_wait_timeout(void **state)
{
	struct ctx *c = *state;
	struct loom_event *eq = (struct loom_event *)(c->dev->dram + EQ_PA);
	struct loom_cq_entry ce;
	struct cb b = { 0 };
	uint64_t t0, dt;
	bool seen = false;

	memset(eq, 0, EQ_N * sizeof(*eq));
	loom_reg_write64(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_BASE_LO), EQ_PA);
	loom_reg_write(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_SIZE), EQ_N);

	queue_setup(c, 10, ASID);
	cb_nop(&b);
	cb_wait(&b, 400, 1, 60);
	cb_signal(&b, 401, LOOM_SIGNAL_OP_ADD, 1);
	t0 = loom_now_ns();
	cb_submit(c, 10, &b, 0, 100);
	ce = cq_wait(c, 10, 0);
	dt = loom_now_ns() - t0;
	assert_int_equal(ce.status, LOOM_ERR_TIMEOUT);
	assert_int_equal(ce.err_offset, 8);
	assert_true(dt >= 60ULL * 1000000 && dt < 3000ULL * 1000000);
	assert_halted(c, 10, LOOM_ERR_TIMEOUT, 8);
	assert_int_equal(loom_sob_read(c->dev, 401), 0);
	for (uint32_t i = 0; i < EQ_N; i++)
		if (eq[i].type == LOOM_EVENT_HANG && eq[i].queue == 10)
			seen = true;
	assert_true(seen);
	queue_recover(c, 10);

	/* timeout_ms 0: the device's QUEUE_TIMEOUT_MS applies. */
	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 40);
	b.n = 0;
	cb_wait(&b, 400, 1, 0);
	t0 = loom_now_ns();
	cb_submit(c, 10, &b, 0, 101);
	ce = cq_wait(c, 10, 1);
	dt = loom_now_ns() - t0;
	assert_int_equal(ce.status, LOOM_ERR_TIMEOUT);
	assert_true(dt >= 40ULL * 1000000 && dt < 3000ULL * 1000000);
	queue_recover(c, 10);

	/* WAIT on a SOB that does not exist: BAD_ARG. */
	b.n = 0;
	cb_wait(&b, LOOM_NUM_SOBS, 0, 0);
	cb_submit(c, 10, &b, 0, 102);
	assert_int_equal(cq_wait(c, 10, 2).status, LOOM_ERR_BAD_ARG);
	queue_recover(c, 10);
}

/* stop: STOP halts the queue with STOPPED; later packets do not run. */
static void test_stop(void **state)
{
	struct ctx *c = *state;
	struct loom_pkt_stop stop = { .header = LOOM_PKT_HDR(LOOM_PKT_STOP, 0, 2) };
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(c, 11, ASID);
	*pa_u64(c, DATA_VA + 0x300) = 0;
	cb_nop(&b);
	cb_raw(&b, &stop, sizeof(stop));
	cb_write64(&b, DATA_VA + 0x300, 1);
	cb_submit(c, 11, &b, 0, 110);
	ce = cq_wait(c, 11, 0);
	assert_int_equal(ce.status, LOOM_ERR_STOPPED);
	assert_int_equal(ce.err_offset, 8);
	assert_halted(c, 11, LOOM_ERR_STOPPED, 8);
	assert_int_equal(data_u64(c, DATA_VA + 0x300), 0);
	queue_recover(c, 11);
}

/*
 * tpc-launch: the CP checks the packet's length and fields (kernels
 * themselves are tested in test_tpc): a zero code size is BAD_ARG, unknown
 * flags BAD_PACKET, the revision-0 two-dword form BAD_PACKET.
 */
static void test_tpc(void **state)
{
	struct ctx *c = *state;
	struct loom_pkt_tpc_launch tpc = {
		.header = LOOM_PKT_HDR(LOOM_PKT_TPC_LAUNCH, 0, sizeof(tpc) / 4),
		.code = DATA_VA, .index = { 1, 1, 1, 1, 1 },
	};
	uint32_t old[2] = { LOOM_PKT_HDR(LOOM_PKT_TPC_LAUNCH, 0, 2), 0 };
	struct cb b = { 0 };

	queue_setup(c, 12, ASID);
	cb_raw(&b, &tpc, sizeof(tpc));
	cb_submit(c, 12, &b, 0, 120);
	assert_int_equal(cq_wait(c, 12, 0).status, LOOM_ERR_BAD_ARG);
	assert_halted(c, 12, LOOM_ERR_BAD_ARG, 0);
	queue_recover(c, 12);

	b.n = 0;
	tpc.code_size = 8;
	tpc.flags = 1;
	cb_raw(&b, &tpc, sizeof(tpc));
	cb_submit(c, 12, &b, 0, 121);
	assert_int_equal(cq_wait(c, 12, 1).status, LOOM_ERR_BAD_PACKET);
	queue_recover(c, 12);

	b.n = 0;
	cb_raw(&b, old, sizeof(old));
	cb_submit(c, 12, &b, 0, 122);
	assert_int_equal(cq_wait(c, 12, 2).status, LOOM_ERR_BAD_PACKET);
	queue_recover(c, 12);
}

/* bad-asid: a queue whose context is not enabled (or is 0) fails with BAD_ASID. */
static void test_bad_asid(void **state)
{
	struct ctx *c = *state;
	struct cb b = { 0 };

	cb_nop(&b);
	queue_setup(c, 13, 2);			/* ASID 2: never enabled */
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 130);
	assert_int_equal(cq_wait(c, 13, 0).status, LOOM_ERR_BAD_ASID);
	assert_halted(c, 13, LOOM_ERR_BAD_ASID, 0);
	queue_recover(c, 13);

	qreg_set(c, 13, LOOM_QREG_ASID, 0);
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 131);
	assert_int_equal(cq_wait(c, 13, 1).status, LOOM_ERR_BAD_ASID);
	queue_recover(c, 13);

	qreg_set(c, 13, LOOM_QREG_ASID, LOOM_NUM_ASIDS);
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 132);
	assert_int_equal(cq_wait(c, 13, 2).status, LOOM_ERR_BAD_ASID);
	queue_recover(c, 13);

	qreg_set(c, 13, LOOM_QREG_ASID, ASID);
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 133);
	assert_int_equal(cq_wait(c, 13, 3).status, 0);
}

/* ---- tests: resets ----------------------------------------------------------- */

/* qctrl-reset-during-wait: QCTRL_RESET ends a blocked WAIT with ABORTED. */
static void test_reset_during_wait(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);	/* no watchdog */
	queue_setup(c, 14, ASID);
	cb_wait(&b, 500, 1, 0);
	cb_submit(c, 14, &b, LOOM_RING_F_COMPLETION, 140);
	cb_submit(c, 14, &b, LOOM_RING_F_COMPLETION, 141);	/* pending behind it */
	sleep_ms(20);
	assert_int_equal(qreg(c, 14, LOOM_QREG_STATUS), LOOM_QSTATUS_BUSY);

	queue_recover(c, 14);
	ce = cq_wait(c, 14, 0);
	assert_int_equal(ce.status, LOOM_ERR_ABORTED);
	assert_int_equal(ce.tag, 140);
	sleep_ms(10);
	assert_int_equal(qreg(c, 14, LOOM_QREG_CQ_PI), 1);	/* 141 was dropped */
	assert_int_equal(qreg(c, 14, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);

	b.n = 0;
	cb_nop(&b);
	cb_submit(c, 14, &b, LOOM_RING_F_COMPLETION, 142);
	assert_int_equal(cq_wait(c, 14, 1).status, 0);
}

/* reset-queue: loom_qman_reset_queue stops a queue stuck in a WAIT and clears it. */
static void test_reset_queue(void **state)
{
	struct ctx *c = *state;
	struct cb b = { 0 };
	uint64_t t0;

	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);
	queue_setup(c, 15, ASID);
	cb_wait(&b, 501, 1, 0);
	cb_submit(c, 15, &b, LOOM_RING_F_COMPLETION, 150);
	sleep_ms(20);
	assert_int_equal(qreg(c, 15, LOOM_QREG_STATUS), LOOM_QSTATUS_BUSY);

	t0 = loom_now_ns();
	loom_qman_reset_queue(c->dev, 15);
	assert_true(loom_now_ns() - t0 < 2000ULL * 1000000);
	assert_int_equal(qreg(c, 15, LOOM_QREG_CTRL), 0);
	assert_int_equal(qreg(c, 15, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
	assert_int_equal(qreg(c, 15, LOOM_QREG_RING_SIZE), 0);
	assert_int_equal(qreg(c, 15, LOOM_QREG_RING_PI), 0);
	assert_int_equal(qreg(c, 15, LOOM_QREG_RING_CI), 0);
	assert_int_equal(qreg(c, 15, LOOM_QREG_CQ_PI), 0);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_QUEUE(15, LOOM_QREG_CQ_BASE_LO)), 0);

	/* Nothing more happens on it, even when signalled; it can be set up again. */
	loom_sob_update(c->dev, 501, LOOM_SIGNAL_OP_ADD, 1);
	sleep_ms(10);
	assert_int_equal(qreg(c, 15, LOOM_QREG_CQ_PI), 0);
	queue_setup(c, 15, ASID);
	b.n = 0;
	cb_nop(&b);
	cb_submit(c, 15, &b, LOOM_RING_F_COMPLETION, 151);
	assert_int_equal(cq_wait(c, 15, 0).tag, 151);

	/* Resetting an idle or out-of-range queue is harmless. */
	loom_qman_reset_queue(c->dev, 16);
	loom_qman_reset_queue(c->dev, LOOM_NUM_QUEUES);
}

/* device-reset: queues, SOBs, monitors and contexts are cleared; the count moves. */
static void test_device_reset(void **state)
{
	struct ctx *c = *state;
	uint32_t count = loom_reg_read(c->dev, LOOM_REG_RESET_COUNT);
	struct loom_event *eq = (struct loom_event *)(c->dev->dram + EQ_PA);
	struct cb b = { 0 };
	bool seen = false;

	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);
	queue_setup(c, 16, ASID);
	cb_wait(&b, 600, 1, 0);
	cb_submit(c, 16, &b, LOOM_RING_F_COMPLETION, 160);
	loom_sob_update(c->dev, 601, LOOM_SIGNAL_OP_SET, 3);
	assert_int_equal(loom_sync_wreg(c->dev, LOOM_REG_MON(5, LOOM_MREG_SOB), 602), 0);
	assert_int_equal(loom_sync_wreg(c->dev, LOOM_REG_MON(5, LOOM_MREG_TARGET), 1), 0);
	assert_int_equal(loom_sync_wreg(c->dev, LOOM_REG_MON(5, LOOM_MREG_ARM), 1), 0);
	sleep_ms(10);

	memset(eq, 0, EQ_N * sizeof(*eq));
	loom_reg_write64(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_BASE_LO), EQ_PA);
	loom_reg_write(c->dev, LOOM_REG_CH(CHANNEL, LOOM_CREG_EQ_SIZE), EQ_N);
	loom_dev_reset(c->dev);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_RESET_COUNT), count + 1);
	for (uint32_t i = 0; i < EQ_N; i++)
		if (eq[i].type == LOOM_EVENT_RESET && eq[i].info == count + 1 &&
		    eq[i].asid == LOOM_EVENT_ASID_NONE)
			seen = true;
	assert_true(seen);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_DEV_STATUS) &
			 (LOOM_DEV_STATUS_READY | LOOM_DEV_STATUS_RESETTING),
			 LOOM_DEV_STATUS_READY);
	assert_int_equal(loom_sob_read(c->dev, 601), 0);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MON(5, LOOM_MREG_ARM)), 0);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL)), 0);
	assert_int_equal(qreg(c, 16, LOOM_QREG_CTRL), 0);
	assert_int_equal(qreg(c, 16, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MAGIC), LOOM_MAGIC);

	/* The device works again once the driver sets things up again. */
	loom_reg_write64(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_PGD_LO), c->pgd);
	loom_reg_write(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 1);
	queue_setup(c, 16, ASID);
	b.n = 0;
	cb_signal(&b, 601, LOOM_SIGNAL_OP_ADD, 1);
	cb_submit(c, 16, &b, LOOM_RING_F_COMPLETION, 161);
	assert_int_equal(cq_wait(c, 16, 0).status, 0);
	assert_int_equal(loom_sob_read(c->dev, 601), 1);

	/* The firmware path: DEV_CTRL_RESET + firmware doorbell. */
	loom_reg_write(c->dev, LOOM_REG_DEV_CTRL, LOOM_DEV_CTRL_RESET);
	doorbell(c, LOOM_DOORBELL_FW);
	{
		uint64_t end = loom_now_ns() + WAIT_MS * 1000000ULL;

		while (loom_reg_read(c->dev, LOOM_REG_RESET_COUNT) != count + 2 &&
		       loom_now_ns() < end)
			usleep(200);
	}
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_RESET_COUNT), count + 2);
	assert_int_equal(loom_sob_read(c->dev, 601), 0);
}

/* ---- tests: the device frame ------------------------------------------------- */

/* dev-create: identification registers, config checks, BAR layout. */
static void test_dev_create(void **state)
{
	struct ctx *c = *state;
	struct loom_dev_config cfg = { .dram_size = 3ULL << 20 };
	struct loom_dev *d2 = (struct loom_dev *)1;

	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_VENDOR_ID), LOOM_VENDOR_ID);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_DEVICE_ID), LOOM_DEVICE_ID);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MAGIC), LOOM_MAGIC);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_REVISION), LOOM_HW_REVISION);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_DRAM_SIZE_LO), TEST_DRAM);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_DRAM_OFFSET), LOOM_DRAM_BAR_OFFSET);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_NUM_QUEUES), LOOM_NUM_QUEUES);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_NUM_SOBS), LOOM_NUM_SOBS);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_VA_BITS), LOOM_VA_BITS);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_CAPS),
			 LOOM_CAP_MME_BF16 | LOOM_CAP_PAGE_2M | LOOM_CAP_TELEMETRY | LOOM_CAP_TPC);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS), 10000);
	assert_true(loom_reg_read(c->dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_READY);
	assert_int_equal(loom_dev_bar_size(c->dev), LOOM_DRAM_BAR_OFFSET + TEST_DRAM);
	assert_ptr_equal(loom_dev_bar(c->dev) + LOOM_DRAM_BAR_OFFSET, c->dev->dram);
	assert_true(loom_dev_mem_fd(c->dev) >= 0);
	assert_true(loom_dev_doorbell_fd(c->dev, LOOM_DOORBELL_FW) >= 0);
	assert_int_equal(loom_dev_doorbell_fd(c->dev, LOOM_NUM_DOORBELLS), -EINVAL);
	assert_int_equal(loom_dev_config(c->dev)->dram_size, TEST_DRAM);

	/* The BAR memfd is the device memory: a second mapping sees DRAM writes. */
	{
		uint8_t *m = mmap(NULL, loom_dev_bar_size(c->dev), PROT_READ, MAP_SHARED,
				  loom_dev_mem_fd(c->dev), 0);

		assert_true(m != MAP_FAILED);
		c->dev->dram[12345] = 0x5a;
		assert_int_equal(m[LOOM_DRAM_BAR_OFFSET + 12345], 0x5a);
		munmap(m, loom_dev_bar_size(c->dev));
	}

	assert_int_equal(loom_dev_create(&cfg, &d2), -EINVAL);
	assert_null(d2);
	cfg.dram_size = LOOM_PA_HOST_BASE;
	assert_int_equal(loom_dev_create(&cfg, &d2), -EINVAL);
	cfg.dram_size = 2ULL << 20;
	cfg.queue_timeout_ms = 1234;
	assert_int_equal(loom_dev_create(&cfg, &d2), 0);
	assert_int_equal(loom_reg_read(d2, LOOM_REG_QUEUE_TIMEOUT_MS), 1234);
	loom_dev_destroy(d2);
	loom_dev_destroy(NULL);
}

/* pa-ptr: DRAM and host-window decoding with overflow-safe bounds. */
static void test_pa_ptr(void **state)
{
	struct ctx *c = *state;
	struct loom_dev *dev = c->dev;
	const uint64_t wsize = 1 << 20;
	int fd = memfd_create("test-window", MFD_CLOEXEC);
	uint8_t *host;

	assert_ptr_equal(loom_dev_pa_ptr(dev, 0, 8), dev->dram);
	assert_ptr_equal(loom_dev_pa_ptr(dev, TEST_DRAM - 8, 8), dev->dram + TEST_DRAM - 8);
	assert_null(loom_dev_pa_ptr(dev, TEST_DRAM - 8, 9));
	assert_null(loom_dev_pa_ptr(dev, TEST_DRAM, 1));
	assert_null(loom_dev_pa_ptr(dev, 8, UINT64_MAX));
	assert_null(loom_dev_pa_ptr(dev, UINT64_MAX, 2));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(0, 0), 1));	/* no window */
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(LOOM_NUM_CHANNELS, 0), 1));

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, wsize), 0);
	host = mmap(NULL, wsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(host != MAP_FAILED);
	assert_int_equal(loom_dev_attach_window(dev, 3, fd, wsize), 0);
	assert_int_equal(loom_dev_attach_window(dev, 3, fd, wsize), -EBUSY);
	assert_int_equal(loom_dev_attach_window(dev, LOOM_NUM_CHANNELS, fd, wsize), -EINVAL);
	assert_int_equal(loom_dev_attach_window(dev, 4, -1, wsize), -EINVAL);
	assert_int_equal(loom_dev_attach_window(dev, 4, fd, 0), -EINVAL);

	loom_dev_access_begin(dev);
	{
		uint32_t *p = loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, 0x100), 4);

		assert_non_null(p);
		*p = 0xfeedf00d;
		assert_int_equal(*(uint32_t *)(host + 0x100), 0xfeedf00d);
	}
	assert_non_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, wsize - 4), 4));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, wsize - 4), 5));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, wsize), 1));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, 0x100), UINT64_MAX));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(2, 0x100), 4));
	loom_dev_access_end(dev);

	/* A CQ in the host window: the CP writes completions there. */
	{
		struct loom_cq_entry *cq = (struct loom_cq_entry *)(host + 0x1000);
		struct cb b = { 0 };

		queue_setup(c, 17, ASID);
		loom_reg_write64(dev, LOOM_REG_QUEUE(17, LOOM_QREG_CQ_BASE_LO),
				 LOOM_PA_HOST(3, 0x1000));
		cb_nop(&b);
		cb_submit(c, 17, &b, LOOM_RING_F_COMPLETION, 170);
		assert_true(qreg_wait(c, 17, LOOM_QREG_CQ_PI, 1, WAIT_MS));
		assert_int_equal(cq[0].tag, 170);
		assert_int_equal(cq[0].queue, 17);
	}

	loom_dev_detach_window(dev, 3);
	loom_dev_detach_window(dev, 3);		/* idempotent */
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, 0x100), 4));
	munmap(host, wsize);
	close(fd);
}

/* irq-fd: routing interrupt vectors to eventfds, and clearing them. */
static void test_irq_fd(void **state)
{
	struct ctx *c = *state;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t cnt = 0;

	assert_true(fd >= 0);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, LOOM_NUM_CHANNELS, 0, fd), -EINVAL);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, 0, LOOM_IRQS_PER_CHANNEL, fd), -EINVAL);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, 5, LOOM_IRQ_EVENT, fd), 0);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_EVENT);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_EVENT);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_MAILBOX);	/* not routed */
	loom_dev_raise_irq(c->dev, 99, 0);			/* ignored */
	assert_int_equal(read(fd, &cnt, sizeof(cnt)), sizeof(cnt));
	assert_int_equal(cnt, 2);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, 5, LOOM_IRQ_EVENT, -1), 0);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_EVENT);
	assert_int_equal(read(fd, &cnt, sizeof(cnt)), -1);
	assert_int_equal(errno, EAGAIN);
	close(fd);
}

/* run-cb: the CP's packet loop called directly. */
static void test_run_cb(void **state)
{
	struct ctx *c = *state;
	struct cb b = { 0 };
	uint32_t off = 99;

	cb_nop(&b);
	cb_signal(&b, 700, LOOM_SIGNAL_OP_ADD, 4);
	assert_int_equal(loom_cp_run_cb(c->dev, 20, ASID, (uint8_t *)b.w, b.n * 4, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(loom_sob_read(c->dev, 700), 4);
	/* A size that cuts the header: BAD_PACKET at that offset. */
	assert_int_equal(loom_cp_run_cb(c->dev, 20, ASID, (uint8_t *)b.w, 10, &off),
			 LOOM_ERR_BAD_PACKET);
	assert_int_equal(off, 8);
	assert_int_equal(loom_cp_run_cb(c->dev, LOOM_NUM_QUEUES, ASID, (uint8_t *)b.w, 8, &off),
			 LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_sob_read(c->dev, 700), 4);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_nop),
		T(test_signal),
		T(test_wait_cross_queue),
		T(test_write64_timestamp),
		T(test_lin_dma),
		T(test_bad_packet),
		T(test_bad_cb),
		T(test_cb_page_fault),
		T(test_wait_timeout),
		T(test_stop),
		T(test_tpc),
		T(test_bad_asid),
		T(test_reset_during_wait),
		T(test_reset_queue),
		T(test_device_reset),
		T(test_dev_create),
		T(test_pa_ptr),
		T(test_irq_fd),
		T(test_run_cb),
	};

	return cmocka_run_group_tests_name("test_cp", tests, NULL, NULL);
}
