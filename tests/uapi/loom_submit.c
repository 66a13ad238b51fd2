// SPDX-License-Identifier: MIT
/*
 * loom_submit: queues, SUBMIT and WAIT, run in the QEMU guest against
 * loom.ko and loomd (vm/run.sh). The device's work is checked through
 * memory: DMA, fills and WRITE64 into buffer objects bound with VM_BIND
 * and read back through mmap. Hangs and resets are loom_reset's.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_submit.h"

#define MIB	(1ULL << 20)
/* A VA in the user range that nothing is bound to in these tests. */
#define UNMAPPED_VA	0x7f0000000000ULL

static void test_queue_create_destroy(void)
{
	int fd = loom_open();
	uint32_t ids[DRM_LOOM_QUEUES_PER_FILE], sobs[DRM_LOOM_QUEUES_PER_FILE], id;
	unsigned i, j;

	for (i = 0; i < DRM_LOOM_QUEUES_PER_FILE; i++) {
		ids[i] = queue_create(fd, &sobs[i]);
		loom_assert(sobs[i] < LOOM_NUM_SOBS);
		for (j = 0; j < i; j++) {
			loom_assert(ids[j] != ids[i]);
			loom_assert(sobs[j] != sobs[i]);
		}
	}
	/* The file's limit. */
	loom_assert_err(__queue_create(fd, &id, NULL), ENOSPC);
	loom_assert_eq(__queue_destroy(fd, ids[3]), 0);
	loom_assert_err(__queue_destroy(fd, ids[3]), ENOENT);
	/* Room again, and the queue works. */
	id = queue_create(fd, NULL);
	{
		struct cb cb = { .n = 0 };

		cb_nop(&cb);
		loom_assert_eq(wait_status(fd, id, submit_cb(fd, id, &cb)), 0);
	}
	for (i = 0; i < DRM_LOOM_QUEUES_PER_FILE; i++)
		if (i != 3)
			loom_assert_eq(__queue_destroy(fd, ids[i]), 0);
	loom_assert_eq(__queue_destroy(fd, id), 0);
	close(fd);
}

static void test_submit_nop(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	struct cb cb = { .n = 0 };
	uint64_t seq;

	cb_nop(&cb);
	seq = submit_cb(fd, q, &cb);
	loom_assert_eq(seq, 1);
	loom_assert_eq(wait_status(fd, q, seq), LOOM_ERR_NONE);
	cb_nop(&cb);
	cb_nop(&cb);
	loom_assert_eq(submit_cb(fd, q, &cb), 2);
	loom_assert_eq(wait_status(fd, q, 2), LOOM_ERR_NONE);
	close(fd);
}

static void test_wait_seq(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL), st;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	uint64_t seq[3];

	for (unsigned i = 0; i < 3; i++) {
		struct cb cb = { .n = 0 };

		cb_write64(&cb, bo.va + 8 * i, 0x1000 + i);
		seq[i] = submit_cb(fd, q, &cb);
		loom_assert_eq(seq[i], i + 1);
	}
	/* In order: the last one finished means all did. */
	loom_assert_eq(wait_status(fd, q, seq[2]), 0);
	for (unsigned i = 0; i < 3; i++)
		loom_assert_eq(v[i], 0x1000 + i);
	/* Finished jobs answer at once, a poll included. */
	loom_assert_eq(__wait(fd, q, seq[0], 0, &st), 0);
	loom_assert_eq(st, 0);
	loom_assert_eq(__wait(fd, q, seq[1], 1, &st), 0);
	loom_assert_eq(st, 0);
	close(fd);
}

static void test_wait_timeout(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL), st;
	struct cb cb = { .n = 0 };
	int64_t t0;
	uint64_t seq;

	cb_wait(&cb, g.sob, 1, 0);
	seq = submit_cb(fd, q, &cb);
	loom_assert_err(__wait(fd, q, seq, 0, &st), ETIME);
	t0 = now_ns();
	loom_assert_err(__wait(fd, q, seq, 100 * 1000 * 1000, &st), ETIME);
	loom_assert(now_ns() - t0 >= 90 * 1000 * 1000);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, q, seq), 0);
	close(fd);
}

#define loom_static_assert_history(n) \
	_Static_assert((n) <= DRM_LOOM_QUEUE_STATUS_HISTORY, "history too short for the test")

static void test_many_submits(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	const unsigned n = 3000;
	uint64_t seq = 0;

	for (unsigned i = 1; i <= n; i++) {
		struct cb cb = { .n = 0 };

		/* Sizes vary so that the CB area wraps at odd places. */
		for (unsigned k = 0; k < i % 7; k++)
			cb_nop(&cb);
		cb_write64(&cb, bo.va, i);
		seq = submit_cb(fd, q, &cb);
		loom_assert_eq(seq, i);
		if (i % 64 == 0)
			loom_assert_eq(wait_status(fd, q, i - 32), 0);
	}
	loom_assert_eq(wait_status(fd, q, seq), 0);
	loom_assert_eq(*v, n);
	/* The oldest is still remembered: the history reaches that far. */
	loom_static_assert_history(n);
	loom_assert_eq(wait_status(fd, q, 1), 0);
	close(fd);
}

