/* SPDX-License-Identifier: MIT */
/*
 * Loom hardware interface: the register map.
 *
 * The device exposes one memory object (BAR0 in PCI terms). Its first
 * LOOM_REG_SPACE_SIZE bytes are the register space described here; device
 * DRAM starts at LOOM_DRAM_BAR_OFFSET. Registers are 32-bit, little endian,
 * naturally aligned. Because the register space is shared memory, a write
 * whose effect the device must act on is only noticed when the driver rings
 * the matching doorbell (see docs/hw-spec.md, "Doorbells"): a queue's
 * doorbell after RING_PI or CTRL, the firmware doorbell after a mailbox
 * command or DEV_CTRL. Registers marked (RO) are written by the device only;
 * (PRIV) ones belong to the privileged driver (the kernel driver, or loomd
 * for its direct clients).
 *
 * This header is shared by the device model, the kernel driver and the
 * userspace driver; it uses fixed-width types only.
 */
#ifndef LOOM_HW_REGS_H
#define LOOM_HW_REGS_H

#include "loom_hw_types.h"

/* ---- Identification ---------------------------------------------------- */
#define LOOM_VENDOR_ID			0x1e7aU	/* emulated PCI vendor */
#define LOOM_DEVICE_ID			0x0a01U
#define LOOM_MAGIC			0x4d4f4f4cU	/* "LOOM" */
#define LOOM_HW_REVISION		1U

/* ---- Address space ----------------------------------------------------- */
#define LOOM_REG_SPACE_SIZE		0x10000ULL	/* 64 KiB of registers */
#define LOOM_DRAM_BAR_OFFSET		0x200000ULL	/* DRAM starts at 2 MiB */
#define LOOM_DRAM_DEFAULT_SIZE		(4ULL << 30)

/*
 * Device physical addresses (PA): what page-table entries, rings,
 * completion queues and event queues hold.
 *   [0, DRAM size)                          device DRAM
 *   LOOM_PA_HOST_BASE + (ch << 40) + off    host memory window of channel ch
 * A host window is the host memory a driver instance lets the device
 * master (the guest's RAM, or a userspace driver's DMA pool).
 */
#define LOOM_PA_HOST_BASE		(1ULL << 47)
#define LOOM_PA_HOST_CH_SHIFT		40
#define LOOM_PA_HOST_WINDOW_MAX		(1ULL << LOOM_PA_HOST_CH_SHIFT)
#define LOOM_PA_HOST(ch, off)		(LOOM_PA_HOST_BASE + \
					 ((__u64)(ch) << LOOM_PA_HOST_CH_SHIFT) + (off))

/* ---- Limits of this revision ------------------------------------------- */
#define LOOM_NUM_QUEUES			32
#define LOOM_NUM_CHANNELS		8
#define LOOM_NUM_ASIDS			64	/* ASID 0 is never valid */
#define LOOM_NUM_SOBS			2048
#define LOOM_NUM_MONITORS		256
#define LOOM_NUM_DMA			2
#define LOOM_NUM_MME			1
#define LOOM_NUM_TPC			8
#define LOOM_IRQS_PER_CHANNEL		4

/* Interrupt vectors inside a channel. */
#define LOOM_IRQ_COMPLETION		0	/* a queue wrote a CQ entry */
#define LOOM_IRQ_EVENT			1	/* an event was posted to the EQ */
#define LOOM_IRQ_MAILBOX		2	/* a mailbox command finished */
#define LOOM_IRQ_MONITOR		3	/* a sync-manager monitor fired */

/*
 * Doorbell vectors (device side): vector q (0..NUM_QUEUES-1) is queue q's
 * doorbell; LOOM_DOORBELL_FW is the firmware's (mailboxes, DEV_CTRL).
 */
#define LOOM_DOORBELL_FW		LOOM_NUM_QUEUES
#define LOOM_NUM_DOORBELLS		(LOOM_NUM_QUEUES + 1)

