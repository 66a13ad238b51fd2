/* SPDX-License-Identifier: MIT */
/*
 * The device link server (protocol: hw/loom_link.h).
 *
 * One server per device, one session per attached driver. The server plays
 * the privileged platform code: it hands out channels, ASIDs and queues,
 * programs the PRIV registers that bind them together, allocates device
 * DRAM and keeps the registry of exported DRAM ranges. It knows nothing
 * about transports: loomd feeds it messages read from Unix sockets, the
 * in-process device calls loom_link_handle() directly.
 *
 * Exports. An export fd is one end of a SOCK_SEQPACKET socketpair; the
 * server keeps the other end and writes one record into it (magic, this
 * device's random uuid, PA, size), so that whoever is handed the fd can
 * present it back to IMPORT and be recognised: the record says which
 * device and range, the socket's inode proves it is the very fd the server
 * handed out. A watcher thread polls the kept ends: POLLHUP means every copy
 * of the exported fd is closed, and the export drops its reference. A DRAM
 * allocation goes away once its owner freed it (or closed) and no export or
 * import references it any more.
 *
 * Locking: srv->lock guards every table shared between sessions; each
 * session's op_lock serialises its requests and its close. Device calls
 * that may wait for engines (queue reset, window detach) run with only the
 * session's op_lock held, the resources they touch still marked as owned.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loom_link.h"

#define LOOM_EXPORT_MAGIC	0x5458504cU	/* "LPXT" */

/* What the server writes into the kept end of an export socketpair. */
struct loom_export_rec {
	uint32_t magic;
	uint32_t version;
	uint8_t uuid[16];
	uint64_t pa;
	uint64_t size;
};

/* One DRAM allocation; the list is sorted by pa. */
struct loom_dram_block {
	struct loom_dram_block *next;
	uint64_t pa;
	uint64_t size;
	struct loom_link_session *owner;	/* NULL once the owner freed it */
	unsigned refs;				/* live exports + imports */
};

struct loom_export {
	struct loom_export *next;
	struct loom_dram_block *blk;
	uint64_t pa;
	uint64_t size;
	int kept_fd;		/* the server's end of the socketpair */
	dev_t exp_dev;		/* identity of the exported end */
	ino_t exp_ino;
};

struct loom_import {
	struct loom_import *next;
	struct loom_link_session *s;
	struct loom_dram_block *blk;
	uint64_t pa;
	uint64_t size;
};

struct loom_link_session {
	struct loom_link_session *next;
	struct loom_link_server *srv;
	unsigned channel;
	unsigned asid;
	uint32_t pid;			/* the driver's process, 0 if unknown */
	int window_fd;			/* a copy of its host window's fd, -1 before HELLO */
	/* Protects hello and window_size; serialises requests and close. */
	pthread_mutex_t op_lock;
	bool hello;
	uint64_t window_size;
};

struct loom_link_server {
	struct loom_dev *dev;
	uint8_t uuid[16];
	int wake_fd;			/* eventfd: wakes the watcher */
	pthread_t watcher;

	/*
	 * Protects sessions, nsessions, channel_used, asid_used, queue_owner,
	 * blocks, dram_used, exports, imports and stopping.
	 */
	pthread_mutex_t lock;
	struct loom_link_session *sessions;
	unsigned nsessions;
	bool channel_used[LOOM_NUM_CHANNELS];
	bool asid_used[LOOM_NUM_ASIDS];
	struct loom_link_session *queue_owner[LOOM_NUM_QUEUES];
	struct loom_dram_block *blocks;
	uint64_t dram_used;
	struct loom_export *exports;
	struct loom_import *imports;
	bool stopping;
};

static void loom_link_wake(struct loom_link_server *srv)
{
	uint64_t one = 1;
	ssize_t r = write(srv->wake_fd, &one, sizeof(one));

	(void)r;	/* a full counter still wakes the watcher */
}

static int loom_link_dup(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return d < 0 ? -errno : d;
}

