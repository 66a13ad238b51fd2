/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the firmware and the power/thermal model.
 *
 * The firmware tests drive a real device exactly as a driver does: event
 * queues in device DRAM, interrupt eventfds, mailbox commands through the
 * channel registers and the firmware doorbell, DEV_CTRL resets. The power
 * model tests feed loom_power_account/loom_power_tick directly with a
 * synthetic clock, on a device whose firmware tick is far away so that the
 * firmware thread never ticks the model behind the test's back.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "device/loom_device.h"

#define DRAM_SIZE	(64ULL << 20)
#define EQ_ENTRIES	64U
#define EQ_PA(ch)	(0x100000ULL + (uint64_t)(ch) * 0x10000ULL)
#define TIMEOUT_MS	3000

#define MS		1000000ULL

struct fw_fixture {
	struct loom_dev *dev;
	int mbox_fd;		/* channel 0 LOOM_IRQ_MAILBOX */
	int event_fd;		/* channel 0 LOOM_IRQ_EVENT */
	uint32_t seq;
};

/* ---- Helpers ------------------------------------------------------------- */

static uint32_t rd(struct loom_dev *dev, uint32_t off)
{
	return loom_reg_read(dev, off);
}

static void wr(struct loom_dev *dev, uint32_t off, uint32_t v)
{
	loom_reg_write(dev, off, v);
}

static void ring_fw(struct loom_dev *dev)
{
	uint64_t one = 1;

	assert_int_equal(write(loom_dev_doorbell_fd(dev, LOOM_DOORBELL_FW), &one, sizeof(one)),
			 sizeof(one));
}

/* Wait for an eventfd to fire and consume it; false on timeout. */
static bool wait_fd(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t v;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return false;
	return read(fd, &v, sizeof(v)) == sizeof(v);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void eq_setup(struct loom_dev *dev, unsigned ch)
{
	memset(loom_dev_bar(dev) + LOOM_DRAM_BAR_OFFSET + EQ_PA(ch), 0,
	       EQ_ENTRIES * sizeof(struct loom_event));
	wr(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_LO), (uint32_t)EQ_PA(ch));
	wr(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_HI), (uint32_t)(EQ_PA(ch) >> 32));
	wr(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_SIZE), EQ_ENTRIES);
}

static const struct loom_event *eq_entry(struct loom_dev *dev, unsigned ch, uint32_t idx)
{
	return (const struct loom_event *)(loom_dev_bar(dev) + LOOM_DRAM_BAR_OFFSET + EQ_PA(ch)) +
	       (idx % EQ_ENTRIES);
}

/* Index of the first event of type in [from, EQ_PI) of channel ch, or -1. */
static long eq_find(struct loom_dev *dev, unsigned ch, uint32_t from, uint32_t type)
{
	uint32_t pi = rd(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_PI));

	for (uint32_t i = from; i != pi; i++)
		if (eq_entry(dev, ch, i)->type == type)
			return i;
	return -1;
}

/* Run a mailbox command on channel ch as a driver does; returns MBOX_RESULT. */
static int mbox(struct fw_fixture *fx, unsigned ch, int irq_fd, uint32_t cmd,
		uint64_t a0, uint64_t a1, void *out, size_t out_size)
{
	struct loom_dev *dev = fx->dev;
	uint32_t seq = ++fx->seq;

	wr(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_CMD), cmd);
	loom_reg_write64(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0), a0);
	loom_reg_write64(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 8), a1);
	loom_reg_write64(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 16), 0);
	loom_reg_write64(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 24), 0);
	wr(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_SEQ), seq);
	wr(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_PENDING);
	ring_fw(dev);

	assert_true(wait_fd(irq_fd, TIMEOUT_MS));
	assert_int_equal(rd(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS)), LOOM_MBOX_DONE);
	assert_int_equal(rd(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_DONE_SEQ)), seq);
	if (out)
		memcpy(out, loom_dev_bar(dev) + LOOM_REG_CH(ch, LOOM_CREG_MBOX_DATA), out_size);
	return (int32_t)rd(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_RESULT));
}

static int mbox0(struct fw_fixture *fx, uint32_t cmd, uint64_t a0, uint64_t a1,
		 void *out, size_t out_size)
{
	return mbox(fx, 0, fx->mbox_fd, cmd, a0, a1, out, out_size);
}

static void enable_asid(struct loom_dev *dev, unsigned asid, unsigned ch)
{
	wr(dev, LOOM_REG_ASID(asid, LOOM_AREG_CHANNEL), ch);
	wr(dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL), 1);
}

static int fw_setup(void **state)
{
	static struct fw_fixture fixture;
	struct fw_fixture *fx = &fixture;
	struct loom_dev_config cfg = { .dram_size = DRAM_SIZE, .fw_tick_ms = 5 };

	memset(fx, 0, sizeof(*fx));
	fx->mbox_fd = fx->event_fd = -1;
	*state = fx;
	if (loom_dev_create(&cfg, &fx->dev))
		return -1;
	fx->mbox_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	fx->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fx->mbox_fd < 0 || fx->event_fd < 0)
		return -1;
	if (loom_dev_set_irq_fd(fx->dev, 0, LOOM_IRQ_MAILBOX, fx->mbox_fd) ||
	    loom_dev_set_irq_fd(fx->dev, 0, LOOM_IRQ_EVENT, fx->event_fd))
		return -1;
	eq_setup(fx->dev, 0);
	return 0;
}

static int fw_teardown(void **state)
{
	struct fw_fixture *fx = *state;

	loom_dev_destroy(fx->dev);
	if (fx->mbox_fd >= 0)
		close(fx->mbox_fd);
	if (fx->event_fd >= 0)
		close(fx->event_fd);
	return 0;
}

