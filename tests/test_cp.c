// SPDX-License-Identifier: MIT
/*
 * Tests of the command processors (device/loom_qman.c), driven the way a
 * driver drives them: the fixture (tests/loom_test_cp.h) builds a page
 * table in device DRAM, enables a context, sets up a ring and a
 * completion queue, and the test writes CBs and submits them through the
 * queue registers and doorbell. Covers every packet, every error a CB or
 * a ring entry can cause (status, error offset, halted queue, recovery
 * with QCTRL_RESET), and queue and device resets. The device frame
 * (identification, PA decoding, host windows, interrupts) is test_device.
 */
#include "loom_test_cp.h"

/* ---- tests: normal operation ---------------------------------------------------- */

/* nop-completion: NOPs complete with a CQ entry, DONE, CI and an interrupt. */
static void test_nop(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };
	uint64_t t0 = loom_dev_time_ns(c->dev);

	queue_setup(&c->tq, 0, ASID);
	cb_nop(&b);
	cb_nop(&b);
	cb_nop(&b);
	cb_submit(c, 0, &b, LOOM_RING_F_COMPLETION, 0x1122334455667788ULL);
	ce = cq_wait(&c->tq, 0, 0);
	assert_int_equal(ce.tag, 0x1122334455667788ULL);
	assert_int_equal(ce.status, LOOM_ERR_NONE);
	assert_int_equal(ce.queue, 0);
	assert_int_equal(ce.err_offset, 0);
	assert_true(ce.timestamp_ns >= t0 && ce.timestamp_ns <= loom_dev_time_ns(c->dev));
	assert_int_equal(qreg(&c->tq, 0, LOOM_QREG_RING_CI), 1);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_QUEUE(0, LOOM_QREG_DONE_LO)),
			 0x1122334455667788ULL);
	assert_true(irq_pending(c, WAIT_MS));
	assert_true(qreg_wait(&c->tq, 0, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE, WAIT_MS));

	/* Without the completion flag: CI and DONE move, no CQ entry, no interrupt. */
	cb_submit(c, 0, &b, 0, 77);
	assert_true(qreg_wait(&c->tq, 0, LOOM_QREG_RING_CI, 2, WAIT_MS));
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_QUEUE(0, LOOM_QREG_DONE_LO)), 77);
	assert_int_equal(qreg(&c->tq, 0, LOOM_QREG_CQ_PI), 1);
	assert_false(irq_pending(c, 20));

	/* Many entries in one go, wrapping the ring. */
	for (unsigned i = 0; i < TQ_RING_N + 10; i++) {
		cb_submit(c, 0, &b, LOOM_RING_F_COMPLETION, 1000 + i);
		if (i % 16 == 15)
			assert_true(qreg_wait(&c->tq, 0, LOOM_QREG_RING_CI, c->tq.pi[0], WAIT_MS));
	}
	ce = cq_wait(&c->tq, 0, TQ_RING_N + 10);
	assert_int_equal(ce.tag, 1000 + TQ_RING_N + 9);
	assert_int_equal(ce.status, 0);
}

/* signal: SIGNAL adds to and sets SOBs; WREG32 reaches the sync manager only. */
static void test_signal(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(&c->tq, 2, ASID);
	cb_signal(&b, 100, LOOM_SIGNAL_OP_ADD, 5);
	cb_signal(&b, 100, LOOM_SIGNAL_OP_ADD, 2);
	cb_signal(&b, 101, LOOM_SIGNAL_OP_SET, 0xdeadbeefU);
	cb_wreg(&b, LOOM_REG_SOB(102), 9);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 1);
	ce = cq_wait(&c->tq, 2, 0);
	assert_int_equal(ce.status, 0);
	assert_int_equal(loom_sob_read(c->dev, 100), 7);
	assert_int_equal(loom_sob_read(c->dev, 101), 0xdeadbeefU);
	assert_int_equal(loom_sob_read(c->dev, 102), 9);

	/* SIGNAL to a SOB that does not exist, or with a bad op: BAD_ARG. */
	b.n = 0;
	cb_nop(&b);
	cb_signal(&b, LOOM_NUM_SOBS, LOOM_SIGNAL_OP_ADD, 1);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 2);
	ce = cq_wait(&c->tq, 2, 1);
	assert_int_equal(ce.status, LOOM_ERR_BAD_ARG);
	assert_int_equal(ce.err_offset, 8);
	assert_halted(c, 2, LOOM_ERR_BAD_ARG, 8);
	queue_recover(&c->tq, 2);

	b.n = 0;
	cb_signal(&b, 100, 7, 1);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 3);
	ce = cq_wait(&c->tq, 2, 2);
	assert_int_equal(ce.status, LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_sob_read(c->dev, 100), 7);
	queue_recover(&c->tq, 2);

	/* WREG32 to a queue register: PRIV, the register is untouched. */
	b.n = 0;
	cb_wreg(&b, LOOM_REG_QUEUE(2, LOOM_QREG_ASID), 5);
	cb_submit(c, 2, &b, LOOM_RING_F_COMPLETION, 4);
	ce = cq_wait(&c->tq, 2, 3);
	assert_int_equal(ce.status, LOOM_ERR_PRIV);
	assert_int_equal(qreg(&c->tq, 2, LOOM_QREG_ASID), ASID);
	queue_recover(&c->tq, 2);
}

