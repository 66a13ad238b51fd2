/* SPDX-License-Identifier: MIT */
/*
 * Loom device model: the firmware.
 *
 * One thread plays the device's management controller. It sleeps on the
 * firmware doorbell with a timeout of one tick. On every wake-up it serves
 * a pending DEV_CTRL reset and every channel's mailbox (hw/loom_fw.h has
 * the protocol); on every tick it runs the power model, advances the
 * heartbeat and timestamp registers, mirrors the throttle state into
 * DEV_STATUS and posts throttle-change and once-a-second heartbeat events.
 *
 * Events (page faults, queue errors, hangs, ECC, throttling, reset) are
 * posted by loom_fw_post_event() from any thread into the event queue of
 * the channel that owns the context, or of every channel for device-wide
 * events. The firmware only reads registers and device memory: it never
 * waits on anything a driver controls.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_device.h"

#define FW_TICK_DEFAULT_MS	50U
#define FW_HEARTBEAT_EVENT_NS	1000000000ULL
#define FW_BUILD		"loom-fw 1.0 (emulated)"

struct loom_fw {
	pthread_t thread;
	bool running;
	atomic_int stop;

	/* Protects the event queues: EQ_PI, EQ_LOST and the ring entries. */
	pthread_mutex_t eq_lock;

	atomic_uint ecc_correctable;
	atomic_uint ecc_uncorrectable;
	atomic_uint ecc_seq;		/* picks the PA of injected errors */

	/* Firmware thread only. */
	uint64_t tick_ns;
	uint64_t next_tick_ns;
	uint64_t last_hb_event_ns;
	uint32_t last_reasons;
};

static bool fw_is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static void fw_reg_add(struct loom_dev *dev, uint32_t off, uint32_t v)
{
	__atomic_fetch_add((uint32_t *)(loom_dev_bar(dev) + off), v, __ATOMIC_ACQ_REL);
}

/* ---- Events -------------------------------------------------------------- */

/*
 * Write one event into channel ch's queue. A device-wide event skips a
 * channel whose queue is off; an event meant for this channel counts as
 * lost instead.
 */
static void fw_eq_push_locked(struct loom_dev *dev, unsigned ch, const struct loom_event *ev,
			      bool device_wide)
{
	uint32_t size = loom_reg_read(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_SIZE));
	uint64_t base = loom_reg_read64(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_LO));
	uint32_t pi = loom_reg_read(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_PI));
	uint64_t off, pa;
	void *slot;

	if (!size && device_wide)
		return;
	if (!fw_is_pow2(size))
		goto lost;
	off = (uint64_t)(pi & (size - 1)) * sizeof(*ev);
	pa = base + off;
	if (pa < base)
		goto lost;
	slot = loom_dev_pa_ptr(dev, pa, sizeof(*ev));
	if (!slot)
		goto lost;
	memcpy(slot, ev, sizeof(*ev));
	/* The entry is visible before the producer index that publishes it. */
	loom_reg_write(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_PI), pi + 1);
	loom_dev_raise_irq(dev, ch, LOOM_IRQ_EVENT);
	return;
lost:
	fw_reg_add(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_LOST), 1);
}

void loom_fw_post_event(struct loom_dev *dev, const struct loom_event *event)
{
	struct loom_fw *fw = dev->fw;
	struct loom_event ev = *event;
	unsigned ch;

	if (!fw)
		return;
	if (!ev.timestamp_ns)
		ev.timestamp_ns = loom_dev_time_ns(dev);

	loom_dev_access_begin(dev);
	pthread_mutex_lock(&fw->eq_lock);
	if (ev.asid == LOOM_EVENT_ASID_NONE) {
		for (ch = 0; ch < LOOM_NUM_CHANNELS; ch++)
			fw_eq_push_locked(dev, ch, &ev, true);
	} else if (ev.asid < LOOM_NUM_ASIDS &&
		   (loom_reg_read(dev, LOOM_REG_ASID(ev.asid, LOOM_AREG_CTRL)) & 1)) {
		ch = loom_reg_read(dev, LOOM_REG_ASID(ev.asid, LOOM_AREG_CHANNEL));
		if (ch < LOOM_NUM_CHANNELS)
			fw_eq_push_locked(dev, ch, &ev, false);
	}
	/* An event for a context that is off or has no valid channel has no reader. */
	pthread_mutex_unlock(&fw->eq_lock);
	loom_dev_access_end(dev);
}

