/* SPDX-License-Identifier: MIT */
/*
 * loom_importer.ko's test interface: a dma-buf importer that stands in for
 * an RDMA NIC in the guest tests.
 *
 * The module registers /dev/loom_importer. Each open file holds at most one
 * attachment: LOOM_IMP_ATTACH takes a dma-buf fd and attaches to it the way
 * a NIC driver's ib_umem_dmabuf_get_pinned() does (a dynamic attachment that
 * allows peer-to-peer, pinned, then mapped for DMA_BIDIRECTIONAL), or, with
 * LOOM_IMP_F_STATIC, as a plain static importer that cannot take PCI BAR
 * memory. LOOM_IMP_SG reports the mapping's scatter-gather entries (their
 * DMA addresses are what a NIC would be programmed with); LOOM_IMP_READ and
 * LOOM_IMP_WRITE move bytes through those addresses, as the NIC's DMA
 * engine would, with the CPU standing in for the NIC. Closing the file (or
 * LOOM_IMP_DETACH) unmaps, unpins, detaches and drops the dma-buf.
 *
 * LOOM_IMP_RESV_WAIT locks the attached dma-buf's reservation object and,
 * with it held, waits for its write fences, as an importer may: the
 * exporter must let its fences signal meanwhile.
 *
 * LOOM_IMP_EXPORT goes the other way: it makes a dma-buf of any size (not
 * only whole pages) over system pages, so that the tests can hand an
 * importer (loom.ko's PRIME import) sizes no real exporter makes, or DMA
 * addresses beyond the importer's mask (LOOM_IMP_EXPORT_F_DMA_HIGH).
 *
 * LOOM_IMP_F_LIMITED attaches through a second device whose DMA mask
 * LOOM_IMP_SET_DMA_MASK sets (a NIC limited to 32 bits, or less).
 * LOOM_IMP_STATUS tells how often the exporter called move_notify on the
 * attachment (a revocation); the pinned mapping stays, as a NIC's does.
 *
 * This interface is for Loom's tests only; it is not a stable uAPI.
 */
#ifndef LOOM_IMPORTER_H
#define LOOM_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LOOM_IMP_DEVICE		"/dev/loom_importer"

/* Attach statically (no peer-to-peer): what a driver without P2P does. */
#define LOOM_IMP_F_STATIC	(1U << 0)
/*
 * Attach as the second importing device, whose DMA mask LOOM_IMP_SET_DMA_MASK
 * sets (32 bits at load): a NIC that cannot address all of memory.
 */
#define LOOM_IMP_F_LIMITED	(1U << 1)
/*
 * Map for reading only (DMA_TO_DEVICE: the importing device reads the
 * memory), as a NIC that only sends from it; else DMA_BIDIRECTIONAL.
 */
#define LOOM_IMP_F_READ		(1U << 2)
#define LOOM_IMP_F_MASK		(LOOM_IMP_F_STATIC | LOOM_IMP_F_LIMITED | LOOM_IMP_F_READ)

struct loom_imp_attach {
	__s32 fd;		/* in: the dma-buf */
	__u32 flags;		/* in: LOOM_IMP_F_* */
	__u64 size;		/* out: the dma-buf's size in bytes */
	__u32 nents;		/* out: DMA-mapped scatter-gather entries */
	__u32 pad;		/* 0 */
};

struct loom_imp_sg {
	__u32 index;		/* in: entry < nents */
	__u32 pad;		/* 0 */
	__u64 dma_addr;		/* out: the entry's DMA (bus) address */
	__u64 len;		/* out: its length in bytes */
	__u64 offset;		/* out: its byte offset in the dma-buf */
};

struct loom_imp_rw {
	__u64 offset;		/* byte offset in the dma-buf */
	__u64 size;		/* bytes; offset + size <= the dma-buf's size */
	__u64 ptr;		/* user buffer */
};

struct loom_imp_export {
	__u64 size;		/* in: bytes, 1 .. LOOM_IMP_EXPORT_MAX */
	__s32 fd;		/* out: the dma-buf (O_RDWR | O_CLOEXEC) */
	__u32 flags;		/* in: LOOM_IMP_EXPORT_F_* */
};

/*
 * The dma-buf's mappings carry DMA addresses LOOM_IMP_DMA_HIGH above the
 * real ones: an exporter that ignores its importer's DMA mask.
 */
#define LOOM_IMP_EXPORT_F_DMA_HIGH	(1U << 0)
#define LOOM_IMP_EXPORT_F_MASK		LOOM_IMP_EXPORT_F_DMA_HIGH
#define LOOM_IMP_DMA_HIGH		(1ULL << 44)

struct loom_imp_status {
	__u32 moves;		/* out: move_notify calls on the attachment */
	__u32 pad;
};

struct loom_imp_dma_mask {
	__u64 mask;		/* in: the limited importer's DMA mask */
	__u32 max_seg;		/* in: its largest DMA segment in bytes; 0: unchanged */
	__u32 pad;		/* 0 */
};

#define LOOM_IMP_EXPORT_MAX	(16ULL << 20)

struct loom_imp_resv_wait {
	__u32 timeout_ms;	/* in: how long to wait at most */
	__u32 pad;		/* 0 */
};

/*
 * Errors: ATTACH -EBUSY (already attached), -EBADF (not a dma-buf), -EINVAL
 * (flags, pad), or the exporter's error (a Loom DRAM export refuses a
 * static importer with -EOPNOTSUPP); SG/READ/WRITE -ENOTCONN (not
 * attached), -EINVAL (index, pad, range), -EFAULT (user buffer); EXPORT
 * -EINVAL (size, pad), -ENOMEM; RESV_WAIT -ENOTCONN, -EINVAL (pad), -ETIME
 * (fences still unsignalled after timeout_ms), -EINTR; SET_DMA_MASK -EIO
 * (a mask the platform cannot honour), -EINVAL (pad, max_seg below a page).
 */
#define LOOM_IMP_ATTACH		_IOWR('L', 0x40, struct loom_imp_attach)
#define LOOM_IMP_DETACH		_IO('L', 0x41)
#define LOOM_IMP_SG		_IOWR('L', 0x42, struct loom_imp_sg)
#define LOOM_IMP_READ		_IOW('L', 0x43, struct loom_imp_rw)
#define LOOM_IMP_WRITE		_IOW('L', 0x44, struct loom_imp_rw)
#define LOOM_IMP_EXPORT		_IOWR('L', 0x45, struct loom_imp_export)
#define LOOM_IMP_RESV_WAIT	_IOW('L', 0x46, struct loom_imp_resv_wait)
#define LOOM_IMP_SET_DMA_MASK	_IOW('L', 0x47, struct loom_imp_dma_mask)
#define LOOM_IMP_STATUS		_IOR('L', 0x48, struct loom_imp_status)

#endif /* LOOM_IMPORTER_H */