/* ---- 0x0000: identification and global control ------------------------- */
#define LOOM_REG_VENDOR_ID		0x0000	/* RO */
#define LOOM_REG_DEVICE_ID		0x0004	/* RO */
#define LOOM_REG_REVISION		0x0008	/* RO */
#define LOOM_REG_MAGIC			0x000c	/* RO: LOOM_MAGIC */
#define LOOM_REG_DRAM_SIZE_LO		0x0010	/* RO */
#define LOOM_REG_DRAM_SIZE_HI		0x0014	/* RO */
#define LOOM_REG_DRAM_OFFSET		0x0018	/* RO: DRAM offset in BAR0 */
#define LOOM_REG_NUM_QUEUES		0x001c	/* RO */
#define LOOM_REG_NUM_CHANNELS		0x0020	/* RO */
#define LOOM_REG_NUM_ASIDS		0x0024	/* RO */
#define LOOM_REG_NUM_SOBS		0x0028	/* RO */
#define LOOM_REG_NUM_MONITORS		0x002c	/* RO */
#define LOOM_REG_NUM_DMA		0x0030	/* RO */
#define LOOM_REG_NUM_MME		0x0034	/* RO */
#define LOOM_REG_NUM_TPC		0x0038	/* RO */
#define LOOM_REG_CAPS			0x003c	/* RO: LOOM_CAP_* */
#define LOOM_REG_FW_VERSION		0x0040	/* RO: major<<16 | minor */
#define LOOM_REG_VA_BITS		0x0044	/* RO: 48 */
#define LOOM_REG_DEV_STATUS		0x0100	/* RO: LOOM_DEV_STATUS_* */
#define LOOM_REG_DEV_CTRL		0x0104	/* PRIV: LOOM_DEV_CTRL_*; ring FW doorbell */
#define LOOM_REG_HEARTBEAT		0x0108	/* RO: +1 per firmware tick */
#define LOOM_REG_RESET_COUNT		0x010c	/* RO */
#define LOOM_REG_TIMESTAMP_LO		0x0110	/* RO: device clock, ns */
#define LOOM_REG_TIMESTAMP_HI		0x0114	/* RO */
#define LOOM_REG_QUEUE_TIMEOUT_MS	0x0118	/* PRIV: watchdog, 0 = off */
#define LOOM_REG_DMA_ACTIVE		0x011c	/* RO: host-memory accesses in progress */

#define LOOM_CAP_MME_BF16		(1U << 0)
#define LOOM_CAP_PAGE_2M		(1U << 1)
#define LOOM_CAP_TPC			(1U << 2)	/* TPC cores (hw/loom_tpc.h) */
#define LOOM_CAP_TELEMETRY		(1U << 3)

#define LOOM_DEV_STATUS_READY		(1U << 0)
#define LOOM_DEV_STATUS_RESETTING	(1U << 1)
#define LOOM_DEV_STATUS_THROTTLED	(1U << 2)

#define LOOM_DEV_CTRL_RESET		(1U << 0)	/* self-clearing */

/* ---- 0x1000: queue managers, 64 bytes each ------------------------------ */
#define LOOM_REG_QUEUE_BASE		0x1000
#define LOOM_REG_QUEUE_STRIDE		0x40
#define LOOM_REG_QUEUE(q, r)		(LOOM_REG_QUEUE_BASE + \
					 (q) * LOOM_REG_QUEUE_STRIDE + (r))
#define LOOM_QREG_RING_BASE_LO		0x00	/* PA of the ring */
#define LOOM_QREG_RING_BASE_HI		0x04
#define LOOM_QREG_RING_SIZE		0x08	/* entries, power of two, 2..65536 */
#define LOOM_QREG_RING_PI		0x0c	/* driver: free-running producer index */
#define LOOM_QREG_RING_CI		0x10	/* RO: free-running consumer index */
#define LOOM_QREG_CTRL			0x14	/* LOOM_QCTRL_* */
#define LOOM_QREG_STATUS		0x18	/* RO: LOOM_QSTATUS_* | error << 8 */
#define LOOM_QREG_ASID			0x1c	/* PRIV: context of this queue */
#define LOOM_QREG_CQ_BASE_LO		0x20	/* PA of the completion queue */
#define LOOM_QREG_CQ_BASE_HI		0x24
#define LOOM_QREG_CQ_SIZE		0x28	/* entries, power of two */
#define LOOM_QREG_CQ_PI			0x2c	/* RO: free-running */
#define LOOM_QREG_CHANNEL		0x30	/* PRIV: channel for interrupts */
#define LOOM_QREG_ERR_INFO		0x34	/* RO: CB byte offset of the failing packet */
#define LOOM_QREG_DONE_LO		0x38	/* RO: tag of the last completed entry */
#define LOOM_QREG_DONE_HI		0x3c