static void fw_post(struct loom_dev *dev, uint32_t type, uint32_t asid, uint32_t info,
		    uint64_t addr)
{
	struct loom_event ev = {
		.type = type,
		.asid = asid,
		.queue = LOOM_EVENT_QUEUE_NONE,
		.info = info,
		.addr = addr,
	};

	loom_fw_post_event(dev, &ev);
}

/* ---- Commands ------------------------------------------------------------ */

static int fw_cmd_get_info(struct loom_dev *dev, void *data, uint32_t data_size)
{
	struct loom_fw_info info;

	if (!data || data_size < sizeof(info))
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.fw_version = LOOM_FW_VERSION_MAJOR << 16 | LOOM_FW_VERSION_MINOR;
	loom_power_info(dev, &info);
	snprintf(info.build, sizeof(info.build), "%s", FW_BUILD);
	memcpy(data, &info, sizeof(info));
	return 0;
}

static int fw_cmd_get_telemetry(struct loom_dev *dev, void *data, uint32_t data_size)
{
	struct loom_fw *fw = dev->fw;
	struct loom_fw_telemetry t;

	if (!data || data_size < sizeof(t))
		return -EINVAL;
	loom_power_telemetry(dev, &t);
	t.heartbeat = loom_reg_read(dev, LOOM_REG_HEARTBEAT);
	t.reset_count = loom_reg_read(dev, LOOM_REG_RESET_COUNT);
	t.ecc_correctable = atomic_load(&fw->ecc_correctable);
	t.ecc_uncorrectable = atomic_load(&fw->ecc_uncorrectable);
	memcpy(data, &t, sizeof(t));
	return 0;
}

static int fw_cmd_inject_event(struct loom_dev *dev, const uint64_t arg[4])
{
	struct loom_fw *fw = dev->fw;
	uint64_t type = arg[0], asid = arg[1], pa = 0;
	unsigned seq;

	if (type != LOOM_EVENT_ECC_CORRECTABLE && type != LOOM_EVENT_ECC_UNCORRECTABLE)
		return -EINVAL;
	if (asid >= LOOM_NUM_ASIDS)
		return -EINVAL;
	if (asid && !(loom_reg_read(dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL)) & 1))
		return -EINVAL;

	/* A plausible failing DRAM word: scattered, 64-byte aligned. */
	seq = atomic_fetch_add(&fw->ecc_seq, 1);
	if (dev->dram_size >= 64)
		pa = ((seq + 1) * 0x9e3779b97f4a7c15ULL) % dev->dram_size & ~63ULL;

	if (type == LOOM_EVENT_ECC_CORRECTABLE)
		atomic_fetch_add(&fw->ecc_correctable, 1);
	else
		atomic_fetch_add(&fw->ecc_uncorrectable, 1);
	fw_post(dev, (uint32_t)type, (uint32_t)asid, 0, pa);
	return 0;
}

static uint32_t fw_cmd_data_size(uint32_t cmd)
{
	switch (cmd) {
	case LOOM_FW_CMD_GET_INFO:
		return sizeof(struct loom_fw_info);
	case LOOM_FW_CMD_GET_TELEMETRY:
		return sizeof(struct loom_fw_telemetry);
	default:
		return 0;
	}
}

