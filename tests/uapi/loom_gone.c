// SPDX-License-Identifier: MIT
/*
 * loom_gone: the device going away under running work — loomd killed
 * while a job runs. Run in the QEMU guest after every other test
 * (vm/guest-init.sh runs the *_gone binaries last): the subtest prints
 * "LOOM-VM: kill-loomd", on which the host harness (vm/run.sh) kills
 * loomd; the driver must notice (the firmware heartbeat stops), fail the
 * job, answer ENODEV from then on, and let the files close without an
 * oops. Without a harness that serves the marker, the subtest skips.
 *
 * loomd-stalled comes first: "LOOM-VM: stop-loomd" has the harness stop
 * loomd (SIGSTOP) with a job on a queue; the driver gives the device up,
 * turns bus mastering off and lets the files free their memory; then
 * "LOOM-VM: cont-loomd" resumes loomd, whose firmware goes on posting its
 * heartbeat events: none may reach the guest's memory (the channel's
 * EQ_LOST counts them instead). Rebinding the driver makes the device
 * usable again for the subtests after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loom_submit.h"

/* One "NAME VALUE" line of debugfs dma (channel 0's registers). */
static long long dma_reg(const char *path, const char *name)
{
	char buf[512], *p;
	size_t n = strlen(name);

	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	loom_igt_fail(__FILE__, __LINE__, "no %s in %s", name, path);
}

/* Unbind and bind loom.ko to the function again: a fresh start. */
static void rebind(const char *addr)
{
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	loom_assert(loom_wait_node(false));
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	loom_assert(loom_wait_node(true));
}

static void test_loomd_stalled(void)
{
	int fd = loom_open();
	uint32_t sob, q = queue_create(fd, &sob), st = 0;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	struct cb hang = { .n = 0 }, nop = { .n = 0 };
	long long lost, pi;
	char addr[64], path[192];
	uint64_t s1;
	int r;

	loom_pci_address(fd, addr, sizeof(addr));
	loom_debugfs_path(fd, "dma", path, sizeof(path));
	loom_assert_eq(dma_reg(path, "bus_master"), 1);
	/* A job the device works on (a WAIT) when it stops. */
	cb_wait(&hang, sob, 0x40000000, 20000);
	s1 = submit_cb(fd, q, &hang);
	usleep(100 * 1000);
	loom_assert_err(__wait(fd, q, s1, 0, &st), ETIME);

	printf("LOOM-VM: stop-loomd\n");
	fflush(stdout);
	r = __wait(fd, q, s1, 30ULL * 1000 * 1000 * 1000, &st);
	if (r == 0 || r == -ETIME)
		loom_skip("loomd was not stopped (no harness serving LOOM-VM: stop-loomd): %d", r);
	loom_assert_err(r, ENODEV);
	/* Bus mastering off, no access under way: nothing kept. */
	loom_assert_eq(dma_reg(path, "bus_master"), 0);
	loom_assert_eq(dma_reg(path, "dma_active"), 0);
	loom_assert_eq(dma_reg(path, "dma_unsafe"), 0);
	/* The files give their memory back: rings, CB areas, the object. */
	munmap(bo.map, bo.size);
	loom_assert_eq(__queue_destroy(fd, q), 0);
	close(fd);

	lost = dma_reg(path, "eq_lost");
	pi = dma_reg(path, "eq_pi");
	printf("LOOM-VM: cont-loomd\n");
	fflush(stdout);
	/* Heartbeat events (one a second) find no way into guest memory. */
	for (int i = 0; i < 50 && dma_reg(path, "eq_lost") < lost + 2; i++)
		usleep(100 * 1000);
	loom_assert(dma_reg(path, "eq_lost") >= lost + 2);
	loom_assert_eq(dma_reg(path, "eq_pi"), pi);

	/* Bound anew, the device works again. */
	rebind(addr);
	fd = loom_open();
	q = queue_create(fd, NULL);
	cb_nop(&nop);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	close(fd);
}

static void test_loomd_killed_mid_job(void)
{
	int fd = loom_open();
	uint32_t sob, q = queue_create(fd, &sob), so = syncobj_create(fd), st = 0, id;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb hang = { .n = 0 }, after = { .n = 0 };
	uint64_t s1, s2;
	int64_t t0;
	int r;

	/* A job that runs until something stops it, and one queued behind it. */
	cb_wait(&hang, sob, 0x40000000, 60000);
	cb_write64(&after, bo.va, 1);
	loom_assert_eq(__submit_full(fd, q, hang.dw, hang.n * 4, NULL, 0, so, &s1), 0);
	s2 = submit_cb(fd, q, &after);
	usleep(100 * 1000);
	loom_assert_err(__wait(fd, q, s1, 0, &st), ETIME);

	printf("LOOM-VM: kill-loomd\n");
	fflush(stdout);
	t0 = now_ns();
	r = __wait(fd, q, s1, 30ULL * 1000 * 1000 * 1000, &st);
	if (r == 0 || r == -ETIME)
		loom_skip("loomd was not killed (no harness serving LOOM-VM: kill-loomd): %d, status %u",
			  r, st);
	loom_assert_err(r, ENODEV);
	/* The heartbeat's 3 s, the mailbox's 5 s, and the watchdog's period. */
	loom_assert(now_ns() - t0 < 15 * 1000000000LL);
	/* The job's fence signalled (with an error): nobody waits for ever. */
	loom_assert_eq(__syncobj_wait(fd, so, 1000 * 1000 * 1000), 0);
	loom_assert_err(__wait(fd, q, s2, WAIT_NS, &st), ENODEV);
	loom_assert_err(__submit(fd, q, after.dw, after.n * 4), ENODEV);
	loom_assert_err(__queue_create(fd, &id, NULL), ENODEV);
	loom_assert_eq(*v, 0);
	loom_assert_eq(__queue_destroy(fd, q), 0);
	close(fd);
}

static void test_after_gone(void)
{
	int fd = __loom_open();
	uint32_t id;

	if (fd < 0)
		loom_skip("no device node: %s", strerror(-fd));
	/* A file opened afterwards gets ENODEV too, and closes cleanly. */
	loom_assert_err(__queue_create(fd, &id, NULL), ENODEV);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "loomd-stalled", "loomd stopped and resumed: bus mastering off, nothing written to guest memory after, rebinds",
	  test_loomd_stalled, 90 },
	{ "loomd-killed-mid-job", "loomd killed while a job runs: the job fails, ENODEV, clean close",
	  test_loomd_killed_mid_job, 60 },
	{ "after-gone", "a file opened after the device went: ENODEV", test_after_gone },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
