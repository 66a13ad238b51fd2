// SPDX-License-Identifier: MIT
/*
 * loom_dmabuf: loom.ko's exporter of device DRAM, checked from the other
 * side of the dma-buf. The test importer (tests/kmod/loom_importer.ko,
 * /dev/loom_importer) stands in for an RDMA NIC: it attaches to a dma-buf
 * as a NIC driver's pinned umem does and moves bytes through the bus
 * addresses of the mapping. The importer-* subtests check the importer
 * itself against dma-bufs the kernel makes (udmabuf over a memfd, the
 * system dma-heap), whose contents the test can also see through an
 * ordinary mapping.
 *
 * The export-* subtests check DRM_IOCTL_LOOM_EXPORT_DMABUF through that
 * importer: the bytes, the bus addresses (inside the Loom BAR's DRAM
 * window), device DMA while the importer holds the memory, the dma-buf's
 * fences, and the lifetime of the memory and the module; the bad-export-*
 * subtests its arguments. PRIME and foreign dma-bufs are prime_loom's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_dmabuf_common.h"

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

/* ---- loom.ko's exporter: helpers ------------------------------------------------ */

static uint64_t dram_used(int fd)
{
	struct drm_loom_info_dram_usage u;

	loom_assert_eq(__loom_info(fd, DRM_LOOM_INFO_DRAM_USAGE, &u, sizeof(u)), 0);
	return u.dram_used;
}

static void dev_memset(int fd, uint64_t dst, uint32_t value, uint64_t size)
{
	static struct cb cb;

	cb.n = 0;
	cb_memset(&cb, dst, value, size);
	dev_run(fd, &cb);
}

/* ---- loom.ko's exporter ---------------------------------------------------------- */

static void test_export_dram(void)
{
	const size_t n = (1 << 20) + 3 * 4096;
	int fd = loom_open(), imp = imp_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	uint8_t *want = malloc(n), buf[8200];

	loom_assert(want);
	fill(want, n, 11);
	memcpy(bo.map, want, n);

	db = export(fd, bo.handle, 0, n);
	loom_assert(fcntl(db, F_GETFD) & FD_CLOEXEC);
	loom_assert_eq(fcntl(db, F_GETFL) & O_ACCMODE, O_RDWR);
	imp_attach_dram(imp, db, n);
	imp_expect(imp, want, n);
	/* An unaligned piece across pages, and one across the 64 KiB entries. */
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, 4093, 8200, buf), 0);
	loom_assert(!memcmp(buf, want + 4093, 8200));
	loom_assert_eq(imp_rw(imp, LOOM_IMP_READ, (64 << 10) - 5, 10, buf), 0);
	loom_assert(!memcmp(buf, want + (64 << 10) - 5, 10));

	/* What the importer writes, the BO's mapping sees. */
	fill(want, n, 200);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_WRITE, 0, n, want), 0);
	loom_assert(!memcmp(bo.map, want, n));
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	close(db);

	/* Without flags: read-only, not close-on-exec. */
	loom_assert_eq(__export(fd, bo.handle, 4096, 4096, 0, &db), 0);
	loom_assert(!(fcntl(db, F_GETFD) & FD_CLOEXEC));
	loom_assert_eq(fcntl(db, F_GETFL) & O_ACCMODE, O_RDONLY);
	/* The importer may read it, not map it for writing. */
	{
		struct loom_imp_attach a;

		loom_assert_err(imp_attach(imp, db, 0, &a), EACCES);
	}
	imp_attach_dram_flags(imp, db, 4096, LOOM_IMP_F_READ);
	imp_expect(imp, want + 4096, 4096);
	close(db);

	/* PRIME exports the whole object through the same exporter. */
	close(imp);
	imp = imp_open();
	db = prime_to_fd(fd, bo.handle);
	imp_attach_dram(imp, db, n);
	imp_expect(imp, want, n);
	close(db);
	close(imp);
	close(fd);
	free(want);
}

