// SPDX-License-Identifier: MIT
/*
 * loom_gem: buffer objects (DRAM, host, userptr), their CPU mappings,
 * the DRAM they use, what keeps them (and the module) alive across an
 * unbind or an rmmod, and the errors of GEM_CREATE, GEM_USERPTR,
 * GEM_INFO and mmap, run in the QEMU guest against loom.ko (vm/run.sh).
 * The device address spaces (VM_BIND) are loom_vm's; device-side use of
 * the mappings (DMA between objects) is loom_submit's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_gem_common.h"

/* ---- objects ------------------------------------------------------------------ */

static void test_create_dram(void)
{
	struct drm_loom_gem_create c = { .size = 1, .flags = DRM_LOOM_BO_DRAM };
	struct drm_loom_gem_info info;
	int fd = loom_open();
	uint32_t h2;

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), 0);
	loom_assert(c.handle != 0);
	loom_assert_eq(c.size, PAGE);			/* rounded up */
	loom_assert_eq(__gem_info(fd, c.handle, &info), 0);
	loom_assert_eq(info.size, PAGE);
	loom_assert_eq(info.bo_flags, DRM_LOOM_BO_DRAM);

	h2 = gem_create(fd, 3 * MIB + PAGE, DRM_LOOM_BO_DRAM);
	loom_assert(h2 != c.handle);
	loom_assert_eq(__gem_info(fd, h2, &info), 0);
	loom_assert_eq(info.size, 3 * MIB + PAGE);
	loom_assert_eq(__gem_close(fd, c.handle), 0);
	loom_assert_err(__gem_info(fd, c.handle, &info), ENOENT);
	loom_assert_err(__gem_close(fd, c.handle), EINVAL);
	loom_assert_eq(__gem_close(fd, h2), 0);
	close(fd);
}

static void test_create_host(void)
{
	struct drm_loom_gem_info info;
	int fd = loom_open();
	uint32_t h = gem_create(fd, 5 * PAGE + 1, DRM_LOOM_BO_HOST);

	loom_assert_eq(__gem_info(fd, h, &info), 0);
	loom_assert_eq(info.size, 6 * PAGE);
	loom_assert_eq(info.bo_flags, DRM_LOOM_BO_HOST);
	loom_assert(info.mmap_offset != 0 && info.mmap_offset % PAGE == 0);
	loom_assert_eq(__gem_close(fd, h), 0);
	close(fd);
}

static void test_gem_info(void)
{
	struct drm_loom_gem_info a, b, c;
	int fd = loom_open();
	uint32_t hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	uint32_t hh = gem_create(fd, 2 * MIB, DRM_LOOM_BO_HOST);

	loom_assert_eq(__gem_info(fd, hd, &a), 0);
	loom_assert_eq(__gem_info(fd, hh, &b), 0);
	loom_assert_eq(a.size, 2 * MIB);
	loom_assert_eq(a.bo_flags, DRM_LOOM_BO_DRAM);
	loom_assert_eq(b.bo_flags, DRM_LOOM_BO_HOST);
	loom_assert_eq(a.reserved[0] | a.reserved[1] | b.reserved[0] | b.reserved[1], 0);
	loom_assert(a.mmap_offset && b.mmap_offset && a.mmap_offset != b.mmap_offset);
	/* The offset is stable and the handle is unchanged. */
	loom_assert_eq(__gem_info(fd, hd, &c), 0);
	loom_assert_eq(c.mmap_offset, a.mmap_offset);
	loom_assert_eq(c.handle, hd);
	close(fd);
}

