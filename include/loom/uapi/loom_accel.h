/* SPDX-License-Identifier: MIT */
/*
 * Loom accelerator: the uAPI of the kernel driver (loom.ko, DRM accel).
 *
 * The driver registers /dev/accel/accelN for each Loom device and answers
 * the ioctls below on it. Every structure is made of __u32 and __u64 only,
 * with explicit padding; user pointers travel as __u64; reserved fields and
 * flags outside each ioctl's mask must be zero (the driver checks them and
 * fails with -EINVAL otherwise), so that they can be given a meaning later.
 * Numbers (ioctls, queries, capability bits) are never reused.
 *
 * Userspace includes this header with libdrm's headers on the include path
 * (pkg-config libdrm), as for the kernel's own accel uAPI headers.
 * docs/uapi.md explains the interface and its errors.
 */
#ifndef __UAPI_LOOM_ACCEL_H__
#define __UAPI_LOOM_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_LOOM_DRIVER_MAJOR	0
#define DRM_LOOM_DRIVER_MINOR	1

#define DRM_LOOM_INFO		0x00

#define DRM_IOCTL_LOOM_INFO						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_INFO, struct drm_loom_info)

/**
 * DOC: INFO queries
 *
 * DRM_IOCTL_LOOM_INFO answers one query per call. The caller names the
 * query in &drm_loom_info.query and points &drm_loom_info.data_ptr at a
 * buffer of &drm_loom_info.data_size bytes for the query's structure. The
 * driver writes at most data_size bytes and returns in data_size the
 * number it wrote. A structure may grow at its end in a later version of
 * the driver; a buffer at least as large as the first version of the
 * structure is always accepted (the fields the caller does not know about
 * are simply not written), a smaller one is not.
 *
 * Queries that follow DRM_LOOM_INFO_HW_IP take the next numbers: DRAM
 * usage, device status, utilisation, clocks, power, energy, temperatures,
 * throttling, reset count, hardware events, open statistics.
 */

/**
 * enum drm_loom_info_query - what DRM_IOCTL_LOOM_INFO returns
 * @DRM_LOOM_INFO_HW_IP: the device's identity, sizes and engine counts,
 *	in a &struct drm_loom_info_hw_ip.
 * @DRM_LOOM_INFO_DRAM_USAGE: DRAM in use, &struct drm_loom_info_dram_usage.
 * @DRM_LOOM_INFO_DEVICE_STATUS: operational, in reset or gone, and which
 *	queues are idle: &struct drm_loom_info_device_status.
 * @DRM_LOOM_INFO_UTILIZATION: busy share per engine class,
 *	&struct drm_loom_info_utilization.
 * @DRM_LOOM_INFO_CLOCKS: current and highest clocks,
 *	&struct drm_loom_info_clocks.
 * @DRM_LOOM_INFO_POWER: power now, on average, peak, and its limits:
 *	&struct drm_loom_info_power.
 * @DRM_LOOM_INFO_ENERGY: energy since power-on, &struct drm_loom_info_energy.
 * @DRM_LOOM_INFO_TEMPERATURE: every sensor, &struct drm_loom_info_temperature.
 * @DRM_LOOM_INFO_THROTTLE: throttle reasons and when they began and ended,
 *	&struct drm_loom_info_throttle.
 * @DRM_LOOM_INFO_RESET_COUNT: resets, &struct drm_loom_info_reset_count.
 * @DRM_LOOM_INFO_HW_EVENTS: event counters and the calling file's last
 *	page fault, &struct drm_loom_info_hw_events.
 * @DRM_LOOM_INFO_OPEN_STATS: open files, &struct drm_loom_info_open_stats.
 */
enum drm_loom_info_query {
	DRM_LOOM_INFO_HW_IP = 0,
	DRM_LOOM_INFO_DRAM_USAGE = 1,
	DRM_LOOM_INFO_DEVICE_STATUS = 2,
	DRM_LOOM_INFO_UTILIZATION = 3,
	DRM_LOOM_INFO_CLOCKS = 4,
	DRM_LOOM_INFO_POWER = 5,
	DRM_LOOM_INFO_ENERGY = 6,
	DRM_LOOM_INFO_TEMPERATURE = 7,
	DRM_LOOM_INFO_THROTTLE = 8,
	DRM_LOOM_INFO_RESET_COUNT = 9,
	DRM_LOOM_INFO_HW_EVENTS = 10,
	DRM_LOOM_INFO_OPEN_STATS = 11,
};

/* Flags of DRM_IOCTL_LOOM_INFO: none yet. */
#define DRM_LOOM_INFO_FLAGS_MASK	0x0U

/**
 * struct drm_loom_info - arguments of DRM_IOCTL_LOOM_INFO
 */
struct drm_loom_info {
	/** @query: one of &enum drm_loom_info_query; others give -EINVAL. */
	__u32 query;

	/** @flags: must be 0 (no bit of DRM_LOOM_INFO_FLAGS_MASK is defined). */
	__u32 flags;

	/**
	 * @data_ptr: user pointer to the query's structure. An address the
	 * driver cannot write gives -EFAULT.
	 */
	__u64 data_ptr;

	/**
	 * @data_size: in: size of the buffer at @data_ptr in bytes, at least
	 * the size of the first version of the query's structure (-EINVAL
	 * otherwise); out: the number of bytes the driver wrote.
	 */
	__u32 data_size;

	/** @pad: must be 0. */
	__u32 pad;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/*
 * Capability bits of &drm_loom_info_hw_ip.caps: what the device can do,
 * as the driver exposes it.
 */
/* The MME multiplies bf16 inputs (fp32 accumulation). */
#define DRM_LOOM_CAP_MME_BF16		(1ULL << 0)
/* Device virtual memory can be mapped with 2 MiB pages. */
#define DRM_LOOM_CAP_PAGE_2M		(1ULL << 1)
/* The vector cores (TPC) run kernels. */
#define DRM_LOOM_CAP_TPC		(1ULL << 2)
/* The firmware reports power, energy, temperatures and clocks. */
#define DRM_LOOM_CAP_TELEMETRY		(1ULL << 3)

/**
 * struct drm_loom_info_hw_ip - answer of DRM_LOOM_INFO_HW_IP
 *
 * Read from the device's identification registers when the query runs,
 * except @fw_version, which the firmware reported through its mailbox when
 * the driver bound the device.
 */
struct drm_loom_info_hw_ip {
	/** @vendor_id: the device's vendor id register (0x1e7a). */
	__u32 vendor_id;

