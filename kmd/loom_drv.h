/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: the driver's device structure and what its files share.
 *
 * One struct loom_device per bound PCI function. The Loom device reaches a
 * QEMU guest as QEMU's ivshmem-doorbell function (hw/loom_ivshmem.h): its
 * BAR0 holds the ivshmem registers (the Doorbell), its BAR2 the Loom
 * memory object (registers, then DRAM), its MSI-X vectors the interrupts
 * of Loom channel 0, which this driver owns. Files:
 *   loom_drv.c   PCI driver, DRM accel registration, probe/remove
 *   loom_hw.c    BAR mapping, identification, doorbells, device reset
 *   loom_irq.c   MSI-X vectors and their handlers
 *   loom_fw.c    the firmware mailbox of channel 0
 *   loom_info.c  DRM_IOCTL_LOOM_INFO
 *   loom_events.c  channel 0's event queue, DRM_IOCTL_LOOM_EVENTFD
 *   loom_hwmon.c, loom_sysfs.c, loom_debugfs.c  hwmon, sysfs and debugfs files
 *   loom_ctx.c   open files, hardware contexts (ASIDs)
 *   loom_fdinfo.c  per-file accounting: DRM usage statistics in fdinfo
 *   loom_mmu.c   the contexts' page tables
 *   loom_gem.c   buffer objects
 *   loom_vm.c    VM_BIND: objects mapped into contexts
 *   loom_dmabuf.c  DRAM as dma-bufs (EXPORT_DMABUF, PRIME), dma-buf import
 *   loom_dram_hold.c  exported DRAM held out of later bindings
 *   loom_queue.c, loom_cs.c, loom_reset.c  queues, SUBMIT/WAIT, recovery
 */
#ifndef __LOOM_DRV_H__
#define __LOOM_DRV_H__

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <drm/drm_device.h>
#include <drm/drm_mm.h>
#include <drm/drm_print.h>

#include "hw/loom_fw.h"
#include "hw/loom_ivshmem.h"
#include "hw/loom_regs.h"

#define DRIVER_NAME	"loom"
#define DRIVER_DESC	"Loom AI accelerator"

/* The driver's channel: the kernel driver is the device's channel 0. */
#define LOOM_KMD_CHANNEL	0

/* Debug categories (module parameter loom.dbg_mask). */
#define LOOM_DBG_PROBE	BIT(0)
#define LOOM_DBG_IRQ	BIT(1)
#define LOOM_DBG_FW	BIT(2)
#define LOOM_DBG_IOCTL	BIT(3)

extern unsigned int loom_dbg_mask;

/*
 * Printed at KERN_DEBUG when its category is on, whatever dynamic debug
 * says: dev_dbg(), which checkpatch prefers, would need both switched on.
 */
