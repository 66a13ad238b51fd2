/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend's device part: finding and opening the Loom accel
 * node (DRM_IOCTL_VERSION names the driver "loom"), the static facts and
 * the telemetry from the driver's INFO queries, the power limit through
 * its hwmon device, and the device events the driver keeps for this file
 * (an eventfd it signals, then DRM_IOCTL_LOOM_EVENTFD's READ).
 *
 * Where the driver does not answer a query (an older loom.ko), the call
 * that needs it fails with -EOPNOTSUPP; nothing is made up.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "loom_kmd.h"

int loom_kmd_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : ret;
}

int loom_kmd_err(loom_device *dev, int ret)
{
	if (ret == -ENODEV) {
		loom_device_mark_dead(dev);
		return -ECONNRESET;
	}
	return ret;
}

/* ---- finding the node --------------------------------------------------------- */

/* 0 if fd is a loom.ko node (major version in *major), else a negative errno. */
static int node_check(int fd, int *major)
{
	char name[16] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	int ret = loom_kmd_ioctl(fd, DRM_IOCTL_VERSION, &v);

	if (ret)
		return ret == -EINVAL || ret == -ENOTTY ? -ENODEV : ret;
	name[sizeof(name) - 1] = 0;
	if (v.name_len != strlen("loom") || strcmp(name, "loom"))
		return -ENODEV;
	if (major)
		*major = v.version_major;
	return 0;
}

static int node_num(const char *path)
{
	const char *p = strrchr(path, '/');

	return p && !strncmp(p + 1, "accel", 5) ? atoi(p + 6) : 0;
}

static int node_cmp(const void *a, const void *b)
{
	return node_num(*(char *const *)a) - node_num(*(char *const *)b);
}

/*
 * Is the node's driver loom.ko? sysfs says so without opening the node (an
 * open makes the driver set up a context); else DRM_IOCTL_VERSION.
 */
static bool node_is_loom(const char *path)
{
	char link[256], target[256];
	const char *base = strrchr(path, '/');
	ssize_t len;
	bool yes;
	int fd;

	snprintf(link, sizeof(link), "/sys/class/accel/%s/device/driver", base ? base + 1 : path);
	len = readlink(link, target, sizeof(target) - 1);
	if (len > 0) {
		target[len] = 0;
		base = strrchr(target, '/');
		return !strcmp(base ? base + 1 : target, "loom");
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	yes = !node_check(fd, NULL);
	close(fd);
	return yes;
}

int loom_kmd_list(char **names, int max)
{
	glob_t g;
	int n = 0;

	if (glob("/dev/accel/accel*", 0, NULL, &g))
		return 0;
	qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), node_cmp);
	for (size_t i = 0; i < g.gl_pathc && n < max; i++) {
		if (!node_is_loom(g.gl_pathv[i]))
			continue;
		names[n] = strdup(g.gl_pathv[i]);
		if (names[n])
			n++;
	}
	globfree(&g);
	return n;
}

bool loom_kmd_uri(const char *uri)
{
	return !strcmp(uri, "kernel") || !strncmp(uri, "/dev/accel/", 11);
}

/* ---- INFO ------------------------------------------------------------------------- */

/* One query into buf; -EOPNOTSUPP if the driver does not know it. */
static int kmd_query(loom_device *dev, uint32_t query, void *buf, uint32_t size)
{
	struct drm_loom_info q = {
		.query = query, .data_ptr = (uintptr_t)buf, .data_size = size,
	};
	int ret;

	memset(buf, 0, size);
	ret = loom_kmd_ioctl(loom_kmd(dev)->fd, DRM_IOCTL_LOOM_INFO, &q);
	if (ret == -EINVAL)
		return -EOPNOTSUPP;
	return loom_kmd_err(dev, ret);
}