#define LOOM_QCTRL_ENABLE		(1U << 0)
#define LOOM_QCTRL_RESET		(1U << 1)	/* self-clearing: drop pending, clear error */

#define LOOM_QSTATUS_IDLE		0U
#define LOOM_QSTATUS_BUSY		1U
#define LOOM_QSTATUS_HALTED		2U	/* stopped on an error or STOP */
#define LOOM_QSTATUS_STATE(v)		((v) & 0xffU)
#define LOOM_QSTATUS_ERROR(v)		(((v) >> 8) & 0xffU)	/* LOOM_ERR_* */

/* ---- 0x2000: contexts (ASIDs), 16 bytes each ---------------------------- */
#define LOOM_REG_ASID_BASE		0x2000
#define LOOM_REG_ASID_STRIDE		0x10
#define LOOM_REG_ASID(a, r)		(LOOM_REG_ASID_BASE + \
					 (a) * LOOM_REG_ASID_STRIDE + (r))
#define LOOM_AREG_PGD_LO		0x00	/* PRIV: PA of the level-0 table */
#define LOOM_AREG_PGD_HI		0x04
#define LOOM_AREG_CTRL			0x08	/* PRIV: bit 0 enable */
#define LOOM_AREG_CHANNEL		0x0c	/* PRIV: channel that gets its events */

/*
 * ---- 0x2800: busy time per context, 32 bytes each ----------------------
 * 64-bit, RO, cumulative since the device was created (a device reset
 * keeps them): the nanoseconds engine class e (LOOM_ENGINE_*, hw/loom_fw.h)
 * worked for context a, summed over the class's engines (two DMA engines
 * busy for 1 ms each count 2 ms). Read with one 64-bit access.
 */
#define LOOM_REG_ASID_BUSY_BASE		0x2800
#define LOOM_REG_ASID_BUSY_STRIDE	0x20
#define LOOM_REG_ASID_BUSY(a, e)	(LOOM_REG_ASID_BUSY_BASE + \
					 (a) * LOOM_REG_ASID_BUSY_STRIDE + (e) * 8)

/* ---- 0x3000: MMU --------------------------------------------------------- */
#define LOOM_REG_MMU_INV_ASID		0x3000	/* write ASID (0 = all), ring any doorbell */
#define LOOM_REG_MMU_FAULT_VA_LO	0x3004	/* RO: last fault */
#define LOOM_REG_MMU_FAULT_VA_HI	0x3008
#define LOOM_REG_MMU_FAULT_ASID		0x300c
#define LOOM_REG_MMU_FAULT_CAUSE	0x3010	/* RO: LOOM_FAULT_* */
#define LOOM_REG_MMU_FAULT_COUNT	0x3014	/* RO */

/* ---- 0x3100: TPC error record -------------------------------------------- */
/* The last TPC launch that failed inside a kernel (illegal, OOB, timeout). */
#define LOOM_REG_TPC_ERR_VA_LO		0x3100	/* RO: VA of the failing instruction */
#define LOOM_REG_TPC_ERR_VA_HI		0x3104
#define LOOM_REG_TPC_ERR_INFO		0x3108	/* RO: LOOM_ERR_* | core << 8 | queue << 16 */
#define LOOM_REG_TPC_ERR_ASID		0x310c	/* RO */
#define LOOM_REG_TPC_ERR_COUNT		0x3110	/* RO: TPC errors since power-on */