static void test_export_va(void)
{
	const size_t n = 256 << 10;
	int fd = loom_open(), imp = imp_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	uint8_t *want = malloc(n);
	uint64_t va;

	loom_assert(want);
	fill(want, n, 23);
	memcpy(bo.map, want, n);
	/* A second mapping of 128 KiB from 16 KiB into the object. */
	va = vm_bind(fd, bo.handle, 16 << 10, 128 << 10);

	db = -1;
	loom_assert_eq(__export(fd, 0, va + 8192, 32 << 10, EXPORT_RW, &db), 0);
	imp_attach_dram(imp, db, 32 << 10);
	imp_expect(imp, want + (16 << 10) + 8192, 32 << 10);
	close(db);
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);

	/* The whole mapping, and the last page of it. */
	loom_assert_eq(__export(fd, 0, va, 128 << 10, EXPORT_RW, &db), 0);
	close(db);
	loom_assert_eq(__export(fd, 0, va + (124 << 10), 4096, EXPORT_RW, &db), 0);
	imp_attach_dram(imp, db, 4096);
	imp_expect(imp, want + (16 << 10) + (124 << 10), 4096);

	/* Unbinding and closing the handle leave the export's memory alone. */
	vm_unbind(fd, va);
	vm_unbind(fd, bo.va);
	munmap(bo.map, n);
	gem_close(fd, bo.handle);
	imp_expect(imp, want + (16 << 10) + (124 << 10), 4096);
	close(db);
	close(imp);
	close(fd);
	free(want);
}

static void test_export_device_dma(void)
{
	const size_t n = 1 << 20;
	int fd = loom_open(), imp = imp_open(), db;
	struct bo dram = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	struct bo host = bo_new(fd, n, DRM_LOOM_BO_HOST);
	uint8_t *want = malloc(n);

	loom_assert(want);
	db = export(fd, dram.handle, 0, n);
	imp_attach_dram(imp, db, n);

	/* The device writes the exported DRAM; the importer sees it. */
	fill(want, n, 41);
	memcpy(host.map, want, n);
	dev_copy(fd, host.va, dram.va, n);
	imp_expect(imp, want, n);
	dev_memset(fd, dram.va + 4096, 0x5a5a5a5a, 8192);
	memset(want + 4096, 0x5a, 8192);
	imp_expect(imp, want, n);

	/* What the importer writes, the device reads. */
	fill(want, n, 77);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_WRITE, 0, n, want), 0);
	memset(host.map, 0, n);
	dev_copy(fd, dram.va, host.va, n);
	loom_assert(!memcmp(host.map, want, n));
	close(db);
	close(imp);
	close(fd);
	free(want);
}

static short poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	loom_assert(poll(&p, 1, 0) >= 0);
	return p.revents & events;
}

static short poll_wait(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	loom_assert(poll(&p, 1, 10000) >= 0);
	return p.revents & events;
}

/*
 * Jobs of a context that maps exported DRAM are fences of the dma-buf:
 * write fences for writable mappings (poll POLLIN and a READ sync file wait
 * for them), read fences for read-only ones (only POLLOUT waits); jobs of a
 * context that does not map the memory are not.
 */