int loom_fw_command(struct loom_dev *dev, unsigned ch, uint32_t cmd, const uint64_t arg[4],
		    void *data, uint32_t data_size)
{
	static const uint64_t no_args[4];
	int64_t mc;

	if (!dev->fw || ch >= LOOM_NUM_CHANNELS)
		return -EINVAL;
	if (!arg)
		arg = no_args;

	switch (cmd) {
	case LOOM_FW_CMD_GET_INFO:
		return fw_cmd_get_info(dev, data, data_size);
	case LOOM_FW_CMD_GET_TELEMETRY:
		return fw_cmd_get_telemetry(dev, data, data_size);
	case LOOM_FW_CMD_SET_POWER_LIMIT:
		if (arg[0] > UINT32_MAX)
			return -EINVAL;
		return loom_power_set_limit(dev, (uint32_t)arg[0]);
	case LOOM_FW_CMD_SET_TEMP_LIMIT:
		/* Millidegrees as a signed value; the upper half must extend it. */
		mc = (int64_t)arg[0];
		if (mc < INT32_MIN || mc > INT32_MAX)
			return -EINVAL;
		return loom_power_set_temp_limit(dev, (int32_t)mc);
	case LOOM_FW_CMD_INJECT_EVENT:
		return fw_cmd_inject_event(dev, arg);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---- The firmware thread ------------------------------------------------- */

static void fw_mailbox_run(struct loom_dev *dev, unsigned ch)
{
	uint8_t data[LOOM_MBOX_DATA_SIZE];
	uint64_t arg[4];
	uint32_t cmd, seq, size;
	unsigned i;
	int ret;

	cmd = loom_reg_read(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_CMD));
	seq = loom_reg_read(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_SEQ));
	for (i = 0; i < 4; i++)
		arg[i] = loom_reg_read64(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 8 * i));

	memset(data, 0, sizeof(data));
	ret = loom_fw_command(dev, ch, cmd, arg, data, sizeof(data));
	size = fw_cmd_data_size(cmd);
	if (!ret && size)
		memcpy(loom_dev_bar(dev) + LOOM_REG_CH(ch, LOOM_CREG_MBOX_DATA), data, size);

	loom_reg_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_RESULT), (uint32_t)ret);
	loom_reg_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_DONE_SEQ), seq);
	/* Release: data, result and sequence are visible before DONE. */
	loom_reg_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_DONE);
	loom_dev_raise_irq(dev, ch, LOOM_IRQ_MAILBOX);
}

static void fw_serve(struct loom_dev *dev)
{
	uint8_t *ctrl = loom_dev_bar(dev) + LOOM_REG_DEV_CTRL;
	unsigned ch;

	if (__atomic_fetch_and((uint32_t *)ctrl, ~LOOM_DEV_CTRL_RESET, __ATOMIC_ACQ_REL) &
	    LOOM_DEV_CTRL_RESET)
		loom_dev_reset(dev);	/* counts the reset and posts LOOM_EVENT_RESET */
	for (ch = 0; ch < LOOM_NUM_CHANNELS; ch++) {
		if (atomic_load(&dev->stopping))
			return;
		if (loom_reg_read(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS)) == LOOM_MBOX_PENDING)
			fw_mailbox_run(dev, ch);
	}
}

