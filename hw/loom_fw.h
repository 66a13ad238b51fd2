/* SPDX-License-Identifier: MIT */
/*
 * Loom hardware interface: the firmware's mailbox commands, the structures
 * they return, and the asynchronous events it posts.
 *
 * Mailbox protocol (per channel, registers LOOM_CREG_MBOX_*): the driver
 * writes the arguments and LOOM_CREG_MBOX_CMD, a sequence number to
 * MBOX_SEQ, then MBOX_STATUS = LOOM_MBOX_PENDING, and rings the firmware
 * doorbell. The firmware runs the command, fills MBOX_DATA (if the command
 * returns a structure), writes MBOX_RESULT (0 or a negative errno),
 * MBOX_DONE_SEQ = MBOX_SEQ, MBOX_STATUS = LOOM_MBOX_DONE, and raises
 * LOOM_IRQ_MAILBOX on the channel. Unknown commands fail with -EOPNOTSUPP
 * (-95), bad arguments with -EINVAL (-22).
 *
 * Event queue (per channel, LOOM_CREG_EQ_*): a ring of struct loom_event
 * in device PA space. The firmware writes an entry at EQ_PI % EQ_SIZE,
 * increments EQ_PI and raises LOOM_IRQ_EVENT. The driver tracks its own
 * consumer index; if it falls more than EQ_SIZE behind, the oldest events
 * were overwritten (it can tell from EQ_PI). Events about a context go to the
 * channel in its LOOM_AREG_CHANNEL; device-wide events go to every channel
 * whose event queue is on.
 */
#ifndef LOOM_HW_FW_H
#define LOOM_HW_FW_H

#include "loom_hw_types.h"

#define LOOM_FW_VERSION_MAJOR	1
#define LOOM_FW_VERSION_MINOR	0

/* ---- Mailbox commands ---------------------------------------------------- */
#define LOOM_FW_CMD_GET_INFO		1	/* -> struct loom_fw_info */
#define LOOM_FW_CMD_GET_TELEMETRY	2	/* -> struct loom_fw_telemetry */
#define LOOM_FW_CMD_SET_POWER_LIMIT	3	/* arg0: mW, 0 = default */
#define LOOM_FW_CMD_INJECT_EVENT	4	/* arg0: LOOM_EVENT_ECC_*, arg1: asid (debug) */
#define LOOM_FW_CMD_SET_TEMP_LIMIT	5	/* arg0: millidegrees C, 0 = default */

/* ---- Sensors, clocks, engines, throttle reasons -------------------------- */
#define LOOM_SENSOR_DIE		0	/* hottest point of the die */
#define LOOM_SENSOR_MME		1
#define LOOM_SENSOR_HBM		2
#define LOOM_SENSOR_BOARD	3
#define LOOM_FW_NUM_SENSORS	4

#define LOOM_CLOCK_CORE		0	/* MME and TPC */
#define LOOM_CLOCK_DMA		1
#define LOOM_CLOCK_HBM		2
#define LOOM_FW_NUM_CLOCKS	3

#define LOOM_ENGINE_DMA		0	/* all DMA engines together */
#define LOOM_ENGINE_MME		1
#define LOOM_ENGINE_TPC		2
#define LOOM_ENGINE_CP		3	/* command processors (packet handling) */
#define LOOM_FW_NUM_ENGINES	4

#define LOOM_THROTTLE_POWER	(1U << 0)
#define LOOM_THROTTLE_THERMAL	(1U << 1)
#define LOOM_FW_NUM_THROTTLE	2

struct loom_fw_info {
	__u32 fw_version;		/* major << 16 | minor */
	__u32 power_default_mw;		/* default power limit (TDP) */
	__u32 power_min_mw;		/* lowest limit SET_POWER_LIMIT accepts */
	__u32 power_max_mw;		/* highest */
	__u32 power_idle_mw;		/* idle power */
	__s32 temp_limit_mc;		/* throttling temperature, m°C */
	__s32 temp_ambient_mc;
	__u32 clock_max_mhz[LOOM_FW_NUM_CLOCKS];
	__u32 reserved[6];
	char build[64];			/* NUL-terminated firmware build string */
};

struct loom_fw_telemetry {
	__u64 timestamp_ns;		/* device clock when sampled */
	__u64 energy_mj;		/* cumulative since power-on */
	__u32 power_mw;			/* over the last firmware tick */
	__u32 power_peak_mw;		/* since power-on */
	__u32 power_limit_mw;		/* in force */
	__u32 throttle_reasons;		/* LOOM_THROTTLE_* active now */
	__s32 temp_mc[LOOM_FW_NUM_SENSORS];	/* millidegrees C */
	__s32 temp_peak_mc;		/* hottest DIE reading since power-on */
	__u32 clock_mhz[LOOM_FW_NUM_CLOCKS];	/* current */
	__u32 util_pct[LOOM_FW_NUM_ENGINES];	/* busy share of the last tick */
	__u64 busy_ns[LOOM_FW_NUM_ENGINES];	/* cumulative */
	__u64 throttle_start_ns[LOOM_FW_NUM_THROTTLE];	/* last start, 0: never */
	__u64 throttle_end_ns[LOOM_FW_NUM_THROTTLE];	/* last end, 0: never/active */
	__u64 throttle_total_ns[LOOM_FW_NUM_THROTTLE];	/* cumulative */
	__u64 flops;			/* cumulative MME floating-point ops */
	__u64 dma_bytes;		/* cumulative bytes moved by DMA */
	__u32 heartbeat;
	__u32 reset_count;
	__u32 ecc_correctable;
	__u32 ecc_uncorrectable;
	__u64 reserved[4];
};

/* ---- Events -------------------------------------------------------------- */
#define LOOM_EVENT_PAGE_FAULT		1	/* asid, queue, addr = VA, info = LOOM_FAULT_* */
#define LOOM_EVENT_QUEUE_ERROR		2	/* asid, queue, info = LOOM_ERR_* */
#define LOOM_EVENT_HANG			3	/* asid, queue: WAIT timed out */
#define LOOM_EVENT_ECC_CORRECTABLE	4	/* addr = PA */
#define LOOM_EVENT_ECC_UNCORRECTABLE	5	/* addr = PA */
#define LOOM_EVENT_THROTTLE		6	/* info = LOOM_THROTTLE_* now active */
#define LOOM_EVENT_HEARTBEAT		7	/* info = heartbeat counter */
#define LOOM_EVENT_RESET		8	/* device reset finished */

#define LOOM_EVENT_ASID_NONE		0	/* device-wide event */
#define LOOM_EVENT_QUEUE_NONE		0xffffffffU

struct loom_event {
	__u32 type;		/* LOOM_EVENT_* */
	__u32 asid;		/* LOOM_EVENT_ASID_NONE for device-wide */
	__u32 queue;		/* LOOM_EVENT_QUEUE_NONE if none */
	__u32 info;
	__u64 addr;
	__u64 timestamp_ns;
};

#endif /* LOOM_HW_FW_H */
