// SPDX-License-Identifier: MIT
/*
 * Unit tests of the sync manager (device/loom_sync.c): SOB updates and
 * their wrap-around comparison, WAITs (satisfied, timed out, aborted),
 * monitors firing at arm time and on a later update (payload write and
 * interrupt), and the register range WREG32 may touch.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "device/loom_device.h"

#define TEST_DRAM	(64ULL << 20)
#define PAYLOAD_PA	0x100000ULL	/* DRAM scratch word for monitor payloads */

static int setup(void **state)
{
	struct loom_dev_config cfg = { .dram_size = TEST_DRAM };
	struct loom_dev *dev;

	if (loom_dev_create(&cfg, &dev))
		return -1;
	*state = dev;
	return 0;
}

static int teardown(void **state)
{
	loom_dev_destroy(*state);
	return 0;
}

static uint32_t payload_word(struct loom_dev *dev)
{
	return __atomic_load_n((uint32_t *)(dev->dram + PAYLOAD_PA), __ATOMIC_ACQUIRE);
}

/* Program monitor m through WREG32 (everything but ARM). */
static void mon_setup(struct loom_dev *dev, uint32_t m, uint32_t sob, uint32_t target,
		      uint64_t pa, uint32_t payload, uint32_t irq)
{
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_SOB), sob), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_TARGET), target), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_PAYLOAD_ADDR_LO),
					(uint32_t)pa), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_PAYLOAD_ADDR_HI),
					(uint32_t)(pa >> 32)), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_PAYLOAD), payload), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_IRQ), irq), 0);
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* sob-add-set: ADD accumulates, SET overwrites, bad arguments are refused. */
static void test_sob_add_set(void **state)
{
	struct loom_dev *dev = *state;

	assert_int_equal(loom_sob_read(dev, 7), 0);
	assert_int_equal(loom_sob_update(dev, 7, LOOM_SIGNAL_OP_ADD, 3), LOOM_ERR_NONE);
	assert_int_equal(loom_sob_update(dev, 7, LOOM_SIGNAL_OP_ADD, 4), LOOM_ERR_NONE);
	assert_int_equal(loom_sob_read(dev, 7), 7);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_SOB(7)), 7);
	assert_int_equal(loom_sob_update(dev, 7, LOOM_SIGNAL_OP_SET, 100), LOOM_ERR_NONE);
	assert_int_equal(loom_sob_read(dev, 7), 100);
	assert_int_equal(loom_sob_update(dev, LOOM_NUM_SOBS, LOOM_SIGNAL_OP_ADD, 1),
			 LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_sob_update(dev, 7, 2, 1), LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_sob_read(dev, 7), 100);

	/* WREG32 to a SOB register sets it. */
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_SOB(9), 42), LOOM_ERR_NONE);
	assert_int_equal(loom_sob_read(dev, 9), 42);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_SOB(LOOM_NUM_SOBS - 1), 5), LOOM_ERR_NONE);
	assert_int_equal(loom_sob_read(dev, LOOM_NUM_SOBS - 1), 5);

	loom_sync_reset(dev);
	assert_int_equal(loom_sob_read(dev, 7), 0);
	assert_int_equal(loom_sob_read(dev, 9), 0);
}

/* sob-wrap: the comparison is signed on the difference, so it survives wrap-around. */
static void test_sob_wrap(void **state)
{
	struct loom_dev *dev = *state;

	loom_sob_update(dev, 1, LOOM_SIGNAL_OP_SET, 0xfffffff0U);
	/* 0xfffffff0 - 0x10 is negative as int32: not reached. */
	assert_int_equal(loom_sync_wait(dev, 1, 0x10, 1, NULL), LOOM_ERR_TIMEOUT);
	/* Reached targets "behind" the counter. */
	assert_int_equal(loom_sync_wait(dev, 1, 0xffffffe0U, 1, NULL), LOOM_ERR_NONE);
	loom_sob_update(dev, 1, LOOM_SIGNAL_OP_ADD, 0x20);
	assert_int_equal(loom_sob_read(dev, 1), 0x10);
	assert_int_equal(loom_sync_wait(dev, 1, 0x10, 1, NULL), LOOM_ERR_NONE);
	assert_int_equal(loom_sync_wait(dev, 1, 0xfffffff0U, 1, NULL), LOOM_ERR_NONE);
	assert_int_equal(loom_sync_wait(dev, 1, 0x11, 1, NULL), LOOM_ERR_TIMEOUT);
	loom_sync_reset(dev);
}

