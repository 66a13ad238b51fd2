// SPDX-License-Identifier: MIT
/*
 * loom_dma: DMA addressing at the edges of loom.ko. The device reaches
 * host memory through a 40-bit window, so the driver's DMA mask is 40
 * bits and a foreign dma-buf whose DMA addresses lie beyond it does not
 * import. Importers of the device's DRAM whose DMA mask does not cover
 * the BAR (the test importer's second device, LOOM_IMP_F_LIMITED) are
 * refused at attach, not warned about by the DMA layer; a mapping that
 * fails part way (debugfs fail_dmabuf_map, as when an IOMMU runs out of
 * space) leaves nothing behind, with more entries than one chunk of a
 * scatter-gather table (128) holds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loom_dmabuf_common.h"

#define MASK_32		0xffffffffULL

static void set_limited(int imp, uint64_t mask, uint32_t max_seg)
{
	struct loom_imp_dma_mask m = { .mask = mask, .max_seg = max_seg };

	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_SET_DMA_MASK, &m), 0);
}

static void set_limited_mask(int imp, uint64_t mask)
{
	set_limited(imp, mask, 0);
}

/* The DMA address of entry i of the importer's mapping. */
static struct loom_imp_sg imp_sg(int imp, uint32_t i)
{
	struct loom_imp_sg sg = { .index = i };

	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_SG, &sg), 0);
	return sg;
}

/* The bus address of an export's first byte, as a full-mask importer sees it. */
static uint64_t bar_address(int imp, int db, uint64_t n)
{
	uint64_t first;

	imp_attach_dram(imp, db, n);
	first = imp_sg(imp, 0).dma_addr;
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	return first;
}

static void test_dma_mask(void)
{
	int fd = loom_open();
	char addr[64], path[160], buf[32];

	loom_pci_address(fd, addr, sizeof(addr));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/dma_mask_bits", addr);
	loom_assert_eq(loom_read_file(path, buf, sizeof(buf)), 0);
	loom_assert_eq(strtoul(buf, NULL, 10), 40);
	close(fd);
}

/* A 32-bit importer reaches DRAM if the BAR lies below 4 GiB, else it is refused. */
static void test_importer_dma32(void)
{
	const uint64_t n = 1 << 20;
	int fd = loom_open(), imp = imp_open();
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	int db = export(fd, bo.handle, 0, n);
	uint8_t *want = malloc(n), *got = malloc(n);
	struct loom_imp_attach a;
	uint64_t first;

	loom_assert(want && got);
	first = bar_address(imp, db, n);

	set_limited_mask(imp, MASK_32);
	if (first + n - 1 > MASK_32) {
		loom_assert_err(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), EOPNOTSUPP);
	} else {
		loom_assert_eq(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), 0);
		for (uint32_t i = 0; i < a.nents; i++)
			loom_assert(imp_sg(imp, i).dma_addr + imp_sg(imp, i).len - 1 <= MASK_32);
		fill(want, n, 32);
		loom_assert_eq(imp_rw(imp, LOOM_IMP_WRITE, 0, n, want), 0);
		loom_assert(!memcmp(bo.map, want, n));
		fill(bo.map, n, 33);
		loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 0, n, got), 0);
		loom_assert(!memcmp(got, bo.map, n));
	}
	free(want);
	free(got);
	close(imp);
	close(db);
	close(fd);
}

/* An importer whose mask ends below (or inside) the exported range: EOPNOTSUPP, cleanly. */
static void test_importer_mask_below_bar(void)
{
	const uint64_t n = 1 << 20;
	int fd = loom_open(), imp = imp_open();
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	int db = export(fd, bo.handle, 0, n);
	struct loom_imp_attach a;
	uint64_t first;

	first = bar_address(imp, db, n);
	/* The DMA layer takes no mask below the lowest memory zone (16 MiB). */
	if (first < (32 << 20))
		loom_skip("the BAR lies at %#llx, too low for a mask below it",
			  (unsigned long long)first);
	set_limited_mask(imp, first - 1);
	loom_assert_err(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), EOPNOTSUPP);
	loom_assert_err(imp_attach(imp, db, LOOM_IMP_F_LIMITED | LOOM_IMP_F_STATIC, &a),
			EOPNOTSUPP);
	set_limited_mask(imp, first + n / 2 - 1);
	loom_assert_err(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), EOPNOTSUPP);
	/* A mask that covers it: attached. */
	set_limited_mask(imp, first + n - 1);
	loom_assert_eq(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), 0);
	loom_assert_eq(imp_sg(imp, 0).dma_addr, first);
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	set_limited_mask(imp, MASK_32);
	close(imp);
	close(db);
	close(fd);
}

