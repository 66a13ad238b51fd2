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

	/** @reserved: out: 0. */
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

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_LOOM_ACCEL_H__ */
