/* SPDX-License-Identifier: MIT */
/*
 * The Loom device model: internal interfaces between its hardware blocks.
 *
 * One struct loom_dev is one emulated accelerator. Its memory object (BAR0)
 * is a sparse memfd: registers (hw/loom_regs.h), then DRAM. The blocks:
 *   loom_device.c  lifecycle, register file, interrupts, PA access, reset
 *   loom_qman.c    queue managers and command processors (CP): rings, CBs,
 *                  the packet parser, completion queues
 *   loom_sync.c    sync manager: SOBs, monitors, waits
 *   loom_mmu.c     page-table walker, translation, faults
 *   loom_dma.c     DMA engines: linear copies and fills between VAs
 *   loom_mme.c     matrix engine: batched GEMM fp32/bf16
 *   loom_fw.c      firmware: mailbox, event queues, heartbeat, ticks
 *   loom_power.c   power and thermal model, clocks, throttling
 *   loom_tpc*.c    TPC vector cores: launches, decoder, interpreter
 *   loom_link.c    the device link server: drivers' sessions and resources
 * This header is private to device/ (and to unit tests).
 */
#ifndef LOOM_DEVICE_H
#define LOOM_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../hw/loom_fw.h"
#include "../hw/loom_mmu.h"
#include "../hw/loom_packets.h"
#include "../hw/loom_regs.h"

struct loom_dev;

struct loom_dev_config {
	uint64_t dram_size;		/* bytes, multiple of 2 MiB; 0 = default */
	uint32_t queue_timeout_ms;	/* WAIT watchdog; 0 = default (10 s) */
	uint32_t fw_tick_ms;		/* telemetry period; 0 = default (50 ms) */
	uint32_t mme_threads;		/* host threads for the MME; 0 = all cores */
	uint32_t dma_threads;		/* host threads for big copies; 0 = all cores */
	uint32_t tpc_threads;		/* host threads for the TPC cores; 0 = all cores */
};

struct loom_qman;
struct loom_sync;
struct loom_dma;
struct loom_mme;
struct loom_fw;
struct loom_power;
struct loom_tpc;

/* One host memory window (a channel's DMA-able host memory). */
struct loom_window {
	uint8_t *ptr;		/* NULL: no window */
	uint64_t size;
	int fd;
};

/*
 * The device. Each block keeps its state behind its own pointer and is the
 * only code that touches it; the fields here are set at creation.
 */
struct loom_dev {
	struct loom_dev_config cfg;
	int mem_fd;			/* BAR0 memfd */
	uint8_t *bar;			/* BAR0 mapping */
	uint64_t bar_size;
	uint8_t *dram;			/* bar + LOOM_DRAM_BAR_OFFSET */
	uint64_t dram_size;
	uint64_t t0_ns;			/* device clock origin */
	int doorbell_fd[LOOM_NUM_DOORBELLS];

	/* Protects irq_fd. */
	pthread_mutex_t irq_lock;
	int irq_fd[LOOM_NUM_CHANNELS][LOOM_IRQS_PER_CHANNEL];

	/* Protects windows: engines hold it for reading while they access. */
	pthread_rwlock_t window_lock;
	struct loom_window windows[LOOM_NUM_CHANNELS];

	struct loom_qman *qman;
	struct loom_sync *sync;
	struct loom_dma *dma;
	struct loom_mme *mme;
	struct loom_fw *fw;
	struct loom_power *power;
	struct loom_tpc *tpc;
	atomic_int stopping;		/* set by loom_dev_destroy */
};

/* Where a translation or an access failed (LOOM_FAULT_* in cause). */
struct loom_fault {
	uint64_t va;
	uint32_t asid;
	uint32_t cause;
	bool write;
};

/* ---- loom_device.c ------------------------------------------------------- */
int loom_dev_create(const struct loom_dev_config *cfg, struct loom_dev **out);
void loom_dev_destroy(struct loom_dev *dev);
int loom_dev_mem_fd(struct loom_dev *dev);
uint64_t loom_dev_bar_size(struct loom_dev *dev);
uint8_t *loom_dev_bar(struct loom_dev *dev);
/* Doorbell eventfd of vector v (queue index or LOOM_DOORBELL_FW); owned by dev. */
int loom_dev_doorbell_fd(struct loom_dev *dev, unsigned v);
/* Route a channel's interrupt vector to an eventfd (dup'ed; -1 clears). */
int loom_dev_set_irq_fd(struct loom_dev *dev, unsigned ch, unsigned vec, int fd);
void loom_dev_raise_irq(struct loom_dev *dev, unsigned ch, unsigned vec);
/* Attach a host memory window (mmap'ed MAP_SHARED) to a channel; fd dup'ed. */
int loom_dev_attach_window(struct loom_dev *dev, unsigned ch, int fd, uint64_t size);
/* Waits until no engine uses the window, then unmaps it. */
void loom_dev_detach_window(struct loom_dev *dev, unsigned ch);
/*
 * Host pointer for device PA range [pa, pa + len), which must lie within
 * DRAM or within one host window; NULL otherwise. Valid while the caller
 * holds loom_dev_access_begin().
 */