/* ---- Firmware through the registers -------------------------------------- */

/* get-info: GET_INFO returns the version, the power budget and the build. */
static void test_get_info(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_fw_info info;

	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_INFO, 0, 0, &info, sizeof(info)), 0);
	assert_int_equal(info.fw_version, LOOM_FW_VERSION_MAJOR << 16 | LOOM_FW_VERSION_MINOR);
	assert_int_equal(info.power_default_mw, 350000);
	assert_int_equal(info.power_min_mw, 150000);
	assert_int_equal(info.power_max_mw, 450000);
	assert_int_equal(info.power_idle_mw, 60000);
	assert_int_equal(info.temp_limit_mc, 95000);
	assert_int_equal(info.temp_ambient_mc, 30000);
	assert_int_equal(info.clock_max_mhz[LOOM_CLOCK_CORE], 1800);
	assert_int_equal(info.clock_max_mhz[LOOM_CLOCK_DMA], 1600);
	assert_int_equal(info.clock_max_mhz[LOOM_CLOCK_HBM], 1000);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(info.reserved[i], 0);
	assert_non_null(memchr(info.build, 0, sizeof(info.build)));
	assert_non_null(strstr(info.build, "loom-fw 1.0"));
}

/* get-telemetry: fields are in range for an idle card that is ticking. */
static void test_get_telemetry(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_fw_telemetry t1, t2;

	sleep_ms(30);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t1, sizeof(t1)), 0);
	/* Wait for at least one more tick (5 ms; more on a loaded host). */
	for (int i = 0; i < TIMEOUT_MS / 10; i++) {
		sleep_ms(10);
		assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t2, sizeof(t2)), 0);
		if (t2.heartbeat != t1.heartbeat)
			break;
	}

	assert_true(t2.timestamp_ns > t1.timestamp_ns);
	assert_true(t2.heartbeat > t1.heartbeat);
	assert_true(t2.energy_mj > t1.energy_mj);
	assert_true(t2.power_mw >= 60000 && t2.power_mw < 450000);
	assert_true(t2.power_peak_mw >= t2.power_mw);
	assert_int_equal(t2.power_limit_mw, 350000);
	assert_int_equal(t2.throttle_reasons, 0);
	for (unsigned i = 0; i < LOOM_FW_NUM_SENSORS; i++)
		assert_true(t2.temp_mc[i] > 30000 && t2.temp_mc[i] < 95000);
	assert_true(t2.temp_peak_mc >= t2.temp_mc[LOOM_SENSOR_DIE]);
	assert_int_equal(t2.clock_mhz[LOOM_CLOCK_CORE], 1800);
	assert_int_equal(t2.clock_mhz[LOOM_CLOCK_DMA], 1600);
	assert_int_equal(t2.clock_mhz[LOOM_CLOCK_HBM], 1000);
	for (unsigned i = 0; i < LOOM_FW_NUM_ENGINES; i++)
		assert_true(t2.util_pct[i] <= 100);
	for (unsigned i = 0; i < LOOM_FW_NUM_THROTTLE; i++)
		assert_int_equal(t2.throttle_total_ns[i], 0);
	assert_int_equal(t2.reserved[0] | t2.reserved[1] | t2.reserved[2] | t2.reserved[3], 0);
}

/* set-power-limit: accepted inside [min, max], 0 restores the default. */
static void test_set_power_limit(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_fw_telemetry t;

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 200000, 0, NULL, 0), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t, sizeof(t)), 0);
	assert_int_equal(t.power_limit_mw, 200000);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 150000, 0, NULL, 0), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 450000, 0, NULL, 0), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 0, 0, NULL, 0), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t, sizeof(t)), 0);
	assert_int_equal(t.power_limit_mw, 350000);
}

/* bad-set-power-limit: out of range and oversized arguments give -EINVAL. */
static void test_bad_set_power_limit(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_fw_telemetry t;

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 149999, 0, NULL, 0), -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 450001, 0, NULL, 0), -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 1ULL << 32 | 200000, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t, sizeof(t)), 0);
	assert_int_equal(t.power_limit_mw, 350000);
}

/* bad-set-temp-limit: limits outside [50, 105] °C give -EINVAL. */
static void test_bad_set_temp_limit(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_fw_info info;

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_TEMP_LIMIT, 49999, 0, NULL, 0), -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_TEMP_LIMIT, 105001, 0, NULL, 0), -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_TEMP_LIMIT, (uint64_t)-60000LL, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_TEMP_LIMIT, 85000, 0, NULL, 0), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_INFO, 0, 0, &info, sizeof(info)), 0);
	assert_int_equal(info.temp_limit_mc, 85000);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_TEMP_LIMIT, 0, 0, NULL, 0), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_INFO, 0, 0, &info, sizeof(info)), 0);
	assert_int_equal(info.temp_limit_mc, 95000);
}

/* bad-command: unknown commands fail with -EOPNOTSUPP, the mailbox still answers. */
static void test_bad_command(void **state)
{
	struct fw_fixture *fx = *state;

	assert_int_equal(mbox0(fx, 0, 0, 0, NULL, 0), -EOPNOTSUPP);
	assert_int_equal(mbox0(fx, 99, 0, 0, NULL, 0), -EOPNOTSUPP);
	assert_int_equal(mbox0(fx, 0xffffffffU, 0, 0, NULL, 0), -EOPNOTSUPP);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_INFO, 0, 0, NULL, 0), 0);
	/* The direct entry point checks its arguments too. */
	assert_int_equal(loom_fw_command(fx->dev, LOOM_NUM_CHANNELS, LOOM_FW_CMD_GET_INFO,
					 NULL, NULL, 0), -EINVAL);
	assert_int_equal(loom_fw_command(fx->dev, 0, LOOM_FW_CMD_GET_INFO, NULL, NULL, 0),
			 -EINVAL);
}

