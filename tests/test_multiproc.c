/* SPDX-License-Identifier: MIT */
/*
 * Several processes on one loomd, through libloom's public API: contexts
 * are isolated (a foreign device address faults, and the fault is reported
 * to the process that caused it only), exported DRAM crosses processes
 * over SCM_RIGHTS and lives as long as its last holder, a process that
 * vanishes or is killed in the middle of device work gives back its DRAM
 * and queues, and processes running at the same time each get the right
 * results.
 *
 * Children are this very binary re-executed ("--child ROLE URI FD"), so
 * that they start single-threaded and clean (and are leak-checked under
 * ASan). A child talks to the parent over a SOCK_SEQPACKET socketpair and
 * reports its verdict by its exit status; every wait has a deadline, and
 * each test's teardown kills and reaps whatever child is left.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <loom/loom.h>

#include "loom_test_rt.h"

#define MIB		(1ULL << 20)
#define SEC_NS		1000000000LL
#define SYNC_TIMEOUT	(60 * SEC_NS)
#define CHILD_TIMEOUT_MS	120000u
#define BIG_N		2048u	/* a GEMM that keeps the MME busy for a while */

static struct loom_test_loomd loomd;

/* ---- control messages between parent and children ------------------------- */

enum ctl_tag {
	CTL_PARAMS = 1,		/* parent -> child: arguments */
	CTL_GO,			/* parent -> child: proceed */
	CTL_READY,		/* child -> parent: reached the agreed point */
	CTL_DONE,		/* child -> parent: finished a step */
	CTL_FD,			/* parent -> child: carries a descriptor */
};

struct ctl_msg {
	uint32_t tag;
	uint32_t pad;
	uint64_t arg[4];
};

static int ctl_send(int sock, uint32_t tag, uint64_t a0, uint64_t a1, uint64_t a2, int fd)
{
	struct ctl_msg m = { .tag = tag, .arg = { a0, a1, a2 } };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -EIO;
}

/*
 * Receive one message within timeout_ms. A descriptor that came with it is
 * stored in *fd (if fd is NULL it is closed). Returns 0, -ETIMEDOUT, or
 * -EPIPE when the peer is gone.
 */
static int ctl_recv(int sock, struct ctl_msg *m, int *fd, unsigned timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *c;
	ssize_t n;
	int r;

	if (fd)
		*fd = -1;
	do
		r = poll(&pfd, 1, (int)timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int got;

			memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd && *fd < 0)
				*fd = got;
			else
				close(got);
		}
	}
	if (n != (ssize_t)sizeof(*m))
		return -EPIPE;
	return 0;
}

/* Streams that can still be created, or -errno if creation failed for
 * another reason than running out of queues. */
static int free_queues(loom_device *dev)
{
	int err, n = loom_test_streams_until_busy(dev, &err);

	return err == EBUSY ? n : -(err ? err : E2BIG);
}

/* ---- children ---------------------------------------------------------------------- */

static const char *child_role = "parent";

#define CK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "child %s (pid %d): %s:%d: check failed: %s\n", \
				child_role, (int)getpid(), __FILE__, __LINE__, #cond); \
			return 1;						\
		}								\
	} while (0)

/* Wait for a message with the given tag (errors fail the child). */
#define CK_RECV(sock, m, fdp, tag_)						\
	do {									\
		int r_ = ctl_recv((sock), (m), (fdp), CHILD_TIMEOUT_MS);	\
		CK(r_ == 0);							\
		CK((m)->tag == (tag_));						\
	} while (0)

/*
 * isolation: read and write the parent's device address (must fault and
 * report a PAGE_FAULT event here), then check that a fresh allocation
 * does not hold the parent's data.
 */