static void test_export_fences(void)
{
	const size_t n = 64 << 10;
	int fd = loom_open(), other = loom_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	struct bo host = bo_new(other, n, DRM_LOOM_BO_HOST);
	struct dma_buf_export_sync_file x = { .flags = DMA_BUF_SYNC_READ };
	uint32_t sob_b, sob_d, qa, qb, qc, qd, h;
	uint64_t seq, va_ro = 0;
	static struct cb a, b;
	uint8_t *want = malloc(n);

	loom_assert(want);
	qa = queue_create(fd, NULL);
	qb = queue_create(fd, &sob_b);
	qc = queue_create(other, NULL);
	qd = queue_create(other, &sob_d);
	db = export(fd, bo.handle, 0, n);
	loom_assert_eq(poll_now(db, POLLIN | POLLOUT), POLLIN | POLLOUT);

	/* A job held back by queue B, then filling the exported DRAM. */
	cb_wait(&a, sob_b, 1, 0);
	cb_memset(&a, bo.va, 0x11111111, n);
	seq = submit_cb(fd, qa, &a);
	loom_assert_eq(poll_now(db, POLLIN | POLLOUT), 0);
	loom_assert_eq(__loom_ioctl(db, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &x), 0);
	loom_assert_eq(poll_now(x.fd, POLLIN), 0);
	cb_nop(&b);
	submit_cb(fd, qb, &b);
	loom_assert_eq(wait_status(fd, qa, seq), LOOM_ERR_NONE);
	loom_assert_eq(poll_wait(x.fd, POLLIN), POLLIN);
	loom_assert_eq(poll_wait(db, POLLIN | POLLOUT), POLLIN | POLLOUT);
	close(x.fd);
	memset(want, 0x11, n);
	{
		int imp = imp_open();

		imp_attach_dram(imp, db, n);
		imp_expect(imp, want, n);
		close(imp);
	}

	/* Another context, no mapping of it: its jobs are not the dma-buf's. */
	a.n = 0;
	cb_wait(&a, sob_d, 1, 0);
	seq = submit_cb(other, qc, &a);
	loom_assert_eq(poll_now(db, POLLIN | POLLOUT), POLLIN | POLLOUT);
	b.n = 0;
	cb_nop(&b);
	submit_cb(other, qd, &b);
	loom_assert_eq(wait_status(other, qc, seq), LOOM_ERR_NONE);

	/* Mapped read-only there (a slice through PRIME): a reader only. */
	h = prime_to_handle(other, db);
	loom_assert_eq(__bind(other, h, 0, n, DRM_LOOM_VM_BIND_READONLY, &va_ro), 0);
	a.n = 0;
	cb_wait(&a, sob_d, 2, 0);
	cb_dma(&a, va_ro, host.va, n);
	seq = submit_cb(other, qc, &a);
	loom_assert_eq(poll_now(db, POLLIN | POLLOUT), POLLIN);
	submit_cb(other, qd, &b);
	loom_assert_eq(wait_status(other, qc, seq), LOOM_ERR_NONE);
	loom_assert_eq(poll_wait(db, POLLOUT), POLLOUT);
	loom_assert(!memcmp(host.map, want, n));
	close(db);
	close(other);
	close(fd);
	free(want);
}

/* A child running fn(arg); its exit status is fn's result (0 or an errno). */
static pid_t run_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	loom_assert(pid >= 0);
	if (!pid)
		_exit(fn(arg));
	return pid;
}

static int child_status(pid_t pid)
{
	int st;

	loom_assert_eq(waitpid(pid, &st, 0), pid);
	loom_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int resv_wait_child(void *arg)
{
	struct loom_imp_resv_wait w = { .timeout_ms = 8000 };

	return -__loom_ioctl(*(int *)arg, LOOM_IMP_RESV_WAIT, &w);
}

struct submit_args {
	int fd;
	uint32_t q;
	struct cb cb;
};

static int submit_child(void *arg)
{
	struct submit_args *s = arg;

	return -__submit(s->fd, s->q, s->cb.dw, s->cb.n * 4);
}

/*
 * An importer waits for a Loom job's fence with the dma-buf's
 * reservation lock held (the job held back by an in-fence), while a
 * second SUBMIT on the same queue needs that lock: the first job must
 * still reach the device when its in-fence signals, the importer's wait
 * end, and the second SUBMIT then go through.
 */
static void test_export_fences_resv_held(void)
{
	const size_t n = 64 << 10;
	int fd = loom_open(), other = loom_open(), db, imp;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	uint32_t qa = queue_create(fd, NULL), qo, qg, sob_g, so_o, so;
	struct drm_syncobj_handle xh = { .flags = 0 };
	static struct submit_args u;
	static struct cb a, g, b;
	uint64_t seq, seq_o;
	pid_t waiter, submitter;
	uint8_t *want = malloc(n);

	loom_assert(want);
	qo = queue_create(other, NULL);
	qg = queue_create(other, &sob_g);
	db = export(fd, bo.handle, 0, n);
	imp = imp_open();
	imp_attach_dram(imp, db, n);

	/* The gate: a job of another file (its context maps nothing exported). */
	so_o = syncobj_create(other);
	cb_wait(&g, sob_g, 1, 0);
	loom_assert_eq(__submit_full(other, qo, g.dw, g.n * 4, NULL, 0, so_o, &seq_o), 0);
	xh.handle = so_o;
	loom_assert_eq(__loom_ioctl(other, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &xh), 0);
	xh.handle = 0;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &xh), 0);
	close(xh.fd);
	so = xh.handle;

	/* Job 1 fills the exported DRAM once the gate opens: a write fence of db. */
	cb_memset(&a, bo.va, 0x22222222, n);
	loom_assert_eq(__submit_full(fd, qa, a.dw, a.n * 4, &so, 1, 0, &seq), 0);
	loom_assert_eq(poll_now(db, POLLIN), 0);

	/* The importer holds db's resv and waits for job 1. */
	waiter = run_child(resv_wait_child, &imp);
	usleep(300 * 1000);
	/* A second SUBMIT on job 1's queue: it needs db's resv too. */
	u.fd = fd;
	u.q = qa;
	cb_nop(&u.cb);
	submitter = run_child(submit_child, &u);
	usleep(300 * 1000);
	/* Open the gate: job 1 runs, the importer's wait ends, then the SUBMIT's. */
	cb_nop(&b);
	submit_cb(other, qg, &b);
	loom_assert_eq(child_status(waiter), 0);
	loom_assert_eq(child_status(submitter), 0);
	loom_assert_eq(wait_status(other, qo, seq_o), LOOM_ERR_NONE);
	loom_assert_eq(wait_status(fd, qa, seq), LOOM_ERR_NONE);
	loom_assert_eq(wait_status(fd, qa, seq + 1), LOOM_ERR_NONE);
	memset(want, 0x22, n);
	imp_expect(imp, want, n);
	close(imp);
	close(db);
	close(other);
	close(fd);
	free(want);
}