	/** @device_id: the device id register (0x0a01). */
	__u32 device_id;

	/** @revision: hardware revision (1). */
	__u32 revision;

	/** @fw_version: firmware version, major << 16 | minor. */
	__u32 fw_version;

	/** @dram_size: device DRAM in bytes. */
	__u64 dram_size;

	/** @caps: DRM_LOOM_CAP_* bits. */
	__u64 caps;

	/** @num_queues: engine queues (command processors). */
	__u32 num_queues;

	/** @num_dma: DMA engines. */
	__u32 num_dma;

	/** @num_mme: matrix engines. */
	__u32 num_mme;

	/** @num_tpc: vector cores. */
	__u32 num_tpc;

	/** @num_sobs: sync objects of the sync manager. */
	__u32 num_sobs;

	/** @num_monitors: monitors of the sync manager. */
	__u32 num_monitors;

	/** @num_asids: hardware contexts, ASID 0 (never valid) included. */
	__u32 num_asids;

	/** @va_bits: width of a device virtual address. */
	__u32 va_bits;

	/** @reserved: 0. */
	__u64 reserved[4];
};

/* ---- INFO queries after HW_IP, and events (DRM_IOCTL_LOOM_EVENTFD) ---- */

/*
 * Sizes of the fixed arrays of the INFO answers below. A query says how
 * many entries are in use (num_*); the others are 0.
 */
#define DRM_LOOM_MAX_ENGINES		8
#define DRM_LOOM_MAX_CLOCKS		8
#define DRM_LOOM_MAX_SENSORS		8
#define DRM_LOOM_MAX_THROTTLE		8
#define DRM_LOOM_MAX_EVENT_TYPES	16

/* Engine classes: index of &drm_loom_info_utilization's arrays. */
#define DRM_LOOM_ENGINE_DMA		0	/* all DMA engines together */
#define DRM_LOOM_ENGINE_MME		1
#define DRM_LOOM_ENGINE_TPC		2	/* all vector cores together */
#define DRM_LOOM_ENGINE_CP		3	/* command processors (packet handling) */

/* Clock domains: index of &drm_loom_info_clocks' arrays. */
#define DRM_LOOM_CLOCK_CORE		0	/* MME, TPC and CP */
#define DRM_LOOM_CLOCK_DMA		1
#define DRM_LOOM_CLOCK_HBM		2

/* Temperature sensors: index of &drm_loom_info_temperature.temp_mk. */
#define DRM_LOOM_SENSOR_DIE		0	/* hottest point of the die */
#define DRM_LOOM_SENSOR_MME		1
#define DRM_LOOM_SENSOR_HBM		2
#define DRM_LOOM_SENSOR_BOARD		3

/* Throttle reasons: bits of &drm_loom_info_throttle.reasons. */
#define DRM_LOOM_THROTTLE_POWER		(1U << 0)	/* over the power limit */
#define DRM_LOOM_THROTTLE_THERMAL	(1U << 1)	/* die over the temperature limit */

/**
 * struct drm_loom_info_dram_usage - answer of DRM_LOOM_INFO_DRAM_USAGE
 */
struct drm_loom_info_dram_usage {
	/** @dram_size: device DRAM in bytes. */
	__u64 dram_size;

	/** @dram_used: bytes of DRAM in buffer objects, all files together. */
	__u64 dram_used;

	/** @dram_free: bytes of DRAM not in buffer objects. */
	__u64 dram_free;

	/** @reserved: 0. */
	__u64 reserved[4];
};

/* &drm_loom_info_device_status.status */
#define DRM_LOOM_DEVICE_STATUS_OPERATIONAL	0	/* runs work */
#define DRM_LOOM_DEVICE_STATUS_IN_RESET		1	/* a device reset is in progress */
#define DRM_LOOM_DEVICE_STATUS_GONE		2	/* the device stopped answering */

/* &drm_loom_info_device_status.status_flags */
#define DRM_LOOM_DEVICE_FLAG_THROTTLED	(1U << 0)	/* the core clock is lowered now */

/**
 * struct drm_loom_info_device_status - answer of DRM_LOOM_INFO_DEVICE_STATUS
 *
 * Read from the device's registers when the query runs.
 */
struct drm_loom_info_device_status {
	/** @status: one of DRM_LOOM_DEVICE_STATUS_*. */
	__u32 status;

	/** @status_flags: DRM_LOOM_DEVICE_FLAG_* bits. */
	__u32 status_flags;

	/**
	 * @idle_mask: bit q set: queue q has nothing to run (not busy, no
	 * ring entry pending), whether or not it is in use. All bits of the
	 * device's queues set: the device is idle.
	 */
	__u64 idle_mask;

	/** @halted_mask: bit q set: queue q stopped on an error. */
	__u64 halted_mask;

	/** @enabled_mask: bit q set: queue q is enabled (in use). */
	__u64 enabled_mask;

	/** @heartbeat: the firmware's heartbeat counter (+1 per tick). */
	__u32 heartbeat;

	/** @pad: 0. */
	__u32 pad;

	/** @timestamp_ns: device clock in ns, as of the firmware's last tick. */
	__u64 timestamp_ns;

	/** @reserved: 0. */
	__u64 reserved[4];
};

/**
 * struct drm_loom_info_utilization - answer of DRM_LOOM_INFO_UTILIZATION
 *
 * From the firmware's telemetry, as of its last tick.
 */
struct drm_loom_info_utilization {
	/** @num_engines: entries in use in the arrays (4: DRM_LOOM_ENGINE_*). */
	__u32 num_engines;

	/** @pad: 0. */
	__u32 pad;

	/** @timestamp_ns: device time of the tick the values describe. */
	__u64 timestamp_ns;

