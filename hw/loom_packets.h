/* SPDX-License-Identifier: MIT */
/*
 * Loom hardware interface: queue ring entries, completion entries, and the
 * packets a command buffer (CB) is made of.
 *
 * A queue's ring (PA, LOOM_QREG_RING_BASE) holds struct loom_ring_entry
 * items, each pointing at a CB in the queue's context address space (VA).
 * The command processor (CP) of the queue runs the CB's packets in order,
 * one after the other; when it has finished an entry whose flags ask for
 * it, it writes a struct loom_cq_entry to the queue's completion queue
 * (PA) and raises LOOM_IRQ_COMPLETION on the queue's channel.
 *
 * Every packet starts with a 32-bit header: opcode in bits 0..7, flags in
 * bits 8..15 (zero unless the opcode defines some), and the packet's length
 * in 32-bit words, header included, in bits 16..31. The length must be the
 * exact size of the opcode's struct; anything else is LOOM_ERR_BAD_PACKET.
 * All addresses in packets are device virtual addresses in the queue's
 * context (ASID).
 */
#ifndef LOOM_HW_PACKETS_H
#define LOOM_HW_PACKETS_H

#include "loom_hw_types.h"

/* ---- Ring and completion queue ------------------------------------------ */
#define LOOM_RING_F_COMPLETION	(1U << 0)	/* write a CQ entry + interrupt */
#define LOOM_RING_F_MASK	LOOM_RING_F_COMPLETION
#define LOOM_CB_MAX_SIZE	(1U << 24)	/* 16 MiB */

struct loom_ring_entry {
	__u64 cb_addr;		/* VA of the CB, 8-byte aligned */
	__u32 cb_size;		/* bytes, multiple of 4, 0 < size <= LOOM_CB_MAX_SIZE */
	__u32 flags;		/* LOOM_RING_F_*; unknown bits: LOOM_ERR_BAD_CB */
	__u64 tag;		/* echoed in the CQ entry and QREG_DONE */
	__u64 reserved;		/* must be 0 */
};

struct loom_cq_entry {
	__u64 tag;		/* the ring entry's tag */
	__u32 status;		/* LOOM_ERR_* (0 = success) */
	__u32 queue;		/* queue index */
	__u32 err_offset;	/* byte offset in the CB of the failing packet */
	__u32 reserved;
	__u64 timestamp_ns;	/* device time at completion */
};

/* ---- Error codes (CQ status, queue STATUS, event info) ------------------ */
#define LOOM_ERR_NONE		0
#define LOOM_ERR_BAD_PACKET	1	/* unknown opcode, wrong length, bad flags */
#define LOOM_ERR_PAGE_FAULT	2	/* VA not mapped in the queue's context */
#define LOOM_ERR_PERMISSION	3	/* write to a read-only page */
#define LOOM_ERR_PRIV		4	/* WREG32 outside the sync manager */
#define LOOM_ERR_BAD_ARG	5	/* packet fields out of range */
#define LOOM_ERR_TIMEOUT	6	/* a WAIT exceeded its time limit */
#define LOOM_ERR_UNSUPPORTED	7	/* opcode not implemented */
#define LOOM_ERR_ABORTED	8	/* dropped by a queue or device reset */
#define LOOM_ERR_BAD_CB		9	/* ring entry invalid or CB unreadable */
#define LOOM_ERR_BAD_ASID	10	/* queue's ASID not enabled */
#define LOOM_ERR_STOPPED	11	/* a STOP packet halted the queue */
#define LOOM_ERR_TPC_ILLEGAL	12	/* a TPC core ran an illegal instruction */
#define LOOM_ERR_TPC_OOB	13	/* TPC local memory / tensor access out of bounds */
#define LOOM_ERR_TPC_TIMEOUT	14	/* a TPC kernel outran its watchdog */

/* ---- Opcodes ------------------------------------------------------------- */
#define LOOM_PKT_NOP		0x01
#define LOOM_PKT_WREG32		0x02
#define LOOM_PKT_SIGNAL		0x03
#define LOOM_PKT_WAIT		0x04
#define LOOM_PKT_LIN_DMA	0x05
#define LOOM_PKT_MME		0x06
#define LOOM_PKT_TPC_LAUNCH	0x07
#define LOOM_PKT_WRITE64	0x08
#define LOOM_PKT_TIMESTAMP	0x09
#define LOOM_PKT_STOP		0x0a

#define LOOM_PKT_HDR(op, flags, dwords) \
	((__u32)(op) | ((__u32)(flags) << 8) | ((__u32)(dwords) << 16))
#define LOOM_PKT_OPCODE(h)	((h) & 0xffU)
#define LOOM_PKT_FLAGS(h)	(((h) >> 8) & 0xffU)
#define LOOM_PKT_DWORDS(h)	((h) >> 16)

struct loom_pkt_nop {
	__u32 header;
	__u32 reserved;
};

/* Write a sync-manager register (SOB or monitor); others: LOOM_ERR_PRIV. */
struct loom_pkt_wreg32 {
	__u32 header;
	__u32 reg;		/* register offset, 4-byte aligned */
	__u32 value;
	__u32 reserved;
};

#define LOOM_SIGNAL_OP_ADD	0
#define LOOM_SIGNAL_OP_SET	1

/* Update a SOB once every earlier packet of this CB has completed. */
struct loom_pkt_signal {
	__u32 header;
	__u32 sob;		/* < LOOM_NUM_SOBS */
	__u32 op;		/* LOOM_SIGNAL_OP_* */
	__u32 value;
};

