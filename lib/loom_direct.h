/* SPDX-License-Identifier: MIT */
/*
 * The direct backend: libloom's userspace driver. It attaches to the device
 * over the device link (hw/loom_link.h), maps BAR0, hands the device a host
 * pool memfd as its host window, and then drives the hardware itself:
 * page tables in DRAM, queue rings and CBs in the pool, the firmware
 * mailbox and event queue, interrupts as eventfds.
 */
#ifndef LOOM_DIRECT_H
#define LOOM_DIRECT_H

#include "loom_internal.h"

struct loom_link;

/* Device virtual address layout of a context. */
#define LOOM_VA_DRAM_BASE	(1ULL << 44)	/* DRAM allocations and imports */
#define LOOM_VA_DRAM_END	(1ULL << 46)
#define LOOM_VA_HOST_BASE	(1ULL << 46)	/* the host pool, mapped whole */

#define LOOM_DEFAULT_POOL	(16ULL << 30)
#define LOOM_EQ_ENTRIES		256
#define LOOM_RING_ENTRIES	256
#define LOOM_CB_AREA		(1u << 20)	/* per-queue command buffer space */

struct loom_pt {
	uint64_t pgd_pa;
	uint64_t *chunk_pa;		/* DRAM chunks holding table pages */
	unsigned nchunks;
	uint64_t next_free;		/* next unused table page in the last chunk */
	uint64_t chunk_left;
};

struct loom_host_block { uint64_t off, size; };

struct loom_direct {
	struct loom_link *link;
	uint8_t *bar;
	uint64_t bar_size;
	uint8_t *dram;
	uint64_t dram_size;
	int fw_doorbell;
	uint32_t channel, asid;

	int pool_fd;
	uint8_t *pool;
	uint64_t pool_size;

	int irq_fd[LOOM_IRQS_PER_CHANNEL];
	int stop_fd;
	pthread_t irq_thread;
	bool irq_running;

	/* The fields below are protected by dev->lock. */
	struct loom_ranges pool_ranges;	/* offsets in the pool */
	struct loom_host_block *host_blocks;	/* pinned allocations */
	unsigned nhost, cap_host;
	struct loom_ranges va_ranges;	/* DRAM VA space */
	struct loom_pt pt;
	uint64_t eq_off;		/* event queue in the pool */
	bool eq_on;
	uint32_t eq_ci;
	uint8_t sob_used[LOOM_LINK_SOBS_PER_CH];

	/* Protects the mailbox registers (one command at a time). */
	pthread_mutex_t mbox_lock;
	uint32_t mbox_seq;
	struct loom_fw_info fw_info;
};

/* One hardware queue of a stream. */
struct loom_direct_queue {
	uint32_t index;
	int doorbell;
	uint32_t sob;			/* absolute SOB index */
	uint32_t sob_base;		/* SOB value when the queue was taken */
	uint32_t pi;			/* ring producer index */
	uint64_t mem_off;		/* ring, CQ, CB area in the pool */
	uint32_t cb_head;		/* next free byte in the CB area */
};

static inline struct loom_direct *loom_drv(loom_device *dev)
{
	return dev->drv;
}

static inline uint32_t loom_bar_read(struct loom_direct *d, uint32_t off)
{
	return __atomic_load_n((uint32_t *)(d->bar + off), __ATOMIC_ACQUIRE);
}

static inline void loom_bar_write(struct loom_direct *d, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(d->bar + off), v, __ATOMIC_RELEASE);
}

static inline uint64_t loom_pool_va(uint64_t off) { return LOOM_VA_HOST_BASE + off; }
static inline uint64_t loom_pool_pa(struct loom_direct *d, uint64_t off)
{
	return LOOM_PA_HOST(d->channel, off);
}

/* loom_direct.c */
void loom_ring_doorbell(int fd);
int loom_mbox_call(loom_device *dev, uint32_t cmd, const uint64_t arg[4], void *data,
		   uint32_t size);
int loom_link_rpc(loom_device *dev, uint32_t type, uint64_t a0, uint64_t a1, uint64_t *out0,
		  uint64_t *out1, int fd_in, int *fd_out);

/* loom_pt.c: the context's page tables (dev->lock held or single-threaded). */
int loom_pt_init(loom_device *dev);
void loom_pt_fini(loom_device *dev);
int loom_pt_map(loom_device *dev, uint64_t va, uint64_t pa, uint64_t size, bool writable);
void loom_pt_unmap(loom_device *dev, uint64_t va, uint64_t size);

/* loom_direct_mem.c */
int loom_direct_mem_init(loom_device *dev);
void loom_direct_mem_fini(loom_device *dev);
int loom_pool_alloc_locked(loom_device *dev, uint64_t size, uint64_t align, uint64_t *off);
void loom_pool_free_locked(loom_device *dev, uint64_t off, uint64_t size);
int loom_direct_mem_alloc(loom_device *dev, struct loom_alloc *a);
void loom_direct_mem_free(loom_device *dev, struct loom_alloc *a);
int loom_direct_mem_export(loom_device *dev, const struct loom_alloc *a, uint64_t offset,
			   uint64_t size);
int loom_direct_mem_import(loom_device *dev, int fd, struct loom_alloc *a);
void *loom_direct_host_alloc(loom_device *dev, uint64_t size, uint64_t *va);
int loom_direct_host_free(loom_device *dev, void *ptr);
uint64_t loom_direct_host_va(loom_device *dev, const void *ptr);

/* loom_direct_queue.c */
int loom_direct_queue_create(loom_stream *s);
void loom_direct_queue_destroy(loom_stream *s);
int loom_direct_submit(loom_stream *s, const uint32_t *oldest, uint32_t *cookie);
uint32_t loom_direct_done(loom_stream *s);
int loom_direct_status(loom_stream *s);
void loom_direct_wait_pkt(loom_stream *other, uint32_t target, struct loom_pkt_wait *w);
/* The largest CB a submission takes: the CB area less the SIGNAL and padding. */
#define LOOM_DIRECT_CB_MAX	(LOOM_CB_AREA - 24)

#endif /* LOOM_DIRECT_H */
