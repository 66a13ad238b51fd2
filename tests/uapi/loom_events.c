// SPDX-License-Identifier: MIT
/*
 * loom_events: DRM_IOCTL_LOOM_EVENTFD and the device events it delivers
 * (device-wide and per-context events, page faults, READ order, the
 * overflow of a file's list and of the driver's event queue, a device
 * reset), its bad arguments, and everything at once from several
 * processes, run in the QEMU guest against loom.ko and a loomd serving
 * the device (vm/run.sh). Events are provoked through the debugfs file
 * inject_event (an ECC event, the firmware's INJECT_EVENT) and, where the
 * submission ioctls exist, by a DMA to an unmapped address (a real page
 * fault).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw/loom_fw.h"
#include "hw/loom_packets.h"
#include "hw/loom_regs.h"

#include "loom_info_common.h"

/* ---- helpers --------------------------------------------------------------- */

/* Post an ECC event through debugfs (device-wide with asid 0). */
static void inject_ecc(int fd, uint32_t type, uint32_t asid)
{
	char dir[256], path[600], cmd[32];
	int r;

	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/inject_event", dir);
	snprintf(cmd, sizeof(cmd), "%u %u\n", type, asid);
	r = loom_write_file(path, cmd);
	if (r)
		loom_igt_fail(__FILE__, __LINE__, "write '%u %u' to %s: %s", type, asid, path,
			      strerror(-r));
}

/* ---- events ------------------------------------------------------------------ */

static void test_eventfd_device_event(void)
{
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_info_hw_ip ip;
	struct drm_loom_event e;
	int fd = loom_open(), fd2 = loom_open();
	int efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);

	loom_assert(efd >= 0 && efd2 >= 0);
	info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip));
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	loom_assert_eq(__eventfd_register(fd2, efd2), 0);
	events_drain(fd);
	events_drain(fd2);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));

	/* A device-wide event reaches every file. */
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(eventfd_wait(efd2, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_CORRECTABLE, ~0ULL, &e));
	loom_assert_eq(e.flags, DRM_LOOM_EVENT_F_DEVICE);
	loom_assert_eq(e.queue, DRM_LOOM_EVENT_QUEUE_NONE);
	loom_assert(e.addr < ip.dram_size);
	loom_assert(e.timestamp_ns > 0);
	loom_assert(events_find(fd2, DRM_LOOM_EVENT_ECC_CORRECTABLE, e.addr, &e));

	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	loom_assert_eq(h2.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE],
		       h.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE] + 1);

	/* Unregistered: the event is still listed, nobody is signalled. */
	loom_assert_eq(__eventfd_unregister(fd), 0);
	inject_ecc(fd, LOOM_EVENT_ECC_UNCORRECTABLE, 0);
	loom_assert(eventfd_wait(efd2, 5000) >= 1);
	loom_assert_eq(eventfd_wait(efd, 200), 0);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_UNCORRECTABLE, ~0ULL, &e));
	close(efd);
	close(efd2);
	close(fd2);
	close(fd);
}

/* This file's ASID, from debugfs "contexts" (pid=PID in the owner column). */
static unsigned own_asid(int fd, pid_t pid)
{
	char dir[256], path[600], buf[8192], key[32];
	char *line, *save;

	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/contexts", dir);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	snprintf(key, sizeof(key), "pid=%d(", pid);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned asid, enabled;

		if (!strstr(line, key) || sscanf(line, "%u %u", &asid, &enabled) != 2)
			continue;
		if (!enabled)
			loom_skip("the file's context (ASID %u) is not enabled on the device", asid);
		return asid;
	}
	loom_skip("no ASID of pid %d in %s", pid, path);
}