	/**
	 * @util_pct: busy share of the last firmware tick per engine class,
	 * 0..100, index DRM_LOOM_ENGINE_*.
	 */
	__u32 util_pct[DRM_LOOM_MAX_ENGINES];

	/** @busy_ns: busy time since power-on per engine class, in ns. */
	__u64 busy_ns[DRM_LOOM_MAX_ENGINES];

	/** @reserved: 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_info_clocks - answer of DRM_LOOM_INFO_CLOCKS
 */
struct drm_loom_info_clocks {
	/** @num_clocks: entries in use in the arrays (3: DRM_LOOM_CLOCK_*). */
	__u32 num_clocks;

	/** @pad: 0. */
	__u32 pad;

	/** @cur_mhz: current clock per domain in MHz (throttling lowers the core's). */
	__u32 cur_mhz[DRM_LOOM_MAX_CLOCKS];

	/** @max_mhz: highest clock per domain in MHz. */
	__u32 max_mhz[DRM_LOOM_MAX_CLOCKS];

	/** @reserved: 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_info_power - answer of DRM_LOOM_INFO_POWER
 *
 * Power in milliwatts, from the firmware's telemetry and limits.
 */
struct drm_loom_info_power {
	/** @power_mw: power over the firmware's last tick (50 ms). */
	__u32 power_mw;

	/**
	 * @average_mw: average power over the driver's averaging window:
	 * the energy used between the window's start (a sample at least
	 * 1 s old) and now, divided by the time; @power_mw until such a
	 * sample exists.
	 */
	__u32 average_mw;

	/** @peak_mw: highest tick power since the device powered on. */
	__u32 peak_mw;

	/** @limit_mw: power limit in force (hwmon power1_cap sets it). */
	__u32 limit_mw;

	/** @default_limit_mw: the limit after power-on (TDP). */
	__u32 default_limit_mw;

	/** @min_limit_mw: lowest limit the device accepts. */
	__u32 min_limit_mw;

	/** @max_limit_mw: highest limit the device accepts. */
	__u32 max_limit_mw;

	/** @idle_mw: power of the idle device. */
	__u32 idle_mw;

	/** @timestamp_ns: device time of the tick the values describe. */
	__u64 timestamp_ns;

	/** @reserved: 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_info_energy - answer of DRM_LOOM_INFO_ENERGY
 */
struct drm_loom_info_energy {
	/**
	 * @energy_mj: energy the device used since it powered on, in
	 * millijoules; never decreases (a device reset does not clear it).
	 */
	__u64 energy_mj;

	/** @timestamp_ns: device time up to which @energy_mj is counted. */
	__u64 timestamp_ns;

	/** @reserved: 0. */
	__u64 reserved[2];
};

/* 0 °C in millikelvin: millidegrees Celsius = mK - DRM_LOOM_MK_0C. */
#define DRM_LOOM_MK_0C			273150

/**
 * struct drm_loom_info_temperature - answer of DRM_LOOM_INFO_TEMPERATURE
 *
 * Temperatures in millikelvin (unsigned; subtract DRM_LOOM_MK_0C for
 * millidegrees Celsius).
 */
struct drm_loom_info_temperature {
	/** @num_sensors: entries in use in @temp_mk (4: DRM_LOOM_SENSOR_*). */
	__u32 num_sensors;

	/** @pad: 0. */
	__u32 pad;

	/** @temp_mk: each sensor the firmware reports, index DRM_LOOM_SENSOR_*, in mK. */
	__u32 temp_mk[DRM_LOOM_MAX_SENSORS];

	/** @peak_mk: hottest die reading since the device powered on, in mK. */
	__u32 peak_mk;

	/** @limit_mk: die temperature above which the clock is throttled, in mK. */
	__u32 limit_mk;

	/** @ambient_mk: the card's ambient temperature, in mK. */
	__u32 ambient_mk;

	/** @pad2: 0. */
	__u32 pad2;

	/** @timestamp_ns: device time of the tick the values describe. */
	__u64 timestamp_ns;

	/** @reserved: 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_info_throttle - answer of DRM_LOOM_INFO_THROTTLE
 *
 * The arrays are indexed by the bit number of the reason
 * (DRM_LOOM_THROTTLE_POWER: 0, DRM_LOOM_THROTTLE_THERMAL: 1). Times are
 * the device clock in ns.
 */
struct drm_loom_info_throttle {
	/** @reasons: DRM_LOOM_THROTTLE_* active now. */
	__u32 reasons;

	/** @num_reasons: entries in use in the arrays (2). */
	__u32 num_reasons;

	/** @start_ns: when each reason last began; 0: never. */
	__u64 start_ns[DRM_LOOM_MAX_THROTTLE];

	/** @end_ns: when it last ended; 0: never, or active now. */
	__u64 end_ns[DRM_LOOM_MAX_THROTTLE];

	/** @total_ns: time spent throttled for that reason since power-on. */
	__u64 total_ns[DRM_LOOM_MAX_THROTTLE];

	/** @timestamp_ns: device time of the tick the values describe. */
	__u64 timestamp_ns;

	/** @reserved: 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_info_reset_count - answer of DRM_LOOM_INFO_RESET_COUNT
 */
struct drm_loom_info_reset_count {
	/**
	 * @device_resets: device resets the driver made to recover (a hang
	 * it could not clear otherwise) since it bound the device.
	 */
	__u32 device_resets;

	/** @queue_resets: queue resets the driver made after a job failed or hung. */
	__u32 queue_resets;

	/**
	 * @hw_resets: device resets since the device powered on, as the
	 * device counts them (the driver resets it once when it binds).
	 */
	__u32 hw_resets;

	/** @pad: 0. */
	__u32 pad;