static void test_export_lifetime(void)
{
	const size_t n = 2 << 20;
	struct stat st;
	int fd, imp, db;
	uint64_t used0;
	uint8_t *want = malloc(n);
	struct bo bo;

	if (stat(LOOM_KO_PATH, &st))
		loom_skip("%s is not there to load the module again", LOOM_KO_PATH);
	loom_assert(want);
	fd = loom_open();
	used0 = dram_used(fd);
	bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	fill(want, n, 5);
	memcpy(bo.map, want, n);
	db = export(fd, bo.handle, 0, n);
	munmap(bo.map, n);
	gem_close(fd, bo.handle);
	close(fd);

	/* Neither handle nor file: the dma-buf alone keeps the DRAM, and the module. */
	fd = loom_open();
	loom_assert_eq(dram_used(fd), used0 + n);
	close(fd);
	loom_assert_err(loom_module_unload(), EWOULDBLOCK);

	/* The importer's attachment alone keeps them too. */
	imp = imp_open();
	imp_attach_dram(imp, db, n);
	close(db);
	loom_assert_err(loom_module_unload(), EWOULDBLOCK);
	imp_expect(imp, want, n);
	fd = loom_open();
	loom_assert_eq(dram_used(fd), used0 + n);
	close(fd);

	/* The last one gone, the DRAM is free and the module can go. */
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_DETACH, NULL), 0);
	fd = loom_open();
	loom_assert_eq(dram_used(fd), used0);
	close(fd);
	close(imp);
	loom_assert_eq(loom_module_unload(), 0);
	loom_assert(loom_wait_node(false));
	loom_assert_eq(loom_module_load(), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	loom_assert_eq(dram_used(fd), 0);
	close(fd);
	free(want);
}

/*
 * The device is unbound under a live export: the dma-buf, the attachment
 * and the handles go away cleanly, new attachments get ENODEV, and the
 * device binds again.
 */
static void test_export_unbind(void)
{
	const size_t n = 64 << 10;
	int fd = loom_open(), imp = imp_open(), imp2 = imp_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	struct loom_imp_attach a;
	char addr[64];
	uint32_t h;

	loom_pci_address(fd, addr, sizeof(addr));
	db = export(fd, bo.handle, 0, n);
	imp_attach_dram(imp, db, n);

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	loom_assert(loom_wait_node(false));
	loom_assert_err(imp_attach(imp2, db, 0, &a), ENODEV);
	loom_assert_err(__prime_to_handle(fd, db, &h), ENODEV);
	loom_assert_err(__export(fd, bo.handle, 0, n, 0, &db), ENODEV);
	munmap(bo.map, n);
	close(fd);
	close(db);
	close(imp);
	close(imp2);

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	db = export(fd, bo.handle, 0, n);
	imp = imp_open();
	imp_attach_dram(imp, db, n);
	close(imp);
	close(db);
	close(fd);
}