static void test_eventfd_context_event(void)
{
	struct drm_loom_event e;
	pid_t pid;
	int fd, efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);
	int up[2], down[2];
	char c = 0;
	unsigned asid;

	loom_assert(efd >= 0 && efd2 >= 0);
	/* The other file belongs to another process, so ASIDs tell them apart. */
	loom_assert_eq(pipe(up), 0);
	loom_assert_eq(pipe(down), 0);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		int cfd = loom_open();

		alarm(20);
		loom_assert_eq(__eventfd_register(cfd, efd2), 0);
		events_drain(cfd);
		loom_assert_eq(write(up[1], "r", 1), 1);
		/* Wait until the parent got its event, then report what reached us. */
		loom_assert_eq(read(down[0], &c, 1), 1);
		_exit(events_find(cfd, DRM_LOOM_EVENT_ECC_UNCORRECTABLE, ~0ULL, &e) ? 3 : 0);
	}
	fd = loom_open();
	loom_assert_eq(read(up[0], &c, 1), 1);
	asid = own_asid(fd, getpid());
	loom_assert(asid >= 1 && asid < LOOM_NUM_ASIDS);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	inject_ecc(fd, LOOM_EVENT_ECC_UNCORRECTABLE, asid);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_UNCORRECTABLE, ~0ULL, &e));
	loom_assert_eq(e.flags, 0);
	/* The child's file (another context) must not have got it. */
	loom_assert_eq(write(down[1], "g", 1), 1);
	{
		int status;

		loom_assert_eq(waitpid(pid, &status, 0), pid);
		loom_assert(WIFEXITED(status));
		loom_assert_eq(WEXITSTATUS(status), 0);
	}
	close(fd);
	close(efd);
	close(efd2);
}

/* A new queue on fd, or SKIP (why: what the missing queue prevents). */
static void queue_create_or_skip(int fd, struct drm_loom_queue_create *qc, const char *why)
{
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, qc);

	if (r == -EINVAL || r == -ENOTTY || r == -EOPNOTSUPP)
		loom_skip("no submission in this driver (QUEUE_CREATE: %s): cannot provoke %s",
			  strerror(-r), why);
	loom_assert_eq(r, 0);
}

/* Submit the one packet pkt on queue and WAIT up to timeout_ns: WAIT's result. */
static int submit_wait(int fd, uint32_t queue, const void *pkt, uint32_t size,
		       uint64_t timeout_ns, struct drm_loom_wait *w)
{
	struct drm_loom_submit s = { .queue_id = queue, .cb_ptr = (uintptr_t)pkt,
				     .cb_size = size };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), 0);
	*w = (struct drm_loom_wait){ .queue_id = queue, .seq = s.seq, .timeout_ns = timeout_ns };
	return __loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, w);
}

static void test_eventfd_page_fault(void)
{
	/* A DMA fill of 4 KiB at a VA nothing is bound to. */
	const uint64_t va = 0x40000000ULL;
	struct loom_pkt_lin_dma pkt = {
		.header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(struct loom_pkt_lin_dma) / 4),
		.flags = LOOM_DMA_F_MEMSET,
		.src = 0xdeadbeef,
		.dst = va,
		.size = 4096,
	};
	struct drm_loom_queue_create qc = {};
	struct drm_loom_wait w = {};
	struct drm_loom_info_hw_events h;
	struct drm_loom_info_reset_count rc, rc2;
	struct drm_loom_event e;
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), r;

	loom_assert(efd >= 0);
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc));
	queue_create_or_skip(fd, &qc, "a page fault");
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	r = submit_wait(fd, qc.queue_id, &pkt, sizeof(pkt), 10000000000ULL, &w);
	loom_assert(r == 0 || r == -EIO);
	loom_assert_eq(w.status, LOOM_ERR_PAGE_FAULT);

	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_PAGE_FAULT, va, &e));
	loom_assert_eq(e.info, DRM_LOOM_FAULT_NOT_PRESENT);
	loom_assert_eq(e.flags, 0);
	loom_assert(e.queue < LOOM_NUM_QUEUES);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));
	loom_assert_eq(h.pf_count, 1);
	loom_assert_eq(h.pf_va, va);
	loom_assert_eq(h.pf_cause, DRM_LOOM_FAULT_NOT_PRESENT);
	loom_assert_eq(h.pf_queue, e.queue);
	loom_assert_eq(h.pf_timestamp_ns, e.timestamp_ns);
	/* The driver resets the halted queue (its own work item: give it time). */
	for (int i = 0; i < 50; i++) {
		info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc2, sizeof(rc2));
		if (rc2.queue_resets > rc.queue_resets)
			break;
		sleep_ms(100);
	}
	loom_assert(rc2.queue_resets > rc.queue_resets);
	loom_assert_eq(rc2.device_resets, rc.device_resets);
	close(efd);
	close(fd);
}

