/* SPDX-License-Identifier: MIT */
/*
 * libloom devices: opening a device over the device link, the interrupt
 * thread, the firmware mailbox and event queue, device info and telemetry,
 * logging and error strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "loom_internal.h"
#include "../device/loom_link.h"

/* ---- logging ----------------------------------------------------------------- */

/* Protects nothing at run time: set once, before devices are opened. */
static loom_log_fn log_fn;
static void *log_arg;
static enum loom_log_level log_max = LOOM_LOG_WARN;
static unsigned log_debug_mask;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_init(void)
{
	const char *d = getenv("LOOM_DEBUG");

	if (d)
		log_debug_mask = (unsigned)strtoul(d, NULL, 0);
}

LOOM_API void loom_set_log(loom_log_fn fn, void *arg, enum loom_log_level max_level)
{
	pthread_once(&log_once, log_init);
	log_fn = fn;
	log_arg = arg;
	log_max = max_level;
}

void loom_log(enum loom_log_level level, unsigned cat, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	pthread_once(&log_once, log_init);
	if (!log_fn || level > log_max)
		return;
	if (level == LOOM_LOG_DEBUG && !(log_debug_mask & cat))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(level, buf, log_arg);
}

LOOM_API const char *loom_version(void)
{
	return "0.1.0";
}

LOOM_API const char *loom_strerror(int err)
{
	switch (-err) {
	case 0: return "success";
	case EFAULT: return "device page fault (address not mapped)";
	case EACCES: return "device write to read-only memory";
	case ETIME: return "a device wait timed out (hang)";
	case EIO: return "device error";
	case ECONNRESET: return "the device went away";
	case ETIMEDOUT: return "timed out waiting";
	case EBUSY: return "busy";
	case ENOMEM: return "out of memory";
	case EINVAL: return "invalid argument";
	case EXDEV: return "exported by another device";
	case EBADF: return "not an exported Loom memory fd";
	case EOPNOTSUPP: return "operation not supported";
	case EPROTO: return "device link protocol mismatch";
	default: return strerror(-err);
	}
}

