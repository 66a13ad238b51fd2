/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: hardware queues (loom_queue.c), the jobs that run on them
 * (loom_cs.c) and their recovery (loom_reset.c).
 *
 * A struct loom_queue owns one of the device's 32 hardware queues for one
 * open file: the queue runs in the file's ASID and interrupts channel 0.
 * Its ring and completion queue are DMA-coherent guest memory (device PA
 * LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr)); its CB area, where the driver
 * puts the checked copies of the user CBs, is DMA-coherent memory mapped
 * read-only in the context's kernel VA window. SOB q (q = the hardware
 * queue) belongs to the queue: the driver's last packet of every job sets
 * it to the job's sequence number.
 *
 * Each hardware queue has a drm_sched scheduler (the ring it feeds), which
 * lives as long as the device, as amdgpu's per-ring schedulers do; a queue
 * is that scheduler's one entity while it holds the hardware queue. (A
 * job's fence points at its scheduler, and userspace may keep the fence
 * long after the queue is gone: a scheduler per queue, freed with it,
 * would leave those fences pointing at freed memory.) SUBMIT arms a job
 * (its finished fence, seqno = the job's sequence number, is what
 * userspace sees) and pushes it to the entity; drm_sched waits for its
 * in-fences and calls run_job, which puts it on the ring and returns its
 * hardware fence, signalled from the CQ in sequence order. Credits are the
 * CB area's bytes (64-byte units), sized so that run_job always finds room
 * (loom_queue.c). drm_sched's timeout handler (TDR) is the hang detection;
 * it runs on the driver's ordered work queue, with the queue resets after
 * errors and the device resets.
 *
 * Jobs finish in sequence order, so their fences signal in order, as
 * dma_fence_unwrap_merge() and dma_resv_add_fence() assume: they keep only
 * the newest fence of a context. A job that fails without running (SUBMIT
 * could not add its fence to its context, one of its in-fences signalled
 * with an error, or a reset cancelled it before it ran) still goes on the
 * ring in its turn, as an entry that only sets the SOB (abort_err set),
 * and is retired with LOOM_ERR_ABORTED from the CQ like any other; only on
 * a stopped queue (device gone, queue destroyed) is it retired at once,
 * every older job being retired already.
 *
 * Lock order: loom_queue.arm_lock -> (the context's and exported objects'
 * reservation objects); loom_cs_dev.reset_sem -> loom_cs_dev.table_lock ->
 * loom_queue.submit_lock -> loom_cs_dev.irq_lock -> loom_queue.lock -> a
 * job's fence lock; loom_queue.lock -> loom_events.lock (a hang is
 * posted).
 *
 * Fence signalling: run_job, the TDR, queue and device resets and queue
 * destruction take reset_sem and submit_lock, inside
 * dma_fence_begin_signalling() (drm_sched annotates run_job itself).
 * Nothing holding either may allocate memory that can reclaim, lock a
 * reservation object or wait for a fence. SUBMIT adds a job's fence to the
 * reservation objects under arm_lock only, which no signalling path takes.
 */
#ifndef __LOOM_QUEUE_H__
#define __LOOM_QUEUE_H__

#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/gpu_scheduler.h>

#include "hw/loom_packets.h"
#include "loom/uapi/loom_accel.h"

#include "loom_drv.h"

struct drm_device;
struct drm_file;
struct loom_ctx;

#define LOOM_QUEUE_RING_ENTRIES	256	/* ring and CQ entries */
#define LOOM_QUEUE_CB_AREA	(256U << 10)
#define LOOM_QUEUE_CB_RESERVED	64	/* start of the area: the driver's own CB */
/* Tag of the driver's own ring entries (user jobs: tag = sequence number). */
#define LOOM_QUEUE_TAG_INTERNAL	BIT_ULL(63)
/*
 * How long the queue's first entry may take, and a queue reset by default
 * (module parameter loom.queue_reset_timeout_ms).
 */
#define LOOM_QUEUE_RESET_TIMEOUT_MS	2000
/*
 * drm_sched credits: the CB area's bytes in units of LOOM_QUEUE_CREDIT
 * bytes. The limit leaves room for the largest job past the area's end,
 * so that the space lost when a job wraps to the area's start never
 * leaves run_job without room (loom_queue_cb_room()).
 */
#define LOOM_QUEUE_CREDIT	64U
#define LOOM_QUEUE_JOB_MAX_BYTES \
	ALIGN(DRM_LOOM_CB_MAX_SIZE + sizeof(struct loom_pkt_signal), 8)