/* wait-cross-queue: a WAIT on one queue is released by another queue's SIGNAL. */
static void test_wait_cross_queue(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(&c->tq, 3, ASID);
	queue_setup(&c->tq, 4, ASID);
	cb_wait(&b, 200, 2, 5000);
	cb_write64(&b, DATA_VA, 0x5151);
	cb_submit(c, 3, &b, LOOM_RING_F_COMPLETION, 30);

	sleep_ms(30);
	assert_int_equal(qreg(&c->tq, 3, LOOM_QREG_CQ_PI), 0);
	assert_int_equal(qreg(&c->tq, 3, LOOM_QREG_STATUS), LOOM_QSTATUS_BUSY);
	assert_int_not_equal(data_u64(c, DATA_VA), 0x5151);

	b.n = 0;
	cb_signal(&b, 200, LOOM_SIGNAL_OP_ADD, 1);
	cb_submit(c, 4, &b, LOOM_RING_F_COMPLETION, 40);
	ce = cq_wait(&c->tq, 4, 0);
	assert_int_equal(ce.status, 0);
	sleep_ms(20);
	assert_int_equal(qreg(&c->tq, 3, LOOM_QREG_CQ_PI), 0);	/* 1 < 2: still waiting */

	cb_submit(c, 4, &b, LOOM_RING_F_COMPLETION, 41);
	ce = cq_wait(&c->tq, 3, 0);
	assert_int_equal(ce.status, 0);
	assert_int_equal(ce.tag, 30);
	assert_int_equal(data_u64(c, DATA_VA), 0x5151);
	assert_true(qreg_wait(&c->tq, 3, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE, WAIT_MS));
}