	/** @reserved: 0. */
	__u64 reserved[2];
};

/*
 * Event types: &drm_loom_event.type, and the index of
 * &drm_loom_info_hw_events.counts.
 */
#define DRM_LOOM_EVENT_PAGE_FAULT	1	/* a VA of the file's context was not mapped */
#define DRM_LOOM_EVENT_QUEUE_ERROR	2	/* a queue stopped on an error (info: DRM_LOOM_JOB_*) */
#define DRM_LOOM_EVENT_HANG		3	/* a queue's WAIT timed out */
#define DRM_LOOM_EVENT_ECC_CORRECTABLE	4	/* addr: device PA */
#define DRM_LOOM_EVENT_ECC_UNCORRECTABLE 5	/* addr: device PA */
#define DRM_LOOM_EVENT_THROTTLE		6	/* info: DRM_LOOM_THROTTLE_* now active */
#define DRM_LOOM_EVENT_HEARTBEAT	7	/* counted, never delivered to files */
#define DRM_LOOM_EVENT_RESET		8	/* a device reset finished */

/* Page fault causes: &drm_loom_event.info, &drm_loom_info_hw_events.pf_cause. */
#define DRM_LOOM_FAULT_NOT_PRESENT	1	/* nothing mapped at the VA */
#define DRM_LOOM_FAULT_WRITE		2	/* a write to a read-only mapping */
#define DRM_LOOM_FAULT_BAD_PA		3
#define DRM_LOOM_FAULT_ASID		4	/* the context was not enabled */
#define DRM_LOOM_FAULT_NONCANONICAL	5	/* VA beyond 48 bits */

/**
 * struct drm_loom_info_hw_events - answer of DRM_LOOM_INFO_HW_EVENTS
 *
 * Counters of the events the device posted to the driver since it bound
 * the device, and the calling file's last page fault.
 */
struct drm_loom_info_hw_events {
	/** @counts: events received per type, index DRM_LOOM_EVENT_*. */
	__u64 counts[DRM_LOOM_MAX_EVENT_TYPES];

	/** @total: all events received. */
	__u64 total;

	/**
	 * @lost: events the driver never saw: overwritten in its event
	 * queue before it read them, or dropped by the device (EQ_LOST).
	 */
	__u64 lost;

	/** @pf_count: page faults in the calling file's context. */
	__u64 pf_count;

	/** @pf_va: VA of the file's last page fault (0 if @pf_count is 0). */
	__u64 pf_va;

	/** @pf_timestamp_ns: device time of that fault. */
	__u64 pf_timestamp_ns;

	/** @pf_cause: DRM_LOOM_FAULT_* of that fault. */
	__u32 pf_cause;

	/** @pf_queue: queue that faulted (DRM_LOOM_EVENT_QUEUE_NONE: none). */
	__u32 pf_queue;

	/** @reserved: 0. */
	__u64 reserved[4];
};

/**
 * struct drm_loom_info_open_stats - answer of DRM_LOOM_INFO_OPEN_STATS
 */
struct drm_loom_info_open_stats {
	/** @open_files: files of this device open now, the caller's included. */
	__u32 open_files;

	/** @pad: 0. */
	__u32 pad;

	/** @total_opens: opens since the driver bound the device. */
	__u64 total_opens;

	/**
	 * @last_open_ns: CLOCK_REALTIME of the latest open, in ns; 0 unless
	 * the caller has CAP_PERFMON or CAP_SYS_ADMIN (other users' opens
	 * are theirs).
	 */
	__u64 last_open_ns;

	/**
	 * @last_close_ns: CLOCK_REALTIME of the latest close; 0: none yet,
	 * or the caller has neither CAP_PERFMON nor CAP_SYS_ADMIN.
	 */
	__u64 last_close_ns;

	/** @reserved: 0. */
	__u64 reserved[2];
};

#define DRM_LOOM_EVENTFD	0x0a

#define DRM_IOCTL_LOOM_EVENTFD						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_EVENTFD, struct drm_loom_eventfd)

/**
 * DOC: events
 *
 * The driver keeps, per open file, a list of the device's events that
 * concern it: those of its own context (page faults, queue errors, hangs,
 * ECC errors in its memory) and the device-wide ones (thermal and power
 * throttling, device resets, ECC errors). Heartbeats are only counted.
 * The list holds DRM_LOOM_EVENT_QUEUE_DEPTH records; when it is full,
 * newer events are dropped and counted in &drm_loom_eventfd.lost.
 *
 * DRM_IOCTL_LOOM_EVENTFD registers an eventfd that the driver signals
 * whenever it adds to the file's list (DRM_LOOM_EVENTFD_OP_REGISTER,
 * one per file), unregisters it (DRM_LOOM_EVENTFD_OP_UNREGISTER), and
 * takes records from the list (DRM_LOOM_EVENTFD_OP_READ), oldest first.
 */
#define DRM_LOOM_EVENTFD_OP_REGISTER	0
#define DRM_LOOM_EVENTFD_OP_UNREGISTER	1
#define DRM_LOOM_EVENTFD_OP_READ	2

/* Flags of DRM_IOCTL_LOOM_EVENTFD: none yet. */
#define DRM_LOOM_EVENTFD_FLAGS_MASK	0x0U

/* Records a file's list holds. */
#define DRM_LOOM_EVENT_QUEUE_DEPTH	64

/* &drm_loom_event.queue when the event is about no queue. */
#define DRM_LOOM_EVENT_QUEUE_NONE	0xffffffffU

/* &drm_loom_event.flags: the event is device-wide, not the file's own. */
#define DRM_LOOM_EVENT_F_DEVICE		(1U << 0)

/**
 * struct drm_loom_event - one event record (DRM_LOOM_EVENTFD_OP_READ)
 */
struct drm_loom_event {
	/** @type: DRM_LOOM_EVENT_*. */
	__u32 type;

	/** @queue: the queue concerned, or DRM_LOOM_EVENT_QUEUE_NONE. */
	__u32 queue;

	/**
	 * @info: per type: DRM_LOOM_FAULT_* for a page fault, the device's
	 * error code (docs/hw-spec.md 4.3) for a queue error or a hang,
	 * DRM_LOOM_THROTTLE_* for throttling, 0 otherwise.
	 */
	__u32 info;

	/** @flags: DRM_LOOM_EVENT_F_* bits. */
	__u32 flags;

	/**
	 * @addr: per type: the faulting VA, the VA of the failing packet,
	 * the device PA of an ECC error, 0 otherwise.
	 */
	__u64 addr;