/* inject-event: an ECC event lands in the EQ with an interrupt; counters bump. */
static void test_inject_event(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loom_fw_telemetry t0, t1;
	const struct loom_event *ev;
	uint32_t pi;
	long idx;

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t0, sizeof(t0)), 0);
	wait_fd(fx->event_fd, 0);	/* drop stale interrupts */
	pi = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_CORRECTABLE, 0,
			       NULL, 0), 0);
	assert_true(wait_fd(fx->event_fd, TIMEOUT_MS));
	idx = eq_find(dev, 0, pi, LOOM_EVENT_ECC_CORRECTABLE);
	assert_true(idx >= 0);
	ev = eq_entry(dev, 0, (uint32_t)idx);
	assert_int_equal(ev->asid, LOOM_EVENT_ASID_NONE);
	assert_true(ev->addr < DRAM_SIZE);
	assert_true(ev->timestamp_ns > 0);

	pi = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_UNCORRECTABLE, 0,
			       NULL, 0), 0);
	assert_true(eq_find(dev, 0, pi, LOOM_EVENT_ECC_UNCORRECTABLE) >= 0);

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t1, sizeof(t1)), 0);
	assert_int_equal(t1.ecc_correctable, t0.ecc_correctable + 1);
	assert_int_equal(t1.ecc_uncorrectable, t0.ecc_uncorrectable + 1);
}

/* bad-inject-event: other event types, bad or disabled ASIDs give -EINVAL. */
static void test_bad_inject_event(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_fw_telemetry t0, t1;

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t0, sizeof(t0)), 0);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_PAGE_FAULT, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_RESET, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, 1ULL << 32 | 4, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_CORRECTABLE,
			       LOOM_NUM_ASIDS, NULL, 0), -EINVAL);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_CORRECTABLE,
			       33, NULL, 0), -EINVAL);	/* ASID 33 is not enabled */
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t1, sizeof(t1)), 0);
	assert_int_equal(t1.ecc_correctable, t0.ecc_correctable);
	assert_int_equal(t1.ecc_uncorrectable, t0.ecc_uncorrectable);
}

/* heartbeat: the register, the timestamp and the once-a-second event advance. */
static void test_heartbeat(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	uint32_t hb0 = rd(dev, LOOM_REG_HEARTBEAT), pi = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	uint64_t ts0 = loom_reg_read64(dev, LOOM_REG_TIMESTAMP_LO);
	long idx = -1;

	for (int i = 0; i < 300 && idx < 0; i++) {
		sleep_ms(10);
		idx = eq_find(dev, 0, pi, LOOM_EVENT_HEARTBEAT);
	}
	assert_true(idx >= 0);
	assert_true(eq_entry(dev, 0, (uint32_t)idx)->info > hb0);
	assert_true(rd(dev, LOOM_REG_HEARTBEAT) > hb0 + 10);
	assert_true(loom_reg_read64(dev, LOOM_REG_TIMESTAMP_LO) > ts0);
	assert_true(loom_reg_read64(dev, LOOM_REG_TIMESTAMP_LO) <= loom_dev_time_ns(dev));
}

/* routing: per-ASID events go to the context's channel only, device-wide to all. */
static void test_routing(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	int mbox1 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int ev1 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint32_t pi0, pi1;
	long idx;

	assert_true(mbox1 >= 0 && ev1 >= 0);
	assert_int_equal(loom_dev_set_irq_fd(dev, 1, LOOM_IRQ_MAILBOX, mbox1), 0);
	assert_int_equal(loom_dev_set_irq_fd(dev, 1, LOOM_IRQ_EVENT, ev1), 0);
	eq_setup(dev, 1);
	enable_asid(dev, 5, 1);

	/* Per-ASID, asked for from channel 0: only channel 1 gets it. */
	pi0 = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	pi1 = rd(dev, LOOM_REG_CH(1, LOOM_CREG_EQ_PI));
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_CORRECTABLE, 5,
			       NULL, 0), 0);
	assert_true(wait_fd(ev1, TIMEOUT_MS));
	idx = eq_find(dev, 1, pi1, LOOM_EVENT_ECC_CORRECTABLE);
	assert_true(idx >= 0);
	assert_int_equal(eq_entry(dev, 1, (uint32_t)idx)->asid, 5);
	assert_int_equal(eq_find(dev, 0, pi0, LOOM_EVENT_ECC_CORRECTABLE), -1);

	/* Device-wide, asked for from channel 1: both get it. */
	pi0 = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	pi1 = rd(dev, LOOM_REG_CH(1, LOOM_CREG_EQ_PI));
	assert_int_equal(mbox(fx, 1, mbox1, LOOM_FW_CMD_INJECT_EVENT,
			      LOOM_EVENT_ECC_UNCORRECTABLE, 0, NULL, 0), 0);
	assert_true(eq_find(dev, 0, pi0, LOOM_EVENT_ECC_UNCORRECTABLE) >= 0);
	assert_true(eq_find(dev, 1, pi1, LOOM_EVENT_ECC_UNCORRECTABLE) >= 0);

	/* A disabled context's events reach nobody. */
	wr(dev, LOOM_REG_ASID(5, LOOM_AREG_CTRL), 0);
	pi1 = rd(dev, LOOM_REG_CH(1, LOOM_CREG_EQ_PI));
	loom_fw_post_event(dev, &(struct loom_event){ .type = LOOM_EVENT_HANG, .asid = 5,
						       .queue = 3 });
	assert_int_equal(eq_find(dev, 1, pi1, LOOM_EVENT_HANG), -1);

	wr(dev, LOOM_REG_CH(1, LOOM_CREG_EQ_SIZE), 0);
	loom_dev_set_irq_fd(dev, 1, LOOM_IRQ_MAILBOX, -1);
	loom_dev_set_irq_fd(dev, 1, LOOM_IRQ_EVENT, -1);
	close(mbox1);
	close(ev1);
}