/* ---- DRAM allocator ------------------------------------------------------ */

/*
 * Clear a released range before anyone can allocate it again, so no driver
 * sees another's data: punching the hole also gives the pages back to the
 * host (DRAM is a sparse memfd).
 */
static void loom_dram_scrub_locked(struct loom_link_server *srv, uint64_t pa, uint64_t size)
{
	struct loom_dev *dev = srv->dev;

	if (fallocate(dev->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(LOOM_DRAM_BAR_OFFSET + pa), (off_t)size) < 0)
		memset(dev->dram + pa, 0, size);
}

/* Drop the block if nobody owns or references it any more. */
static void loom_dram_put_locked(struct loom_link_server *srv, struct loom_dram_block *blk)
{
	struct loom_dram_block **pp;

	if (blk->owner || blk->refs)
		return;
	for (pp = &srv->blocks; *pp; pp = &(*pp)->next) {
		if (*pp == blk) {
			*pp = blk->next;
			srv->dram_used -= blk->size;
			loom_dram_scrub_locked(srv, blk->pa, blk->size);
			free(blk);
			return;
		}
	}
}

static int loom_dram_alloc_locked(struct loom_link_server *srv, struct loom_link_session *s,
				  uint64_t size, uint64_t align, uint64_t *pa)
{
	uint64_t dram_size = srv->dev->dram_size;
	struct loom_dram_block **pp, *blk;
	uint64_t prev_end = 0, start;

	for (pp = &srv->blocks;; pp = &(*pp)->next) {
		uint64_t limit = *pp ? (*pp)->pa : dram_size;

		start = (prev_end + align - 1) & ~(align - 1);
		if (start >= prev_end && start <= limit && limit - start >= size)
			break;
		if (!*pp)
			return -ENOMEM;
		prev_end = (*pp)->pa + (*pp)->size;
	}
	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->pa = start;
	blk->size = size;
	blk->owner = s;
	blk->next = *pp;
	*pp = blk;
	srv->dram_used += size;
	*pa = start;
	return 0;
}

/* The allocation of s containing [pa, pa + size), or NULL. */
static struct loom_dram_block *loom_dram_find_locked(struct loom_link_server *srv,
						     struct loom_link_session *s,
						     uint64_t pa, uint64_t size)
{
	struct loom_dram_block *blk;

	for (blk = srv->blocks; blk; blk = blk->next) {
		if (blk->owner != s || pa < blk->pa || pa - blk->pa >= blk->size)
			continue;
		if (size <= blk->size - (pa - blk->pa))
			return blk;
		return NULL;
	}
	return NULL;
}

/* ---- Exports ------------------------------------------------------------- */

/* Every copy of the exported fd is closed: drop the export's reference. */
static void loom_export_drop_locked(struct loom_link_server *srv, struct loom_export *e)
{
	struct loom_export **pp;

	for (pp = &srv->exports; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	close(e->kept_fd);
	e->blk->refs--;
	loom_dram_put_locked(srv, e->blk);
	free(e);
}

static void *loom_link_watch_main(void *arg)
{
	struct loom_link_server *srv = arg;
	struct loom_export **ents = NULL;
	struct pollfd *pfd = NULL;
	size_t cap = 0;

	for (;;) {
		struct loom_export *e;
		bool partial = false;
		size_t n = 0, i;
		int r;

		pthread_mutex_lock(&srv->lock);
		if (srv->stopping) {
			pthread_mutex_unlock(&srv->lock);
			break;
		}
		for (e = srv->exports; e; e = e->next)
			n++;
		if (n + 1 > cap) {
			size_t ncap = (n + 1) * 2;
			struct pollfd *np = realloc(pfd, ncap * sizeof(*np));
			struct loom_export **ne = NULL;

			if (np) {
				pfd = np;
				ne = realloc(ents, ncap * sizeof(*ne));
			}
			if (ne) {
				ents = ne;
				cap = ncap;
			}
		}
		if (n + 1 > cap) {
			/* Out of memory: watch what fits, look again soon. */
			n = cap ? cap - 1 : 0;
			partial = true;
		}
		i = 0;
		for (e = srv->exports; e && i < n; e = e->next, i++) {
			/* Exports are only removed by this thread: pointers stay valid. */
			ents[i] = e;
			pfd[i + 1].fd = e->kept_fd;
			pfd[i + 1].events = 0;	/* only POLLHUP/POLLERR */
			pfd[i + 1].revents = 0;
		}
		pthread_mutex_unlock(&srv->lock);

		if (!cap) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			continue;
		}
		pfd[0].fd = srv->wake_fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		r = poll(pfd, n + 1, partial ? 100 : -1);
		if (r < 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			uint64_t v;
			ssize_t rr = read(srv->wake_fd, &v, sizeof(v));

			(void)rr;
		}
		pthread_mutex_lock(&srv->lock);
		for (i = 0; i < n; i++)
			if (pfd[i + 1].revents & (POLLHUP | POLLERR | POLLNVAL))
				loom_export_drop_locked(srv, ents[i]);
		pthread_mutex_unlock(&srv->lock);
	}
	free(pfd);
	free(ents);
	return NULL;
}

