// SPDX-License-Identifier: MIT
/*
 * loom_dmabuf_common: the helpers loom_dmabuf and prime_loom share (see
 * loom_dmabuf_common.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loom_dmabuf_common.h"

int imp_open(void)
{
	int fd = open(LOOM_IMP_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		loom_skip("no %s (loom_importer.ko not loaded): %s", LOOM_IMP_DEVICE,
			  strerror(errno));
	return fd;
}

int imp_attach(int imp, int dmabuf, uint32_t flags, struct loom_imp_attach *a)
{
	*a = (struct loom_imp_attach){ .fd = dmabuf, .flags = flags };
	return __loom_ioctl(imp, LOOM_IMP_ATTACH, a);
}

int imp_rw(int imp, unsigned long req, uint64_t off, uint64_t size, void *buf)
{
	struct loom_imp_rw rw = { .offset = off, .size = size, .ptr = (uintptr_t)buf };

	return __loom_ioctl(imp, req, &rw);
}

int make_udmabuf(size_t size, uint8_t **map)
{
	struct udmabuf_create c = { 0 };
	int mfd, dev, buf;

	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		loom_skip("no /dev/udmabuf: %s", strerror(errno));
	mfd = memfd_create("loom-udmabuf", MFD_ALLOW_SEALING);
	loom_assert(mfd >= 0);
	loom_assert_eq(ftruncate(mfd, size), 0);
	loom_assert_eq(fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	c.memfd = mfd;
	c.size = size;
	buf = ioctl(dev, UDMABUF_CREATE, &c);
	loom_assert(buf >= 0);
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	loom_assert(*map != MAP_FAILED);
	close(mfd);
	close(dev);
	return buf;
}

void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed + (i >> 12));
}

int __export(int fd, uint32_t handle, uint64_t off, uint64_t size, uint32_t flags, int *out)
{
	struct drm_loom_export_dmabuf e = {
		.handle = handle, .flags = flags, .offset = off, .size = size,
	};
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_EXPORT_DMABUF, &e);

	if (!r)
		*out = (int)e.fd;
	return r;
}

int export(int fd, uint32_t handle, uint64_t off, uint64_t size)
{
	int db = -1;

	loom_assert_eq(__export(fd, handle, off, size, EXPORT_RW, &db), 0);
	loom_assert(db >= 0);
	return db;
}

int prime_to_fd(int fd, uint32_t handle)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p), 0);
	loom_assert(p.fd >= 0);
	return p.fd;
}

int __prime_to_handle(int fd, int db, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = db };
	int r = __loom_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (!r)
		*handle = p.handle;
	return r;
}

uint32_t prime_to_handle(int fd, int db)
{
	uint32_t h = 0;

	loom_assert_eq(__prime_to_handle(fd, db, &h), 0);
	loom_assert(h != 0);
	return h;
}

void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c), 0);
}

int __bind(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size, uint32_t flags,
	   uint64_t *va)
{
	struct drm_loom_vm_bind b = {
		.op = DRM_LOOM_VM_BIND_OP_MAP, .handle = handle, .bo_offset = bo_offset,
		.size = size, .flags = flags, .va = *va,
	};
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b);

	if (!r)
		*va = b.va;
	return r;
}

uint64_t vm_bind(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size)
{
	uint64_t va = 0;

	loom_assert_eq(__bind(fd, handle, bo_offset, size, 0, &va), 0);
	return va;
}

void vm_unbind(int fd, uint64_t va)
{
	struct drm_loom_vm_bind b = { .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b), 0);
}

void dev_run(int fd, const struct cb *cb)
{
	uint32_t q = queue_create(fd, NULL);

	loom_assert_eq(wait_status(fd, q, submit_cb(fd, q, cb)), LOOM_ERR_NONE);
	loom_assert_eq(__queue_destroy(fd, q), 0);
}

void dev_copy(int fd, uint64_t src, uint64_t dst, uint64_t size)
{
	static struct cb cb;

	cb.n = 0;
	cb_dma(&cb, src, dst, size);
	dev_run(fd, &cb);
}

/* [start, end] of the Loom device's BAR2 (the register space, then DRAM). */
static void loom_bar2(uint64_t *start, uint64_t *end)
{
	FILE *f = fopen("/sys/class/accel/accel0/device/resource", "r");
	unsigned long long s = 0, e = 0, fl;

	loom_assert(f);
	for (int i = 0; i < 3; i++)
		loom_assert_eq(fscanf(f, "%llx %llx %llx", &s, &e, &fl), 3);
	fclose(f);
	loom_assert(s && e > s);
	*start = s;
	*end = e;
}

void imp_attach_dram(int imp, int db, uint64_t size)
{
	imp_attach_dram_flags(imp, db, size, 0);
}

void imp_attach_dram_flags(int imp, int db, uint64_t size, uint32_t flags)
{
	struct loom_imp_attach a;
	struct loom_imp_sg sg;
	uint64_t total = 0, bar, bar_end;

	loom_bar2(&bar, &bar_end);
	loom_assert_eq(imp_attach(imp, db, flags, &a), 0);
	loom_assert_eq(a.size, size);
	loom_assert(a.nents >= 1);
	for (uint32_t i = 0; i < a.nents; i++) {
		sg = (struct loom_imp_sg){ .index = i };
		loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_SG, &sg), 0);
		loom_assert_eq(sg.offset, total);
		loom_assert(sg.len > 0 && sg.len % 4096 == 0);
		loom_assert(sg.dma_addr >= bar + LOOM_DRAM_BAR_OFFSET);
		loom_assert(sg.dma_addr + sg.len - 1 <= bar_end);
		total += sg.len;
	}
	loom_assert_eq(total, size);
}

void imp_expect(int imp, const uint8_t *want, size_t n)
{
	uint8_t *buf = malloc(n);

	loom_assert(buf);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 0, n, buf), 0);
	loom_assert(!memcmp(buf, want, n));
	free(buf);
}