void *loom_dev_pa_ptr(struct loom_dev *dev, uint64_t pa, uint64_t len);
/* Bracket engine work that dereferences host-window pointers. */
void loom_dev_access_begin(struct loom_dev *dev);
void loom_dev_access_end(struct loom_dev *dev);
/* Device clock: ns since the device was created. */
uint64_t loom_dev_time_ns(struct loom_dev *dev);
/* Full device reset (DEV_CTRL): queues, sync manager, contexts, MMU. */
void loom_dev_reset(struct loom_dev *dev);
const struct loom_dev_config *loom_dev_config(struct loom_dev *dev);

static inline uint32_t loom_reg_read(struct loom_dev *dev, uint32_t off)
{
	return __atomic_load_n((uint32_t *)(loom_dev_bar(dev) + off), __ATOMIC_ACQUIRE);
}

static inline void loom_reg_write(struct loom_dev *dev, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(loom_dev_bar(dev) + off), v, __ATOMIC_RELEASE);
}

static inline uint64_t loom_reg_read64(struct loom_dev *dev, uint32_t lo)
{
	return loom_reg_read(dev, lo) | ((uint64_t)loom_reg_read(dev, lo + 4) << 32);
}

static inline void loom_reg_write64(struct loom_dev *dev, uint32_t lo, uint64_t v)
{
	loom_reg_write(dev, lo, (uint32_t)v);
	loom_reg_write(dev, lo + 4, (uint32_t)(v >> 32));
}

uint64_t loom_now_ns(void);	/* CLOCK_MONOTONIC */

/* One step of a busy-wait loop (spinning command processors and waits). */
static inline void loom_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* ---- loom_qman.c --------------------------------------------------------- */
int loom_qman_init(struct loom_dev *dev);	/* starts one CP thread per queue */
void loom_qman_fini(struct loom_dev *dev);
/* Reset queue q as QCTRL_RESET does; waits until its CP is idle. */
void loom_qman_reset_queue(struct loom_dev *dev, unsigned q);
/*
 * Run one CB's packets for queue q in context asid (the CP's inner loop;
 * exported for unit tests). Returns LOOM_ERR_*; *err_off gets the byte
 * offset of the failing packet.
 */
int loom_cp_run_cb(struct loom_dev *dev, unsigned q, unsigned asid,
		   const uint8_t *cb, uint32_t size, uint32_t *err_off);
/* True when queue q's current work must stop (queue or device reset). */
bool loom_cp_aborting(struct loom_dev *dev, unsigned q);

/* ---- loom_sync.c --------------------------------------------------------- */
void loom_sync_init(struct loom_dev *dev);
void loom_sync_fini(struct loom_dev *dev);
void loom_sync_reset(struct loom_dev *dev);	/* SOBs to 0, monitors disarmed */
uint32_t loom_sob_read(struct loom_dev *dev, uint32_t sob);
/* SIGNAL: LOOM_SIGNAL_OP_*; evaluates monitors and wakes waiters. */
int loom_sob_update(struct loom_dev *dev, uint32_t sob, uint32_t op, uint32_t value);
/* WREG32 packet: SOB or monitor registers only (LOOM_ERR_PRIV otherwise). */
int loom_sync_wreg(struct loom_dev *dev, uint32_t reg, uint32_t value);
/*
 * WAIT: block until (int32_t)(SOB - target) >= 0. Returns LOOM_ERR_NONE,
 * LOOM_ERR_TIMEOUT after timeout_ms (0: no limit), or LOOM_ERR_ABORTED as
 * soon as *abort becomes nonzero (checked on every wake-up; callers that
 * set *abort call loom_sync_kick()).
 */
int loom_sync_wait(struct loom_dev *dev, uint32_t sob, uint32_t target,
		   uint32_t timeout_ms, const atomic_int *abort);
void loom_sync_kick(struct loom_dev *dev);	/* wake all waiters */

/* ---- loom_mmu.c ---------------------------------------------------------- */
/*
 * Translate va in asid for a read (write = false) or write. On success
 * returns 0, *pa and *left (bytes from va to the end of its page). On
 * failure returns LOOM_FAULT_* and fills *f.
 */
int loom_mmu_translate(struct loom_dev *dev, uint32_t asid, uint64_t va, bool write,
		       uint64_t *pa, uint64_t *left, struct loom_fault *f);
/*
 * Host pointer for the whole VA range if it is mapped with the right
 * permission and physically contiguous. NULL with f->cause = 0 if mapped
 * but not contiguous (use loom_mmu_for_each), NULL with f->cause set on a
 * fault. Call inside loom_dev_access_begin/end.
 */
