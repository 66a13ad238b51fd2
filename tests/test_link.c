/* SPDX-License-Identifier: MIT */
/*
 * Device link tests: the link server's requests and resource rules through
 * the in-process device and directly on sessions (HELLO, queues, DRAM,
 * SET_PGD, exports and their lifetime, session close). loomd as a process
 * (several clients, malformed messages, a client that dies, shutdown on
 * SIGTERM) is test_link_loomd's, over the same fixture
 * (tests/loom_test_link.h).
 */
#include "loom_test_link.h"

static const struct loom_dev_config test_cfg = { .dram_size = TEST_DRAM };

/* ---- A session directly: the server's side of a link ----------------------- */

static int sess_req(struct loom_link_session *s, uint32_t type, uint64_t a0, uint64_t a1,
		    const int *fds_in, unsigned nin, struct loom_link_msg *out,
		    int *fds_out, unsigned *nout)
{
	struct loom_link_msg m = { .type = type, .arg = { a0, a1 } }, r;
	int fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;
	int ret = loom_link_handle(s, &m, fds_in, nin, &r, fds, &n);

	assert_int_equal(r.status, ret);
	if (ret)
		assert_int_equal(n, 0);
	if (fds_out) {
		memcpy(fds_out, fds, n * sizeof(int));
		*nout = n;
	} else {
		close_fds(fds, n);
	}
	if (out)
		*out = r;
	return ret;
}

