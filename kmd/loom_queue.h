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
 * Jobs live on two lists of their queue, both in sequence order:
 * "waiting" (submitted, not yet on the ring: held back by in-fences, by a
 * full ring or CB area, or by a pending queue reset) and "inflight" (on
 * the ring; finished by the completion interrupt, in order).
 *
 * Jobs finish in sequence order, so their fences (one fence context per
 * queue) signal in order, as dma_fence_unwrap_merge() and
 * dma_resv_add_fence() assume: they keep only the newest fence of a
 * context. A job that fails without running (SUBMIT could not add its
 * fence to its context, or one of its in-fences signalled with an error)
 * keeps its place on "waiting" with abort_err set, and is retired with
 * LOOM_ERR_ABORTED only once it is at the head and no older job is on the
 * ring; retired_seq is always the last job retired.
 *
 * Lock order: loom_cs_dev.reset_sem -> loom_cs_dev.table_lock ->
 * loom_queue.submit_lock -> loom_cs_dev.irq_lock -> loom_queue.lock ->
 * a job's fence lock -> loom_cs_dev.dep_lock; loom_queue.lock ->
 * loom_events.lock (the watchdog posts a hang).
 *
 * Fence signalling: the queue's jobs reach the ring (and so signal) only
 * through paths that take reset_sem and submit_lock (push work, queue
 * reset work, SUBMIT's last step), marked with
 * dma_fence_begin_signalling(). Nothing holding either may allocate
 * memory that can reclaim, lock a reservation object or wait for a
 * fence: SUBMIT adds a job's fence to its context's and exported
 * objects' reservation objects between two submit_lock sections, with
 * the job held back on "waiting" (its deps_left gate) until it is done.
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

#include "hw/loom_packets.h"
#include "loom/uapi/loom_accel.h"

#include "loom_drv.h"

struct drm_device;
struct drm_file;
struct loom_ctx;

#define LOOM_QUEUE_RING_ENTRIES	256	/* ring and CQ entries */
#define LOOM_QUEUE_CB_AREA	(256U << 10)
#define LOOM_QUEUE_CB_RESERVED	64	/* start of the area: the driver's own CB */
/* Jobs on the ring at once: the CQ (one entry per job) never overflows. */
#define LOOM_QUEUE_MAX_INFLIGHT	(LOOM_QUEUE_RING_ENTRIES - 8)
/* Tag of the driver's own ring entries (user jobs: tag = sequence number). */
#define LOOM_QUEUE_TAG_INTERNAL	BIT_ULL(63)
/*
 * How long the queue's first entry may take, and a queue reset by default
 * (module parameter loom.queue_reset_timeout_ms).
 */
#define LOOM_QUEUE_RESET_TIMEOUT_MS	2000

/* The driver's per-device state of submission (ldev->cs). */
struct loom_cs_dev {
	struct loom_device *ldev;
	/* Ordered: queue resets, device resets and pushes (the watchdog runs on system_long_wq). */
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

	/* Protects loom_job.dep_q (in-fence callbacks against the queue going). */
	spinlock_t dep_lock;

	struct delayed_work watchdog;	/* hang and heartbeat checks */
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
	struct kref ref;		/* the file's table and each ioctl using it */
	struct loom_ctx *ctx;		/* referenced */
	u32 hw;				/* hardware queue index */
	u32 sob;
	u64 fence_ctx;

	struct loom_ring_entry *ring;	/* ring, then CQ, in one allocation */
	struct loom_cq_entry *cq;
	dma_addr_t ring_dma;
	void *cb;			/* CB area */
	dma_addr_t cb_dma;
	u64 cb_va;			/* its VA in the context's kernel window */
	bool cb_mapped;
	bool hw_stuck;			/* a reset failed: the device may still use the memory */
	bool mem_freed;			/* ring and CB area freed (unbind); submit_lock */

	/* Protects the ring (ring_pi), the CB area's head, and dying. */
	struct mutex submit_lock;
	u32 ring_pi;
	u32 cb_head;
	bool dying;			/* being destroyed: no new work */

	/* Protects the job lists and counters below, cq_ci and status_hist. */
	spinlock_t lock;
	struct list_head waiting;
	struct list_head inflight;
	unsigned int njobs;		/* on the two lists */
	unsigned int ninflight;
	u64 last_seq;			/* last sequence number given out */
	u64 retired_seq;		/* the last job retired: every job up to it has finished */
	u32 cq_ci;
	bool stopped;			/* device reset or device gone: hands off */
	bool needs_reset;		/* halted on an error or hung: reset_work pending */
	u64 cancel_last;		/* jobs up to this one fail with the reset */
	unsigned long head_since;	/* jiffies: the oldest inflight job started */
	u8 status_hist[DRM_LOOM_QUEUE_STATUS_HISTORY];

	struct work_struct push_work;
	struct work_struct reset_work;
};

struct loom_job;

/* One in-fence of a job. */
struct loom_dep {
	struct dma_fence_cb cb;
	struct dma_fence *fence;
	struct loom_job *job;
};

struct loom_job {
	struct dma_fence base;		/* first: freed through dma_fence_free() */
	/* Protects base (each job's fence has its own lock). */
	spinlock_t fence_lock;
	struct loom_cs_dev *cs;
	struct list_head node;		/* in the queue's waiting or inflight list */
	struct loom_queue *dep_q;	/* until the job leaves "waiting"; under cs->dep_lock */
	u64 seq;
	u32 status;			/* LOOM_ERR_*, once finished */
	bool hung;			/* the watchdog found it running too long */
	u32 *cb;			/* the checked user CB, until pushed */
	u32 cb_size;			/* its bytes */
	u32 cb_bytes;			/* in the CB area: + the driver's SIGNAL, 8-byte multiple */
	u32 cb_off;			/* place in the CB area once pushed (never 0), else 0 */
	atomic_t deps_left;		/* in-fences not signalled, + 1 while SUBMIT holds it */
	int abort_err;			/* fails in its turn, without running: fence error */
	unsigned int ndeps;
	struct loom_dep *deps;
};

/* loom_queue.c */
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
/* Put waiting jobs whose turn it is on the ring. submit_lock and reset_sem held. */
void loom_queue_push_locked(struct loom_queue *q);
/* Read new CQ entries and finish their jobs. q->lock held. */
void loom_queue_process_cq_locked(struct loom_queue *q);
/* Finish job with status (and fence error err if status != 0). q->lock held. */
void loom_queue_retire_locked(struct loom_queue *q, struct loom_job *job, u32 status, int err);
/*
 * Fail a waiting job (fence error err) in its turn: it is retired when
 * every older job has finished. q->lock held.
 */
void loom_queue_abort_job_locked(struct loom_queue *q, struct loom_job *job, int err);
/* Fail every job (up to last, or all with U64_MAX) with status. q->lock held. */
void loom_queue_cancel_locked(struct loom_queue *q, u64 last, u32 status, int err);
/* Ask for a queue reset (error or hang). q->lock held. */
void loom_queue_request_reset_locked(struct loom_queue *q);

#endif /* __LOOM_QUEUE_H__ */