LOOM_API const char *loom_event_name(uint32_t type)
{
	static const char *const names[] = {
		[LOOM_EVENT_PAGE_FAULT] = "page-fault",
		[LOOM_EVENT_QUEUE_ERROR] = "queue-error",
		[LOOM_EVENT_HANG] = "hang",
		[LOOM_EVENT_ECC_CORRECTABLE] = "ecc-correctable",
		[LOOM_EVENT_ECC_UNCORRECTABLE] = "ecc-uncorrectable",
		[LOOM_EVENT_THROTTLE] = "throttle",
		[LOOM_EVENT_HEARTBEAT] = "heartbeat",
		[LOOM_EVENT_RESET] = "reset",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

/* ---- small helpers --------------------------------------------------------- */

uint64_t loom_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint32_t loom_bar_read(loom_device *dev, uint32_t off)
{
	return __atomic_load_n((uint32_t *)(dev->bar + off), __ATOMIC_ACQUIRE);
}

void loom_bar_write(loom_device *dev, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(dev->bar + off), v, __ATOMIC_RELEASE);
}

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

	ret = loom_link_call(dev->link, &m, &fd_in, fd_in >= 0 ? 1 : 0, fds, &nfds);
	if (ret == -ECONNRESET || ret == -EPIPE) {
		pthread_mutex_lock(&dev->lock);
		dev->link_dead = true;
		pthread_cond_broadcast(&dev->cond);
		pthread_mutex_unlock(&dev->lock);
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

/*
 * Wait with dev->lock held until cond_fn(arg) returns something other than
 * 1 (1 means "not yet"), spinning first, then sleeping an interrupt at a
 * time. Returns cond_fn's value, -ETIMEDOUT or -ECONNRESET.
 */
int loom_wait_locked(loom_device *dev, int (*cond_fn)(void *), void *arg, int64_t timeout_ns)
{
	uint64_t start = loom_time_ns();
	uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : start + (uint64_t)timeout_ns;
	int r = cond_fn(arg);

	if (r != 1)
		return r;
	/* Spin without the lock: completions usually land within microseconds. */
	if (dev->spin_us) {
		uint64_t spin_end = start + dev->spin_us * 1000ULL;

		pthread_mutex_unlock(&dev->lock);
		do {
			for (int i = 0; i < 64; i++)
				__builtin_ia32_pause();
			r = cond_fn(arg);
		} while (r == 1 && loom_time_ns() < spin_end && loom_time_ns() < deadline);
		pthread_mutex_lock(&dev->lock);
		if (r != 1)
			return r;
	}
	for (;;) {
		uint64_t now;
		struct timespec ts;

		r = cond_fn(arg);
		if (r != 1)
			return r;
		if (dev->link_dead)
			return -ECONNRESET;
		now = loom_time_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		/* Sleep at most 100 ms at a time, so nothing hangs on a lost
		 * interrupt; the condition is rechecked after every wake-up. */
		uint64_t until = deadline - now > 100000000ULL ? now + 100000000ULL : deadline;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t abs = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec + (until - now);

		ts.tv_sec = abs / 1000000000ULL;
		ts.tv_nsec = abs % 1000000000ULL;
		pthread_cond_timedwait(&dev->cond, &dev->lock, &ts);
	}
}

/* ---- interrupts and events -------------------------------------------------- */

static void eq_drain_locked(loom_device *dev)
{
	const struct loom_event *eq = (const struct loom_event *)(dev->pool + dev->eq_off);
	uint32_t pi = loom_bar_read(dev, LOOM_REG_CH(dev->channel, LOOM_CREG_EQ_PI));

	if (pi - dev->eq_ci > LOOM_EQ_ENTRIES) {
		loom_warn("device events lost: event queue overran by %u",
			  pi - dev->eq_ci - LOOM_EQ_ENTRIES);
		dev->eq_ci = pi - LOOM_EQ_ENTRIES;
	}
	while (dev->eq_ci != pi) {
		const struct loom_event *e = &eq[dev->eq_ci % LOOM_EQ_ENTRIES];
		unsigned slot = (dev->ev_head + dev->ev_count) % LOOM_EVENT_RING;
		struct loom_device_event *d = &dev->events[slot];

		if (dev->ev_count == LOOM_EVENT_RING)
			dev->ev_head = (dev->ev_head + 1) % LOOM_EVENT_RING;
		else
			dev->ev_count++;
		d->type = e->type;
		d->queue = e->queue;
		d->info = e->info;
		d->reserved = 0;
		d->addr = e->addr;
		d->timestamp_ns = e->timestamp_ns;
		if (e->type != LOOM_EVENT_HEARTBEAT)
			loom_dbg(LOOM_DBG_IRQ, "device event %s queue %u info %u addr 0x%llx",
				 loom_event_name(e->type), e->queue, e->info,
				 (unsigned long long)e->addr);
		dev->eq_ci++;
	}
}

static void *irq_thread_fn(void *arg)
{
	loom_device *dev = arg;
	struct pollfd pfd[LOOM_IRQS_PER_CHANNEL + 1];

	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
		pfd[i] = (struct pollfd){ .fd = dev->irq_fd[i], .events = POLLIN };
	pfd[LOOM_IRQS_PER_CHANNEL] = (struct pollfd){ .fd = dev->stop_fd, .events = POLLIN };
	for (;;) {
		uint64_t v;

		if (poll(pfd, LOOM_IRQS_PER_CHANNEL + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[LOOM_IRQS_PER_CHANNEL].revents)
			break;
		for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
			if (pfd[i].revents & POLLIN && read(dev->irq_fd[i], &v, sizeof(v)) < 0) {
				/* EAGAIN: another reader raced us; harmless. */
			}
		pthread_mutex_lock(&dev->lock);
		if (pfd[LOOM_IRQ_EVENT].revents & POLLIN)
			eq_drain_locked(dev);
		dev->irq_gen++;
		pthread_cond_broadcast(&dev->cond);
		pthread_mutex_unlock(&dev->lock);
	}
	return NULL;
}

LOOM_API int loom_device_events(loom_device *dev, struct loom_device_event *ev, int max)
{
	int n = 0;

	if (!dev || (max > 0 && !ev) || max < 0)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	eq_drain_locked(dev);
	while (n < max && dev->ev_count) {
		ev[n++] = dev->events[dev->ev_head];
		dev->ev_head = (dev->ev_head + 1) % LOOM_EVENT_RING;
		dev->ev_count--;
	}
	pthread_mutex_unlock(&dev->lock);
	return n;
}

/* ---- mailbox --------------------------------------------------------------- */

struct mbox_wait { loom_device *dev; uint32_t seq; };

static int mbox_done(void *arg)
{
	struct mbox_wait *w = arg;
	uint32_t ch = w->dev->channel;

	if (loom_bar_read(w->dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS)) == LOOM_MBOX_DONE &&
	    loom_bar_read(w->dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_DONE_SEQ)) == w->seq)
		return 0;
	return 1;
}

int loom_mbox_call(loom_device *dev, uint32_t cmd, const uint64_t arg[4], void *data,
		   uint32_t size)
{
	uint32_t ch = dev->channel;
	struct mbox_wait w = { dev, 0 };
	int ret;

	if (size > LOOM_MBOX_DATA_SIZE)
		return -EINVAL;
	pthread_mutex_lock(&dev->mbox_lock);
	w.seq = ++dev->mbox_seq;
	for (int i = 0; i < 4; i++) {
		uint64_t a = arg ? arg[i] : 0;

		loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 8 * i), (uint32_t)a);
		loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_ARG0 + 8 * i + 4), a >> 32);
	}
	loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_CMD), cmd);
	loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_SEQ), w.seq);
	loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_PENDING);
	loom_ring_doorbell(dev->fw_doorbell);
	pthread_mutex_lock(&dev->lock);
	ret = loom_wait_locked(dev, mbox_done, &w, 5000000000LL);
	pthread_mutex_unlock(&dev->lock);
	if (!ret) {
		ret = (int32_t)loom_bar_read(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_RESULT));
		if (!ret && data && size)
			memcpy(data, dev->bar + LOOM_REG_CH(ch, LOOM_CREG_MBOX_DATA), size);
		loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_IDLE);
	} else if (ret == -ETIMEDOUT) {
		loom_err("firmware did not answer mailbox command %u within 5 s", cmd);
		ret = -EIO;
	}
	pthread_mutex_unlock(&dev->mbox_lock);
	return ret;
}

