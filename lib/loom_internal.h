/* SPDX-License-Identifier: MIT */
/*
 * libloom internals: the objects behind the public handles and the
 * userspace (direct) driver that programs the device through BAR0,
 * doorbells and the device link.
 *
 *   loom_core.c    devices: open/close, link, interrupts, mailbox, events,
 *                  info and telemetry, logging, error strings
 *   loom_pt.c      range allocator; the context's page tables in DRAM
 *   loom_mem.c     DRAM and pinned host memory, export/import
 *   loom_stream.c  streams (hardware queues), command buffers, submission,
 *                  events and waits
 *   loom_ops.c     copies, fills, GEMM; bf16 helpers
 */
#ifndef LOOM_INTERNAL_H
#define LOOM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../include/loom/loom.h"
#include "../hw/loom_fw.h"
#include "../hw/loom_link.h"
#include "../hw/loom_mmu.h"
#include "../hw/loom_packets.h"
#include "../hw/loom_regs.h"

struct loom_link;

/* Device virtual address layout of a context. */
#define LOOM_VA_DRAM_BASE	(1ULL << 44)	/* DRAM allocations and imports */
#define LOOM_VA_DRAM_END	(1ULL << 46)
#define LOOM_VA_HOST_BASE	(1ULL << 46)	/* the host pool, mapped whole */

#define LOOM_DEFAULT_POOL	(16ULL << 30)
#define LOOM_EQ_ENTRIES		256
#define LOOM_EVENT_RING		256

/* Debug categories (LOOM_DEBUG bitmask). */
#define LOOM_DBG_CORE		(1u << 0)
#define LOOM_DBG_MEM		(1u << 1)
#define LOOM_DBG_SUBMIT		(1u << 2)
#define LOOM_DBG_IRQ		(1u << 3)

