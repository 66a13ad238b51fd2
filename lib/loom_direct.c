/* SPDX-License-Identifier: MIT */
/*
 * The direct backend's device part: attaching over the device link (the
 * in-process device or loomd), mapping BAR0, the host pool handed to the
 * device as this driver's host window, the interrupt thread, the firmware
 * mailbox and event queue, device info and telemetry.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loom_direct.h"
#include "../device/loom_link.h"

void loom_ring_doorbell(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the device is awake anyway. */
	}
}

int loom_link_rpc(loom_device *dev, uint32_t type, uint64_t a0, uint64_t a1, uint64_t *out0,
		  uint64_t *out1, int fd_in, int *fd_out)
{
	struct loom_link_msg m = { .type = type, .arg = { a0, a1 } };
	int fds[LOOM_LINK_MAX_FDS];
	unsigned nfds = 0;
	int ret;

	ret = loom_link_call(loom_drv(dev)->link, &m, &fd_in, fd_in >= 0 ? 1 : 0, fds, &nfds);
	if (ret == -ECONNRESET || ret == -EPIPE) {
		loom_device_mark_dead(dev);
		ret = -ECONNRESET;
	}
	if (!ret) {
		if (out0)
			*out0 = m.arg[0];
		if (out1)
			*out1 = m.arg[1];
	}
	for (unsigned i = 0; i < nfds; i++) {
		if (!ret && fd_out && i == 0)
			*fd_out = fds[0];
		else
			close(fds[i]);
	}
	if (!ret && fd_out && !nfds)
		ret = -EPROTO;
	return ret;
}

/* ---- interrupts and the event queue ------------------------------------------- */

static void eq_drain_locked(loom_device *dev)
{
	struct loom_direct *d = loom_drv(dev);
	const struct loom_event *eq = (const struct loom_event *)(d->pool + d->eq_off);
	uint32_t pi = loom_bar_read(d, LOOM_REG_CH(d->channel, LOOM_CREG_EQ_PI));

	if (!d->eq_on)
		return;
	if (pi - d->eq_ci > LOOM_EQ_ENTRIES) {
		loom_warn("%s: %u device events lost: the event queue overran", dev->uri,
			  pi - d->eq_ci - LOOM_EQ_ENTRIES);
		d->eq_ci = pi - LOOM_EQ_ENTRIES;
	}
	while (d->eq_ci != pi) {
		const struct loom_event *e = &eq[d->eq_ci % LOOM_EQ_ENTRIES];
		struct loom_device_event ev = {
			.type = e->type, .queue = e->queue, .info = e->info,
			.addr = e->addr, .timestamp_ns = e->timestamp_ns,
		};

		loom_event_push_locked(dev, &ev);
		if (e->type != LOOM_EVENT_HEARTBEAT)
			loom_dbg(LOOM_DBG_IRQ, "device event %s queue %u info %u addr 0x%llx",
				 loom_event_name(e->type), e->queue, e->info,
				 (unsigned long long)e->addr);
		d->eq_ci++;
	}
}

static void *irq_thread_fn(void *arg)
{
	loom_device *dev = arg;
	struct loom_direct *d = loom_drv(dev);
	/* The interrupt vectors, the stop eventfd, and the link's socket: a
	 * hang-up there means the device went away (no events are asked for,
	 * so replies to link requests are left to the requester). */
	struct pollfd pfd[LOOM_IRQS_PER_CHANNEL + 2];
	const int stop = LOOM_IRQS_PER_CHANNEL, link = LOOM_IRQS_PER_CHANNEL + 1;
	nfds_t n = LOOM_IRQS_PER_CHANNEL + 2;

	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
		pfd[i] = (struct pollfd){ .fd = d->irq_fd[i], .events = POLLIN };
	pfd[stop] = (struct pollfd){ .fd = d->stop_fd, .events = POLLIN };
	pfd[link] = (struct pollfd){ .fd = loom_link_fd(d->link), .events = 0 };
	if (pfd[link].fd < 0)
		n--;
	for (;;) {
		uint64_t v;

		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[stop].revents)
			break;
		if (n > (nfds_t)link && pfd[link].revents & (POLLHUP | POLLERR)) {
			loom_device_mark_dead(dev);
			n--;	/* stop watching it; keep serving until closed */
		}
		for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
			if (pfd[i].revents & POLLIN && read(d->irq_fd[i], &v, sizeof(v)) < 0) {
				/* EAGAIN: nothing left to read; harmless. */
			}
		pthread_mutex_lock(&dev->lock);
		if (pfd[LOOM_IRQ_EVENT].revents & POLLIN)
			eq_drain_locked(dev);
		pthread_cond_broadcast(&dev->cond);
		pthread_mutex_unlock(&dev->lock);
	}
	return NULL;
}

