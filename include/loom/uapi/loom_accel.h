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
 */
enum drm_loom_info_query {
	DRM_LOOM_INFO_HW_IP = 0,
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

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_LOOM_ACCEL_H__ */