static void test_eventfd_read(void)
{
	struct drm_loom_event ev[4];
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_READ };
	uint32_t lost;
	int fd = loom_open();

	events_drain(fd);
	/* count 0: only reports what is pending. */
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.count, 0);
	loom_assert_eq(a.pending, 0);
	/* Three device-wide events, read one at a time, oldest first. */
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	inject_ecc(fd, LOOM_EVENT_ECC_UNCORRECTABLE, 0);
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	for (int i = 0; i < 50; i++) {
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
		loom_assert_eq(eventfd_args(fd, &a), 0);
		if (a.pending >= 3)
			break;
		sleep_ms(100);
	}
	loom_assert(a.pending >= 3);
	loom_assert_eq(events_read(fd, ev, 1, &lost), 1);
	loom_assert_eq(lost, 0);
	loom_assert_eq(ev[0].type, DRM_LOOM_EVENT_ECC_CORRECTABLE);
	loom_assert_eq(events_read(fd, ev + 1, 1, NULL), 1);
	loom_assert_eq(ev[1].type, DRM_LOOM_EVENT_ECC_UNCORRECTABLE);
	loom_assert(ev[1].timestamp_ns >= ev[0].timestamp_ns);

	/* A bad pointer keeps the records in the list. */
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ, .count = 4, .events_ptr = 8 };
	loom_assert_err(eventfd_args(fd, &a), EFAULT);
	loom_assert_eq(events_read(fd, ev + 2, 1, NULL), 1);
	loom_assert_eq(ev[2].type, DRM_LOOM_EVENT_ECC_CORRECTABLE);
	close(fd);
}

static void test_eventfd_overflow(void)
{
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_READ };
	struct drm_loom_event ev[DRM_LOOM_EVENT_QUEUE_DEPTH];
	unsigned n = DRM_LOOM_EVENT_QUEUE_DEPTH + 5, lost = 0;
	int fd = loom_open();

	events_drain(fd);
	for (unsigned i = 0; i < n; i++)
		inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	/* Each OP_READ reports the drops since the previous one: add them up. */
	for (int i = 0; i < 50; i++) {
		loom_assert_eq(eventfd_args(fd, &a), 0);
		lost += a.lost;
		if (a.pending == DRM_LOOM_EVENT_QUEUE_DEPTH && lost >= 5)
			break;
		sleep_ms(100);
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
	}
	/* The list keeps the oldest DEPTH records and counts the rest as lost. */
	loom_assert_eq(a.pending, DRM_LOOM_EVENT_QUEUE_DEPTH);
	loom_assert(lost >= 5);
	a = (struct drm_loom_eventfd){
		.op = DRM_LOOM_EVENTFD_OP_READ, .count = DRM_LOOM_EVENT_QUEUE_DEPTH,
		.events_ptr = (uintptr_t)ev,
	};
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.count, DRM_LOOM_EVENT_QUEUE_DEPTH);
	for (unsigned i = 1; i < a.count; i++)
		loom_assert(ev[i].timestamp_ns >= ev[i - 1].timestamp_ns);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.lost, 0);
	close(fd);
}

/*
 * The driver's own event queue (256 records) overflows when it is not read
 * (debugfs eq_hold): the overwritten records are counted as lost, the
 * newest 256 are read.
 */