static void mmap_roundtrip(uint32_t flags, uint64_t size)
{
	int fd = loom_open(), err;
	uint32_t h = gem_create(fd, size, flags);
	volatile uint32_t *p, *q;
	struct drm_loom_gem_info info;

	p = gem_mmap(fd, h, size, &err);
	loom_assert_eq(err, 0);
	loom_assert_eq(check_zero(p, size), -1);	/* a new object is zeroed */
	fill(p, size, 0x1234);
	loom_assert_eq(munmap((void *)p, size), 0);

	q = gem_mmap(fd, h, size, &err);
	loom_assert_eq(err, 0);
	loom_assert_eq(check(q, size, 0x1234), -1);

	/* A shorter mapping sees the start; one inside the object is refused. */
	loom_assert_eq(__gem_info(fd, h, &info), 0);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, info.mmap_offset);
	loom_assert(p != MAP_FAILED);
	loom_assert_eq(check(p, PAGE, 0x1234), -1);
	munmap((void *)p, PAGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, info.mmap_offset + PAGE);
	loom_assert(p == MAP_FAILED && errno == EINVAL);
	munmap((void *)q, size);

	/* The memory goes back and its next owner finds zeroes, not our data. */
	loom_assert_eq(__gem_close(fd, h), 0);
	h = gem_create(fd, size, flags);
	p = gem_mmap(fd, h, size, &err);
	loom_assert_eq(err, 0);
	loom_assert_eq(check_zero(p, size), -1);
	munmap((void *)p, size);
	close(fd);
}

static void test_mmap_dram(void)
{
	mmap_roundtrip(DRM_LOOM_BO_DRAM, 4 * MIB + 3 * PAGE);
}

static void test_mmap_host(void)
{
	mmap_roundtrip(DRM_LOOM_BO_HOST, 2 * MIB + 5 * PAGE);
}

static void test_userptr(void)
{
	const uint64_t size = 16 * PAGE;
	struct drm_loom_gem_info info;
	int fd = loom_open();
	uint32_t h, hro;
	uint64_t va;
	uint32_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro;

	loom_assert(mem != MAP_FAILED);
	fill(mem, size, 7);
	loom_assert_eq(__gem_userptr(fd, mem, size, 0, &h), 0);
	loom_assert_eq(__gem_info(fd, h, &info), 0);
	loom_assert_eq(info.size, size);
	loom_assert_eq(info.bo_flags, DRM_LOOM_BO_HOST | DRM_LOOM_BO_USERPTR);
	loom_assert_eq(info.mmap_offset, 0);		/* not mappable through the file */
	va = vm_map(fd, h, PAGE, size - PAGE, 0);
	loom_assert(va >= DRM_LOOM_VA_USER_START && va < DRM_LOOM_VA_USER_END);
	/* The pages stay the caller's: still readable and writable. */
	loom_assert_eq(check(mem, size, 7), -1);
	fill(mem, size, 8);

	/* Read-only memory: only as a READONLY object, only bound read-only. */
	ro = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	loom_assert(ro != MAP_FAILED);
	loom_assert_err(__gem_userptr(fd, ro, size, 0, &hro), EFAULT);
	loom_assert_eq(__gem_userptr(fd, ro, size, DRM_LOOM_USERPTR_READONLY, &hro), 0);
	loom_assert_eq(__gem_info(fd, hro, &info), 0);
	loom_assert_eq(info.bo_flags,
		       DRM_LOOM_BO_HOST | DRM_LOOM_BO_USERPTR | DRM_LOOM_BO_READONLY);
	va = 0;
	loom_assert_err(__vm_map(fd, hro, 0, size, 0, &va), EPERM);
	va = vm_map(fd, hro, 0, size, DRM_LOOM_VM_BIND_READONLY);
	loom_assert_eq(__vm_unmap(fd, va, size), 0);

	/* Unmapping the memory while the object exists is the caller's business. */
	loom_assert_eq(munmap(mem, size), 0);
	loom_assert_eq(__gem_close(fd, h), 0);
	loom_assert_eq(__gem_close(fd, hro), 0);
	munmap(ro, size);
	close(fd);
}