static int hello_sess(struct loom_link_session *s, struct loom_link_msg *out)
{
	int in[5], fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;
	int ret;

	in[0] = make_window(WINDOW_SIZE);
	for (unsigned i = 1; i < 5; i++)
		in[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ret = sess_req(s, LOOM_LINK_HELLO, LOOM_LINK_VERSION, WINDOW_SIZE, in, 5, out, fds, &n);
	close_fds(in, 5);
	close_fds(fds, n);
	return ret;
}

static uint64_t query_used(struct loom_link_session *s)
{
	struct loom_link_msg r;

	assert_int_equal(sess_req(s, LOOM_LINK_QUERY, 0, 0, NULL, 0, &r, NULL, NULL), 0);
	return r.arg[0];
}

/* Poll QUERY until DRAM used == want or timeout_ms passes; returns the last value. */
static uint64_t wait_used_sess(struct loom_link_session *s, uint64_t want, unsigned timeout_ms)
{
	uint64_t t0 = now_ms(), used;

	while ((used = query_used(s)) != want && now_ms() - t0 < timeout_ms)
		sleep_ms(5);
	return used;
}

/* A device with a server: the fixture of the multi-session tests. */
struct srv_fixture {
	struct loom_dev *dev;
	struct loom_link_server *srv;
};

static void fixture_up(struct srv_fixture *f)
{
	assert_int_equal(loom_dev_create(&test_cfg, &f->dev), 0);
	assert_int_equal(loom_link_server_create(f->dev, &f->srv), 0);
	assert_ptr_equal(loom_link_server_dev(f->srv), f->dev);
}

static void fixture_down(struct srv_fixture *f)
{
	loom_link_server_destroy(f->srv);
	loom_dev_destroy(f->dev);
}

static struct loom_link_session *open_hello(struct srv_fixture *f)
{
	struct loom_link_session *s = loom_link_session_open(f->srv);

	assert_non_null(s);
	assert_int_equal(hello_sess(s, NULL), 0);
	return s;
}

static int do_export(struct loom_link_session *s, uint64_t pa, uint64_t size, int *fd)
{
	unsigned n = 0;
	int fds[LOOM_LINK_MAX_FDS];
	int ret = sess_req(s, LOOM_LINK_EXPORT, pa, size, NULL, 0, NULL, fds, &n);

	if (!ret) {
		assert_int_equal(n, 1);
		*fd = fds[0];
	}
	return ret;
}

static int do_import(struct loom_link_session *s, int fd, uint64_t *pa, uint64_t *size)
{
	struct loom_link_msg r;
	int ret = sess_req(s, LOOM_LINK_IMPORT, 0, 0, &fd, 1, &r, NULL, NULL);

	if (!ret) {
		*pa = r.arg[0];
		*size = r.arg[1];
	}
	return ret;
}

/* ---- HELLO ------------------------------------------------------------------ */

static void link_open_bad(void **state)
{
	errno = 0;
	assert_null(loom_link_open(NULL, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_link_open("tcp:localhost", NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_link_open("unix:/nonexistent-dir/loom.sock", NULL));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(loom_link_open("unix:", NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(loom_link_local_dev(NULL));
	loom_link_close(NULL);
}

static void hello_basic(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	struct loom_link_msg m = { .type = LOOM_LINK_HELLO, .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
	int in[5], fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;
	struct stat st;

	assert_non_null(l);
	assert_non_null(loom_link_local_dev(l));
	in[0] = make_window(WINDOW_SIZE);
	for (unsigned i = 1; i < 5; i++)
		in[i] = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(loom_link_call(l, &m, in, 5, fds, &n), 0);
	assert_int_equal(m.status, 0);
	assert_int_equal(m.type, LOOM_LINK_HELLO);
	assert_true(m.arg[0] < LOOM_NUM_CHANNELS);
	assert_true(m.arg[1] >= 1 && m.arg[1] < LOOM_NUM_ASIDS);
	assert_int_equal(m.arg[2], LOOM_DRAM_BAR_OFFSET + TEST_DRAM);
	assert_int_equal(m.arg[3], TEST_DRAM);
	assert_int_equal(n, 2);
	assert_int_equal(fstat(fds[0], &st), 0);
	assert_int_equal((uint64_t)st.st_size, LOOM_DRAM_BAR_OFFSET + TEST_DRAM);
	assert_true(fd_is_eventfd(fds[1]));
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	close_fds(fds, n);
	close_fds(in, 5);

	/* The device got the window and the interrupt routes. */
	struct loom_dev *dev = loom_link_local_dev(l);
	assert_int_equal(dev->windows[m.arg[0]].size, WINDOW_SIZE);
	assert_true(dev->irq_fd[m.arg[0]][LOOM_IRQ_MONITOR] >= 0);

	assert_int_equal(hello_link(l, 4, NULL), -EALREADY);
	loom_link_close(l);
}

static void hello_bad(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	struct loom_link_msg m;
	int win, pfd[2], fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;

	assert_non_null(l);
	/* Requests before HELLO. */
	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, NULL), -ENOTCONN);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 4096, 4096, NULL), -ENOTCONN);
	assert_int_equal(link_req(l, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL), -ENOTCONN);
	assert_int_equal(link_req(l, LOOM_LINK_SET_PGD, 0, 0, NULL), -ENOTCONN);

	win = make_window(WINDOW_SIZE);
	m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO, .arg = { 2, WINDOW_SIZE } };
	assert_int_equal(loom_link_call(l, &m, &win, 1, fds, &n), -EPROTO);
	assert_int_equal(n, 0);
	/* No window, a size of 0, unaligned, too big, beyond the file. */
	m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO, .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, fds, &n), -EINVAL);
	uint64_t bad_sizes[] = { 0, 4095, LOOM_PA_HOST_WINDOW_MAX * 2, 2 * WINDOW_SIZE };
	for (unsigned i = 0; i < 4; i++) {
		m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO,
					    .arg = { LOOM_LINK_VERSION, bad_sizes[i] } };
		assert_int_equal(loom_link_call(l, &m, &win, 1, fds, &n), -EINVAL);
	}
	/* A pipe as the window, a pipe as an interrupt. */
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO, .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
	assert_int_equal(loom_link_call(l, &m, pfd, 1, fds, &n), -EINVAL);
	int in2[2] = { win, pfd[1] };
	m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO, .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
	assert_int_equal(loom_link_call(l, &m, in2, 2, fds, &n), -EBADF);
	/* A closed descriptor as the window. */
	int dead = dup(win);
	close(dead);
	m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO, .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
	assert_int_equal(loom_link_call(l, &m, &dead, 1, fds, &n), -EBADF);
	close_fds(pfd, 2);
	close(win);
	assert_int_equal(n, 0);

	/* After all that, a HELLO with only a window (no interrupts) works. */
	assert_int_equal(hello_link(l, 0, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, NULL), 0);
	loom_link_close(l);
}

/*
 * session: LOOM_LINK_SESSION lists the attached drivers (in-process: this
 * one) with the process, ASID, channel, DRAM and queues each holds; past
 * the last, -ENOENT; before HELLO, -ENOTCONN.
 */
static void session(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	struct loom_link_msg h, m = { .type = LOOM_LINK_SESSION };
	struct loom_link_msg a = { .type = LOOM_LINK_DRAM_ALLOC, .arg = { 3 << 20, 4096 } };
	struct loom_link_msg q = { .type = LOOM_LINK_QUEUE_ALLOC };
	int fds[LOOM_LINK_MAX_FDS];
	unsigned n = 0;

	assert_non_null(l);
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), -ENOTCONN);
	assert_int_equal(hello_link(l, 4, &h), 0);
	assert_int_equal(loom_link_call(l, &a, NULL, 0, NULL, NULL), 0);
	assert_int_equal(loom_link_call(l, &q, NULL, 0, fds, &n), 0);
	close_fds(fds, n);
	m = (struct loom_link_msg){ .type = LOOM_LINK_SESSION, .arg = { 0 } };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), 0);
	assert_int_equal(m.arg[0], (uint64_t)getpid());
	assert_int_equal(m.arg[1], h.arg[1]);	/* ASID */
	assert_int_equal(m.arg[2], h.arg[0]);	/* channel */
	assert_int_equal(m.arg[3], 3 << 20);
	assert_int_equal(m.arg[5], 1);
	m = (struct loom_link_msg){ .type = LOOM_LINK_SESSION, .arg = { 1 } };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), -ENOENT);
	loom_link_close(l);
}