/* ---- opening ------------------------------------------------------------------ */

static const char *socket_dir(char *buf, size_t len)
{
	const char *d = getenv("LOOM_SOCKET_DIR");

	if (d && *d)
		return d;
	d = getenv("XDG_RUNTIME_DIR");
	if (d && *d) {
		snprintf(buf, len, "%s/loom", d);
		return buf;
	}
	return "/run/loom";
}

LOOM_API int loom_device_list(char **uris, int max)
{
	const char *env = getenv("LOOM_DEVICE");
	char *names[64];
	int n = 0;

	if (max < 0 || (max > 0 && !uris))
		return -EINVAL;
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;

		if (!copy)
			return -ENOMEM;
		for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
			if (*t)
				names[n++] = strdup(t);
		free(copy);
	} else {
		char dbuf[4096], pat[4200];
		glob_t g;

		snprintf(pat, sizeof(pat), "%s/*.sock", socket_dir(dbuf, sizeof(dbuf)));
		if (glob(pat, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc && n < 64; i++) {
				char *u = malloc(strlen(g.gl_pathv[i]) + 6);

				if (u)
					sprintf(u, "unix:%s", g.gl_pathv[i]);
				names[n++] = u;
			}
			globfree(&g);
		}
		if (!n)
			names[n++] = strdup("inproc");
	}
	for (int i = 0; i < n; i++) {
		if (!names[i]) {
			for (int j = 0; j < n; j++)
				free(names[j]);
			return -ENOMEM;
		}
		if (i < max)
			uris[i] = names[i];
		else
			free(names[i]);
	}
	return n;
}