static int kmd_info(loom_device *dev, struct loom_device_info *info)
{
	struct drm_loom_info_hw_ip hw;
	struct drm_loom_info_power pw;
	struct drm_loom_info_temperature tm;
	struct drm_loom_info_clocks ck;
	int ret = kmd_query(dev, DRM_LOOM_INFO_HW_IP, &hw, sizeof(hw));

	if (ret)
		return ret;
	info->vendor_id = hw.vendor_id;
	info->device_id = hw.device_id;
	info->revision = hw.revision;
	info->fw_version = hw.fw_version;
	info->dram_size = hw.dram_size;
	info->num_queues = hw.num_queues;
	info->num_dma = hw.num_dma;
	info->num_mme = hw.num_mme;
	info->num_tpc = hw.num_tpc;
	info->num_sobs = hw.num_sobs;
	info->caps = (hw.caps & DRM_LOOM_CAP_MME_BF16 ? LOOM_DEVCAP_BF16 : 0) |
		     (hw.caps & DRM_LOOM_CAP_PAGE_2M ? LOOM_DEVCAP_PAGE_2M : 0) |
		     (hw.caps & DRM_LOOM_CAP_TPC ? LOOM_DEVCAP_TPC : 0);
	/* The kernel driver is the device's channel 0; it does not tell
	 * userspace its context's ASID (0: unknown). */
	info->channel = 0;
	info->asid = 0;
	/* Limits, where the driver reports them. */
	if (!kmd_query(dev, DRM_LOOM_INFO_POWER, &pw, sizeof(pw))) {
		info->power_default_mw = pw.default_limit_mw;
		info->power_max_mw = pw.max_limit_mw;
		info->power_idle_mw = pw.idle_mw;
	}
	if (!kmd_query(dev, DRM_LOOM_INFO_TEMPERATURE, &tm, sizeof(tm)))
		info->temp_limit_mc = (int32_t)(tm.limit_mk - DRM_LOOM_MK_0C);
	if (!kmd_query(dev, DRM_LOOM_INFO_CLOCKS, &ck, sizeof(ck)))
		for (unsigned i = 0; i < 3 && i < ck.num_clocks; i++)
			info->clock_max_mhz[i] = ck.max_mhz[i];
	return 0;
}

static int kmd_telemetry(loom_device *dev, struct loom_telemetry *t)
{
	struct drm_loom_info_power pw;
	struct drm_loom_info_energy en;
	struct drm_loom_info_temperature tm;
	struct drm_loom_info_clocks ck;
	struct drm_loom_info_utilization ut;
	struct drm_loom_info_throttle th;
	struct drm_loom_info_device_status st;
	struct drm_loom_info_reset_count rc;
	struct drm_loom_info_hw_events ev;
	struct drm_loom_info_dram_usage du;
	int ret;

	if ((ret = kmd_query(dev, DRM_LOOM_INFO_POWER, &pw, sizeof(pw))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_ENERGY, &en, sizeof(en))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_TEMPERATURE, &tm, sizeof(tm))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_CLOCKS, &ck, sizeof(ck))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_UTILIZATION, &ut, sizeof(ut))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_THROTTLE, &th, sizeof(th))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_DEVICE_STATUS, &st, sizeof(st))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_HW_EVENTS, &ev, sizeof(ev))) ||
	    (ret = kmd_query(dev, DRM_LOOM_INFO_DRAM_USAGE, &du, sizeof(du))))
		return ret;
	t->timestamp_ns = en.timestamp_ns;
	t->energy_mj = en.energy_mj;
	t->power_mw = pw.power_mw;
	t->power_peak_mw = pw.peak_mw;
	t->power_limit_mw = pw.limit_mw;
	t->throttle_reasons = (th.reasons & DRM_LOOM_THROTTLE_POWER ?
			       LOOM_THROTTLE_REASON_POWER : 0) |
			      (th.reasons & DRM_LOOM_THROTTLE_THERMAL ?
			       LOOM_THROTTLE_REASON_THERMAL : 0);
	for (unsigned i = 0; i < 4 && i < tm.num_sensors; i++)
		t->temp_mc[i] = (int32_t)(tm.temp_mk[i] - DRM_LOOM_MK_0C);	/* mK to m°C */
	t->temp_peak_mc = (int32_t)(tm.peak_mk - DRM_LOOM_MK_0C);
	for (unsigned i = 0; i < 3 && i < ck.num_clocks; i++)
		t->clock_mhz[i] = ck.cur_mhz[i];
	/* DRM_LOOM_ENGINE_* and LOOM_ENG_* are both DMA, MME, TPC, CP. */
	for (unsigned i = 0; i < LOOM_ENG_COUNT && i < ut.num_engines; i++) {
		t->util_pct[i] = ut.util_pct[i];
		t->busy_ns[i] = ut.busy_ns[i];
	}
	/* Throttle history: index 0 power, 1 thermal, as the reasons' bits. */
	for (unsigned i = 0; i < 2 && i < th.num_reasons; i++) {
		t->throttle_start_ns[i] = th.start_ns[i];
		t->throttle_end_ns[i] = th.end_ns[i];
		t->throttle_total_ns[i] = th.total_ns[i];
	}
	/* flops and dma_bytes: the driver does not report them (0). */
	t->heartbeat = st.heartbeat;
	t->reset_count = rc.device_resets;
	t->ecc_correctable = (uint32_t)ev.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE];
	t->ecc_uncorrectable = (uint32_t)ev.counts[DRM_LOOM_EVENT_ECC_UNCORRECTABLE];
	t->dram_used = du.dram_used;
	t->dram_total = du.dram_size;
	/* drivers: the kernel driver does not know who else uses the device. */
	return 0;
}

