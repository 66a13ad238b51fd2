/* SPDX-License-Identifier: MIT */
/*
 * loomd: the Loom device as a process.
 *
 * It creates one emulated device, listens on a SOCK_SEQPACKET Unix socket
 * and serves the device link (hw/loom_link.h) to userspace drivers: one
 * thread per connection, one link session per connection. Each message is
 * handed to the link server with the descriptors that came with it, the
 * reply goes back with the descriptors the server returned. A connection
 * that closes (the driver exited or crashed) closes its session, which
 * resets the driver's queues and frees its resources. SIGINT and SIGTERM
 * shut the device down cleanly and remove the socket. See loomd(8).
 *
 * With --ivshmem, loomd instead serves one QEMU guest as the ivshmem server
 * of its ivshmem-doorbell device (device/loom_ivshmem.c): the guest's
 * kernel driver is then the device's privileged driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loom_ivshmem.h"
#include "loom_link.h"

#ifndef LOOM_VERSION
#define LOOM_VERSION	"0.1.0"
#endif

struct loomd_client {
	struct loomd_client *next;
	struct loomd *d;
	struct loom_link_session *session;
	int fd;
};

struct loomd {
	struct loom_dev *dev;
	struct loom_link_server *srv;
	bool quiet;

	/* Protects clients and nclients; done is signalled when one leaves. */
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct loomd_client *clients;
	unsigned nclients;
};

/* Written by the signal handler, read by the accept loop. */
static int loomd_sig_pipe[2] = { -1, -1 };

static void loomd_on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	ssize_t r = write(loomd_sig_pipe[1], &c, 1);

	(void)r;
	errno = saved;
}

static void loomd_close_fds(const int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static int loomd_send(int fd, const struct loom_link_msg *msg, const int *fds, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * LOOM_LINK_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(*msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (nfds) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n == sizeof(*msg) ? 0 : -1;
}

/*
 * Read one request. Returns 1 with a well-formed message and its fds, 0 on
 * EOF or a dead socket, -1 with a malformed message (*req holds whatever
 * type and seq could be read; its fds are already closed).
 */
static int loomd_recv(int fd, struct loom_link_msg *req, int *fds, unsigned *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * LOOM_LINK_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	unsigned char buf[sizeof(*req) + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*nfds = 0;
	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		unsigned k, cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < cnt; k++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
			if (*nfds < LOOM_LINK_MAX_FDS)
				fds[(*nfds)++] = f;
			else
				close(f);
		}
	}
	memset(req, 0, sizeof(*req));
	memcpy(req, buf, (size_t)n < sizeof(*req) ? (size_t)n : sizeof(*req));
	if (n != sizeof(*req) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		loomd_close_fds(fds, *nfds);
		*nfds = 0;
		return -1;
	}
	return 1;
}

static void *loomd_client_main(void *arg)
{
	struct loomd_client *cl = arg;
	struct loomd *d = cl->d;
	struct loomd_client **pp;

	for (;;) {
		int fds_in[LOOM_LINK_MAX_FDS], fds_out[LOOM_LINK_MAX_FDS];
		struct loom_link_msg req, resp;
		unsigned nin, nout = 0;
		int r = loomd_recv(cl->fd, &req, fds_in, &nin);

		if (r == 0)
			break;
		if (r < 0) {
			memset(&resp, 0, sizeof(resp));
			resp.type = req.type;
			resp.seq = req.seq;
			resp.status = -EINVAL;
		} else {
			loom_link_handle(cl->session, &req, fds_in, nin, &resp, fds_out, &nout);
			loomd_close_fds(fds_in, nin);
		}
		r = loomd_send(cl->fd, &resp, fds_out, nout);
		loomd_close_fds(fds_out, nout);
		if (r)
			break;
	}

	loom_link_session_close(cl->session);
	pthread_mutex_lock(&d->lock);
	for (pp = &d->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	close(cl->fd);
	d->nclients--;
	pthread_cond_broadcast(&d->done);
	pthread_mutex_unlock(&d->lock);
	free(cl);
	return NULL;
}

/*
 * Answer a client that cannot have a session: its first request (HELLO)
 * gets the reason as its status, so the driver reports EBUSY rather than a
 * dropped connection. Waits at most 200 ms for that request.
 */
static void loomd_refuse(int fd, int err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct loom_link_msg req, resp;
	int fds[LOOM_LINK_MAX_FDS];
	unsigned nfds = 0;

	if (poll(&pfd, 1, 200) != 1 || loomd_recv(fd, &req, fds, &nfds) != 1)
		return;
	loomd_close_fds(fds, nfds);
	memset(&resp, 0, sizeof(resp));
	resp.type = req.type;
	resp.seq = req.seq;
	resp.status = -err;
	loomd_send(fd, &resp, NULL, 0);
}

static void loomd_accept(struct loomd *d, int lfd)
{
	struct loomd_client *cl;
	pthread_attr_t attr;
	pthread_t t;
	int fd, ret;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The connection stays queued: do not spin on it. */
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			fprintf(stderr, "loomd: accept: %s\n", strerror(errno));
			nanosleep(&ts, NULL);
		} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			fprintf(stderr, "loomd: accept: %s\n", strerror(errno));
		}
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		fprintf(stderr, "loomd: out of memory, client refused\n");
		close(fd);
		return;
	}
	cl->d = d;
	cl->fd = fd;
	cl->session = loom_link_session_open(d->srv);
	if (!cl->session) {
		int err = errno;

		fprintf(stderr, "loomd: client refused: %s\n",
			err == EBUSY ? "every channel is in use" : strerror(err));
		loomd_refuse(fd, err);
		close(fd);
		free(cl);
		return;
	}
	{
		struct ucred cred;
		socklen_t len = sizeof(cred);

		if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
			loom_link_session_set_pid(cl->session, (uint32_t)cred.pid);
	}
	pthread_mutex_lock(&d->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&t, &attr, loomd_client_main, cl);
	pthread_attr_destroy(&attr);
	if (ret) {
		pthread_mutex_unlock(&d->lock);
		fprintf(stderr, "loomd: cannot start a client thread: %s\n", strerror(ret));
		loom_link_session_close(cl->session);
		close(fd);
		free(cl);
		return;
	}
	cl->next = d->clients;
	d->clients = cl;
	d->nclients++;
	pthread_mutex_unlock(&d->lock);
}

