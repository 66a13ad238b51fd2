// SPDX-License-Identifier: MIT
/*
 * loom.ko: channel 0's event queue, and the events each open file gets.
 *
 * The firmware posts struct loom_event records (hw/loom_fw.h) into a ring
 * the driver keeps in DMA-coherent guest RAM (device PA
 * LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr)) and raises MSI-X vector
 * LOOM_IRQ_EVENT. The interrupt handler reads every record between the
 * driver's consumer index and LOOM_CREG_EQ_PI, counts it per type and
 * routes it: an event of a context (asid != 0) to the open file whose
 * context has that ASID, a device-wide one to every open file. Each file
 * keeps up to DRM_LOOM_EVENT_QUEUE_DEPTH records until userspace reads
 * them (DRM_IOCTL_LOOM_EVENTFD, OP_READ), and the eventfd it registered,
 * if any, is signalled. Heartbeats are only counted.
 *
 * Losses are counted, never silent: records the firmware overwrote before
 * the driver read them (the driver fell more than a ring behind EQ_PI),
 * and events the device dropped (LOOM_CREG_EQ_LOST) go into the "lost"
 * counter of DRM_LOOM_INFO_HW_EVENTS and debugfs, with a rate-limited
 * kernel message; a file's full list counts its own drops.
 *
 * The driver adds one kind of record itself: the hangs its own watchdog
 * finds (loom_events_post_hang(), from loom_reset.c), routed and counted
 * like the device's.
 */
#include <linux/dma-mapping.h>
#include <linux/eventfd.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>

#include "hw/loom_mmu.h"
#include "hw/loom_packets.h"

#include "loom_ctx.h"
#include "loom_events.h"
#include "loom_hw.h"

#define LOOM_EQ(r)		LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_EQ_##r)

/* One open file's events. */
struct loom_events_file {
	struct list_head link;		/* in loom_events.files */
	struct drm_file *file;
	u32 asid;			/* its context; 0 while it has none */
	pid_t pid;			/* opener, for debugfs */
	char comm[TASK_COMM_LEN];

	/* Serialises OP_READ on this file (the copy-out happens unlocked). */
	struct mutex read_lock;

	/* The rest is protected by loom_events.lock. */
	struct eventfd_ctx *efd;	/* registered eventfd, or NULL */
	struct drm_loom_event ring[DRM_LOOM_EVENT_QUEUE_DEPTH];
	u32 head;			/* oldest record */
	u32 count;			/* records pending */
	u32 lost;			/* dropped since the last OP_READ */
	u64 delivered;			/* records ever added */
	u64 pf_count;			/* page faults of its context */
	struct drm_loom_event pf;	/* the last of them */
};

struct loom_events {
	struct loom_device *ldev;
	struct loom_event *eq;		/* LOOM_EQ_ENTRIES records, coherent */
	dma_addr_t eq_dma;

	/*
	 * Protects everything below, the file list and each file's records
	 * and eventfd. Taken in the event interrupt: others take it with
	 * interrupts off.
	 */
	spinlock_t lock;
	bool enabled;			/* the EQ is programmed and its memory live */
	bool hold;			/* debugfs eq_hold: leave the records unread */
	u32 ci;				/* free-running consumer index */
	u32 eq_lost_seen;		/* LOOM_CREG_EQ_LOST when last read */
	u64 counts[DRM_LOOM_MAX_EVENT_TYPES];	/* [0]: unknown types */
	u64 total;
	u64 lost_overwritten;		/* overwritten before read */
	u64 lost_device;		/* LOOM_CREG_EQ_LOST increments */
	u64 unrouted;			/* context events with no open file */
	struct list_head files;
	u32 open_files;
	u64 total_opens;
	u64 last_open_ns;
	u64 last_close_ns;
	u32 hb_value;			/* LOOM_REG_HEARTBEAT when last seen moving */
	unsigned long hb_jiffies;	/* when that was */
};

static struct loom_events_file *loom_events_file_find_locked(struct loom_events *ev,
							     struct drm_file *file)
{
	struct loom_events_file *ef;