void *loom_mmu_ptr(struct loom_dev *dev, uint32_t asid, uint64_t va, uint64_t len,
		   bool write, struct loom_fault *f);
/* Call fn for each physically contiguous piece of the VA range, in order. */
typedef int (*loom_span_fn)(void *host, uint64_t len, uint64_t off, void *arg);
int loom_mmu_for_each(struct loom_dev *dev, uint32_t asid, uint64_t va, uint64_t len,
		      bool write, loom_span_fn fn, void *arg, struct loom_fault *f);
/* Record a fault in the MMU registers and post LOOM_EVENT_PAGE_FAULT. */
void loom_mmu_report_fault(struct loom_dev *dev, const struct loom_fault *f, unsigned queue);
void loom_mmu_invalidate(struct loom_dev *dev, uint32_t asid);	/* 0 = all */
/* Copy between a VA range and host memory through the MMU (CB fetch etc.). */
int loom_mmu_read(struct loom_dev *dev, uint32_t asid, uint64_t va, void *dst,
		  uint64_t len, struct loom_fault *f);
int loom_mmu_write(struct loom_dev *dev, uint32_t asid, uint64_t va, const void *src,
		   uint64_t len, struct loom_fault *f);

/* ---- loom_dma.c ---------------------------------------------------------- */
int loom_dma_init(struct loom_dev *dev);
void loom_dma_fini(struct loom_dev *dev);
/* Returns LOOM_ERR_*; on LOOM_ERR_PAGE_FAULT/PERMISSION *f says where. */
int loom_dma_copy(struct loom_dev *dev, uint32_t asid, uint64_t dst, uint64_t src,
		  uint64_t size, struct loom_fault *f);
int loom_dma_fill(struct loom_dev *dev, uint32_t asid, uint64_t dst, uint32_t value,
		  uint64_t size, struct loom_fault *f);

/* ---- loom_mme.c ---------------------------------------------------------- */
int loom_mme_init(struct loom_dev *dev);
void loom_mme_fini(struct loom_dev *dev);
int loom_mme_exec(struct loom_dev *dev, uint32_t asid, const struct loom_pkt_mme *p,
		  struct loom_fault *f);
/* Round-to-nearest-even fp32 -> bf16 and back (used by MME and tests). */
uint16_t loom_mme_f32_to_bf16(float f);
float loom_mme_bf16_to_f32(uint16_t h);

/* ---- loom_fw.c ----------------------------------------------------------- */
int loom_fw_init(struct loom_dev *dev);	/* starts the firmware thread */
void loom_fw_fini(struct loom_dev *dev);
/* Post an event: to the channel of ev->asid, or to all channels if none. */
void loom_fw_post_event(struct loom_dev *dev, const struct loom_event *ev);
/* Run one firmware command as the mailbox would (for unit tests). */
int loom_fw_command(struct loom_dev *dev, unsigned ch, uint32_t cmd, const uint64_t arg[4],
		    void *data, uint32_t data_size);

/* ---- loom_power.c -------------------------------------------------------- */
int loom_power_init(struct loom_dev *dev);
void loom_power_fini(struct loom_dev *dev);
/* Firmware tick: integrate energy, update temperatures, clocks, throttling. */
void loom_power_tick(struct loom_dev *dev, uint64_t now_ns);
void loom_power_telemetry(struct loom_dev *dev, struct loom_fw_telemetry *t);
void loom_power_info(struct loom_dev *dev, struct loom_fw_info *info);
int loom_power_set_limit(struct loom_dev *dev, uint32_t mw);		/* 0 = default */
int loom_power_set_temp_limit(struct loom_dev *dev, int32_t mc);	/* 0 = default */
/*
 * Engines report what they did, for context asid: the firmware tick turns
 * it into watts, and the busy time also goes to the context's counter
 * (LOOM_REG_ASID_BUSY).
 */
void loom_power_account(struct loom_dev *dev, unsigned engine, uint32_t asid,
			uint64_t busy_ns, uint64_t flops, uint64_t bytes);
/*
 * Clock slow-down the engines must apply: 1.0 at full clock, > 1.0 while
 * throttled (an engine that was busy t ns stays busy t * factor ns).
 */
double loom_power_slowdown(struct loom_dev *dev, unsigned engine);

/* ---- loom_tpc.c ---------------------------------------------------------- */
int loom_tpc_init(struct loom_dev *dev);	/* starts the TPC host threads */
void loom_tpc_fini(struct loom_dev *dev);
/*
 * Run a TPC_LAUNCH packet for queue q in context asid (one launch at a
 * time). Returns LOOM_ERR_*; on LOOM_ERR_PAGE_FAULT/PERMISSION *f says where.
 */
int loom_tpc_launch(struct loom_dev *dev, unsigned q, uint32_t asid,
		    const struct loom_pkt_tpc_launch *p, struct loom_fault *f);

#endif /* LOOM_DEVICE_H */