static void dram_usage(int fd, struct drm_loom_info_dram_usage *u)
{
	int r = __loom_info(fd, DRM_LOOM_INFO_DRAM_USAGE, u, sizeof(*u));

	if (r == -EINVAL)
		loom_skip("no DRM_LOOM_INFO_DRAM_USAGE query");
	loom_assert_eq(r, 0);
	loom_assert_eq(u->dram_used + u->dram_free, u->dram_size);
}

static void test_dram_usage_accounting(void)
{
	struct drm_loom_info_dram_usage u0, u;
	int fd = loom_open(), fd2 = loom_open();
	uint32_t h1, h2, hh;
	uint64_t va;

	dram_usage(fd, &u0);
	loom_assert_eq(u0.dram_size, dram_size(fd));
	h1 = gem_create(fd, 3 * MIB + 1, DRM_LOOM_BO_DRAM);
	dram_usage(fd, &u);
	loom_assert_eq(u.dram_used - u0.dram_used, 3 * MIB + PAGE);
	/* Usage is the device's, whichever file asks. */
	h2 = gem_create(fd2, 5 * PAGE, DRM_LOOM_BO_DRAM);
	dram_usage(fd, &u);
	loom_assert_eq(u.dram_used - u0.dram_used, 3 * MIB + 6 * PAGE);
	/* Host objects and page tables are not DRAM. */
	hh = gem_create(fd, 4 * MIB, DRM_LOOM_BO_HOST);
	va = vm_map(fd, hh, 0, 4 * MIB, 0);
	vm_map(fd, h1, 0, 3 * MIB + PAGE, 0);
	dram_usage(fd, &u);
	loom_assert_eq(u.dram_used - u0.dram_used, 3 * MIB + 6 * PAGE);
	loom_assert_eq(__vm_unmap(fd, va, 0), 0);
	/* Bound: still in use after GEM_CLOSE; freed with the file. */
	loom_assert_eq(__gem_close(fd, h1), 0);
	loom_assert_eq(__gem_close(fd2, h2), 0);
	dram_usage(fd2, &u);
	loom_assert_eq(u.dram_used - u0.dram_used, 3 * MIB + PAGE);
	close(fd);
	dram_usage(fd2, &u);
	loom_assert_eq(u.dram_used, u0.dram_used);
	close(fd2);
}

/* ---- module lifetime ------------------------------------------------------------ */

/* Touch a word in a child: 0 if it read fine, else the signal that killed it. */
static int probe_read(volatile uint32_t *p)
{
	pid_t pid = fork();
	int status;

	loom_assert(pid >= 0);
	if (pid == 0)
		_exit(p[0] == 0x12345678 ? 0 : 1);
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status) ? -1 : 0;
}