static int opts_check(const struct loom_device_opts *o)
{
	if (!o)
		return 0;
	if (o->sz < sizeof(size_t))
		return -EINVAL;
	for (size_t i = sizeof(*o); i < o->sz; i++)
		if (((const uint8_t *)o)[i])
			return -EINVAL;
	return 0;
}

static int device_attach(loom_device *dev, const struct loom_device_opts *opts)
{
	struct loom_link_msg m = { .type = LOOM_LINK_HELLO };
	int fds_in[1 + LOOM_IRQS_PER_CHANNEL], fds[LOOM_LINK_MAX_FDS];
	unsigned nfds = 0;
	int ret;

	dev->pool_size = opts && opts->sz > offsetof(struct loom_device_opts, host_pool_size) &&
			 opts->host_pool_size ? opts->host_pool_size : LOOM_DEFAULT_POOL;
	dev->pool_size = (dev->pool_size + LOOM_HUGE_SIZE - 1) & ~(LOOM_HUGE_SIZE - 1);
	dev->pool_fd = memfd_create("loom-host-pool", MFD_CLOEXEC);
	if (dev->pool_fd < 0)
		return -errno;
	if (ftruncate(dev->pool_fd, (off_t)dev->pool_size))
		return -errno;
	dev->pool = mmap(NULL, dev->pool_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, dev->pool_fd, 0);
	if (dev->pool == MAP_FAILED) {
		dev->pool = NULL;
		return -errno;
	}
	fds_in[0] = dev->pool_fd;
	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++) {
		dev->irq_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dev->irq_fd[i] < 0)
			return -errno;
		fds_in[1 + i] = dev->irq_fd[i];
	}
	m.arg[0] = LOOM_LINK_VERSION;
	m.arg[1] = dev->pool_size;
	ret = loom_link_call(dev->link, &m, fds_in, 1 + LOOM_IRQS_PER_CHANNEL, fds, &nfds);
	if (ret) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		return ret;
	}
	if (nfds < 2) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		return -EPROTO;
	}
	for (unsigned i = 2; i < nfds; i++)
		close(fds[i]);
	dev->channel = (uint32_t)m.arg[0];
	dev->asid = (uint32_t)m.arg[1];
	dev->bar_size = m.arg[2];
	dev->dram_size = m.arg[3];
	dev->fw_doorbell = fds[1];
	dev->bar = mmap(NULL, dev->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			fds[0], 0);
	close(fds[0]);
	if (dev->bar == MAP_FAILED) {
		dev->bar = NULL;
		return -errno;
	}
	if (loom_bar_read(dev, LOOM_REG_MAGIC) != LOOM_MAGIC ||
	    loom_bar_read(dev, LOOM_REG_VENDOR_ID) != LOOM_VENDOR_ID) {
		loom_err("%s: not a Loom device (magic 0x%08x)", dev->uri,
			 loom_bar_read(dev, LOOM_REG_MAGIC));
		return -ENODEV;
	}
	dev->dram = dev->bar + loom_bar_read(dev, LOOM_REG_DRAM_OFFSET);
	return 0;
}