static void direct_events_poll(loom_device *dev)
{
	eq_drain_locked(dev);
}

/* ---- mailbox ------------------------------------------------------------------ */

struct mbox_wait { struct loom_direct *d; uint32_t seq; };

static int mbox_done(void *arg)
{
	struct mbox_wait *w = arg;
	uint32_t ch = w->d->channel;

	if (loom_bar_read(w->d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS)) == LOOM_MBOX_DONE &&
	    loom_bar_read(w->d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_DONE_SEQ)) == w->seq)
		return 0;
	return 1;
}

int loom_mbox_call(loom_device *dev, uint32_t cmd, const uint64_t arg[4], void *data,
		   uint32_t size)
{
	struct loom_direct *d = loom_drv(dev);
	uint32_t ch = d->channel;
	struct mbox_wait w = { d, 0 };
	int ret;

	if (size > LOOM_MBOX_DATA_SIZE)
		return -EINVAL;
	pthread_mutex_lock(&d->mbox_lock);
	w.seq = ++d->mbox_seq;
	for (int i = 0; i < 4; i++) {
		uint64_t a = arg ? arg[i] : 0;

		loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 8 * i), (uint32_t)a);
		loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 8 * i + 4), a >> 32);
	}
	loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_CMD), cmd);
	loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_SEQ), w.seq);
	loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_PENDING);
	loom_ring_doorbell(d->fw_doorbell);
	pthread_mutex_lock(&dev->lock);
	ret = loom_wait_locked(dev, mbox_done, &w, 5000000000LL);
	pthread_mutex_unlock(&dev->lock);
	if (!ret) {
		ret = (int32_t)loom_bar_read(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_RESULT));
		if (!ret && data && size)
			memcpy(data, d->bar + LOOM_REG_CH(ch, LOOM_CREG_MBOX_DATA), size);
		loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_IDLE);
	} else if (ret == -ETIMEDOUT) {
		loom_err("%s: firmware did not answer mailbox command %u within 5 s", dev->uri, cmd);
		ret = -EIO;
	}
	pthread_mutex_unlock(&d->mbox_lock);
	return ret;
}

/* ---- attaching ------------------------------------------------------------------ */

