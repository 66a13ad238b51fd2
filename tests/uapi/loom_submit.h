/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the submission tests (loom_submit.c, loom_reset.c,
 * loom_syncobj.c, loom_sched.c, ...): buffer objects bound and mapped,
 * queues, gates, CBs built packet by packet, SUBMIT, WAIT and syncobjs. Header-only: each test binary includes it once.
 * As in loom_igt.h, __helper() returns 0 or -errno, helper() asserts.
 */
#ifndef LOOM_SUBMIT_TEST_H
#define LOOM_SUBMIT_TEST_H

#include <errno.h>
#include <string.h>
#include <linux/sync_file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hw/loom_packets.h"
#include "hw/loom_regs.h"

#include "loom_igt.h"

#define WAIT_NS		(10ULL * 1000 * 1000 * 1000)	/* WAIT's time limit in the tests */

/* ---- buffer objects ---------------------------------------------------------- */

struct bo {
	uint32_t handle;
	uint64_t size;
	uint64_t va;		/* device VA */
	void *map;		/* CPU mapping */
};

static inline struct bo bo_new(int fd, uint64_t size, uint32_t flags)
{
	struct drm_loom_gem_create c = { .size = size, .flags = flags };
	struct drm_loom_gem_info info = { 0 };
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_MAP };
	struct bo bo;

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), 0);
	bo.handle = c.handle;
	bo.size = c.size;
	b.handle = bo.handle;
	b.size = bo.size;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b), 0);
	bo.va = b.va;
	info.handle = bo.handle;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_INFO, &info), 0);
	bo.map = mmap(NULL, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	loom_assert(bo.map != MAP_FAILED);
	return bo;
}

static inline void bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c), 0);
}

/* ---- queues, SUBMIT, WAIT ----------------------------------------------------- */

static inline int __queue_create(int fd, uint32_t *id, uint32_t *sob)
{
	struct drm_loom_queue_create c = { 0 };
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c);

	if (!r) {
		*id = c.queue_id;
		if (sob)
			*sob = c.sob;
	}
	return r;
}

static inline uint32_t queue_create(int fd, uint32_t *sob)
{
	uint32_t id = 0;

	loom_assert_eq(__queue_create(fd, &id, sob), 0);
	loom_assert(id != 0);
	return id;
}

static inline int __queue_destroy(int fd, uint32_t id)
{
	struct drm_loom_queue_destroy d = { .queue_id = id };

	return __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_DESTROY, &d);
}

/* A command buffer being built. */
struct cb {
	uint32_t dw[4096];
	uint32_t n;		/* dwords */
};

static inline void *cb_add(struct cb *cb, uint32_t bytes)
{
	void *p = &cb->dw[cb->n];

	loom_assert(cb->n + bytes / 4 <= sizeof(cb->dw) / 4);
	memset(p, 0, bytes);
	cb->n += bytes / 4;
	return p;
}

static inline void cb_nop(struct cb *cb)
{
	struct loom_pkt_nop *p = cb_add(cb, sizeof(*p));

	p->header = LOOM_PKT_HDR(LOOM_PKT_NOP, 0, sizeof(*p) / 4);
}

static inline void cb_write64(struct cb *cb, uint64_t va, uint64_t value)
{
	struct loom_pkt_write64 *p = cb_add(cb, sizeof(*p));

	p->header = LOOM_PKT_HDR(LOOM_PKT_WRITE64, 0, sizeof(*p) / 4);
	p->addr = va;
	p->value = value;
}

static inline void cb_dma(struct cb *cb, uint64_t src, uint64_t dst, uint64_t size)
{
	struct loom_pkt_lin_dma *p = cb_add(cb, sizeof(*p));

	p->header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(*p) / 4);
	p->src = src;
	p->dst = dst;
	p->size = size;
}

static inline void cb_memset(struct cb *cb, uint64_t dst, uint32_t value, uint64_t size)
{
	struct loom_pkt_lin_dma *p = cb_add(cb, sizeof(*p));

	p->header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(*p) / 4);
	p->flags = LOOM_DMA_F_MEMSET;
	p->src = value;
	p->dst = dst;
	p->size = size;
}