#define LOOM_QUEUE_CREDITS \
	((LOOM_QUEUE_CB_AREA - LOOM_QUEUE_CB_RESERVED - LOOM_QUEUE_JOB_MAX_BYTES) / \
	 LOOM_QUEUE_CREDIT)

/* The driver's per-device state of submission (ldev->cs). */
struct loom_cs_dev {
	struct loom_device *ldev;
	/*
	 * Ordered: queue resets, the schedulers' timeout handlers (TDR) and
	 * device resets, one at a time (the watchdog runs on system_long_wq).
	 */
	struct workqueue_struct *wq;

	/*
	 * Protects the device's queue hardware as a whole: held for writing
	 * by a device reset, for reading by whatever programs a queue.
	 */
	struct rw_semaphore reset_sem;

	/* Protects hw_used and, with irq_lock, queues[] (process context). */
	struct mutex table_lock;
	u32 hw_used;			/* bit q: hardware queue q is taken */
	/* Protects queues[] for the interrupt handler and the watchdog. */
	spinlock_t irq_lock;
	struct loom_queue *queues[LOOM_NUM_QUEUES];

	/*
	 * One scheduler per hardware queue, for the device's life (its
	 * timeout: loom.job_timeout_ms at probe; the watchdog applies a
	 * changed value). Their run and free work runs on sched_wq.
	 */
	struct drm_gpu_scheduler sched[LOOM_NUM_QUEUES];
	char sched_name[LOOM_NUM_QUEUES][12];
	unsigned int nsched;		/* initialised */
	struct workqueue_struct *sched_wq;

	struct delayed_work watchdog;	/* lost interrupts, hangs (backstop), heartbeat */
	struct work_struct dev_reset_work;
	u32 heartbeat;			/* last HEARTBEAT value seen */
	unsigned long heartbeat_jiffies;	/* when it last changed */
	bool gone;			/* device dead or unbound: -ENODEV; under table_lock */
	bool stopped_all;		/* loom_cs_fini() ran */
};

/* The driver's per-file state of submission (loom_file.cs). */
struct loom_cs_file {
	/* Protects queues, nqueues and sob_mask. */
	struct mutex lock;
	struct xarray queues;		/* queue id -> struct loom_queue */
	unsigned int nqueues;
	u32 sob_mask;			/* bit s: SOB s belongs to one of the file's queues */
};

struct loom_queue {
	struct loom_cs_dev *cs;
	struct loom_device *ldev;
	struct kref ref;		/* the file's table, each ioctl using it, each job */
	struct work_struct free_work;	/* the last reference: free, drop the device */
	struct loom_ctx *ctx;		/* referenced */
	u32 hw;				/* hardware queue index */
	u32 sob;
	u64 hw_fence_ctx;		/* the jobs' hardware fences */

	struct drm_gpu_scheduler *sched;	/* cs->sched[hw] */
	struct drm_sched_entity entity;
	bool entity_ready;		/* entity initialised */

	struct loom_ring_entry *ring;	/* ring, then CQ, in one allocation */
	struct loom_cq_entry *cq;
	dma_addr_t ring_dma;
	void *cb;			/* CB area */
	dma_addr_t cb_dma;
	u64 cb_va;			/* its VA in the context's kernel window */
	bool cb_mapped;
	bool hw_stuck;			/* a reset failed: the device may still use the memory */
	bool mem_freed;			/* ring and CB area freed (unbind); submit_lock */

	/* Serialises arming and pushing jobs (their order is their sequence's). */
	struct mutex arm_lock;

	/* Protects the ring (ring_pi), the CB area's head. */
	struct mutex submit_lock;
	u32 ring_pi;
	u32 cb_head;

	/* Protects the job lists and counters below, cq_ci and status_hist. */
	spinlock_t lock;
	struct list_head jobs;		/* armed and not yet freed, in sequence order */
	struct list_head inflight;	/* on the ring, not yet retired, in sequence order */
	unsigned int njobs;		/* armed and not yet retired */
	u64 last_seq;			/* last sequence number given out */
	u64 retired_seq;		/* the last job retired: every job up to it has finished */
	u32 cq_ci;
	bool dying;			/* being destroyed: no new work (arm_lock and lock) */
	bool stopped;			/* device gone or queue destroyed: hands off */
	bool needs_reset;		/* halted on an error: reset_work pending */
	u64 cancel_last;		/* jobs up to this one fail (the last reset's) */
	int cancel_err;			/* with this fence error */
	unsigned long head_since;	/* jiffies: the oldest inflight job started */
	u8 status_hist[DRM_LOOM_QUEUE_STATUS_HISTORY];