	lockdep_assert_held(&ev->lock);
	list_for_each_entry(ef, &ev->files, link)
		if (ef->file == file)
			return ef;
	return NULL;
}

/* ---- Decoding and routing ------------------------------------------------ */

static u32 loom_events_uapi_type(u32 type)
{
	switch (type) {
	case LOOM_EVENT_PAGE_FAULT:		return DRM_LOOM_EVENT_PAGE_FAULT;
	case LOOM_EVENT_QUEUE_ERROR:		return DRM_LOOM_EVENT_QUEUE_ERROR;
	case LOOM_EVENT_HANG:			return DRM_LOOM_EVENT_HANG;
	case LOOM_EVENT_ECC_CORRECTABLE:	return DRM_LOOM_EVENT_ECC_CORRECTABLE;
	case LOOM_EVENT_ECC_UNCORRECTABLE:	return DRM_LOOM_EVENT_ECC_UNCORRECTABLE;
	case LOOM_EVENT_THROTTLE:		return DRM_LOOM_EVENT_THROTTLE;
	case LOOM_EVENT_HEARTBEAT:		return DRM_LOOM_EVENT_HEARTBEAT;
	case LOOM_EVENT_RESET:			return DRM_LOOM_EVENT_RESET;
	default:				return 0;
	}
}

static u32 loom_events_uapi_info(u32 type, u32 info)
{
	if (type == LOOM_EVENT_PAGE_FAULT) {
		switch (info) {
		case LOOM_FAULT_NOT_PRESENT:	return DRM_LOOM_FAULT_NOT_PRESENT;
		case LOOM_FAULT_WRITE:		return DRM_LOOM_FAULT_WRITE;
		case LOOM_FAULT_BAD_PA:		return DRM_LOOM_FAULT_BAD_PA;
		case LOOM_FAULT_ASID:		return DRM_LOOM_FAULT_ASID;
		case LOOM_FAULT_NONCANONICAL:	return DRM_LOOM_FAULT_NONCANONICAL;
		default:			return 0;
		}
	}
	if (type == LOOM_EVENT_THROTTLE)
		return (info & LOOM_THROTTLE_POWER ? DRM_LOOM_THROTTLE_POWER : 0) |
		       (info & LOOM_THROTTLE_THERMAL ? DRM_LOOM_THROTTLE_THERMAL : 0);
	return info;	/* LOOM_ERR_* codes are documented uAPI values */
}

static void loom_events_deliver_locked(struct loom_events_file *ef,
				       const struct drm_loom_event *e)
{
	if (e->type == DRM_LOOM_EVENT_PAGE_FAULT) {
		ef->pf_count++;
		ef->pf = *e;
	}
	if (ef->count < DRM_LOOM_EVENT_QUEUE_DEPTH) {
		ef->ring[(ef->head + ef->count) % DRM_LOOM_EVENT_QUEUE_DEPTH] = *e;
		ef->count++;
		ef->delivered++;
	} else {
		ef->lost++;
	}
	if (ef->efd)
		eventfd_signal(ef->efd);
}

static void loom_events_dispatch_locked(struct loom_events *ev, const struct loom_event *rec)
{
	struct loom_events_file *ef;
	struct drm_loom_event e;
	u32 type = loom_events_uapi_type(rec->type);
	bool routed = false;

	ev->total++;
	ev->counts[type < DRM_LOOM_MAX_EVENT_TYPES ? type : 0]++;
	if (!type)
		return;
	if (type == DRM_LOOM_EVENT_HEARTBEAT) {
		/* Proof of life: info is the heartbeat counter. */
		ev->hb_value = rec->info;
		ev->hb_jiffies = jiffies;
		return;
	}

	e = (struct drm_loom_event){
		.type = type,
		.queue = rec->queue < LOOM_NUM_QUEUES ? rec->queue : DRM_LOOM_EVENT_QUEUE_NONE,
		.info = loom_events_uapi_info(rec->type, rec->info),
		.flags = rec->asid == LOOM_EVENT_ASID_NONE ? DRM_LOOM_EVENT_F_DEVICE : 0,
		.addr = rec->addr,
		.timestamp_ns = rec->timestamp_ns,
	};
	list_for_each_entry(ef, &ev->files, link) {
		if (rec->asid != LOOM_EVENT_ASID_NONE && ef->asid != rec->asid)
			continue;
		loom_events_deliver_locked(ef, &e);
		routed = true;
	}
	if (!routed && rec->asid != LOOM_EVENT_ASID_NONE)
		ev->unrouted++;
}

