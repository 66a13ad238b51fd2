/* SPDX-License-Identifier: MIT */
/*
 * What loom_gem and loom_vm share: buffer objects (GEM_CREATE,
 * GEM_USERPTR, GEM_INFO, GEM_CLOSE, their mmap), VM_BIND's MAP and
 * UNMAP, the DRAM's size, and patterns to fill memory with and check.
 * Helpers come in pairs as in loom_igt.h: __name() returns 0 or -errno,
 * name() asserts that it succeeded.
 */
#ifndef LOOM_GEM_COMMON_H
#define LOOM_GEM_COMMON_H

#include <stdint.h>

#include "loom_igt.h"

#define PAGE		4096ULL
#define MIB		(1ULL << 20)

int __gem_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle);
uint32_t gem_create(int fd, uint64_t size, uint32_t flags);
int __gem_userptr(int fd, void *ptr, uint64_t size, uint32_t flags, uint32_t *handle);
/* GEM_INFO of handle into info (its other fields filled with 0xa5 first). */
int __gem_info(int fd, uint32_t handle, struct drm_loom_gem_info *info);
int __gem_close(int fd, uint32_t handle);
/* mmap the first size bytes of an object; *err (if not NULL): 0 or errno. */
void *gem_mmap(int fd, uint32_t handle, uint64_t size, int *err);

/* MAP at *va (FIXED) or anywhere; *va is the mapping's VA on success. */
int __vm_map(int fd, uint32_t handle, uint64_t offset, uint64_t size, uint32_t flags,
	     uint64_t *va);
uint64_t vm_map(int fd, uint32_t handle, uint64_t offset, uint64_t size, uint32_t flags);
int __vm_unmap(int fd, uint64_t va, uint64_t size);

/*
 * Drop CAP_IPC_LOCK from the calling process's effective set, so that
 * RLIMIT_MEMLOCK applies to root too (call it in a child of the subtest).
 */
void drop_ipc_lock(void);
/*
 * Run body (which ends with exit(0), or fails as a subtest does) in a
 * child process, so that what it changes of the process stays there; its
 * failure is the caller's.
 */
void in_child(void (*body)(void));

/* The device's DRAM size (INFO HW_IP), at least 64 MiB. */
uint64_t dram_size(int fd);
/* A pattern of seed in size bytes, and the index of its first wrong word or -1. */
void fill(volatile uint32_t *p, uint64_t size, uint32_t seed);
long long check(const volatile uint32_t *p, uint64_t size, uint32_t seed);
long long check_zero(const volatile uint32_t *p, uint64_t size);

#endif /* LOOM_GEM_COMMON_H */