static void test_queue_full(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL);
	struct cb blocked = { .n = 0 }, nop = { .n = 0 };
	unsigned i;

	cb_wait(&blocked, g.sob, 1, 0);
	cb_nop(&nop);
	submit_cb(fd, q, &blocked);
	for (i = 1; i < DRM_LOOM_QUEUE_MAX_JOBS; i++)
		submit_cb(fd, q, &nop);
	loom_assert_err(__submit(fd, q, nop.dw, nop.n * 4), EBUSY);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, q, DRM_LOOM_QUEUE_MAX_JOBS), 0);
	loom_assert_eq(submit_cb(fd, q, &nop), DRM_LOOM_QUEUE_MAX_JOBS + 1);
	close(fd);
}

static void fill(volatile uint32_t *p, uint64_t size, uint32_t seed)
{
	for (uint64_t i = 0; i < size / 4; i++)
		p[i] = seed * 2654435761u + (uint32_t)i;
}

static void test_dma_copy(void)
{
	const uint64_t size = 4 * MIB;
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	struct bo src = bo_new(fd, size, DRM_LOOM_BO_HOST);
	struct bo dram = bo_new(fd, size, DRM_LOOM_BO_DRAM);
	struct bo dst = bo_new(fd, size, DRM_LOOM_BO_HOST);
	volatile uint32_t *d = dst.map, *m = dram.map;
	struct cb cb = { .n = 0 };

	fill(src.map, size, 7);
	/* Host -> DRAM -> host, 64 KiB short of the end in the second copy. */
	cb_dma(&cb, src.va, dram.va, size);
	cb_dma(&cb, dram.va, dst.va, size - 65536);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &cb)), 0);
	for (uint64_t i = 0; i < size / 4; i++) {
		uint32_t want = 7 * 2654435761u + (uint32_t)i;

		if (m[i] != want)
			loom_igt_fail(__FILE__, __LINE__, "DRAM word %llu: %#x, expected %#x",
				      (unsigned long long)i, m[i], want);
		if (i < (size - 65536) / 4 && d[i] != want)
			loom_igt_fail(__FILE__, __LINE__, "host word %llu: %#x, expected %#x",
				      (unsigned long long)i, d[i], want);
		if (i >= (size - 65536) / 4 && d[i] != 0)
			loom_igt_fail(__FILE__, __LINE__, "host word %llu written past the copy",
				      (unsigned long long)i);
	}
	close(fd);
}

static void test_memset_fill(void)
{
	const uint64_t size = 1 * MIB;
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	struct bo host = bo_new(fd, size, DRM_LOOM_BO_HOST);
	struct bo dram = bo_new(fd, size, DRM_LOOM_BO_DRAM);
	volatile uint32_t *h = host.map, *m = dram.map;
	struct cb cb = { .n = 0 };

	cb_memset(&cb, host.va + 4096, 0xc0ffee11, size - 8192);
	cb_memset(&cb, dram.va, 0x5a5a0000, size);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &cb)), 0);
	for (uint64_t i = 0; i < size / 4; i++) {
		uint32_t want = (i >= 1024 && i < (size - 4096) / 4) ? 0xc0ffee11 : 0;

		if (h[i] != want)
			loom_igt_fail(__FILE__, __LINE__, "host word %llu: %#x, expected %#x",
				      (unsigned long long)i, h[i], want);
		if (m[i] != 0x5a5a0000)
			loom_igt_fail(__FILE__, __LINE__, "DRAM word %llu: %#x",
				      (unsigned long long)i, m[i]);
	}
	close(fd);
}

static void test_out_syncobj(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL), so = syncobj_create(fd);
	struct gate g = gate_new(fd);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb cb = { .n = 0 };
	uint64_t seq;

	cb_wait(&cb, g.sob, 1, 0);
	cb_write64(&cb, bo.va, 0xabcdef);
	loom_assert_eq(__submit_full(fd, q, cb.dw, cb.n * 4, NULL, 0, so, &seq), 0);
	/* The syncobj has the job's fence, not signalled while the job waits. */
	loom_assert_err(__syncobj_wait(fd, so, 50 * 1000 * 1000), ETIME);
	loom_assert_eq(*v, 0);
	gate_open(fd, &g);
	loom_assert_eq(__syncobj_wait(fd, so, WAIT_NS), 0);
	loom_assert_eq(*v, 0xabcdef);
	loom_assert_eq(wait_status(fd, q, seq), 0);
	close(fd);
}

static void test_in_syncobj(void)
{
	int fd = loom_open();
	uint32_t qa = queue_create(fd, NULL), qb = queue_create(fd, NULL);
	uint32_t so = syncobj_create(fd), st;
	struct gate g = gate_new(fd);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb a = { .n = 0 }, b = { .n = 0 }, b2 = { .n = 0 };
	uint64_t sa, sb, sb2;

	/* A: blocked on the gate, then writes 1. B: after A (in-syncobj), writes 2. */
	cb_wait(&a, g.sob, 1, 0);
	cb_write64(&a, bo.va, 1);
	loom_assert_eq(__submit_full(fd, qa, a.dw, a.n * 4, NULL, 0, so, &sa), 0);
	cb_write64(&b, bo.va + 8, 2);
	loom_assert_eq(__submit_full(fd, qb, b.dw, b.n * 4, &so, 1, 0, &sb), 0);
	/* B's queue keeps its order: a later job without in-fences waits behind B. */
	cb_write64(&b2, bo.va + 16, 3);
	sb2 = submit_cb(fd, qb, &b2);
	usleep(100 * 1000);
	loom_assert_err(__wait(fd, qb, sb, 0, &st), ETIME);
	loom_assert_err(__wait(fd, qb, sb2, 0, &st), ETIME);
	loom_assert_eq(v[0], 0);
	loom_assert_eq(v[1], 0);
	loom_assert_eq(v[2], 0);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, qb, sb2), 0);
	loom_assert_eq(wait_status(fd, qa, sa), 0);
	loom_assert_eq(wait_status(fd, qb, sb), 0);
	loom_assert_eq(v[0], 1);
	loom_assert_eq(v[1], 2);
	loom_assert_eq(v[2], 3);
	/* A signalled in-syncobj does not hold a job back. */
	loom_assert_eq(__submit_full(fd, qb, b.dw, b.n * 4, &so, 1, 0, &sb), 0);
	loom_assert_eq(wait_status(fd, qb, sb), 0);
	close(fd);
}