static int child_isolation(loom_device *dev, int sock)
{
	struct loom_device_event ev[32];
	struct ctl_msg m;
	uint64_t pva, size, hva, own;
	uint32_t seed;
	loom_stream *s, *s2;
	uint8_t *h;
	bool seen = false;
	int n;

	CK_RECV(sock, &m, NULL, CTL_PARAMS);
	pva = m.arg[0];
	size = m.arg[1];
	seed = (uint32_t)m.arg[2];
	h = loom_host_alloc(dev, size, &hva);
	CK(h);
	s = loom_stream_create(dev);
	s2 = loom_stream_create(dev);
	CK(s && s2);
	while (loom_device_events(dev, ev, 32) > 0)
		;
	CK(ctl_send(sock, CTL_READY, 0, 0, 0, -1) == 0);
	CK_RECV(sock, &m, NULL, CTL_GO);

	/* (a) Reading the parent's address faults in this context. */
	CK(loom_memcpy(s, hva, pva, 4096) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == -EFAULT);
	for (uint64_t end = loom_test_now_ms() + 3000; !seen && loom_test_now_ms() < end;) {
		n = loom_device_events(dev, ev, 32);
		CK(n >= 0);
		for (int i = 0; i < n; i++)
			if (ev[i].type == LOOM_EV_PAGE_FAULT && ev[i].addr >= pva &&
			    ev[i].addr < pva + 4096)
				seen = true;
		if (!seen)
			loom_test_sleep_ms(10);
	}
	CK(seen);
	/* Nor can it be written. */
	CK(loom_memset32(s2, pva, 0xdeadbeefu, 4096) == 0);
	CK(loom_stream_sync(s2, 10 * SEC_NS) == -EFAULT);
	loom_stream_destroy(s);
	loom_stream_destroy(s2);

	/* (b) A fresh allocation of ours does not show the parent's data. */
	CK(loom_mem_alloc(dev, size, 0, &own) == 0);
	s = loom_stream_create(dev);
	CK(s);
	memset(h, 0, size);
	CK(loom_memcpy(s, hva, own, size) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == 0);
	CK(loom_test_pat_count(h, size, seed) == 0);
	CK(loom_mem_host_ptr(dev, own, size));
	CK(loom_test_pat_count(loom_mem_host_ptr(dev, own, size), size, seed) == 0);
	CK(loom_mem_free(dev, own) == 0);
	loom_stream_destroy(s);
	CK(loom_host_free(dev, h) == 0);
	CK(ctl_send(sock, CTL_DONE, 0, 0, 0, -1) == 0);
	return 0;
}

/* scrub: once the parent freed its pattern, allocate and look for it. */
static int child_scrub(loom_device *dev, int sock)
{
	struct ctl_msg m;
	uint64_t size, own;
	uint32_t seed;
	uint8_t *p;

	CK(ctl_send(sock, CTL_READY, 0, 0, 0, -1) == 0);	/* page tables exist */
	CK_RECV(sock, &m, NULL, CTL_PARAMS);
	size = m.arg[1];
	seed = (uint32_t)m.arg[2];
	CK(loom_mem_alloc(dev, size, 0, &own) == 0);
	p = loom_mem_host_ptr(dev, own, size);
	CK(p);
	CK(ctl_send(sock, CTL_DONE, loom_test_pat_count_period(p, size, seed, 1024), 0, 0, -1) == 0);
	CK(loom_mem_free(dev, own) == 0);
	return 0;
}

/*
 * import: take the export fd, import it, check the parent's data, write
 * ours; keep the import alive after the parent let go; free it on request.
 */