struct signaller {
	struct loom_dev *dev;
	uint32_t sob, value;
	unsigned delay_ms;
	atomic_int *abort;
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *signaller_main(void *arg)
{
	struct signaller *s = arg;

	sleep_ms(s->delay_ms);
	if (s->abort) {
		atomic_store(s->abort, 1);
		loom_sync_kick(s->dev);
	} else {
		loom_sob_update(s->dev, s->sob, LOOM_SIGNAL_OP_ADD, s->value);
	}
	return NULL;
}

/* wait-satisfied: a WAIT returns once another thread's signal reaches the target. */
static void test_wait_satisfied(void **state)
{
	struct loom_dev *dev = *state;
	struct signaller s = { .dev = dev, .sob = 3, .value = 2, .delay_ms = 30 };
	pthread_t t;
	uint64_t t0, dt;

	loom_sob_update(dev, 3, LOOM_SIGNAL_OP_SET, 1);
	/* Already satisfied: immediate. */
	assert_int_equal(loom_sync_wait(dev, 3, 1, 0, NULL), LOOM_ERR_NONE);

	assert_int_equal(pthread_create(&t, NULL, signaller_main, &s), 0);
	t0 = loom_now_ns();
	assert_int_equal(loom_sync_wait(dev, 3, 3, 5000, NULL), LOOM_ERR_NONE);
	dt = loom_now_ns() - t0;
	pthread_join(t, NULL);
	assert_int_equal(loom_sob_read(dev, 3), 3);
	assert_true(dt >= 20ULL * 1000000);	/* it did wait for the signal */
	assert_true(dt < 4000ULL * 1000000);

	/* The same with no time limit. */
	loom_sob_update(dev, 3, LOOM_SIGNAL_OP_SET, 0);
	s.value = 10;
	assert_int_equal(pthread_create(&t, NULL, signaller_main, &s), 0);
	assert_int_equal(loom_sync_wait(dev, 3, 10, 0, NULL), LOOM_ERR_NONE);
	pthread_join(t, NULL);
	assert_int_equal(loom_sync_wait(dev, LOOM_NUM_SOBS, 0, 1, NULL), LOOM_ERR_BAD_ARG);
	loom_sync_reset(dev);
}

/* wait-timeout: an unsatisfied WAIT fails with LOOM_ERR_TIMEOUT close to its limit. */
static void test_wait_timeout(void **state)
{
	struct loom_dev *dev = *state;
	uint64_t t0, dt;

	t0 = loom_now_ns();
	assert_int_equal(loom_sync_wait(dev, 5, 1, 50, NULL), LOOM_ERR_TIMEOUT);
	dt = loom_now_ns() - t0;
	assert_true(dt >= 50ULL * 1000000);
	assert_true(dt < 1000ULL * 1000000);
	assert_int_equal(loom_sob_read(dev, 5), 0);
}

/* wait-abort: setting the abort flag and kicking ends a WAIT with LOOM_ERR_ABORTED. */
static void test_wait_abort(void **state)
{
	struct loom_dev *dev = *state;
	atomic_int abort_flag = 0;
	struct signaller s = { .dev = dev, .delay_ms = 30, .abort = &abort_flag };
	pthread_t t;
	uint64_t t0, dt;

	assert_int_equal(pthread_create(&t, NULL, signaller_main, &s), 0);
	t0 = loom_now_ns();
	assert_int_equal(loom_sync_wait(dev, 6, 1, 5000, &abort_flag), LOOM_ERR_ABORTED);
	dt = loom_now_ns() - t0;
	pthread_join(t, NULL);
	assert_true(dt < 2000ULL * 1000000);

	/* Already aborted, with no time limit: immediate. */
	assert_int_equal(loom_sync_wait(dev, 6, 1, 0, &abort_flag), LOOM_ERR_ABORTED);
}

/* monitor-fire-at-arm: a monitor whose condition already holds fires when armed. */
static void test_monitor_at_arm(void **state)
{
	struct loom_dev *dev = *state;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t cnt;

	assert_true(efd >= 0);
	assert_int_equal(loom_dev_set_irq_fd(dev, 2, LOOM_IRQ_MONITOR, efd), 0);
	loom_sob_update(dev, 10, LOOM_SIGNAL_OP_SET, 5);
	__atomic_store_n((uint32_t *)(dev->dram + PAYLOAD_PA), 0, __ATOMIC_RELEASE);

	mon_setup(dev, 4, 10, 5, PAYLOAD_PA, 0xabcd1234U, (1U << 31) | 2);
	assert_false(fd_readable(efd, 0));
	assert_int_equal(payload_word(dev), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(4, LOOM_MREG_ARM), 1), 0);