static void test_wait_sob_in_cb(void)
{
	int fd = loom_open();
	uint32_t sob_b, qa = queue_create(fd, NULL), qb = queue_create(fd, &sob_b), st;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb a = { .n = 0 }, b = { .n = 0 };
	uint64_t sa;

	/* A waits for B's second job. */
	cb_wait(&a, sob_b, 2, 0);
	cb_write64(&a, bo.va, 0x77);
	sa = submit_cb(fd, qa, &a);
	cb_nop(&b);
	loom_assert_eq(wait_status(fd, qb, submit_cb(fd, qb, &b)), 0);
	usleep(50 * 1000);
	loom_assert_err(__wait(fd, qa, sa, 0, &st), ETIME);
	loom_assert_eq(*v, 0);
	loom_assert_eq(wait_status(fd, qb, submit_cb(fd, qb, &b)), 0);
	loom_assert_eq(wait_status(fd, qa, sa), 0);
	loom_assert_eq(*v, 0x77);
	close(fd);
}

static void test_page_fault(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL);
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb bad = { .n = 0 }, good = { .n = 0 }, gated = { .n = 0 }, after = { .n = 0 };
	uint64_t s1, s2, s3, s4;

	/* A fill at an unmapped VA fails the job with the device's error. */
	cb_memset(&bad, UNMAPPED_VA, 0xdeadbeef, 4096);
	s1 = submit_cb(fd, q, &bad);
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_PAGE_FAULT);
	/* The queue is usable again at once. */
	cb_write64(&good, bo.va, 1);
	s2 = submit_cb(fd, q, &good);
	loom_assert_eq(wait_status(fd, q, s2), 0);
	loom_assert_eq(v[0], 1);
	/*
	 * A job queued behind a failing one is cancelled: the failing one
	 * waits at the gate, so both are queued when it fails.
	 */
	cb_wait(&gated, g.sob, 1, 0);
	cb_memset(&gated, UNMAPPED_VA, 0, 4096);
	s3 = submit_cb(fd, q, &gated);
	cb_write64(&after, bo.va + 8, 2);
	s4 = submit_cb(fd, q, &after);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, q, s3), LOOM_ERR_PAGE_FAULT);
	loom_assert_eq(wait_status(fd, q, s4), LOOM_ERR_ABORTED);
	loom_assert_eq(v[1], 0);
	/* Statuses are remembered. */
	loom_assert_eq(wait_status(fd, q, s1), LOOM_ERR_PAGE_FAULT);
	loom_assert_eq(wait_status(fd, q, s2), 0);
	/* And the queue goes on. */
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &after)), 0);
	loom_assert_eq(v[1], 2);
	close(fd);
}

static void test_two_processes(void)
{
	int ready[2], status;
	pid_t pid;
	char c;

	loom_assert_eq(pipe(ready), 0);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		/* Faults, again and again, in its own context. */
		int fd = loom_open();
		uint32_t q = queue_create(fd, NULL);
		struct cb bad = { .n = 0 };

		cb_memset(&bad, UNMAPPED_VA, 1, 4096);
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		for (int i = 0; i < 50; i++)
			if (wait_status(fd, q, submit_cb(fd, q, &bad)) != LOOM_ERR_PAGE_FAULT)
				_exit(4);
		_exit(0);
	}
	loom_assert_eq(read(ready[0], &c, 1), 1);
	{
		int fd = loom_open();
		uint32_t q = queue_create(fd, NULL);
		struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
		volatile uint64_t *v = bo.map;

		for (unsigned i = 1; i <= 200; i++) {
			struct cb cb = { .n = 0 };

			cb_write64(&cb, bo.va, i);
			loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &cb)), 0);
			loom_assert_eq(*v, i);
		}
		/* The other context's VA is not ours: the child's fault address is unmapped here too. */
		close(fd);
	}
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFEXITED(status));
	loom_assert_eq(WEXITSTATUS(status), 0);
}

static void test_close_with_jobs(void)
{
	int status;
	pid_t pid = fork();

	loom_assert(pid >= 0);
	if (pid == 0) {
		/* Jobs stuck at a gate nobody opens, and an exit without cleaning up. */
		int fd = loom_open();
		struct gate g = gate_new(fd);
		uint32_t q = queue_create(fd, NULL), q2 = queue_create(fd, NULL);
		struct cb cb = { .n = 0 };

		cb_wait(&cb, g.sob, 1, 0);
		for (int i = 0; i < 20; i++) {
			submit_cb(fd, q, &cb);
			submit_cb(fd, q2, &cb);
		}
		_exit(0);
	}
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Destroying a queue with jobs queued cancels them: the syncobj signals. */
	{
		int fd = loom_open();
		struct gate g = gate_new(fd);
		uint32_t q = queue_create(fd, NULL), so = syncobj_create(fd);
		struct cb cb = { .n = 0 };

		cb_wait(&cb, g.sob, 1, 0);
		loom_assert_eq(__submit_full(fd, q, cb.dw, cb.n * 4, NULL, 0, so, NULL), 0);
		loom_assert_err(__syncobj_wait(fd, so, 10 * 1000 * 1000), ETIME);
		loom_assert_eq(__queue_destroy(fd, q), 0);
		loom_assert_eq(__syncobj_wait(fd, so, WAIT_NS), 0);
		close(fd);
	}
}