	/** @timestamp_ns: device time of the event. */
	__u64 timestamp_ns;
};

/**
 * struct drm_loom_eventfd - arguments of DRM_IOCTL_LOOM_EVENTFD
 */
struct drm_loom_eventfd {
	/** @op: DRM_LOOM_EVENTFD_OP_*; others give -EINVAL. */
	__u32 op;

	/**
	 * @fd: OP_REGISTER: an eventfd (-EBADF if not an open file, -EINVAL
	 * if not an eventfd). Other ops: must be 0.
	 */
	__u32 fd;

	/** @flags: must be 0 (no bit of DRM_LOOM_EVENTFD_FLAGS_MASK is defined). */
	__u32 flags;

	/**
	 * @count: OP_READ: in: room for records at @events_ptr (0 is
	 * allowed: only @pending is reported); out: records written.
	 * Other ops: must be 0.
	 */
	__u32 count;

	/**
	 * @events_ptr: OP_READ: user pointer to an array of
	 * &struct drm_loom_event (-EFAULT if it cannot be written). Other
	 * ops: must be 0.
	 */
	__u64 events_ptr;

	/** @pending: out (OP_READ): records still in the list after this read. */
	__u32 pending;

	/**
	 * @lost: out (OP_READ): records dropped because the list was full
	 * since the previous OP_READ.
	 */
	__u32 lost;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/* ---- Memory: buffer objects and the device VA space (GEM, VM_BIND) ---- */

#define DRM_LOOM_GEM_CREATE	0x01
#define DRM_LOOM_GEM_USERPTR	0x02
#define DRM_LOOM_GEM_INFO	0x03
#define DRM_LOOM_VM_BIND	0x04

#define DRM_IOCTL_LOOM_GEM_CREATE					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_GEM_CREATE, struct drm_loom_gem_create)
#define DRM_IOCTL_LOOM_GEM_USERPTR					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_GEM_USERPTR, struct drm_loom_gem_userptr)
#define DRM_IOCTL_LOOM_GEM_INFO						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_GEM_INFO, struct drm_loom_gem_info)
#define DRM_IOCTL_LOOM_VM_BIND						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_VM_BIND, struct drm_loom_vm_bind)

/**
 * DOC: device virtual memory
 *
 * Each open file has its own device virtual address space (a hardware
 * context, one ASID). Memory becomes visible to the device only by being
 * bound into it with DRM_IOCTL_LOOM_VM_BIND. Userspace may bind at VAs in
 * [DRM_LOOM_VA_USER_START, DRM_LOOM_VA_USER_END); the rest belongs to the
 * driver. Pages are 4 KiB (DRM_LOOM_PAGE_SIZE); the driver uses 2 MiB
 * device pages where the VA and the memory allow.
 */
#define DRM_LOOM_PAGE_SIZE		0x1000ULL
#define DRM_LOOM_VA_USER_START		(1ULL << 21)
#define DRM_LOOM_VA_USER_END		((1ULL << 48) - (4ULL << 30))

/*
 * Buffer object placement and kind (&drm_loom_gem_create.flags, and
 * &drm_loom_gem_info.bo_flags which also reports the last two).
 */
/* Device DRAM; CPU-mappable (write-combined) through the PCI BAR. */
#define DRM_LOOM_BO_DRAM		(1U << 0)
/* System memory the device reaches over PCIe; CPU-mappable (cached). */
#define DRM_LOOM_BO_HOST		(1U << 1)
/* GEM_INFO only: the object wraps user memory (DRM_IOCTL_LOOM_GEM_USERPTR). */
#define DRM_LOOM_BO_USERPTR		(1U << 2)
/* GEM_INFO only: the device may only read the object. */
#define DRM_LOOM_BO_READONLY		(1U << 3)
/*
 * GEM_INFO only: the object is a dma-buf of another exporter taken in with
 * DRM_IOCTL_PRIME_FD_TO_HANDLE (system memory, not mappable through the
 * device file: map the dma-buf itself).
 */
#define DRM_LOOM_BO_IMPORTED		(1U << 4)
#define DRM_LOOM_BO_CREATE_MASK		(DRM_LOOM_BO_DRAM | DRM_LOOM_BO_HOST)

/**
 * struct drm_loom_gem_create - arguments of DRM_IOCTL_LOOM_GEM_CREATE
 *
 * Creates a buffer object of zeroed memory and returns a handle local to
 * the calling file.
 */
struct drm_loom_gem_create {
	/**
	 * @size: in: bytes, > 0; rounded up to DRM_LOOM_PAGE_SIZE.
	 * Out: the rounded size.
	 */
	__u64 size;

	/** @flags: exactly one of DRM_LOOM_BO_DRAM and DRM_LOOM_BO_HOST. */
	__u32 flags;

	/** @handle: out: the object's GEM handle (never 0). */
	__u32 handle;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/* &drm_loom_gem_userptr.flags: the device may only read the memory. */
#define DRM_LOOM_USERPTR_READONLY	(1U << 0)
#define DRM_LOOM_USERPTR_FLAGS_MASK	DRM_LOOM_USERPTR_READONLY

/**
 * struct drm_loom_gem_userptr - arguments of DRM_IOCTL_LOOM_GEM_USERPTR
 *
 * Wraps anonymous or file-backed user memory in a buffer object. The
 * pages are pinned until the object is freed. Such an object cannot be
 * mmapped through the device file (its memory is already the caller's).
 */
struct drm_loom_gem_userptr {
	/** @user_ptr: start of the memory, DRM_LOOM_PAGE_SIZE aligned. */
	__u64 user_ptr;

	/** @size: bytes, > 0, a multiple of DRM_LOOM_PAGE_SIZE. */
	__u64 size;

	/** @flags: DRM_LOOM_USERPTR_* bits. */
	__u32 flags;

	/** @handle: out: the object's GEM handle. */
	__u32 handle;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_gem_info - arguments of DRM_IOCTL_LOOM_GEM_INFO
 */
struct drm_loom_gem_info {
	/** @handle: in: a GEM handle of the calling file. */
	__u32 handle;