static void bad_type_reserved(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	struct loom_link_msg m;
	uint32_t types[] = { 0, LOOM_LINK_SESSION + 1, 0x7fffffff, 0xffffffff };

	assert_non_null(l);
	for (unsigned i = 0; i < 4; i++) {
		m = (struct loom_link_msg){ .type = types[i] };
		assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), -EOPNOTSUPP);
		assert_int_equal(m.status, -EOPNOTSUPP);
		assert_int_equal(m.type, types[i]);
	}
	assert_int_equal(hello_link(l, 4, NULL), 0);
	m = (struct loom_link_msg){ .type = LOOM_LINK_QUERY, .reserved = 1 };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), -EINVAL);
	m = (struct loom_link_msg){ .type = LOOM_LINK_HELLO, .reserved = 0x80000000 };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), -EINVAL);
	/* seq is filled in and echoed. */
	m = (struct loom_link_msg){ .type = LOOM_LINK_QUERY };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), 0);
	uint32_t seq = m.seq;
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), 0);
	assert_int_not_equal(m.seq, seq);
	loom_link_close(l);
}

/* ---- DRAM ------------------------------------------------------------------- */

static void dram_alloc_free(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	struct loom_link_msg r;
	uint64_t pa1, pa2, pa3;

	assert_non_null(l);
	assert_int_equal(hello_link(l, 4, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, &r), 0);
	assert_int_equal(r.arg[0], 0);
	assert_int_equal(r.arg[1], TEST_DRAM);
	assert_int_equal(r.arg[2], 1);

	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 4096, 4096, &r), 0);
	pa1 = r.arg[0];
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 1, 2 * MiB, &r), 0);
	pa2 = r.arg[0];
	assert_int_equal(pa2 % (2 * MiB), 0);
	assert_int_not_equal(pa1, pa2);
	/* size 1 was rounded up to a page */
	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, &r), 0);
	assert_int_equal(r.arg[0], 2 * 4096);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 3 * 4096 + 5, 4096, &r), 0);
	pa3 = r.arg[0];
	assert_true(pa3 % 4096 == 0 && pa3 + 4 * 4096 <= TEST_DRAM);
	assert_true(pa3 >= pa1 + 4096 || pa3 + 4 * 4096 <= pa1);
	assert_true(pa3 >= pa2 + 4096 || pa3 + 4 * 4096 <= pa2);

	/* Bad alignments and sizes. */
	uint64_t bad_align[] = { 0, 1, 2048, 4096 + 4096 / 2, 3 * 4096 };
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 4096, bad_align[i], NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 0, 4096, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, TEST_DRAM + 4096, 4096, NULL), -ENOMEM);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, ~0ULL, 4096, NULL), -ENOMEM);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 4096, 1ULL << 63, &r), -ENOMEM);

	/* Bad frees. */
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pa1 + 4096 * 1000, 0, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pa3 + 4096, 0, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pa1, 0, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pa1, 0, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pa2, 0, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pa3, 0, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, &r), 0);
	assert_int_equal(r.arg[0], 0);
	loom_link_close(l);
}

static void dram_exhaustion(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	uint64_t chunk = 4 * MiB, pas[64];
	struct loom_link_msg r;
	unsigned n = 0;
	int ret;

	assert_non_null(l);
	assert_int_equal(hello_link(l, 4, NULL), 0);
	while ((ret = link_req(l, LOOM_LINK_DRAM_ALLOC, chunk, 4096, &r)) == 0) {
		assert_true(n < 64);
		assert_true(r.arg[0] + chunk <= TEST_DRAM);
		pas[n++] = r.arg[0];
	}
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(n, TEST_DRAM / chunk);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 4096, 4096, NULL), -ENOMEM);
	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, &r), 0);
	assert_int_equal(r.arg[0], TEST_DRAM);
	/* A hole in the middle is found again, with its alignment. */
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pas[5], 0, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, chunk, 4 * MiB, &r), 0);
	assert_int_equal(r.arg[0], pas[5]);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_FREE, pas[5], 0, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, 4096, 4096, &r), 0);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, chunk, 4096, NULL), -ENOMEM);
	loom_link_close(l);	/* frees everything */
}