#define loom_dbg(ldev, cat, fmt, ...) do {				\
	if (unlikely(loom_dbg_mask & LOOM_DBG_##cat))			\
		dev_printk(KERN_DEBUG, (ldev)->drm.dev, "[%s] " fmt,	\
			   #cat, ##__VA_ARGS__);			\
} while (0)

/*
 * Live objects of a device, counted where they are made and freed, for
 * leak checks without KASAN or kmemleak (debugfs "objects").
 */
enum loom_obj {
	LOOM_OBJ_BO,		/* GEM objects of every kind */
	LOOM_OBJ_CTX,		/* contexts (struct loom_ctx) */
	LOOM_OBJ_QUEUE,		/* queues (struct loom_queue) */
	LOOM_OBJ_JOB,		/* jobs submitted and not yet retired */
	LOOM_OBJ_VM_MAP,	/* VM_BIND mappings, unbound ones waiting for jobs too */
	LOOM_OBJ_EXPORT,	/* dma-bufs of the device's DRAM */
	LOOM_OBJ_IMPORT,	/* objects imported from other exporters' dma-bufs */
	LOOM_OBJ_USERPTR_PIN,	/* userptr objects holding pinned pages */
	LOOM_OBJ_NUM
};

/* One MSI-X vector of channel 0 (LOOM_IRQ_*), the handler's argument. */
struct loom_irq {
	struct loom_device *ldev;
	unsigned int vec;
	atomic64_t count;		/* interrupts taken */
};

struct loom_device {
	struct drm_device drm;
	struct pci_dev *pdev;

	void __iomem *ivshmem;		/* ivshmem registers (PCI BAR0) */
	void __iomem *regs;		/* Loom register space (start of PCI BAR2) */
	resource_size_t mem_size;	/* PCI BAR2: the Loom memory object */
	u32 peer_id;			/* this guest's ivshmem peer id */

	/* Identification, read once at probe. */
	u32 revision;
	u64 dram_size;
	u32 fw_version;			/* from the firmware's GET_INFO */

	/* Protects the channel's mailbox registers and mbox_seq. */
	struct mutex mbox_lock;
	u32 mbox_seq;
	struct completion mbox_done;	/* completed by the mailbox interrupt */

	struct loom_irq irqs[LOOM_IRQS_PER_CHANNEL];

	/* --- loom_ctx.c, loom_mmu.c, loom_gem.c: contexts and memory --- */
	/* Protects asid_map and ctx_list. */
	struct mutex ctx_lock;
	unsigned long asid_map[BITS_TO_LONGS(LOOM_NUM_ASIDS)];
	struct list_head ctx_list;	/* live struct loom_ctx */
	/* Protects LOOM_REG_MMU_INV_ASID and its doorbell. */
	spinlock_t mmu_inv_lock;
	/* Protects exports (loom_dmabuf.c). */
	struct mutex export_lock;
	struct list_head exports;	/* live dma-bufs of the device's DRAM */
	/* Protects dma_bos (loom_gem.c); taken before an object's resv. */
	struct mutex dma_bo_lock;
	struct list_head dma_bos;	/* objects holding a DMA mapping for the device */
	/* Protects dram_mm and dram_used. */
	struct mutex dram_lock;
	struct drm_mm dram_mm;		/* device DRAM: PA 0..dram_size */
	u64 dram_used;			/* bytes of DRAM in buffer objects */
	resource_size_t dram_bar_phys;	/* CPU physical address of DRAM PA 0 */
	void __iomem *dram;		/* DRAM, write-combined */
	/* debugfs fail_add_fence: the Nth loom_ctx_add_fence() from now fails (0: none). */
	atomic_t fail_add_fence;
	/* debugfs fail_dmabuf_map: the Nth DMA mapping of a dma-buf entry from now fails. */
	atomic_t fail_dmabuf_map;

	/*
	 * The device may still write guest memory it was given: it stopped
	 * answering in the middle of an access and may resume it
	 * (loom_hw_dma_stop() failed). Memory it could write is then never
	 * given back (queues' rings and CB areas, contexts' mappings).
	 */
	bool dma_unsafe;

	/* --- loom_info.c, loom_events.c, loom_hwmon.c, loom_sysfs.c, loom_debugfs.c --- */
	atomic_t reset_count;		/* device resets to recover (loom_reset.c increments) */
	atomic_t queue_reset_count;	/* queue resets after a hang (loom_reset.c increments) */
	struct loom_info *info;		/* firmware limits, power averaging (loom_info.c) */
	struct loom_events *events;	/* channel 0's event queue, files' events (loom_events.c) */

	/* --- loom_queue.c, loom_cs.c, loom_reset.c: queues, submission, recovery --- */
	struct loom_cs_dev *cs;

	/* Live objects by enum loom_obj (loom_obj_inc()/loom_obj_dec()). */
	atomic_t objects[LOOM_OBJ_NUM];
};

static inline struct loom_device *to_loom_device(struct drm_device *drm)
{
	return container_of(drm, struct loom_device, drm);
}

/*
 * Fault injection by count (debugfs fail_*): *n > 0 counts down the
 * calls; true on the call that takes it from 1 to 0, which is to fail.
 */
static inline bool loom_fault_countdown(atomic_t *n)
{
	int v = atomic_read(n);

	while (v > 0)
		if (atomic_try_cmpxchg(n, &v, v - 1))
			return v == 1;
	return false;
}

static inline void loom_obj_inc(struct loom_device *ldev, enum loom_obj o)
{
	atomic_inc(&ldev->objects[o]);
}

static inline void loom_obj_dec(struct loom_device *ldev, enum loom_obj o)
{
	atomic_dec(&ldev->objects[o]);
}

/*
 * Job fences not yet freed, all devices together (loom_cs.c): a fence can
 * outlive its device, so its release does not touch the device.
 */
int loom_cs_live_fences(void);

#endif /* __LOOM_DRV_H__ */
