// SPDX-License-Identifier: MIT
/*
 * loom_fuzz: random but well-typed sequences of loom.ko's uAPI, in the
 * spirit of syzkaller. Several processes, each with several threads on
 * one shared file (and a second file now and then), draw operations from
 * a table: GEM_CREATE, GEM_USERPTR, GEM_INFO, GEM_CLOSE, mmap and touch,
 * VM_BIND MAP and UNMAP, QUEUE_CREATE and QUEUE_DESTROY, SUBMIT of command
 * buffers built from random packets (valid ones and garbage) with random
 * syncobjs, WAIT, the syncobj ioctls, EXPORT_DMABUF, PRIME both ways,
 * dma-buf closes, INFO, EVENTFD, and the driver's own fault injection
 * (debugfs fail_add_fence, fail_dmabuf_map). Their arguments come from
 * what the process holds (handles, VAs, queue ids, syncobjs, dma-buf
 * fds), mixed with stale and random values. Where the kernel has fault
 * injection (failslab, fail_page_alloc), the fuzzing processes run with
 * make-it-fail on, so allocations inside the driver fail now and then.
 *
 * Every call must return 0 or an errno its documentation (docs/uapi.md)
 * allows (ENOMEM anywhere while the kernel injects faults); anything else
 * fails the run, naming the operation. Crashes, WARNs, KASAN, lockdep
 * and leak reports fail the guest run through its kernel-log checks, and
 * objects-released checks that the driver's objects all went.
 *
 *   loom_fuzz                      run for loom_test.fuzz_seconds (kernel
 *                                  command line; default 20 s)
 *   LOOM_FUZZ_SECONDS=N LOOM_FUZZ_SEED=S loom_fuzz   a longer run, a seed
 * The seed is printed so a failing run can be repeated.
 *
 * Where the kernel has KCOV (the debug guest kernel, whose loom.ko is
 * built instrumented), each thread traces the PCs its calls reach;
 * those inside loom.ko go into a bitmap shared by the processes, and an
 * operation whose call reached code no earlier call had gets drawn more
 * often from then on (a coverage-guided choice of operations, as
 * syzkaller's choice table is). The run prints how many distinct PCs of
 * loom.ko it reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/kcov.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_submit.h"

#define PROCS		2
#define THREADS		3
#define SLOTS		32	/* per kind of object, per process */
/* A set of errnos (all below 128). */
typedef unsigned __int128 errset;
#define E(x)		((errset)1 << (x))

/* What a process holds; threads share it (stale values are the point). */
struct fuzz_state {
	int fd, fd2;
	_Atomic uint32_t handles[SLOTS];
	_Atomic uint64_t vas[SLOTS];
	_Atomic uint32_t queues[SLOTS];
	_Atomic uint32_t sobs[SLOTS];
	_Atomic uint64_t seqs[SLOTS];
	_Atomic uint32_t syncobjs[SLOTS];
	_Atomic int dmabufs[SLOTS];
	uint8_t *user;		/* memory for userptr objects */
	size_t user_size;
	char fail_fence[192], fail_map[192];
	bool kernel_faults;	/* failslab / fail_page_alloc armed */
	int64_t deadline;
	_Atomic unsigned long calls, errors;
};

static struct fuzz_state *st;

/* ---- coverage (KCOV) ----------------------------------------------------------- */

#define COVER_WORDS	(64 << 10)	/* PCs one call may record */
#define COVER_BITS	(1U << 22)	/* bitmap of loom.ko's PCs (hashed) */
#define WEIGHT_BASE	8
#define WEIGHT_MAX	64

/* Shared by the processes (MAP_SHARED before fork). */
struct fuzz_cover {
	uint64_t mod_start, mod_end;	/* loom.ko's core in kernel memory */
	_Atomic unsigned long pcs;	/* distinct PCs seen (bits set) */
	_Atomic uint64_t bits[COVER_BITS / 64];
};

static struct fuzz_cover *cover;
static _Atomic unsigned op_weight[64];
static __thread uint64_t *kcov_area;	/* this thread's trace, or NULL */

/* loom.ko's base and size from /proc/modules (root sees the addresses). */
static bool module_range(uint64_t *start, uint64_t *end)
{
	FILE *f = fopen("/proc/modules", "r");
	char name[64], line[256];
	unsigned long size;
	unsigned long long base;
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %*d %*s %*s %llx", name, &size, &base) == 3 &&
		    !strcmp(name, "loom") && base) {
			*start = base;
			*end = base + size;
			found = true;
		}
	fclose(f);
	return found;
}