static int direct_attach(loom_device *dev, const struct loom_device_opts *opts)
{
	struct loom_direct *d = loom_drv(dev);
	struct loom_link_msg m = { .type = LOOM_LINK_HELLO };
	int fds_in[1 + LOOM_IRQS_PER_CHANNEL], fds[LOOM_LINK_MAX_FDS];
	unsigned nfds = 0;
	int ret;

	d->pool_size = opts && opts->sz > offsetof(struct loom_device_opts, host_pool_size) &&
		       opts->host_pool_size ? opts->host_pool_size : LOOM_DEFAULT_POOL;
	d->pool_size = (d->pool_size + LOOM_HUGE_SIZE - 1) & ~(LOOM_HUGE_SIZE - 1);
	d->pool_fd = memfd_create("loom-host-pool", MFD_CLOEXEC);
	if (d->pool_fd < 0)
		return -errno;
	if (ftruncate(d->pool_fd, (off_t)d->pool_size))
		return -errno;
	d->pool = mmap(NULL, d->pool_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		       d->pool_fd, 0);
	if (d->pool == MAP_FAILED) {
		d->pool = NULL;
		return -errno;
	}
	fds_in[0] = d->pool_fd;
	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++) {
		d->irq_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->irq_fd[i] < 0)
			return -errno;
		fds_in[1 + i] = d->irq_fd[i];
	}
	m.arg[0] = LOOM_LINK_VERSION;
	m.arg[1] = d->pool_size;
	ret = loom_link_call(d->link, &m, fds_in, 1 + LOOM_IRQS_PER_CHANNEL, fds, &nfds);
	if (!ret && nfds < 2)
		ret = -EPROTO;
	if (ret) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		return ret;
	}
	for (unsigned i = 2; i < nfds; i++)
		close(fds[i]);
	d->channel = (uint32_t)m.arg[0];
	d->asid = (uint32_t)m.arg[1];
	d->bar_size = m.arg[2];
	d->dram_size = m.arg[3];
	d->fw_doorbell = fds[1];
	d->bar = mmap(NULL, d->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		      fds[0], 0);
	close(fds[0]);
	if (d->bar == MAP_FAILED) {
		d->bar = NULL;
		return -errno;
	}
	if (loom_bar_read(d, LOOM_REG_MAGIC) != LOOM_MAGIC ||
	    loom_bar_read(d, LOOM_REG_VENDOR_ID) != LOOM_VENDOR_ID) {
		loom_err("%s: not a Loom device (magic 0x%08x)", dev->uri,
			 loom_bar_read(d, LOOM_REG_MAGIC));
		return -ENODEV;
	}
	d->dram = d->bar + loom_bar_read(d, LOOM_REG_DRAM_OFFSET);
	return 0;
}

static int eq_setup(loom_device *dev)
{
	struct loom_direct *d = loom_drv(dev);
	uint32_t ch = d->channel;
	uint64_t pa, off;
	int ret;

	pthread_mutex_lock(&dev->lock);
	ret = loom_pool_alloc_locked(dev, LOOM_EQ_ENTRIES * sizeof(struct loom_event),
				     LOOM_PAGE_SIZE, &off);
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	pa = loom_pool_pa(d, off);
	d->eq_ci = loom_bar_read(d, LOOM_REG_CH(ch, LOOM_CREG_EQ_PI));
	loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_LO), (uint32_t)pa);
	loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_HI), pa >> 32);
	loom_bar_write(d, LOOM_REG_CH(ch, LOOM_CREG_EQ_SIZE), LOOM_EQ_ENTRIES);
	d->eq_off = off;
	d->eq_on = true;
	return 0;
}

static void direct_close(loom_device *dev)
{
	struct loom_direct *d = loom_drv(dev);

	if (!d)
		return;
	if (d->irq_running) {
		loom_ring_doorbell(d->stop_fd);
		pthread_join(d->irq_thread, NULL);
	}
	if (d->eq_on)
		loom_bar_write(d, LOOM_REG_CH(d->channel, LOOM_CREG_EQ_SIZE), 0);
	if (d->link && d->bar)
		loom_direct_mem_fini(dev);
	if (d->link)
		loom_link_close(d->link);
	if (d->bar)
		munmap(d->bar, d->bar_size);
	if (d->pool)
		munmap(d->pool, d->pool_size);
	if (d->pool_fd >= 0)
		close(d->pool_fd);
	if (d->fw_doorbell >= 0)
		close(d->fw_doorbell);
	if (d->stop_fd >= 0)
		close(d->stop_fd);
	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
		if (d->irq_fd[i] >= 0)
			close(d->irq_fd[i]);
	pthread_mutex_destroy(&d->mbox_lock);
	free(d);
	dev->drv = NULL;
}