static void test_queue_exhaustion(void)
{
	const int nfd = LOOM_NUM_QUEUES / DRM_LOOM_QUEUES_PER_FILE;
	int fds[LOOM_NUM_QUEUES / DRM_LOOM_QUEUES_PER_FILE], extra = loom_open();
	uint32_t id, last = 0;

	/* Every hardware queue is free again after the earlier subtests. */
	for (int f = 0; f < nfd; f++) {
		fds[f] = loom_open();
		for (int i = 0; i < DRM_LOOM_QUEUES_PER_FILE; i++)
			last = queue_create(fds[f], NULL);
	}
	loom_assert_err(__queue_create(extra, &id, NULL), EBUSY);
	loom_assert_eq(__queue_destroy(fds[0], last), 0);
	id = queue_create(extra, NULL);
	{
		struct cb cb = { .n = 0 };

		cb_nop(&cb);
		loom_assert_eq(wait_status(extra, id, submit_cb(extra, id, &cb)), 0);
	}
	for (int f = 0; f < nfd; f++)
		close(fds[f]);
	close(extra);
}

/* A child process that submits to (or waits on) q until q is gone. */
static pid_t busy_child(int fd, uint32_t q, bool waiter)
{
	pid_t pid = fork();

	loom_assert(pid >= 0);
	if (pid)
		return pid;
	for (uint64_t n = 0;; n++) {
		struct cb cb = { .n = 0 };
		uint32_t st;
		int r;

		cb_nop(&cb);
		if (waiter)
			r = __wait(fd, q, n % 64 + 1, 1000000, &st);
		else
			r = __submit(fd, q, cb.dw, cb.n * 4);
		if (r == -ENOENT)
			_exit(0);
		if (r && r != -EBUSY && r != -EINVAL && r != -ETIME)
			_exit(10 + (waiter ? 1 : 0));
	}
}

static void test_destroy_while_busy(void)
{
	int fd = loom_open(), status;
	uint32_t q = queue_create(fd, NULL);
	pid_t sub = busy_child(fd, q, false), wai = busy_child(fd, q, true);
	struct cb nop = { .n = 0 };

	/* Two processes share the file: one submits, one waits, the parent destroys. */
	usleep(300 * 1000);
	loom_assert_eq(__queue_destroy(fd, q), 0);
	loom_assert_eq(waitpid(sub, &status, 0), sub);
	loom_assert(WIFEXITED(status));
	loom_assert_eq(WEXITSTATUS(status), 0);
	loom_assert_eq(waitpid(wai, &status, 0), wai);
	loom_assert(WIFEXITED(status));
	loom_assert_eq(WEXITSTATUS(status), 0);
	q = queue_create(fd, NULL);
	cb_nop(&nop);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	close(fd);
}

/* ---- bad arguments ------------------------------------------------------------ */

/* The vm_mappings count of debugfs "objects" (unbound ones waiting for jobs included). */
static long long vm_mappings(void)
{
	struct loom_objects o;

	loom_assert_eq(__loom_objects_read(&o), 0);
	return loom_objects_get(&o, "vm_mappings");
}

/*
 * A job failing inside SUBMIT after its context's reservation object took
 * its fence, while an older one runs: it finishes after the older one, so
 * neither WAIT nor the reservation object (memory unbound meanwhile stays
 * until the older job is done) takes the older one for finished.
 */
static void test_abort_in_order(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL), st;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	struct drm_loom_vm_bind unmap = { .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = bo.va };
	struct cb gated = { .n = 0 }, nop = { .n = 0 };
	long long maps;
	char path[192];
	uint64_t s1, s3;
	int i;

	loom_debugfs_path(fd, "fail_add_fence", path, sizeof(path));
	cb_wait(&gated, g.sob, 1, 0);
	cb_nop(&nop);
	s1 = submit_cb(fd, q, &gated);
	/* The next job fails after it got its number, while s1 still runs. */
	loom_assert_eq(loom_write_file(path, "1"), 0);
	loom_assert_err(__submit(fd, q, nop.dw, nop.n * 4), ENOMEM);
	loom_assert_eq(loom_write_file(path, "0"), 0);
	usleep(50 * 1000);
	/* Neither has finished: s1 waits at the gate, s1 + 1 behind it. */
	loom_assert_err(__wait(fd, q, s1, 0, &st), ETIME);
	loom_assert_err(__wait(fd, q, s1 + 1, 0, &st), ETIME);
	/* Memory unbound now outlives s1: the context's fences are not done. */
	maps = vm_mappings();
	munmap(bo.map, bo.size);
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &unmap), 0);
	bo_close(fd, bo.handle);
	usleep(50 * 1000);
	loom_assert_eq(vm_mappings(), maps);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, q, s1 + 1), LOOM_ERR_ABORTED);
	loom_assert_eq(wait_status(fd, q, s1), 0);
	for (i = 0; i < 200 && vm_mappings() != maps - 1; i++)
		usleep(10 * 1000);
	loom_assert_eq(vm_mappings(), maps - 1);
	s3 = submit_cb(fd, q, &nop);
	loom_assert_eq(s3, s1 + 2);
	loom_assert_eq(wait_status(fd, q, s3), 0);
	loom_assert_eq(wait_status(fd, q, s1), 0);
	loom_assert_eq(wait_status(fd, q, s1 + 1), LOOM_ERR_ABORTED);
	close(fd);
}