static int eq_setup(loom_device *dev)
{
	uint32_t ch = dev->channel;
	uint64_t pa;
	int ret;

	pthread_mutex_lock(&dev->lock);
	ret = loom_pool_alloc_locked(dev, LOOM_EQ_ENTRIES * sizeof(struct loom_event),
				     LOOM_PAGE_SIZE, &dev->eq_off);
	pthread_mutex_unlock(&dev->lock);
	if (ret)
		return ret;
	pa = loom_pool_pa(dev, dev->eq_off);
	dev->eq_ci = loom_bar_read(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_PI));
	loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_LO), (uint32_t)pa);
	loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_BASE_HI), pa >> 32);
	loom_bar_write(dev, LOOM_REG_CH(ch, LOOM_CREG_EQ_SIZE), LOOM_EQ_ENTRIES);
	return 0;
}

LOOM_API loom_device *loom_device_open(const char *uri, const struct loom_device_opts *opts)
{
	loom_device *dev;
	char *list[1] = { NULL };
	const char *env = getenv("LOOM_SPIN_US");
	int ret = opts_check(opts);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	if (!uri) {
		ret = loom_device_list(list, 1);
		if (ret < 0) {
			errno = -ret;
			return NULL;
		}
		uri = list[0];
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		free(list[0]);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(dev->uri, sizeof(dev->uri), "%s", uri);
	free(list[0]);
	dev->pool_fd = dev->fw_doorbell = dev->stop_fd = -1;
	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
		dev->irq_fd[i] = -1;
	dev->spin_us = env ? (unsigned)strtoul(env, NULL, 0) : 50;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->mbox_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&dev->cond, &ca);
		pthread_condattr_destroy(&ca);
	}

	if (!strcmp(dev->uri, "inproc")) {
		struct loom_dev_config cfg = { 0 };

		if (opts && opts->sz > offsetof(struct loom_device_opts, dram_size))
			cfg.dram_size = opts->dram_size;
		dev->link = loom_link_open("inproc", &cfg);
	} else {
		dev->link = loom_link_open(dev->uri, NULL);
	}
	if (!dev->link) {
		ret = -errno;
		loom_dbg(LOOM_DBG_CORE, "%s: cannot open the device link: %s", dev->uri,
			 strerror(errno));
		goto err;
	}
	ret = device_attach(dev, opts);
	if (ret) {
		loom_err("%s: attaching to the device failed: %s", dev->uri, loom_strerror(ret));
		goto err;
	}
	ret = loom_mem_init(dev);
	if (ret)
		goto err;
	ret = eq_setup(dev);
	if (ret)
		goto err;
	dev->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (dev->stop_fd < 0) {
		ret = -errno;
		goto err;
	}
	ret = -pthread_create(&dev->irq_thread, NULL, irq_thread_fn, dev);
	if (ret)
		goto err;
	dev->irq_running = true;
	ret = loom_mbox_call(dev, LOOM_FW_CMD_GET_INFO, NULL, &dev->fw_info, sizeof(dev->fw_info));
	if (ret) {
		loom_err("%s: firmware GET_INFO failed: %s", dev->uri, loom_strerror(ret));
		goto err;
	}
	loom_dbg(LOOM_DBG_CORE, "%s: channel %u asid %u, %llu MiB DRAM", dev->uri,
		 dev->channel, dev->asid, (unsigned long long)(dev->dram_size >> 20));
	return dev;
err:
	loom_device_close(dev);
	errno = -ret;
	return NULL;
}

LOOM_API void loom_device_close(loom_device *dev)
{
	if (!dev)
		return;
	loom_streams_fini(dev);
	if (dev->irq_running) {
		loom_ring_doorbell(dev->stop_fd);
		pthread_join(dev->irq_thread, NULL);
	}
	if (dev->bar && dev->eq_off)
		loom_bar_write(dev, LOOM_REG_CH(dev->channel, LOOM_CREG_EQ_SIZE), 0);
	if (dev->link && dev->bar)
		loom_mem_fini(dev);
	if (dev->link)
		loom_link_close(dev->link);
	if (dev->bar)
		munmap(dev->bar, dev->bar_size);
	if (dev->pool)
		munmap(dev->pool, dev->pool_size);
	if (dev->pool_fd >= 0)
		close(dev->pool_fd);
	if (dev->fw_doorbell >= 0)
		close(dev->fw_doorbell);
	if (dev->stop_fd >= 0)
		close(dev->stop_fd);
	for (int i = 0; i < LOOM_IRQS_PER_CHANNEL; i++)
		if (dev->irq_fd[i] >= 0)
			close(dev->irq_fd[i]);
	pthread_mutex_destroy(&dev->lock);
	pthread_mutex_destroy(&dev->mbox_lock);
	pthread_cond_destroy(&dev->cond);
	free(dev);
}

