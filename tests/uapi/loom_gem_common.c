// SPDX-License-Identifier: MIT
/*
 * loom_gem_common: the helpers loom_gem and loom_vm share (see
 * loom_gem_common.h).
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_gem_common.h"

int __gem_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_loom_gem_create c = { .size = size, .flags = flags };
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c);

	if (!r)
		*handle = c.handle;
	return r;
}

uint32_t gem_create(int fd, uint64_t size, uint32_t flags)
{
	uint32_t h = 0;

	loom_assert_eq(__gem_create(fd, size, flags, &h), 0);
	loom_assert(h != 0);
	return h;
}

int __gem_userptr(int fd, void *ptr, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_loom_gem_userptr u = {
		.user_ptr = (uintptr_t)ptr, .size = size, .flags = flags,
	};
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_USERPTR, &u);

	if (!r)
		*handle = u.handle;
	return r;
}

int __gem_info(int fd, uint32_t handle, struct drm_loom_gem_info *info)
{
	/* The outputs must be written: fill them with a pattern first. */
	memset(info, 0xa5, sizeof(*info));
	info->handle = handle;
	info->flags = 0;
	info->reserved[0] = 0;
	info->reserved[1] = 0;
	return __loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_INFO, info);
}

int __gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return __loom_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void *gem_mmap(int fd, uint32_t handle, uint64_t size, int *err)
{
	struct drm_loom_gem_info info;
	void *p;

	loom_assert_eq(__gem_info(fd, handle, &info), 0);
	loom_assert(info.mmap_offset != 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	if (err)
		*err = p == MAP_FAILED ? errno : 0;
	return p;
}

int __vm_map(int fd, uint32_t handle, uint64_t offset, uint64_t size, uint32_t flags,
		    uint64_t *va)
{
	struct drm_loom_vm_bind b = {
		.op = DRM_LOOM_VM_BIND_OP_MAP, .flags = flags, .handle = handle,
		.bo_offset = offset, .size = size, .va = *va,
	};
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b);

	if (!r)
		*va = b.va;
	return r;
}

uint64_t vm_map(int fd, uint32_t handle, uint64_t offset, uint64_t size, uint32_t flags)
{
	uint64_t va = 0;

	loom_assert_eq(__vm_map(fd, handle, offset, size, flags, &va), 0);
	return va;
}

int __vm_unmap(int fd, uint64_t va, uint64_t size)
{
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va, .size = size };

	return __loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b);
}

uint64_t dram_size(int fd)
{
	struct drm_loom_info_hw_ip ip;

	loom_assert_eq(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip)), 0);
	loom_assert(ip.dram_size >= 64 * MIB);
	return ip.dram_size;
}

void fill(volatile uint32_t *p, uint64_t size, uint32_t seed)
{
	for (uint64_t i = 0; i < size / 4; i++)
		p[i] = seed ^ (uint32_t)(i * 2654435761u);
}

long long check(const volatile uint32_t *p, uint64_t size, uint32_t seed)
{
	for (uint64_t i = 0; i < size / 4; i++)
		if (p[i] != (seed ^ (uint32_t)(i * 2654435761u)))
			return i;
	return -1;
}

long long check_zero(const volatile uint32_t *p, uint64_t size)
{
	for (uint64_t i = 0; i < size / 4; i++)
		if (p[i])
			return i;
	return -1;
}

/* Drop CAP_IPC_LOCK from the effective set: RLIMIT_MEMLOCK applies to root then too. */
void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	loom_assert_eq(syscall(SYS_capget, &h, d), 0);
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	loom_assert_eq(syscall(SYS_capset, &h, d), 0);
}

void in_child(void (*body)(void))
{
	int status;
	pid_t pid = fork();

	loom_assert(pid >= 0);
	if (pid == 0)
		body();
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFEXITED(status));
	if (WEXITSTATUS(status))
		exit(WEXITSTATUS(status));
}