/* Wake every client thread and wait until all have closed their sessions. */
static void loomd_drop_clients(struct loomd *d)
{
	struct loomd_client *cl;

	pthread_mutex_lock(&d->lock);
	for (cl = d->clients; cl; cl = cl->next)
		shutdown(cl->fd, SHUT_RDWR);
	while (d->nclients)
		pthread_cond_wait(&d->done, &d->lock);
	pthread_mutex_unlock(&d->lock);
}

/* ---- Setup --------------------------------------------------------------- */

static int loomd_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	else if (shift && (*end == 'B' || *end == 'b'))
		end++;
	if (*end || (shift && v > (ULLONG_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static void loomd_format_size(uint64_t v, char *buf, size_t len)
{
	if (v >= (1ULL << 30) && !(v & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%" PRIu64 " GiB", v >> 30);
	else if (v >= (1ULL << 20) && !(v & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 " MiB", v >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", v);
}

/* mkdir -p with mode 0700 for the missing components. */
static int loomd_mkdirs(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int loomd_default_path(char *buf, size_t len)
{
	const char *dir = getenv("LOOM_SOCKET_DIR");
	char d[PATH_MAX];
	int ret;

	if (dir && *dir) {
		snprintf(d, sizeof(d), "%s", dir);
	} else if ((dir = getenv("XDG_RUNTIME_DIR")) && *dir) {
		snprintf(d, sizeof(d), "%s/loom", dir);
	} else {
		snprintf(d, sizeof(d), "/run/loom");
	}
	ret = loomd_mkdirs(d);
	if (ret) {
		fprintf(stderr, "loomd: cannot create %s: %s\n", d, strerror(-ret));
		return ret;
	}
	if (snprintf(buf, len, "%s/loom0.sock", d) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Bind and listen on path with a socket of the given type; a stale socket
 * (nobody answers) is replaced.
 */
static int loomd_listen(const char *path, int type, struct stat *bound)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, probe;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "loomd: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "loomd: %s exists and is not a socket\n", path);
			return -1;
		}
		probe = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			fprintf(stderr, "loomd: %s is in use by another loomd\n", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		if (unlink(path) < 0 && errno != ENOENT) {
			fprintf(stderr, "loomd: cannot remove stale %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "loomd: socket: %s\n", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 64) < 0 ||
	    stat(path, bound) < 0) {
		fprintf(stderr, "loomd: cannot listen on %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void loomd_usage(FILE *f)
{
	fprintf(f,
		"Usage: loomd [OPTION]...\n"
		"Run a Loom device and serve it to userspace drivers on a Unix socket.\n"
		"\n"
		"  -s, --socket PATH       listen on PATH (default: $LOOM_SOCKET_DIR/loom0.sock,\n"
		"                          else $XDG_RUNTIME_DIR/loom/loom0.sock,\n"
		"                          else /run/loom/loom0.sock)\n"
		"  -d, --dram-size SIZE    device DRAM, a multiple of 2M (K, M, G suffixes;\n"
		"                          default 4G)\n"
		"      --queue-timeout MS  queue WAIT watchdog in milliseconds, 0 = off\n"
		"                          (default 10000)\n"
		"      --ivshmem PATH      serve one QEMU guest instead, as the ivshmem server\n"
		"                          of its ivshmem-doorbell device on PATH\n"
		"      --guest-ram FILE    with --ivshmem: the guest's RAM (its shared\n"
		"                          memory-backend-file), the device's host window\n"
		"  -q, --quiet             do not print the startup line\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n");
}

/*
 * OpenBLAS, the MME's inner kernel, keeps its worker threads spinning for
 * about 2^28 cycles after each GEMM (and after start-up). On a machine with
 * few cores that steals the core the command processors and the clients
 * need: submission latency right after a GEMM grows from ~2 us to ~100 us.
 * OpenBLAS reads OPENBLAS_THREAD_TIMEOUT (log2 of the cycles) only when it
 * loads, so loomd runs itself again with a short timeout unless the user
 * chose one.
 */
static void loomd_reexec_blas_timeout(char **argv)
{
	if (getenv("OPENBLAS_THREAD_TIMEOUT"))
		return;
	setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
	execv("/proc/self/exe", argv);
	/* Could not re-execute: carry on with the spinning default. */
}

/*
 * Wait for events on pfd[0..n); pfd[1] is the signal pipe. Returns 1 when a
 * signal asks loomd to stop, 0 with events to handle, -1 if poll failed.
 */
static int loomd_wait(struct pollfd *pfd, unsigned n)
{
	char sig;

	while (poll(pfd, n, -1) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "loomd: poll: %s\n", strerror(errno));
			return -1;
		}
	}
	if (pfd[1].revents && read(pfd[1].fd, &sig, 1) == 1)
		return 1;
	return 0;
}

/* ---- ivshmem mode ---------------------------------------------------------- */

/*
 * The guest's connection is readable: has it closed? QEMU never sends
 * anything; whatever a client does send is discarded.
 */
static bool loomd_ivshmem_gone(int fd)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/*
 * Serve one QEMU guest at a time on path until a signal arrives. Returns
 * loomd's exit status.
 */
static int loomd_run_ivshmem(struct loomd *d, const char *path, const char *ram_path, int sfd)
{
	struct loom_ivshmem *iv;
	struct stat bound, now;
	struct pollfd pfd[3];
	char size_str[32], bar_str[32];
	int lfd, gfd = -1, ret, status = 1;

	ret = loom_ivshmem_create(d->dev, ram_path, &iv);
	if (ret) {
		fprintf(stderr, "loomd: cannot prepare the device for ivshmem: %s\n", strerror(-ret));
		return 1;
	}
	lfd = loomd_listen(path, SOCK_STREAM, &bound);
	if (lfd < 0)
		goto out_iv;
	if (!d->quiet) {
		loomd_format_size(d->dev->dram_size, size_str, sizeof(size_str));
		loomd_format_size(loom_ivshmem_bar_size(iv), bar_str, sizeof(bar_str));
		printf("loomd: serving ivshmem %s (DRAM %s, BAR %s, guest RAM %s)\n", path,
		       size_str, bar_str, ram_path ? ram_path : "none");
		fflush(stdout);
	}

	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		pfd[2].fd = gfd;
		pfd[2].events = POLLIN;
		pfd[2].revents = 0;
		ret = loomd_wait(pfd, gfd >= 0 ? 3 : 2);
		if (ret) {
			status = ret > 0 ? 0 : 1;
			break;
		}
		if (gfd >= 0 && pfd[2].revents && loomd_ivshmem_gone(gfd)) {
			loom_ivshmem_disconnect(iv);
			close(gfd);
			gfd = -1;
			if (!d->quiet) {
				printf("loomd: guest disconnected\n");
				fflush(stdout);
			}
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd < 0)
				continue;
			if (gfd >= 0) {
				fprintf(stderr, "loomd: guest refused: already serving one\n");
				close(fd);
				continue;
			}
			ret = loom_ivshmem_connect(iv, fd);
			if (ret) {
				fprintf(stderr, "loomd: guest refused: %s (guest RAM %s)\n",
					strerror(-ret), ram_path ? ram_path : "none");
				close(fd);
				continue;
			}
			gfd = fd;
			if (!d->quiet) {
				printf("loomd: guest connected (peer %d)\n", LOOM_IVSHMEM_GUEST_PEER);
				fflush(stdout);
			}
		}
	}

	if (gfd >= 0)
		close(gfd);
	close(lfd);
	if (stat(path, &now) == 0 && now.st_ino == bound.st_ino && now.st_dev == bound.st_dev)
		unlink(path);
out_iv:
	loom_ivshmem_destroy(iv);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "dram-size", required_argument, NULL, 'd' },
		{ "queue-timeout", required_argument, NULL, 'T' },
		{ "ivshmem", required_argument, NULL, 'I' },
		{ "guest-ram", required_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct loom_dev_config cfg = { 0 };
	struct loomd d = { .lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER };
	char path[PATH_MAX] = "", size_str[32];
	const char *ivshmem_path = NULL, *ram_path = NULL;
	struct stat bound, now;
	struct pollfd pfd[2];
	struct sigaction sa;
	struct rlimit rl;
	int c, ret, lfd, sfd, status = 1;
	bool watchdog_off = false;

	loomd_reexec_blas_timeout(argv);
	while ((c = getopt_long(argc, argv, "s:d:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (snprintf(path, sizeof(path), "%s", optarg) >= (int)sizeof(path) || !*path) {
				fprintf(stderr, "loomd: bad socket path\n");
				return 2;
			}
			break;
		case 'd':
			if (loomd_parse_size(optarg, &cfg.dram_size) || !cfg.dram_size ||
			    cfg.dram_size % (2ULL << 20)) {
				fprintf(stderr, "loomd: bad DRAM size '%s' (a multiple of 2M)\n", optarg);
				return 2;
			}
			break;
		case 'T': {
			unsigned long long ms;
			char *end;

			errno = 0;
			ms = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' || ms > UINT32_MAX) {
				fprintf(stderr, "loomd: bad queue timeout '%s'\n", optarg);
				return 2;
			}
			cfg.queue_timeout_ms = (uint32_t)ms;
			watchdog_off = ms == 0;
			break;
		}
		case 'I':
			if (!*optarg || strlen(optarg) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
				fprintf(stderr, "loomd: bad ivshmem socket path\n");
				return 2;
			}
			ivshmem_path = optarg;
			break;
		case 'R':
			if (!*optarg) {
				fprintf(stderr, "loomd: bad guest RAM path\n");
				return 2;
			}
			ram_path = optarg;
			break;
		case 'q':
			d.quiet = true;
			break;
		case 'h':
			loomd_usage(stdout);
			return 0;
		case 'V':
			printf("loomd (Loom) %s, device link protocol %d\n", LOOM_VERSION,
			       LOOM_LINK_VERSION);
			return 0;
		default:
			loomd_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "loomd: unexpected argument '%s'\n", argv[optind]);
		loomd_usage(stderr);
		return 2;
	}
	if (ivshmem_path && *path) {
		fprintf(stderr, "loomd: --ivshmem and --socket exclude each other\n");
		return 2;
	}
	if (ram_path && !ivshmem_path) {
		fprintf(stderr, "loomd: --guest-ram needs --ivshmem\n");
		return 2;
	}
	if (!ivshmem_path && !*path && loomd_default_path(path, sizeof(path)))
		return 1;

	/*
	 * SIGINT/SIGTERM may land on any thread (libraries start their own
	 * before main): the handler only wakes the accept loop.
	 */
	if (pipe2(loomd_sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "loomd: pipe: %s\n", strerror(errno));
		return 1;
	}
	sfd = loomd_sig_pipe[0];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loomd_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	/* Every export and every client costs descriptors: allow what we may. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	ret = loom_dev_create(&cfg, &d.dev);
	if (ret) {
		fprintf(stderr, "loomd: cannot create the device: %s\n", strerror(-ret));
		goto out_sfd;
	}
	if (watchdog_off)
		loom_reg_write(d.dev, LOOM_REG_QUEUE_TIMEOUT_MS, 0);
	if (ivshmem_path) {
		status = loomd_run_ivshmem(&d, ivshmem_path, ram_path, sfd);
		goto out_dev;
	}
	ret = loom_link_server_create(d.dev, &d.srv);
	if (ret) {
		fprintf(stderr, "loomd: cannot start the link server: %s\n", strerror(-ret));
		goto out_dev;
	}
	lfd = loomd_listen(path, SOCK_SEQPACKET, &bound);
	if (lfd < 0)
		goto out_srv;
	if (!d.quiet) {
		loomd_format_size(d.dev->dram_size, size_str, sizeof(size_str));
		printf("loomd: serving %s (DRAM %s)\n", path, size_str);
		fflush(stdout);
	}

	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		ret = loomd_wait(pfd, 2);
		if (ret) {
			status = ret > 0 ? 0 : 1;
			break;
		}
		if (pfd[0].revents & POLLIN)
			loomd_accept(&d, lfd);
	}

	close(lfd);
	loomd_drop_clients(&d);
	/* Remove the socket only if it is still ours. */
	if (stat(path, &now) == 0 && now.st_ino == bound.st_ino && now.st_dev == bound.st_dev)
		unlink(path);
out_srv:
	loom_link_server_destroy(d.srv);
out_dev:
	loom_dev_destroy(d.dev);
out_sfd:
	close(loomd_sig_pipe[0]);
	close(loomd_sig_pipe[1]);
	return status;
}