/* Read every record the firmware published since the last call. */
static void loom_events_drain_locked(struct loom_events *ev)
{
	struct loom_device *ldev = ev->ldev;
	struct loom_event rec;
	u32 pi, lost_reg, behind, now_pi;

	lockdep_assert_held(&ev->lock);
	if (!ev->enabled || ev->hold)
		return;

	lost_reg = loom_rd32(ldev, LOOM_EQ(LOST));
	if (lost_reg != ev->eq_lost_seen) {
		ev->lost_device += (u32)(lost_reg - ev->eq_lost_seen);
		dev_warn_ratelimited(ldev->drm.dev, "the device dropped %u event(s) for channel %u\n",
				     lost_reg - ev->eq_lost_seen, LOOM_KMD_CHANNEL);
		ev->eq_lost_seen = lost_reg;
	}

	pi = loom_rd32(ldev, LOOM_EQ(PI));
	behind = pi - ev->ci;
	if (behind > LOOM_EQ_ENTRIES) {
		ev->lost_overwritten += behind - LOOM_EQ_ENTRIES;
		dev_warn_ratelimited(ldev->drm.dev, "event queue overflow: %u event(s) overwritten before they were read\n",
				     behind - LOOM_EQ_ENTRIES);
		ev->ci = pi - LOOM_EQ_ENTRIES;
	}
	/* Entries are written before the index that publishes them. */
	dma_rmb();
	while (ev->ci != pi) {
		memcpy(&rec, &ev->eq[ev->ci & (LOOM_EQ_ENTRIES - 1)], sizeof(rec));
		dma_rmb();
		/* Overwritten while we copied it: the firmware lapped us. */
		now_pi = loom_rd32(ldev, LOOM_EQ(PI));
		if (now_pi - ev->ci > LOOM_EQ_ENTRIES) {
			ev->lost_overwritten++;
			ev->ci++;
			continue;
		}
		ev->ci++;
		loom_events_dispatch_locked(ev, &rec);
	}
}

void loom_events_irq(struct loom_device *ldev)
{
	/* Pairs with loom_events_init()'s release: ev is set up when seen. */
	struct loom_events *ev = smp_load_acquire(&ldev->events);
	unsigned long flags;

	if (!ev)
		return;
	spin_lock_irqsave(&ev->lock, flags);
	loom_events_drain_locked(ev);
	spin_unlock_irqrestore(&ev->lock, flags);
}

void loom_events_post_hang(struct loom_device *ldev, u32 asid, u32 hw)
{
	struct loom_events *ev = ldev->events;
	struct loom_event rec = {
		.type = LOOM_EVENT_HANG,
		.asid = asid,
		.queue = hw,
		.info = LOOM_ERR_TIMEOUT,
		.timestamp_ns = loom_rd64(ldev, LOOM_REG_TIMESTAMP_LO),
	};
	unsigned long flags;

	if (!ev || asid == LOOM_EVENT_ASID_NONE)
		return;
	spin_lock_irqsave(&ev->lock, flags);
	/* The device's own records first: the file's list stays in time order. */
	loom_events_drain_locked(ev);
	if (ev->enabled)
		loom_events_dispatch_locked(ev, &rec);
	spin_unlock_irqrestore(&ev->lock, flags);
}

/* Read what is pending (an interrupt may be late); then answer from the counters. */
static void loom_events_sync(struct loom_events *ev)
{
	unsigned long flags;

	spin_lock_irqsave(&ev->lock, flags);
	loom_events_drain_locked(ev);
	spin_unlock_irqrestore(&ev->lock, flags);
}