static void kcov_thread_start(void)
{
	int fd;
	void *p;

	if (!cover || !cover->mod_start)
		return;
	fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (ioctl(fd, KCOV_INIT_TRACE, COVER_WORDS) ||
	    (p = mmap(NULL, COVER_WORDS * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
	    MAP_FAILED || ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		close(fd);
		return;
	}
	kcov_area = p;	/* fd stays open with the thread */
}

/* Credit operation op with the loom.ko PCs its call reached that were new. */
static void kcov_collect(unsigned op)
{
	uint64_t n, pc, h;
	bool fresh = false;

	if (!kcov_area)
		return;
	n = __atomic_load_n(&kcov_area[0], __ATOMIC_RELAXED);
	for (uint64_t i = 0; i < n && i + 1 < COVER_WORDS; i++) {
		pc = kcov_area[i + 1];
		if (pc < cover->mod_start || pc >= cover->mod_end)
			continue;
		h = (pc * 0x9e3779b97f4a7c15ULL) >> (64 - 22);
		if (!(atomic_fetch_or(&cover->bits[h / 64], 1ULL << (h % 64)) & (1ULL << (h % 64)))) {
			atomic_fetch_add(&cover->pcs, 1);
			fresh = true;
		}
	}
	if (fresh && atomic_load(&op_weight[op]) < WEIGHT_MAX)
		atomic_fetch_add(&op_weight[op], 2);
	__atomic_store_n(&kcov_area[0], 0, __ATOMIC_RELAXED);
}

/* Calls and successes per operation, for the summary. */
#define OP_STATS	32
static struct {
	const char *_Atomic name;
	_Atomic unsigned long calls, ok;
} op_stats[OP_STATS];

static void op_count(const char *name, bool ok)
{
	for (unsigned i = 0; i < OP_STATS; i++) {
		const char *n = atomic_load(&op_stats[i].name), *none = NULL;

		if (!n && atomic_compare_exchange_strong(&op_stats[i].name, &none, name))
			n = name;
		if (n == name || (n && !strcmp(n, name))) {
			atomic_fetch_add(&op_stats[i].calls, 1);
			atomic_fetch_add(&op_stats[i].ok, ok);
			return;
		}
	}
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t pick(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

/* A size: 0, small, page multiples, 2 MiB ones, absurd. */
static uint64_t rnd_size(uint64_t *s)
{
	switch (pick(s, 8)) {
	case 0:
		return pick(s, 3) ? 4096 * (1 + pick(s, 16)) : 0;
	case 1:
		return 1 + pick(s, 8192);
	case 2:
		return (2 << 20) * (1 + pick(s, 2));
	case 3:
		return rnd(s);
	default:
		return 4096 * (1 + pick(s, 64));
	}
}

/* A value from a slot array, a stale one, or a random one. */
#define RND_FROM(s, arr) ({						\
	uint64_t __r = pick(s, 10);					\
	__r < 8 ? (uint64_t)atomic_load(&(arr)[pick(s, SLOTS)]) :	\
	__r == 8 ? rnd(s) : 0;						\
})

/* Record a call's result: 0 or one of the allowed errnos. */
static void check(const char *op, int r, errset allowed)
{
	int e = -r;

	atomic_fetch_add(&st->calls, 1);
	op_count(op, !r);
	if (!r)
		return;
	if (e > 0 && e < 128 && (allowed & E(e)))
		return;
	if (st->kernel_faults && e == ENOMEM)
		return;
	atomic_fetch_add(&st->errors, 1);
	fprintf(stderr, "# %s: unexpected %d (%s)\n", op, r, strerror(e > 0 ? e : 0));
}

static int io(unsigned long req, void *arg)
{
	return __loom_ioctl(st->fd, req, arg);
}

/*
 * Keep a new object in a slot, letting go of the one there: what the
 * process holds stays bounded (objects whose handle were simply dropped
 * would live, with their pages, until the file closed: over a long run,
 * until the OOM killer came). The old value may have gone meanwhile.
 */
static void keep_handle(uint64_t *s, uint32_t h)
{
	struct drm_gem_close c = { .handle = atomic_exchange(&st->handles[pick(s, SLOTS)], h) };

	if (c.handle)
		__loom_ioctl(st->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static void keep_va(uint64_t *s, uint64_t va)
{
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_UNMAP,
				      .va = atomic_exchange(&st->vas[pick(s, SLOTS)], va) };

	if (b.va)
		__loom_ioctl(st->fd, DRM_IOCTL_LOOM_VM_BIND, &b);
}

static void keep_syncobj(uint64_t *s, uint32_t h)
{
	struct drm_syncobj_destroy d = { .handle = atomic_exchange(&st->syncobjs[pick(s, SLOTS)], h) };

	if (d.handle)
		__loom_ioctl(st->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* ---- operations ------------------------------------------------------------------ */

static void op_gem_create(uint64_t *s)
{
	static const uint32_t flags[] = { DRM_LOOM_BO_DRAM, DRM_LOOM_BO_HOST, 0, 3, 0x80 };
	struct drm_loom_gem_create c = { .size = rnd_size(s), .flags = flags[pick(s, 5)] };
	int r = io(DRM_IOCTL_LOOM_GEM_CREATE, &c);

	check("GEM_CREATE", r, E(EINVAL) | E(E2BIG) | E(ENOMEM) | E(ENODEV));
	if (!r)
		keep_handle(s, c.handle);
}

static void op_gem_userptr(uint64_t *s)
{
	uint64_t off = 4096 * pick(s, st->user_size / 4096);
	struct drm_loom_gem_userptr u = {
		.user_ptr = (uintptr_t)st->user + off,
		.size = 4096 * (1 + pick(s, 8)),
		.flags = pick(s, 4) ? (uint32_t)pick(s, 2) : (uint32_t)rnd(s),
	};
	int r;

	if (!pick(s, 8))
		u.user_ptr = rnd(s) & ~4095ULL;
	r = io(DRM_IOCTL_LOOM_GEM_USERPTR, &u);
	check("GEM_USERPTR", r, E(EINVAL) | E(EFAULT) | E(E2BIG) | E(ENOMEM) | E(ENODEV));
	if (!r)
		keep_handle(s, u.handle);
}

static void op_gem_close(uint64_t *s)
{
	struct drm_gem_close c = { .handle = (uint32_t)RND_FROM(s, st->handles) };

	check("GEM_CLOSE", io(DRM_IOCTL_GEM_CLOSE, &c), E(EINVAL) | E(ENOENT));
}

static void op_gem_mmap(uint64_t *s)
{
	struct drm_loom_gem_info i = { .handle = (uint32_t)RND_FROM(s, st->handles) };
	int r = io(DRM_IOCTL_LOOM_GEM_INFO, &i);
	volatile uint8_t *p;

	check("GEM_INFO", r, E(ENOENT) | E(EINVAL) | E(ENODEV));
	if (r || !i.mmap_offset)
		return;
	p = mmap(NULL, i.size, PROT_READ | (pick(s, 2) ? PROT_WRITE : 0), MAP_SHARED, st->fd,
		 i.mmap_offset);
	if (p == MAP_FAILED) {
		check("mmap", -errno, E(EINVAL) | E(EACCES) | E(ENOMEM) | E(ENODEV));
		return;
	}
	(void)p[pick(s, i.size)];
	munmap((void *)p, i.size);
}

static void op_vm_map(uint64_t *s)
{
	struct drm_loom_vm_bind b = {
		.op = DRM_LOOM_VM_BIND_OP_MAP,
		.handle = (uint32_t)RND_FROM(s, st->handles),
		.bo_offset = pick(s, 4) ? 0 : 4096 * pick(s, 4),
		.size = pick(s, 8) ? 4096 * (1 + pick(s, 4)) : rnd_size(s),
		.flags = (uint32_t)pick(s, 4),
	};
	int r;

	if (b.flags & DRM_LOOM_VM_BIND_FIXED)
		b.va = pick(s, 4) ? DRM_LOOM_VA_USER_START + 4096 * pick(s, 1024) : rnd(s);
	r = io(DRM_IOCTL_LOOM_VM_BIND, &b);
	check("VM_BIND MAP", r, E(EINVAL) | E(ENOENT) | E(EBUSY) | E(ENOSPC) | E(ENOMEM) |
				E(EPERM) | E(EIO) | E(ENODEV));
	if (!r)
		keep_va(s, b.va);
}

static void op_vm_unmap(uint64_t *s)
{
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = RND_FROM(s, st->vas) };

	check("VM_BIND UNMAP", io(DRM_IOCTL_LOOM_VM_BIND, &b), E(EINVAL) | E(ENOENT));
}

static void op_queue_create(uint64_t *s)
{
	struct drm_loom_queue_create c = { 0 };
	int r = io(DRM_IOCTL_LOOM_QUEUE_CREATE, &c);
	unsigned i = pick(s, SLOTS);

	check("QUEUE_CREATE", r, E(ENOSPC) | E(EBUSY) | E(EDQUOT) | E(ENOMEM) | E(EIO) |
				 E(ENODEV));
	if (!r) {
		atomic_store(&st->sobs[i], c.sob);
		atomic_store(&st->queues[i], c.queue_id);
	}
}

static void op_queue_destroy(uint64_t *s)
{
	struct drm_loom_queue_destroy d = { .queue_id = (uint32_t)RND_FROM(s, st->queues) };

	check("QUEUE_DESTROY", io(DRM_IOCTL_LOOM_QUEUE_DESTROY, &d), E(ENOENT) | E(EINVAL));
}

/* A CB of random packets: mostly well-formed, sometimes not. */
static uint32_t rnd_cb(uint64_t *s, struct cb *cb)
{
	unsigned n = 1 + pick(s, 6);

	cb->n = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t va = RND_FROM(s, st->vas) + 8 * pick(s, 512);

		switch (pick(s, 8)) {
		case 0:
		case 1:
			cb_nop(cb);
			break;
		case 2:
			cb_write64(cb, va, rnd(s));
			break;
		case 3:
			cb_dma(cb, va, RND_FROM(s, st->vas), 8 * pick(s, 1024));
			break;
		case 4:
			cb_memset(cb, va, (uint32_t)rnd(s), 4 * pick(s, 2048));
			break;
		case 5:
			/* On one of the file's SOBs (else EPERM), briefly. */
			cb_wait(cb, (uint32_t)atomic_load(&st->sobs[pick(s, SLOTS)]),
				(uint32_t)pick(s, 4), 1 + pick(s, 50));
			break;
		case 6: {
			/* Garbage inside a well-formed packet: the device checks it. */
			bool mme = pick(s, 2);
			uint32_t len = mme ? sizeof(struct loom_pkt_mme) :
					     sizeof(struct loom_pkt_tpc_launch);
			uint32_t *p = cb_add(cb, len);

			for (uint32_t k = 0; k < len / 4; k++)
				p[k] = (uint32_t)rnd(s);
			p[0] = LOOM_PKT_HDR(mme ? LOOM_PKT_MME : LOOM_PKT_TPC_LAUNCH, 0, len / 4);
			break;
		}
		default: {
			uint32_t *p = cb_add(cb, 8);

			p[0] = (uint32_t)rnd(s);
			p[1] = (uint32_t)rnd(s);
			break;
		}
		}
	}
	return cb->n * 4;
}

static void op_submit(uint64_t *s)
{
	static __thread struct cb cb;
	uint32_t in[3], nin = (uint32_t)pick(s, 4);
	uint32_t q = (uint32_t)RND_FROM(s, st->queues);
	uint64_t seq = 0;
	int r;

	for (uint32_t i = 0; i < nin && i < 3; i++)
		in[i] = (uint32_t)RND_FROM(s, st->syncobjs);
	r = __submit_full(st->fd, q, cb.dw, rnd_cb(s, &cb), in, nin > 3 ? 3 : nin,
			  pick(s, 2) ? (uint32_t)RND_FROM(s, st->syncobjs) : 0, &seq);
	check("SUBMIT", r, E(EINVAL) | E(EPERM) | E(ENOENT) | E(EBUSY) | E(ENOMEM) |
			   E(EINTR) | E(ENODEV));
	if (!r)
		atomic_store(&st->seqs[pick(s, SLOTS)], seq);
}

static void op_wait(uint64_t *s)
{
	uint32_t status;
	int r = __wait(st->fd, (uint32_t)RND_FROM(s, st->queues), RND_FROM(s, st->seqs),
		       pick(s, 2) ? 0 : 1000000 * pick(s, 20), &status);

	check("WAIT", r, E(EINVAL) | E(ENOENT) | E(ETIME) | E(EINTR) | E(ENODEV));
}

static void op_syncobj(uint64_t *s)
{
	uint32_t h = (uint32_t)RND_FROM(s, st->syncobjs);
	int r;

	switch (pick(s, 3)) {
	case 0: {
		struct drm_syncobj_create c = { .flags = (uint32_t)pick(s, 2) };

		r = io(DRM_IOCTL_SYNCOBJ_CREATE, &c);
		check("SYNCOBJ_CREATE", r, E(ENOMEM));
		if (!r)
			keep_syncobj(s, c.handle);
		break;
	}
	case 1: {
		struct drm_syncobj_destroy d = { .handle = h };

		check("SYNCOBJ_DESTROY", io(DRM_IOCTL_SYNCOBJ_DESTROY, &d), E(EINVAL) | E(ENOENT));
		break;
	}
	default:
		check("SYNCOBJ_WAIT", __syncobj_wait(st->fd, h, 1000000 * pick(s, 10)),
		      E(EINVAL) | E(ENOENT) | E(ETIME) | E(EINTR));
	}
}

static void op_export(uint64_t *s)
{
	struct drm_loom_export_dmabuf e = {
		.handle = pick(s, 3) ? (uint32_t)RND_FROM(s, st->handles) : 0,
		.offset = 4096 * pick(s, 4),
		.size = 4096 * (1 + pick(s, 8)),
		.flags = (uint32_t)pick(s, 4),
	};
	int r;

	if (!e.handle)
		e.offset = RND_FROM(s, st->vas);
	r = io(DRM_IOCTL_LOOM_EXPORT_DMABUF, &e);
	check("EXPORT_DMABUF", r, E(EINVAL) | E(ENOENT) | E(EOPNOTSUPP) | E(EACCES) | E(EMFILE) |
				  E(ENOMEM) | E(ENODEV));
	if (!r) {
		int old = atomic_exchange(&st->dmabufs[pick(s, SLOTS)], e.fd);

		if (old > 0)
			close(old);
	}
}

static void op_prime(uint64_t *s)
{
	if (pick(s, 2)) {
		struct drm_prime_handle p = {
			.handle = (uint32_t)RND_FROM(s, st->handles),
			.flags = DRM_CLOEXEC | (pick(s, 2) ? DRM_RDWR : 0),
		};
		int r = io(DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

		check("PRIME_HANDLE_TO_FD", r, E(ENOENT) | E(EOPNOTSUPP) | E(EINVAL) | E(EMFILE) |
					       E(ENOMEM) | E(ENODEV));
		if (!r) {
			int old = atomic_exchange(&st->dmabufs[pick(s, SLOTS)], p.fd);

			if (old > 0)
				close(old);
		}
	} else {
		struct drm_prime_handle p = { .fd = atomic_load(&st->dmabufs[pick(s, SLOTS)]) };
		int r;

		if (p.fd <= 0)
			return;
		/* Into the other file now and then: an import of one of ours. */
		bool other = pick(s, 2);

		r = __loom_ioctl(other ? st->fd2 : st->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
		check("PRIME_FD_TO_HANDLE", r, E(EBADF) | E(EINVAL) | E(EOPNOTSUPP) | E(ENOMEM) |
					       E(ENODEV));
		if (!r && other) {
			struct drm_gem_close c = { .handle = p.handle };

			__loom_ioctl(st->fd2, DRM_IOCTL_GEM_CLOSE, &c);
		} else if (!r) {
			keep_handle(s, p.handle);
		}
	}
}

static void op_close_dmabuf(uint64_t *s)
{
	int old = atomic_exchange(&st->dmabufs[pick(s, SLOTS)], 0);

	if (old > 0)
		close(old);
}

static void op_info(uint64_t *s)
{
	static __thread uint8_t buf[4096];
	struct drm_loom_info i = {
		.query = (uint32_t)pick(s, 14),
		.data_size = (uint32_t)pick(s, sizeof(buf)),
		.data_ptr = (uintptr_t)buf,
	};

	check("INFO", io(DRM_IOCTL_LOOM_INFO, &i), E(EINVAL) | E(ENODEV) | E(EIO) | E(ETIMEDOUT));
}

static void op_eventfd(uint64_t *s)
{
	static __thread struct drm_loom_event ev[8];
	struct drm_loom_eventfd e = {
		.op = (uint32_t)pick(s, 4),
		.count = (uint32_t)pick(s, 9),
		.events_ptr = (uintptr_t)ev,
	};

	e.fd = (uint32_t)-1;
	check("EVENTFD", io(DRM_IOCTL_LOOM_EVENTFD, &e),
	      E(EINVAL) | E(EBUSY) | E(ENOENT) | E(EBADF) | E(ENODEV));
}

/* The driver's own fault injection: the Nth call from now fails. */
static void op_inject(uint64_t *s)
{
	char n[16];

	snprintf(n, sizeof(n), "%u", (unsigned)pick(s, 8));
	if (st->fail_fence[0] && pick(s, 2))
		loom_write_file(st->fail_fence, n);
	else if (st->fail_map[0])
		loom_write_file(st->fail_map, n);
}

static void (*const ops[])(uint64_t *) = {
	op_gem_create, op_gem_create, op_gem_userptr, op_gem_close, op_gem_mmap,
	op_vm_map, op_vm_map, op_vm_map, op_vm_unmap, op_queue_create, op_queue_destroy,
	op_submit, op_submit, op_submit, op_submit, op_wait, op_wait, op_syncobj, op_syncobj,
	op_export, op_prime, op_close_dmabuf, op_info, op_eventfd, op_inject,
};

#define NOPS	(sizeof(ops) / sizeof(ops[0]))

/* An operation, drawn by weight (all equal without coverage). */
static unsigned pick_op(uint64_t *s)
{
	unsigned total = 0, r;

	for (unsigned i = 0; i < NOPS; i++)
		total += atomic_load(&op_weight[i]);
	r = (unsigned)pick(s, total);
	for (unsigned i = 0; i < NOPS; i++) {
		unsigned w = atomic_load(&op_weight[i]);

		if (r < w)
			return i;
		r -= w;
	}
	return 0;
}

static void *fuzz_thread(void *arg)
{
	uint64_t s = (uintptr_t)arg;
	unsigned op;

	kcov_thread_start();
	while (now_ns() < st->deadline) {
		op = pick_op(&s);
		ops[op](&s);
		kcov_collect(op);
	}
	return NULL;
}

/* Arm the kernel's failslab and fail_page_alloc for processes that ask; true if present. */
static bool kernel_faults_arm(bool on)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	char path[96];
	bool any = false;

	for (unsigned i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/probability", attrs[i]);
		if (access(path, W_OK))
			continue;
		any = true;
		loom_write_file(path, on ? "2" : "0");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/interval", attrs[i]);
		loom_write_file(path, "1");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/times", attrs[i]);
		loom_write_file(path, "-1");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/task-filter", attrs[i]);
		loom_write_file(path, "Y");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose", attrs[i]);
		loom_write_file(path, "0");
	}
	return any;
}

/*
 * Pinned memory as an unprivileged user's: without CAP_IPC_LOCK, under a
 * RLIMIT_MEMLOCK of FUZZ_MEMLOCK (a root fuzzer would pin the guest's
 * memory until the OOM killer came). Userptr objects take pages from an
 * arena as large, so that few of them cover the same page at once: the
 * DMA API's debugging tracks at most 7 live mappings of one cacheline
 * (and warns past them).
 */
#define FUZZ_MEMLOCK	(32ULL << 20)

static void fuzz_limits(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { .rlim_cur = FUZZ_MEMLOCK, .rlim_max = FUZZ_MEMLOCK };

	loom_assert_eq(syscall(SYS_capget, &h, d), 0);
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	loom_assert_eq(syscall(SYS_capset, &h, d), 0);
	loom_assert_eq(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
}

static void fuzz_process(uint64_t seed, int seconds)
{
	pthread_t t[THREADS];

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	loom_assert(st != MAP_FAILED);
	st->fd = loom_open();
	st->fd2 = loom_open();
	st->user_size = FUZZ_MEMLOCK;
	st->user = mmap(NULL, st->user_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	loom_assert(st->user != MAP_FAILED);
	memset(st->user, 1, st->user_size);
	fuzz_limits();
	/* Debugfs paths skip the test if absent: look them up without that. */
	if (!access("/sys/kernel/debug/accel", F_OK)) {
		loom_debugfs_path(st->fd, "fail_add_fence", st->fail_fence, sizeof(st->fail_fence));
		loom_debugfs_path(st->fd, "fail_dmabuf_map", st->fail_map, sizeof(st->fail_map));
	}
	st->kernel_faults = !access("/sys/kernel/debug/failslab/probability", W_OK);
	if (st->kernel_faults)
		loom_write_file("/proc/self/make-it-fail", "1");
	st->deadline = now_ns() + seconds * 1000000000LL;
	for (unsigned i = 0; i < NOPS; i++)
		atomic_store(&op_weight[i], WEIGHT_BASE);
	for (unsigned i = 0; i < THREADS; i++)
		loom_assert_eq(pthread_create(&t[i], NULL, fuzz_thread,
					      (void *)(uintptr_t)(seed * 7919 + i + 1)), 0);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (st->kernel_faults)
		loom_write_file("/proc/self/make-it-fail", "0");
	printf("# process %d: %lu calls, %lu unexpected\n", getpid(),
	       atomic_load(&st->calls), atomic_load(&st->errors));
	for (unsigned i = 0; i < OP_STATS && atomic_load(&op_stats[i].name); i++)
		printf("#   %-20s %8lu calls %8lu succeeded\n", atomic_load(&op_stats[i].name),
		       atomic_load(&op_stats[i].calls), atomic_load(&op_stats[i].ok));
	fflush(stdout);
	exit(atomic_load(&st->errors) ? 1 : 0);
}

static void test_fuzz_uapi(void)
{
	unsigned long long secs = 20, seed;
	const char *e;
	pid_t pids[PROCS];
	char path[192];
	int status, fd, bad = 0;
	bool faults;

	if (loom_test_param("fuzz_seconds", &secs) && !secs)
		loom_skip("loom_test.fuzz_seconds=0");
	if ((e = getenv("LOOM_FUZZ_SECONDS")))
		secs = strtoull(e, NULL, 0);
	seed = (e = getenv("LOOM_FUZZ_SEED")) ? strtoull(e, NULL, 0) :
	       (unsigned long long)now_ns() | 1;
	printf("# seed %#llx, %llu s, %d processes x %d threads\n", seed, secs, PROCS, THREADS);
	fflush(stdout);
	cover = mmap(NULL, sizeof(*cover), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	loom_assert(cover != MAP_FAILED);
	if (access("/sys/kernel/debug/kcov", R_OK) ||
	    !module_range(&cover->mod_start, &cover->mod_end))
		cover->mod_start = cover->mod_end = 0;
	printf("# coverage (KCOV): %s\n", cover->mod_start ? "on, loom.ko's PCs guide the choice" :
							"not in this kernel");
	faults = kernel_faults_arm(true);
	printf("# kernel fault injection (failslab, fail_page_alloc): %s\n",
	       faults ? "on" : "not in this kernel");
	fflush(stdout);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		loom_assert(pids[p] >= 0);
		if (!pids[p])
			fuzz_process(seed + p, (int)secs);
	}
	for (int p = 0; p < PROCS; p++) {
		loom_assert_eq(waitpid(pids[p], &status, 0), pids[p]);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# process %d: %s %d\n", pids[p],
			       WIFEXITED(status) ? "exit status" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			bad = 1;
		}
	}
	kernel_faults_arm(false);
	if (cover->mod_start)
		printf("# coverage: %lu distinct PCs of loom.ko reached\n", atomic_load(&cover->pcs));
	/* Disarm the driver's own, and check that the device still works. */
	fd = loom_open();
	if (!access("/sys/kernel/debug/accel", F_OK)) {
		loom_debugfs_path(fd, "fail_add_fence", path, sizeof(path));
		loom_write_file(path, "0");
		loom_debugfs_path(fd, "fail_dmabuf_map", path, sizeof(path));
		loom_write_file(path, "0");
	}
	{
		uint32_t q = queue_create(fd, NULL);
		struct cb nop = { .n = 0 };

		cb_nop(&nop);
		loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, &nop)), 0);
	}
	close(fd);
	loom_assert_eq(bad, 0);
}

static const struct loom_subtest tests[] = {
	{ "fuzz-uapi", "random well-typed ioctl, mmap and dma-buf sequences in 2 processes x 3 threads: documented errors only",
	  test_fuzz_uapi, 600 },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