static void test_unbind_with_objects(void)
{
	char link[256], *addr;
	int fd = loom_open(), err;
	uint32_t hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	uint32_t hh = gem_create(fd, 2 * MIB, DRM_LOOM_BO_HOST);
	volatile uint32_t *pd, *ph;
	ssize_t n;
	uint32_t h;

	n = readlink("/sys/class/accel/accel0/device", link, sizeof(link) - 1);
	if (n < 0)
		loom_skip("no /sys/class/accel/accel0/device");
	link[n] = 0;
	addr = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	pd = gem_mmap(fd, hd, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	ph = gem_mmap(fd, hh, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	pd[0] = 0x12345678;
	ph[0] = 0x12345678;
	vm_map(fd, hd, 0, 2 * MIB, 0);
	vm_map(fd, hh, 0, 2 * MIB, 0);
	loom_assert_eq(probe_read(pd), 0);

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	/* The device is gone: its DRAM with it; host memory stays readable. */
	loom_assert_err(__gem_create(fd, PAGE, DRM_LOOM_BO_DRAM, &h), ENODEV);
	loom_assert_err(__vm_unmap(fd, DRM_LOOM_VA_USER_START, 0), ENODEV);
	loom_assert_eq(probe_read(pd), SIGBUS);
	loom_assert_eq(probe_read(ph), 0);
	munmap((void *)pd, 2 * MIB);
	munmap((void *)ph, 2 * MIB);
	close(fd);	/* context, mappings and objects go after the device */

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	vm_map(fd, hd, 0, 2 * MIB, 0);
	close(fd);
}

static void test_lifetime(void)
{
	struct stat st;
	int fd = loom_open(), err;
	uint32_t hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	uint32_t hh = gem_create(fd, 2 * MIB, DRM_LOOM_BO_HOST);
	volatile uint32_t *pd, *ph;

	if (stat(LOOM_KO_PATH, &st))
		loom_skip("%s is not there to load the module again", LOOM_KO_PATH);
	vm_map(fd, hd, 0, 2 * MIB, 0);
	pd = gem_mmap(fd, hd, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	ph = gem_mmap(fd, hh, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	close(fd);

	/* The mappings keep the file, so the objects and the module, alive. */
	fill(pd, 2 * MIB, 5);
	fill(ph, 2 * MIB, 6);
	loom_assert_eq(check(pd, 2 * MIB, 5), -1);
	loom_assert_eq(check(ph, 2 * MIB, 6), -1);
	loom_assert_err(loom_module_unload(), EWOULDBLOCK);
	loom_assert_eq(munmap((void *)pd, 2 * MIB), 0);
	loom_assert_err(loom_module_unload(), EWOULDBLOCK);
	loom_assert_eq(munmap((void *)ph, 2 * MIB), 0);

	/* Last mapping gone: the module goes, and comes back. */
	loom_assert_eq(loom_module_unload(), 0);
	loom_assert(loom_wait_node(false));
	loom_assert_eq(loom_module_load(), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	pd = gem_mmap(fd, hd, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	loom_assert_eq(check_zero(pd, 2 * MIB), -1);
	munmap((void *)pd, 2 * MIB);
	close(fd);
}

/* ---- bad arguments ---------------------------------------------------------------- */

static void test_bad_create(void)
{
	struct drm_loom_gem_create c;
	int fd = loom_open();
	uint64_t dram = dram_size(fd);
	uint32_t h;

	loom_assert_err(__gem_create(fd, 0, DRM_LOOM_BO_DRAM, &h), EINVAL);
	loom_assert_err(__gem_create(fd, 0, DRM_LOOM_BO_HOST, &h), EINVAL);
	loom_assert_err(__gem_create(fd, PAGE, 0, &h), EINVAL);
	loom_assert_err(__gem_create(fd, PAGE, DRM_LOOM_BO_DRAM | DRM_LOOM_BO_HOST, &h), EINVAL);
	loom_assert_err(__gem_create(fd, PAGE, DRM_LOOM_BO_USERPTR, &h), EINVAL);
	loom_assert_err(__gem_create(fd, PAGE, DRM_LOOM_BO_DRAM | DRM_LOOM_BO_READONLY, &h),
			EINVAL);
	for (int bit = 4; bit < 32; bit++)
		loom_assert_err(__gem_create(fd, PAGE, DRM_LOOM_BO_HOST | (1u << bit), &h), EINVAL);
	for (int i = 0; i < 2; i++) {
		c = (struct drm_loom_gem_create){ .size = PAGE, .flags = DRM_LOOM_BO_DRAM };
		c.reserved[i] = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), EINVAL);
	}
	/* Larger than the DRAM, or than the machine's RAM: E2BIG. */
	loom_assert_err(__gem_create(fd, dram + PAGE, DRM_LOOM_BO_DRAM, &h), E2BIG);
	loom_assert_err(__gem_create(fd, UINT64_MAX, DRM_LOOM_BO_DRAM, &h), E2BIG);
	loom_assert_err(__gem_create(fd, UINT64_MAX, DRM_LOOM_BO_HOST, &h), E2BIG);
	loom_assert_err(__gem_create(fd, 1ULL << 50, DRM_LOOM_BO_HOST, &h), E2BIG);
	/* Fits the DRAM but not what is left of it: ENOMEM. */
	h = gem_create(fd, dram / 2 + 16 * MIB, DRM_LOOM_BO_DRAM);
	loom_assert_err(__gem_create(fd, dram / 2 + 16 * MIB, DRM_LOOM_BO_DRAM, &h), ENOMEM);
	close(fd);
}

static void bad_userptr_rlimit_body(void)
{
	const uint64_t n = 64 * PAGE;
	struct rlimit rl = { .rlim_cur = 16 * PAGE, .rlim_max = 16 * PAGE };
	int fd = loom_open();
	uint8_t *mem = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t h, h2, h3;

	loom_assert(mem != MAP_FAILED);
	memset(mem, 1, n);
	drop_ipc_lock();
	loom_assert_eq(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	/* More than the limit at once, read-only or not: ENOMEM. */
	loom_assert_err(__gem_userptr(fd, mem, n, 0, &h), ENOMEM);
	loom_assert_err(__gem_userptr(fd, mem, 17 * PAGE, DRM_LOOM_USERPTR_READONLY, &h), ENOMEM);
	/* Up to the limit, in pieces; one page more fails. */
	loom_assert_eq(__gem_userptr(fd, mem, 8 * PAGE, 0, &h), 0);
	loom_assert_eq(__gem_userptr(fd, mem + 8 * PAGE, 8 * PAGE, 0, &h2), 0);
	loom_assert_err(__gem_userptr(fd, mem + 16 * PAGE, PAGE, 0, &h3), ENOMEM);
	/* Closing a handle gives its pages back to the limit. */
	loom_assert_eq(__gem_close(fd, h), 0);
	loom_assert_eq(__gem_userptr(fd, mem + 16 * PAGE, 8 * PAGE, 0, &h3), 0);
	loom_assert_err(__gem_userptr(fd, mem + 24 * PAGE, PAGE, 0, &h), ENOMEM);
	close(fd);
	/* Closing the file gives them all back. */
	fd = loom_open();
	loom_assert_eq(__gem_userptr(fd, mem, 16 * PAGE, 0, &h), 0);
	close(fd);
	exit(0);
}

static void test_bad_userptr_rlimit(void)
{
	in_child(bad_userptr_rlimit_body);	/* its limit and capabilities stay its own */
}

static void test_bad_userptr(void)
{
	struct drm_loom_gem_userptr u;
	int fd = loom_open();
	uint8_t *mem = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t h;

	loom_assert(mem != MAP_FAILED);
	loom_assert_err(__gem_userptr(fd, mem, 0, 0, &h), EINVAL);
	loom_assert_err(__gem_userptr(fd, mem + 8, PAGE, 0, &h), EINVAL);
	loom_assert_err(__gem_userptr(fd, mem, PAGE + 8, 0, &h), EINVAL);
	for (int bit = 1; bit < 32; bit++)
		loom_assert_err(__gem_userptr(fd, mem, PAGE, 1u << bit, &h), EINVAL);
	for (int i = 0; i < 2; i++) {
		u = (struct drm_loom_gem_userptr){ .user_ptr = (uintptr_t)mem, .size = PAGE };
		u.reserved[i] = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_USERPTR, &u), EINVAL);
	}
	/* Memory that is not mapped, partly or wholly: EFAULT. */
	loom_assert_eq(munmap(mem + 4 * PAGE, 4 * PAGE), 0);
	loom_assert_err(__gem_userptr(fd, mem + 4 * PAGE, PAGE, 0, &h), EFAULT);
	loom_assert_err(__gem_userptr(fd, mem, 8 * PAGE, 0, &h), EFAULT);
	loom_assert_err(__gem_userptr(fd, NULL, PAGE, 0, &h), EFAULT);
	loom_assert_err(__gem_userptr(fd, (void *)0xffff888000000000ULL, PAGE, 0, &h), EFAULT);
	loom_assert_err(__gem_userptr(fd, (void *)(uintptr_t)(UINT64_MAX - PAGE + 1), 2 * PAGE,
				      0, &h), EFAULT);
	/* More than the machine's RAM: E2BIG. */
	loom_assert_err(__gem_userptr(fd, mem, 1ULL << 46, 0, &h), E2BIG);
	/* The device's own objects, mapped through the file: not user pages. */
	{
		uint32_t hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
		uint32_t hh = gem_create(fd, 2 * MIB, DRM_LOOM_BO_HOST);
		void *pd = gem_mmap(fd, hd, 2 * MIB, NULL), *ph = gem_mmap(fd, hh, 2 * MIB, NULL);

		loom_assert(pd != MAP_FAILED && ph != MAP_FAILED);
		loom_assert_err(__gem_userptr(fd, pd, PAGE, 0, &h), EFAULT);
		loom_assert_err(__gem_userptr(fd, pd, PAGE, DRM_LOOM_USERPTR_READONLY, &h), EFAULT);
		loom_assert_err(__gem_userptr(fd, ph, PAGE, 0, &h), EFAULT);
		munmap(pd, 2 * MIB);
		munmap(ph, 2 * MIB);
	}
	/* What is mapped still works. */
	loom_assert_eq(__gem_userptr(fd, mem, 4 * PAGE, 0, &h), 0);
	munmap(mem, 4 * PAGE);
	close(fd);
}

static void test_bad_gem_info(void)
{
	struct drm_loom_gem_info info;
	int fd = loom_open();
	uint32_t h = gem_create(fd, PAGE, DRM_LOOM_BO_HOST);

	loom_assert_err(__gem_info(fd, 0, &info), ENOENT);
	loom_assert_err(__gem_info(fd, h + 1, &info), ENOENT);
	loom_assert_err(__gem_info(fd, UINT32_MAX, &info), ENOENT);
	info = (struct drm_loom_gem_info){ .handle = h, .flags = 1 };
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_INFO, &info), EINVAL);
	info = (struct drm_loom_gem_info){ .handle = h, .flags = 0x80000000u };
	loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_INFO, &info), EINVAL);
	for (int i = 0; i < 2; i++) {
		info = (struct drm_loom_gem_info){ .handle = h };
		info.reserved[i] = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_INFO, &info), EINVAL);
	}
	close(fd);
}

