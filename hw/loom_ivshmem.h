/* SPDX-License-Identifier: MIT */
/*
 * Loom hardware interface: the device link over QEMU's ivshmem-doorbell.
 *
 * In a QEMU guest the Loom device is the stock ivshmem-doorbell PCI
 * function, served by loomd acting as its ivshmem server (loomd --ivshmem):
 *   ivshmem BAR0  the ivshmem registers below (Doorbell among them)
 *   ivshmem BAR1  MSI-X table and PBA
 *   ivshmem BAR2  the Loom BAR0: registers (hw/loom_regs.h), then DRAM
 * loomd is peer LOOM_IVSHMEM_DEVICE_PEER of the server. Its vectors are the
 * device's doorbells: writing (LOOM_IVSHMEM_DEVICE_PEER << 16) | v to the
 * Doorbell register rings doorbell v (a queue index or LOOM_DOORBELL_FW).
 * The guest's own vectors 0 .. LOOM_IRQS_PER_CHANNEL-1 are channel 0's
 * interrupts (LOOM_IRQ_*), delivered as MSI-X vectors of the same numbers.
 * Guest RAM is channel 0's host window: guest-physical address X is device
 * PA LOOM_PA_HOST(0, X). See docs/link.md, "The ivshmem transport".
 */
#ifndef LOOM_HW_IVSHMEM_H
#define LOOM_HW_IVSHMEM_H

#include "loom_hw_types.h"

/* PCI identity of QEMU's ivshmem device (Red Hat / Qumranet vendor). */
#define LOOM_IVSHMEM_PCI_VENDOR		0x1af4U
#define LOOM_IVSHMEM_PCI_DEVICE		0x1110U

/* PCI BARs of the ivshmem function. */
#define LOOM_IVSHMEM_BAR_REGS		0
#define LOOM_IVSHMEM_BAR_MEM		2	/* the Loom BAR0 */

/* ivshmem registers (BAR0), 32-bit. */
#define LOOM_IVSHMEM_REG_INTRMASK	0x00
#define LOOM_IVSHMEM_REG_INTRSTATUS	0x04
#define LOOM_IVSHMEM_REG_IVPOSITION	0x08	/* RO: this guest's peer id */
#define LOOM_IVSHMEM_REG_DOORBELL	0x0c	/* WO: peer << 16 | vector */
#define LOOM_IVSHMEM_REGS_SIZE		0x100

/* Peer id of the device (loomd) on its ivshmem server. */
#define LOOM_IVSHMEM_DEVICE_PEER	0U

/*
 * Vectors per peer: every peer of an ivshmem server has the same number,
 * enough for the device's doorbells (QEMU: ivshmem-doorbell,vectors=33).
 */
#define LOOM_IVSHMEM_VECTORS		33U

#define LOOM_IVSHMEM_DOORBELL(peer, vec)	(((__u32)(peer) << 16) | ((vec) & 0xffffU))

#endif /* LOOM_HW_IVSHMEM_H */
