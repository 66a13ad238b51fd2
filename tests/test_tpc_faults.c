// SPDX-License-Identifier: MIT
/*
 * Tests of bad TPC kernels and launches, through the fixture of
 * tests/loom_test_tpc.h: illegal instructions, a runaway kernel stopped
 * by the watchdog or a queue reset, page faults, stores into read-only
 * memory and bad launch fields. Each must fail with the right error (and
 * event) within a bounded time while the device keeps serving other
 * queues.
 */
#include "loom_test_tpc.h"

/* ---- bad kernels ------------------------------------------------------------------------ */

/*
 * tpc-illegal: an undefined opcode, a bad type, a non-zero unused field, a
 * write to p0, a branch out of the code and running off the end fail with
 * TPC_ILLEGAL, an event and the error registers; an illegal word that is
 * never reached is harmless; the next launch on another queue works.
 */
static void test_illegal(void **state)
{
	static const uint64_t bad[] = {
		0xff,							/* opcode 0xff */
		LOOM_TPC_INSN(LOOM_TPC_OP_VEXP, LOOM_TPC_DT_I32, 0, 1, 2, 0, 0, 0),
		LOOM_TPC_INSN(LOOM_TPC_OP_HALT, 0, 0, 1, 0, 0, 0, 0),	/* d unused */
		LOOM_TPC_INSN(LOOM_TPC_OP_CMPEQ, LOOM_TPC_DT_I32, 0, 0, 1, 2, 0, 0),
		LOOM_TPC_INSN(LOOM_TPC_OP_BR, 0, 0, 0, 0, 0, 0, 0) | LOOM_TPC_ENC_IMM(-10),
		LOOM_TPC_INSN(LOOM_TPC_OP_MOVSR, 0, 0, 1, 0, 0, 0, 0) | LOOM_TPC_ENC_IMM(5),
		LOOM_TPC_INSN(LOOM_TPC_OP_VCVT, LOOM_TPC_DT_BF16, 0, 1, 2, 0, 0, 0) |
			LOOM_TPC_ENC_CVT(LOOM_TPC_DT_I32, 0, 0),
		LOOM_TPC_INSN(LOOM_TPC_OP_NOP, 0, 0, 0, 0, 0, 0, 0),	/* runs off the end */
	};
	struct ctx *c = *state;
	struct largs a = { .index = { 1 } };
	struct kern k;
	uint64_t addr;

	queue_setup(&c->tq, 10, ASID);
	queue_setup(&c->tq, 11, ASID);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t count = loom_reg_read(c->dev, LOOM_REG_TPC_ERR_COUNT);

		k.n = 0;
		K(&k, e(OP(NOP), 0, 0, 0, 0, 0));
		K(&k, bad[i]);
		assert_int_equal(run(c, 10, &k, &a), LOOM_ERR_TPC_ILLEGAL);
		assert_true(event_seen(c, LOOM_EVENT_QUEUE_ERROR, LOOM_ERR_TPC_ILLEGAL, 10, &addr));
		assert_int_equal(addr, CB_VA(10));
		assert_int_equal(loom_reg_read(c->dev, LOOM_REG_TPC_ERR_COUNT), count + 1);
		assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_TPC_ERR_VA_LO),
				 CODE_VA + 10 * 0x8000 + (i == 7 ? 16 : 8));
		assert_int_equal(loom_reg_read(c->dev, LOOM_REG_TPC_ERR_ASID), ASID);
		queue_recover(&c->tq, 10);

		/* The device serves the next launch. */
		k.n = 0;
		K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
		K(&k, bad[i]);		/* after halt: never executed */
		assert_int_equal(run(c, 11, &k, &a), 0);
	}
}

/*
 * tpc-timeout: an endless loop on every core fails with TPC_TIMEOUT after
 * the packet's watchdog, within a bounded time; a queue reset stops one
 * without a watchdog; the device keeps serving other queues.
 */