static void test_bad_mmap(void)
{
	struct drm_loom_gem_info info;
	int fd = loom_open();
	uint32_t hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	uint32_t hh = gem_create(fd, 2 * MIB, DRM_LOOM_BO_HOST);
	uint32_t hs[2] = { hd, hh };
	void *p;

	for (int i = 0; i < 2; i++) {
		loom_assert_eq(__gem_info(fd, hs[i], &info), 0);
		/* Longer than the object, or past its end. */
		p = mmap(NULL, 2 * MIB + PAGE, PROT_READ, MAP_SHARED, fd, info.mmap_offset);
		loom_assert(p == MAP_FAILED && errno == EINVAL);
		p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd,
			 info.mmap_offset + 2 * MIB - PAGE);
		loom_assert(p == MAP_FAILED && errno == EINVAL);
		/* Private (copy-on-write) mappings of device memory: EINVAL. */
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, info.mmap_offset);
		loom_assert(p == MAP_FAILED && errno == EINVAL);
	}
	/* An offset no object has. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 1ULL << 40);
	loom_assert(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	loom_assert(p == MAP_FAILED && errno == EINVAL);
	close(fd);
}

/*
 * debugfs "objects" counts what this file makes: a context, objects of
 * each kind, a userptr pin, a mapping, a dma-buf; all gone once closed.
 */