static int loom_link_export(struct loom_link_session *s, uint64_t pa, uint64_t size, int *out_fd)
{
	struct loom_link_server *srv = s->srv;
	struct loom_export_rec rec = { .magic = LOOM_EXPORT_MAGIC, .version = LOOM_LINK_VERSION };
	struct loom_dram_block *blk;
	struct loom_export *e;
	struct stat st;
	int sv[2], ret;

	if (!size || (pa | size) & (LOOM_PAGE_SIZE - 1))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		goto err_free;
	}
	if (fstat(sv[1], &st) < 0) {
		ret = -errno;
		goto err_close;
	}
	memcpy(rec.uuid, srv->uuid, sizeof(rec.uuid));
	rec.pa = pa;
	rec.size = size;
	if (send(sv[0], &rec, sizeof(rec), MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof(rec)) {
		ret = -EIO;
		goto err_close;
	}
	shutdown(sv[0], SHUT_RD);	/* nothing the holder writes is read */

	pthread_mutex_lock(&srv->lock);
	blk = loom_dram_find_locked(srv, s, pa, size);
	if (!blk) {
		pthread_mutex_unlock(&srv->lock);
		ret = -EINVAL;
		goto err_close;
	}
	blk->refs++;
	e->blk = blk;
	e->pa = pa;
	e->size = size;
	e->kept_fd = sv[0];
	e->exp_dev = st.st_dev;
	e->exp_ino = st.st_ino;
	e->next = srv->exports;
	srv->exports = e;
	pthread_mutex_unlock(&srv->lock);
	loom_link_wake(srv);
	*out_fd = sv[1];
	return 0;

err_close:
	close(sv[0]);
	close(sv[1]);
err_free:
	free(e);
	return ret;
}

static int loom_link_import(struct loom_link_session *s, int fd, __u64 *pa, __u64 *size)
{
	struct loom_link_server *srv = s->srv;
	struct loom_export_rec rec;
	struct loom_import *imp;
	struct loom_export *e;
	unsigned char buf[sizeof(rec) + 8];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -EBADF;
	n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	if (n != (ssize_t)sizeof(rec))
		return -EBADF;
	memcpy(&rec, buf, sizeof(rec));
	if (rec.magic != LOOM_EXPORT_MAGIC || rec.version != LOOM_LINK_VERSION)
		return -EBADF;
	if (memcmp(rec.uuid, srv->uuid, sizeof(rec.uuid)))
		return -EXDEV;
	imp = calloc(1, sizeof(*imp));
	if (!imp)
		return -ENOMEM;

	pthread_mutex_lock(&srv->lock);
	for (e = srv->exports; e; e = e->next)
		if (e->exp_ino == st.st_ino && e->exp_dev == st.st_dev &&
		    e->pa == rec.pa && e->size == rec.size)
			break;
	if (!e) {
		pthread_mutex_unlock(&srv->lock);
		free(imp);
		return -EBADF;
	}
	e->blk->refs++;
	imp->s = s;
	imp->blk = e->blk;
	imp->pa = e->pa;
	imp->size = e->size;
	imp->next = srv->imports;
	srv->imports = imp;
	pthread_mutex_unlock(&srv->lock);
	*pa = rec.pa;
	*size = rec.size;
	return 0;
}