/*
 * Stall the queue until (__s32)(SOB - target) >= 0. A wait longer than
 * timeout_ms (0: the device's QUEUE_TIMEOUT_MS) fails with LOOM_ERR_TIMEOUT
 * and posts a LOOM_EVENT_HANG.
 */
struct loom_pkt_wait {
	__u32 header;
	__u32 sob;
	__u32 target;
	__u32 timeout_ms;
};

#define LOOM_DMA_F_MEMSET	(1U << 0)	/* fill dst with the 32-bit src */

/*
 * Linear DMA of size bytes from src to dst (or a 32-bit fill with
 * LOOM_DMA_F_MEMSET, size a multiple of 4). Overlapping ranges are
 * LOOM_ERR_BAD_ARG. The device splits large copies over its DMA engines.
 */
struct loom_pkt_lin_dma {
	__u32 header;
	__u32 flags;		/* LOOM_DMA_F_* */
	__u64 src;		/* VA, or the fill value in bits 0..31 */
	__u64 dst;
	__u64 size;
};

#define LOOM_DTYPE_F32		0
#define LOOM_DTYPE_BF16		1

#define LOOM_MME_F_TRANS_A	(1U << 0)
#define LOOM_MME_F_TRANS_B	(1U << 1)
#define LOOM_MME_F_BCAST_C	(1U << 2)	/* C is one row of n, added to every row */
#define LOOM_MME_F_RELU		(1U << 3)	/* D = max(D, 0) at the end (x > 0 ? x : 0) */
#define LOOM_MME_F_MASK_C	(1U << 12)	/* D = C > 0 ? D : 0; C not added (beta 0) */
#define LOOM_MME_IN_DTYPE(c)	(((c) >> 4) & 0xfU)	/* A and B */
#define LOOM_MME_OUT_DTYPE(c)	(((c) >> 8) & 0xfU)	/* C and D */
#define LOOM_MME_CTRL(flags, in, out) ((flags) | ((in) << 4) | ((out) << 8))
#define LOOM_MME_CTRL_MASK	0x1fffU

/*
 * Batched GEMM, row-major, fp32 accumulation:
 *   D[b] = alpha * op(A[b]) x op(B[b]) + beta * C[b]     b < batch
 * op(A) is m x k, op(B) is k x n, C and D are m x n. Leading dimensions are
 * in elements; X[b] starts at x + b * stride_x bytes. C is not read when
 * beta is 0 (c may then be 0). C and D may be the same matrix.
 * The output stage: with LOOM_MME_F_BCAST_C, C is a single row of n
 * elements (ldc unused) added, times beta, to every row (a bias); with
 * LOOM_MME_F_RELU, every element of D becomes x > 0 ? x : 0 after that,
 * before rounding to the output dtype. With LOOM_MME_F_MASK_C (beta must
 * be 0, not with BCAST_C), C is an m x n mask read instead of added:
 * D[i][j] = C[i][j] > 0 ? alpha * (op(A) x op(B))[i][j] : 0, the gradient
 * through a ReLU whose output is C.
 */
struct loom_pkt_mme {
	__u32 header;
	__u32 ctrl;		/* LOOM_MME_CTRL(LOOM_MME_F_*, in dtype, out dtype) */
	__u64 a, b, c, d;
	__u32 m, n, k, batch;	/* each >= 1 */
	__u32 lda, ldb, ldc, ldd;
	__u64 stride_a, stride_b, stride_c, stride_d;
	__u32 alpha;		/* IEEE fp32 bits */
	__u32 beta;
};

/*
 * Run a TPC kernel (hw/loom_tpc.h, docs/isa.md) over an index space of
 * index[0] x .. x index[4] points. The device splits it along part_dim
 * into work items of grain points (0: ceil(index[part_dim] / LOOM_NUM_TPC))
 * and runs item k on core k % LOOM_NUM_TPC. The packet completes when
 * every item has halted.
 */
#define LOOM_TPC_LAUNCH_NUM_SCALARS	16

struct loom_pkt_tpc_launch {
	__u32 header;
	__u32 flags;		/* none defined: 0 */
	__u64 code;		/* VA of the code, 8-byte aligned */
	__u32 code_size;	/* bytes, multiple of 8, 0 < size <= LOOM_TPC_CODE_MAX */
	__u32 num_tensors;	/* descriptors at tensors, <= LOOM_TPC_MAX_TENSORS */
	__u64 tensors;		/* VA of struct loom_tpc_tensor[num_tensors], 8-byte aligned */
	__u32 slm_size;		/* scalar local memory per core, bytes, <= 64 KiB */
	__u32 vlm_size;		/* vector local memory per core, bytes, <= 128 KiB */
	__u32 index[5];		/* index-space size per dimension, each >= 1 */
	__u32 part_dim;		/* dimension split into work items, < 5 */
	__u32 grain;		/* index points per work item along part_dim; 0: auto */
	__u32 timeout_ms;	/* watchdog; 0: the device's QUEUE_TIMEOUT_MS */
	__u32 scalars[LOOM_TPC_LAUNCH_NUM_SCALARS];	/* scalar arguments (movsr argN) */
};

/* Write a 64-bit value to addr (8-byte aligned) after earlier packets. */
struct loom_pkt_write64 {
	__u32 header;
	__u32 reserved;
	__u64 addr;
	__u64 value;
};

/* Write the device clock (u64 ns) to addr (8-byte aligned). */
struct loom_pkt_timestamp {
	__u32 header;
	__u32 reserved;
	__u64 addr;
};

/* Halt the queue: status HALTED with LOOM_ERR_STOPPED until QCTRL_RESET. */
struct loom_pkt_stop {
	__u32 header;
	__u32 reserved;
};

#endif /* LOOM_HW_PACKETS_H */