/* A job whose in-fence failed does not run: ABORTED in its turn; the queue goes on. */
static void test_in_fence_error(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t qa = queue_create(fd, NULL), qb = queue_create(fd, NULL);
	uint32_t so = syncobj_create(fd), st;
	struct bo bo = bo_new(fd, 4096, DRM_LOOM_BO_HOST);
	volatile uint64_t *v = bo.map;
	struct cb bad = { .n = 0 }, b = { .n = 0 }, b2 = { .n = 0 };
	uint64_t sa, sb, sb2;

	/* A fails at the gate (page fault); B depends on it; B2 comes after B. */
	cb_wait(&bad, g.sob, 1, 0);
	cb_memset(&bad, UNMAPPED_VA, 0, 4096);
	loom_assert_eq(__submit_full(fd, qa, bad.dw, bad.n * 4, NULL, 0, so, &sa), 0);
	cb_write64(&b, bo.va, 1);
	loom_assert_eq(__submit_full(fd, qb, b.dw, b.n * 4, &so, 1, 0, &sb), 0);
	cb_write64(&b2, bo.va + 8, 2);
	sb2 = submit_cb(fd, qb, &b2);
	loom_assert_err(__wait(fd, qb, sb, 0, &st), ETIME);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, qa, sa), LOOM_ERR_PAGE_FAULT);
	loom_assert_eq(wait_status(fd, qb, sb), LOOM_ERR_ABORTED);
	loom_assert_eq(wait_status(fd, qb, sb2), 0);
	loom_assert_eq(v[0], 0);
	loom_assert_eq(v[1], 2);
	/* An in-fence that had already failed at SUBMIT: the same. */
	loom_assert_eq(__submit_full(fd, qb, b.dw, b.n * 4, &so, 1, 0, &sb), 0);
	loom_assert_eq(wait_status(fd, qb, sb), LOOM_ERR_ABORTED);
	loom_assert_eq(v[0], 0);
	close(fd);
}

static void test_bad_queue(void)
{
	int fd = loom_open(), fd2 = loom_open();
	uint32_t q = queue_create(fd, NULL), st;
	struct cb cb = { .n = 0 };

	cb_nop(&cb);
	loom_assert_err(__submit(fd, 0, cb.dw, 8), ENOENT);
	loom_assert_err(__submit(fd, q + 1000, cb.dw, 8), ENOENT);
	loom_assert_err(__wait(fd, 0, 1, 0, &st), ENOENT);
	loom_assert_err(__queue_destroy(fd, 0), ENOENT);
	loom_assert_err(__queue_destroy(fd, q + 1), ENOENT);
	/* Another file's queue id means nothing here. */
	loom_assert_err(__submit(fd2, q, cb.dw, 8), ENOENT);
	loom_assert_err(__wait(fd2, q, 1, 0, &st), ENOENT);
	loom_assert_err(__queue_destroy(fd2, q), ENOENT);
	/* And the owner's queue is fine. */
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &cb)), 0);
	close(fd2);
	close(fd);
}

static void test_bad_cb_size(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	static uint32_t big[DRM_LOOM_CB_MAX_SIZE / 4 + 2];

	for (unsigned i = 0; i < sizeof(big) / 4; i += 2)
		big[i] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 2);
	loom_assert_err(__submit(fd, q, big, 0), EINVAL);
	loom_assert_err(__submit(fd, q, big, 6), EINVAL);
	loom_assert_err(__submit(fd, q, big, 9), EINVAL);
	loom_assert_err(__submit(fd, q, big, DRM_LOOM_CB_MAX_SIZE + 8), EINVAL);
	loom_assert_err(__submit(fd, q, NULL, 8), EFAULT);
	loom_assert_err(__submit(fd, q, (void *)8, 8), EFAULT);
	/* The largest CB is fine. */
	{
		uint64_t seq;

		loom_assert_eq(__submit_full(fd, q, big, DRM_LOOM_CB_MAX_SIZE, NULL, 0, 0, &seq), 0);
		loom_assert_eq(seq, 1);
		loom_assert_eq(wait_status(fd, q, seq), 0);
	}
	close(fd);
}

static void test_bad_packet(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	uint32_t cb[16] = { 0 };
	static const uint32_t opcodes[] = { 0x00, 0x0b, 0x20, 0xff };

	for (unsigned i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		cb[0] = LOOM_PKT_HDR(opcodes[i], 0, 2);
		loom_assert_err(__submit(fd, q, cb, 8), EINVAL);
	}
	/* Wrong lengths. */
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 4);
	loom_assert_err(__submit(fd, q, cb, 16), EINVAL);
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 1);
	loom_assert_err(__submit(fd, q, cb, 4), EINVAL);
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 0);
	loom_assert_err(__submit(fd, q, cb, 8), EINVAL);
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, 6);
	loom_assert_err(__submit(fd, q, cb, 24), EINVAL);
	/* Header flags. */
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_NOP, 1, 2);
	loom_assert_err(__submit(fd, q, cb, 8), EINVAL);
	/* A packet running past the end of the CB. */
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, 8);
	loom_assert_err(__submit(fd, q, cb, 16), EINVAL);
	/* A bad packet after good ones. */
	cb[0] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 2);
	cb[2] = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, 2);
	cb[4] = LOOM_PKT_HDR(0x42, 0, 2);
	loom_assert_err(__submit(fd, q, cb, 24), EINVAL);
	/* Nothing was queued: the next job is number 1. */
	{
		struct cb ok = { .n = 0 };

		cb_nop(&ok);
		loom_assert_eq(submit_cb(fd, q, &ok), 1);
	}
	close(fd);
}