static void test_eq_overflow(void)
{
	const unsigned n = 300;
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_eventfd a = { .op = DRM_LOOM_EVENTFD_OP_READ };
	char dir[256], hold[320], inject[320];
	unsigned failed = 0;
	uint64_t got, lost;
	int fd = loom_open(), r;

	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(hold, sizeof(hold), "%s/eq_hold", dir);
	snprintf(inject, sizeof(inject), "%s/inject_event", dir);
	events_drain(fd);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));
	loom_assert_eq(loom_write_file(hold, "1"), 0);
	/* No assertion until the queue is released again. */
	for (unsigned i = 0; i < n; i++)
		failed += loom_write_file(inject, "4 0") != 0;
	r = loom_write_file(hold, "0");
	loom_assert_eq(r, 0);
	loom_assert_eq(failed, 0);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	got = h2.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE] - h.counts[DRM_LOOM_EVENT_ECC_CORRECTABLE];
	lost = h2.lost - h.lost;
	/* Heartbeats came in meanwhile too: at least n - 256 records were lost. */
	loom_assert(lost >= n - 256);
	loom_assert(got <= 256);
	loom_assert(got + lost >= n);
	loom_assert(h2.total - h.total >= 256 && h2.total - h.total <= 258);
	/* The file's list took what it could and counted the rest. */
	loom_assert_eq(eventfd_args(fd, &a), 0);
	loom_assert_eq(a.pending, DRM_LOOM_EVENT_QUEUE_DEPTH);
	loom_assert(a.lost >= got - DRM_LOOM_EVENT_QUEUE_DEPTH);
	close(fd);
}

static void test_eventfd_close_registered(void)
{
	int fd = loom_open(), fd2 = loom_open(), efd = eventfd(0, EFD_CLOEXEC);

	loom_assert(efd >= 0);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	/* The file goes first: it drops its reference; the eventfd stays usable. */
	close(fd);
	inject_ecc(fd2, LOOM_EVENT_ECC_CORRECTABLE, 0);
	loom_assert_eq(eventfd_wait(efd, 300), 0);
	close(efd);
	close(fd2);
	/* Now the eventfd goes first, the registration holds it. */
	fd = loom_open();
	efd = eventfd(0, EFD_CLOEXEC);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	close(efd);
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, 0);
	sleep_ms(200);
	loom_assert_eq(__eventfd_unregister(fd), 0);
	close(fd);
}

/*
 * A device reset (debugfs reset_device, the submission code's recovery):
 * the counters, sysfs and a device-wide RESET event follow; the file's
 * context keeps getting its own events afterwards.
 */
/* ---- hangs --------------------------------------------------------------------- */

#define JOB_TIMEOUT_PATH	"/sys/module/loom/parameters/job_timeout_ms"

static char saved_job_timeout[32];

static void restore_job_timeout(void)
{
	if (saved_job_timeout[0])
		loom_write_file(JOB_TIMEOUT_PATH, saved_job_timeout);
}

/* Lower loom.job_timeout_ms to ms until the subtest ends, or skip. */
static void short_job_timeout(unsigned ms)
{
	char buf[32];

	if (loom_read_file(JOB_TIMEOUT_PATH, saved_job_timeout, sizeof(saved_job_timeout)))
		loom_skip("no %s", JOB_TIMEOUT_PATH);
	atexit(restore_job_timeout);	/* a failed assertion exits through exit() */
	snprintf(buf, sizeof(buf), "%u", ms);
	loom_assert_eq(loom_write_file(JOB_TIMEOUT_PATH, buf), 0);
}

/*
 * A job that WAITs on its own queue's SOB for a value it never reaches
 * (the device's watchdog: wait_ms), on a new queue of fd; its status.
 * *sob is the queue's SOB, which is its hardware queue.
 */
static uint32_t run_hang(int fd, uint32_t wait_ms, uint32_t *sob)
{
	struct drm_loom_queue_create qc = {};
	struct loom_pkt_wait pkt = {
		.header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, sizeof(struct loom_pkt_wait) / 4),
		.target = 0x40000000,
		.timeout_ms = wait_ms,
	};
	struct drm_loom_wait w = {};

	queue_create_or_skip(fd, &qc, "a hang");
	*sob = qc.sob;
	pkt.sob = qc.sob;
	loom_assert_eq(submit_wait(fd, qc.queue_id, &pkt, sizeof(pkt), 30000000000ULL, &w), 0);
	return w.status;
}

