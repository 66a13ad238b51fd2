/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: open files and hardware contexts (loom_ctx.c), and the MMU
 * page tables behind them (loom_mmu.c).
 *
 * Every open file of /dev/accel/accelN gets a struct loom_file
 * (drm_file->driver_priv) and a struct loom_ctx: one ASID (1..63) and the
 * four-level page table of hw/loom_mmu.h that gives that ASID its device
 * virtual address space. The context is reference counted: the file holds
 * one reference, and anything that still needs the ASID and its mappings
 * after the file may have closed (a submitted job) holds its own.
 *
 * The VA space of a context:
 *   [LOOM_USER_VA_START, LOOM_USER_VA_END)   userspace's (VM_BIND)
 *   [LOOM_KVA_BASE, LOOM_KVA_BASE + LOOM_KVA_SIZE)
 *                                            the driver's own window, never
 *                                            given to userspace (command
 *                                            buffers of the submission code)
 */
#ifndef __LOOM_CTX_H__
#define __LOOM_CTX_H__

#include <linux/dma-resv.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_mm.h>

#include "loom/uapi/loom_accel.h"
#include "hw/loom_fw.h"
#include "hw/loom_mmu.h"

struct drm_device;
struct drm_file;
struct seq_file;
struct loom_device;
struct loom_pt;

/* Userspace's part of every context's VA space (DRM_LOOM_VA_USER_*). */
#define LOOM_USER_VA_START	DRM_LOOM_VA_USER_START
#define LOOM_USER_VA_END	DRM_LOOM_VA_USER_END

/* The driver's window: the top 4 GiB of the 48-bit VA space. */
#define LOOM_KVA_SIZE		(4ULL << 30)
#define LOOM_KVA_BASE		((1ULL << LOOM_VA_BITS) - LOOM_KVA_SIZE)

/*
 * Longest wait for a context's jobs before its memory is freed anyway
 * (their own watchdog fails them well before).
 */
#define LOOM_CTX_JOB_WAIT_MS	30000

/* loom_mmu_map() flags. */
#define LOOM_MMU_WRITE		BIT(0)	/* the device may write (else read-only) */

/* One per open file (drm_file->driver_priv). */
struct loom_file {
	struct loom_device *ldev;
	struct loom_ctx *ctx;
	/*
	 * SUBMIT's per-file state (queues) and INFO's (eventfds, event list):
	 * each adds its own fields here in a block naming its file.
	 */

	/* --- loom_cs.c: the file's queues --- */
	struct loom_cs_file *cs;
};

/* A hardware context: one ASID and its page tables. */
struct loom_ctx {
	struct loom_device *ldev;
	struct kref ref;
	u32 asid;
	kuid_t uid;			/* the opener's effective uid: its quotas */
	unsigned int nqueues;		/* hardware queues held; ldev->ctx_lock */

	/* Protects the page tables, the VA allocators and the bindings. */
	struct mutex lock;

	/* --- loom_ctx.c / loom_mmu.c / loom_gem.c (MEM) --- */
	struct loom_pt *pgd;		/* level-0 table */
	u64 pt_pages;			/* page-table pages allocated */
	u64 mapped_bytes;		/* bytes mapped by leaves */
	/*
	 * The VM_BIND mappings (drm_gpuva, loom_vm.c) and the VM's common
	 * reservation object, which holds the fences of the context's jobs
	 * (loom_ctx_add_fence()). Owns the context's memory: its last
	 * reference frees it (loom_ctx.c's vm_free).
	 */
	struct drm_gpuvm gpuvm;
	/* The VA allocator where the kernel chooses: every mapping holds a node. */
	struct drm_mm va_mm;		/* userspace VA: VM_BIND mappings */
	struct drm_mm kva_mm;		/* kernel window: loom_ctx_kva_alloc() */
	struct list_head link;		/* in loom_device.ctx_list */
	/* LOOM_REG_ASID_BUSY when the ASID was given out (loom_fdinfo.c). */
	u64 busy_base[LOOM_FW_NUM_ENGINES];
	/* Unbound mappings whose memory waits for a job fence (ctx->lock). */
	struct list_head zombies;
	/* Frees zombies once their fence signals (loom_gem.c). */
	struct work_struct reap_work;
};

/* The reservation object of ctx's jobs: its drm_gpuvm's. */
static inline struct dma_resv *loom_ctx_resv(struct loom_ctx *ctx)
{
	return drm_gpuvm_resv(&ctx->gpuvm);
}