/*
 * Unbind under a pinned importer: it is told (move_notify), new maps fail,
 * and while it holds the dma-buf the next binding keeps the DRAM out of
 * its allocator: what the stale importer writes reaches no new object.
 */
static void test_export_revoked_held(void)
{
	const size_t n = 2 << 20;
	int fd = loom_open(), imp = imp_open(), imp2 = imp_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	struct loom_imp_status st = { 0 };
	struct loom_imp_attach a;
	uint8_t *pattern = malloc(n);
	uint64_t used0;
	char addr[64];

	loom_assert(pattern);
	loom_pci_address(fd, addr, sizeof(addr));
	db = export(fd, bo.handle, 0, n);
	imp_attach_dram(imp, db, n);
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_STATUS, &st), 0);
	loom_assert_eq(st.moves, 0);
	munmap(bo.map, n);
	close(fd);

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	loom_assert(loom_wait_node(false));
	/* Revoked: the importer was told, a new attachment cannot map. */
	loom_assert_eq(__loom_ioctl(imp, LOOM_IMP_STATUS, &st), 0);
	loom_assert_eq(st.moves, 1);
	loom_assert_err(imp_attach(imp2, db, 0, &a), ENODEV);
	close(db);

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	/* The pinned importer still holds the DRAM: it counts as used. */
	used0 = dram_used(fd);
	loom_assert(used0 >= n);
	bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	loom_assert_eq(dram_used(fd), used0 + n);
	fill(pattern, n, 99);
	loom_assert_eq(imp_rw(imp, LOOM_IMP_WRITE, 0, n, pattern), 0);
	for (size_t i = 0; i < n; i += 4096)
		if (pattern[i])
			loom_assert_eq(((volatile uint8_t *)bo.map)[i], 0);
	/* Let go: the DRAM is free again. */
	close(imp);
	for (int i = 0; i < 100 && dram_used(fd) != n; i++)
		usleep(10 * 1000);
	loom_assert_eq(dram_used(fd), n);
	munmap(bo.map, n);
	close(imp2);
	close(fd);
	free(pattern);
	/*
	 * The held binding kept its node's minor meanwhile, so this one has
	 * another: bind once more, for the tests that expect accel0.
	 */
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	loom_assert(loom_wait_node(false));
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	loom_assert(loom_wait_node(true));
}

static void test_export_static_importer(void)
{
	int fd = loom_open(), imp = imp_open(), db, pdb;
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);
	struct loom_imp_attach a;

	db = export(fd, bo.handle, 0, 64 << 10);
	loom_assert_err(imp_attach(imp, db, LOOM_IMP_F_STATIC, &a), EOPNOTSUPP);
	pdb = prime_to_fd(fd, bo.handle);
	loom_assert_err(imp_attach(imp, pdb, LOOM_IMP_F_STATIC, &a), EOPNOTSUPP);
	/* The same importer, peer-to-peer, is welcome. */
	imp_attach_dram(imp, db, 64 << 10);
	close(pdb);
	close(db);
	close(imp);
	close(fd);
}

/* ---- bad arguments ------------------------------------------------------------------ */

static void test_bad_export_handle(void)
{
	int fd = loom_open(), db;
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);

	int fd2 = loom_open();
	struct bo other[3];

	loom_assert_err(__export(fd, 0xbad, 0, 4096, 0, &db), ENOENT);
	/* Another file's object: its handle and its VA mean nothing here. */
	for (unsigned i = 0; i < 3; i++)
		other[i] = bo_new(fd2, 64 << 10, DRM_LOOM_BO_DRAM);
	loom_assert(other[2].handle != bo.handle);
	loom_assert(other[2].va >= bo.va + bo.size || other[2].va + other[2].size <= bo.va);
	loom_assert_err(__export(fd, other[2].handle, 0, 4096, 0, &db), ENOENT);
	loom_assert_err(__export(fd, 0, other[2].va, 4096, 0, &db), ENOENT);
	gem_close(fd, bo.handle);
	loom_assert_err(__export(fd, bo.handle, 0, 4096, 0, &db), ENOENT);
	/* Its owner exports it. */
	close(export(fd2, other[2].handle, 0, 4096));
	close(fd2);
	close(fd);
}