/* Drop one import of s at pa (all of them if pa is ~0). */
static int loom_link_unimport_locked(struct loom_link_server *srv, struct loom_link_session *s,
				     uint64_t pa, bool all)
{
	struct loom_import **pp = &srv->imports, *imp;
	int ret = -EINVAL;

	while ((imp = *pp)) {
		if (imp->s != s || (!all && imp->pa != pa)) {
			pp = &imp->next;
			continue;
		}
		*pp = imp->next;
		imp->blk->refs--;
		loom_dram_put_locked(srv, imp->blk);
		free(imp);
		ret = 0;
		if (!all)
			break;
	}
	return ret;
}

/* ---- Server and sessions ------------------------------------------------- */

static void loom_link_make_uuid(uint8_t uuid[16])
{
	uint64_t t, x;
	unsigned i;

	if (getrandom(uuid, 16, GRND_NONBLOCK) == 16)
		return;
	/* No entropy yet: mix the clock, the pid and an address. */
	t = loom_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)uuid;
	for (i = 0; i < 16; i++) {
		t += 0x9e3779b97f4a7c15ULL;
		x = t;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
		uuid[i] = (uint8_t)(x ^ (x >> 31));
	}
}

int loom_link_server_create(struct loom_dev *dev, struct loom_link_server **out)
{
	struct loom_link_server *srv;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->dev = dev;
	loom_link_make_uuid(srv->uuid);
	pthread_mutex_init(&srv->lock, NULL);
	srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->wake_fd < 0) {
		ret = -errno;
		goto err_free;
	}
	ret = -pthread_create(&srv->watcher, NULL, loom_link_watch_main, srv);
	if (ret)
		goto err_close;
	*out = srv;
	return 0;

err_close:
	close(srv->wake_fd);
err_free:
	pthread_mutex_destroy(&srv->lock);
	free(srv);
	return ret;
}

void loom_link_server_destroy(struct loom_link_server *srv)
{
	struct loom_dram_block *blk;
	struct loom_import *imp;

	if (!srv)
		return;
	for (;;) {
		struct loom_link_session *s;

		pthread_mutex_lock(&srv->lock);
		s = srv->sessions;
		pthread_mutex_unlock(&srv->lock);
		if (!s)
			break;
		loom_link_session_close(s);
	}
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	pthread_mutex_unlock(&srv->lock);
	loom_link_wake(srv);
	pthread_join(srv->watcher, NULL);

	while (srv->exports)
		loom_export_drop_locked(srv, srv->exports);
	while ((imp = srv->imports)) {
		srv->imports = imp->next;
		free(imp);
	}
	while ((blk = srv->blocks)) {
		srv->blocks = blk->next;
		free(blk);
	}
	close(srv->wake_fd);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

struct loom_dev *loom_link_server_dev(struct loom_link_server *srv)
{
	return srv ? srv->dev : NULL;
}

struct loom_link_session *loom_link_session_open(struct loom_link_server *srv)
{
	struct loom_link_session *s;
	int ch, asid;

	if (!srv) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&srv->lock);
	for (ch = 0; ch < LOOM_NUM_CHANNELS && srv->channel_used[ch]; ch++)
		;
	for (asid = 1; asid < LOOM_NUM_ASIDS && srv->asid_used[asid]; asid++)
		;
	if (srv->stopping || ch == LOOM_NUM_CHANNELS || asid == LOOM_NUM_ASIDS) {
		pthread_mutex_unlock(&srv->lock);
		free(s);
		errno = EBUSY;
		return NULL;
	}
	srv->channel_used[ch] = true;
	srv->asid_used[asid] = true;
	s->srv = srv;
	s->channel = ch;
	s->asid = asid;
	s->window_fd = -1;
	pthread_mutex_init(&s->op_lock, NULL);
	s->next = srv->sessions;
	srv->sessions = s;
	srv->nsessions++;
	pthread_mutex_unlock(&srv->lock);
	return s;
}