/*
 * The Nth entry's mapping fails: the attach fails with ENOMEM, the entries
 * mapped before it are unmapped and the table freed whole (a chained one
 * too), and the next attach works.
 */
static void test_importer_map_fails(void)
{
	const uint64_t n = 24 << 20;
	static const char *const nth[] = { "1", "2", "129", "200" };
	int fd = loom_open(), imp = imp_open();
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	int db = export(fd, bo.handle, 0, n);
	struct loom_imp_attach a;
	char path[192], left[32];
	uint32_t nents;

	loom_debugfs_path(fd, "fail_dmabuf_map", path, sizeof(path));
	/* The limited importer with 64 KiB segments: hundreds of entries. */
	set_limited(imp, ~0ULL, 64 << 10);
	loom_assert_eq(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), 0);
	nents = a.nents;
	if (nents <= 200)
		loom_skip("the importer's segments are too large: %u entries for %llu bytes",
			  nents, (unsigned long long)n);
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	for (unsigned i = 0; i < sizeof(nth) / sizeof(nth[0]); i++) {
		loom_assert_eq(loom_write_file(path, nth[i]), 0);
		loom_assert_err(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), ENOMEM);
		loom_assert_eq(loom_read_file(path, left, sizeof(left)), 0);
		loom_assert_eq(strtoul(left, NULL, 10), 0);
		loom_assert_eq(imp_attach(imp, db, LOOM_IMP_F_LIMITED, &a), 0);
		loom_assert_eq(a.nents, nents);
		loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	}
	set_limited(imp, 0xffffffffULL, UINT32_MAX);
	close(imp);
	close(db);
	close(fd);
}

/*
 * A read-only export maps only for the importer to read (DMA_TO_DEVICE):
 * a mapping for writing (bidirectional) gets EACCES, from a P2P importer
 * too; a read-write export maps either way.
 */
static void test_importer_readonly(void)
{
	const uint64_t n = 64 << 10;
	int fd = loom_open(), imp = imp_open(), ro, rw;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	uint8_t *got = malloc(n);
	struct loom_imp_attach a;

	loom_assert(got);
	loom_assert_eq(__export(fd, bo.handle, 0, n, DRM_LOOM_EXPORT_CLOEXEC, &ro), 0);
	rw = export(fd, bo.handle, 0, n);
	loom_assert_err(imp_attach(imp, ro, 0, &a), EACCES);
	loom_assert_eq(imp_attach(imp, ro, LOOM_IMP_F_READ, &a), 0);
	fill(bo.map, n, 7);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 0, n, got), 0);
	loom_assert(!memcmp(got, bo.map, n));
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	loom_assert_eq(imp_attach(imp, rw, 0, &a), 0);
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	loom_assert_eq(imp_attach(imp, rw, LOOM_IMP_F_READ, &a), 0);
	free(got);
	close(imp);
	close(rw);
	close(ro);
	close(fd);
}

/* A foreign dma-buf whose DMA addresses lie beyond the device's window: EINVAL. */
static void test_import_dma_high(void)
{
	int fd = loom_open(), imp = imp_open();
	struct loom_imp_export x = { .size = 3 * 4096, .flags = LOOM_IMP_EXPORT_F_DMA_HIGH };
	uint32_t h;

	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_EXPORT, &x), 0);
	loom_assert_err(__prime_to_handle(fd, x.fd, &h), EINVAL);
	close(x.fd);
	/* The same memory at its real addresses imports. */
	x = (struct loom_imp_export){ .size = 3 * 4096 };
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_EXPORT, &x), 0);
	loom_assert_eq(__prime_to_handle(fd, x.fd, &h), 0);
	gem_close(fd, h);
	close(x.fd);
	close(imp);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "dma-mask", "the driver's DMA mask is the device's 40-bit host window", test_dma_mask },
	{ "importer-dma32", "a 32-bit importer: DRAM through its mask if the BAR is below 4 GiB, else EOPNOTSUPP",
	  test_importer_dma32 },
	{ "importer-mask-below-bar", "an importer whose DMA mask does not cover the exported range: EOPNOTSUPP",
	  test_importer_mask_below_bar },
	{ "importer-map-fails", "a DMA mapping failing part way (fail_dmabuf_map): ENOMEM, nothing left behind",
	  test_importer_map_fails },
	{ "importer-readonly", "a read-only export maps for reading only: EACCES for a mapping that writes",
	  test_importer_readonly },
	{ "import-dma-high", "a foreign dma-buf with DMA addresses beyond the 40-bit window: EINVAL",
	  test_import_dma_high },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