static void test_objects_counted(void)
{
	struct loom_objects a = { 0 }, b = { 0 };
	static char mem[4 * PAGE] __attribute__((aligned(4096)));
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC };
	uint32_t hd, hh, hu;
	int fd, r;

	r = __loom_objects_read(&a);
	if (r)
		loom_skip("no debugfs objects file (%s)", strerror(-r));
	fd = loom_open();
	hd = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	hh = gem_create(fd, PAGE, DRM_LOOM_BO_HOST);
	loom_assert_eq(__gem_userptr(fd, mem, sizeof(mem), 0, &hu), 0);
	vm_map(fd, hh, 0, PAGE, 0);
	p.handle = hd;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p), 0);
	loom_assert_eq(__loom_objects_read(&b), 0);
	loom_assert_eq(loom_objects_get(&b, "contexts") - loom_objects_get(&a, "contexts"), 1);
	loom_assert_eq(loom_objects_get(&b, "gem_objects") - loom_objects_get(&a, "gem_objects"), 3);
	loom_assert_eq(loom_objects_get(&b, "userptr_pins") - loom_objects_get(&a, "userptr_pins"), 1);
	loom_assert_eq(loom_objects_get(&b, "vm_mappings") - loom_objects_get(&a, "vm_mappings"), 1);
	loom_assert_eq(loom_objects_get(&b, "dmabuf_exports") -
		       loom_objects_get(&a, "dmabuf_exports"), 1);
	close(p.fd);
	close(fd);
	/* Contexts go once their jobs are done: a moment at most. */
	for (int i = 0; i < 250; i++) {
		loom_assert_eq(__loom_objects_read(&b), 0);
		if (!memcmp(a.value, b.value, sizeof(a.value)))
			return;
		usleep(20000);
	}
	loom_igt_fail(__FILE__, __LINE__, "objects still counted 5 s after close");
}