static void test_bad_export_unaligned(void)
{
	int fd = loom_open(), db;
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);

	loom_assert_err(__export(fd, bo.handle, 100, 4096, 0, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, 0, 100, 0, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, 2048, 8192, 0, &db), EINVAL);
	loom_assert_err(__export(fd, 0, bo.va + 8, 4096, 0, &db), EINVAL);
	loom_assert_err(__export(fd, 0, bo.va, 4097, 0, &db), EINVAL);
	close(fd);
}

static void test_bad_export_size(void)
{
	int fd = loom_open(), db;
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);

	loom_assert_err(__export(fd, bo.handle, 0, 0, 0, &db), EINVAL);
	loom_assert_err(__export(fd, 0, bo.va, 0, 0, &db), EINVAL);
	close(fd);
}

static void test_bad_export_range(void)
{
	const uint64_t n = 64 << 10;
	int fd = loom_open(), db;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);

	loom_assert_err(__export(fd, bo.handle, 0, n + 4096, 0, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, n, 4096, 0, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, n - 4096, 8192, 0, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, 1ULL << 60, 4096, 0, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, 4096, UINT64_MAX - 4095, 0, &db), EINVAL);
	loom_assert_err(__export(fd, 0, bo.va, n + 4096, 0, &db), EINVAL);
	loom_assert_err(__export(fd, 0, bo.va + 4096, UINT64_MAX - 4095, 0, &db), EINVAL);
	/* The last page is fine. */
	loom_assert_eq(__export(fd, bo.handle, n - 4096, 4096, 0, &db), 0);
	close(db);
	close(fd);
}

static void test_bad_export_va_unmapped(void)
{
	int fd = loom_open(), db;
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);

	loom_assert_err(__export(fd, 0, 0, 4096, 0, &db), ENOENT);
	loom_assert_err(__export(fd, 0, DRM_LOOM_VA_USER_START - 4096, 4096, 0, &db), ENOENT);
	loom_assert_err(__export(fd, 0, DRM_LOOM_VA_USER_END, 4096, 0, &db), ENOENT);
	loom_assert_err(__export(fd, 0, 1ULL << 40, 4096, 0, &db), ENOENT);
	loom_assert_err(__export(fd, 0, bo.va + (64 << 10), 4096, 0, &db), ENOENT);
	vm_unbind(fd, bo.va);
	loom_assert_err(__export(fd, 0, bo.va, 4096, 0, &db), ENOENT);
	/* The handle still exports. */
	loom_assert_eq(__export(fd, bo.handle, 0, 4096, 0, &db), 0);
	close(db);
	close(fd);
}