/* The hang's event reached fd's eventfd, naming queue sob; none reached fd2. */
static void check_hang_event(int fd, int efd, int fd2, uint32_t sob, struct drm_loom_event *e)
{
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_HANG, ~0ULL, e));
	loom_assert_eq(e->queue, sob);
	loom_assert_eq(e->info, LOOM_ERR_TIMEOUT);
	loom_assert_eq(e->flags, 0);
	loom_assert(e->timestamp_ns > 0);
	/* A context's event: not another file's. */
	loom_assert(!events_find(fd2, DRM_LOOM_EVENT_HANG, ~0ULL, e));
}

static void test_eventfd_hang_driver(void)
{
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_event e;
	int fd = loom_open(), fd2 = loom_open(), efd = eventfd(0, EFD_CLOEXEC);
	uint32_t sob;

	loom_assert(efd >= 0);
	short_job_timeout(500);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	events_drain(fd2);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));
	/* The device's watchdog (60 s) would come far too late: the driver's ends it. */
	loom_assert_eq(run_hang(fd, 60000, &sob), LOOM_ERR_TIMEOUT);
	check_hang_event(fd, efd, fd2, sob, &e);
	loom_assert_eq(e.addr, 0);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	loom_assert_eq(h2.counts[DRM_LOOM_EVENT_HANG], h.counts[DRM_LOOM_EVENT_HANG] + 1);
	close(efd);
	close(fd2);
	close(fd);
}

static void test_eventfd_hang_device(void)
{
	struct drm_loom_event e;
	int fd = loom_open(), fd2 = loom_open(), efd = eventfd(0, EFD_CLOEXEC);
	uint32_t sob;

	loom_assert(efd >= 0);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	events_drain(fd2);
	/* The packet's own watchdog (100 ms), well before the driver's. */
	loom_assert_eq(run_hang(fd, 100, &sob), LOOM_ERR_TIMEOUT);
	check_hang_event(fd, efd, fd2, sob, &e);
	/* The device names the WAIT that timed out. */
	loom_assert(e.addr != 0);
	close(efd);
	close(fd2);
	close(fd);
}

static void test_reset_event(void)
{
	struct drm_loom_info_reset_count rc, rc2;
	struct drm_loom_info_hw_events h, h2;
	struct drm_loom_info_device_status ds;
	struct drm_loom_event e;
	char dir[256], path[320], sdir[256], spath[320];
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), r;
	unsigned asid;

	loom_assert(efd >= 0);
	debugfs_dir(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/reset_device", dir);
	if (access(path, F_OK))
		loom_skip("no debugfs reset_device in this driver");
	sysfs_dev_dir(fd, sdir, sizeof(sdir));
	snprintf(spath, sizeof(spath), "%s/reset_count", sdir);
	asid = own_asid(fd, getpid());
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	events_drain(fd);
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc, sizeof(rc));
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h, sizeof(h));

	r = loom_write_file(path, "1");
	loom_assert_eq(r, 0);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_RESET, ~0ULL, &e));
	loom_assert_eq(e.flags, DRM_LOOM_EVENT_F_DEVICE);
	info(fd, DRM_LOOM_INFO_RESET_COUNT, &rc2, sizeof(rc2));
	loom_assert_eq(rc2.device_resets, rc.device_resets + 1);
	loom_assert_eq(rc2.hw_resets, rc.hw_resets + 1);
	loom_assert_eq(read_ll(spath), rc2.device_resets);
	info(fd, DRM_LOOM_INFO_HW_EVENTS, &h2, sizeof(h2));
	loom_assert_eq(h2.counts[DRM_LOOM_EVENT_RESET], h.counts[DRM_LOOM_EVENT_RESET] + 1);
	info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds, sizeof(ds));
	loom_assert_eq(ds.status, DRM_LOOM_DEVICE_STATUS_OPERATIONAL);

	/* The context came back with its ASID: its events still reach this file. */
	loom_assert_eq(own_asid(fd, getpid()), asid);
	inject_ecc(fd, LOOM_EVENT_ECC_CORRECTABLE, asid);
	loom_assert(eventfd_wait(efd, 5000) >= 1);
	loom_assert(events_find(fd, DRM_LOOM_EVENT_ECC_CORRECTABLE, ~0ULL, &e));
	loom_assert_eq(e.flags, 0);
	close(efd);
	close(fd);
}