void loom_log(enum loom_log_level level, unsigned cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define loom_err(...)		loom_log(LOOM_LOG_ERROR, 0, __VA_ARGS__)
#define loom_warn(...)		loom_log(LOOM_LOG_WARN, 0, __VA_ARGS__)
#define loom_dbg(cat, ...)	loom_log(LOOM_LOG_DEBUG, (cat), __VA_ARGS__)

/* ---- loom_pt.c: ranges -------------------------------------------------- */
/* A first-fit allocator of [base, end) ranges. Not thread-safe. */
struct loom_range { uint64_t start, size; };
struct loom_ranges {
	struct loom_range *free;	/* sorted by start, coalesced */
	unsigned nfree, cap;
};
int loom_ranges_init(struct loom_ranges *r, uint64_t base, uint64_t size);
void loom_ranges_fini(struct loom_ranges *r);
/* Returns 0 and *start, or -ENOMEM. align: power of two. */
int loom_ranges_alloc(struct loom_ranges *r, uint64_t size, uint64_t align, uint64_t *start);
void loom_ranges_free(struct loom_ranges *r, uint64_t start, uint64_t size);

/* ---- loom_pt.c: page tables --------------------------------------------- */
struct loom_pt {
	uint64_t pgd_pa;
	uint64_t *chunk_pa;		/* DRAM chunks holding table pages */
	unsigned nchunks;
	uint64_t next_free;		/* next unused table page in the last chunk */
	uint64_t chunk_left;
	uint64_t *free_tables;		/* freed table pages (PA) */
	unsigned nfree_tables, cap_free_tables;
};

/* ---- memory allocations -------------------------------------------------- */
enum loom_alloc_kind { LOOM_ALLOC_DRAM, LOOM_ALLOC_IMPORT };
struct loom_alloc {
	uint64_t va, size;		/* mapped size (page multiple) */
	uint64_t pa;			/* DRAM PA */
	uint64_t va_size;		/* VA range reserved */
	enum loom_alloc_kind kind;
	uint32_t flags;
};

struct loom_host_block { uint64_t off, size; };

struct loom_device {
	struct loom_link *link;
	char uri[128];
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
	unsigned spin_us;

	/* Protects everything below, and wakes waiters (cond) on interrupts. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t irq_gen;		/* bumped on every interrupt */
	bool link_dead;			/* the device went away */

	struct loom_ranges pool_ranges;	/* offsets in the pool */
	struct loom_host_block *host_blocks;	/* user pinned allocations */
	unsigned nhost, cap_host;
	struct loom_ranges va_ranges;	/* DRAM VA space */
	struct loom_alloc *allocs;	/* sorted by va */
	unsigned nallocs, cap_allocs;
	struct loom_pt pt;

	uint64_t eq_off;		/* event queue in the pool */
	uint32_t eq_ci;
	struct loom_device_event events[LOOM_EVENT_RING];
	unsigned ev_head, ev_count;

	uint8_t sob_used[LOOM_LINK_SOBS_PER_CH];
	struct loom_stream **streams;	/* live streams */
	unsigned nstreams, cap_streams;

	/* Protects the mailbox registers (one command at a time). */
	pthread_mutex_t mbox_lock;
	uint32_t mbox_seq;
	struct loom_fw_info fw_info;
};

/* ---- streams ------------------------------------------------------------- */
#define LOOM_RING_ENTRIES	256
#define LOOM_CB_AREA		(1u << 20)	/* per-stream command buffer space */
#define LOOM_INFLIGHT		LOOM_RING_ENTRIES

struct loom_submit {
	uint32_t seq;			/* stream sequence number (SOB target) */
	uint32_t cb_start;		/* where its CB sits in the CB area */
	uint64_t staging_off, staging_size;	/* pool staging freed on completion */
};

struct loom_stream {
	loom_device *dev;
	unsigned refs;			/* under dev->lock */
	uint32_t queue;
	int doorbell;
	uint32_t sob;			/* absolute SOB index */
	uint32_t sob_base;		/* SOB value when the stream was made */
	uint32_t seq;			/* submissions so far */
	uint32_t pi;			/* ring producer index */
	uint64_t ring_off, cq_off, cb_off;	/* in the pool */
	uint32_t cb_head;		/* next free byte in the CB area */
	struct loom_submit inflight[LOOM_INFLIGHT];
	unsigned if_head, if_count;
	int error;			/* sticky: negative errno */
	bool destroyed;
	uint8_t *cb_buf;		/* CB being built */
	uint32_t cb_len, cb_cap;
};

struct loom_event_obj {
	loom_device *dev;
	loom_stream *stream;		/* holds a reference while recorded */
	uint32_t target;		/* stream seq that reaches the event */
	uint64_t ts_off;		/* 8-byte timestamp slot in the pool */
	bool recorded;
};

/* loom_core.c */
int loom_mbox_call(loom_device *dev, uint32_t cmd, const uint64_t arg[4], void *data,
		   uint32_t size);
uint32_t loom_bar_read(loom_device *dev, uint32_t off);
void loom_bar_write(loom_device *dev, uint32_t off, uint32_t v);
void loom_ring_doorbell(int fd);
/* Wait (dev->lock held) until cond_fn(arg) != 1, an interrupt at a time. */
int loom_wait_locked(loom_device *dev, int (*cond_fn)(void *), void *arg, int64_t timeout_ns);
uint64_t loom_time_ns(void);
int loom_link_rpc(loom_device *dev, uint32_t type, uint64_t a0, uint64_t a1, uint64_t *out0,
		  uint64_t *out1, int fd_in, int *fd_out);

/* loom_pt.c */
int loom_pt_init(loom_device *dev);
void loom_pt_fini(loom_device *dev);
int loom_pt_map(loom_device *dev, uint64_t va, uint64_t pa, uint64_t size, bool writable);
void loom_pt_unmap(loom_device *dev, uint64_t va, uint64_t size);

/* loom_mem.c */
int loom_mem_init(loom_device *dev);
void loom_mem_fini(loom_device *dev);
/* Pool sub-allocation (dev->lock held). Returns offset or -ENOMEM via *off. */
int loom_pool_alloc_locked(loom_device *dev, uint64_t size, uint64_t align, uint64_t *off);
void loom_pool_free_locked(loom_device *dev, uint64_t off, uint64_t size);
static inline uint64_t loom_pool_va(uint64_t off) { return LOOM_VA_HOST_BASE + off; }
static inline uint64_t loom_pool_pa(loom_device *dev, uint64_t off)
{
	return LOOM_PA_HOST(dev->channel, off);
}

/* loom_stream.c */
void loom_streams_fini(loom_device *dev);
/* Build a CB: reserve space for a packet of n bytes in s->cb_buf. */
void *loom_cb_add(loom_stream *s, uint32_t bytes);
/* Submit the CB built so far (plus the stream's SIGNAL); staging is freed
 * when it completes. Returns 0 or a negative errno. */
int loom_cb_submit(loom_stream *s, uint64_t staging_off, uint64_t staging_size);
void loom_cb_reset(loom_stream *s);
int loom_stream_usable(loom_stream *s);
int loom_queue_error_to_errno(uint32_t err);

#endif /* LOOM_INTERNAL_H */