/*
 * Probe: the ASID table and the device's DRAM allocator (torn down with
 * the DRM device, once the last file and buffer object are gone).
 */
int loom_ctx_dev_init(struct loom_device *ldev);
/*
 * After a device reset (which disables every context): write every live
 * context's PGD/CTRL/CHANNEL again and invalidate the MMU.
 */
void loom_ctx_dev_restore(struct loom_device *ldev);
/*
 * Unbind, the device stopped: free every live context's page tables (DMA
 * memory of the device) now; mapping calls then fail with -ENODEV and the
 * contexts themselves go with their files.
 */
void loom_ctx_dev_unplug(struct loom_device *ldev);

/*
 * Per-user quotas (module parameters loom.user_contexts, loom.user_queues):
 * the contexts and hardware queues one user's files may hold at once, so
 * that no user locks everyone else out of the device's 63 ASIDs and 32
 * queues. Callers with CAP_SYS_RESOURCE are not limited, as for rlimits.
 */
extern unsigned int loom_user_contexts;
extern unsigned int loom_user_queues;
/* Take one of ctx's user's queues: 0 or -EDQUOT. */
int loom_ctx_queue_charge(struct loom_ctx *ctx);
/* Give it back. */
void loom_ctx_queue_uncharge(struct loom_ctx *ctx);

int loom_ctx_file_open(struct drm_device *drm, struct drm_file *file);   /* drm_driver.open */
void loom_ctx_file_close(struct drm_device *drm, struct drm_file *file); /* drm_driver.postclose */
struct loom_ctx *loom_ctx_get(struct loom_ctx *ctx);
/*
 * References on the live contexts (at most max) into out; their number.
 * ldev->ctx_lock orders device resets (a fence-signalling path): nothing
 * that allocates or takes ctx->lock may run under it, so walk them so.
 */
unsigned int loom_ctx_get_all(struct loom_device *ldev, struct loom_ctx **out, unsigned int max);
void loom_ctx_put(struct loom_ctx *ctx);

/*
 * A job of ctx is about to reach the hardware: memory that VM_BIND UNMAP
 * takes out of ctx while such a job may still use it is freed only once
 * the job's fence (and those of the jobs before it) have signalled.
 * Returns 0, -ENOMEM or -EINTR (then the job must not run). Locks
 * reservation objects and allocates: never called in a fence-signalling
 * path (with a queue's submit_lock or reset_sem held).
 */
int loom_ctx_add_fence(struct loom_ctx *ctx, struct dma_fence *fence);

/*
 * Map size bytes of physically contiguous device PA at va (all three
 * page aligned; 2 MiB pages where VA and PA alignment allow). Returns
 * -EINVAL for misaligned or out-of-range arguments (va outside the 48-bit
 * space), -EBUSY if part of the range is already mapped (nothing is
 * changed then), -ENOMEM. Takes ctx->lock.
 */
int loom_mmu_map(struct loom_ctx *ctx, u64 va, u64 pa, u64 size, u32 flags /* LOOM_MMU_WRITE */);
/* Unmap [va, va + size) (holes are fine) and invalidate the ASID. Takes ctx->lock. */
void loom_mmu_unmap(struct loom_ctx *ctx, u64 va, u64 size);

/*
 * A free, page-aligned range of size bytes in the kernel window
 * [LOOM_KVA_BASE, LOOM_KVA_BASE + LOOM_KVA_SIZE) (-ENOSPC when full);
 * give it back with loom_ctx_kva_free() after unmapping it. Optional:
 * callers that map at VAs they choose in the window may skip it, as long
 * as they do not mix both on the same ranges.
 */
int loom_ctx_kva_alloc(struct loom_ctx *ctx, u64 size, u64 *va);
void loom_ctx_kva_free(struct loom_ctx *ctx, u64 va);

/* loom_fdinfo.c: the device's busy-time counter of asid for engine class engine (ns). */
u64 loom_ctx_busy_ns(struct loom_device *ldev, u32 asid, unsigned int engine);
/* drm_driver.show_fdinfo: the DRM usage statistics of file (loom_fdinfo.c). */
void loom_show_fdinfo(struct drm_printer *p, struct drm_file *file);

/* debugfs: the context's ASID, mappings and page-table usage. */
void loom_mmu_debugfs_show(struct loom_ctx *ctx, struct seq_file *m);

#endif /* __LOOM_CTX_H__ */