/*
 * Several processes at once: queries, hwmon reads, event reads,
 * eventfd register/unregister, files opening and closing, while events
 * are injected. Nothing may fail, hang or leave a trace in the kernel log.
 */
static void stress_worker(unsigned id, uint64_t until)
{
	char dir[256], path[320];
	struct drm_loom_event ev[8];
	uint8_t buf[512];
	int fd = loom_open();

	hwmon_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/energy1_input", dir);
	for (unsigned i = 0; now_ns(CLOCK_MONOTONIC) < until; i++) {
		int efd = eventfd(0, EFD_CLOEXEC), tmp;

		loom_assert(efd >= 0);
		/* Queries 1..11 in turn. */
		loom_assert_eq(__loom_info(fd, 1 + (i + id) % DRM_LOOM_INFO_OPEN_STATS, buf,
					   sizeof(buf)), 0);
		loom_assert(read_ll(path) > 0);
		loom_assert_eq(__eventfd_register(fd, efd), 0);
		events_read(fd, ev, 8, NULL);
		loom_assert_eq(__eventfd_unregister(fd), 0);
		close(efd);
		tmp = loom_open();
		if (id == 0 && i % 4 == 0)
			inject_ecc(tmp, LOOM_EVENT_ECC_CORRECTABLE, 0);
		close(tmp);
	}
	close(fd);
	exit(0);
}

static void test_stress_concurrent(void)
{
	const unsigned n = 4;
	uint64_t until = now_ns(CLOCK_MONOTONIC) + 3000000000ULL;
	struct drm_loom_info_device_status ds;
	pid_t pids[4];
	int fd = loom_open();

	for (unsigned i = 0; i < n; i++) {
		pids[i] = fork();
		loom_assert(pids[i] >= 0);
		if (pids[i] == 0)
			stress_worker(i, until);
	}
	for (unsigned i = 0; i < n; i++) {
		int status;

		loom_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		loom_assert(WIFEXITED(status));
		loom_assert_eq(WEXITSTATUS(status), 0);
	}
	info(fd, DRM_LOOM_INFO_DEVICE_STATUS, &ds, sizeof(ds));
	loom_assert_eq(ds.status, DRM_LOOM_DEVICE_STATUS_OPERATIONAL);
	close(fd);
}

/* ---- bad arguments ------------------------------------------------------------- */

static void test_bad_eventfd_fd(void)
{
	int fd = loom_open(), unused = open("/dev/null", O_RDONLY | O_CLOEXEC);

	loom_assert(unused >= 0);
	close(unused);
	loom_assert_err(__eventfd_register(fd, -1), EBADF);
	loom_assert_err(__eventfd_register(fd, unused), EBADF);
	loom_assert_err(__eventfd_register(fd, 0x7fffffff), EBADF);
	/* An open file that is not an eventfd. */
	loom_assert_err(__eventfd_register(fd, fd), EINVAL);
	/* Nothing was registered by those. */
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	close(fd);
}

static void test_bad_eventfd_double(void)
{
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC), efd2 = eventfd(0, EFD_CLOEXEC);

	loom_assert(efd >= 0 && efd2 >= 0);
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	loom_assert_eq(__eventfd_register(fd, efd), 0);
	loom_assert_err(__eventfd_register(fd, efd), EBUSY);
	loom_assert_err(__eventfd_register(fd, efd2), EBUSY);
	loom_assert_eq(__eventfd_unregister(fd), 0);
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	/* Registering again after unregistering works. */
	loom_assert_eq(__eventfd_register(fd, efd2), 0);
	loom_assert_eq(__eventfd_unregister(fd), 0);
	close(efd);
	close(efd2);
	close(fd);
}

