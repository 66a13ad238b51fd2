/* SPDX-License-Identifier: MIT */
/*
 * Loom device link: the control protocol between the device (loomd, or the
 * in-process device) and a userspace driver.
 *
 * It plays the part of the PCI slot and of the privileged platform code a
 * userspace driver would otherwise need: it hands the driver the device
 * memory object (BAR0) and doorbell eventfds, takes the driver's host
 * memory window (DMA pool memfd) and interrupt eventfds, and owns the
 * resources that several drivers on one device must not collide on:
 * channels, ASIDs, queues and DRAM. Everything else (page tables, rings,
 * command buffers, the mailbox) the driver does itself through BAR0 and
 * doorbells, exactly as on the hardware.
 *
 * Transport: a SOCK_SEQPACKET Unix socket; each request is one struct
 * loom_link_msg, answered by one struct loom_link_msg with the same type
 * and seq; file descriptors travel as SCM_RIGHTS. When a driver's socket
 * closes, the device resets its queues, disables its ASID and channel and
 * frees its DRAM (allocations still held by an export or an import stay
 * until those go).
 *
 * Sync objects and monitors are partitioned by channel, by convention of
 * the drivers (the device does not enforce it): channel c uses SOBs
 * [c * LOOM_LINK_SOBS_PER_CH, (c + 1) * LOOM_LINK_SOBS_PER_CH) and monitors
 * [c * LOOM_LINK_MONS_PER_CH, (c + 1) * LOOM_LINK_MONS_PER_CH).
 */
#ifndef LOOM_HW_LINK_H
#define LOOM_HW_LINK_H

#include "loom_hw_types.h"

#define LOOM_LINK_VERSION	1
#define LOOM_LINK_MAX_FDS	8
#define LOOM_LINK_SOBS_PER_CH	256	/* LOOM_NUM_SOBS / LOOM_NUM_CHANNELS */
#define LOOM_LINK_MONS_PER_CH	32	/* LOOM_NUM_MONITORS / LOOM_NUM_CHANNELS */

enum loom_link_type {
	/*
	 * fds in: [0] host window memfd, [1..4] interrupt eventfds (vectors
	 *   LOOM_IRQ_*). arg[0] = LOOM_LINK_VERSION, arg[1] = window size.
	 * out: fds [0] device memory memfd (BAR0), [1] firmware doorbell;
	 *   arg[0] = channel, arg[1] = asid, arg[2] = BAR0 size,
	 *   arg[3] = DRAM size.
	 */
	LOOM_LINK_HELLO = 1,
	/* arg[0] = PA of the ASID's level-0 table; enables the ASID. */
	LOOM_LINK_SET_PGD = 2,
	/* out: arg[0] = queue index; fds [0] = its doorbell eventfd. */
	LOOM_LINK_QUEUE_ALLOC = 3,
	/* arg[0] = queue index (resets and releases it). */
	LOOM_LINK_QUEUE_FREE = 4,
	/* arg[0] = size, arg[1] = alignment (power of two, >= 4096). out: arg[0] = PA. */
	LOOM_LINK_DRAM_ALLOC = 5,
	/* arg[0] = PA returned by DRAM_ALLOC. */
	LOOM_LINK_DRAM_FREE = 6,
	/*
	 * arg[0] = PA inside one of the caller's DRAM allocations, arg[1] =
	 * size; both 4 KiB aligned, the range inside that allocation. out:
	 * fds [0] = an export fd. The range stays allocated while any copy of
	 * that fd is open or any importer holds it.
	 */
	LOOM_LINK_EXPORT = 7,
	/* fds in [0] = an export fd of this device. out: arg[0] = PA, arg[1] = size. */
	LOOM_LINK_IMPORT = 8,
	/* arg[0] = PA returned by IMPORT: drop the import. */
	LOOM_LINK_UNIMPORT = 9,
	/* out: arg[0] = DRAM used, arg[1] = DRAM total, arg[2] = drivers attached. */
	LOOM_LINK_QUERY = 10,
	/*
	 * The drivers attached to the device, one per call: arg[0] = index
	 * (0, 1, ... in no particular order; -ENOENT past the last). out:
	 * arg[0] = the driver's process id (0 if unknown), arg[1] = its ASID,
	 * arg[2] = its channel, arg[3] = DRAM bytes it holds (allocations it
	 * owns), arg[4] = bytes of its host window with memory behind them
	 * (the memfd's allocated blocks), arg[5] = hardware queues it holds. Its busy time is in BAR0 (LOOM_REG_ASID_BUSY of its ASID).
	 */
	LOOM_LINK_SESSION = 11,
};

struct loom_link_msg {
	__u32 type;		/* enum loom_link_type */
	__u32 seq;		/* echoed */
	__s32 status;		/* reply: 0 or a negative errno */
	__u32 reserved;		/* must be 0 */
	__u64 arg[6];
};

#endif /* LOOM_HW_LINK_H */