/* eq-lost: events for a channel whose EQ is off or invalid count in EQ_LOST. */
static void test_eq_lost(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	uint32_t lost2 = rd(dev, LOOM_REG_CH(2, LOOM_CREG_EQ_LOST));
	uint32_t lost3 = rd(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_LOST));
	uint32_t lost4 = rd(dev, LOOM_REG_CH(4, LOOM_CREG_EQ_LOST));
	uint32_t pi3;

	/* Channel 2's EQ is off: its context's event is lost. */
	wr(dev, LOOM_REG_CH(2, LOOM_CREG_EQ_SIZE), 0);
	enable_asid(dev, 6, 2);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_CORRECTABLE, 6,
			       NULL, 0), 0);
	assert_int_equal(rd(dev, LOOM_REG_CH(2, LOOM_CREG_EQ_LOST)), lost2 + 1);

	/* Channel 3's EQ points past DRAM; channel 4's size is not a power of two. */
	wr(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_BASE_LO), (uint32_t)DRAM_SIZE);
	wr(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_BASE_HI), 0);
	wr(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_SIZE), 16);
	wr(dev, LOOM_REG_CH(4, LOOM_CREG_EQ_BASE_LO), (uint32_t)EQ_PA(4));
	wr(dev, LOOM_REG_CH(4, LOOM_CREG_EQ_SIZE), 12);
	pi3 = rd(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_PI));
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_INJECT_EVENT, LOOM_EVENT_ECC_CORRECTABLE, 0,
			       NULL, 0), 0);
	assert_true(rd(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_LOST)) >= lost3 + 1);
	assert_true(rd(dev, LOOM_REG_CH(4, LOOM_CREG_EQ_LOST)) >= lost4 + 1);
	assert_int_equal(rd(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_PI)), pi3);
	/* Channel 2 is off, not broken: device-wide events skip it. */
	assert_int_equal(rd(dev, LOOM_REG_CH(2, LOOM_CREG_EQ_LOST)), lost2 + 1);

	wr(dev, LOOM_REG_CH(3, LOOM_CREG_EQ_SIZE), 0);
	wr(dev, LOOM_REG_CH(4, LOOM_CREG_EQ_SIZE), 0);
	wr(dev, LOOM_REG_ASID(6, LOOM_AREG_CTRL), 0);
}

/* eq-wrap: the producer index runs free and the ring wraps. */
static void test_eq_wrap(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	uint32_t pi = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	unsigned n = EQ_ENTRIES + 7, hits = 0;

	for (unsigned i = 0; i < n; i++)
		loom_fw_post_event(dev, &(struct loom_event){ .type = LOOM_EVENT_QUEUE_ERROR,
							       .queue = 1, .info = i });
	assert_true(rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI)) - pi >= n);
	/* The newest EQ_ENTRIES entries hold the last of ours in order. */
	for (uint32_t i = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI)) - EQ_ENTRIES;
	     i != rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI)); i++)
		if (eq_entry(dev, 0, i)->type == LOOM_EVENT_QUEUE_ERROR)
			hits++;
	assert_true(hits >= EQ_ENTRIES - 4);
}

struct poster_arg {
	struct loom_dev *dev;
	unsigned n;
};

static void *poster(void *p)
{
	struct poster_arg *a = p;

	for (unsigned i = 0; i < a->n; i++)
		loom_fw_post_event(a->dev, &(struct loom_event){ .type = LOOM_EVENT_QUEUE_ERROR,
								  .queue = i });
	return NULL;
}

/* post-concurrent: posters on several threads never lose a producer index. */
static void test_post_concurrent(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct poster_arg a = { dev, 2000 };
	pthread_t th[4];
	uint32_t pi0, pi1, lost = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_LOST));

	pi0 = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, poster, &a), 0);
	for (unsigned i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	pi1 = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	assert_true(pi1 - pi0 >= 4 * a.n);
	assert_true(pi1 - pi0 < 4 * a.n + 100);	/* + a few heartbeats */
	assert_int_equal(rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_LOST)), lost);
}

/* dev-reset: DEV_CTRL reset through the FW doorbell counts and posts RESET. */
static void test_dev_reset(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	uint32_t count = rd(dev, LOOM_REG_RESET_COUNT);
	uint32_t pi = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	struct loom_fw_telemetry t;
	long idx = -1;

	enable_asid(dev, 7, 0);
	wr(dev, LOOM_REG_DEV_CTRL, LOOM_DEV_CTRL_RESET);
	ring_fw(dev);
	for (int i = 0; i < TIMEOUT_MS && rd(dev, LOOM_REG_RESET_COUNT) == count; i++)
		sleep_ms(1);
	assert_int_equal(rd(dev, LOOM_REG_RESET_COUNT), count + 1);
	for (int i = 0; i < TIMEOUT_MS && idx < 0; i++) {
		idx = eq_find(dev, 0, pi, LOOM_EVENT_RESET);
		if (idx < 0)
			sleep_ms(1);
	}
	assert_true(idx >= 0);
	assert_int_equal(rd(dev, LOOM_REG_DEV_CTRL) & LOOM_DEV_CTRL_RESET, 0);
	assert_true(rd(dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_READY);
	assert_int_equal(rd(dev, LOOM_REG_ASID(7, LOOM_AREG_CTRL)), 0);
	/* The firmware still answers, and telemetry counts the reset. */
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t, sizeof(t)), 0);
	assert_int_equal(t.reset_count, count + 1);
}