static int direct_open(loom_device *dev, const struct loom_device_opts *opts)
{
	struct loom_direct *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	dev->drv = d;
	d->pool_fd = d->fw_doorbell = d->stop_fd = -1;
	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
		d->irq_fd[i] = -1;
	pthread_mutex_init(&d->mbox_lock, NULL);
	if (!strcmp(dev->uri, "inproc")) {
		struct loom_dev_config cfg = { 0 };

		if (opts && opts->sz > offsetof(struct loom_device_opts, dram_size))
			cfg.dram_size = opts->dram_size;
		d->link = loom_link_open("inproc", &cfg);
	} else {
		d->link = loom_link_open(dev->uri, NULL);
	}
	if (!d->link) {
		ret = -errno;
		loom_dbg(LOOM_DBG_CORE, "%s: cannot open the device link: %s", dev->uri,
			 loom_strerror(ret));
		goto err;
	}
	ret = direct_attach(dev, opts);
	if (ret) {
		loom_err("%s: attaching to the device failed: %s", dev->uri, loom_strerror(ret));
		goto err;
	}
	ret = loom_direct_mem_init(dev);
	if (ret)
		goto err;
	ret = eq_setup(dev);
	if (ret)
		goto err;
	d->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (d->stop_fd < 0) {
		ret = -errno;
		goto err;
	}
	ret = -pthread_create(&d->irq_thread, NULL, irq_thread_fn, dev);
	if (ret)
		goto err;
	d->irq_running = true;
	ret = loom_mbox_call(dev, LOOM_FW_CMD_GET_INFO, NULL, &d->fw_info, sizeof(d->fw_info));
	if (ret) {
		loom_err("%s: firmware GET_INFO failed: %s", dev->uri, loom_strerror(ret));
		goto err;
	}
	loom_dbg(LOOM_DBG_CORE, "%s: channel %u asid %u, %llu MiB DRAM", dev->uri, d->channel,
		 d->asid, (unsigned long long)(d->dram_size >> 20));
	return 0;
err:
	direct_close(dev);
	return ret;
}

/* ---- info and telemetry ----------------------------------------------------------- */

static int direct_info(loom_device *dev, struct loom_device_info *info)
{
	struct loom_direct *d = loom_drv(dev);
	uint32_t caps = loom_bar_read(d, LOOM_REG_CAPS);

	info->vendor_id = loom_bar_read(d, LOOM_REG_VENDOR_ID);
	info->device_id = loom_bar_read(d, LOOM_REG_DEVICE_ID);
	info->revision = loom_bar_read(d, LOOM_REG_REVISION);
	info->fw_version = d->fw_info.fw_version;
	memcpy(info->fw_build, d->fw_info.build, sizeof(info->fw_build));
	info->fw_build[sizeof(info->fw_build) - 1] = 0;
	info->dram_size = d->dram_size;
	info->num_queues = loom_bar_read(d, LOOM_REG_NUM_QUEUES);
	info->num_dma = loom_bar_read(d, LOOM_REG_NUM_DMA);
	info->num_mme = loom_bar_read(d, LOOM_REG_NUM_MME);
	info->num_tpc = loom_bar_read(d, LOOM_REG_NUM_TPC);
	info->num_sobs = loom_bar_read(d, LOOM_REG_NUM_SOBS);
	info->caps = (caps & LOOM_CAP_MME_BF16 ? LOOM_DEVCAP_BF16 : 0) |
		     (caps & LOOM_CAP_PAGE_2M ? LOOM_DEVCAP_PAGE_2M : 0) |
		     (caps & LOOM_CAP_TPC ? LOOM_DEVCAP_TPC : 0);
	info->channel = d->channel;
	info->asid = d->asid;
	info->power_default_mw = d->fw_info.power_default_mw;
	info->power_max_mw = d->fw_info.power_max_mw;
	info->power_idle_mw = d->fw_info.power_idle_mw;
	info->temp_limit_mc = d->fw_info.temp_limit_mc;
	for (int i = 0; i < 3; i++)
		info->clock_max_mhz[i] = d->fw_info.clock_max_mhz[i];
	return 0;
}