static void loom_link_queue_release(struct loom_link_session *s, unsigned q)
{
	struct loom_dev *dev = s->srv->dev;

	loom_qman_reset_queue(dev, q);
	loom_reg_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CTRL), 0);
	loom_reg_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_ASID), 0);
	loom_reg_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CHANNEL), 0);
	pthread_mutex_lock(&s->srv->lock);
	s->srv->queue_owner[q] = NULL;
	pthread_mutex_unlock(&s->srv->lock);
}

void loom_link_session_close(struct loom_link_session *s)
{
	struct loom_link_server *srv;
	struct loom_link_session **pp;
	struct loom_dram_block *blk, *next;
	struct loom_dev *dev;
	unsigned q, v, r, m;

	if (!s)
		return;
	srv = s->srv;
	dev = srv->dev;
	pthread_mutex_lock(&s->op_lock);

	/* Queues first: nothing of this driver's runs any more. */
	for (q = 0; q < LOOM_NUM_QUEUES; q++) {
		bool mine;

		pthread_mutex_lock(&srv->lock);
		mine = srv->queue_owner[q] == s;
		pthread_mutex_unlock(&srv->lock);
		if (mine)
			loom_link_queue_release(s, q);
	}

	/* The channel's share of the sync manager (hw/loom_link.h). */
	for (m = s->channel * LOOM_LINK_MONS_PER_CH;
	     m < (s->channel + 1) * LOOM_LINK_MONS_PER_CH; m++) {
		loom_sync_wreg(dev, LOOM_REG_MON(m, LOOM_MREG_ARM), 0);
		for (r = 0; r < LOOM_MREG_ARM; r += 4)
			loom_sync_wreg(dev, LOOM_REG_MON(m, r), 0);
	}
	for (m = s->channel * LOOM_LINK_SOBS_PER_CH;
	     m < (s->channel + 1) * LOOM_LINK_SOBS_PER_CH; m++)
		loom_sync_wreg(dev, LOOM_REG_SOB(m), 0);

	/* The context, the interrupts and the channel's registers. */
	for (r = 0; r < LOOM_REG_ASID_STRIDE; r += 4)
		loom_reg_write(dev, LOOM_REG_ASID(s->asid, r), 0);
	loom_mmu_invalidate(dev, s->asid);
	for (v = 0; v < LOOM_IRQS_PER_CHANNEL; v++)
		loom_dev_set_irq_fd(dev, s->channel, v, -1);
	for (r = 0; r < LOOM_REG_CH_STRIDE; r += 4)
		loom_reg_write(dev, LOOM_REG_CH(s->channel, r), 0);
	if (s->hello)
		loom_dev_detach_window(dev, s->channel);

	/* Imports, allocations (those still referenced stay), the ids. */
	pthread_mutex_lock(&srv->lock);
	loom_link_unimport_locked(srv, s, 0, true);
	for (blk = srv->blocks; blk; blk = next) {
		next = blk->next;
		if (blk->owner == s) {
			blk->owner = NULL;
			loom_dram_put_locked(srv, blk);
		}
	}
	for (pp = &srv->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	srv->nsessions--;
	srv->channel_used[s->channel] = false;
	srv->asid_used[s->asid] = false;
	pthread_mutex_unlock(&srv->lock);

	pthread_mutex_unlock(&s->op_lock);
	pthread_mutex_destroy(&s->op_lock);
	if (s->window_fd >= 0)
		close(s->window_fd);
	free(s);
}

/* ---- Requests ------------------------------------------------------------ */

/* Is fd an eventfd? (A pipe or socket could block the device's writes.) */
static bool loom_link_is_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT && fcntl(fd, F_GETFD) >= 0;	/* no /proc */
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

static int loom_link_hello(struct loom_link_session *s, const struct loom_link_msg *req,
			   const int *fds_in, unsigned nfds_in, struct loom_link_msg *resp,
			   int *fds_out, unsigned *nfds_out)
{
	struct loom_dev *dev = s->srv->dev;
	uint64_t size = req->arg[1];
	int bar_fd, db_fd, ret;
	struct stat st;
	unsigned v;

	if (s->hello)
		return -EALREADY;
	if (req->arg[0] != LOOM_LINK_VERSION)
		return -EPROTO;
	if (nfds_in < 1 || nfds_in > 1 + LOOM_IRQS_PER_CHANNEL)
		return -EINVAL;
	if (!size || size > LOOM_PA_HOST_WINDOW_MAX || size & (LOOM_PAGE_SIZE - 1))
		return -EINVAL;
	if (fds_in[0] < 0 || fstat(fds_in[0], &st) < 0)
		return -EBADF;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < size)
		return -EINVAL;
	for (v = 1; v < nfds_in; v++)
		if (fds_in[v] >= 0 && !loom_link_is_eventfd(fds_in[v]))
			return -EBADF;
	/* Best effort: a window that shrinks under the engines would fault them. */
	fcntl(fds_in[0], F_ADD_SEALS, F_SEAL_SHRINK);

	bar_fd = loom_link_dup(loom_dev_mem_fd(dev));
	if (bar_fd < 0)
		return bar_fd;
	db_fd = loom_link_dup(loom_dev_doorbell_fd(dev, LOOM_DOORBELL_FW));
	if (db_fd < 0) {
		ret = db_fd;
		goto err_bar;
	}
	ret = loom_dev_attach_window(dev, s->channel, fds_in[0], size);
	if (ret)
		goto err_db;
	for (v = 1; v < nfds_in; v++) {
		if (fds_in[v] < 0)
			continue;
		ret = loom_dev_set_irq_fd(dev, s->channel, v - 1, fds_in[v]);
		if (ret)
			goto err_irq;
	}
	s->hello = true;
	s->window_size = size;
	/* LOOM_LINK_SESSION reports how much of the window has memory behind it. */
	__atomic_store_n(&s->window_fd, loom_link_dup(fds_in[0]), __ATOMIC_RELEASE);
	resp->arg[0] = s->channel;
	resp->arg[1] = s->asid;
	resp->arg[2] = loom_dev_bar_size(dev);
	resp->arg[3] = dev->dram_size;
	fds_out[0] = bar_fd;
	fds_out[1] = db_fd;
	*nfds_out = 2;
	return 0;

err_irq:
	for (v = 0; v < LOOM_IRQS_PER_CHANNEL; v++)
		loom_dev_set_irq_fd(dev, s->channel, v, -1);
	loom_dev_detach_window(dev, s->channel);
err_db:
	close(db_fd);
err_bar:
	close(bar_fd);
	return ret;
}