static void fw_tick(struct loom_dev *dev, uint64_t now)
{
	struct loom_fw *fw = dev->fw;
	struct loom_fw_telemetry t;
	uint32_t *status = (uint32_t *)(loom_dev_bar(dev) + LOOM_REG_DEV_STATUS);
	uint32_t hb;

	loom_power_tick(dev, now);
	loom_power_telemetry(dev, &t);

	hb = __atomic_add_fetch((uint32_t *)(loom_dev_bar(dev) + LOOM_REG_HEARTBEAT), 1,
				__ATOMIC_ACQ_REL);
	loom_reg_write64(dev, LOOM_REG_TIMESTAMP_LO, now);
	if (t.throttle_reasons)
		__atomic_fetch_or(status, LOOM_DEV_STATUS_THROTTLED, __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(status, ~LOOM_DEV_STATUS_THROTTLED, __ATOMIC_ACQ_REL);

	if (t.throttle_reasons != fw->last_reasons) {
		fw->last_reasons = t.throttle_reasons;
		fw_post(dev, LOOM_EVENT_THROTTLE, LOOM_EVENT_ASID_NONE, t.throttle_reasons, 0);
	}
	if (now - fw->last_hb_event_ns >= FW_HEARTBEAT_EVENT_NS) {
		fw->last_hb_event_ns = now;
		fw_post(dev, LOOM_EVENT_HEARTBEAT, LOOM_EVENT_ASID_NONE, hb, 0);
	}
}

static bool fw_should_stop(struct loom_dev *dev)
{
	return atomic_load(&dev->fw->stop) || atomic_load(&dev->stopping);
}

static void *fw_thread(void *arg)
{
	struct loom_dev *dev = arg;
	struct loom_fw *fw = dev->fw;
	struct pollfd pfd = {
		.fd = loom_dev_doorbell_fd(dev, LOOM_DOORBELL_FW),
		.events = POLLIN,
	};

	while (!fw_should_stop(dev)) {
		uint64_t now = loom_dev_time_ns(dev);
		uint64_t wait_ns = fw->next_tick_ns > now ? fw->next_tick_ns - now : 0;
		uint64_t wait_ms = (wait_ns + 999999) / 1000000;
		uint64_t v;

		if (wait_ms > INT32_MAX)
			wait_ms = INT32_MAX;
		if (poll(&pfd, 1, (int)wait_ms) > 0 && (pfd.revents & POLLIN)) {
			/* Only this thread reads the doorbell: this does not block. */
			if (read(pfd.fd, &v, sizeof(v)) < 0)
				v = 0;
		}
		if (fw_should_stop(dev))
			break;

		/* Every wake-up serves the mailboxes, so a lost doorbell only delays. */
		fw_serve(dev);

		now = loom_dev_time_ns(dev);
		if (now >= fw->next_tick_ns) {
			fw_tick(dev, now);
			fw->next_tick_ns += fw->tick_ns;
			if (fw->next_tick_ns <= now)
				fw->next_tick_ns = now + fw->tick_ns;
		}
	}
	return NULL;
}

int loom_fw_init(struct loom_dev *dev)
{
	const struct loom_dev_config *cfg = loom_dev_config(dev);
	struct loom_fw *fw;
	int ret;

	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	ret = pthread_mutex_init(&fw->eq_lock, NULL);
	if (ret)
		goto err_free;
	fw->tick_ns = (uint64_t)(cfg && cfg->fw_tick_ms ? cfg->fw_tick_ms : FW_TICK_DEFAULT_MS) *
		      1000000ULL;
	fw->next_tick_ns = loom_dev_time_ns(dev) + fw->tick_ns;
	fw->last_hb_event_ns = loom_dev_time_ns(dev);
	dev->fw = fw;

	ret = pthread_create(&fw->thread, NULL, fw_thread, dev);
	if (ret) {
		dev->fw = NULL;
		goto err_mutex;
	}
	fw->running = true;
	return 0;

err_mutex:
	pthread_mutex_destroy(&fw->eq_lock);
err_free:
	free(fw);
	return -ret;
}

void loom_fw_fini(struct loom_dev *dev)
{
	struct loom_fw *fw = dev->fw;
	uint64_t one = 1;
	int fd;

	if (!fw)
		return;
	if (fw->running) {
		atomic_store(&fw->stop, 1);
		fd = loom_dev_doorbell_fd(dev, LOOM_DOORBELL_FW);
		if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
			/* The thread still sees stop at its next tick. */
		}
		pthread_join(fw->thread, NULL);
	}
	dev->fw = NULL;
	pthread_mutex_destroy(&fw->eq_lock);
	free(fw);
}
