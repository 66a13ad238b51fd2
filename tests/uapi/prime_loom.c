// SPDX-License-Identifier: MIT
/*
 * prime_loom: PRIME on loom.ko, both ways, in the QEMU guest. The prime-*
 * subtests export Loom objects with PRIME_HANDLE_TO_FD and import them
 * into other files of the device (DRAM objects as slices on the same
 * memory) or hand them to the test importer (tests/kmod/loom_importer.ko,
 * an RDMA NIC stand-in); two-process passes an export over a unix socket.
 * The import-* subtests hand loom.ko foreign dma-bufs (udmabuf, the system
 * dma-heap, vgem) and have the device DMA into them; the bad-import-*
 * subtests check FD_TO_HANDLE's errors. loom_dmabuf covers the exporter
 * of DRAM (EXPORT_DMABUF) itself.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_dmabuf_common.h"

/* ---- helpers ------------------------------------------------------------------------ */

static struct drm_loom_gem_info gem_info(int fd, uint32_t handle)
{
	struct drm_loom_gem_info i = { .handle = handle };

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_INFO, &i), 0);
	return i;
}

/* A CPU mapping of an object through the device file. */
static void *gem_mmap(int fd, uint32_t handle, uint64_t size)
{
	struct drm_loom_gem_info i = gem_info(fd, handle);
	void *p;

	loom_assert(i.mmap_offset != 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, i.mmap_offset);
	loom_assert(p != MAP_FAILED);
	return p;
}

/* Copy out of a write-combined DRAM mapping (memcmp on it is slow and fine). */
static uint8_t *snapshot(const void *p, size_t n)
{
	uint8_t *c = malloc(n);

	loom_assert(c);
	memcpy(c, p, n);
	return c;
}

/* ---- PRIME ------------------------------------------------------------------------ */

static void test_prime_dram_self_import(void)
{
	const size_t n = 1 << 20;
	int fa = loom_open(), fb = loom_open(), imp = imp_open(), pdb, sdb;
	struct bo a = bo_new(fa, n, DRM_LOOM_BO_DRAM);
	struct bo host = bo_new(fb, n, DRM_LOOM_BO_HOST);
	struct drm_loom_gem_info info;
	uint8_t *want = malloc(n), *map, *smap;
	uint32_t hb, hs;
	uint64_t va, sva;

	loom_assert(want);
	fill(want, n, 61);
	memcpy(a.map, want, n);
	pdb = prime_to_fd(fa, a.handle);
	sdb = export(fa, a.handle, 64 << 10, 64 << 10);
	/* Back on the exporting file: the same handle. */
	loom_assert_eq(prime_to_handle(fa, pdb), a.handle);

	/* Another file: DRAM objects on the same memory. */
	hb = prime_to_handle(fb, pdb);
	loom_assert_eq(prime_to_handle(fb, pdb), hb);
	info = gem_info(fb, hb);
	loom_assert_eq(info.size, n);
	loom_assert_eq(info.bo_flags, DRM_LOOM_BO_DRAM);
	hs = prime_to_handle(fb, sdb);
	loom_assert(hs != hb);
	loom_assert_eq(gem_info(fb, hs).size, 64 << 10);

	/* The exporter's side goes away entirely. */
	munmap(a.map, n);
	close(fa);
	close(pdb);
	close(sdb);

	map = gem_mmap(fb, hb, n);
	loom_assert(!memcmp(map, want, n));
	smap = gem_mmap(fb, hs, 64 << 10);
	loom_assert(!memcmp(smap, want + (64 << 10), 64 << 10));

	/* The device reads the slices through their own mappings. */
	va = vm_bind(fb, hb, 0, n);
	dev_copy(fb, va, host.va, n);
	loom_assert(!memcmp(host.map, want, n));
	sva = vm_bind(fb, hs, 4096, 8192);
	memset(host.map, 0, n);
	dev_copy(fb, sva, host.va, 8192);
	loom_assert(!memcmp(host.map, want + (64 << 10) + 4096, 8192));

	/* One memory: a write through one slice shows in the other and to the importer. */
	memset(smap, 0xc3, 4096);
	memset(want + (64 << 10), 0xc3, 4096);
	loom_assert(!memcmp(map + (64 << 10), want + (64 << 10), 4096));
	pdb = prime_to_fd(fb, hb);	/* a re-export of the import */
	imp_attach_dram(imp, pdb, n);
	imp_expect(imp, want, n);
	close(pdb);
	close(imp);
	/* A slice exports ranges of its own: the owner's bytes at the slice's offset. */
	imp = imp_open();
	sdb = export(fb, hs, 0, 8192);
	loom_assert_err(__export(fb, hs, 0, (64 << 10) + 4096, 0, &pdb), EINVAL);
	imp_attach_dram(imp, sdb, 8192);
	imp_expect(imp, want + (64 << 10), 8192);
	close(sdb);
	close(imp);
	munmap(map, n);
	munmap(smap, 64 << 10);
	close(fb);
	free(want);
}