/* ---- 0x4000: sync manager ------------------------------------------------ */
/*
 * Sync objects (SOBs) are 32-bit counters. The host may read them at any
 * time; writes must go through a WREG32 or SIGNAL packet so the sync manager
 * sees them and evaluates its monitors.
 */
#define LOOM_REG_SOB_BASE		0x4000
#define LOOM_REG_SOB(i)			(LOOM_REG_SOB_BASE + 4 * (i))
#define LOOM_REG_MON_BASE		0x6000
#define LOOM_REG_MON_STRIDE		0x20
#define LOOM_REG_MON(m, r)		(LOOM_REG_MON_BASE + \
					 (m) * LOOM_REG_MON_STRIDE + (r))
#define LOOM_MREG_SOB			0x00	/* SOB to watch */
#define LOOM_MREG_TARGET		0x04	/* fire when SOB - TARGET >= 0 (signed) */
#define LOOM_MREG_PAYLOAD_ADDR_LO	0x08	/* PA written with PAYLOAD on fire */
#define LOOM_MREG_PAYLOAD_ADDR_HI	0x0c
#define LOOM_MREG_PAYLOAD		0x10	/* 32-bit value written */
#define LOOM_MREG_IRQ			0x14	/* bit 31 enable, bits 0..7 channel */
#define LOOM_MREG_ARM			0x18	/* write 1 (last) to arm; reads 0 once fired */

/* ---- 0x8000: host channels, 4 KiB each ---------------------------------- */
/*
 * A channel is one driver instance's window on the device: a firmware
 * mailbox, an event queue and LOOM_IRQS_PER_CHANNEL interrupt vectors.
 * The kernel driver uses channel 0; loomd gives each direct client one.
 */
#define LOOM_REG_CH_BASE		0x8000
#define LOOM_REG_CH_STRIDE		0x1000
#define LOOM_REG_CH(c, r)		(LOOM_REG_CH_BASE + \
					 (c) * LOOM_REG_CH_STRIDE + (r))
#define LOOM_CREG_MBOX_CMD		0x000	/* LOOM_FW_CMD_* */
#define LOOM_CREG_MBOX_STATUS		0x004	/* LOOM_MBOX_* */
#define LOOM_CREG_MBOX_RESULT		0x008	/* RO: 0 or negative errno */
#define LOOM_CREG_MBOX_SEQ		0x00c	/* driver: echoed in MBOX_DONE_SEQ */
#define LOOM_CREG_MBOX_DONE_SEQ		0x010	/* RO */
#define LOOM_CREG_MBOX_ARG0		0x018	/* 4 x 64-bit arguments */
#define LOOM_CREG_EQ_BASE_LO		0x040	/* PA of the event queue */
#define LOOM_CREG_EQ_BASE_HI		0x044
#define LOOM_CREG_EQ_SIZE		0x048	/* entries, power of two; 0 = off */
#define LOOM_CREG_EQ_PI			0x04c	/* RO: free-running */
#define LOOM_CREG_EQ_LOST		0x050	/* RO: events dropped: EQ off or its PA invalid */
#define LOOM_CREG_CTRL			0x054	/* driver: LOOM_CCTRL_* */
#define LOOM_CREG_MBOX_DATA		0x800	/* 2 KiB request/response data */
#define LOOM_MBOX_DATA_SIZE		0x800

/*
 * CTRL.BUS_MASTER: the device may access the channel's host window (as a
 * PCI function's Bus Master Enable). Set when the channel gets its window;
 * with it clear, every access there fails as an invalid PA would. A driver
 * clears it, then reads DMA_ACTIVE as 0 to know that no access of the
 * device is under way, before it frees memory the device could still write.
 */
#define LOOM_CCTRL_BUS_MASTER		(1U << 0)

#define LOOM_MBOX_IDLE			0U
#define LOOM_MBOX_PENDING		1U	/* driver sets, then rings FW doorbell */
#define LOOM_MBOX_DONE			2U	/* firmware sets, raises LOOM_IRQ_MAILBOX */

#endif /* LOOM_HW_REGS_H */