static void dram_foreign_free(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg r;

	fixture_up(&f);
	a = open_hello(&f);
	b = open_hello(&f);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, 8192, 4096, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(sess_req(b, LOOM_LINK_DRAM_FREE, r.arg[0], 0, NULL, 0, NULL, NULL, NULL),
			 -EPERM);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_FREE, r.arg[0], 0, NULL, 0, NULL, NULL, NULL), 0);
	loom_link_session_close(a);
	loom_link_session_close(b);
	fixture_down(&f);
}

static bool range_is(const uint8_t *p, uint64_t len, uint8_t v)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Released DRAM is cleared; DRAM still held by an export keeps its bytes. */
static void dram_scrub(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg r;
	uint64_t pa, pa2;
	int xfd;

	fixture_up(&f);
	a = open_hello(&f);
	b = open_hello(&f);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, 2 * MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	pa = r.arg[0];
	memset(f.dev->dram + pa, 0xa5, 2 * MiB);
	assert_int_equal(do_export(a, pa + MiB, MiB, &xfd), 0);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_FREE, pa, 0, NULL, 0, NULL, NULL, NULL), 0);
	assert_true(range_is(f.dev->dram + pa, 2 * MiB, 0xa5));	/* still held */
	close(xfd);
	assert_int_equal(wait_used_sess(a, 0, 5000), 0);
	assert_true(range_is(f.dev->dram + pa, 2 * MiB, 0));
	/* Another driver allocating the same range finds zeros. */
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, 2 * MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	memset(f.dev->dram + r.arg[0], 0x3c, 2 * MiB);
	loom_link_session_close(a);
	assert_int_equal(sess_req(b, LOOM_LINK_DRAM_ALLOC, 2 * MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	pa2 = r.arg[0];
	assert_int_equal(pa2, pa);
	assert_true(range_is(f.dev->dram + pa2, 2 * MiB, 0));
	loom_link_session_close(b);
	fixture_down(&f);
}

/* ---- Queues and contexts ---------------------------------------------------- */

static void queue_alloc_all(void **state)
{
	struct loom_link *l = loom_link_open("inproc", &test_cfg);
	struct loom_link_msg h, m;
	struct loom_dev *dev;
	bool seen[LOOM_NUM_QUEUES] = { false };
	int fds[LOOM_LINK_MAX_FDS];
	unsigned n, i;

	assert_non_null(l);
	dev = loom_link_local_dev(l);
	assert_int_equal(hello_link(l, 4, &h), 0);
	for (i = 0; i < LOOM_NUM_QUEUES; i++) {
		m = (struct loom_link_msg){ .type = LOOM_LINK_QUEUE_ALLOC };
		assert_int_equal(loom_link_call(l, &m, NULL, 0, fds, &n), 0);
		assert_true(m.arg[0] < LOOM_NUM_QUEUES);
		assert_false(seen[m.arg[0]]);
		seen[m.arg[0]] = true;
		assert_int_equal(n, 1);
		assert_true(fd_is_eventfd(fds[0]));
		close(fds[0]);
		assert_int_equal(loom_reg_read(dev, LOOM_REG_QUEUE(m.arg[0], LOOM_QREG_ASID)), h.arg[1]);
		assert_int_equal(loom_reg_read(dev, LOOM_REG_QUEUE(m.arg[0], LOOM_QREG_CHANNEL)),
				 h.arg[0]);
		assert_int_equal(loom_reg_read(dev, LOOM_REG_QUEUE(m.arg[0], LOOM_QREG_CTRL)) &
				 LOOM_QCTRL_ENABLE, 0);
	}
	m = (struct loom_link_msg){ .type = LOOM_LINK_QUEUE_ALLOC };
	assert_int_equal(loom_link_call(l, &m, NULL, 0, fds, &n), -EBUSY);
	assert_int_equal(n, 0);
	assert_int_equal(link_req(l, LOOM_LINK_QUEUE_FREE, LOOM_NUM_QUEUES, 0, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_QUEUE_FREE, ~0ULL, 0, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_QUEUE_FREE, 7, 0, NULL), 0);
	assert_int_equal(loom_reg_read(dev, LOOM_REG_QUEUE(7, LOOM_QREG_ASID)), 0);
	assert_int_equal(link_req(l, LOOM_LINK_QUEUE_FREE, 7, 0, NULL), -EINVAL);
	assert_int_equal(link_req(l, LOOM_LINK_QUEUE_ALLOC, 0, 0, &m), 0);
	assert_int_equal(m.arg[0], 7);
	loom_link_close(l);
}

static void queue_foreign(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg r;

	fixture_up(&f);
	a = open_hello(&f);
	b = open_hello(&f);
	assert_int_equal(sess_req(a, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(sess_req(b, LOOM_LINK_QUEUE_FREE, r.arg[0], 0, NULL, 0, NULL, NULL, NULL),
			 -EPERM);
	/* The queue is still a's: b's next queue is another one. */
	uint64_t qa = r.arg[0];
	assert_int_equal(sess_req(b, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL, 0, &r, NULL, NULL), 0);
	assert_int_not_equal(r.arg[0], qa);
	assert_int_equal(sess_req(a, LOOM_LINK_QUEUE_FREE, qa, 0, NULL, 0, NULL, NULL, NULL), 0);
	loom_link_session_close(a);
	loom_link_session_close(b);
	fixture_down(&f);
}

static void set_pgd(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg ha, hb;
	uint32_t asid, ch;

	fixture_up(&f);
	a = loom_link_session_open(f.srv);
	b = loom_link_session_open(f.srv);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(hello_sess(a, &ha), 0);
	assert_int_equal(hello_sess(b, &hb), 0);
	assert_int_not_equal(ha.arg[0], hb.arg[0]);
	assert_int_not_equal(ha.arg[1], hb.arg[1]);
	asid = ha.arg[1];
	ch = ha.arg[0];

	uint64_t bad[] = {
		4096 + 8,					/* unaligned */
		TEST_DRAM,					/* past DRAM */
		TEST_DRAM - 4096 + 4096 * 16,
		LOOM_PA_HOST(ch, WINDOW_SIZE),			/* past the window */
		LOOM_PA_HOST(hb.arg[0], 0),			/* b's window */
		LOOM_PA_HOST_BASE - 4096,
		~0ULL & ~4095ULL,
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sess_req(a, LOOM_LINK_SET_PGD, bad[i], 0, NULL, 0, NULL, NULL, NULL),
				 -EINVAL);
	assert_int_equal(loom_reg_read(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL)), 0);

	assert_int_equal(sess_req(a, LOOM_LINK_SET_PGD, TEST_DRAM - 4096, 0, NULL, 0, NULL, NULL,
				  NULL), 0);
	assert_int_equal(loom_reg_read64(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_PGD_LO)),
			 TEST_DRAM - 4096);
	assert_int_equal(loom_reg_read(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_CHANNEL)), ch);
	assert_int_equal(loom_reg_read(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL)), 1);

	uint64_t win_pa = LOOM_PA_HOST(ch, WINDOW_SIZE - 4096);
	assert_int_equal(sess_req(a, LOOM_LINK_SET_PGD, win_pa, 0, NULL, 0, NULL, NULL, NULL), 0);
	assert_int_equal(loom_reg_read64(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_PGD_LO)), win_pa);

	/* Closing the session disables the context. */
	loom_link_session_close(a);
	assert_int_equal(loom_reg_read(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL)), 0);
	assert_int_equal(loom_reg_read64(f.dev, LOOM_REG_ASID(asid, LOOM_AREG_PGD_LO)), 0);
	assert_null(f.dev->windows[ch].ptr);
	assert_int_equal(f.dev->irq_fd[ch][0], -1);
	loom_link_session_close(b);
	fixture_down(&f);
}