static void test_bad_priv(void)
{
	int fd = loom_open(), fd2 = loom_open();
	uint32_t sob, sob2, q = queue_create(fd, &sob);
	struct loom_pkt_wreg32 w = {
		.header = LOOM_PKT_HDR(LOOM_PKT_WREG32, 0, 4), .reg = LOOM_REG_SOB(sob), .value = 5,
	};
	struct loom_pkt_signal s = {
		.header = LOOM_PKT_HDR(LOOM_PKT_SIGNAL, 0, 4), .sob = sob, .op = LOOM_SIGNAL_OP_ADD,
		.value = 1,
	};
	struct cb cb = { .n = 0 };
	uint64_t seq;

	(void)queue_create(fd2, &sob2);
	loom_assert_err(__submit(fd, q, &w, sizeof(w)), EPERM);
	loom_assert_err(__submit(fd, q, &s, sizeof(s)), EPERM);
	/* SOBs not ours: another file's queue, one no queue has, out of range. */
	cb_wait(&cb, sob2, 1, 0);
	loom_assert_err(__submit(fd, q, cb.dw, cb.n * 4), EPERM);
	cb.n = 0;
	cb_wait(&cb, 200, 1, 0);
	loom_assert_err(__submit(fd, q, cb.dw, cb.n * 4), EPERM);
	cb.n = 0;
	cb_wait(&cb, LOOM_NUM_SOBS + 5, 1, 0);
	loom_assert_err(__submit(fd, q, cb.dw, cb.n * 4), EPERM);
	/* After a NOP, still refused. */
	cb.n = 0;
	cb_nop(&cb);
	memcpy(cb_add(&cb, sizeof(s)), &s, sizeof(s));
	loom_assert_err(__submit(fd, q, cb.dw, cb.n * 4), EPERM);
	/* Our own SOB is fine (already reached: 0 >= 0). */
	cb.n = 0;
	cb_wait(&cb, sob, 0, 0);
	loom_assert_eq(__submit_full(fd, q, cb.dw, cb.n * 4, NULL, 0, 0, &seq), 0);
	loom_assert_eq(wait_status(fd, q, seq), 0);
	close(fd2);
	close(fd);
}

static void test_bad_syncobj(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL), so = syncobj_create(fd);
	uint32_t handles[DRM_LOOM_MAX_IN_SYNCOBJS + 1];
	struct cb cb = { .n = 0 };
	uint64_t seq;

	cb_nop(&cb);
	handles[0] = so + 100;
	loom_assert_err(__submit_full(fd, q, cb.dw, 8, handles, 1, 0, NULL), ENOENT);
	loom_assert_err(__submit_full(fd, q, cb.dw, 8, NULL, 0, so + 100, NULL), ENOENT);
	handles[0] = 0;
	loom_assert_err(__submit_full(fd, q, cb.dw, 8, handles, 1, 0, NULL), ENOENT);
	/* A syncobj without a fence: nothing to wait for. */
	handles[0] = so;
	loom_assert_err(__submit_full(fd, q, cb.dw, 8, handles, 1, 0, NULL), EINVAL);
	loom_assert_err(__submit_full(fd, q, cb.dw, 8, (void *)8, 1, 0, NULL), EFAULT);
	for (unsigned i = 0; i <= DRM_LOOM_MAX_IN_SYNCOBJS; i++)
		handles[i] = so;
	loom_assert_err(__submit_full(fd, q, cb.dw, 8, handles, DRM_LOOM_MAX_IN_SYNCOBJS + 1, 0,
				      NULL), EINVAL);
	/* Another file's syncobj (with a fence there) is unknown here, in and out. */
	{
		int fd2 = loom_open();
		uint32_t q2 = queue_create(fd2, NULL), so2 = syncobj_create(fd2);

		so2 = syncobj_create(fd2);
		loom_assert(so2 != so);
		loom_assert_eq(__submit_full(fd2, q2, cb.dw, 8, NULL, 0, so2, &seq), 0);
		loom_assert_eq(wait_status(fd2, q2, seq), 0);
		handles[0] = so2;
		loom_assert_err(__submit_full(fd, q, cb.dw, 8, handles, 1, 0, NULL), ENOENT);
		loom_assert_err(__submit_full(fd, q, cb.dw, 8, NULL, 0, so2, NULL), ENOENT);
		handles[0] = so;
		close(fd2);
	}
	/* Nothing was queued; a good one goes through. */
	loom_assert_eq(__submit_full(fd, q, cb.dw, 8, NULL, 0, so, &seq), 0);
	loom_assert_eq(seq, 1);
	loom_assert_eq(__submit_full(fd, q, cb.dw, 8, handles, DRM_LOOM_MAX_IN_SYNCOBJS, 0, &seq),
		       0);
	loom_assert_eq(wait_status(fd, q, seq), 0);
	close(fd);
}