	struct work_struct reset_work;
};

struct loom_job {
	struct dma_fence hw_fence;	/* first: freed through dma_fence_free() */
	struct drm_sched_job base;
	/* Protects hw_fence (each job's fence has its own lock). */
	spinlock_t fence_lock;
	struct loom_queue *q;		/* referenced until free_job */
	struct list_head link;		/* in q->jobs */
	struct list_head node;		/* in q->inflight while on the ring, else empty */
	u64 seq;			/* retired once q->retired_seq reaches it */
	u32 status;			/* LOOM_ERR_*, once retired (ABORTED until then) */
	bool hung;			/* the timeout handler found it running too long */
	u32 *cb;			/* the checked user CB, until run */
	u32 cb_size;			/* its bytes */
	u32 cb_bytes;			/* in the CB area: + the driver's SIGNAL, 8-byte multiple */
	u32 cb_off;			/* place in the CB area once run */
	int abort_err;			/* fails in its turn, without running: fence error */
};

static inline struct loom_job *to_loom_job(struct drm_sched_job *sj)
{
	return container_of(sj, struct loom_job, base);
}

/* loom_queue.c */
/* Probe: the hardware queues' schedulers (cs->sched_wq and cs->wq exist). */
int loom_queue_sched_init_dev(struct loom_cs_dev *cs);
/* The DRM device's release: every queue and job is gone. */
void loom_queue_sched_fini_dev(struct loom_cs_dev *cs);
int loom_queue_create(struct loom_cs_dev *cs, struct loom_ctx *ctx, struct loom_queue **out);
/*
 * Unbind, the device stopped: free the rings and CB areas of every queue
 * still open (DMA memory of the device) now, unless the device may still
 * write them (hw_stuck, ldev->dma_unsafe).
 */
void loom_queue_dev_unplug(struct loom_cs_dev *cs);
/* Reset, cancel every job (fence error err), release. The caller's reference is dropped. */
void loom_queue_destroy(struct loom_queue *q, int err);
void loom_queue_put(struct loom_queue *q);
/* Program the hardware queue (after creation or a device reset); submit_lock held. */
void loom_queue_hw_program(struct loom_queue *q);
/* Switch the hardware queue off and clear its registers; submit_lock held. */
void loom_queue_hw_disable(struct loom_queue *q);
/* Reset the hardware queue and wait for it; 0 or -ETIMEDOUT. submit_lock held. */
int loom_queue_hw_reset(struct loom_queue *q);
/* The driver's own entry: set the SOB to value. submit_lock held; rings the doorbell. */
void loom_queue_set_sob(struct loom_queue *q, u32 value);
/*
 * After a queue reset dropped the ring: put the jobs still inflight (those
 * the reset did not cancel) on it again, in order. submit_lock held.
 */
void loom_queue_repush_locked(struct loom_queue *q);
/* Read new CQ entries and finish their jobs. q->lock held. */
void loom_queue_process_cq_locked(struct loom_queue *q);
/*
 * Finish job with status (and fence error err if status != 0); a job
 * that failed without running (abort_err) finishes with LOOM_ERR_ABORTED
 * and abort_err whatever the caller says. q->lock held.
 */
void loom_queue_retire_locked(struct loom_queue *q, struct loom_job *job, u32 status, int err);
/*
 * Jobs up to last fail with fence error err: those on the ring at the
 * next reset, the others when drm_sched runs them. q->lock held.
 */
void loom_queue_fail_upto_locked(struct loom_queue *q, u64 last, int err);
/*
 * Fail every job up to last (U64_MAX: all) with status and fence error
 * err: those on the ring now, the others when drm_sched runs them.
 * q->lock held.
 */
void loom_queue_cancel_locked(struct loom_queue *q, u64 last, u32 status, int err);
/* Ask for a queue reset (error). q->lock held. */
void loom_queue_request_reset_locked(struct loom_queue *q);

/* loom_cs.c: drm_sched's free_job (the job's scheduler state and references). */
void loom_cs_job_free(struct drm_sched_job *sj);

#endif /* __LOOM_QUEUE_H__ */