static int loom_link_set_pgd(struct loom_link_session *s, uint64_t pa)
{
	struct loom_dev *dev = s->srv->dev;
	uint64_t win = LOOM_PA_HOST(s->channel, 0);
	bool ok;

	if (pa & (LOOM_PAGE_SIZE - 1))
		return -EINVAL;
	ok = (pa < dev->dram_size && dev->dram_size - pa >= LOOM_PT_SIZE) ||
	     (pa >= win && pa - win < s->window_size &&
	      s->window_size - (pa - win) >= LOOM_PT_SIZE);
	if (!ok)
		return -EINVAL;
	loom_reg_write(dev, LOOM_REG_ASID(s->asid, LOOM_AREG_CTRL), 0);
	loom_reg_write64(dev, LOOM_REG_ASID(s->asid, LOOM_AREG_PGD_LO), pa);
	loom_reg_write(dev, LOOM_REG_ASID(s->asid, LOOM_AREG_CHANNEL), s->channel);
	loom_mmu_invalidate(dev, s->asid);
	loom_reg_write(dev, LOOM_REG_ASID(s->asid, LOOM_AREG_CTRL), 1);
	return 0;
}

static int loom_link_queue_alloc(struct loom_link_session *s, struct loom_link_msg *resp,
				 int *fds_out, unsigned *nfds_out)
{
	struct loom_link_server *srv = s->srv;
	struct loom_dev *dev = srv->dev;
	int q, fd;

	pthread_mutex_lock(&srv->lock);
	for (q = 0; q < LOOM_NUM_QUEUES && srv->queue_owner[q]; q++)
		;
	if (q < LOOM_NUM_QUEUES)
		srv->queue_owner[q] = s;
	pthread_mutex_unlock(&srv->lock);
	if (q == LOOM_NUM_QUEUES)
		return -EBUSY;

	fd = loom_link_dup(loom_dev_doorbell_fd(dev, q));
	if (fd < 0) {
		loom_link_queue_release(s, q);
		return fd;
	}
	loom_qman_reset_queue(dev, q);
	loom_reg_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CTRL), 0);
	loom_reg_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_ASID), s->asid);
	loom_reg_write(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CHANNEL), s->channel);
	resp->arg[0] = q;
	fds_out[0] = fd;
	*nfds_out = 1;
	return 0;
}