/* write64-timestamp: both write 64-bit values through the MMU. */
static void test_write64_timestamp(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };
	uint64_t t0, t1, ts;

	queue_setup(&c->tq, 5, ASID);
	*pa_u64(c, DATA_VA + 0x100) = 0;
	*pa_u64(c, MAP_SMALL_VA + 0x3008) = 0;
	t0 = loom_dev_time_ns(c->dev);
	cb_write64(&b, DATA_VA + 0x100, 0x0123456789abcdefULL);
	cb_write64(&b, MAP_SMALL_VA + 0x3008, 42);	/* a 4 KiB page */
	cb_timestamp(&b, DATA_VA + 0x108);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 5);
	ce = cq_wait(&c->tq, 5, 0);
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
	ce = cq_wait(&c->tq, 5, 1);
	assert_int_equal(ce.status, LOOM_ERR_BAD_ARG);
	assert_int_equal(data_u64(c, DATA_VA + 0x200), 0);
	queue_recover(&c->tq, 5);

	/* Read-only page: PERMISSION; unmapped: PAGE_FAULT, with the fault registers. */
	b.n = 0;
	cb_nop(&b);
	cb_write64(&b, RO_VA + 8, 1);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 7);
	ce = cq_wait(&c->tq, 5, 2);
	assert_int_equal(ce.status, LOOM_ERR_PERMISSION);
	assert_int_equal(ce.err_offset, 8);
	assert_halted(c, 5, LOOM_ERR_PERMISSION, 8);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_CAUSE), LOOM_FAULT_WRITE);
	assert_int_equal(data_u64(c, RO_VA + 8), 0);
	queue_recover(&c->tq, 5);

	b.n = 0;
	cb_timestamp(&b, UNMAPPED_VA);
	cb_submit(c, 5, &b, LOOM_RING_F_COMPLETION, 8);
	ce = cq_wait(&c->tq, 5, 3);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_MMU_FAULT_VA_LO), UNMAPPED_VA);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MMU_FAULT_CAUSE), LOOM_FAULT_NOT_PRESENT);
	queue_recover(&c->tq, 5);
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

	queue_setup(&c->tq, 6, ASID);
	for (uint32_t i = 0; i < size / 4; i++)
		s[i] = i * 2654435761U;
	memset(d, 0, size + 8);
	cb_dma(&b, 0, src, dst, size);
	cb_dma(&b, LOOM_DMA_F_MEMSET, 0xa5a5a5a5U, dst + size, 8);
	cb_submit(c, 6, &b, LOOM_RING_F_COMPLETION, 6);
	ce = cq_wait(&c->tq, 6, 0);
	assert_int_equal(ce.status, 0);
	assert_memory_equal(s, d, size);
	assert_int_equal(d[size / 4], 0xa5a5a5a5U);
	assert_int_equal(d[size / 4 + 1], 0xa5a5a5a5U);
	/* The context's busy counters: its DMA and CP worked, nothing else did. */
	assert_true(loom_reg_read64(c->dev, LOOM_REG_ASID_BUSY(ASID, LOOM_ENGINE_DMA)) > 0);
	assert_true(loom_reg_read64(c->dev, LOOM_REG_ASID_BUSY(ASID, LOOM_ENGINE_CP)) > 0);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_ASID_BUSY(ASID, LOOM_ENGINE_MME)), 0);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_ASID_BUSY(ASID + 1, LOOM_ENGINE_DMA)), 0);

	/* Copy from an unmapped VA: PAGE_FAULT at the DMA packet. */
	b.n = 0;
	cb_nop(&b);
	cb_dma(&b, 0, UNMAPPED_VA, dst, 4096);
	cb_submit(c, 6, &b, LOOM_RING_F_COMPLETION, 7);
	ce = cq_wait(&c->tq, 6, 1);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	assert_int_equal(ce.err_offset, 8);
	queue_recover(&c->tq, 6);
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

	queue_setup(&c->tq, 7, ASID);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct loom_cq_entry ce;

		b.n = 0;
		cb_nop(&b);
		cb_signal(&b, 300, LOOM_SIGNAL_OP_ADD, 1);
		cb_raw(&b, bad[i].w, bad[i].n * 4);
		if (strcmp(bad[i].what, "truncated"))
			cb_signal(&b, 301, LOOM_SIGNAL_OP_ADD, 1);	/* never runs */
		cb_submit(c, 7, &b, 0, 700 + i);
		ce = cq_wait(&c->tq, 7, n++);
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
		assert_int_equal(qreg(&c->tq, 7, LOOM_QREG_CQ_PI), n);
		assert_int_equal(loom_sob_read(c->dev, 302), 0);
		queue_recover(&c->tq, 7);
		assert_int_equal(loom_sob_read(c->dev, 302), 0);	/* dropped */
	}

	/* LIN_DMA flags outside LOOM_DMA_F_*: BAD_PACKET. */
	b.n = 0;
	cb_dma(&b, 2, DATA_VA, DATA_VA + 4096, 64);
	cb_submit(c, 7, &b, 0, 800);
	assert_int_equal(cq_wait(&c->tq, 7, n++).status, LOOM_ERR_BAD_PACKET);
	queue_recover(&c->tq, 7);

	/* After all that the queue works normally. */
	b.n = 0;
	cb_nop(&b);
	cb_submit(c, 7, &b, LOOM_RING_F_COMPLETION, 900);
	assert_int_equal(cq_wait(&c->tq, 7, n).status, 0);
	assert_int_equal(qreg(&c->tq, 7, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
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

	queue_setup(&c->tq, 8, ASID);
	cb_nop(&b);
	memcpy(c->dev->dram + CB_VA(8), b.w, 8);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct loom_ring_entry e = bad[i];
		struct loom_cq_entry ce;

		e.tag = 50 + i;
		submit_entry(&c->tq, 8, &e);
		ce = cq_wait(&c->tq, 8, n++);
		assert_int_equal(ce.status, LOOM_ERR_BAD_CB);
		assert_int_equal(ce.tag, 50 + i);
		assert_halted(c, 8, LOOM_ERR_BAD_CB, 0);
		queue_recover(&c->tq, 8);
	}

	/* A misconfigured ring (size not a power of two): halted, nothing consumed. */
	qreg_set(&c->tq, 8, LOOM_QREG_RING_SIZE, 3);
	submit(c, 8, CB_VA(8), 8, LOOM_RING_F_COMPLETION, 60);
	assert_true(qreg_wait(&c->tq, 8, LOOM_QREG_STATUS,
			      LOOM_QSTATUS_HALTED | (LOOM_ERR_BAD_CB << 8), WAIT_MS));
	assert_int_equal(qreg(&c->tq, 8, LOOM_QREG_RING_CI), c->tq.pi[8] - 1);
	qreg_set(&c->tq, 8, LOOM_QREG_RING_SIZE, TQ_RING_N);
	queue_recover(&c->tq, 8);

	/* Ring base outside DRAM. */
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(8, LOOM_QREG_RING_BASE_LO), TEST_DRAM);
	qreg_set(&c->tq, 8, LOOM_QREG_RING_PI, ++c->tq.pi[8]);
	doorbell(&c->tq, 8);
	assert_true(qreg_wait(&c->tq, 8, LOOM_QREG_STATUS,
			      LOOM_QSTATUS_HALTED | (LOOM_ERR_BAD_CB << 8), WAIT_MS));
	loom_reg_write64(c->dev, LOOM_REG_QUEUE(8, LOOM_QREG_RING_BASE_LO), RING_PA(8));
	queue_recover(&c->tq, 8);

	/* Completion asked for but the CQ size is not a power of two: BAD_CB. */
	qreg_set(&c->tq, 8, LOOM_QREG_CQ_SIZE, 6);
	submit(c, 8, CB_VA(8), 8, LOOM_RING_F_COMPLETION, 61);
	assert_true(qreg_wait(&c->tq, 8, LOOM_QREG_STATUS,
			      LOOM_QSTATUS_HALTED | (LOOM_ERR_BAD_CB << 8), WAIT_MS));
	qreg_set(&c->tq, 8, LOOM_QREG_CQ_SIZE, TQ_CQ_N);
	queue_recover(&c->tq, 8);

	submit(c, 8, CB_VA(8), 8, LOOM_RING_F_COMPLETION, 62);
	assert_int_equal(cq_wait(&c->tq, 8, n).status, 0);
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

	queue_setup(&c->tq, 9, ASID);
	submit(c, 9, UNMAPPED_VA, 64, 0, 90);
	ce = cq_wait(&c->tq, 9, 0);
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
	queue_recover(&c->tq, 9);

	/* A CB that runs off the end of the mapping faults too. */
	submit(c, 9, MAP_SMALL_VA + MAP_SMALL_SIZE - 8, 16, 0, 91);
	ce = cq_wait(&c->tq, 9, 1);
	assert_int_equal(ce.status, LOOM_ERR_PAGE_FAULT);
	queue_recover(&c->tq, 9);
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

	queue_setup(&c->tq, 10, ASID);
	cb_nop(&b);
	cb_wait(&b, 400, 1, 60);
	cb_signal(&b, 401, LOOM_SIGNAL_OP_ADD, 1);
	t0 = loom_now_ns();
	cb_submit(c, 10, &b, 0, 100);
	ce = cq_wait(&c->tq, 10, 0);
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
	queue_recover(&c->tq, 10);

	/* timeout_ms 0: the device's QUEUE_TIMEOUT_MS applies. */
	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 40);
	b.n = 0;
	cb_wait(&b, 400, 1, 0);
	t0 = loom_now_ns();
	cb_submit(c, 10, &b, 0, 101);
	ce = cq_wait(&c->tq, 10, 1);
	dt = loom_now_ns() - t0;
	assert_int_equal(ce.status, LOOM_ERR_TIMEOUT);
	assert_true(dt >= 40ULL * 1000000 && dt < 3000ULL * 1000000);
	queue_recover(&c->tq, 10);

	/* WAIT on a SOB that does not exist: BAD_ARG. */
	b.n = 0;
	cb_wait(&b, LOOM_NUM_SOBS, 0, 0);
	cb_submit(c, 10, &b, 0, 102);
	assert_int_equal(cq_wait(&c->tq, 10, 2).status, LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 10);
}