static int child_import(loom_device *dev, int sock)
{
	struct ctl_msg m;
	uint64_t va = 0, size = 0, hva, expect;
	uint32_t seed;
	loom_stream *s;
	uint8_t *h;
	int fd;

	CK_RECV(sock, &m, &fd, CTL_FD);
	CK(fd >= 0);
	expect = m.arg[1];
	seed = (uint32_t)m.arg[2];
	CK(loom_mem_import(dev, fd, &va, &size) == 0);
	CK(close(fd) == 0);	/* the import alone keeps the memory */
	CK(va && size == expect);
	h = loom_host_alloc(dev, size, &hva);
	s = loom_stream_create(dev);
	CK(h && s);

	CK(loom_memcpy(s, hva, va, size) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == 0);
	CK(loom_test_pat_ok(h, size, seed));
	loom_test_pat_fill(h, size, seed + 1);
	CK(loom_memcpy(s, va, hva, size) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == 0);
	CK(ctl_send(sock, CTL_DONE, 0, 0, 0, -1) == 0);

	/* The parent freed its allocation, closed its fd and reallocated. */
	CK_RECV(sock, &m, NULL, CTL_GO);
	memset(h, 0, size);
	CK(loom_memcpy(s, hva, va, size) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == 0);
	CK(loom_test_pat_ok(h, size, seed + 1));
	loom_test_pat_fill(h, size, seed + 2);	/* still writable, and still ours */
	CK(loom_memcpy(s, va, hva, size) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == 0);
	memset(h, 0, size);
	CK(loom_memcpy(s, hva, va, size) == 0);
	CK(loom_stream_sync(s, 10 * SEC_NS) == 0);
	CK(loom_test_pat_ok(h, size, seed + 2));
	CK(ctl_send(sock, CTL_DONE, 0, 0, 0, -1) == 0);

	CK_RECV(sock, &m, NULL, CTL_GO);
	CK(loom_mem_free(dev, va) == 0);
	CK(loom_mem_free(dev, va) == -EINVAL);
	CK(ctl_send(sock, CTL_DONE, 0, 0, 0, -1) == 0);
	CK_RECV(sock, &m, NULL, CTL_GO);	/* stay attached until told */
	loom_stream_destroy(s);
	CK(loom_host_free(dev, h) == 0);
	return 0;
}

/* vanish: allocate, start long GEMMs, then _exit() without any cleanup. */
static int child_vanish(loom_device *dev, int sock)
{
	struct ctl_msg m;
	loom_stream *s = loom_stream_create(dev);
	uint64_t va[3];

	CK(s);
	CK(loom_test_gemm_busy(dev, s, BIG_N, 8, va) == 0);
	CK(ctl_send(sock, CTL_READY, (uint64_t)-loom_stream_query(s), 0, 0, -1) == 0);
	CK_RECV(sock, &m, NULL, CTL_GO);
	_exit(0);
}

/*
 * hold: one stream busy with GEMMs, a second stream waiting on the device
 * for the first one's event; then wait to be killed.
 */
static int child_hold(loom_device *dev, int sock)
{
	struct ctl_msg m;
	loom_stream *s1 = loom_stream_create(dev), *s2 = loom_stream_create(dev);
	loom_event *e = loom_event_create(dev);
	uint64_t va[3], small;

	CK(s1 && s2 && e);
	CK(loom_mem_alloc(dev, 4096, 0, &small) == 0);
	CK(loom_test_gemm_busy(dev, s1, BIG_N, 12, va) == 0);
	CK(loom_event_record(e, s1) == 0);
	CK(loom_stream_wait_event(s2, e) == 0);
	CK(loom_memset32(s2, small, 1, 4096) == 0);
	CK(ctl_send(sock, CTL_READY, (uint64_t)-loom_stream_query(s1),
		    (uint64_t)-loom_stream_query(s2), 0, -1) == 0);
	/* Killed here; if not within the deadline, fail. */
	ctl_recv(sock, &m, NULL, CHILD_TIMEOUT_MS);
	return 1;
}

/* worker: copies and GEMMs on two streams, checked; reports its channel. */
static int child_worker(loom_device *dev, int sock)
{
	struct loom_device_info info;
	struct ctl_msg m;
	loom_stream *s1 = loom_stream_create(dev), *s2 = loom_stream_create(dev);
	uint32_t seed;

	CK(s1 && s2);
	CK(loom_device_info(dev, &info) == 0);
	CK_RECV(sock, &m, NULL, CTL_PARAMS);
	seed = (uint32_t)m.arg[0];
	CK(ctl_send(sock, CTL_READY, info.channel, info.asid, 0, -1) == 0);
	CK_RECV(sock, &m, NULL, CTL_GO);
	for (int it = 0; it < 4; it++) {
		CK(loom_test_gemm_verify(dev, s1, 256 + 64 * (seed % 3), seed * 16 + it) == 0);
		CK(loom_test_copy_verify(dev, s2, 3 * MIB + 4096 * it, seed * 16 + it) == 0);
	}

	CK(loom_test_cross_stream_verify(dev, s1, s2, seed) == 0);
	loom_stream_destroy(s1);
	loom_stream_destroy(s2);
	return 0;
}