static const struct loom_subtest tests[] = {
	{ "create-dram", "GEM_CREATE in DRAM: rounded size, handles, GEM_CLOSE", test_create_dram },
	{ "create-host", "GEM_CREATE in host memory", test_create_host },
	{ "gem-info", "GEM_INFO: size, kind and a stable mmap offset", test_gem_info },
	{ "mmap-dram", "a DRAM object through two mmaps; zeroed for its next owner",
	  test_mmap_dram },
	{ "mmap-host", "a host object through two mmaps; zeroed when new",
	  test_mmap_host },
	{ "userptr", "user memory as an object, read-only memory only as READONLY", test_userptr },
	{ "dram-usage-accounting", "INFO DRAM_USAGE follows DRAM objects, bound ones included",
	  test_dram_usage_accounting },
	{ "bad-create", "GEM_CREATE: EINVAL, E2BIG and ENOMEM cases", test_bad_create, 60 },
	{ "bad-userptr", "GEM_USERPTR: EINVAL, EFAULT and E2BIG cases", test_bad_userptr },
	{ "bad-userptr-rlimit", "GEM_USERPTR past RLIMIT_MEMLOCK (without CAP_IPC_LOCK): ENOMEM; freed pins count no more",
	  test_bad_userptr_rlimit },
	{ "bad-gem-info", "GEM_INFO: unknown handle ENOENT, flags or reserved EINVAL", test_bad_gem_info },
	{ "bad-mmap", "mmap beyond an object, private, or at no object's offset: EINVAL",
	  test_bad_mmap },
	{ "unbind-with-objects", "unbind with objects mapped and bound: DRAM mappings SIGBUS, "
	  "ENODEV, clean teardown, binds again", test_unbind_with_objects, 60 },
	{ "lifetime", "an mmap keeps the device after close; rmmod after munmap",
	  test_lifetime, 60 },
	{ "objects-counted", "debugfs objects counts a file's context, objects, pin, mapping and dma-buf, and their end",
	  test_objects_counted },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