static void test_bad_flags(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL);
	struct cb cb = { .n = 0 };
	uint64_t seq;

	cb_nop(&cb);
	seq = submit_cb(fd, q, &cb);
	for (unsigned bit = 0; bit < 32; bit++) {
		struct drm_loom_queue_create c = { .flags = 1u << bit };
		struct drm_loom_queue_destroy d = { .queue_id = q, .flags = 1u << bit };
		struct drm_loom_submit s = { .queue_id = q, .flags = 1u << bit,
			.cb_ptr = (uintptr_t)cb.dw, .cb_size = 8 };
		struct drm_loom_wait w = { .queue_id = q, .seq = seq, .flags = 1u << bit };

		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c), EINVAL);
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_DESTROY, &d), EINVAL);
		if (!(s.flags & DRM_LOOM_SUBMIT_FLAGS_MASK))
			loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), EINVAL);
		if (!(w.flags & DRM_LOOM_WAIT_FLAGS_MASK))
			loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), EINVAL);
	}
	for (unsigned i = 0; i < 2; i++) {
		struct drm_loom_queue_create c = { 0 };
		struct drm_loom_queue_destroy d = { .queue_id = q };
		struct drm_loom_submit s = { .queue_id = q, .cb_ptr = (uintptr_t)cb.dw, .cb_size = 8 };
		struct drm_loom_wait w = { .queue_id = q, .seq = seq };

		c.reserved[i] = 1;
		d.reserved[i] = 1;
		/* Timeline points without DRM_LOOM_SUBMIT_TIMELINE. */
		if (i)
			s.out_point = 1;
		else
			s.in_points = 1;
		w.reserved[i] = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c), EINVAL);
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_DESTROY, &d), EINVAL);
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), EINVAL);
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), EINVAL);
	}
	{
		struct drm_loom_queue_create c = { .pad = 1 };
		struct drm_loom_submit s = { .queue_id = q, .cb_ptr = (uintptr_t)cb.dw, .cb_size = 8,
			.pad = 1 };
		struct drm_loom_wait w = { .queue_id = q, .seq = seq, .pad = 1 };

		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c), EINVAL);
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s), EINVAL);
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), EINVAL);
	}
	/* None of them did anything: the queue is there, the next job is number 2. */
	loom_assert_eq(submit_cb(fd, q, &cb), 2);
	close(fd);
}

static void test_bad_wait_seq(void)
{
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL), st;
	struct cb cb = { .n = 0 };

	cb_nop(&cb);
	loom_assert_err(__wait(fd, q, 1, 0, &st), EINVAL);	/* nothing submitted yet */
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &cb)), 0);
	loom_assert_err(__wait(fd, q, 0, 0, &st), EINVAL);
	loom_assert_err(__wait(fd, q, 2, 0, &st), EINVAL);
	loom_assert_err(__wait(fd, q, ~0ULL, WAIT_NS, &st), EINVAL);
	close(fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_wait_interrupted(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL);
	struct cb cb = { .n = 0 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	struct drm_loom_wait w = { .queue_id = q, .timeout_ns = WAIT_NS };
	int64_t t0;
	int r;

	cb_wait(&cb, g.sob, 1, 0);
	w.seq = submit_cb(fd, q, &cb);
	loom_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	loom_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	t0 = now_ns();
	r = ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w);	/* not __loom_ioctl: it retries EINTR */
	loom_assert_eq(r, -1);
	loom_assert_eq(errno, EINTR);
	loom_assert(now_ns() - t0 < 5 * 1000000000LL);
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, q, w.seq), 0);
	close(fd);
}

/* DRM_LOOM_WAIT_ABSOLUTE: a CLOCK_MONOTONIC deadline, kept across signals. */
static void test_wait_absolute(void)
{
	int fd = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL);
	struct cb gated = { .n = 0 }, nop = { .n = 0 };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { .tv_usec = 20000 }, .it_interval = { .tv_usec = 20000 } };
	struct drm_loom_wait w = { .queue_id = q, .flags = DRM_LOOM_WAIT_ABSOLUTE };
	int64_t t0, dt;

	cb_wait(&gated, g.sob, 1, 0);
	w.seq = submit_cb(fd, q, &gated);
	/* A deadline already past only polls. */
	w.timeout_ns = now_ns() - 1000000;
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), ETIME);
	w.timeout_ns = 0;
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), ETIME);
	/* 300 ms ahead, with a signal every 20 ms restarting the call: 300 ms in all. */
	loom_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	loom_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	t0 = now_ns();
	w.timeout_ns = t0 + 300000000;
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), ETIME);
	dt = now_ns() - t0;
	it = (struct itimerval){ 0 };
	loom_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	loom_assert(dt >= 290000000 && dt < 3000000000LL);
	/* A job done in time. */
	gate_open(fd, &g);
	w.timeout_ns = now_ns() + WAIT_NS;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), 0);
	loom_assert_eq(w.status, 0);
	cb_nop(&nop);
	w.seq = submit_cb(fd, q, &nop);
	w.timeout_ns = now_ns() + WAIT_NS;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w), 0);
	close(fd);
}

/* xorshift: the same sequence on every run. */
static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