/* ---- Set-up and teardown -------------------------------------------------- */

static void loom_events_fini(void *arg)
{
	struct loom_events *ev = arg;
	unsigned long flags;

	spin_lock_irqsave(&ev->lock, flags);
	ev->enabled = false;
	/* The device must stop writing into memory that is about to be freed. */
	loom_wr32(ev->ldev, LOOM_EQ(SIZE), 0);
	spin_unlock_irqrestore(&ev->lock, flags);
}

void loom_events_stop(struct loom_device *ldev)
{
	/* Pairs with loom_events_init()'s release: ev is set up when seen. */
	struct loom_events *ev = smp_load_acquire(&ldev->events);

	if (ev)
		loom_events_fini(ev);
}

int loom_events_init(struct loom_device *ldev)
{
	struct device *dev = &ldev->pdev->dev;
	struct loom_events *ev;
	u64 pa;

	BUILD_BUG_ON(sizeof(struct loom_event) != 32);
	BUILD_BUG_ON(!is_power_of_2(LOOM_EQ_ENTRIES));

	ev = drmm_kzalloc(&ldev->drm, sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	ev->ldev = ldev;
	spin_lock_init(&ev->lock);
	INIT_LIST_HEAD(&ev->files);
	ev->eq = dmam_alloc_coherent(dev, LOOM_EQ_ENTRIES * sizeof(*ev->eq), &ev->eq_dma,
				     GFP_KERNEL);
	if (!ev->eq)
		return -ENOMEM;
	if (!loom_hw_dma_ok(ev->eq_dma, LOOM_EQ_ENTRIES * sizeof(*ev->eq)))
		return -EIO;
	pa = LOOM_PA_HOST(LOOM_KMD_CHANNEL, ev->eq_dma);

	/* Off while it moves: the firmware skips (or counts) events meanwhile. */
	loom_wr32(ldev, LOOM_EQ(SIZE), 0);
	loom_wr64(ldev, LOOM_EQ(BASE_LO), pa);
	ev->ci = loom_rd32(ldev, LOOM_EQ(PI));
	ev->eq_lost_seen = loom_rd32(ldev, LOOM_EQ(LOST));
	ev->hb_value = loom_rd32(ldev, LOOM_REG_HEARTBEAT);
	ev->hb_jiffies = jiffies;
	ev->enabled = true;
	/* Published set up: the interrupt thread acquires it. */
	smp_store_release(&ldev->events, ev);
	/* writel() orders the writes above before the device sees the queue on. */
	loom_wr32(ldev, LOOM_EQ(SIZE), LOOM_EQ_ENTRIES);
	loom_dbg(ldev, PROBE, "event queue: %u entries at PA %#llx, PI %u\n",
		 LOOM_EQ_ENTRIES, pa, ev->ci);
	return devm_add_action_or_reset(dev, loom_events_fini, ev);
}

/* ---- Files ----------------------------------------------------------------- */

int loom_events_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct loom_events *ev = ldev->events;
	struct loom_file *lfile = file->driver_priv;
	struct loom_events_file *ef;
	unsigned long flags;

	if (!ev)
		return -ENODEV;
	ef = kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef)
		return -ENOMEM;
	ef->file = file;
	if (lfile && lfile->ctx)
		ef->asid = lfile->ctx->asid;
	ef->pid = task_tgid_nr(current);
	get_task_comm(ef->comm, current);
	mutex_init(&ef->read_lock);

	spin_lock_irqsave(&ev->lock, flags);
	list_add_tail(&ef->link, &ev->files);
	ev->open_files++;
	ev->total_opens++;
	ev->last_open_ns = ktime_get_real_ns();
	spin_unlock_irqrestore(&ev->lock, flags);
	return 0;
}