static inline void cb_wait(struct cb *cb, uint32_t sob, uint32_t target, uint32_t timeout_ms)
{
	struct loom_pkt_wait *p = cb_add(cb, sizeof(*p));

	p->header = LOOM_PKT_HDR(LOOM_PKT_WAIT, 0, sizeof(*p) / 4);
	p->sob = sob;
	p->target = target;
	p->timeout_ms = timeout_ms;
}

static inline int __submit_full(int fd, uint32_t q, const void *cb, uint32_t size,
				const uint32_t *in, uint32_t nin, uint32_t out, uint64_t *seq)
{
	struct drm_loom_submit s = {
		.queue_id = q, .cb_ptr = (uintptr_t)cb, .cb_size = size,
		.in_syncobjs = (uintptr_t)in, .in_syncobj_count = nin, .out_syncobj = out,
	};
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_SUBMIT, &s);

	if (!r && seq)
		*seq = s.seq;
	return r;
}

static inline int __submit(int fd, uint32_t q, const void *cb, uint32_t size)
{
	return __submit_full(fd, q, cb, size, NULL, 0, 0, NULL);
}

static inline uint64_t submit_cb(int fd, uint32_t q, const struct cb *cb)
{
	uint64_t seq = 0;

	loom_assert_eq(__submit_full(fd, q, cb->dw, cb->n * 4, NULL, 0, 0, &seq), 0);
	loom_assert(seq != 0);
	return seq;
}

static inline int __wait(int fd, uint32_t q, uint64_t seq, uint64_t timeout_ns, uint32_t *status)
{
	struct drm_loom_wait w = { .queue_id = q, .seq = seq, .timeout_ns = timeout_ns };
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_WAIT, &w);

	if (!r && status)
		*status = w.status;
	return r;
}

/* Wait (at most WAIT_NS) and return the job's status. */
static inline uint32_t wait_status(int fd, uint32_t q, uint64_t seq)
{
	uint32_t st = 0xdead;

	loom_assert_eq(__wait(fd, q, seq, WAIT_NS, &st), 0);
	return st;
}

/* ---- syncobjs (the DRM core's ioctls) ------------------------------------------ */

static inline uint32_t syncobj_create(int fd)
{
	struct drm_syncobj_create c = { 0 };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c), 0);
	loom_assert(c.handle != 0);
	return c.handle;
}

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* DRM_IOCTL_SYNCOBJ_WAIT for one syncobj, relative timeout; 0 or -errno (-ETIME). */
static inline int __syncobj_wait(int fd, uint32_t handle, int64_t timeout_ns)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle, .count_handles = 1,
		.timeout_nsec = now_ns() + timeout_ns,
	};

	return __loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* The status of the fence in syncobj so, through a sync_file: 1 signalled, 0 not, < 0 error. */
static inline int syncobj_fence_status(int fd, uint32_t so)
{
	struct drm_syncobj_handle h = {
		.handle = so, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1,
	};
	struct sync_file_info fi = { 0 };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	loom_assert(h.fd >= 0);
	loom_assert_eq(ioctl(h.fd, SYNC_IOC_FILE_INFO, &fi), 0);
	loom_assert_eq(fi.num_fences, 1);
	close(h.fd);
	return fi.status;
}

/* ---- gates ------------------------------------------------------------------------ */

/* A queue whose SOB other queues' jobs WAIT on (target 1): a NOP on it opens the gate. */
struct gate {
	uint32_t q;		/* the gate queue */
	uint32_t sob;
};

static inline struct gate gate_new(int fd)
{
	struct gate g;

	g.q = queue_create(fd, &g.sob);
	return g;
}

static inline void gate_open(int fd, struct gate *g)
{
	struct cb cb = { .n = 0 };

	cb_nop(&cb);
	loom_assert_eq(wait_status(fd, g->q, submit_cb(fd, g->q, &cb)), 0);
}

#endif /* LOOM_SUBMIT_TEST_H */