/* stop: STOP halts the queue with STOPPED; later packets do not run. */
static void test_stop(void **state)
{
	struct ctx *c = *state;
	struct loom_pkt_stop stop = { .header = LOOM_PKT_HDR(LOOM_PKT_STOP, 0, 2) };
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	queue_setup(&c->tq, 11, ASID);
	*pa_u64(c, DATA_VA + 0x300) = 0;
	cb_nop(&b);
	cb_raw(&b, &stop, sizeof(stop));
	cb_write64(&b, DATA_VA + 0x300, 1);
	cb_submit(c, 11, &b, 0, 110);
	ce = cq_wait(&c->tq, 11, 0);
	assert_int_equal(ce.status, LOOM_ERR_STOPPED);
	assert_int_equal(ce.err_offset, 8);
	assert_halted(c, 11, LOOM_ERR_STOPPED, 8);
	assert_int_equal(data_u64(c, DATA_VA + 0x300), 0);
	queue_recover(&c->tq, 11);
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

	queue_setup(&c->tq, 12, ASID);
	cb_raw(&b, &tpc, sizeof(tpc));
	cb_submit(c, 12, &b, 0, 120);
	assert_int_equal(cq_wait(&c->tq, 12, 0).status, LOOM_ERR_BAD_ARG);
	assert_halted(c, 12, LOOM_ERR_BAD_ARG, 0);
	queue_recover(&c->tq, 12);

	b.n = 0;
	tpc.code_size = 8;
	tpc.flags = 1;
	cb_raw(&b, &tpc, sizeof(tpc));
	cb_submit(c, 12, &b, 0, 121);
	assert_int_equal(cq_wait(&c->tq, 12, 1).status, LOOM_ERR_BAD_PACKET);
	queue_recover(&c->tq, 12);

	b.n = 0;
	cb_raw(&b, old, sizeof(old));
	cb_submit(c, 12, &b, 0, 122);
	assert_int_equal(cq_wait(&c->tq, 12, 2).status, LOOM_ERR_BAD_PACKET);
	queue_recover(&c->tq, 12);
}

