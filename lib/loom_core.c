/* SPDX-License-Identifier: MIT */
/*
 * libloom devices, generic part: logging and error strings, the device
 * list, opening and closing through a backend, the ring of device events
 * each handle keeps, and the wait loop every blocking call uses (spin a
 * little, then sleep on the device's condition variable, which the
 * backend signals on interrupts).
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loom_internal.h"

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
	if (err == INT_MIN)
		return "unknown error";
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

/* ---- waiting ------------------------------------------------------------------- */

uint64_t loom_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * May be called with or without dev->lock held (link requests run under
 * it), so it does not take the lock: the flag is atomic, and a waiter that
 * misses the broadcast sees the flag within its 100 ms sleep slice.
 */
void loom_device_mark_dead(loom_device *dev)
{
	if (!__atomic_exchange_n(&dev->dead, true, __ATOMIC_SEQ_CST))
		loom_err("%s: the device went away", dev->uri);
	pthread_cond_broadcast(&dev->cond);
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
			for (int i = 0; i < 64; i++) {
#if defined(__x86_64__) || defined(__i386__)
				__builtin_ia32_pause();
#endif
			}
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
		if (__atomic_load_n(&dev->dead, __ATOMIC_ACQUIRE))
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

/* ---- device events --------------------------------------------------------------- */

void loom_event_push_locked(loom_device *dev, const struct loom_device_event *e)
{
	unsigned slot = (dev->ev_head + dev->ev_count) % LOOM_EVENT_RING;

	if (dev->ev_count == LOOM_EVENT_RING)
		dev->ev_head = (dev->ev_head + 1) % LOOM_EVENT_RING;	/* drop the oldest */
	else
		dev->ev_count++;
	dev->events[slot] = *e;
}

LOOM_API int loom_device_events(loom_device *dev, struct loom_device_event *ev, int max)
{
	int n = 0;

	if (!dev || (max > 0 && !ev) || max < 0)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	dev->be->events_poll(dev);
	while (n < max && dev->ev_count) {
		ev[n++] = dev->events[dev->ev_head];
		dev->ev_head = (dev->ev_head + 1) % LOOM_EVENT_RING;
		dev->ev_count--;
	}
	pthread_mutex_unlock(&dev->lock);
	return n;
}

/* ---- opening -------------------------------------------------------------------- */

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
		const char *be = getenv("LOOM_BACKEND");
		char dbuf[4096], pat[4200];
		glob_t g;

		if (be && !strcmp(be, "inproc"))
			goto none;
#ifdef LOOM_KMD_BACKEND
		/* Devices of the kernel driver first, unless the direct backend
		 * is asked for. */
		if (!be || !*be || strcmp(be, loom_direct_ops.name))
			n = loom_kmd_list(names, 64);
		if (be && !strcmp(be, loom_kmd_ops.name)) {
			if (!n)
				names[n++] = strdup("kernel");
			goto none;
		}
#endif
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
none:
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


/*
 * The backend for a URI: the kernel backend for "kernel" and
 * "/dev/accel/accelN", the direct backend for the others ("inproc",
 * "unix:PATH"). LOOM_BACKEND names one for every URI: "kernel", "direct",
 * or "inproc" (the direct backend; the default device is then in-process).
 */
static const struct loom_backend_ops *backend_for(const char *uri)
{
	const char *env = getenv("LOOM_BACKEND");

	if (env && *env) {
#ifdef LOOM_KMD_BACKEND
		if ((!strcmp(env, loom_direct_ops.name) || !strcmp(env, "inproc")) &&
		    loom_kmd_uri(uri)) {
			loom_err("%s: LOOM_BACKEND=%s: a kernel driver device", uri, env);
			return NULL;
		}
#endif
		if (!strcmp(env, loom_direct_ops.name) || !strcmp(env, "inproc"))
			return &loom_direct_ops;
#ifdef LOOM_KMD_BACKEND
		if (!strcmp(env, loom_kmd_ops.name))
			return &loom_kmd_ops;
		loom_err("%s: LOOM_BACKEND=%s: no such backend (known: %s, %s, inproc)", uri, env,
			 loom_direct_ops.name, loom_kmd_ops.name);
#else
		loom_err("%s: LOOM_BACKEND=%s: no such backend (known: %s, inproc; this "
			 "libloom was built without the kernel backend)", uri, env,
			 loom_direct_ops.name);
#endif
		return NULL;
	}
#ifdef LOOM_KMD_BACKEND
	if (loom_kmd_uri(uri))
		return &loom_kmd_ops;
#endif
	return &loom_direct_ops;
}

LOOM_API loom_device *loom_device_open(const char *uri, const struct loom_device_opts *opts)
{
	loom_device *dev;
	char *list[1] = { NULL };
	const char *env = getenv("LOOM_SPIN_US");
	pthread_condattr_t ca;
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
	dev->spin_us = env ? (unsigned)strtoul(env, NULL, 0) : 50;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&dev->cond, &ca);
	pthread_condattr_destroy(&ca);
	dev->be = backend_for(dev->uri);
	ret = dev->be ? dev->be->open(dev, opts) : -ENODEV;
	if (ret) {
		pthread_mutex_destroy(&dev->lock);
		pthread_cond_destroy(&dev->cond);
		free(dev);
		errno = -ret;
		return NULL;
	}
	loom_dbg(LOOM_DBG_CORE, "%s: opened with the %s backend", dev->uri, dev->be->name);
	return dev;
}

LOOM_API void loom_device_close(loom_device *dev)
{
	if (!dev)
		return;
	loom_events_fini(dev);
	loom_streams_fini(dev);
	loom_cmdbufs_fini(dev);
	while (dev->nallocs)
		loom_mem_free(dev, dev->allocs[dev->nallocs - 1].va);
	dev->be->close(dev);
	free(dev->allocs);
	free(dev->streams);
	free(dev->cmdbufs);
	pthread_mutex_destroy(&dev->lock);
	pthread_cond_destroy(&dev->cond);
	free(dev);
}

/* ---- info and telemetry ---------------------------------------------------------- */

LOOM_API int loom_device_info(loom_device *dev, struct loom_device_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	snprintf(info->uri, sizeof(info->uri), "%s", dev->uri);
	snprintf(info->backend, sizeof(info->backend), "%s", dev->be->name);
	return dev->be->info(dev, info);
}

LOOM_API int loom_device_telemetry(loom_device *dev, struct loom_telemetry *t)
{
	if (!dev || !t)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	return dev->be->telemetry(dev, t);
}

void loom_proc_comm(uint32_t pid, char *name, size_t size)
{
	char path[64];
	FILE *f;

	name[0] = '\0';
	if (!pid)
		return;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(name, (int)size, f))
		name[strcspn(name, "\n")] = '\0';
	fclose(f);
}

LOOM_API int loom_device_processes(loom_device *dev, struct loom_process *out, int max)
{
	if (!dev || max < 0 || (max && !out))
		return -EINVAL;
	if (max)
		memset(out, 0, (size_t)max * sizeof(*out));
	return dev->be->processes(dev, out, max);
}

LOOM_API int loom_device_set_power_limit(loom_device *dev, uint32_t mw)
{
	if (!dev)
		return -EINVAL;
	return dev->be->set_power_limit(dev, mw);
}