/* Every driver attached to the device: LOOM_LINK_SESSION, one by one. */
static int direct_processes(loom_device *dev, struct loom_process *out, int max)
{
	struct loom_direct *d = loom_drv(dev);
	int n = 0;

	/* A driver holds a channel: no more than LOOM_NUM_CHANNELS. */
	for (uint64_t i = 0; i <= LOOM_NUM_CHANNELS; i++) {
		struct loom_link_msg m = { .type = LOOM_LINK_SESSION, .arg = { i } };
		int ret = loom_link_call(d->link, &m, NULL, 0, NULL, NULL);

		if (ret == -ENOENT)
			break;
		if (ret)
			return ret;
		if (n < max) {
			struct loom_process *p = &out[n];

			p->pid = (uint32_t)m.arg[0];
			p->asid = (uint32_t)m.arg[1];
			p->dram_bytes = m.arg[3];
			p->host_bytes = m.arg[4];
			p->queues = (uint32_t)m.arg[5];
			loom_proc_comm(p->pid, p->name, sizeof(p->name));
			for (unsigned e = 0; e < LOOM_ENG_COUNT && p->asid < LOOM_NUM_ASIDS; e++)
				p->busy_ns[e] = __atomic_load_n(
					(uint64_t *)(d->bar + LOOM_REG_ASID_BUSY(p->asid, e)),
					__ATOMIC_RELAXED);
		}
		n++;
	}
	return n;
}

static int direct_telemetry(loom_device *dev, struct loom_telemetry *t)
{
	struct loom_fw_telemetry f;
	struct loom_link_msg m = { .type = LOOM_LINK_QUERY };
	int ret = loom_mbox_call(dev, LOOM_FW_CMD_GET_TELEMETRY, NULL, &f, sizeof(f));

	if (ret)
		return ret;
	if (!loom_link_call(loom_drv(dev)->link, &m, NULL, 0, NULL, NULL)) {
		t->dram_used = m.arg[0];
		t->dram_total = m.arg[1];
		t->drivers = (uint32_t)m.arg[2];
	}
	t->timestamp_ns = f.timestamp_ns;
	t->energy_mj = f.energy_mj;
	t->power_mw = f.power_mw;
	t->power_peak_mw = f.power_peak_mw;
	t->power_limit_mw = f.power_limit_mw;
	t->throttle_reasons = f.throttle_reasons;
	for (int i = 0; i < 4; i++)
		t->temp_mc[i] = f.temp_mc[i];
	t->temp_peak_mc = f.temp_peak_mc;
	for (int i = 0; i < 3; i++)
		t->clock_mhz[i] = f.clock_mhz[i];
	for (int i = 0; i < LOOM_ENG_COUNT; i++) {
		t->util_pct[i] = f.util_pct[i];
		t->busy_ns[i] = f.busy_ns[i];
	}
	for (int i = 0; i < 2; i++) {
		t->throttle_start_ns[i] = f.throttle_start_ns[i];
		t->throttle_end_ns[i] = f.throttle_end_ns[i];
		t->throttle_total_ns[i] = f.throttle_total_ns[i];
	}
	t->flops = f.flops;
	t->dma_bytes = f.dma_bytes;
	t->heartbeat = f.heartbeat;
	t->reset_count = f.reset_count;
	t->ecc_correctable = f.ecc_correctable;
	t->ecc_uncorrectable = f.ecc_uncorrectable;
	return 0;
}

static int direct_set_power_limit(loom_device *dev, uint32_t mw)
{
	uint64_t arg[4] = { mw };

	return loom_mbox_call(dev, LOOM_FW_CMD_SET_POWER_LIMIT, arg, NULL, 0);
}

const struct loom_backend_ops loom_direct_ops = {
	.name = "direct",
	.open = direct_open,
	.close = direct_close,
	.info = direct_info,
	.telemetry = direct_telemetry,
	.processes = direct_processes,
	.set_power_limit = direct_set_power_limit,
	.events_poll = direct_events_poll,
	.mem_alloc = loom_direct_mem_alloc,
	.mem_free = loom_direct_mem_free,
	.mem_export = loom_direct_mem_export,
	.mem_import = loom_direct_mem_import,
	.host_alloc = loom_direct_host_alloc,
	.host_free = loom_direct_host_free,
	.host_va = loom_direct_host_va,
	.queue_create = loom_direct_queue_create,
	.queue_destroy = loom_direct_queue_destroy,
	.submit = loom_direct_submit,
	.done = loom_direct_done,
	.status = loom_direct_status,
	.wait_pkt = loom_direct_wait_pkt,
	.cb_max = LOOM_DIRECT_CB_MAX,
};