static int child_main(const char *role, const char *uri, int sock)
{
	static const struct {
		const char *name;
		int (*fn)(loom_device *dev, int sock);
	} roles[] = {
		{ "isolation", child_isolation },
		{ "scrub", child_scrub },
		{ "import", child_import },
		{ "vanish", child_vanish },
		{ "hold", child_hold },
		{ "worker", child_worker },
	};
	loom_device *dev;
	int ret = 2;

	child_role = role;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dev = loom_device_open(uri, NULL);
	if (!dev) {
		fprintf(stderr, "child %s: cannot open %s: %s\n", role, uri, strerror(errno));
		return 3;
	}
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(roles[i].name, role))
			ret = roles[i].fn(dev, sock);
	loom_device_close(dev);
	close(sock);
	return ret;
}

/* ---- the parent's side --------------------------------------------------------------- */

struct child {
	pid_t pid;
	int sock;
};

#define MAX_CHILDREN	8
static struct child children[MAX_CHILDREN];

/* Start "ROLE" in a child; returns its slot or -1. */
static struct child *child_spawn(const char *role)
{
	struct child *c = NULL;
	char fdarg[16];
	int sv[2];

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (!children[i].pid) {
			c = &children[i];
			break;
		}
	if (!c || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return NULL;
	snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
	c->pid = fork();
	if (c->pid < 0) {
		c->pid = 0;
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (!c->pid) {
		fcntl(sv[1], F_SETFD, 0);
		execl("/proc/self/exe", "test_multiproc", "--child", role, loomd.uri, fdarg,
		      (char *)NULL);
		_exit(126);
	}
	close(sv[1]);
	c->sock = sv[0];
	return c;
}

/* Reap c within timeout_ms (killing it after that). Returns the wait status or -1. */
static int child_reap(struct child *c, unsigned timeout_ms)
{
	int status = loom_test_reap(c->pid, timeout_ms);

	close(c->sock);
	c->pid = 0;
	c->sock = -1;
	return status;
}

static bool exited_ok(int status)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int child_expect(struct child *c, struct ctl_msg *m, uint32_t tag)
{
	int r = ctl_recv(c->sock, m, NULL, CHILD_TIMEOUT_MS);

	return r ? r : (m->tag == tag ? 0 : -EPROTO);
}

struct fixture {
	loom_device *dev;
	loom_stream *s;
};

static int fixture_setup(void **state)
{
	static struct fixture f;

	f.dev = loom_device_open(loomd.uri, NULL);
	if (!f.dev)
		return -1;
	/* Children of earlier tests are gone, and so is what they held. */
	if (loom_test_drivers_wait(f.dev, 1, 10000) != 1) {
		loom_device_close(f.dev);
		return -1;
	}
	f.s = loom_stream_create(f.dev);
	if (!f.s) {
		loom_device_close(f.dev);
		return -1;
	}
	*state = &f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i].pid)
			child_reap(&children[i], 0);
	if (f) {
		loom_stream_destroy(f->s);
		loom_device_close(f->dev);
		f->s = NULL;
		f->dev = NULL;
	}
	return 0;
}

/* Parent work that must keep working: GEMM and copies, verified. */
static void parent_works(struct fixture *f, uint32_t seed)
{
	assert_int_equal(loom_test_copy_verify(f->dev, f->s, 2 * MIB, seed), 0);
	assert_int_equal(loom_test_gemm_verify(f->dev, f->s, 128, seed), 0);
}