/* bad-asid: a queue whose context is not enabled (or is 0) fails with BAD_ASID. */
static void test_bad_asid(void **state)
{
	struct ctx *c = *state;
	struct cb b = { 0 };

	cb_nop(&b);
	queue_setup(&c->tq, 13, 2);			/* ASID 2: never enabled */
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 130);
	assert_int_equal(cq_wait(&c->tq, 13, 0).status, LOOM_ERR_BAD_ASID);
	assert_halted(c, 13, LOOM_ERR_BAD_ASID, 0);
	queue_recover(&c->tq, 13);

	qreg_set(&c->tq, 13, LOOM_QREG_ASID, 0);
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 131);
	assert_int_equal(cq_wait(&c->tq, 13, 1).status, LOOM_ERR_BAD_ASID);
	queue_recover(&c->tq, 13);

	qreg_set(&c->tq, 13, LOOM_QREG_ASID, LOOM_NUM_ASIDS);
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 132);
	assert_int_equal(cq_wait(&c->tq, 13, 2).status, LOOM_ERR_BAD_ASID);
	queue_recover(&c->tq, 13);

	qreg_set(&c->tq, 13, LOOM_QREG_ASID, ASID);
	cb_submit(c, 13, &b, LOOM_RING_F_COMPLETION, 133);
	assert_int_equal(cq_wait(&c->tq, 13, 3).status, 0);
}

/* ---- tests: resets ----------------------------------------------------------- */