/* several-mailboxes: commands pending on several channels are all served. */
static void test_several_mailboxes(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	int fds[3];

	for (unsigned ch = 5; ch < 8; ch++) {
		fds[ch - 5] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_int_equal(loom_dev_set_irq_fd(dev, ch, LOOM_IRQ_MAILBOX, fds[ch - 5]), 0);
		wr(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_CMD), ch == 6 ? 77 : LOOM_FW_CMD_GET_INFO);
		wr(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_SEQ), 1000 + ch);
		wr(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_PENDING);
	}
	ring_fw(dev);
	for (unsigned ch = 5; ch < 8; ch++) {
		assert_true(wait_fd(fds[ch - 5], TIMEOUT_MS));
		assert_int_equal(rd(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_DONE_SEQ)), 1000 + ch);
		assert_int_equal((int32_t)rd(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_RESULT)),
				 ch == 6 ? -EOPNOTSUPP : 0);
		loom_dev_set_irq_fd(dev, ch, LOOM_IRQ_MAILBOX, -1);
		close(fds[ch - 5]);
	}
}

struct loader {
	struct loom_dev *dev;
	atomic_int stop;
};

/* Keeps the MME and all TPCs saturated in wall-clock time. */
static void *load_thread(void *p)
{
	struct loader *l = p;

	while (!atomic_load(&l->stop)) {
		loom_power_account(l->dev, LOOM_ENGINE_MME, 0, 2 * MS, 0, 0);
		loom_power_account(l->dev, LOOM_ENGINE_TPC, 0, 16 * MS, 0, 0);
		sleep_ms(1);
	}
	return NULL;
}

/* throttle-event: a power limit under load sets THROTTLED and posts events. */
static void test_throttle_event(void **state)
{
	struct fw_fixture *fx = *state;
	struct loom_dev *dev = fx->dev;
	struct loader l = { .dev = dev };
	struct loom_fw_telemetry t;
	uint32_t pi = rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI));
	long on = -1, off = -1;
	pthread_t th;
	int i;

	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 150000, 0, NULL, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, load_thread, &l), 0);
	for (i = 0; i < 300 && !(rd(dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_THROTTLED); i++)
		sleep_ms(10);
	assert_true(rd(dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_THROTTLED);
	/* The clock follows the load tick by tick; a starved loader may lag. */
	for (i = 0; i < 300; i++) {
		assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t, sizeof(t)), 0);
		if (t.clock_mhz[LOOM_CLOCK_CORE] < 1800)
			break;
		sleep_ms(10);
	}
	assert_true(t.throttle_reasons & LOOM_THROTTLE_POWER);
	assert_true(t.clock_mhz[LOOM_CLOCK_CORE] < 1800);
	assert_true(t.power_limit_mw == 150000);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_DMA) == 1.0);
	on = eq_find(dev, 0, pi, LOOM_EVENT_THROTTLE);
	assert_true(on >= 0);
	assert_true(eq_entry(dev, 0, (uint32_t)on)->info & LOOM_THROTTLE_POWER);

	atomic_store(&l.stop, 1);
	pthread_join(th, NULL);
	for (i = 0; i < 500 && (rd(dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_THROTTLED); i++)
		sleep_ms(10);
	assert_false(rd(dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_THROTTLED);
	for (uint32_t j = (uint32_t)on + 1; j != rd(dev, LOOM_REG_CH(0, LOOM_CREG_EQ_PI)); j++)
		if (eq_entry(dev, 0, j)->type == LOOM_EVENT_THROTTLE &&
		    eq_entry(dev, 0, j)->info == 0)
			off = j;
	assert_true(off > on);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_GET_TELEMETRY, 0, 0, &t, sizeof(t)), 0);
	assert_true(t.throttle_total_ns[0] > 0);
	assert_true(t.throttle_end_ns[0] > t.throttle_start_ns[0]);
	assert_int_equal(mbox0(fx, LOOM_FW_CMD_SET_POWER_LIMIT, 0, 0, NULL, 0), 0);
}

/* ---- The power model with a synthetic clock -------------------------------- */

static int model_setup(void **state)
{
	/* The firmware's own tick is 20 minutes away: the test owns the clock. */
	struct loom_dev_config cfg = { .dram_size = DRAM_SIZE, .fw_tick_ms = 1200000 };
	struct loom_dev *dev;

	if (loom_dev_create(&cfg, &dev))
		return -1;
	*state = dev;
	return 0;
}

static int model_teardown(void **state)
{
	loom_dev_destroy(*state);
	return 0;
}

struct model_load {
	double mme, tpc, dma, cp;	/* utilisation, 0..1 */
	uint64_t bytes;			/* per tick */
};