/* The hwmon attribute name of the device's hwmon directory, or -EOPNOTSUPP. */
static int hwmon_path(loom_device *dev, const char *attr, char *buf, size_t len)
{
	const char *n = strrchr(loom_kmd(dev)->node, '/');
	char pat[256];
	glob_t g;
	int ret = -EOPNOTSUPP;

	snprintf(pat, sizeof(pat), "/sys/class/accel/%s/device/hwmon/hwmon*/%s", n ? n + 1 : "",
		 attr);
	if (glob(pat, 0, NULL, &g))
		return ret;
	if (g.gl_pathc) {
		snprintf(buf, len, "%s", g.gl_pathv[0]);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

static int kmd_set_power_limit(loom_device *dev, uint32_t mw)
{
	struct drm_loom_info_power pw;
	char path[512], val[32];
	int fd, ret, len;

	ret = kmd_query(dev, DRM_LOOM_INFO_POWER, &pw, sizeof(pw));
	if (ret)
		return ret;
	if (!mw)
		mw = pw.default_limit_mw;
	if (mw < pw.min_limit_mw || mw > pw.max_limit_mw)
		return -EINVAL;
	ret = hwmon_path(dev, "power1_cap", path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(val, sizeof(val), "%llu\n", (unsigned long long)mw * 1000);
	ret = write(fd, val, (size_t)len) == len ? 0 : -errno;
	close(fd);
	return ret;
}

/* ---- events (dev->lock held) ----------------------------------------------------- */

static void kmd_events_poll(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct drm_loom_event rec[16];
	uint64_t cnt;

	if (k->event_fd < 0)
		return;
	/* The driver signals the eventfd when it adds to the file's list:
	 * nothing counted, nothing to read, no system call beyond this one. */
	if (read(k->event_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	for (;;) {
		struct drm_loom_eventfd r = {
			.op = DRM_LOOM_EVENTFD_OP_READ, .count = 16,
			.events_ptr = (uintptr_t)rec,
		};

		if (loom_kmd_err(dev, loom_kmd_ioctl(k->fd, DRM_IOCTL_LOOM_EVENTFD, &r)))
			return;
		if (r.lost)
			loom_warn("%s: %u device events lost: the driver's list overran",
				  dev->uri, r.lost);
		for (uint32_t i = 0; i < r.count && i < 16; i++) {
			struct loom_device_event e = {
				.type = rec[i].type, .queue = rec[i].queue, .info = rec[i].info,
				.addr = rec[i].addr, .timestamp_ns = rec[i].timestamp_ns,
			};

			loom_event_push_locked(dev, &e);
			loom_dbg(LOOM_DBG_IRQ, "device event %s queue %u info %u addr 0x%llx",
				 loom_event_name(e.type), e.queue, e.info,
				 (unsigned long long)e.addr);
		}
		if (!r.pending || !r.count)
			return;
	}
}

static void events_setup(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);
	struct drm_loom_eventfd r = { .op = DRM_LOOM_EVENTFD_OP_REGISTER };
	int ret;

	k->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (k->event_fd < 0)
		return;
	r.fd = (uint32_t)k->event_fd;
	ret = loom_kmd_ioctl(k->fd, DRM_IOCTL_LOOM_EVENTFD, &r);
	if (ret) {
		loom_dbg(LOOM_DBG_CORE, "%s: no device events from the driver: %s", dev->uri,
			 loom_strerror(ret));
		close(k->event_fd);
		k->event_fd = -1;
		return;
	}
	/* Events from before the registration, if any, are read at the first poll. */
	{
		uint64_t one = 1;

		if (write(k->event_fd, &one, sizeof(one)) < 0) {
			/* Cannot fail on a fresh eventfd. */
		}
	}
}

/* ---- open and close ---------------------------------------------------------------- */

static void kmd_close(loom_device *dev)
{
	struct loom_kmd *k = loom_kmd(dev);

	if (!k)
		return;
	if (k->fd >= 0)
		loom_kmd_mem_fini(dev);
	if (k->event_fd >= 0)
		close(k->event_fd);
	if (k->fd >= 0)
		close(k->fd);	/* the driver frees what the file still holds */
	pthread_mutex_destroy(&k->mem_lock);
	free(k);
	dev->drv = NULL;
}

static int kmd_open(loom_device *dev, const struct loom_device_opts *opts)
{
	struct loom_kmd *k = calloc(1, sizeof(*k));
	int ret, major = 0;

	(void)opts;	/* the device's DRAM is what it is; pinned memory grows on demand */
	if (!k)
		return -ENOMEM;
	dev->drv = k;
	k->fd = k->event_fd = -1;
	pthread_mutex_init(&k->mem_lock, NULL);
	if (!strcmp(dev->uri, "kernel")) {
		char *n[1];

		if (loom_kmd_list(n, 1) < 1) {
			loom_dbg(LOOM_DBG_CORE, "kernel: no Loom accel node");
			ret = -ENOENT;
			goto err;
		}
		snprintf(k->node, sizeof(k->node), "%s", n[0]);
		free(n[0]);
	} else if (!strncmp(dev->uri, "/dev/accel/", 11) && strlen(dev->uri) < sizeof(k->node)) {
		snprintf(k->node, sizeof(k->node), "%s", dev->uri);
	} else {
		loom_err("%s: the kernel backend opens \"kernel\" or /dev/accel/accelN", dev->uri);
		ret = -ENODEV;
		goto err;
	}
	k->fd = open(k->node, O_RDWR | O_CLOEXEC);
	if (k->fd < 0) {
		ret = -errno;
		loom_dbg(LOOM_DBG_CORE, "%s: %s", k->node, loom_strerror(ret));
		goto err;
	}
	ret = node_check(k->fd, &major);
	if (ret) {
		loom_err("%s: not a Loom accel node", k->node);
		goto err;
	}
	if (major != DRM_LOOM_DRIVER_MAJOR) {
		loom_err("%s: loom.ko speaks uAPI %d, this library %d", k->node, major,
			 DRM_LOOM_DRIVER_MAJOR);
		ret = -EPROTO;
		goto err;
	}
	ret = kmd_query(dev, DRM_LOOM_INFO_HW_IP, &k->hw, sizeof(k->hw));
	if (ret) {
		loom_err("%s: INFO HW_IP failed: %s", k->node, loom_strerror(ret));
		goto err;
	}
	ret = loom_kmd_mem_init(dev);
	if (ret)
		goto err;
	events_setup(dev);
	loom_dbg(LOOM_DBG_CORE, "%s: %s, %llu MiB DRAM, events %s", dev->uri, k->node,
		 (unsigned long long)(k->hw.dram_size >> 20), k->event_fd >= 0 ? "on" : "off");
	return 0;
err:
	kmd_close(dev);
	return ret;
}

const struct loom_backend_ops loom_kmd_ops = {
	.name = "kernel",
	.open = kmd_open,
	.close = kmd_close,
	.info = kmd_info,
	.telemetry = kmd_telemetry,
	.processes = kmd_processes,
	.set_power_limit = kmd_set_power_limit,
	.events_poll = kmd_events_poll,
	.mem_alloc = loom_kmd_mem_alloc,
	.mem_free = loom_kmd_mem_free,
	.mem_export = loom_kmd_mem_export,
	.mem_import = loom_kmd_mem_import,
	.host_alloc = loom_kmd_host_alloc,
	.host_free = loom_kmd_host_free,
	.host_va = loom_kmd_host_va,
	.queue_create = loom_kmd_queue_create,
	.queue_destroy = loom_kmd_queue_destroy,
	.submit = loom_kmd_submit,
	.done = loom_kmd_done,
	.status = loom_kmd_status,
	.wait_pkt = loom_kmd_wait_pkt,
	.cb_max = LOOM_KMD_CB_MAX,
};