static int loom_link_queue_free(struct loom_link_session *s, uint64_t q)
{
	struct loom_link_server *srv = s->srv;
	struct loom_link_session *owner;

	if (q >= LOOM_NUM_QUEUES)
		return -EINVAL;
	pthread_mutex_lock(&srv->lock);
	owner = srv->queue_owner[q];
	pthread_mutex_unlock(&srv->lock);
	if (!owner)
		return -EINVAL;
	if (owner != s)
		return -EPERM;
	loom_link_queue_release(s, q);
	return 0;
}

static int loom_link_dram_alloc(struct loom_link_session *s, uint64_t size, uint64_t align,
				__u64 *pa)
{
	uint64_t start = 0;
	int ret;

	if (align < LOOM_PAGE_SIZE || (align & (align - 1)))
		return -EINVAL;
	if (!size)
		return -EINVAL;
	if (size > s->srv->dev->dram_size)
		return -ENOMEM;
	size = (size + LOOM_PAGE_SIZE - 1) & ~(LOOM_PAGE_SIZE - 1);
	pthread_mutex_lock(&s->srv->lock);
	ret = loom_dram_alloc_locked(s->srv, s, size, align, &start);
	pthread_mutex_unlock(&s->srv->lock);
	*pa = start;
	return ret;
}

