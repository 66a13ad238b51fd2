/* SPDX-License-Identifier: MIT */
/*
 * The device link, driver side (protocol: hw/loom_link.h).
 *
 * A struct loom_link is what a userspace driver talks to its device
 * through. "inproc" creates a private device in this process with its own
 * link server and one session, and calls the server directly; "unix:PATH"
 * (or any path) connects to loomd over a SOCK_SEQPACKET socket, one request
 * message out (file descriptors as SCM_RIGHTS), one reply back. Either way
 * the caller sees the same requests, replies and errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "loom_link.h"

struct loom_link {
	/* Protects seq and the transport: one request in flight at a time. */
	pthread_mutex_t lock;
	uint32_t seq;
	int sock;				/* -1 for inproc */
	struct loom_dev *dev;			/* inproc only */
	struct loom_link_server *srv;		/* inproc only */
	struct loom_link_session *session;	/* inproc only */
};

static struct loom_link *loom_link_open_inproc(const struct loom_dev_config *cfg)
{
	struct loom_link *l = calloc(1, sizeof(*l));
	int ret;

	if (!l) {
		errno = ENOMEM;
		return NULL;
	}
	l->sock = -1;
	ret = loom_dev_create(cfg, &l->dev);
	if (ret)
		goto err_free;
	ret = loom_link_server_create(l->dev, &l->srv);
	if (ret)
		goto err_dev;
	l->session = loom_link_session_open(l->srv);
	if (!l->session) {
		ret = -errno;
		goto err_srv;
	}
	loom_link_session_set_pid(l->session, (uint32_t)getpid());
	pthread_mutex_init(&l->lock, NULL);
	return l;

err_srv:
	loom_link_server_destroy(l->srv);
err_dev:
	loom_dev_destroy(l->dev);
err_free:
	free(l);
	errno = ret < 0 ? -ret : EIO;
	return NULL;
}

static struct loom_link *loom_link_open_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct loom_link *l;
	int err;

	if (!*path) {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	l = calloc(1, sizeof(*l));
	if (!l) {
		errno = ENOMEM;
		return NULL;
	}
	l->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (l->sock < 0)
		goto err_free;
	while (connect(l->sock, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno != EINTR)
			goto err_close;
	}
	pthread_mutex_init(&l->lock, NULL);
	return l;

err_close:
	err = errno;
	close(l->sock);
	errno = err;
err_free:
	err = errno;
	free(l);
	errno = err;
	return NULL;
}

struct loom_link *loom_link_open(const char *uri, const struct loom_dev_config *cfg)
{
	if (!uri) {
		errno = EINVAL;
		return NULL;
	}
	if (!strcmp(uri, "inproc"))
		return loom_link_open_inproc(cfg);
	if (!strncmp(uri, "unix:", 5))
		return loom_link_open_unix(uri + 5);
	if (strchr(uri, '/'))
		return loom_link_open_unix(uri);
	errno = EINVAL;
	return NULL;
}

void loom_link_close(struct loom_link *l)
{
	if (!l)
		return;
	if (l->sock >= 0) {
		close(l->sock);
	} else {
		loom_link_session_close(l->session);
		loom_link_server_destroy(l->srv);
		loom_dev_destroy(l->dev);
	}
	pthread_mutex_destroy(&l->lock);
	free(l);
}

struct loom_dev *loom_link_local_dev(struct loom_link *l)
{
	return l ? l->dev : NULL;
}

int loom_link_fd(struct loom_link *l)
{
	return l ? l->sock : -1;
}

static void loom_link_close_fds(const int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* Hand the caller up to LOOM_LINK_MAX_FDS descriptors; close the rest. */
static void loom_link_give_fds(const int *fds, unsigned n, int *fds_out, unsigned *nfds_out)
{
	unsigned take = fds_out && nfds_out ? n : 0;

	if (take > LOOM_LINK_MAX_FDS)
		take = LOOM_LINK_MAX_FDS;
	if (take)
		memcpy(fds_out, fds, take * sizeof(int));
	if (nfds_out)
		*nfds_out = take;
	loom_link_close_fds(fds + take, n - take);
}

static int loom_link_call_unix(struct loom_link *l, struct loom_link_msg *msg,
			       const int *fds_in, unsigned nfds_in, int *fds_out,
			       unsigned *nfds_out)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * LOOM_LINK_MAX_FDS * 2)];
		struct cmsghdr align;
	} cbuf;
	int fds[LOOM_LINK_MAX_FDS * 2];
	struct loom_link_msg reply;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *c;
	unsigned nfds = 0;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = msg;
	iov.iov_len = sizeof(*msg);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds_in) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds_in);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds_in);
		memcpy(CMSG_DATA(c), fds_in, sizeof(int) * nfds_in);
	}
	do {
		n = sendmsg(l->sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return -ECONNRESET;
		return -errno;	/* e.g. EBADF: a bad fd in fds_in; the link is fine */
	}
	if (n != sizeof(*msg))
		return -ECONNRESET;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &reply;
	iov.iov_len = sizeof(reply);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do {
		n = recvmsg(l->sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -ECONNRESET;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		unsigned k, cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < cnt && nfds < LOOM_LINK_MAX_FDS * 2; k++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + k * sizeof(int), sizeof(int));
	}
	if (n != sizeof(reply) || (mh.msg_flags & MSG_TRUNC)) {
		loom_link_close_fds(fds, nfds);
		return -ECONNRESET;
	}
	if (reply.seq != msg->seq || reply.type != msg->type) {
		loom_link_close_fds(fds, nfds);
		return -EPROTO;
	}
	*msg = reply;
	loom_link_give_fds(fds, nfds, fds_out, nfds_out);
	return msg->status;
}

int loom_link_call(struct loom_link *l, struct loom_link_msg *msg, const int *fds_in,
		   unsigned nfds_in, int *fds_out, unsigned *nfds_out)
{
	int fds[LOOM_LINK_MAX_FDS];
	unsigned nfds = 0;
	int ret;

	if (nfds_out)
		*nfds_out = 0;
	if (!l || !msg || nfds_in > LOOM_LINK_MAX_FDS || (nfds_in && !fds_in))
		return -EINVAL;
	pthread_mutex_lock(&l->lock);
	msg->seq = ++l->seq;
	if (l->sock >= 0) {
		ret = loom_link_call_unix(l, msg, fds_in, nfds_in, fds_out, nfds_out);
	} else {
		struct loom_link_msg req = *msg;

		ret = loom_link_handle(l->session, &req, fds_in, nfds_in, msg, fds, &nfds);
		loom_link_give_fds(fds, nfds, fds_out, nfds_out);
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}