	/** @flags: in: must be 0. */
	__u32 flags;

	/** @size: out: the object's size in bytes. */
	__u64 size;

	/** @bo_flags: out: DRM_LOOM_BO_* bits describing the object. */
	__u64 bo_flags;

	/**
	 * @mmap_offset: out: the offset to pass to mmap() on the device file
	 * to map the object; 0 for userptr objects, which cannot be mapped.
	 */
	__u64 mmap_offset;

	/** @reserved: in: must be 0 (-EINVAL otherwise); out: 0. */
	__u64 reserved[2];
};

#define DRM_LOOM_VM_BIND_OP_MAP		0
#define DRM_LOOM_VM_BIND_OP_UNMAP	1

/* MAP at &drm_loom_vm_bind.va instead of letting the driver choose. */
#define DRM_LOOM_VM_BIND_FIXED		(1U << 0)
/* MAP read-only: device writes fault (LOOM_FAULT_WRITE). */
#define DRM_LOOM_VM_BIND_READONLY	(1U << 1)
#define DRM_LOOM_VM_BIND_FLAGS_MASK	(DRM_LOOM_VM_BIND_FIXED | DRM_LOOM_VM_BIND_READONLY)

/**
 * struct drm_loom_vm_bind - arguments of DRM_IOCTL_LOOM_VM_BIND
 *
 * MAP makes @size bytes of a buffer object, from @bo_offset, visible to
 * the device at a VA of the calling file's address space; the mapping
 * holds a reference on the object, so closing the handle does not free
 * memory the device can still reach. UNMAP removes one mapping, named by
 * the VA MAP returned.
 */
struct drm_loom_vm_bind {
	/** @op: DRM_LOOM_VM_BIND_OP_MAP or DRM_LOOM_VM_BIND_OP_UNMAP. */
	__u32 op;

	/** @flags: MAP: DRM_LOOM_VM_BIND_* bits; UNMAP: must be 0. */
	__u32 flags;

	/** @handle: MAP: the object's GEM handle; UNMAP: must be 0. */
	__u32 handle;

	/** @pad: must be 0. */
	__u32 pad;

	/**
	 * @bo_offset: MAP: offset in the object, DRM_LOOM_PAGE_SIZE aligned,
	 * with @bo_offset + @size not beyond the object; UNMAP: must be 0.
	 */
	__u64 bo_offset;

	/**
	 * @size: MAP: bytes to map, > 0, a multiple of DRM_LOOM_PAGE_SIZE.
	 * UNMAP: 0, or the size of the mapping at @va.
	 */
	__u64 size;

	/**
	 * @va: MAP with DRM_LOOM_VM_BIND_FIXED: in: where to map, aligned,
	 * inside [DRM_LOOM_VA_USER_START, DRM_LOOM_VA_USER_END). MAP without
	 * it: out: the VA the driver chose (2 MiB aligned when @size is at
	 * least 2 MiB). UNMAP: in: the start of a mapping.
	 */
	__u64 va;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/* ---- Work: queues, submission, completion (QUEUE_*, SUBMIT, WAIT) ---- */

#define DRM_LOOM_QUEUE_CREATE	0x05
#define DRM_LOOM_QUEUE_DESTROY	0x06
#define DRM_LOOM_SUBMIT		0x07
#define DRM_LOOM_WAIT		0x08

#define DRM_IOCTL_LOOM_QUEUE_CREATE					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_QUEUE_CREATE, struct drm_loom_queue_create)
#define DRM_IOCTL_LOOM_QUEUE_DESTROY					\
	DRM_IOW(DRM_COMMAND_BASE + DRM_LOOM_QUEUE_DESTROY, struct drm_loom_queue_destroy)
#define DRM_IOCTL_LOOM_SUBMIT						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_SUBMIT, struct drm_loom_submit)
#define DRM_IOCTL_LOOM_WAIT						\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_WAIT, struct drm_loom_wait)

/**
 * DOC: queues and submission
 *
 * A queue is one of the device's hardware queues, running in the calling
 * file's context. Work is a command buffer (CB) of the packets of
 * hw/loom_packets.h in user memory: DRM_IOCTL_LOOM_SUBMIT copies and
 * checks it, and the device runs the copy; jobs of one queue run one after
 * the other in submission order. Each job gets a sequence number (1, 2,
 * ... per queue) and a fence; DRM_IOCTL_LOOM_WAIT waits for a sequence
 * number and returns the job's status (a LOOM_ERR_* code of the hardware,
 * 0 for success). Each queue has a sync object (SOB) of the device that
 * reads the sequence number of the queue's last finished job (successful
 * or not); a CB of another queue of the same file may WAIT on it.
 * docs/uapi.md has the rules a CB must follow and every error.
 */

/* Queues a file may have at once (QUEUE_CREATE fails with -ENOSPC beyond). */
#define DRM_LOOM_QUEUES_PER_FILE	8
/* Largest CB DRM_IOCTL_LOOM_SUBMIT accepts, in bytes. */
#define DRM_LOOM_CB_MAX_SIZE		(64U << 10)
/* Most in-syncobjs per submission. */
#define DRM_LOOM_MAX_IN_SYNCOBJS	64
/* Jobs a queue holds submitted and not finished (SUBMIT: -EBUSY beyond). */
#define DRM_LOOM_QUEUE_MAX_JOBS		128
/*
 * &drm_loom_wait.status of a job so old that the driver no longer knows
 * its status (it remembers the last DRM_LOOM_QUEUE_STATUS_HISTORY jobs).
 */
#define DRM_LOOM_WAIT_STATUS_UNKNOWN	0xffffffffU
#define DRM_LOOM_QUEUE_STATUS_HISTORY	4096

/*
 * A job's status (&drm_loom_wait.status; the info of
 * DRM_LOOM_EVENT_QUEUE_ERROR): 0, or the device's error code the job
 * failed with (the hardware's LOOM_ERR_*, hw/loom_packets.h, by the same
 * numbers).
 */
#define DRM_LOOM_JOB_OK			0
#define DRM_LOOM_JOB_BAD_PACKET		1	/* unknown opcode, wrong length, bad flags */
#define DRM_LOOM_JOB_PAGE_FAULT		2	/* a VA not mapped in the context */
#define DRM_LOOM_JOB_PERMISSION		3	/* a write to a read-only mapping */
#define DRM_LOOM_JOB_PRIV		4	/* a privileged register write */
#define DRM_LOOM_JOB_BAD_ARG		5	/* packet fields out of range */
#define DRM_LOOM_JOB_TIMEOUT		6	/* a WAIT ran out of time, or the job hung */
#define DRM_LOOM_JOB_UNSUPPORTED	7	/* an opcode the device does not implement */
#define DRM_LOOM_JOB_ABORTED		8	/* cancelled (reset, destroy) or not run */
#define DRM_LOOM_JOB_BAD_CB		9	/* the ring entry or the CB was unreadable */
#define DRM_LOOM_JOB_BAD_ASID		10	/* the queue's context was not enabled */
#define DRM_LOOM_JOB_STOPPED		11	/* a STOP packet */
#define DRM_LOOM_JOB_TPC_ILLEGAL	12	/* a TPC core ran an illegal instruction */
#define DRM_LOOM_JOB_TPC_OOB		13	/* a TPC access out of bounds */
#define DRM_LOOM_JOB_TPC_TIMEOUT	14	/* a TPC kernel outran its watchdog */

/* Flags of QUEUE_CREATE and QUEUE_DESTROY: none yet. */
#define DRM_LOOM_QUEUE_CREATE_FLAGS_MASK	0x0U
#define DRM_LOOM_QUEUE_DESTROY_FLAGS_MASK	0x0U
/*
 * SUBMIT: the syncobjs are timelines: &drm_loom_submit.in_points and
 * &drm_loom_submit.out_point name their points (DRIVER_SYNCOBJ_TIMELINE;
 * the DRM core's timeline ioctls work on the node).
 */
#define DRM_LOOM_SUBMIT_TIMELINE		(1U << 0)
#define DRM_LOOM_SUBMIT_FLAGS_MASK		DRM_LOOM_SUBMIT_TIMELINE
/*
 * WAIT: &drm_loom_wait.timeout_ns is an absolute CLOCK_MONOTONIC time
 * (as drm_syncobj's and ivpu's waits): a wait restarted after a signal
 * keeps its deadline.
 */
#define DRM_LOOM_WAIT_ABSOLUTE			(1U << 0)
#define DRM_LOOM_WAIT_FLAGS_MASK		DRM_LOOM_WAIT_ABSOLUTE

/**
 * struct drm_loom_queue_create - arguments of DRM_IOCTL_LOOM_QUEUE_CREATE
 *
 * Takes a free hardware queue of the device for the calling file and
 * binds it to the file's context.
 */
struct drm_loom_queue_create {
	/** @flags: in: must be 0 (DRM_LOOM_QUEUE_CREATE_FLAGS_MASK). */
	__u32 flags;