static void test_bad_export_va_crossing(void)
{
	const uint64_t n = 64 << 10, base = 1ULL << 40;
	int fd = loom_open(), db;
	struct bo a = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	uint64_t va = base;

	/* Two mappings back to back: the object twice. */
	loom_assert_eq(__bind(fd, a.handle, 0, n, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	va = base + n;
	loom_assert_eq(__bind(fd, a.handle, 0, n, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	loom_assert_err(__export(fd, 0, base + n - 4096, 8192, 0, &db), EINVAL);
	loom_assert_err(__export(fd, 0, base, 2 * n, 0, &db), EINVAL);
	loom_assert_eq(__export(fd, 0, base + n - 4096, 4096, 0, &db), 0);
	close(db);
	loom_assert_eq(__export(fd, 0, base + n, 4096, 0, &db), 0);
	close(db);
	close(fd);
}

static void test_bad_export_host_bo(void)
{
	int fd = loom_open(), db;
	struct bo host = bo_new(fd, 64 << 10, DRM_LOOM_BO_HOST);
	struct drm_loom_gem_userptr u = { .size = 64 << 10 };
	void *mem = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	uint64_t va;

	loom_assert(mem != MAP_FAILED);
	loom_assert_err(__export(fd, host.handle, 0, 4096, 0, &db), EOPNOTSUPP);
	loom_assert_err(__export(fd, 0, host.va, 4096, 0, &db), EOPNOTSUPP);
	u.user_ptr = (uintptr_t)mem;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_USERPTR, &u), 0);
	loom_assert_err(__export(fd, u.handle, 0, 4096, 0, &db), EOPNOTSUPP);
	va = vm_bind(fd, u.handle, 0, 64 << 10);
	loom_assert_err(__export(fd, 0, va, 4096, 0, &db), EOPNOTSUPP);
	close(fd);
	munmap(mem, 64 << 10);
}

static void test_bad_export_flags(void)
{
	int fd = loom_open(), db;
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);

	loom_assert_err(__export(fd, bo.handle, 0, 4096, 1u << 2, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, 0, 4096, 1u << 31, &db), EINVAL);
	loom_assert_err(__export(fd, bo.handle, 0, 4096, ~0u, &db), EINVAL);
	close(fd);
}

static void test_bad_export_reserved(void)
{
	int fd = loom_open();
	struct bo bo = bo_new(fd, 64 << 10, DRM_LOOM_BO_DRAM);
	struct drm_loom_export_dmabuf e;

	for (int i = 0; i < 3; i++) {
		e = (struct drm_loom_export_dmabuf){ .handle = bo.handle, .size = 4096 };
		if (i == 0)
			e.pad = 1;
		else
			e.reserved[i - 1] = 1;
		loom_assert_err(__loom_ioctl(fd, DRM_IOCTL_LOOM_EXPORT_DMABUF, &e), EINVAL);
	}
	close(fd);
}

/* Random arguments, from plausible to absurd: only the documented errors. */
static void test_bad_export_random(void)
{
	const uint64_t n = 256 << 10;
	int fd = loom_open(), db, r, ok = 0;
	struct bo dram = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	struct bo host = bo_new(fd, n, DRM_LOOM_BO_HOST);
	const uint32_t handles[] = { 0, dram.handle, host.handle, 0xbad, ~0u };
	const uint64_t bases[] = { 0, dram.va, host.va, n, DRM_LOOM_VA_USER_END, 1ULL << 63 };
	unsigned int seed = 1234;

	for (int i = 0; i < 4000; i++) {
		struct drm_loom_export_dmabuf e = { 0 };
		uint64_t span = ((uint64_t)rand_r(&seed) % 80) * 4096;

		e.handle = handles[rand_r(&seed) % 5];
		e.offset = bases[rand_r(&seed) % 6] + ((uint64_t)rand_r(&seed) % 70) * 4096;
		e.size = rand_r(&seed) % 8 ? span : (uint64_t)rand_r(&seed) << 33 | rand_r(&seed);
		if (rand_r(&seed) % 8 == 0)
			e.offset ^= (uint64_t)rand_r(&seed) % 4096;
		e.flags = rand_r(&seed) % 8 ? (uint32_t)rand_r(&seed) % 4 : (uint32_t)rand_r(&seed);
		if (rand_r(&seed) % 16 == 0)
			e.reserved[rand_r(&seed) % 2] = (uint64_t)rand_r(&seed) + 1;
		r = __loom_ioctl(fd, DRM_IOCTL_LOOM_EXPORT_DMABUF, &e);
		if (!r) {
			db = (int)e.fd;
			loom_assert(db >= 0 && e.size && e.size <= n);
			close(db);
			ok++;
			continue;
		}
		if (r != -EINVAL && r != -ENOENT && r != -EOPNOTSUPP)
			loom_igt_fail(__FILE__, __LINE__, "handle %u offset %#llx size %#llx flags %#x: %d",
				      e.handle, (unsigned long long)e.offset,
				      (unsigned long long)e.size, e.flags, r);
	}
	loom_assert(ok > 0);
	/* The objects are untouched. */
	loom_assert_eq(__export(fd, dram.handle, 0, n, 0, &db), 0);
	close(db);
	close(fd);
}

/*
 * Exports by VA while another process on the same file binds and unbinds
 * that VA: each export gets the memory or ENOENT, never anything else.
 */
static void test_export_va_race(void)
{
	const uint64_t n = 64 << 10, va = 1ULL << 41;
	int fd = loom_open(), db, r, status;
	struct bo bo = bo_new(fd, n, DRM_LOOM_BO_DRAM);
	pid_t pid;

	fill(bo.map, n, 3);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 3000; i++) {
			struct drm_loom_vm_bind b = {
				.op = DRM_LOOM_VM_BIND_OP_MAP, .handle = bo.handle, .size = n,
				.flags = DRM_LOOM_VM_BIND_FIXED, .va = va,
			};
			struct drm_loom_vm_bind u = { .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va };

			if (__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b) ||
			    __loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &u))
				_exit(1);
		}
		_exit(0);
	}
	for (int i = 0; i < 3000; i++) {
		r = __export(fd, 0, va + 4096, 8192, DRM_LOOM_EXPORT_CLOEXEC, &db);
		if (!r)
			close(db);
		else if (r != -ENOENT) {
			loom_igt_fail(__FILE__, __LINE__, "export during bind/unbind: %d", r);
		}
	}
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Unraced, it works. */
	loom_assert_eq(__bind(fd, bo.handle, 0, n, DRM_LOOM_VM_BIND_FIXED, &(uint64_t){ va }), 0);
	loom_assert_eq(__export(fd, 0, va + 4096, 8192, 0, &db), 0);
	close(db);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "importer-udmabuf", "the test importer reads and writes a udmabuf through its bus addresses",
	  test_importer_udmabuf },
	{ "importer-udmabuf-static", "the same through a static (non-P2P) attachment",
	  test_importer_udmabuf_static },
	{ "importer-dma-heap", "the test importer reads a system dma-heap buffer",
	  test_importer_dma_heap },
	{ "importer-bad", "the test importer's own errors", test_importer_bad },
	{ "export-dram", "a DRAM object's export: the importer reads and writes it at BAR addresses",
	  test_export_dram },
	{ "export-va", "export by device VA, sub-ranges of a mapping; unbind and close keep it",
	  test_export_va },
	{ "export-device-dma", "the device DMAs into exported DRAM the importer holds, and back",
	  test_export_device_dma },
	{ "export-lifetime", "the dma-buf and the attachment keep DRAM and module; rmmod after",
	  test_export_lifetime, 60 },
	{ "export-unbind", "unbind under a live export: clean teardown, ENODEV, binds again",
	  test_export_unbind, 60 },
	{ "export-fences", "jobs on exported DRAM are the dma-buf's fences: poll, sync files",
	  test_export_fences },
	{ "export-fences-resv-held", "an importer waits for a held-back job with the dma-buf's resv locked while SUBMIT on its queue needs that lock: no deadlock",
	  test_export_fences_resv_held },
	{ "export-revoked-held", "unbind under a pinned importer: told, new maps ENODEV, its DRAM held out of the next binding until it lets go",
	  test_export_revoked_held, 60 },
	{ "export-static-importer", "an importer without peer-to-peer: EOPNOTSUPP",
	  test_export_static_importer },
	{ "bad-export-handle", "EXPORT_DMABUF of a handle or VA that does not exist here (another file's): ENOENT",
	  test_bad_export_handle },
	{ "bad-export-unaligned", "EXPORT_DMABUF offset or size not page aligned: EINVAL",
	  test_bad_export_unaligned },
	{ "bad-export-size", "EXPORT_DMABUF of 0 bytes: EINVAL", test_bad_export_size },
	{ "bad-export-range", "EXPORT_DMABUF beyond the object or the mapping: EINVAL",
	  test_bad_export_range },
	{ "bad-export-va-unmapped", "EXPORT_DMABUF of a VA with no mapping: ENOENT",
	  test_bad_export_va_unmapped },
	{ "bad-export-va-crossing", "EXPORT_DMABUF of a VA range over two mappings: EINVAL",
	  test_bad_export_va_crossing },
	{ "bad-export-host-bo", "EXPORT_DMABUF of host or userptr memory: EOPNOTSUPP",
	  test_bad_export_host_bo },
	{ "bad-export-flags", "EXPORT_DMABUF with unknown flags: EINVAL", test_bad_export_flags },
	{ "bad-export-reserved", "EXPORT_DMABUF with pad or reserved set: EINVAL",
	  test_bad_export_reserved },
	{ "bad-export-random", "EXPORT_DMABUF with random arguments: 0, EINVAL, ENOENT, EOPNOTSUPP",
	  test_bad_export_random },
	{ "export-va-race", "exports by VA while the VA is bound and unbound: 0 or ENOENT",
	  test_export_va_race, 60 },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