	assert_int_equal(payload_word(dev), 0xabcd1234U);
	assert_true(fd_readable(efd, 1000));
	assert_int_equal(read(efd, &cnt, sizeof(cnt)), sizeof(cnt));
	assert_int_equal(cnt, 1);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(4, LOOM_MREG_ARM)), 0);

	/* Disarmed: further updates do not fire again. */
	__atomic_store_n((uint32_t *)(dev->dram + PAYLOAD_PA), 0, __ATOMIC_RELEASE);
	loom_sob_update(dev, 10, LOOM_SIGNAL_OP_ADD, 1);
	assert_int_equal(payload_word(dev), 0);
	assert_false(fd_readable(efd, 0));

	loom_dev_set_irq_fd(dev, 2, LOOM_IRQ_MONITOR, -1);
	close(efd);
	loom_sync_reset(dev);
}

/* monitor-fire-on-update: an armed monitor fires on the update that reaches its target. */
static void test_monitor_on_update(void **state)
{
	struct loom_dev *dev = *state;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int efd_other = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t cnt;

	assert_true(efd >= 0 && efd_other >= 0);
	assert_int_equal(loom_dev_set_irq_fd(dev, 3, LOOM_IRQ_MONITOR, efd), 0);
	assert_int_equal(loom_dev_set_irq_fd(dev, 3, LOOM_IRQ_COMPLETION, efd_other), 0);
	__atomic_store_n((uint32_t *)(dev->dram + PAYLOAD_PA), 0, __ATOMIC_RELEASE);

	loom_sob_update(dev, 20, LOOM_SIGNAL_OP_SET, 0xfffffffeU);
	/* target 2 is "ahead" of 0xfffffffe through the wrap. */
	mon_setup(dev, LOOM_NUM_MONITORS - 1, 20, 2, PAYLOAD_PA, 77, (1U << 31) | 3);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(LOOM_NUM_MONITORS - 1,
							  LOOM_MREG_ARM), 1), 0);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(LOOM_NUM_MONITORS - 1, LOOM_MREG_ARM)), 1);
	assert_int_equal(payload_word(dev), 0);

	/* An update of another SOB does nothing; a short one does nothing either. */
	loom_sob_update(dev, 21, LOOM_SIGNAL_OP_ADD, 100);
	loom_sob_update(dev, 20, LOOM_SIGNAL_OP_ADD, 3);	/* 0x00000001 */
	assert_int_equal(payload_word(dev), 0);
	assert_false(fd_readable(efd, 0));

	loom_sob_update(dev, 20, LOOM_SIGNAL_OP_ADD, 1);	/* 2: fire */
	assert_int_equal(payload_word(dev), 77);
	assert_true(fd_readable(efd, 1000));
	assert_int_equal(read(efd, &cnt, sizeof(cnt)), sizeof(cnt));
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(LOOM_NUM_MONITORS - 1, LOOM_MREG_ARM)), 0);
	/* Only the monitor vector was raised. */
	assert_false(fd_readable(efd_other, 0));

	loom_dev_set_irq_fd(dev, 3, LOOM_IRQ_MONITOR, -1);
	loom_dev_set_irq_fd(dev, 3, LOOM_IRQ_COMPLETION, -1);
	close(efd);
	close(efd_other);
	loom_sync_reset(dev);
}