void loom_events_file_close(struct drm_device *drm, struct drm_file *file)
{
	struct loom_events *ev = to_loom_device(drm)->events;
	struct loom_events_file *ef;
	unsigned long flags;

	if (!ev)
		return;
	spin_lock_irqsave(&ev->lock, flags);
	ef = loom_events_file_find_locked(ev, file);
	if (ef) {
		list_del(&ef->link);
		ev->open_files--;
		ev->last_close_ns = ktime_get_real_ns();
	}
	spin_unlock_irqrestore(&ev->lock, flags);
	if (!ef)
		return;
	if (ef->efd)
		eventfd_ctx_put(ef->efd);
	mutex_destroy(&ef->read_lock);
	kfree(ef);
}

/* ---- DRM_IOCTL_LOOM_EVENTFD --------------------------------------------------- */

static int loom_events_register(struct loom_events *ev, struct drm_file *file, u32 fd)
{
	struct loom_events_file *ef;
	struct eventfd_ctx *efd;
	unsigned long flags;
	int ret = 0;

	efd = eventfd_ctx_fdget((int)fd);
	if (IS_ERR(efd))
		return PTR_ERR(efd);
	spin_lock_irqsave(&ev->lock, flags);
	ef = loom_events_file_find_locked(ev, file);
	if (!ef)
		ret = -ENODEV;
	else if (ef->efd)
		ret = -EBUSY;
	else
		ef->efd = efd;
	/* Events already pending count: wake the new reader for them. */
	if (!ret && ef->count)
		eventfd_signal(efd);
	spin_unlock_irqrestore(&ev->lock, flags);
	if (ret)
		eventfd_ctx_put(efd);
	return ret;
}

static int loom_events_unregister(struct loom_events *ev, struct drm_file *file)
{
	struct eventfd_ctx *efd = NULL;
	struct loom_events_file *ef;
	unsigned long flags;

	spin_lock_irqsave(&ev->lock, flags);
	ef = loom_events_file_find_locked(ev, file);
	if (ef) {
		efd = ef->efd;
		ef->efd = NULL;
	}
	spin_unlock_irqrestore(&ev->lock, flags);
	if (!ef)
		return -ENODEV;
	if (!efd)
		return -ENOENT;
	eventfd_ctx_put(efd);
	return 0;
}

static int loom_events_read(struct loom_events *ev, struct drm_file *file,
			    struct drm_loom_eventfd *args)
{
	struct drm_loom_event *buf = NULL;
	struct loom_events_file *ef;
	unsigned long flags;
	u32 n, i;
	int ret = 0;