static void test_bad_eventfd_flags(void)
{
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC);

	for (unsigned bit = 0; bit < 32; bit++) {
		struct drm_loom_eventfd a = {
			.op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd, .flags = 1U << bit,
		};

		if (a.flags & DRM_LOOM_EVENTFD_FLAGS_MASK)
			continue;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
		a.op = DRM_LOOM_EVENTFD_OP_READ;
		a.fd = 0;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
	}
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	close(efd);
	close(fd);
}

static void test_bad_eventfd_reserved(void)
{
	int fd = loom_open(), efd = eventfd(0, EFD_CLOEXEC);
	struct drm_loom_eventfd a;
	struct drm_loom_event ev;

	for (unsigned i = 0; i < 2; i++) {
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd };
		a.reserved[i] = 1;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
		a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ };
		a.reserved[i] = 1ULL << 63;
		loom_assert_err(eventfd_args(fd, &a), EINVAL);
	}
	/* Fields an op does not use must be 0. */
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd,
				       .count = 1 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_REGISTER, .fd = (uint32_t)efd,
				       .events_ptr = (uintptr_t)&ev };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_UNREGISTER, .fd = 1 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_UNREGISTER, .count = 1 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = DRM_LOOM_EVENTFD_OP_READ, .fd = (uint32_t)efd };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	/* Unknown ops. */
	a = (struct drm_loom_eventfd){ .op = 3 };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	a = (struct drm_loom_eventfd){ .op = 0xffffffffU };
	loom_assert_err(eventfd_args(fd, &a), EINVAL);
	/* None of it registered anything. */
	loom_assert_err(__eventfd_unregister(fd), ENOENT);
	close(efd);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "eventfd-device-event", "a device-wide event signals every file's eventfd",
	  test_eventfd_device_event },
	{ "eventfd-context-event", "an event in a context reaches its file, not another's",
	  test_eventfd_context_event },
	{ "eventfd-page-fault", "a DMA to an unmapped VA: the fault's VA reaches the eventfd's file",
	  test_eventfd_page_fault },
	{ "eventfd-read", "records in order, count 0 peeks, EFAULT keeps the records",
	  test_eventfd_read },
	{ "eventfd-overflow", "a full list keeps the oldest records and counts the lost ones",
	  test_eventfd_overflow, 60 },
	{ "eq-overflow", "an unread event queue overflows: overwritten records count as lost",
	  test_eq_overflow, 120 },
	{ "eventfd-close-registered", "closing the file or the eventfd first is clean",
	  test_eventfd_close_registered },
	{ "eventfd-hang-driver", "a job past loom.job_timeout_ms: a HANG event naming its queue, to its file only",
	  test_eventfd_hang_driver },
	{ "eventfd-hang-device", "the device's WAIT watchdog: a HANG event naming its queue, to its file only",
	  test_eventfd_hang_device },
	{ "reset-event", "a device reset: counters, sysfs, a RESET event; context events go on",
	  test_reset_event, 60 },
	{ "stress-concurrent", "queries, hwmon, eventfds, opens and events from 4 processes at once",
	  test_stress_concurrent, 60 },
	{ "bad-eventfd-fd", "not a file -> EBADF, not an eventfd -> EINVAL", test_bad_eventfd_fd },
	{ "bad-eventfd-double", "second register -> EBUSY, unregister of none -> ENOENT",
	  test_bad_eventfd_double },
	{ "bad-eventfd-flags", "every undefined flag -> EINVAL", test_bad_eventfd_flags },
	{ "bad-eventfd-reserved", "reserved, unused fields, unknown ops -> EINVAL",
	  test_bad_eventfd_reserved },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
