/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: access to the device — register accessors, doorbells, the
 * identification and reset of the device (loom_hw.c) and its interrupt
 * vectors (loom_irq.c).
 */
#ifndef __LOOM_HW_H__
#define __LOOM_HW_H__

#include <linux/io.h>

#include "loom_drv.h"

static inline u32 loom_rd32(struct loom_device *ldev, u32 off)
{
	return readl(ldev->regs + off);
}

static inline void loom_wr32(struct loom_device *ldev, u32 off, u32 val)
{
	writel(val, ldev->regs + off);
}

static inline u64 loom_rd64(struct loom_device *ldev, u32 lo)
{
	return loom_rd32(ldev, lo) | ((u64)loom_rd32(ldev, lo + 4) << 32);
}

static inline void loom_wr64(struct loom_device *ldev, u32 lo, u64 val)
{
	loom_wr32(ldev, lo, lower_32_bits(val));
	loom_wr32(ldev, lo + 4, upper_32_bits(val));
}

/*
 * The device reaches host memory through its channel's window
 * (LOOM_PA_HOST(LOOM_KMD_CHANNEL, dma_addr)), LOOM_PA_HOST_WINDOW_MAX
 * (2^40) bytes: the driver's DMA mask. A DMA address past it would land
 * in another channel's window, so every address given to the device is
 * checked, also those other exporters' dma-bufs hand in.
 */
#define LOOM_DMA_BITS	LOOM_PA_HOST_CH_SHIFT

/* Whether [dma_addr, dma_addr + size) lies inside the host window. */
static inline bool loom_hw_dma_ok(dma_addr_t dma_addr, u64 size)
{
	return size <= LOOM_PA_HOST_WINDOW_MAX && dma_addr <= LOOM_PA_HOST_WINDOW_MAX - size;
}

/* Map the BARs and check that the function is a Loom device (-ENODEV). */
int loom_hw_init(struct loom_device *ldev);
/* How long loom_hw_dma_stop() waits for accesses under way to end. */
#define LOOM_HW_DMA_QUIESCE_MS	500

/* Let the device master the guest's memory (channel 0's CTRL.BUS_MASTER, PCI). */
void loom_hw_dma_enable(struct loom_device *ldev);
/*
 * Stop the device's accesses to the guest's memory: 0 once none is under
 * way (from then on none starts), -EBUSY if one still was after
 * LOOM_HW_DMA_QUIESCE_MS (a device stalled in the middle of it, which may
 * still write when it resumes).
 */
int loom_hw_dma_stop(struct loom_device *ldev);

/* Full device reset (DEV_CTRL); waits until the device is ready again. */
int loom_hw_reset(struct loom_device *ldev);
/* Ring doorbell vector vec: a queue index or LOOM_DOORBELL_FW. */
void loom_hw_doorbell(struct loom_device *ldev, unsigned int vec);

/* Allocate channel 0's MSI-X vectors and install their handlers. */
int loom_irq_init(struct loom_device *ldev);

#endif /* __LOOM_HW_H__ */