/* Account one tick of load and tick the model at *now + dt. */
static void model_step(struct loom_dev *dev, uint64_t *now, uint64_t dt,
		       const struct model_load *ld, struct loom_fw_telemetry *t)
{
	if (ld) {
		loom_power_account(dev, LOOM_ENGINE_MME, 0, (uint64_t)(ld->mme * dt), 0, 0);
		loom_power_account(dev, LOOM_ENGINE_TPC, 0, (uint64_t)(ld->tpc * dt * LOOM_NUM_TPC),
				   0, 0);
		loom_power_account(dev, LOOM_ENGINE_DMA, 0, (uint64_t)(ld->dma * dt * LOOM_NUM_DMA),
				   0, ld->bytes);
		loom_power_account(dev, LOOM_ENGINE_CP, 0, (uint64_t)(ld->cp * dt), 0, 0);
	}
	*now += dt;
	loom_power_tick(dev, *now);
	loom_power_telemetry(dev, t);
}

/* model-idle: an idle card draws exactly the idle power; energy follows. */
static void test_model_idle(void **state)
{
	struct loom_dev *dev = *state;
	struct loom_fw_telemetry t;
	uint64_t now = 0;

	for (int i = 0; i < 10; i++) {
		model_step(dev, &now, 50 * MS, NULL, &t);
		assert_int_equal(t.power_mw, 60000);
	}
	/* 60 W for 0.5 s. */
	assert_int_equal(t.energy_mj, 30000);
	assert_int_equal(t.timestamp_ns, now);
	assert_int_equal(t.clock_mhz[LOOM_CLOCK_CORE], 1800);
	assert_int_equal(t.throttle_reasons, 0);
	for (unsigned e = 0; e < LOOM_FW_NUM_ENGINES; e++)
		assert_int_equal(t.util_pct[e], 0);
	/* The card starts at its idle steady state: 30 + 60 W * 0.18 K/W. */
	assert_int_equal(t.temp_mc[LOOM_SENSOR_DIE], 40800);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_MME) == 1.0);
	/* A clock that does not advance changes nothing. */
	loom_power_tick(dev, now);
	loom_power_tick(dev, now - 1);
	loom_power_telemetry(dev, &t);
	assert_int_equal(t.energy_mj, 30000);
}

/* model-power-formula: each engine class adds its dynamic power times its use. */
static void test_model_power_formula(void **state)
{
	struct loom_dev *dev = *state;
	struct loom_fw_telemetry t;
	uint64_t now = 0;

	model_step(dev, &now, 50 * MS, &(struct model_load){ .mme = 0.5 }, &t);
	assert_int_equal(t.power_mw, 60000 + 110000);
	assert_int_equal(t.util_pct[LOOM_ENGINE_MME], 50);
	model_step(dev, &now, 50 * MS, &(struct model_load){ .tpc = 0.25 }, &t);
	assert_int_equal(t.power_mw, 60000 + 30000);
	assert_int_equal(t.util_pct[LOOM_ENGINE_TPC], 25);
	model_step(dev, &now, 50 * MS, &(struct model_load){ .dma = 1.0 }, &t);
	assert_int_equal(t.power_mw, 60000 + 25000);
	model_step(dev, &now, 50 * MS, &(struct model_load){ .cp = 1.0 }, &t);
	assert_int_equal(t.power_mw, 60000 + 5000);
	/* 1 GB in 50 ms at 20 pJ/byte = 400 mW. */
	model_step(dev, &now, 50 * MS, &(struct model_load){ .bytes = 1000000000ULL }, &t);
	assert_int_equal(t.power_mw, 60000 + 400);
	assert_int_equal(t.dma_bytes, 1000000000ULL);
	/* Work reported in one lump spreads over the following ticks. */
	loom_power_account(dev, LOOM_ENGINE_MME, 0, 150 * MS, 1000, 0);
	model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.util_pct[LOOM_ENGINE_MME], 100);
	model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.util_pct[LOOM_ENGINE_MME], 100);
	model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.util_pct[LOOM_ENGINE_MME], 100);
	model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.util_pct[LOOM_ENGINE_MME], 0);
	assert_int_equal(t.flops, 1000);
	assert_int_equal(t.busy_ns[LOOM_ENGINE_MME], 25 * MS + 150 * MS);
	/* Unknown engines are ignored. */
	loom_power_account(dev, LOOM_FW_NUM_ENGINES, 0, 50 * MS, 1, 1);
	model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.power_mw, 60000);
}

/* model-monotonic: more MME work means strictly more power and energy. */
static void test_model_monotonic(void **state)
{
	struct loom_dev *dev = *state;
	struct loom_fw_telemetry t;
	uint64_t now = 0, e_prev = 0, e0;
	uint32_t p_prev = 0;

	for (int k = 0; k <= 4; k++) {
		struct model_load ld = { .mme = k / 4.0 };

		loom_power_telemetry(dev, &t);
		e0 = t.energy_mj;
		for (int i = 0; i < 20; i++)
			model_step(dev, &now, 50 * MS, &ld, &t);
		assert_true(t.power_mw > p_prev);
		assert_true(t.energy_mj - e0 > e_prev);
		p_prev = t.power_mw;
		e_prev = t.energy_mj - e0;
	}
	assert_int_equal(p_prev, 280000);
	assert_int_equal(t.power_peak_mw, 280000);
}