/* qctrl-reset-during-wait: QCTRL_RESET ends a blocked WAIT with ABORTED. */
static void test_reset_during_wait(void **state)
{
	struct ctx *c = *state;
	struct loom_cq_entry ce;
	struct cb b = { 0 };

	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);	/* no watchdog */
	queue_setup(&c->tq, 14, ASID);
	cb_wait(&b, 500, 1, 0);
	cb_submit(c, 14, &b, LOOM_RING_F_COMPLETION, 140);
	cb_submit(c, 14, &b, LOOM_RING_F_COMPLETION, 141);	/* pending behind it */
	sleep_ms(20);
	assert_int_equal(qreg(&c->tq, 14, LOOM_QREG_STATUS), LOOM_QSTATUS_BUSY);

	queue_recover(&c->tq, 14);
	ce = cq_wait(&c->tq, 14, 0);
	assert_int_equal(ce.status, LOOM_ERR_ABORTED);
	assert_int_equal(ce.tag, 140);
	sleep_ms(10);
	assert_int_equal(qreg(&c->tq, 14, LOOM_QREG_CQ_PI), 1);	/* 141 was dropped */
	assert_int_equal(qreg(&c->tq, 14, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);

	b.n = 0;
	cb_nop(&b);
	cb_submit(c, 14, &b, LOOM_RING_F_COMPLETION, 142);
	assert_int_equal(cq_wait(&c->tq, 14, 1).status, 0);
}

/* reset-queue: loom_qman_reset_queue stops a queue stuck in a WAIT and clears it. */
static void test_reset_queue(void **state)
{
	struct ctx *c = *state;
	struct cb b = { 0 };
	uint64_t t0;

	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);
	queue_setup(&c->tq, 15, ASID);
	cb_wait(&b, 501, 1, 0);
	cb_submit(c, 15, &b, LOOM_RING_F_COMPLETION, 150);
	sleep_ms(20);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_STATUS), LOOM_QSTATUS_BUSY);

	t0 = loom_now_ns();
	loom_qman_reset_queue(c->dev, 15);
	assert_true(loom_now_ns() - t0 < 2000ULL * 1000000);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_CTRL), 0);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_RING_SIZE), 0);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_RING_PI), 0);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_RING_CI), 0);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_CQ_PI), 0);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_QUEUE(15, LOOM_QREG_CQ_BASE_LO)), 0);

	/* Nothing more happens on it, even when signalled; it can be set up again. */
	loom_sob_update(c->dev, 501, LOOM_SIGNAL_OP_ADD, 1);
	sleep_ms(10);
	assert_int_equal(qreg(&c->tq, 15, LOOM_QREG_CQ_PI), 0);
	queue_setup(&c->tq, 15, ASID);
	b.n = 0;
	cb_nop(&b);
	cb_submit(c, 15, &b, LOOM_RING_F_COMPLETION, 151);
	assert_int_equal(cq_wait(&c->tq, 15, 0).tag, 151);

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
	queue_setup(&c->tq, 16, ASID);
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
	assert_int_equal(qreg(&c->tq, 16, LOOM_QREG_CTRL), 0);
	assert_int_equal(qreg(&c->tq, 16, LOOM_QREG_STATUS), LOOM_QSTATUS_IDLE);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MAGIC), LOOM_MAGIC);

	/* The device works again once the driver sets things up again. */
	loom_reg_write64(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_PGD_LO), c->pt.root);
	loom_reg_write(c->dev, LOOM_REG_ASID(ASID, LOOM_AREG_CTRL), 1);
	queue_setup(&c->tq, 16, ASID);
	b.n = 0;
	cb_signal(&b, 601, LOOM_SIGNAL_OP_ADD, 1);
	cb_submit(c, 16, &b, LOOM_RING_F_COMPLETION, 161);
	assert_int_equal(cq_wait(&c->tq, 16, 0).status, 0);
	assert_int_equal(loom_sob_read(c->dev, 601), 1);

	/* The firmware path: DEV_CTRL_RESET + firmware doorbell. */
	loom_reg_write(c->dev, LOOM_REG_DEV_CTRL, LOOM_DEV_CTRL_RESET);
	doorbell(&c->tq, LOOM_DOORBELL_FW);
	{
		uint64_t end = loom_now_ns() + WAIT_MS * 1000000ULL;

		while (loom_reg_read(c->dev, LOOM_REG_RESET_COUNT) != count + 2 &&
		       loom_now_ns() < end)
			usleep(200);
	}
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_RESET_COUNT), count + 2);
	assert_int_equal(loom_sob_read(c->dev, 601), 0);
}

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
	};

	return cmocka_run_group_tests_name("test_cp", tests, NULL, NULL);
}