static void test_bad_random_cb(void)
{
	static const uint8_t dwords[] = { 0, 2, 4, 4, 4, 8, 28, 34, 6, 4, 2 };
	int fd = loom_open();
	uint32_t q = queue_create(fd, NULL), st;
	uint64_t s = 0x9e3779b97f4a7c15ULL, seq;
	unsigned ok = 0, einval = 0, eperm = 0;
	struct cb nop = { .n = 0 };

	for (int i = 0; i < 1500; i++) {
		struct cb cb = { .n = 0 };
		int npkt = 1 + rnd(&s) % 12, r;

		for (int p = 0; p < npkt && cb.n < 2000; p++) {
			uint32_t op = 1 + rnd(&s) % 10, n = dwords[op], roll = rnd(&s) % 100;

			if (roll < 5)
				n = 1 + rnd(&s) % 40;		/* a wrong length */
			cb.dw[cb.n] = LOOM_PKT_HDR(roll < 8 ? rnd(&s) & 0xff : op,
						   roll >= 8 && roll < 10 ? 1 + rnd(&s) % 255 : 0, n);
			for (uint32_t k = 1; k < n && cb.n + k < 4096; k++)
				cb.dw[cb.n + k] = rnd(&s) % 4 ? rnd(&s) : 0;
			/* No WAIT on our own SOB: it could block until the job timeout. */
			if (LOOM_PKT_OPCODE(cb.dw[cb.n]) == LOOM_PKT_WAIT && n > 1)
				cb.dw[cb.n + 1] |= 0x100;
			cb.n += n;
		}
		if (cb.n > 4096)
			cb.n = 4096;
		/* Sometimes cut the last packet short. */
		r = __submit_full(fd, q, cb.dw, (cb.n - (rnd(&s) % 8 == 0 && cb.n > 1)) * 4,
				  NULL, 0, 0, &seq);
		if (r == 0) {
			ok++;
			/* Any status the device gives, but within its time limits. */
			loom_assert_eq(__wait(fd, q, seq, WAIT_NS, &st), 0);
			loom_assert(st <= LOOM_ERR_TPC_TIMEOUT);
		} else if (r == -EINVAL) {
			einval++;
		} else if (r == -EPERM) {
			eperm++;
		} else {
			loom_igt_fail(__FILE__, __LINE__, "CB %d: SUBMIT answered %d", i, r);
		}
	}
	loom_assert(ok > 0 && einval > 0 && eperm > 0);
	cb_nop(&nop);
	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "queue-create-destroy", "queues: ids, SOBs, the per-file limit, destroy", test_queue_create_destroy },
	{ "submit-nop", "a NOP job: sequence numbers from 1, status 0", test_submit_nop },
	{ "wait-seq", "WAIT on the last of several jobs; finished ones answer a poll", test_wait_seq },
	{ "wait-timeout", "WAIT on a blocked job: ETIME after the timeout, 0 = poll", test_wait_timeout },
	{ "many-submits", "3000 jobs of varied sizes: the ring and the CB area wrap", test_many_submits, 120 },
	{ "queue-full", "DRM_LOOM_QUEUE_MAX_JOBS unfinished jobs, then EBUSY", test_queue_full },
	{ "dma-copy", "LIN_DMA host -> DRAM -> host, checked through mmap", test_dma_copy, 60 },
	{ "memset-fill", "LIN_DMA fills in host memory and DRAM", test_memset_fill },
	{ "out-syncobj", "the out-syncobj gets the job's fence (DRM_IOCTL_SYNCOBJ_WAIT)", test_out_syncobj },
	{ "in-syncobj", "a job on queue B held by a fence of queue A; B's order kept", test_in_syncobj },
	{ "wait-sob-in-cb", "a WAIT packet on another queue's SOB (its job count)", test_wait_sob_in_cb },
	{ "page-fault", "DMA to an unmapped VA: LOOM_ERR_PAGE_FAULT, queued jobs ABORTED, the queue goes on", test_page_fault },
	{ "two-processes", "one context's faults do not disturb another's jobs", test_two_processes, 60 },
	{ "close-with-jobs", "closing or destroying with jobs queued cancels them", test_close_with_jobs },
	{ "destroy-while-busy", "QUEUE_DESTROY while other processes submit and wait on the queue",
	  test_destroy_while_busy },
	{ "queue-exhaustion", "all 32 hardware queues in use: EBUSY; one freed is usable", test_queue_exhaustion },
	{ "abort-in-order", "a job failing in SUBMIT (debugfs fail_add_fence) while an older one runs finishes after it",
	  test_abort_in_order },
	{ "in-fence-error", "a job whose in-fence failed does not run: ABORTED in its turn", test_in_fence_error },
	{ "bad-queue", "unknown queue, another file's queue: ENOENT", test_bad_queue },
	{ "bad-cb-size", "cb_size 0, not a multiple of 4, too big: EINVAL; bad pointer: EFAULT", test_bad_cb_size },
	{ "bad-packet", "unknown opcode, wrong length, header flags, overrun: EINVAL", test_bad_packet },
	{ "bad-priv", "WREG32, SIGNAL, WAIT on a SOB not ours: EPERM", test_bad_priv },
	{ "bad-syncobj", "unknown or another file's syncobj handles ENOENT, no fence EINVAL, too many EINVAL",
	  test_bad_syncobj },
	{ "bad-flags", "flags, pad and reserved of the four ioctls: EINVAL", test_bad_flags },
	{ "bad-wait-seq", "WAIT on 0 or a sequence number never given out: EINVAL", test_bad_wait_seq },
	{ "wait-interrupted", "a signal ends WAIT with EINTR; the job is unaffected", test_wait_interrupted },
	{ "wait-absolute", "WAIT with an absolute deadline: past ones poll, signals keep it", test_wait_absolute },
	{ "bad-random-cb", "random CBs: SUBMIT answers 0, EINVAL or EPERM; jobs end; the queue lives",
	  test_bad_random_cb, 120 },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