static void test_prime_dram_readonly(void)
{
	const size_t n = 64 << 10;
	int fa = loom_open(), fb = loom_open(), ro, db;
	struct bo a = bo_new(fa, n, DRM_LOOM_BO_DRAM);
	struct bo host = bo_new(fb, n, DRM_LOOM_BO_HOST);
	struct drm_loom_gem_info info;
	struct cb cb = { .n = 0 };
	uint8_t *want = malloc(n);
	uint32_t h, q;
	uint64_t va;
	void *p;

	loom_assert(want);
	fill(want, n, 29);
	memcpy(a.map, want, n);
	/* Exported read-only (no DRM_LOOM_EXPORT_RDWR), imported into another file. */
	loom_assert_eq(__export(fa, a.handle, 0, n, DRM_LOOM_EXPORT_CLOEXEC, &ro), 0);
	loom_assert_eq(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	h = prime_to_handle(fb, ro);
	info = gem_info(fb, h);
	loom_assert_eq(info.bo_flags, DRM_LOOM_BO_DRAM | DRM_LOOM_BO_READONLY);

	/* The CPU: read-only mappings only, and they cannot be made writable. */
	loom_assert(info.mmap_offset != 0);
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fb, info.mmap_offset);
	loom_assert(p == MAP_FAILED && errno == EACCES);
	p = mmap(NULL, n, PROT_READ, MAP_SHARED, fb, info.mmap_offset);
	loom_assert(p != MAP_FAILED);
	loom_assert(!memcmp(p, want, n));
	loom_assert(mprotect(p, n, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
	munmap(p, n);

	/* The device: bound read-only only; it reads, a write faults. */
	loom_assert_err(__bind(fb, h, 0, n, 0, &va), EPERM);
	loom_assert_eq(__bind(fb, h, 0, n, DRM_LOOM_VM_BIND_READONLY, &va), 0);
	dev_copy(fb, va, host.va, n);
	loom_assert(!memcmp(host.map, want, n));
	q = queue_create(fb, NULL);
	cb_memset(&cb, va, 0xdeadbeef, 4096);
	loom_assert_eq(wait_status(fb, q, submit_cb(fb, q, &cb)), LOOM_ERR_PERMISSION);
	loom_assert(!memcmp(a.map, want, n));

	/* Exported again: read-only only. */
	loom_assert_err(__export(fb, h, 0, n, EXPORT_RW, &db), EACCES);
	loom_assert_eq(__export(fb, h, 0, n, DRM_LOOM_EXPORT_CLOEXEC, &db), 0);
	close(db);
	/* PRIME gives the imported dma-buf back, read-only as it came, whatever DRM_RDWR says. */
	db = prime_to_fd(fb, h);
	loom_assert_eq(fcntl(db, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(db);

	/* A read-write export of the same memory imports writable. */
	db = export(fa, a.handle, 0, n);
	h = prime_to_handle(fb, db);
	loom_assert_eq(gem_info(fb, h).bo_flags, DRM_LOOM_BO_DRAM);
	vm_bind(fb, h, 0, n);
	close(db);
	close(ro);
	close(fb);
	close(fa);
	free(want);
}

static void test_prime_host(void)
{
	const size_t n = 256 << 10;
	int fd = loom_open(), f2 = loom_open(), imp = imp_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_HOST);
	struct loom_imp_attach a;
	uint8_t *want = malloc(n), *map;
	uint32_t h2;

	loom_assert(want);
	fill(want, n, 17);
	memcpy(bo.map, want, n);
	db = prime_to_fd(fd, bo.handle);
	loom_assert_eq(imp_attach(imp, db, 0, &a), 0);
	loom_assert_eq(a.size, n);
	imp_expect(imp, want, n);
	fill(want, n, 18);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_WRITE, 0, n, want), 0);
	loom_assert(!memcmp(bo.map, want, n));
	close(imp);
	/* A static importer is fine for system memory. */
	imp = imp_open();
	loom_assert_eq(imp_attach(imp, db, LOOM_IMP_F_STATIC, &a), 0);
	imp_expect(imp, want, n);
	close(imp);

	/* Another file of the device gets the same object. */
	h2 = prime_to_handle(f2, db);
	loom_assert_eq(gem_info(f2, h2).bo_flags, DRM_LOOM_BO_HOST);
	map = gem_mmap(f2, h2, n);
	loom_assert(!memcmp(map, want, n));
	munmap(map, n);
	close(db);
	close(f2);
	close(fd);
	free(want);
}

/* ---- foreign dma-bufs into loom.ko ---------------------------------------------- */

static void dmabuf_sync(int db, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	loom_assert_eq(__loom_ioctl(db, DMA_BUF_IOCTL_SYNC, &s), 0);
}

/*
 * A foreign dma-buf of n bytes, CPU-mapped by its exporter at cpu: the
 * device copies a DRAM object into it and back out of it.
 */
static void check_import(int db, uint8_t *cpu, size_t n)
{
	int fd = loom_open();
	struct bo dram = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	struct drm_loom_gem_info info;
	uint8_t *want = malloc(n), *got;
	uint32_t h = prime_to_handle(fd, db);
	uint64_t va;

	loom_assert(want);
	info = gem_info(fd, h);
	loom_assert_eq(info.size, n);
	loom_assert_eq(info.bo_flags, DRM_LOOM_BO_HOST | DRM_LOOM_BO_IMPORTED);
	loom_assert_eq(info.mmap_offset, 0);
	va = vm_bind(fd, h, 0, n);

	fill(want, n, 91);
	memcpy(dram.map, want, n);
	dev_copy(fd, dram.va, va, n);
	/*
	 * Read and write syncs alike (RW): 6.12's udmabuf maps its table at
	 * the first CPU access with that access's direction and syncs later
	 * ones with theirs, which DMA API debugging reports (udmabuf's
	 * doing, not the importer's).
	 */
	dmabuf_sync(db, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	loom_assert(!memcmp(cpu, want, n));
	dmabuf_sync(db, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);

	dmabuf_sync(db, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	fill(cpu, n, 92);
	dmabuf_sync(db, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	fill(want, n, 92);
	dev_copy(fd, va + 4096, dram.va, n - 4096);
	got = snapshot(dram.map, n - 4096);
	loom_assert(!memcmp(got, want + 4096, n - 4096));
	free(got);

	/* Not exportable as device memory; unbinding and closing detach. */
	loom_assert_err(__export(fd, h, 0, n, EXPORT_RW, &(int){ 0 }), EOPNOTSUPP);
	vm_unbind(fd, va);
	gem_close(fd, h);
	close(fd);
	free(want);
}

static void test_import_udmabuf(void)
{
	size_t n = UDMABUF_SIZE;
	uint8_t *map;
	int db = make_udmabuf(n, &map);

	check_import(db, map, n);
	close(db);
	munmap(map, n);
}

static void test_import_dma_heap(void)
{
	struct dma_heap_allocation_data d = {
		.len = (1 << 20) + 8192, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDWR);
	uint8_t *map;

	if (heap < 0)
		loom_skip("no /dev/dma_heap/system: %s", strerror(errno));
	loom_assert_eq(__loom_ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d), 0);
	map = mmap(NULL, d.len, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	loom_assert(map != MAP_FAILED);
	check_import(d.fd, map, d.len);
	munmap(map, d.len);
	close(d.fd);
	close(heap);
}

/* The first /dev/dri/card* that vgem drives. */
static int vgem_open(void)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *e;
	int fd = -1;

	if (!d)
		loom_skip("no /dev/dri (vgem.ko not loaded?)");
	while ((e = readdir(d)) && fd < 0) {
		char path[300], name[32] = "";
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		if (strncmp(e->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && (__loom_ioctl(fd, DRM_IOCTL_VERSION, &v) || strcmp(name, "vgem"))) {
			close(fd);
			fd = -1;
		}
	}
	closedir(d);
	if (fd < 0)
		loom_skip("no vgem device in /dev/dri");
	return fd;
}

static void test_import_vgem(void)
{
	struct drm_mode_create_dumb c = { .width = 1024, .height = 258, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	int vg = vgem_open(), db;
	uint8_t *map;

	loom_assert_eq(__loom_ioctl(vg, DRM_IOCTL_MODE_CREATE_DUMB, &c), 0);
	loom_assert_eq(c.size, 1024 * 4 * 258);
	db = prime_to_fd(vg, c.handle);
	m.handle = c.handle;
	loom_assert_eq(__loom_ioctl(vg, DRM_IOCTL_MODE_MAP_DUMB, &m), 0);
	map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, vg, m.offset);
	loom_assert(map != MAP_FAILED);
	check_import(db, map, c.size);
	munmap(map, c.size);
	close(db);
	close(vg);
}

/* ---- two processes ---------------------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	char c = 'x';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static void test_two_process(void)
{
	const size_t n = 1 << 20;
	int sv[2], status, db, fd, imp;
	uint8_t *want = malloc(n), *map;
	struct bo host;
	uint32_t h;
	pid_t pid;

	loom_assert(want);
	fill(want, n, 33);
	loom_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		/* The exporter: fills DRAM, exports by VA, passes the fd, and is gone. */
		int cfd = loom_open();
		struct bo bo = bo_new(cfd, n, DRM_LOOM_BO_DRAM);
		int cdb = -1;

		memcpy(bo.map, want, n);
		if (__export(cfd, 0, bo.va, n, EXPORT_RW, &cdb) || send_fd(sv[1], cdb))
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	db = recv_fd(sv[0]);
	loom_assert(db >= 0);
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);

	fd = loom_open();
	h = prime_to_handle(fd, db);
	loom_assert_eq(gem_info(fd, h).bo_flags, DRM_LOOM_BO_DRAM);
	map = gem_mmap(fd, h, n);
	loom_assert(!memcmp(map, want, n));
	host = bo_new(fd, n, DRM_LOOM_BO_HOST);
	dev_copy(fd, vm_bind(fd, h, 0, n), host.va, n);
	loom_assert(!memcmp(host.map, want, n));
	imp = imp_open();
	imp_attach_dram(imp, db, n);
	imp_expect(imp, want, n);
	close(imp);
	close(db);
	munmap(map, n);
	close(fd);
	free(want);
}

/* ---- bad arguments ------------------------------------------------------------------ */

static int __prime_to_fd(int fd, uint32_t handle, int *out)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	int r = __loom_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*out = p.fd;
	return r;
}

static void test_bad_prime_export(void)
{
	const uint64_t n = 64 << 10;
	int fd = loom_open(), fd2 = loom_open(), db = -1;
	struct drm_loom_gem_userptr u = { .size = n };
	struct bo other[3];
	void *mem = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	loom_assert(mem != MAP_FAILED);
	/* A userptr object: the process's own pages are not the driver's to export. */
	u.user_ptr = (uintptr_t)mem;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_USERPTR, &u), 0);
	loom_assert_err(__prime_to_fd(fd, u.handle, &db), EOPNOTSUPP);
	loom_assert_eq(db, -1);
	/* Bound, it is still refused. */
	vm_bind(fd, u.handle, 0, n);
	loom_assert_err(__prime_to_fd(fd, u.handle, &db), EOPNOTSUPP);
	/* Unknown handles, and another file's: ENOENT. */
	loom_assert_err(__prime_to_fd(fd, 0, &db), ENOENT);
	loom_assert_err(__prime_to_fd(fd, u.handle + 100, &db), ENOENT);
	for (unsigned i = 0; i < 3; i++)
		other[i] = bo_new(fd2, 4096, DRM_LOOM_BO_DRAM);
	loom_assert(other[2].handle != u.handle);
	loom_assert_err(__prime_to_fd(fd, other[2].handle, &db), ENOENT);
	/* The owner exports it. */
	db = prime_to_fd(fd2, other[2].handle);
	close(db);
	close(fd2);
	close(fd);
	munmap(mem, n);
}

