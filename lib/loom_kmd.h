/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend: libloom over the ioctls of loom.ko on
 * /dev/accel/accelN (include/loom/uapi/loom_accel.h, docs/uapi.md).
 *
 * One open file per loom_device: the file is the device context (its own
 * ASID). Memory is made of GEM buffer objects bound into that context at
 * VAs this library chooses (VM_BIND with FIXED, in the layout of the
 * direct backend: DRAM from 2^44 with a guard page after each mapping,
 * pinned host memory from 2^46), so that both backends hand out the same
 * kind of addresses. Pinned host memory is sub-allocated from host buffer
 * objects ("arenas") mapped into the process and the context once.
 * Streams are kernel queues; the kernel copies and checks each command
 * buffer, and the library appends a WRITE64 of the submission's number to
 * a per-queue fence ring in pinned memory, so that finished work is seen
 * without a system call; a per-queue thread sleeps in the WAIT ioctl only
 * while someone waits for that queue, and wakes the waiters.
 *
 *   loom_kmd.c        open/close, info, telemetry, power limit, events
 *   loom_kmd_mem.c    DRAM, pinned host memory, export/import
 *   loom_kmd_queue.c  queues, submission, completion
 */
#ifndef LOOM_KMD_H
#define LOOM_KMD_H

#include "loom_internal.h"
#include "../include/loom/uapi/loom_accel.h"

/* Device virtual address layout of the context (as the direct backend's). */
#define LOOM_KMD_VA_DRAM_BASE	(1ULL << 44)	/* DRAM allocations and imports */
#define LOOM_KMD_VA_DRAM_END	(1ULL << 46)
#define LOOM_KMD_VA_HOST_BASE	(1ULL << 46)	/* pinned host memory (arenas) */
#define LOOM_KMD_VA_HOST_END	(1ULL << 47)

#define LOOM_KMD_ARENA_SIZE	(16ULL << 20)	/* pinned memory taken at a time */

/* A host buffer object mapped into the process and the context. */
struct loom_kmd_arena {
	uint8_t *cpu;
	uint64_t va, size;
	uint32_t handle;
	bool dedicated;			/* one allocation, freed with it */
	struct loom_ranges free;	/* offsets (sub-allocated arenas) */
	uint64_t used;			/* bytes allocated from it */
};

struct loom_kmd_block { uint8_t *cpu; uint64_t size; };

struct loom_kmd {
	int fd;
	char node[64];			/* /dev/accel/accelN */
	struct drm_loom_info_hw_ip hw;
	int event_fd;			/* eventfd registered with the driver, or -1 */

	/* Protects the VA ranges, the arenas and the blocks. */
	pthread_mutex_t mem_lock;
	struct loom_ranges va_dram, va_host;
	struct loom_kmd_arena **arenas;
	unsigned narenas, cap_arenas;
	struct loom_kmd_block *blocks;	/* live pinned allocations */
	unsigned nblocks, cap_blocks;
};

static inline struct loom_kmd *loom_kmd(loom_device *dev)
{
	return dev->drv;
}

/* loom_kmd_procs.c: loom_device_processes() from fdinfo. */
int kmd_processes(loom_device *dev, struct loom_process *out, int max);

/* loom_kmd.c */
/* ioctl() retried on EINTR; 0 or a negative errno. */
int loom_kmd_ioctl(int fd, unsigned long req, void *arg);
/* An ioctl error of the device file: ENODEV marks the device dead. */
int loom_kmd_err(loom_device *dev, int ret);
/* loom_kmd_list() and loom_kmd_uri() are declared in loom_internal.h. */

/* loom_kmd_mem.c */
int loom_kmd_mem_init(loom_device *dev);
void loom_kmd_mem_fini(loom_device *dev);
int loom_kmd_mem_alloc(loom_device *dev, struct loom_alloc *a);
void loom_kmd_mem_free(loom_device *dev, struct loom_alloc *a);
int loom_kmd_mem_export(loom_device *dev, const struct loom_alloc *a, uint64_t offset,
			uint64_t size);
int loom_kmd_mem_import(loom_device *dev, int fd, struct loom_alloc *a);
void *loom_kmd_host_alloc(loom_device *dev, uint64_t size, uint64_t *va);
int loom_kmd_host_free(loom_device *dev, void *ptr);
uint64_t loom_kmd_host_va(loom_device *dev, const void *ptr);

/* loom_kmd_queue.c */
int loom_kmd_queue_create(loom_stream *s);
void loom_kmd_queue_destroy(loom_stream *s);
int loom_kmd_submit(loom_stream *s, const uint32_t *oldest, uint32_t *cookie);
uint32_t loom_kmd_done(loom_stream *s);
int loom_kmd_status(loom_stream *s);
void loom_kmd_wait_pkt(loom_stream *other, uint32_t target, struct loom_pkt_wait *w);
/* The largest CB a submission takes: the driver's limit less the fence WRITE64. */
#define LOOM_KMD_CB_MAX		(DRM_LOOM_CB_MAX_SIZE - sizeof(struct loom_pkt_write64))

#endif /* LOOM_KMD_H */