static int loom_link_dram_free(struct loom_link_session *s, uint64_t pa)
{
	struct loom_link_server *srv = s->srv;
	struct loom_dram_block *blk;
	int ret = -EINVAL;

	pthread_mutex_lock(&srv->lock);
	for (blk = srv->blocks; blk && blk->pa <= pa; blk = blk->next) {
		if (blk->pa != pa || !blk->owner)
			continue;
		if (blk->owner != s) {
			ret = -EPERM;
			break;
		}
		blk->owner = NULL;
		loom_dram_put_locked(srv, blk);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

static bool loom_link_type_known(uint32_t type)
{
	return type >= LOOM_LINK_HELLO && type <= LOOM_LINK_SESSION;
}

void loom_link_session_set_pid(struct loom_link_session *s, uint32_t pid)
{
	if (s)
		s->pid = pid;
}

/* LOOM_LINK_SESSION: the index-th attached driver, as hw/loom_link.h says. */
static int loom_link_session_info(struct loom_link_server *srv, uint64_t index,
				  struct loom_link_msg *r)
{
	struct loom_link_session *t;
	struct loom_dram_block *blk;
	struct stat st;
	uint64_t i = 0;
	int ret = -ENOENT, wfd;

	pthread_mutex_lock(&srv->lock);
	for (t = srv->sessions; t; t = t->next) {
		if (i++ != index)
			continue;
		r->arg[0] = t->pid;
		r->arg[1] = t->asid;
		r->arg[2] = t->channel;
		for (blk = srv->blocks; blk; blk = blk->next)
			if (blk->owner == t)
				r->arg[3] += blk->size;
		/* Set once by HELLO: the pages of the window, populated. */
		wfd = __atomic_load_n(&t->window_fd, __ATOMIC_ACQUIRE);
		if (wfd >= 0 && !fstat(wfd, &st))
			r->arg[4] = (uint64_t)st.st_blocks * 512;
		for (unsigned q = 0; q < LOOM_NUM_QUEUES; q++)
			r->arg[5] += srv->queue_owner[q] == t;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

int loom_link_handle(struct loom_link_session *s, const struct loom_link_msg *req,
		     const int *fds_in, unsigned nfds_in, struct loom_link_msg *resp,
		     int *fds_out, unsigned *nfds_out)
{
	struct loom_link_server *srv;
	struct loom_link_msg r;
	unsigned nout = 0;
	int ret;

	if (nfds_out)
		*nfds_out = 0;
	if (!s || !req || !resp || !fds_out || !nfds_out || (nfds_in && !fds_in))
		return -EINVAL;
	srv = s->srv;
	memset(&r, 0, sizeof(r));
	r.type = req->type;
	r.seq = req->seq;

	pthread_mutex_lock(&s->op_lock);
	if (!loom_link_type_known(req->type))
		ret = -EOPNOTSUPP;
	else if (req->reserved || nfds_in > LOOM_LINK_MAX_FDS)
		ret = -EINVAL;
	else if (req->type != LOOM_LINK_HELLO && !s->hello)
		ret = -ENOTCONN;
	else switch (req->type) {
	case LOOM_LINK_HELLO:
		ret = loom_link_hello(s, req, fds_in, nfds_in, &r, fds_out, &nout);
		break;
	case LOOM_LINK_SET_PGD:
		ret = loom_link_set_pgd(s, req->arg[0]);
		break;
	case LOOM_LINK_QUEUE_ALLOC:
		ret = loom_link_queue_alloc(s, &r, fds_out, &nout);
		break;
	case LOOM_LINK_QUEUE_FREE:
		ret = loom_link_queue_free(s, req->arg[0]);
		break;
	case LOOM_LINK_DRAM_ALLOC:
		ret = loom_link_dram_alloc(s, req->arg[0], req->arg[1], &r.arg[0]);
		break;
	case LOOM_LINK_DRAM_FREE:
		ret = loom_link_dram_free(s, req->arg[0]);
		break;
	case LOOM_LINK_EXPORT:
		ret = loom_link_export(s, req->arg[0], req->arg[1], &fds_out[0]);
		if (!ret)
			nout = 1;
		break;
	case LOOM_LINK_IMPORT:
		ret = nfds_in < 1 ? -EBADF :
		      loom_link_import(s, fds_in[0], &r.arg[0], &r.arg[1]);
		break;
	case LOOM_LINK_UNIMPORT:
		pthread_mutex_lock(&srv->lock);
		ret = loom_link_unimport_locked(srv, s, req->arg[0], false);
		pthread_mutex_unlock(&srv->lock);
		break;
	case LOOM_LINK_SESSION:
		ret = loom_link_session_info(srv, req->arg[0], &r);
		break;
	case LOOM_LINK_QUERY:
		pthread_mutex_lock(&srv->lock);
		r.arg[0] = srv->dram_used;
		r.arg[1] = srv->dev->dram_size;
		r.arg[2] = srv->nsessions;
		pthread_mutex_unlock(&srv->lock);
		ret = 0;
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	pthread_mutex_unlock(&s->op_lock);

	if (ret) {
		memset(r.arg, 0, sizeof(r.arg));
		nout = 0;
	}
	r.status = ret;
	*resp = r;
	*nfds_out = nout;
	return ret;
}