	/** @queue_id: out: the queue's id in the calling file (never 0). */
	__u32 queue_id;

	/**
	 * @sob: out: index of the queue's sync object in the device's sync
	 * manager, which is also the index of its hardware queue (the
	 * @queue of struct drm_loom_event). It reads 0 when the queue is
	 * created and, afterwards,
	 * the low 32 bits of the sequence number of the queue's last
	 * finished job: a WAIT packet on @sob with target N in another
	 * queue of the same file waits for job N of this queue.
	 */
	__u32 sob;

	/** @pad: must be 0. */
	__u32 pad;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_queue_destroy - arguments of DRM_IOCTL_LOOM_QUEUE_DESTROY
 *
 * Resets the queue, cancels its unfinished jobs (their fences fail with
 * -ECANCELED, status LOOM_ERR_ABORTED) and gives the hardware queue back.
 */
struct drm_loom_queue_destroy {
	/** @queue_id: in: a queue of the calling file. */
	__u32 queue_id;

	/** @flags: in: must be 0 (DRM_LOOM_QUEUE_DESTROY_FLAGS_MASK). */
	__u32 flags;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/**
 * struct drm_loom_submit - arguments of DRM_IOCTL_LOOM_SUBMIT
 *
 * Copies @cb_size bytes of packets from @cb_ptr, checks them, and queues
 * them as the next job of the queue. The job starts once every earlier
 * job of the queue has finished and the fences of the in-syncobjs have
 * signalled.
 */
struct drm_loom_submit {
	/** @queue_id: in: a queue of the calling file. */
	__u32 queue_id;

	/** @flags: in: DRM_LOOM_SUBMIT_* bits (DRM_LOOM_SUBMIT_FLAGS_MASK); others -EINVAL. */
	__u32 flags;

	/** @cb_ptr: in: user pointer to the CB (any alignment). */
	__u64 cb_ptr;

	/**
	 * @cb_size: in: bytes of the CB, > 0, a multiple of 4, at most
	 * DRM_LOOM_CB_MAX_SIZE.
	 */
	__u32 cb_size;

	/**
	 * @in_syncobj_count: in: number of handles at @in_syncobjs, at most
	 * DRM_LOOM_MAX_IN_SYNCOBJS.
	 */
	__u32 in_syncobj_count;

	/**
	 * @in_syncobjs: in: user pointer to an array of @in_syncobj_count
	 * __u32 syncobj handles, each with a fence (at the point
	 * @in_points names, with DRM_LOOM_SUBMIT_TIMELINE); the job waits
	 * for those fences. Ignored when @in_syncobj_count is 0.
	 */
	__u64 in_syncobjs;

	/**
	 * @out_syncobj: in: a syncobj handle that receives the job's fence,
	 * or 0 for none.
	 */
	__u32 out_syncobj;

	/** @pad: must be 0. */
	__u32 pad;

	/** @seq: out: the job's sequence number in the queue (>= 1). */
	__u64 seq;

	/**
	 * @in_points: in: with DRM_LOOM_SUBMIT_TIMELINE, a user pointer to
	 * @in_syncobj_count __u64 timeline points, one per in-syncobj (0:
	 * the syncobj's current fence, as a binary one's); a point with no
	 * fence yet gives -EINVAL. Without the flag: must be 0.
	 */
	__u64 in_points;