/* monitor-no-irq-bad-pa: without IRQ enable nothing is raised; a bad PA skips the write. */
static void test_monitor_quiet(void **state)
{
	struct loom_dev *dev = *state;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_true(efd >= 0);
	assert_int_equal(loom_dev_set_irq_fd(dev, 1, LOOM_IRQ_MONITOR, efd), 0);
	__atomic_store_n((uint32_t *)(dev->dram + PAYLOAD_PA), 0, __ATOMIC_RELEASE);

	/* IRQ bit 31 clear: payload written, no interrupt. */
	mon_setup(dev, 0, 30, 1, PAYLOAD_PA, 5, 1);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(0, LOOM_MREG_ARM), 1), 0);
	loom_sob_update(dev, 30, LOOM_SIGNAL_OP_ADD, 1);
	assert_int_equal(payload_word(dev), 5);
	assert_false(fd_readable(efd, 50));
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(0, LOOM_MREG_ARM)), 0);

	/* PA beyond DRAM: no write (and no crash), but still fires and disarms. */
	mon_setup(dev, 1, 31, 1, TEST_DRAM - 2, 6, (1U << 31) | 1);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(1, LOOM_MREG_ARM), 1), 0);
	loom_sob_update(dev, 31, LOOM_SIGNAL_OP_ADD, 1);
	assert_true(fd_readable(efd, 1000));
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(1, LOOM_MREG_ARM)), 0);
	assert_int_equal(payload_word(dev), 5);

	/* Disarming by writing 0 to ARM. */
	mon_setup(dev, 2, 32, 1, PAYLOAD_PA, 9, 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(2, LOOM_MREG_ARM), 1), 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(2, LOOM_MREG_ARM), 0), 0);
	loom_sob_update(dev, 32, LOOM_SIGNAL_OP_ADD, 1);
	assert_int_equal(payload_word(dev), 5);

	/* A monitor watching a SOB that does not exist cannot be armed. */
	mon_setup(dev, 3, LOOM_NUM_SOBS, 0, PAYLOAD_PA, 9, 0);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(3, LOOM_MREG_ARM), 1),
			 LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(3, LOOM_MREG_ARM)), 0);

	loom_dev_set_irq_fd(dev, 1, LOOM_IRQ_MONITOR, -1);
	close(efd);
	loom_sync_reset(dev);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MON(2, LOOM_MREG_PAYLOAD)), 0);
}

/* bad-wreg32: WREG32 outside the sync manager, or misaligned, is LOOM_ERR_PRIV. */
static void test_wreg_priv(void **state)
{
	struct loom_dev *dev = *state;
	static const uint32_t bad[] = {
		LOOM_REG_VENDOR_ID, LOOM_REG_DEV_CTRL, LOOM_REG_QUEUE_TIMEOUT_MS,
		LOOM_REG_QUEUE(0, LOOM_QREG_CTRL), LOOM_REG_ASID(1, LOOM_AREG_CTRL),
		LOOM_REG_MMU_INV_ASID, LOOM_REG_SOB_BASE - 4,
		LOOM_REG_MON(LOOM_NUM_MONITORS, 0), LOOM_REG_CH(0, LOOM_CREG_MBOX_CMD),
		LOOM_REG_SOB(1) + 2, LOOM_REG_MON(0, LOOM_MREG_TARGET) + 1,
		0xfffffffcU,
	};
	uint32_t before = loom_reg_read(dev, LOOM_REG_QUEUE_TIMEOUT_MS);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(loom_sync_wreg(dev, bad[i], 1), LOOM_ERR_PRIV);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_QUEUE_TIMEOUT_MS), before);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_ASID(1, LOOM_AREG_CTRL)), 0);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_MAGIC), LOOM_MAGIC);
	/* The edges of the allowed range are accepted. */
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_SOB(0), 1), LOOM_ERR_NONE);
	assert_int_equal(loom_sync_wreg(dev, LOOM_REG_MON(LOOM_NUM_MONITORS - 1,
							  LOOM_MREG_PAYLOAD), 1), LOOM_ERR_NONE);
	loom_sync_reset(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sob_add_set),
		cmocka_unit_test(test_sob_wrap),
		cmocka_unit_test(test_wait_satisfied),
		cmocka_unit_test(test_wait_timeout),
		cmocka_unit_test(test_wait_abort),
		cmocka_unit_test(test_monitor_at_arm),
		cmocka_unit_test(test_monitor_on_update),
		cmocka_unit_test(test_monitor_quiet),
		cmocka_unit_test(test_wreg_priv),
	};

	return cmocka_run_group_tests_name("test_sync", tests, setup, teardown);
}