	loom_events_sync(ev);
	spin_lock_irqsave(&ev->lock, flags);
	ef = loom_events_file_find_locked(ev, file);
	spin_unlock_irqrestore(&ev->lock, flags);
	if (!ef)
		return -ENODEV;
	/* ef lives until postclose, which cannot run during an ioctl of its file. */
	mutex_lock(&ef->read_lock);
	if (args->count) {
		buf = kmalloc_array(DRM_LOOM_EVENT_QUEUE_DEPTH, sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	spin_lock_irqsave(&ev->lock, flags);
	n = min(args->count, ef->count);
	for (i = 0; i < n; i++)
		buf[i] = ef->ring[(ef->head + i) % DRM_LOOM_EVENT_QUEUE_DEPTH];
	spin_unlock_irqrestore(&ev->lock, flags);

	/* Records leave the list only once userspace has them. */
	if (n && copy_to_user(u64_to_user_ptr(args->events_ptr), buf, n * sizeof(*buf))) {
		ret = -EFAULT;
		goto out_unlock;
	}
	spin_lock_irqsave(&ev->lock, flags);
	ef->head = (ef->head + n) % DRM_LOOM_EVENT_QUEUE_DEPTH;
	ef->count -= n;
	args->count = n;
	args->pending = ef->count;
	args->lost = ef->lost;
	ef->lost = 0;
	spin_unlock_irqrestore(&ev->lock, flags);
out_unlock:
	mutex_unlock(&ef->read_lock);
	kfree(buf);
	return ret;
}

int loom_events_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct loom_device *ldev = to_loom_device(drm);
	struct drm_loom_eventfd *args = data;
	struct loom_events *ev = ldev->events;
	int ret, idx;

	if (args->flags & ~DRM_LOOM_EVENTFD_FLAGS_MASK || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	switch (args->op) {
	case DRM_LOOM_EVENTFD_OP_REGISTER:
		if (args->count || args->events_ptr)
			return -EINVAL;
		break;
	case DRM_LOOM_EVENTFD_OP_UNREGISTER:
		if (args->fd || args->count || args->events_ptr)
			return -EINVAL;
		break;
	case DRM_LOOM_EVENTFD_OP_READ:
		if (args->fd)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!ev)
		return -ENODEV;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	switch (args->op) {
	case DRM_LOOM_EVENTFD_OP_REGISTER:
		ret = loom_events_register(ev, file, args->fd);
		break;
	case DRM_LOOM_EVENTFD_OP_UNREGISTER:
		ret = loom_events_unregister(ev, file);
		break;
	default:
		ret = loom_events_read(ev, file, args);
		break;
	}
	drm_dev_exit(idx);
	loom_dbg(ldev, IOCTL, "EVENTFD op %u: %d\n", args->op, ret);
	return ret;
}

/* ---- Queries and debugfs ------------------------------------------------------- */

void loom_events_hw_events(struct loom_device *ldev, struct drm_file *file,
			   struct drm_loom_info_hw_events *out)
{
	struct loom_events *ev = ldev->events;
	struct loom_events_file *ef;
	unsigned long flags;

	out->pf_queue = DRM_LOOM_EVENT_QUEUE_NONE;
	if (!ev)
		return;
	spin_lock_irqsave(&ev->lock, flags);
	loom_events_drain_locked(ev);
	memcpy(out->counts, ev->counts, sizeof(out->counts));
	out->total = ev->total;
	out->lost = ev->lost_overwritten + ev->lost_device;
	ef = loom_events_file_find_locked(ev, file);
	if (ef && ef->pf_count) {
		out->pf_count = ef->pf_count;
		out->pf_va = ef->pf.addr;
		out->pf_timestamp_ns = ef->pf.timestamp_ns;
		out->pf_cause = ef->pf.info;
		out->pf_queue = ef->pf.queue;
	}
	spin_unlock_irqrestore(&ev->lock, flags);
}

void loom_events_open_stats(struct loom_device *ldev, struct drm_loom_info_open_stats *out)
{
	struct loom_events *ev = ldev->events;
	unsigned long flags;

	if (!ev)
		return;
	spin_lock_irqsave(&ev->lock, flags);
	out->open_files = ev->open_files;
	out->total_opens = ev->total_opens;
	out->last_open_ns = ev->last_open_ns;
	out->last_close_ns = ev->last_close_ns;
	spin_unlock_irqrestore(&ev->lock, flags);
}

void loom_events_set_hold(struct loom_device *ldev, bool hold)
{
	struct loom_events *ev = ldev->events;
	unsigned long flags;

	if (!ev)
		return;
	spin_lock_irqsave(&ev->lock, flags);
	ev->hold = hold;
	loom_events_drain_locked(ev);
	spin_unlock_irqrestore(&ev->lock, flags);
}

bool loom_events_device_gone(struct loom_device *ldev)
{
	struct loom_events *ev = ldev->events;
	unsigned long flags;
	bool gone;
	u32 hb;

	if (!ev)
		return false;
	hb = loom_rd32(ldev, LOOM_REG_HEARTBEAT);
	spin_lock_irqsave(&ev->lock, flags);
	if (hb != ev->hb_value) {
		ev->hb_value = hb;
		ev->hb_jiffies = jiffies;
	}
	gone = time_after(jiffies, ev->hb_jiffies + msecs_to_jiffies(LOOM_EVENTS_GONE_MS));
	spin_unlock_irqrestore(&ev->lock, flags);
	return gone;
}

static const char * const loom_events_names[DRM_LOOM_MAX_EVENT_TYPES] = {
	[0]				= "unknown",
	[DRM_LOOM_EVENT_PAGE_FAULT]	= "page_fault",
	[DRM_LOOM_EVENT_QUEUE_ERROR]	= "queue_error",
	[DRM_LOOM_EVENT_HANG]		= "hang",
	[DRM_LOOM_EVENT_ECC_CORRECTABLE] = "ecc_correctable",
	[DRM_LOOM_EVENT_ECC_UNCORRECTABLE] = "ecc_uncorrectable",
	[DRM_LOOM_EVENT_THROTTLE]	= "throttle",
	[DRM_LOOM_EVENT_HEARTBEAT]	= "heartbeat",
	[DRM_LOOM_EVENT_RESET]		= "reset",
};

void loom_events_debugfs_show(struct loom_device *ldev, struct seq_file *m)
{
	struct loom_events *ev = ldev->events;
	struct loom_events_file *ef;
	unsigned long flags;
	unsigned int i;

	if (!ev) {
		seq_puts(m, "no event queue\n");
		return;
	}
	spin_lock_irqsave(&ev->lock, flags);
	loom_events_drain_locked(ev);
	seq_printf(m, "eq: %u entries at dma %pad, enabled %d, hold %d, ci %u, pi %u, EQ_LOST %u\n",
		   LOOM_EQ_ENTRIES, &ev->eq_dma, ev->enabled, ev->hold, ev->ci,
		   ev->enabled ? loom_rd32(ldev, LOOM_EQ(PI)) : 0, ev->eq_lost_seen);
	seq_printf(m, "total %llu\nlost_overwritten %llu\nlost_device %llu\nunrouted %llu\n",
		   ev->total, ev->lost_overwritten, ev->lost_device, ev->unrouted);
	for (i = 0; i < DRM_LOOM_MAX_EVENT_TYPES; i++)
		if (loom_events_names[i])
			seq_printf(m, "%s %llu\n", loom_events_names[i], ev->counts[i]);
	seq_printf(m, "open_files %u\ntotal_opens %llu\n", ev->open_files, ev->total_opens);
	list_for_each_entry(ef, &ev->files, link)
		seq_printf(m, "file pid %d (%s) asid %u eventfd %s pending %u lost %u delivered %llu page_faults %llu\n",
			   ef->pid, ef->comm, ef->asid, ef->efd ? "yes" : "no", ef->count,
			   ef->lost, ef->delivered, ef->pf_count);
	spin_unlock_irqrestore(&ev->lock, flags);
}

void loom_events_debugfs_contexts(struct loom_device *ldev, struct seq_file *m)
{
	struct loom_events *ev = ldev->events;
	struct loom_events_file *ef;
	unsigned long flags;
	u32 a, ctrl, ch;
	u64 pgd;

	seq_puts(m, "asid enabled channel pgd owner\n");
	for (a = 1; a < LOOM_NUM_ASIDS; a++) {
		bool owned = false;

		ctrl = loom_rd32(ldev, LOOM_REG_ASID(a, LOOM_AREG_CTRL));
		ch = loom_rd32(ldev, LOOM_REG_ASID(a, LOOM_AREG_CHANNEL));
		pgd = loom_rd64(ldev, LOOM_REG_ASID(a, LOOM_AREG_PGD_LO));
		if (ev) {
			spin_lock_irqsave(&ev->lock, flags);
			list_for_each_entry(ef, &ev->files, link) {
				if (ef->asid != a)
					continue;
				if (!owned && !(ctrl & 1))
					seq_printf(m, "%u 0 - - ", a);
				else if (!owned)
					seq_printf(m, "%u 1 %u %#llx ", a, ch, pgd);
				seq_printf(m, "%spid=%d(%s)", owned ? "," : "", ef->pid, ef->comm);
				owned = true;
			}
			spin_unlock_irqrestore(&ev->lock, flags);
		}
		if (owned)
			seq_putc(m, '\n');
		else if (ctrl & 1)
			seq_printf(m, "%u 1 %u %#llx -\n", a,
				   loom_rd32(ldev, LOOM_REG_ASID(a, LOOM_AREG_CHANNEL)),
				   loom_rd64(ldev, LOOM_REG_ASID(a, LOOM_AREG_PGD_LO)));
	}
}