static void test_timeout(void **state)
{
	struct ctx *c = *state;
	struct largs a = { .index = { 64 }, .timeout_ms = 200 };
	struct largs ok = { .index = { 1 } };
	struct kern k = { .n = 0 }, h = { .n = 0 };
	uint64_t t0;

	K(&k, e(OP(NOP), 0, 0, 0, 0, 0));
	K(&k, ea(OP(BR), 0, 0, 0, (uint32_t)-1));
	K(&h, e(OP(HALT), 0, 0, 0, 0, 0));
	queue_setup(&c->tq, 12, ASID);
	queue_setup(&c->tq, 13, ASID);
	t0 = loom_now_ns();
	assert_int_equal(run(c, 12, &k, &a), LOOM_ERR_TPC_TIMEOUT);
	assert_true(loom_now_ns() - t0 >= 200000000ULL);
	assert_true(loom_now_ns() - t0 < 3000000000ULL);
	assert_true(event_seen(c, LOOM_EVENT_QUEUE_ERROR, LOOM_ERR_TPC_TIMEOUT, 12, NULL));
	assert_int_equal(run(c, 13, &h, &ok), 0);
	queue_recover(&c->tq, 12);

	/* No watchdog at all: a queue reset aborts it. */
	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);
	a.timeout_ms = 0;
	launch_submit(c, 12, &k, &a);
	/* Busy once the engine has fetched the launch (late on a loaded host). */
	assert_true(qstate_wait(&c->tq, 12, LOOM_QSTATUS_BUSY, WAIT_MS));
	usleep(100000);
	assert_int_equal(LOOM_QSTATUS_STATE(qreg(&c->tq, 12, LOOM_QREG_STATUS)), LOOM_QSTATUS_BUSY);
	t0 = loom_now_ns();
	qreg_set(&c->tq, 12, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE | LOOM_QCTRL_RESET);
	doorbell(&c->tq, 12);
	assert_int_equal(launch_wait(c, 12), LOOM_ERR_ABORTED);
	assert_true(loom_now_ns() - t0 < 2000000000ULL);
	assert_true(qreg_wait(&c->tq, 12, LOOM_QREG_CTRL, LOOM_QCTRL_ENABLE, WAIT_MS));
	loom_reg_write(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS, 10000);
	assert_int_equal(run(c, 13, &h, &ok), 0);
	assert_int_equal(run(c, 12, &h, &ok), 0);
}

/*
 * tpc-faults: code, descriptors or tensor data in unmapped memory fail
 * with PAGE_FAULT and a page-fault event naming the VA; a store into a
 * read-only tensor fails with PERMISSION; bad launch fields with BAD_ARG.
 */
static void test_faults(void **state)
{
	struct ctx *c = *state;
	struct loom_tpc_tensor t[1] = { td1(UNMAPPED_VA, DT(F32), 64) };
	struct largs a = { .t = t, .nt = 1, .index = { 1 } };
	struct kern k = { .n = 0 };
	struct loom_pkt_tpc_launch *p;
	uint64_t addr;

	queue_setup(&c->tq, 14, ASID);
	K(&k, e(OP(LDT), DT(F32), 0, 0, 0, 0));
	K(&k, e(OP(STT), DT(F32), 0, 0, 0, 0));
	K(&k, e(OP(HALT), 0, 0, 0, 0, 0));
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_PAGE_FAULT);
	assert_true(event_seen(c, LOOM_EVENT_PAGE_FAULT, LOOM_FAULT_NOT_PRESENT, 14, &addr));
	assert_int_equal(addr, UNMAPPED_VA);
	queue_recover(&c->tq, 14);

	t[0] = td1(RO_VA, DT(F32), 64);
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_PERMISSION);
	assert_true(event_seen(c, LOOM_EVENT_PAGE_FAULT, LOOM_FAULT_WRITE, 14, &addr));
	assert_int_equal(addr, RO_VA);
	queue_recover(&c->tq, 14);

	/* Bad descriptors. */
	t[0] = td1(DATA_VA + 2, DT(F32), 64);		/* misaligned */
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);
	t[0] = td1(DATA_VA, 9, 64);			/* dtype */
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);
	t[0] = td1(DATA_VA, DT(F32), 0);		/* empty dimension */
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);
	t[0] = td1(DATA_VA, DT(F32), 64);
	t[0].stride[3] = 1;				/* beyond ndims */
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);
	t[0] = td1(0xffffffff0000ULL, DT(F32), 1U << 30);	/* past the VA space */
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);

	/* Code that is not mapped. */
	t[0] = td1(DATA_VA, DT(F32), 64);
	launch_submit(c, 14, &k, &a);
	assert_int_equal(launch_wait(c, 14), 0);
	p = mem(c, CB_VA(14));
	p->code = UNMAPPED_VA;
	submit_entry(&c->tq, 14, &(struct loom_ring_entry){ .cb_addr = CB_VA(14),
							    .cb_size = sizeof(*p),
							    .flags = LOOM_RING_F_COMPLETION });
	assert_int_equal(launch_wait(c, 14), LOOM_ERR_PAGE_FAULT);
	queue_recover(&c->tq, 14);

	/* Launch fields: part_dim 5, slm too large. */
	a.part_dim = 5;
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);
	a.part_dim = 0;
	a.slm = LOOM_TPC_SLM_SIZE + 4;
	assert_int_equal(run(c, 14, &k, &a), LOOM_ERR_BAD_ARG);
	queue_recover(&c->tq, 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_illegal),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_faults),
	};

	return cmocka_run_group_tests_name("tpc-faults", tests, tpc_setup, tpc_teardown);
}