static void sessions_busy(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *s[LOOM_NUM_CHANNELS];
	struct loom_link_msg h[LOOM_NUM_CHANNELS], r;

	fixture_up(&f);
	for (unsigned i = 0; i < LOOM_NUM_CHANNELS; i++) {
		s[i] = loom_link_session_open(f.srv);
		assert_non_null(s[i]);
		assert_int_equal(hello_sess(s[i], &h[i]), 0);
		for (unsigned j = 0; j < i; j++) {
			assert_int_not_equal(h[i].arg[0], h[j].arg[0]);
			assert_int_not_equal(h[i].arg[1], h[j].arg[1]);
		}
		assert_int_equal(sess_req(s[i], LOOM_LINK_QUERY, 0, 0, NULL, 0, &r, NULL, NULL), 0);
		assert_int_equal(r.arg[2], i + 1);
	}
	errno = 0;
	assert_null(loom_link_session_open(f.srv));
	assert_int_equal(errno, EBUSY);
	loom_link_session_close(s[3]);
	s[3] = loom_link_session_open(f.srv);
	assert_non_null(s[3]);
	assert_int_equal(hello_sess(s[3], &r), 0);
	assert_int_equal(r.arg[0], h[3].arg[0]);	/* the only free channel */
	assert_int_equal(sess_req(s[0], LOOM_LINK_QUERY, 0, 0, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(r.arg[2], LOOM_NUM_CHANNELS);
	/* destroy closes the sessions still open */
	fixture_down(&f);
}

/* ---- Exports ---------------------------------------------------------------- */

static void export_import_lifetime(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg r;
	uint64_t pa, ipa = 0, isize = 0;
	int xfd;

	fixture_up(&f);
	a = open_hello(&f);
	b = open_hello(&f);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, 4 * MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	pa = r.arg[0];

	/* Bad ranges. */
	int junk;
	assert_int_equal(do_export(a, pa, 0, &junk), -EINVAL);
	assert_int_equal(do_export(a, pa + 100, 4096, &junk), -EINVAL);
	assert_int_equal(do_export(a, pa, 4096 + 100, &junk), -EINVAL);
	assert_int_equal(do_export(a, pa + 4096, 4 * MiB, &junk), -EINVAL);	/* overhangs */
	assert_int_equal(do_export(a, pa + 4 * MiB, 4096, &junk), -EINVAL);
	assert_int_equal(do_export(b, pa, 4096, &junk), -EINVAL);		/* not b's */

	assert_int_equal(do_export(a, pa + MiB, 2 * MiB, &xfd), 0);
	assert_true(fcntl(xfd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(do_import(b, xfd, &ipa, &isize), 0);
	assert_int_equal(ipa, pa + MiB);
	assert_int_equal(isize, 2 * MiB);
	/* Importing twice is two references; a dup is the same export. */
	int dupfd = dup(xfd);
	assert_int_equal(do_import(b, dupfd, &ipa, &isize), 0);
	close(dupfd);
	assert_int_equal(sess_req(b, LOOM_LINK_UNIMPORT, ipa, 0, NULL, 0, NULL, NULL, NULL), 0);

	/* The owner frees: the importer and the fd still hold it. */
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_FREE, pa, 0, NULL, 0, NULL, NULL, NULL), 0);
	assert_int_equal(query_used(a), 4 * MiB);
	/* A freed allocation cannot be exported again, nor freed again. */
	assert_int_equal(do_export(a, pa, 4096, &junk), -EINVAL);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_FREE, pa, 0, NULL, 0, NULL, NULL, NULL), -EINVAL);
	/* Nor reused: a new allocation lands elsewhere. */
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, 4 * MiB, 4 * MiB, NULL, 0, &r, NULL, NULL), 0);
	assert_true(r.arg[0] >= pa + 4 * MiB || r.arg[0] + 4 * MiB <= pa);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_FREE, r.arg[0], 0, NULL, 0, NULL, NULL, NULL), 0);

	/* Every copy of the fd closed: the import alone holds it. */
	close(xfd);
	sleep_ms(50);
	assert_int_equal(query_used(a), 4 * MiB);
	assert_int_equal(sess_req(b, LOOM_LINK_UNIMPORT, ipa + 4096, 0, NULL, 0, NULL, NULL, NULL),
			 -EINVAL);
	assert_int_equal(sess_req(a, LOOM_LINK_UNIMPORT, ipa, 0, NULL, 0, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(sess_req(b, LOOM_LINK_UNIMPORT, ipa, 0, NULL, 0, NULL, NULL, NULL), 0);
	assert_int_equal(wait_used_sess(a, 0, 5000), 0);
	assert_int_equal(sess_req(b, LOOM_LINK_UNIMPORT, ipa, 0, NULL, 0, NULL, NULL, NULL), -EINVAL);

	loom_link_session_close(a);
	loom_link_session_close(b);
	fixture_down(&f);
}

static void export_fd_only(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg r;
	uint64_t pa, ipa = 0, isize = 0;
	int xfd;

	fixture_up(&f);
	a = open_hello(&f);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	pa = r.arg[0];
	assert_int_equal(do_export(a, pa, MiB, &xfd), 0);
	/* The exporter goes away entirely; the fd keeps the memory. */
	loom_link_session_close(a);
	b = open_hello(&f);
	assert_int_equal(query_used(b), MiB);
	sleep_ms(50);
	assert_int_equal(query_used(b), MiB);
	/* ...and can still be imported. */
	assert_int_equal(do_import(b, xfd, &ipa, &isize), 0);
	assert_int_equal(ipa, pa);
	close(xfd);
	sleep_ms(50);
	assert_int_equal(query_used(b), MiB);
	/* Session close drops its imports: now it is really free. */
	loom_link_session_close(b);
	b = open_hello(&f);
	assert_int_equal(wait_used_sess(b, 0, 5000), 0);

	/* No import at all: closing the fd after the free releases it. */
	assert_int_equal(sess_req(b, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(do_export(b, r.arg[0], 4096, &xfd), 0);
	assert_int_equal(sess_req(b, LOOM_LINK_DRAM_FREE, r.arg[0], 0, NULL, 0, NULL, NULL, NULL), 0);
	assert_int_equal(query_used(b), MiB);
	close(xfd);
	assert_int_equal(wait_used_sess(b, 0, 5000), 0);
	loom_link_session_close(b);
	fixture_down(&f);
}

static void import_bad(void **state)
{
	struct srv_fixture f, g;
	struct loom_link_session *a, *b, *other;
	struct loom_link_msg r;
	uint64_t pa, isize;
	int xfd, pfd[2], sv[2];
	unsigned char rec[256];
	ssize_t n;

	fixture_up(&f);
	fixture_up(&g);
	a = open_hello(&f);
	b = open_hello(&f);
	other = open_hello(&g);
	assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(do_export(a, r.arg[0], MiB, &xfd), 0);

	/* Another device's export. */
	assert_int_equal(do_import(other, xfd, &pa, &isize), -EXDEV);
	/* Not an export: a pipe, a closed fd, no fd, an empty socket. */
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	assert_int_equal(do_import(b, pfd[0], &pa, &isize), -EBADF);
	assert_int_equal(do_import(b, pfd[1], &pa, &isize), -EBADF);
	int dead = dup(pfd[0]);
	close(dead);
	assert_int_equal(do_import(b, dead, &pa, &isize), -EBADF);
	assert_int_equal(do_import(b, -1, &pa, &isize), -EBADF);
	assert_int_equal(sess_req(b, LOOM_LINK_IMPORT, 0, 0, NULL, 0, NULL, NULL, NULL), -EBADF);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(do_import(b, sv[1], &pa, &isize), -EBADF);
	/* A forged copy of a genuine record is still not the export. */
	n = recv(xfd, rec, sizeof(rec), MSG_PEEK | MSG_DONTWAIT);
	assert_true(n > 0);
	assert_int_equal(send(sv[0], rec, (size_t)n, 0), n);
	assert_int_equal(do_import(b, sv[1], &pa, &isize), -EBADF);
	/* Garbage of the same size. */
	close_fds(sv, 2);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	memset(rec, 0x5a, sizeof(rec));
	assert_int_equal(send(sv[0], rec, (size_t)n, 0), n);
	assert_int_equal(do_import(b, sv[1], &pa, &isize), -EBADF);
	close_fds(sv, 2);
	close_fds(pfd, 2);
	assert_int_equal(sess_req(b, LOOM_LINK_UNIMPORT, r.arg[0], 0, NULL, 0, NULL, NULL, NULL),
			 -EINVAL);

	/* The genuine one still works (and the importer's peek left it intact). */
	assert_int_equal(do_import(b, xfd, &pa, &isize), 0);
	assert_int_equal(pa, r.arg[0]);
	assert_int_equal(isize, MiB);
	close(xfd);
	loom_link_session_close(a);
	loom_link_session_close(b);
	loom_link_session_close(other);
	fixture_down(&g);
	fixture_down(&f);
}

static void session_close_frees(void **state)
{
	struct srv_fixture f;
	struct loom_link_session *a, *b;
	struct loom_link_msg r, h;
	uint64_t pa, ipa = 0, isize = 0;
	unsigned nq = 0;
	int xfd;

	fixture_up(&f);
	a = loom_link_session_open(f.srv);
	assert_non_null(a);
	assert_int_equal(hello_sess(a, &h), 0);
	b = open_hello(&f);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(sess_req(a, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL, 0, NULL, NULL, NULL), 0);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(sess_req(a, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	pa = r.arg[0];
	assert_int_equal(sess_req(b, LOOM_LINK_DRAM_ALLOC, 2 * MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(do_export(b, r.arg[0], MiB, &xfd), 0);
	assert_int_equal(do_import(a, xfd, &ipa, &isize), 0);
	close(xfd);
	assert_int_equal(sess_req(b, LOOM_LINK_SET_PGD, 0, 0, NULL, 0, NULL, NULL, NULL), 0);
	assert_int_equal(query_used(b), 7 * MiB);
	/* a's channel state as a driver leaves it. */
	loom_reg_write(f.dev, LOOM_REG_CH(h.arg[0], LOOM_CREG_EQ_SIZE), 64);
	loom_reg_write(f.dev, LOOM_REG_CH(h.arg[0], LOOM_CREG_MBOX_SEQ), 9);

	loom_link_session_close(a);
	assert_int_equal(sess_req(b, LOOM_LINK_QUERY, 0, 0, NULL, 0, &r, NULL, NULL), 0);
	assert_int_equal(r.arg[2], 1);
	assert_int_equal(wait_used_sess(b, 2 * MiB, 5000), 2 * MiB);
	assert_int_equal(loom_reg_read(f.dev, LOOM_REG_CH(h.arg[0], LOOM_CREG_EQ_SIZE)), 0);
	assert_int_equal(loom_reg_read(f.dev, LOOM_REG_CH(h.arg[0], LOOM_CREG_MBOX_SEQ)), 0);
	/* All its queues are free again. */
	while (sess_req(b, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL, 0, NULL, NULL, NULL) == 0)
		nq++;
	assert_int_equal(nq, LOOM_NUM_QUEUES);
	/* Its DRAM too: the hole it left is reused. */
	assert_int_equal(sess_req(b, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL, 0, &r, NULL, NULL), 0);
	assert_true(r.arg[0] <= pa);
	loom_link_session_close(b);
	fixture_down(&f);
}

/* Several drivers at once: allocations, exports, queues, sessions coming and going. */
struct stress_arg {
	struct srv_fixture *f;
	unsigned seed;
	int failures;
};

static void *stress_main(void *p)
{
	struct stress_arg *a = p;
	unsigned seed = a->seed;

	for (unsigned round = 0; round < 4; round++) {
		struct loom_link_session *s = NULL;
		uint64_t pas[16];
		unsigned npa = 0;

		/* Another thread may hold the last channel for a moment. */
		for (unsigned tries = 0; !s && tries < 1000; tries++)
			if (!(s = loom_link_session_open(a->f->srv)))
				sleep_ms(1);
		if (!s || hello_sess(s, NULL)) {
			a->failures++;
			return NULL;
		}
		for (unsigned i = 0; i < 100; i++) {
			struct loom_link_msg r;
			unsigned op = rand_r(&seed) % 4;

			if (op == 0 && npa < 16) {
				uint64_t size = (1 + rand_r(&seed) % 64) * 4096;

				if (sess_req(s, LOOM_LINK_DRAM_ALLOC, size, 4096, NULL, 0, &r, NULL, NULL) == 0)
					pas[npa++] = r.arg[0];
			} else if (op == 1 && npa) {
				if (sess_req(s, LOOM_LINK_DRAM_FREE, pas[--npa], 0, NULL, 0, NULL, NULL, NULL))
					a->failures++;
			} else if (op == 2 && npa) {
				uint64_t pa = pas[rand_r(&seed) % npa], ipa = 0, isize;
				int xfd;

				if (do_export(s, pa, 4096, &xfd)) {
					a->failures++;
					continue;
				}
				if (do_import(s, xfd, &ipa, &isize) || ipa != pa)
					a->failures++;
				close(xfd);
				if (rand_r(&seed) % 2 &&
				    sess_req(s, LOOM_LINK_UNIMPORT, ipa, 0, NULL, 0, NULL, NULL, NULL))
					a->failures++;
			} else if (op == 3) {
				if (sess_req(s, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL, 0, &r, NULL, NULL) == 0 &&
				    sess_req(s, LOOM_LINK_QUEUE_FREE, r.arg[0], 0, NULL, 0, NULL, NULL, NULL))
					a->failures++;
			}
		}
		loom_link_session_close(s);	/* leaves allocations and imports behind */
	}
	return NULL;
}

static void concurrent_sessions(void **state)
{
	struct srv_fixture f;
	struct stress_arg args[6];
	pthread_t t[6];
	struct loom_link_session *s;

	fixture_up(&f);
	for (unsigned i = 0; i < 6; i++) {
		args[i] = (struct stress_arg){ .f = &f, .seed = 77 + i };
		assert_int_equal(pthread_create(&t[i], NULL, stress_main, &args[i]), 0);
	}
	for (unsigned i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	s = open_hello(&f);
	assert_int_equal(wait_used_sess(s, 0, 5000), 0);
	loom_link_session_close(s);
	fixture_down(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_open_bad),
		cmocka_unit_test(hello_basic),
		cmocka_unit_test(hello_bad),
		cmocka_unit_test(bad_type_reserved),
		cmocka_unit_test(session),
		cmocka_unit_test(dram_alloc_free),
		cmocka_unit_test(dram_exhaustion),
		cmocka_unit_test(dram_foreign_free),
		cmocka_unit_test(dram_scrub),
		cmocka_unit_test(queue_alloc_all),
		cmocka_unit_test(queue_foreign),
		cmocka_unit_test(set_pgd),
		cmocka_unit_test(sessions_busy),
		cmocka_unit_test(export_import_lifetime),
		cmocka_unit_test(export_fd_only),
		cmocka_unit_test(import_bad),
		cmocka_unit_test(session_close_frees),
		cmocka_unit_test(concurrent_sessions),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("test_link", tests, NULL, NULL);
}