/* model-energy-integral: energy is the integral of the reported power. */
static void test_model_energy_integral(void **state)
{
	struct loom_dev *dev = *state;
	struct loom_fw_telemetry t;
	unsigned __int128 sum_pj = 0;
	uint64_t now = 0, dt;
	uint32_t seed = 12345;

	for (int i = 0; i < 500; i++) {
		struct model_load ld;

		seed = seed * 1103515245 + 12345;
		dt = 1 * MS + (seed >> 8) % (97 * MS);
		ld.mme = ((seed >> 4) & 0xff) / 255.0;
		ld.tpc = ((seed >> 12) & 0xff) / 255.0;
		ld.dma = ((seed >> 20) & 0xff) / 255.0;
		ld.cp = (seed & 1) ? 1.0 : 0.0;
		ld.bytes = (seed >> 16) * 1000ULL;
		model_step(dev, &now, dt, &ld, &t);
		sum_pj += (unsigned __int128)t.power_mw * dt;
	}
	assert_int_equal(t.energy_mj, (uint64_t)(sum_pj / 1000000000U));
	/* mJ = W * ns / 1e6, with the power between idle and everything busy. */
	assert_true(t.energy_mj > 60ULL * now / 1000000ULL);
	assert_true(t.energy_mj < 432ULL * now / 1000000ULL);
}

static double die_c(struct loom_dev *dev)
{
	struct loom_fw_telemetry t;

	loom_power_telemetry(dev, &t);
	return t.temp_mc[LOOM_SENSOR_DIE] / 1000.0;
}

/* model-thermal: the die heats toward its steady state with tau = 2 s, then cools. */
static void test_model_thermal(void **state)
{
	struct loom_dev *dev = *state;
	struct model_load full_mme = { .mme = 1.0 };
	struct loom_fw_telemetry t;
	double t0 = die_c(dev), ss = 30.0 + 280.0 * 0.18, expect;
	uint64_t now = 0;
	int i;

	/* One time constant: 63 % of the way. */
	for (i = 0; i < 40; i++)
		model_step(dev, &now, 50 * MS, &full_mme, &t);
	expect = ss + (t0 - ss) * exp(-1.0);
	assert_true(fabs(t.temp_mc[LOOM_SENSOR_DIE] / 1000.0 - expect) < 0.01);
	assert_true(t.temp_mc[LOOM_SENSOR_MME] > 45000);
	/* The board (tau = 20 s) lags the die. */
	assert_true(t.temp_mc[LOOM_SENSOR_BOARD] - 34800 <
		    t.temp_mc[LOOM_SENSOR_DIE] - 40800);

	/* Ten time constants: at the steady state, below the limit: no throttle. */
	for (i = 0; i < 360; i++)
		model_step(dev, &now, 50 * MS, &full_mme, &t);
	assert_true(fabs(t.temp_mc[LOOM_SENSOR_DIE] / 1000.0 - ss) < 0.01);
	assert_true(fabs(t.temp_mc[LOOM_SENSOR_MME] / 1000.0 - (30 + 235 * 0.2)) < 0.01);
	assert_int_equal(t.temp_peak_mc, t.temp_mc[LOOM_SENSOR_DIE]);
	assert_int_equal(t.throttle_reasons, 0);

	/* Idle: back down with the same time constant; the peak stays. */
	t0 = t.temp_mc[LOOM_SENSOR_DIE] / 1000.0;
	ss = 30.0 + 60.0 * 0.18;
	for (i = 0; i < 40; i++)
		model_step(dev, &now, 50 * MS, NULL, &t);
	expect = ss + (t0 - ss) * exp(-1.0);
	assert_true(fabs(t.temp_mc[LOOM_SENSOR_DIE] / 1000.0 - expect) < 0.01);
	assert_true(t.temp_peak_mc >= 80300);
	/* One long tick is exact too. */
	model_step(dev, &now, 60000 * MS, NULL, &t);
	assert_int_equal(t.temp_mc[LOOM_SENSOR_DIE], 40800);
}

/* model-power-throttle: a low limit under full load throttles, then recovers. */
static void test_model_power_throttle(void **state)
{
	struct loom_dev *dev = *state;
	struct model_load full = { .mme = 1.0, .tpc = 1.0 };
	struct loom_fw_telemetry t;
	uint64_t now = 0, start;
	int i;

	assert_int_equal(loom_power_set_limit(dev, 100000), -EINVAL);
	assert_int_equal(loom_power_set_limit(dev, 150000), 0);
	model_step(dev, &now, 50 * MS, &full, &t);
	assert_int_equal(t.power_mw, 400000);
	assert_true(t.throttle_reasons & LOOM_THROTTLE_POWER);
	assert_int_equal(t.throttle_start_ns[0], now);
	assert_int_equal(t.throttle_end_ns[0], 0);
	start = now;
	/* Dynamic power must fit in 0.97 * 150 - 60 W: clock = sqrt(85.5 / 340). */
	assert_true(abs((int)t.clock_mhz[LOOM_CLOCK_CORE] - (int)lround(1800 * sqrt(85.5 / 340))) <= 1);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_MME) > 1.9);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_TPC) > 1.9);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_DMA) == 1.0);

	for (i = 0; i < 40; i++) {
		model_step(dev, &now, 50 * MS, &full, &t);
		assert_true(t.power_mw <= 150000);
		assert_true(t.throttle_reasons & LOOM_THROTTLE_POWER);
	}
	assert_true(t.power_mw > 140000);
	assert_int_equal(t.throttle_total_ns[0], now - start);

	/* Load stops: the clock comes back and the reason clears. */
	for (i = 0; i < 10; i++)
		model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.throttle_reasons, 0);
	assert_int_equal(t.clock_mhz[LOOM_CLOCK_CORE], 1800);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_MME) == 1.0);
	assert_true(t.throttle_end_ns[0] > start);
	assert_int_equal(t.throttle_total_ns[0], t.throttle_end_ns[0] - start);

	/* Back at the default limit, a half load does not throttle. */
	assert_int_equal(loom_power_set_limit(dev, 0), 0);
	for (i = 0; i < 20; i++)
		model_step(dev, &now, 50 * MS, &(struct model_load){ .mme = 0.5 }, &t);
	assert_int_equal(t.throttle_reasons, 0);
	assert_int_equal(t.power_limit_mw, 350000);
}

