// SPDX-License-Identifier: MIT
/*
 * loom_dmabuf: dma-buf peers of Loom in the QEMU guest. The test importer
 * (tests/kmod/loom_importer.ko, /dev/loom_importer) stands in for an RDMA
 * NIC: it attaches to a dma-buf as a NIC driver's pinned umem does and
 * moves bytes through the bus addresses of the mapping. The importer-*
 * subtests check the importer itself against dma-bufs the kernel makes
 * (udmabuf over a memfd, the system dma-heap), whose contents the test can
 * also see through an ordinary mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/kmod/loom_importer.h"

#include "loom_igt.h"

#define UDMABUF_SIZE	(3 * 4096 + 2 * 1024 * 1024)

static int imp_open(void)
{
	int fd = open(LOOM_IMP_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		loom_skip("no %s (loom_importer.ko not loaded): %s", LOOM_IMP_DEVICE,
			  strerror(errno));
	return fd;
}

static int imp_attach(int imp, int dmabuf, uint32_t flags, struct loom_imp_attach *a)
{
	*a = (struct loom_imp_attach){ .fd = dmabuf, .flags = flags };
	return __loom_ioctl(imp, LOOM_IMP_ATTACH, a);
}

static int imp_rw(int imp, unsigned long req, uint64_t off, uint64_t size, void *buf)
{
	struct loom_imp_rw rw = { .offset = off, .size = size, .ptr = (uintptr_t)buf };

	return __loom_ioctl(imp, req, &rw);
}

/* A udmabuf over a sealed memfd of size bytes, and the memfd's mapping. */
static int make_udmabuf(size_t size, uint8_t **map)
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

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed + (i >> 12));
}

/* The importer's view of a udmabuf matches the memfd, both ways. */
static void check_udmabuf(uint32_t flags)
{
	size_t n = UDMABUF_SIZE;
	struct loom_imp_attach a;
	struct loom_imp_sg sg;
	uint64_t total = 0;
	uint8_t *map, *buf = malloc(n), *want = malloc(n);
	int imp = imp_open();
	int db = make_udmabuf(n, &map);

	loom_assert(buf && want);
	fill(map, n, 7);
	loom_assert_eq(imp_attach(imp, db, flags, &a), 0);
	loom_assert_eq(a.size, n);
	loom_assert(a.nents >= 1);
	for (uint32_t i = 0; i < a.nents; i++) {
		sg = (struct loom_imp_sg){ .index = i };
		loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_SG, &sg), 0);
		loom_assert_eq(sg.offset, total);
		loom_assert(sg.len > 0 && sg.dma_addr != 0);
		total += sg.len;
	}
	loom_assert_eq(total, n);

	/* Read all, then an unaligned piece straddling pages. */
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 0, n, buf), 0);
	loom_assert(!memcmp(buf, map, n));
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 4093, 8200, buf), 0);
	loom_assert(!memcmp(buf, map + 4093, 8200));

	/* Writes through the bus addresses land in the memfd's pages. */
	fill(want, n, 99);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_WRITE, 0, n, want), 0);
	loom_assert(!memcmp(map, want, n));

	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	loom_assert_err(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), ENOTCONN);
	close(db);
	close(imp);
	munmap(map, n);
	free(buf);
	free(want);
}

static void test_importer_udmabuf(void)
{
	check_udmabuf(0);
}

static void test_importer_udmabuf_static(void)
{
	check_udmabuf(LOOM_IMP_F_STATIC);
}

static void test_importer_dma_heap(void)
{
	struct dma_heap_allocation_data d = {
		.len = 1 << 20, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct loom_imp_attach a;
	uint8_t *map, *buf = malloc(d.len), *want = malloc(d.len);
	int imp = imp_open();
	int heap = open("/dev/dma_heap/system", O_RDWR);

	if (heap < 0)
		loom_skip("no /dev/dma_heap/system: %s", strerror(errno));
	loom_assert(buf && want);
	loom_assert_eq(__loom_ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d), 0);
	map = mmap(NULL, d.len, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	loom_assert(map != MAP_FAILED);
	fill(want, d.len, 3);
	memcpy(map, want, d.len);
	loom_assert_eq(imp_attach(imp, d.fd, 0, &a), 0);
	loom_assert_eq(a.size, d.len);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 0, d.len, buf), 0);
	loom_assert(!memcmp(buf, want, d.len));
	close(imp);		/* closing detaches */
	munmap(map, d.len);
	close(d.fd);
	close(heap);
	free(buf);
	free(want);
}

static void test_importer_bad(void)
{
	struct loom_imp_attach a, again;
	struct loom_imp_sg sg = { 0 };
	uint8_t *map, byte;
	int imp = imp_open();
	int db = make_udmabuf(4096, &map);
	int notbuf = open("/dev/null", O_RDONLY);

	loom_assert_err(imp_rw(imp, LOOM_IMP_READ, 0, 1, &byte), ENOTCONN);
	loom_assert_err(__loom_ioctl(imp, LOOM_IMP_SG, &sg), ENOTCONN);
	loom_assert_err(imp_attach(imp, -1, 0, &a), EBADF);
	loom_assert_err(imp_attach(imp, notbuf, 0, &a), EINVAL);
	loom_assert_err(imp_attach(imp, db, 1u << 7, &a), EINVAL);
	loom_assert_eq(imp_attach(imp, db, 0, &a), 0);
	loom_assert_err(imp_attach(imp, db, 0, &again), EBUSY);
	loom_assert_err(imp_rw(imp, LOOM_IMP_READ, 4096, 1, &byte), EINVAL);
	loom_assert_err(imp_rw(imp, LOOM_IMP_READ, 4095, 2, &byte), EINVAL);
	loom_assert_err(imp_rw(imp, LOOM_IMP_READ, 0, 0, &byte), EINVAL);
	loom_assert_err(imp_rw(imp, LOOM_IMP_READ, 0, 16, NULL), EFAULT);
	sg.index = a.nents;
	loom_assert_err(__loom_ioctl(imp, LOOM_IMP_SG, &sg), EINVAL);
	close(notbuf);
	close(db);
	close(imp);
	munmap(map, 4096);
}

static const struct loom_subtest tests[] = {
	{ "importer-udmabuf", "the test importer reads and writes a udmabuf through its bus addresses",
	  test_importer_udmabuf },
	{ "importer-udmabuf-static", "the same through a static (non-P2P) attachment",
	  test_importer_udmabuf_static },
	{ "importer-dma-heap", "the test importer reads a system dma-heap buffer",
	  test_importer_dma_heap },
	{ "importer-bad", "the test importer's own errors", test_importer_bad },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
