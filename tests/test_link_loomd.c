// SPDX-License-Identifier: MIT
/*
 * Device link tests with loomd as a process, over the fixture of
 * tests/loom_test_link.h (test_link has the link server's requests): two
 * clients, a full device, garbage on the socket, killed clients, shutdown
 * on SIGTERM, stale sockets.
 */
#include "loom_test_link.h"

/* ---- loomd ------------------------------------------------------------------ */

struct loomd_fixture {
	char dir[64];
	char sock[128];
	char uri[160];
	pid_t pid;
};

/* Wait for pid up to timeout_ms; returns its wait status or -1. */
static int wait_pid(pid_t pid, unsigned timeout_ms)
{
	uint64_t t0 = now_ms();
	int st;

	do {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0)
			return -1;
		sleep_ms(5);
	} while (now_ms() - t0 < timeout_ms);
	return -1;
}

static pid_t spawn_loomd(const char *sock, const char *dram)
{
	const char *loomd = getenv("LOOMD");
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execl(loomd, "loomd", "-s", sock, "-d", dram, "--queue-timeout", "2000",
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool wait_socket(const char *path, pid_t pid, unsigned timeout_ms)
{
	uint64_t t0 = now_ms();
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	do {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		int st;

		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			return true;
		}
		close(fd);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return false;
		sleep_ms(10);
	} while (now_ms() - t0 < timeout_ms);
	return false;
}

static int loomd_setup(void **state)
{
	struct loomd_fixture *fx;

	if (!getenv("LOOMD") || access(getenv("LOOMD"), X_OK))
		return 0;	/* the tests skip */
	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/loom-test-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->sock, sizeof(fx->sock), "%s/loom0.sock", fx->dir);
	snprintf(fx->uri, sizeof(fx->uri), "unix:%s", fx->sock);
	fx->pid = spawn_loomd(fx->sock, "64M");
	if (fx->pid < 0 || !wait_socket(fx->sock, fx->pid, 10000)) {
		if (fx->pid > 0) {
			kill(fx->pid, SIGKILL);
			wait_pid(fx->pid, 5000);
		}
		rmdir(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int loomd_teardown(void **state)
{
	struct loomd_fixture *fx = *state;

	if (!fx)
		return 0;
	if (fx->pid > 0) {
		kill(fx->pid, SIGKILL);
		wait_pid(fx->pid, 5000);
	}
	unlink(fx->sock);
	rmdir(fx->dir);
	free(fx);
	*state = NULL;
	return 0;
}

static struct loomd_fixture *loomd_get(void **state)
{
	if (!*state)
		skip();
	return *state;
}

static uint64_t link_used(struct loom_link *l)
{
	struct loom_link_msg r;

	assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, &r), 0);
	return r.arg[0];
}

/* Poll QUERY until n sessions are open (closes are asynchronous in loomd). */
static uint64_t wait_sessions(struct loom_link *l, uint64_t n)
{
	struct loom_link_msg r;
	uint64_t t0 = now_ms();

	for (;;) {
		assert_int_equal(link_req(l, LOOM_LINK_QUERY, 0, 0, &r), 0);
		if (r.arg[2] == n || now_ms() - t0 > 5000)
			return r.arg[2];
		sleep_ms(5);
	}
}

static void loomd_clients(void **state)
{
	struct loomd_fixture *fx = loomd_get(state);
	struct loom_link *a, *b;
	struct loom_link_msg r, ha, hb;
	uint64_t pa, ipa;
	int fds[LOOM_LINK_MAX_FDS], xfd;
	unsigned n;

	a = loom_link_open(fx->uri, NULL);
	assert_non_null(a);
	assert_null(loom_link_local_dev(a));
	assert_int_equal(link_req(a, LOOM_LINK_QUERY, 0, 0, NULL), -ENOTCONN);
	assert_int_equal(hello_link(a, 4, &ha), 0);
	assert_int_equal(ha.arg[3], 64 * MiB);
	assert_int_equal(hello_link(a, 4, NULL), -EALREADY);
	b = loom_link_open(fx->sock, NULL);	/* a plain path works too */
	assert_non_null(b);
	assert_int_equal(hello_link(b, 2, &hb), 0);
	assert_int_not_equal(ha.arg[0], hb.arg[0]);
	assert_int_not_equal(ha.arg[1], hb.arg[1]);

	assert_int_equal(link_req(a, LOOM_LINK_DRAM_ALLOC, 3 * MiB, 2 * MiB, &r), 0);
	pa = r.arg[0];
	assert_int_equal(pa % (2 * MiB), 0);
	assert_int_equal(wait_sessions(b, 2), 2);
	assert_int_equal(link_req(b, LOOM_LINK_QUERY, 0, 0, &r), 0);
	assert_int_equal(r.arg[0], 3 * MiB);
	assert_int_equal(r.arg[1], 64 * MiB);
	assert_int_equal(link_req(b, LOOM_LINK_DRAM_FREE, pa, 0, NULL), -EPERM);
	assert_int_equal(link_req(a, LOOM_LINK_DRAM_ALLOC, 4096, 3000, NULL), -EINVAL);

	/* Queues: the doorbell fd travels. */
	r = (struct loom_link_msg){ .type = LOOM_LINK_QUEUE_ALLOC };
	assert_int_equal(loom_link_call(a, &r, NULL, 0, fds, &n), 0);
	assert_int_equal(n, 1);
	assert_true(fd_is_eventfd(fds[0]));
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	close(fds[0]);
	assert_int_equal(link_req(b, LOOM_LINK_QUEUE_FREE, r.arg[0], 0, NULL), -EPERM);

	/* An export crosses clients through the daemon. */
	r = (struct loom_link_msg){ .type = LOOM_LINK_EXPORT, .arg = { pa, 2 * MiB } };
	assert_int_equal(loom_link_call(a, &r, NULL, 0, fds, &n), 0);
	assert_int_equal(n, 1);
	xfd = fds[0];
	r = (struct loom_link_msg){ .type = LOOM_LINK_IMPORT };
	assert_int_equal(loom_link_call(b, &r, &xfd, 1, NULL, NULL), 0);
	ipa = r.arg[0];
	assert_int_equal(ipa, pa);
	assert_int_equal(r.arg[1], 2 * MiB);
	assert_int_equal(link_req(a, LOOM_LINK_DRAM_FREE, pa, 0, NULL), 0);
	assert_int_equal(link_used(b), 3 * MiB);
	close(xfd);
	assert_int_equal(link_req(b, LOOM_LINK_UNIMPORT, ipa, 0, NULL), 0);
	uint64_t t0 = now_ms();
	while (link_used(b) && now_ms() - t0 < 5000)
		sleep_ms(5);
	assert_int_equal(link_used(b), 0);

	loom_link_close(a);
	assert_int_equal(wait_sessions(b, 1), 1);
	loom_link_close(b);
}

static void loomd_full(void **state)
{
	struct loomd_fixture *fx = loomd_get(state);
	struct loom_link *l[LOOM_NUM_CHANNELS], *extra;
	struct loom_link_msg m;
	uint64_t t0;
	int ret;

	for (unsigned i = 0; i < LOOM_NUM_CHANNELS; i++) {
		l[i] = loom_link_open(fx->uri, NULL);
		assert_non_null(l[i]);
		assert_int_equal(hello_link(l[i], 4, NULL), 0);
		/* The setup's probe connection may still be closing. */
		if (i == 0)
			assert_int_equal(wait_sessions(l[0], 1), 1);
	}
	/* One driver too many: its first request is answered -EBUSY, then closed. */
	extra = loom_link_open(fx->uri, NULL);
	assert_non_null(extra);
	m = (struct loom_link_msg){ .type = LOOM_LINK_QUERY };
	assert_int_equal(loom_link_call(extra, &m, NULL, 0, NULL, NULL), -EBUSY);
	loom_link_close(extra);
	assert_int_equal(link_req(l[0], LOOM_LINK_QUERY, 0, 0, &m), 0);
	assert_int_equal(m.arg[2], LOOM_NUM_CHANNELS);

	/* Once one leaves, a newcomer gets its channel (its close is asynchronous). */
	loom_link_close(l[5]);
	t0 = now_ms();
	for (;;) {
		extra = loom_link_open(fx->uri, NULL);
		assert_non_null(extra);
		ret = hello_link(extra, 4, NULL);
		if ((ret != -EBUSY && ret != -ECONNRESET) || now_ms() - t0 > 5000)
			break;
		loom_link_close(extra);
		sleep_ms(10);
	}
	assert_int_equal(ret, 0);
	l[5] = extra;
	for (unsigned i = 0; i < LOOM_NUM_CHANNELS; i++)
		loom_link_close(l[i]);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct timeval tv = { 5, 0 };

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Send len bytes; the reply must be an error or the connection closes. */
static void expect_error_or_close(int fd, const void *buf, size_t len, bool *closed)
{
	struct loom_link_msg r;
	ssize_t n;

	if (send(fd, buf, len, MSG_NOSIGNAL) < 0) {
		*closed = true;
		return;
	}
	n = recv(fd, &r, sizeof(r), 0);
	assert_true(n >= 0);	/* not a timeout */
	if (n == 0) {
		*closed = true;
		return;
	}
	assert_int_equal(n, sizeof(r));
	assert_true(r.status < 0);
}

static void loomd_garbage(void **state)
{
	struct loomd_fixture *fx = loomd_get(state);
	struct loom_link *good;
	unsigned char buf[512];
	bool closed = false;
	int fd;

	good = loom_link_open(fx->uri, NULL);
	assert_non_null(good);
	assert_int_equal(hello_link(good, 4, NULL), 0);

	srand(1234);
	fd = raw_connect(fx->sock);
	/* Too short, too long, one byte, random bytes of the right size. */
	size_t lens[] = { 3, sizeof(struct loom_link_msg) - 1, sizeof(struct loom_link_msg) + 1,
			  sizeof(buf), 1 };
	for (unsigned i = 0; i < 5 && !closed; i++) {
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = (unsigned char)rand();
		expect_error_or_close(fd, buf, lens[i], &closed);
		assert_int_equal(link_used(good), 0);
	}
	for (unsigned i = 0; i < 200 && !closed; i++) {
		struct loom_link_msg *m = (struct loom_link_msg *)buf;

		for (size_t k = 0; k < sizeof(*m); k++)
			buf[k] = (unsigned char)rand();
		if (i % 2)
			m->type = 1 + i % LOOM_LINK_QUERY;	/* known types, random args */
		expect_error_or_close(fd, buf, sizeof(*m), &closed);
	}
	/* A well-formed request on the same connection is still answered. */
	if (!closed) {
		struct loom_link_msg m = { .type = LOOM_LINK_QUERY, .seq = 77 }, r;

		assert_int_equal(send(fd, &m, sizeof(m), 0), sizeof(m));
		assert_int_equal(recv(fd, &r, sizeof(r), 0), sizeof(r));
		assert_int_equal(r.seq, 77);
		assert_int_equal(r.status, -ENOTCONN);
	}
	close(fd);

	/* Too many descriptors in one message. */
	fd = raw_connect(fx->sock);
	{
		union {
			char b[CMSG_SPACE(sizeof(int) * 16)];
			struct cmsghdr align;
		} cbuf;
		struct loom_link_msg m = { .type = LOOM_LINK_QUERY, .seq = 5 }, r;
		struct iovec iov = { &m, sizeof(m) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
				     .msg_controllen = sizeof(cbuf.b) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		int many[16];

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(many));
		for (unsigned i = 0; i < 16; i++)
			many[i] = eventfd(0, EFD_CLOEXEC);
		memcpy(CMSG_DATA(c), many, sizeof(many));
		assert_int_equal(sendmsg(fd, &mh, MSG_NOSIGNAL), sizeof(m));
		close_fds(many, 16);
		ssize_t n = recv(fd, &r, sizeof(r), 0);
		assert_true(n == 0 || (n == sizeof(r) && r.status < 0));
	}
	close(fd);

	/* The well-behaved client never noticed. */
	assert_int_equal(link_req(good, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL), 0);
	assert_int_equal(link_used(good), MiB);
	loom_link_close(good);
}

static void loomd_client_killed(void **state)
{
	struct loomd_fixture *fx = loomd_get(state);
	struct loom_link *watcher;
	struct loom_link_msg r;
	int p[2], st;
	uint64_t t0;
	pid_t pid;
	char c;

	watcher = loom_link_open(fx->uri, NULL);
	assert_non_null(watcher);
	assert_int_equal(hello_link(watcher, 4, NULL), 0);
	assert_int_equal(link_used(watcher), 0);

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct loom_link *l = loom_link_open(fx->uri, NULL);
		struct loom_link_msg m = { .type = LOOM_LINK_HELLO,
					   .arg = { LOOM_LINK_VERSION, WINDOW_SIZE } };
		int win = memfd_create("w", 0), fds[LOOM_LINK_MAX_FDS];
		unsigned n;

		if (!l || ftruncate(win, WINDOW_SIZE) || loom_link_call(l, &m, &win, 1, fds, &n))
			_exit(1);
		m = (struct loom_link_msg){ .type = LOOM_LINK_DRAM_ALLOC, .arg = { 8 * MiB, 4096 } };
		if (loom_link_call(l, &m, NULL, 0, fds, &n))
			_exit(2);
		m = (struct loom_link_msg){ .type = LOOM_LINK_QUEUE_ALLOC };
		if (loom_link_call(l, &m, NULL, 0, fds, &n))
			_exit(3);
		c = 'x';
		if (write(p[1], &c, 1) != 1)
			_exit(4);
		_exit(0);	/* without closing anything */
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	st = wait_pid(pid, 10000);
	assert_true(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	t0 = now_ms();
	do {
		assert_int_equal(link_req(watcher, LOOM_LINK_QUERY, 0, 0, &r), 0);
		if (r.arg[0] == 0 && r.arg[2] == 1)
			break;
		sleep_ms(5);
	} while (now_ms() - t0 < 5000);
	assert_int_equal(r.arg[0], 0);
	assert_int_equal(r.arg[2], 1);
	/* Its queue came back too. */
	unsigned nq = 0;
	while (link_req(watcher, LOOM_LINK_QUEUE_ALLOC, 0, 0, NULL) == 0)
		nq++;
	assert_int_equal(nq, LOOM_NUM_QUEUES);
	loom_link_close(watcher);
}

static void loomd_sigterm(void **state)
{
	struct loomd_fixture *fx = loomd_get(state);
	struct loom_link *l, *l2;
	struct loom_link_msg m = { .type = LOOM_LINK_QUERY };
	struct stat st;
	pid_t second;
	int ws;

	l = loom_link_open(fx->uri, NULL);
	assert_non_null(l);
	assert_int_equal(hello_link(l, 4, NULL), 0);
	assert_int_equal(link_req(l, LOOM_LINK_DRAM_ALLOC, MiB, 4096, NULL), 0);

	/* A second daemon on the same socket refuses to start and leaves it alone. */
	second = spawn_loomd(fx->sock, "4M");
	assert_true(second > 0);
	ws = wait_pid(second, 10000);
	if (ws == -1)
		kill(second, SIGKILL), wait_pid(second, 5000);
	assert_true(ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) != 0);
	assert_int_equal(stat(fx->sock, &st), 0);
	l2 = loom_link_open(fx->uri, NULL);
	assert_non_null(l2);

	assert_int_equal(kill(fx->pid, SIGTERM), 0);
	ws = wait_pid(fx->pid, 10000);
	assert_true(ws != -1);
	fx->pid = 0;
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	assert_int_equal(stat(fx->sock, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* The clients see the device go away. */
	assert_int_equal(loom_link_call(l, &m, NULL, 0, NULL, NULL), -ECONNRESET);
	m = (struct loom_link_msg){ .type = LOOM_LINK_QUERY };
	assert_int_equal(loom_link_call(l2, &m, NULL, 0, NULL, NULL), -ECONNRESET);
	loom_link_close(l);
	loom_link_close(l2);
	errno = 0;
	assert_null(loom_link_open(fx->uri, NULL));
	assert_int_equal(errno, ENOENT);
}

static void loomd_stale_socket(void **state)
{
	struct loomd_fixture *fx = loomd_get(state);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct loom_link *l;
	char path[100];
	pid_t pid;
	int fd, ws;

	/* A socket file nobody listens on, as a crashed daemon leaves it. */
	snprintf(path, sizeof(path), "%s/stale.sock", fx->dir);
	memcpy(sun.sun_path, path, sizeof(path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	errno = 0;
	assert_null(loom_link_open(path, NULL));
	assert_int_equal(errno, ECONNREFUSED);

	pid = spawn_loomd(path, "2M");
	assert_true(pid > 0);
	if (!wait_socket(path, pid, 10000)) {
		kill(pid, SIGKILL);
		wait_pid(pid, 5000);
		fail_msg("loomd did not replace the stale socket");
	}
	l = loom_link_open(path, NULL);
	assert_non_null(l);
	assert_int_equal(hello_link(l, 4, NULL), 0);
	loom_link_close(l);
	kill(pid, SIGINT);
	ws = wait_pid(pid, 10000);
	if (ws == -1) {
		kill(pid, SIGKILL);
		wait_pid(pid, 5000);
	}
	assert_true(ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loomd_clients, loomd_setup, loomd_teardown),
		cmocka_unit_test_setup_teardown(loomd_full, loomd_setup, loomd_teardown),
		cmocka_unit_test_setup_teardown(loomd_garbage, loomd_setup, loomd_teardown),
		cmocka_unit_test_setup_teardown(loomd_client_killed, loomd_setup, loomd_teardown),
		cmocka_unit_test_setup_teardown(loomd_sigterm, loomd_setup, loomd_teardown),
		cmocka_unit_test_setup_teardown(loomd_stale_socket, loomd_setup, loomd_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("test_link_loomd", tests, NULL, NULL);
}