/* model-thermal-throttle: a low temperature limit throttles until the die cools. */
static void test_model_thermal_throttle(void **state)
{
	struct loom_dev *dev = *state;
	struct model_load full_mme = { .mme = 1.0 };
	struct loom_fw_telemetry t;
	uint64_t now = 0;
	uint32_t clk;
	bool seen = false;
	int i;

	assert_int_equal(loom_power_set_temp_limit(dev, 40000), -EINVAL);
	assert_int_equal(loom_power_set_temp_limit(dev, 110000), -EINVAL);
	assert_int_equal(loom_power_set_temp_limit(dev, 50000), 0);
	/* 280 W is under the power limit but heads for 80 °C. */
	for (i = 0; i < 400; i++) {
		model_step(dev, &now, 50 * MS, &full_mme, &t);
		assert_false(t.throttle_reasons & LOOM_THROTTLE_POWER);
		if (t.throttle_reasons & LOOM_THROTTLE_THERMAL)
			seen = true;
		/* The die never runs far past the limit. */
		assert_true(t.temp_mc[LOOM_SENSOR_DIE] < 52000);
	}
	assert_true(seen);
	assert_true(t.throttle_reasons & LOOM_THROTTLE_THERMAL);
	assert_true(t.clock_mhz[LOOM_CLOCK_CORE] < 1800 * 0.6);
	assert_true(loom_power_slowdown(dev, LOOM_ENGINE_MME) > 1.5);
	assert_true(t.temp_mc[LOOM_SENSOR_DIE] > 47000 && t.temp_mc[LOOM_SENSOR_DIE] <= 50000);

	/* Idle: the die is still hot, so the clock only climbs back gradually. */
	clk = t.clock_mhz[LOOM_CLOCK_CORE];
	model_step(dev, &now, 50 * MS, NULL, &t);
	assert_true(t.throttle_reasons & LOOM_THROTTLE_THERMAL);
	assert_true(t.clock_mhz[LOOM_CLOCK_CORE] > clk);
	assert_true(t.clock_mhz[LOOM_CLOCK_CORE] <= clk + 180);
	for (i = 0; i < 200; i++)
		model_step(dev, &now, 50 * MS, NULL, &t);
	assert_int_equal(t.throttle_reasons, 0);
	assert_int_equal(t.clock_mhz[LOOM_CLOCK_CORE], 1800);
	assert_true(t.throttle_total_ns[1] > 0);
	assert_true(t.throttle_end_ns[1] > t.throttle_start_ns[1]);
	assert_int_equal(loom_power_set_temp_limit(dev, 0), 0);
}

struct acct_arg {
	struct loom_dev *dev;
};

static void *acct_thread(void *p)
{
	struct acct_arg *a = p;

	for (int i = 0; i < 100000; i++)
		loom_power_account(a->dev, LOOM_ENGINE_DMA, 0, 3, 0, 7);
	return NULL;
}

/* model-account-concurrent: accounting from many threads loses nothing. */
static void test_model_account_concurrent(void **state)
{
	struct loom_dev *dev = *state;
	struct acct_arg a = { dev };
	struct loom_fw_telemetry t;
	pthread_t th[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, acct_thread, &a), 0);
	for (int i = 0; i < 200; i++)
		loom_power_tick(dev, (uint64_t)(i + 1) * MS);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	loom_power_tick(dev, 1000 * MS);
	loom_power_telemetry(dev, &t);
	assert_int_equal(t.busy_ns[LOOM_ENGINE_DMA], 4 * 100000 * 3ULL);
	assert_int_equal(t.dma_bytes, 4 * 100000 * 7ULL);
}

#define FW_TEST(name, f)	{ name, f, fw_setup, fw_teardown, NULL }
#define MODEL_TEST(name, f)	{ name, f, model_setup, model_teardown, NULL }

int main(void)
{
	const struct CMUnitTest tests[] = {
		FW_TEST("get-info", test_get_info),
		FW_TEST("get-telemetry", test_get_telemetry),
		FW_TEST("set-power-limit", test_set_power_limit),
		FW_TEST("bad-set-power-limit", test_bad_set_power_limit),
		FW_TEST("bad-set-temp-limit", test_bad_set_temp_limit),
		FW_TEST("bad-command", test_bad_command),
		FW_TEST("inject-event", test_inject_event),
		FW_TEST("bad-inject-event", test_bad_inject_event),
		FW_TEST("heartbeat", test_heartbeat),
		FW_TEST("routing", test_routing),
		FW_TEST("eq-lost", test_eq_lost),
		FW_TEST("eq-wrap", test_eq_wrap),
		FW_TEST("post-concurrent", test_post_concurrent),
		FW_TEST("several-mailboxes", test_several_mailboxes),
		FW_TEST("throttle-event", test_throttle_event),
		FW_TEST("dev-reset", test_dev_reset),
		MODEL_TEST("model-idle", test_model_idle),
		MODEL_TEST("model-power-formula", test_model_power_formula),
		MODEL_TEST("model-monotonic", test_model_monotonic),
		MODEL_TEST("model-energy-integral", test_model_energy_integral),
		MODEL_TEST("model-thermal", test_model_thermal),
		MODEL_TEST("model-power-throttle", test_model_power_throttle),
		MODEL_TEST("model-thermal-throttle", test_model_thermal_throttle),
		MODEL_TEST("model-account-concurrent", test_model_account_concurrent),
	};

	return cmocka_run_group_tests_name("test_fw", tests, NULL, NULL);
}