static void test_bad_import_not_dmabuf(void)
{
	int fd = loom_open(), nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int mfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
	uint32_t h;

	loom_assert(nul >= 0 && mfd >= 0);
	loom_assert_err(__prime_to_handle(fd, -1, &h), EBADF);
	loom_assert_err(__prime_to_handle(fd, 9999, &h), EBADF);
	loom_assert_err(__prime_to_handle(fd, nul, &h), EINVAL);
	loom_assert_err(__prime_to_handle(fd, mfd, &h), EINVAL);
	loom_assert_err(__prime_to_handle(fd, fd, &h), EINVAL);
	close(mfd);
	close(nul);
	close(fd);
}

static void test_bad_import_size(void)
{
	int fd = loom_open(), imp = imp_open();
	struct loom_imp_export x = { .size = 4096 + 100 };
	uint32_t h;

	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_EXPORT, &x), 0);
	loom_assert_err(__prime_to_handle(fd, x.fd, &h), EINVAL);
	close(x.fd);
	x = (struct loom_imp_export){ .size = 100 };
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_EXPORT, &x), 0);
	loom_assert_err(__prime_to_handle(fd, x.fd, &h), EINVAL);
	close(x.fd);
	/* Whole pages from the same exporter import. */
	x = (struct loom_imp_export){ .size = 3 * 4096 };
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_EXPORT, &x), 0);
	h = prime_to_handle(fd, x.fd);
	loom_assert_eq(gem_info(fd, h).size, 3 * 4096);
	close(x.fd);
	close(imp);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "prime-dram-self-import", "PRIME of DRAM into another file: a slice on the same memory",
	  test_prime_dram_self_import },
	{ "prime-dram-readonly", "a read-only DRAM dma-buf imports read-only: no writable mmap, read-only VM_BIND, re-export read-only",
	  test_prime_dram_readonly },
	{ "prime-host", "PRIME export of a host object: the importer reads and writes it",
	  test_prime_host },
	{ "import-udmabuf", "the device DMAs into and out of an imported udmabuf",
	  test_import_udmabuf },
	{ "import-dma-heap", "the device DMAs into and out of a system dma-heap buffer",
	  test_import_dma_heap },
	{ "import-vgem", "the device DMAs into and out of a vgem object", test_import_vgem },
	{ "two-process", "an export passed over a unix socket outlives its process",
	  test_two_process },
	{ "bad-prime-export", "HANDLE_TO_FD of a userptr object: EOPNOTSUPP; unknown or another file's handle: ENOENT",
	  test_bad_prime_export },
	{ "bad-import-not-dmabuf", "FD_TO_HANDLE of what is not a dma-buf: EBADF or EINVAL",
	  test_bad_import_not_dmabuf },
	{ "bad-import-size", "FD_TO_HANDLE of a dma-buf not a whole number of pages: EINVAL",
	  test_bad_import_size },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