	/**
	 * @out_point: in: with DRM_LOOM_SUBMIT_TIMELINE and @out_syncobj, the
	 * point at which the job's fence joins the out-syncobj's timeline
	 * (0: it replaces the syncobj's fence, as for a binary one). Without
	 * the flag: must be 0.
	 */
	__u64 out_point;
};

/**
 * struct drm_loom_wait - arguments of DRM_IOCTL_LOOM_WAIT
 *
 * Waits until job @seq of the queue has finished, for at most
 * @timeout_ns; -ETIME if it has not by then. A signal interrupts the wait.
 */
struct drm_loom_wait {
	/** @queue_id: in: a queue of the calling file. */
	__u32 queue_id;

	/** @flags: in: DRM_LOOM_WAIT_* bits (DRM_LOOM_WAIT_FLAGS_MASK); others -EINVAL. */
	__u32 flags;

	/** @seq: in: a sequence number SUBMIT returned for the queue. */
	__u64 seq;

	/**
	 * @timeout_ns: in: longest wait in nanoseconds, relative to the
	 * call; 0 only polls. A signal restarts the wait with the full time.
	 * With DRM_LOOM_WAIT_ABSOLUTE: the CLOCK_MONOTONIC time (ns) the
	 * wait ends at; a time already past only polls.
	 */
	__u64 timeout_ns;

	/**
	 * @status: out: the finished job's status: DRM_LOOM_JOB_OK (0) or
	 * the DRM_LOOM_JOB_* code the job failed with, or
	 * DRM_LOOM_WAIT_STATUS_UNKNOWN for a job too old to be remembered.
	 */
	__u32 status;

	/** @pad: must be 0. */
	__u32 pad;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

/* ---- Sharing device memory: DMA-BUF export (EXPORT_DMABUF) and PRIME ---- */

#define DRM_LOOM_EXPORT_DMABUF	0x09

#define DRM_IOCTL_LOOM_EXPORT_DMABUF					\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_LOOM_EXPORT_DMABUF, struct drm_loom_export_dmabuf)

/**
 * DOC: DMA-BUF export of device memory
 *
 * DRM_IOCTL_LOOM_EXPORT_DMABUF makes a range of device DRAM a dma-buf, so
 * that a peer device (an RDMA NIC) can reach it over PCIe without a copy
 * through system memory. The importer gets, for its own device, the bus
 * addresses of the DRAM pages in the Loom device's PCI BAR; it must be
 * able to do peer-to-peer DMA (a dynamic attachment that allows it, as a
 * NIC driver's pinned dma-buf memory region does): a plain importer's
 * attach fails with -EOPNOTSUPP. The dma-buf holds the buffer object, and
 * the memory stays allocated until the dma-buf and every attachment to it
 * are gone, whatever happens to the handle, the mapping or the device
 * file that exported it. Jobs of every context that maps exported DRAM
 * put their fences in the dma-buf's reservation object (write fences, or
 * read fences for read-only mappings): poll() on the dma-buf and
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE wait for them.
 *
 * The range is named either by a buffer object and an offset in it
 * (@handle != 0) or, as Habana's EXPORT_DMABUF_FD does, by a device
 * virtual address range of the calling file's context (@handle == 0),
 * which must lie inside one VM_BIND mapping of a DRAM object. Host and
 * userptr objects are not exported this way (-EOPNOTSUPP): PRIME
 * (DRM_IOCTL_PRIME_HANDLE_TO_FD) exports host objects.
 *
 * PRIME: DRM_IOCTL_PRIME_HANDLE_TO_FD exports a whole DRAM object through
 * the same exporter, a host object as a dma-buf of its pages.
 * DRM_IOCTL_PRIME_FD_TO_HANDLE takes such a dma-buf back on any file of
 * the same device as a buffer object on the same memory (no copy), and a
 * dma-buf of another exporter (udmabuf, a dma-heap, another GPU) as an
 * imported object the device reaches by DMA once it is bound with
 * VM_BIND. docs/uapi.md has the details and every error.
 */

/* &drm_loom_export_dmabuf.flags: the new fd is close-on-exec (O_CLOEXEC). */
#define DRM_LOOM_EXPORT_CLOEXEC		(1U << 0)
/* The dma-buf file is opened read-write (O_RDWR), else read-only. */
#define DRM_LOOM_EXPORT_RDWR		(1U << 1)
#define DRM_LOOM_EXPORT_FLAGS_MASK	(DRM_LOOM_EXPORT_CLOEXEC | DRM_LOOM_EXPORT_RDWR)

/**
 * struct drm_loom_export_dmabuf - arguments of DRM_IOCTL_LOOM_EXPORT_DMABUF
 *
 * Exports [@offset, @offset + @size) of a DRAM buffer object, or of the
 * calling file's device VA space, as a new dma-buf file descriptor.
 */
struct drm_loom_export_dmabuf {
	/**
	 * @handle: in: a GEM handle of the calling file (a DRAM object;
	 * -ENOENT if there is none, -EOPNOTSUPP for a host, userptr or
	 * imported object), or 0 to name the range by device VA.
	 */
	__u32 handle;

	/** @flags: in: DRM_LOOM_EXPORT_* bits; others give -EINVAL. */
	__u32 flags;

	/**
	 * @offset: in: with @handle: byte offset in the object; with
	 * @handle == 0: a device VA of the calling file's context, inside a
	 * VM_BIND mapping (-ENOENT if no mapping holds it). A multiple of
	 * DRM_LOOM_PAGE_SIZE.
	 */
	__u64 offset;

	/**
	 * @size: in: bytes, > 0, a multiple of DRM_LOOM_PAGE_SIZE; the range
	 * must lie inside the object, or inside the one mapping that holds
	 * @offset (-EINVAL otherwise).
	 */
	__u64 size;

	/** @fd: out: the dma-buf's file descriptor. */
	__u32 fd;

	/** @pad: must be 0. */
	__u32 pad;

	/** @reserved: must be 0. */
	__u64 reserved[2];
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_LOOM_ACCEL_H__ */