/* ---- info and telemetry ------------------------------------------------------ */

LOOM_API int loom_device_info(loom_device *dev, struct loom_device_info *info)
{
	uint32_t caps;

	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	snprintf(info->uri, sizeof(info->uri), "%s", dev->uri);
	snprintf(info->backend, sizeof(info->backend), "direct");
	info->vendor_id = loom_bar_read(dev, LOOM_REG_VENDOR_ID);
	info->device_id = loom_bar_read(dev, LOOM_REG_DEVICE_ID);
	info->revision = loom_bar_read(dev, LOOM_REG_REVISION);
	info->fw_version = dev->fw_info.fw_version;
	memcpy(info->fw_build, dev->fw_info.build, sizeof(info->fw_build));
	info->fw_build[sizeof(info->fw_build) - 1] = 0;
	info->dram_size = dev->dram_size;
	info->num_queues = loom_bar_read(dev, LOOM_REG_NUM_QUEUES);
	info->num_dma = loom_bar_read(dev, LOOM_REG_NUM_DMA);
	info->num_mme = loom_bar_read(dev, LOOM_REG_NUM_MME);
	info->num_tpc = loom_bar_read(dev, LOOM_REG_NUM_TPC);
	info->num_sobs = loom_bar_read(dev, LOOM_REG_NUM_SOBS);
	caps = loom_bar_read(dev, LOOM_REG_CAPS);
	info->caps = (caps & LOOM_CAP_MME_BF16 ? LOOM_DEVCAP_BF16 : 0) |
		     (caps & LOOM_CAP_PAGE_2M ? LOOM_DEVCAP_PAGE_2M : 0) |
		     (caps & LOOM_CAP_TPC ? LOOM_DEVCAP_TPC : 0);
	info->channel = dev->channel;
	info->asid = dev->asid;
	info->power_default_mw = dev->fw_info.power_default_mw;
	info->power_max_mw = dev->fw_info.power_max_mw;
	info->power_idle_mw = dev->fw_info.power_idle_mw;
	info->temp_limit_mc = dev->fw_info.temp_limit_mc;
	for (int i = 0; i < 3; i++)
		info->clock_max_mhz[i] = dev->fw_info.clock_max_mhz[i];
	return 0;
}

LOOM_API int loom_device_telemetry(loom_device *dev, struct loom_telemetry *t)
{
	struct loom_fw_telemetry f;
	uint64_t used = 0, total = 0;
	struct loom_link_msg m = { .type = LOOM_LINK_QUERY };
	int ret;

	if (!dev || !t)
		return -EINVAL;
	ret = loom_mbox_call(dev, LOOM_FW_CMD_GET_TELEMETRY, NULL, &f, sizeof(f));
	if (ret)
		return ret;
	memset(t, 0, sizeof(*t));
	ret = loom_link_call(dev->link, &m, NULL, 0, NULL, NULL);
	if (!ret) {
		used = m.arg[0];
		total = m.arg[1];
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
	t->dram_used = used;
	t->dram_total = total;
	return 0;
}

LOOM_API int loom_device_set_power_limit(loom_device *dev, uint32_t mw)
{
	uint64_t arg[4] = { mw };

	if (!dev)
		return -EINVAL;
	return loom_mbox_call(dev, LOOM_FW_CMD_SET_POWER_LIMIT, arg, NULL, 0);
}