/* Copy DRAM at va into pinned memory h (device address hva) and wait. */
static void read_back(struct fixture *f, void *h, uint64_t hva, uint64_t va, uint64_t size)
{
	memset(h, 0, size);
	assert_int_equal(loom_memcpy(f->s, hva, va, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
}

/* A child faults on our address; we do not see its fault and keep working. */
static void test_isolation(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 2 * MIB;
	const uint32_t seed = 0x150;
	struct loom_device_event ev[32];
	struct ctl_msg m;
	struct child *c;
	uint64_t src, dst, hva, big[3];
	uint8_t *h;
	int n;

	h = loom_host_alloc(f->dev, size, &hva);
	assert_non_null(h);
	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &src), 0);
	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &dst), 0);
	loom_test_pat_fill(h, size, seed);
	assert_int_equal(loom_memcpy(f->s, src, hva, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	while (loom_device_events(f->dev, ev, 32) > 0)
		;

	c = child_spawn("isolation");
	assert_non_null(c);
	assert_int_equal(ctl_send(c->sock, CTL_PARAMS, src, size, seed, -1), 0);
	assert_int_equal(child_expect(c, &m, CTL_READY), 0);

	/* (c) Work of ours in flight while the child faults. */
	assert_int_equal(loom_test_gemm_busy(f->dev, f->s, BIG_N, 1, big), 0);
	assert_int_equal(loom_memcpy(f->s, dst, src, size), 0);
	assert_int_equal(ctl_send(c->sock, CTL_GO, 0, 0, 0, -1), 0);
	assert_int_equal(child_expect(c, &m, CTL_DONE), 0);
	assert_true(exited_ok(child_reap(c, CHILD_TIMEOUT_MS)));

	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	read_back(f, h, hva, dst, size);
	assert_true(loom_test_pat_ok(h, size, seed));
	read_back(f, h, hva, src, size);	/* the child's write did not land */
	assert_true(loom_test_pat_ok(h, size, seed));

	/* The child's fault is not reported to us. */
	n = loom_device_events(f->dev, ev, 32);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(ev[i].type, LOOM_EV_PAGE_FAULT);

	parent_works(f, seed);
	for (int i = 0; i < 3; i++)
		assert_int_equal(loom_mem_free(f->dev, big[i]), 0);
	assert_int_equal(loom_mem_free(f->dev, src), 0);
	assert_int_equal(loom_mem_free(f->dev, dst), 0);
	assert_int_equal(loom_host_free(f->dev, h), 0);
}

/*
 * DRAM freed by one process does not show its data to the next owner: we
 * fill all free DRAM with a pattern and free it, then a child allocates.
 */
static void test_scrub(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 4 * MIB;
	const uint32_t seed = 0x5c2b;
	uint64_t va[256];
	struct ctl_msg m;
	struct child *c;
	int n = 0;

	c = child_spawn("scrub");
	assert_non_null(c);
	assert_int_equal(child_expect(c, &m, CTL_READY), 0);
	while (n < 256 && !loom_mem_alloc(f->dev, 2 * MIB, 0, &va[n])) {
		uint8_t *p = loom_mem_host_ptr(f->dev, va[n], 2 * MIB);

		assert_non_null(p);
		loom_test_pat_fill_period(p, 2 * MIB, seed, 1024);
		n++;
	}
	assert_true(n > 16);
	while (n)
		assert_int_equal(loom_mem_free(f->dev, va[--n]), 0);
	assert_int_equal(ctl_send(c->sock, CTL_PARAMS, 0, size, seed, -1), 0);
	assert_int_equal(child_expect(c, &m, CTL_DONE), 0);
	assert_true(exited_ok(child_reap(c, CHILD_TIMEOUT_MS)));
	assert_int_equal(m.arg[0], 0);	/* words of our data it could see */
}

/* Export -> SCM_RIGHTS -> import; the import outlives the exporter's hold. */
static void test_export_import(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 1 * MIB;
	const uint32_t seed = 0xe4;
	struct ctl_msg m;
	struct child *c;
	uint64_t va, hva, other, used, used_imported;
	uint8_t *h;
	int fd;

	h = loom_host_alloc(f->dev, size, &hva);
	assert_non_null(h);
	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &va), 0);
	loom_test_pat_fill(h, size, seed);
	assert_int_equal(loom_memcpy(f->s, va, hva, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	fd = loom_mem_export(f->dev, va, size);
	assert_true(fd >= 0);

	c = child_spawn("import");
	assert_non_null(c);
	assert_int_equal(ctl_send(c->sock, CTL_FD, 0, size, seed, fd), 0);
	assert_int_equal(child_expect(c, &m, CTL_DONE), 0);
	read_back(f, h, hva, va, size);
	assert_true(loom_test_pat_ok(h, size, seed + 1));	/* the child's write */

	/* Let go of our side; the child's import keeps the memory. */
	used_imported = loom_test_dram_used(f->dev);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
	assert_int_equal(close(fd), 0);
	loom_test_sleep_ms(200);	/* give the export's close time to be noticed */
	assert_int_equal(loom_test_dram_used(f->dev), used_imported);
	/* New memory of ours must not land on the imported range. */
	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &other), 0);
	assert_int_equal(loom_memset32(f->s, other, 0x0badf00d, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	assert_int_equal(ctl_send(c->sock, CTL_GO, 0, 0, 0, -1), 0);
	assert_int_equal(child_expect(c, &m, CTL_DONE), 0);
	read_back(f, h, hva, other, size);
	for (uint64_t i = 0; i < size / 4; i++)
		assert_int_equal(((uint32_t *)h)[i], 0x0badf00d);

	/* The child frees its import: the DRAM is released. */
	used = loom_test_dram_used(f->dev);
	assert_int_equal(ctl_send(c->sock, CTL_GO, 0, 0, 0, -1), 0);
	assert_int_equal(child_expect(c, &m, CTL_DONE), 0);
	assert_int_equal(loom_test_dram_used_wait(f->dev, used - size, 5000), used - size);
	assert_int_equal(ctl_send(c->sock, CTL_GO, 0, 0, 0, -1), 0);
	assert_true(exited_ok(child_reap(c, CHILD_TIMEOUT_MS)));

	assert_int_equal(loom_mem_free(f->dev, other), 0);
	assert_int_equal(loom_host_free(f->dev, h), 0);
}

/*
 * An export fd outlives the driver that made it: the exporter closes its
 * device handle, another handle imports the fd and reads the data; the
 * DRAM goes when the last of fd and import is gone.
 */
static void test_export_outlives_exporter(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 256 * 1024;
	uint64_t used0 = loom_test_dram_used(f->dev), va, iva, hva;
	loom_device *exp = loom_device_open(loomd.uri, NULL);
	uint8_t *p, *h;
	int fd;

	assert_non_null(exp);
	assert_int_equal(loom_mem_alloc(exp, size, 0, &va), 0);
	p = loom_mem_host_ptr(exp, va, size);
	assert_non_null(p);
	loom_test_pat_fill(p, size, 0x0e);
	fd = loom_mem_export(exp, va, size);
	assert_true(fd >= 0);
	loom_device_close(exp);	/* without freeing anything */
	assert_int_equal(loom_test_drivers_wait(f->dev, 1, 10000), 1);
	assert_true(loom_test_dram_used(f->dev) >= used0 + size);

	h = loom_host_alloc(f->dev, size, &hva);
	assert_non_null(h);
	assert_int_equal(loom_mem_import(f->dev, fd, &iva, NULL), 0);
	assert_int_equal(close(fd), 0);
	read_back(f, h, hva, iva, size);
	assert_true(loom_test_pat_ok(h, size, 0x0e));
	assert_int_equal(loom_mem_free(f->dev, iva), 0);
	assert_int_equal(loom_test_dram_used_wait(f->dev, used0, 5000), used0);
	assert_int_equal(loom_host_free(f->dev, h), 0);
}

/* What a dead child held is back: DRAM, drivers, queues; we keep working. */
static void check_recovered(struct fixture *f, uint64_t used0, uint32_t drivers0, int queues0)
{
	assert_int_equal(loom_test_dram_used_wait(f->dev, used0, 10000), used0);
	assert_int_equal(loom_test_drivers_wait(f->dev, drivers0, 10000), drivers0);
	assert_int_equal(free_queues(f->dev), queues0);
	parent_works(f, 0x77);
}

/* A child that _exit()s in the middle of device work is cleaned up. */
static void test_vanished(void **state)
{
	struct fixture *f = *state;
	uint64_t used0 = loom_test_dram_used(f->dev), big = 3ULL * BIG_N * BIG_N * 4;
	uint32_t drivers0 = loom_test_drivers(f->dev);
	int queues0 = free_queues(f->dev);
	struct ctl_msg m;
	struct child *c;

	assert_true(queues0 > 0);
	c = child_spawn("vanish");
	assert_non_null(c);
	assert_int_equal(child_expect(c, &m, CTL_READY), 0);
	assert_int_equal(m.arg[0], EBUSY);	/* its GEMMs are running */
	assert_true(loom_test_dram_used(f->dev) >= used0 + big);
	assert_int_equal(loom_test_drivers(f->dev), drivers0 + 1);
	assert_int_equal(ctl_send(c->sock, CTL_GO, 0, 0, 0, -1), 0);
	assert_true(exited_ok(child_reap(c, 10000)));
	check_recovered(f, used0, drivers0, queues0);
}

/* A child killed while one stream computes and another waits on the device. */
static void test_killed(void **state)
{
	struct fixture *f = *state;
	uint64_t used0 = loom_test_dram_used(f->dev), big = 3ULL * BIG_N * BIG_N * 4;
	uint32_t drivers0 = loom_test_drivers(f->dev);
	int queues0 = free_queues(f->dev), status;
	struct ctl_msg m;
	struct child *c;

	assert_true(queues0 > 2);
	c = child_spawn("hold");
	assert_non_null(c);
	assert_int_equal(child_expect(c, &m, CTL_READY), 0);
	assert_int_equal(m.arg[0], EBUSY);
	assert_int_equal(m.arg[1], EBUSY);
	assert_true(loom_test_dram_used(f->dev) >= used0 + big);
	assert_int_equal(free_queues(f->dev), queues0 - 2);
	assert_int_equal(kill(c->pid, SIGKILL), 0);
	status = child_reap(c, 10000);
	assert_true(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	check_recovered(f, used0, drivers0, queues0);
}

/* Four processes at once, each checking its own copies and GEMMs. */
static void test_concurrent(void **state)
{
	struct fixture *f = *state;
	struct child *c[4];
	struct ctl_msg m;
	uint64_t used0 = loom_test_dram_used(f->dev);
	uint32_t channels = 0;

	for (int i = 0; i < 4; i++) {
		c[i] = child_spawn("worker");
		assert_non_null(c[i]);
		assert_int_equal(ctl_send(c[i]->sock, CTL_PARAMS, 100 + i, 0, 0, -1), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(child_expect(c[i], &m, CTL_READY), 0);
		assert_true(m.arg[0] < 32);
		assert_false(channels & (1u << m.arg[0]));	/* one channel each */
		channels |= 1u << m.arg[0];
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(ctl_send(c[i]->sock, CTL_GO, 0, 0, 0, -1), 0);
	parent_works(f, 0x99);	/* and the parent, at the same time */
	for (int i = 0; i < 4; i++)
		assert_true(exited_ok(child_reap(c[i], CHILD_TIMEOUT_MS)));
	assert_int_equal(loom_test_dram_used_wait(f->dev, used0, 10000), used0);
}

static int group_setup(void **state)
{
	return loom_test_loomd_start(&loomd, "512M", NULL) ? -1 : 0;
}

static int group_teardown(void **state)
{
	int status = loom_test_loomd_stop(&loomd);

	if (!exited_ok(status)) {
		fprintf(stderr, "# loomd ended with status 0x%x\n", (unsigned)status);
		return -1;
	}
	return 0;
}

#define T(name, fn) { name, fn, fixture_setup, fixture_teardown, NULL }

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T("isolation-fault", test_isolation),
		T("isolation-fresh-dram", test_scrub),
		T("export-import-lifetime", test_export_import),
		T("export-outlives-exporter", test_export_outlives_exporter),
		T("vanished-process", test_vanished),
		T("killed-process", test_killed),
		T("concurrent-processes", test_concurrent),
	};

	if (argc == 5 && !strcmp(argv[1], "--child"))
		return child_main(argv[2], argv[3], atoi(argv[4]));
	return cmocka_run_group_tests_name("test_multiproc", tests, group_setup, group_teardown);
}
