// SPDX-License-Identifier: MIT
/*
 * loom_vm: the per-file device address spaces (VM_BIND): automatic and
 * fixed mappings, unmapping, overlaps, a mapping that outlives its
 * handle, the page tables the driver writes, the device copying through
 * them, isolation between files and processes, ASID exhaustion, races on
 * one file and VM_BIND's errors, run in the QEMU guest against loom.ko
 * (vm/run.sh). The objects themselves are loom_gem's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw/loom_packets.h"
#include "hw/loom_regs.h"

#include "loom_gem_common.h"

/* ASID 0 is never valid: one context per open file for the others. */
#define LOOM_NUM_ASIDS_MAX	(LOOM_NUM_ASIDS - 1)

/* ---- VM_BIND ------------------------------------------------------------------ */

static void test_vm_bind_auto(void)
{
	int fd = loom_open();
	uint32_t hd = gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM);
	uint32_t hh = gem_create(fd, 3 * PAGE, DRM_LOOM_BO_HOST);
	uint64_t v1, v2, v3, v4;

	v1 = vm_map(fd, hd, 0, 4 * MIB, 0);
	v2 = vm_map(fd, hd, 0, 4 * MIB, DRM_LOOM_VM_BIND_READONLY);	/* twice is fine */
	v3 = vm_map(fd, hh, PAGE, 2 * PAGE, 0);
	v4 = vm_map(fd, hd, 2 * MIB + PAGE, PAGE, 0);
	loom_assert(v1 >= DRM_LOOM_VA_USER_START && v1 + 4 * MIB <= DRM_LOOM_VA_USER_END);
	loom_assert(v2 >= DRM_LOOM_VA_USER_START && v2 + 4 * MIB <= DRM_LOOM_VA_USER_END);
	/* Large mappings are 2 MiB aligned, so they can use 2 MiB pages. */
	loom_assert_eq(v1 % (2 * MIB), 0);
	loom_assert_eq(v2 % (2 * MIB), 0);
	loom_assert_eq(v3 % PAGE, 0);
	loom_assert_eq(v4 % PAGE, 0);
	/* No two mappings overlap. */
	loom_assert(v1 + 4 * MIB <= v2 || v2 + 4 * MIB <= v1);
	loom_assert(v3 + 2 * PAGE <= v1 || v1 + 4 * MIB <= v3);
	loom_assert(v3 + 2 * PAGE <= v2 || v2 + 4 * MIB <= v3);
	loom_assert(v4 + PAGE <= v1 || v1 + 4 * MIB <= v4);
	loom_assert(v4 + PAGE <= v2 || v2 + 4 * MIB <= v4);
	loom_assert(v4 + PAGE <= v3 || v3 + 2 * PAGE <= v4);
	close(fd);	/* with everything still bound */
}

static void test_vm_bind_fixed(void)
{
	int fd = loom_open();
	uint32_t h = gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM);
	uint64_t va;

	va = DRM_LOOM_VA_USER_START;
	loom_assert_eq(__vm_map(fd, h, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	loom_assert_eq(va, DRM_LOOM_VA_USER_START);
	/* Not 2 MiB aligned: 4 KiB pages do it. */
	va = 0x40000000ULL + PAGE;
	loom_assert_eq(__vm_map(fd, h, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	loom_assert_eq(va, 0x40000000ULL + PAGE);
	/* The last page of the user range. */
	va = DRM_LOOM_VA_USER_END - PAGE;
	loom_assert_eq(__vm_map(fd, h, 4 * MIB - PAGE, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	/* High up, across a 512 GiB boundary (a level-0 entry). */
	va = (1ULL << 39) - MIB;
	loom_assert_eq(__vm_map(fd, h, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED |
				DRM_LOOM_VM_BIND_READONLY, &va), 0);
	/* An automatic mapping avoids all of them. */
	va = vm_map(fd, h, 0, 4 * MIB, 0);
	loom_assert(va >= DRM_LOOM_VA_USER_START + 4 * MIB);
	loom_assert(va + 4 * MIB <= 0x40000000ULL + PAGE || va >= 0x40000000ULL + PAGE + 4 * MIB);
	loom_assert(va + 4 * MIB <= (1ULL << 39) - MIB || va >= (1ULL << 39) + 3 * MIB);
	loom_assert(va + 4 * MIB <= DRM_LOOM_VA_USER_END - PAGE);
	close(fd);
}

static void test_vm_unbind(void)
{
	int fd = loom_open();
	uint32_t h = gem_create(fd, 4 * MIB, DRM_LOOM_BO_HOST);
	uint64_t va = 0x100000000ULL, va2;

	loom_assert_eq(__vm_map(fd, h, 0, 3 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	/* Only the exact start, and size 0 or the exact size. */
	loom_assert_err(__vm_unmap(fd, va + PAGE, 0), ENOENT);
	loom_assert_err(__vm_unmap(fd, va, PAGE), EINVAL);
	loom_assert_err(__vm_unmap(fd, va, 4 * MIB), EINVAL);
	loom_assert_eq(__vm_unmap(fd, va, 3 * MIB), 0);
	loom_assert_err(__vm_unmap(fd, va, 0), ENOENT);
	/* The range is free again. */
	loom_assert_eq(__vm_map(fd, h, MIB, 3 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	loom_assert_eq(__vm_unmap(fd, va, 0), 0);

	/* Many mappings, unmapped in another order than mapped. */
	uint64_t vas[64];

	for (int i = 0; i < 64; i++)
		vas[i] = vm_map(fd, h, (i % 16) * PAGE, (1 + i % 5) * PAGE, 0);
	for (int i = 0; i < 64; i += 2)
		loom_assert_eq(__vm_unmap(fd, vas[i], 0), 0);
	for (int i = 63; i > 0; i -= 2)
		loom_assert_eq(__vm_unmap(fd, vas[i], (1 + i % 5) * PAGE), 0);
	for (int i = 0; i < 64; i++)
		loom_assert_err(__vm_unmap(fd, vas[i], 0), ENOENT);
	va2 = vm_map(fd, h, 0, 4 * MIB, 0);
	loom_assert_eq(__vm_unmap(fd, va2, 0), 0);
	close(fd);
}

static void test_bind_overlap(void)
{
	int fd = loom_open();
	uint32_t h = gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM);
	uint64_t base = 0x200000000ULL, va;

	va = base;
	loom_assert_eq(__vm_map(fd, h, 0, 2 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	/* Any overlap, at either end or inside: EBUSY, and nothing changes. */
	va = base + MIB;
	loom_assert_err(__vm_map(fd, h, 0, 2 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), EBUSY);
	va = base - PAGE;
	loom_assert_err(__vm_map(fd, h, 0, 2 * PAGE, DRM_LOOM_VM_BIND_FIXED, &va), EBUSY);
	va = base + PAGE;
	loom_assert_err(__vm_map(fd, h, 0, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), EBUSY);
	va = base - MIB;
	loom_assert_err(__vm_map(fd, h, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), EBUSY);
	/* Right next to it is fine. */
	va = base - PAGE;
	loom_assert_eq(__vm_map(fd, h, 0, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	va = base + 2 * MIB;
	loom_assert_eq(__vm_map(fd, h, 0, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	loom_assert_eq(__vm_unmap(fd, base, 2 * MIB), 0);
	va = base + MIB;
	loom_assert_eq(__vm_map(fd, h, 0, MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	close(fd);
}

static void test_close_handle_while_bound(void)
{
	int fd = loom_open();
	uint64_t half = dram_size(fd) / 2 + 16 * MIB;
	uint32_t h, h2;
	uint64_t va;
	int err;
	volatile uint32_t *p;

	/* Two objects of more than half the DRAM cannot coexist. */
	h = gem_create(fd, half, DRM_LOOM_BO_DRAM);
	p = gem_mmap(fd, h, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	fill(p, 2 * MIB, 99);
	va = vm_map(fd, h, 0, half, 0);
	loom_assert_eq(__gem_close(fd, h), 0);
	/* The mapping (and the CPU mapping) keep it: no room for another. */
	loom_assert_err(__gem_create(fd, half, DRM_LOOM_BO_DRAM, &h2), ENOMEM);
	loom_assert_eq(check(p, 2 * MIB, 99), -1);
	munmap((void *)p, 2 * MIB);
	loom_assert_err(__gem_create(fd, half, DRM_LOOM_BO_DRAM, &h2), ENOMEM);
	/* Unbinding drops the last reference: the DRAM is free again. */
	loom_assert_eq(__vm_unmap(fd, va, 0), 0);
	h2 = gem_create(fd, half, DRM_LOOM_BO_DRAM);
	p = gem_mmap(fd, h2, 2 * MIB, &err);
	loom_assert_eq(err, 0);
	loom_assert_eq(check_zero(p, 2 * MIB), -1);
	munmap((void *)p, 2 * MIB);
	loom_assert_eq(__gem_close(fd, h2), 0);

	/* Closing the file with a bound object frees it too. */
	h = gem_create(fd, half, DRM_LOOM_BO_DRAM);
	vm_map(fd, h, 0, half, 0);
	loom_assert_eq(__gem_close(fd, h), 0);
	close(fd);
	fd = loom_open();
	h = gem_create(fd, half, DRM_LOOM_BO_DRAM);
	close(fd);
}

/*
 * The page tables as the driver's debugfs file "mmu" reads them back
 * (every valid leaf, runs of contiguous VAs and PAs): the block of the
 * context that has a mapping starting at va, or NULL.
 */
static char *mmu_dump(uint64_t va)
{
	static char buf[1 << 20];
	char path[512], key[64], *blk, *end;
	size_t n = 0;
	ssize_t r;
	int fd;
	DIR *d;
	struct dirent *e;

	if (access("/sys/kernel/debug/accel", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	d = opendir("/sys/kernel/debug/accel");
	if (!d)
		loom_skip("no debugfs (/sys/kernel/debug/accel)");
	path[0] = 0;
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/mmu", e->d_name);
		if (e->d_name[0] != '.' && !access(path, R_OK))
			break;
		path[0] = 0;
	}
	closedir(d);
	if (!path[0])
		loom_skip("no debugfs file accel/*/mmu");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	loom_assert(fd >= 0);
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	snprintf(key, sizeof(key), "  user   %#014llx-", (unsigned long long)va);
	blk = strstr(buf, key);
	if (!blk)
		return NULL;
	while (blk > buf && strncmp(blk, "asid ", 5))
		blk--;
	end = strstr(blk + 1, "\nasid ");
	if (end)
		end[1] = 0;
	return blk;
}

/* The run of leaves that starts at va in a block: its end, PA and kind. */
static bool mmu_run(const char *blk, uint64_t va, uint64_t *end, uint64_t *pa, char kind[8])
{
	char key[64], rw[4], pg[4];
	const char *l;
	unsigned long long e, p;

	snprintf(key, sizeof(key), "  pte %#014llx-", (unsigned long long)va);
	l = strstr(blk, key);
	if (!l || sscanf(l + strlen(key), "%llx -> %llx %3s %3s", &e, &p, rw, pg) != 4)
		return false;
	*end = e;
	*pa = p;
	snprintf(kind, 8, "%s %s", rw, pg);
	return true;
}

static void test_page_tables(void)
{
	const uint64_t a = 0x5a5a00000000ULL, b = a + 0x10000000ULL + PAGE, c = a + 0x20000000ULL;
	int fd = loom_open();
	uint64_t dram = dram_size(fd), va, end, pa, pa2, covered;
	uint32_t hd = gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM);
	uint32_t hh = gem_create(fd, 3 * PAGE, DRM_LOOM_BO_HOST);
	char kind[8], *blk;

	va = a;
	loom_assert_eq(__vm_map(fd, hd, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	va = b;
	loom_assert_eq(__vm_map(fd, hd, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED |
				DRM_LOOM_VM_BIND_READONLY, &va), 0);
	va = c;
	loom_assert_eq(__vm_map(fd, hh, 0, 3 * PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	blk = mmu_dump(a);
	loom_assert(blk != NULL);

	/* 2 MiB aligned VA and DRAM: two 2 MiB pages, writable, in DRAM. */
	loom_assert(mmu_run(blk, a, &end, &pa, kind));
	loom_assert_eq(end, a + 4 * MIB);
	loom_assert(!strcmp(kind, "rw 2M"));
	loom_assert_eq(pa % (2 * MIB), 0);
	loom_assert(pa + 4 * MIB <= dram);
	/* The same memory at a VA 4 KiB off: 4 KiB pages, read-only. */
	loom_assert(mmu_run(blk, b, &end, &pa2, kind));
	loom_assert_eq(end, b + 4 * MIB);
	loom_assert(!strcmp(kind, "ro 4K"));
	loom_assert_eq(pa2, pa);
	/* Host pages: in the driver's host window, 4 KiB each. */
	for (va = c, covered = 0; covered < 3 * PAGE; va = end) {
		loom_assert(mmu_run(blk, va, &end, &pa, kind));
		loom_assert(!strcmp(kind, "rw 4K"));
		loom_assert(pa >= LOOM_PA_HOST(0, 0) && pa < LOOM_PA_HOST(1, 0));
		covered += end - va;
	}
	loom_assert_eq(covered, 3 * PAGE);
	loom_assert(!mmu_run(blk, c + 3 * PAGE, &end, &pa, kind));

	/* Unmapped: the leaves are gone, the other mappings stay. */
	loom_assert_eq(__vm_unmap(fd, a, 0), 0);
	blk = mmu_dump(b);
	loom_assert(blk != NULL);
	loom_assert(!mmu_run(blk, a, &end, &pa, kind));
	loom_assert(!strstr(blk, "  pte 0x005a5a0"));
	loom_assert(mmu_run(blk, b, &end, &pa, kind));
	/* Closed: the context is gone. */
	close(fd);
	loom_assert(mmu_dump(b) == NULL);
}

/* ---- the device through the mappings ------------------------------------------ */

struct dma_queue {
	int fd;
	uint32_t id;
};

static void queue_create(int fd, struct dma_queue *q)
{
	struct drm_loom_queue_create c = { 0 };
	int r = __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c);

	if (r == -EINVAL || r == -ENOTTY || r == -EOPNOTSUPP)
		loom_skip("no DRM_IOCTL_LOOM_QUEUE_CREATE (%d)", r);
	loom_assert_eq(r, 0);
	q->fd = fd;
	q->id = c.queue_id;
}

/* Run one LIN_DMA job; returns the job's LOOM_ERR_* status. */
static uint32_t queue_dma(struct dma_queue *q, uint64_t src, uint64_t dst, uint64_t size)
{
	struct loom_pkt_lin_dma pkt = {
		.header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(pkt) / 4),
		.src = src, .dst = dst, .size = size,
	};
	struct drm_loom_submit sub = {
		.queue_id = q->id, .cb_ptr = (uintptr_t)&pkt, .cb_size = sizeof(pkt),
	};
	struct drm_loom_wait w = { .queue_id = q->id, .timeout_ns = 20000000000ULL };

	loom_assert_eq(__loom_ioctl(q->fd, DRM_IOCTL_LOOM_SUBMIT, &sub), 0);
	w.seq = sub.seq;
	loom_assert_eq(__loom_ioctl(q->fd, DRM_IOCTL_LOOM_WAIT, &w), 0);
	return w.status;
}

static void test_dma_through_mappings(void)
{
	const uint64_t hsize = 4 * MIB + 2 * PAGE, usize = 16 * PAGE;
	int fd = loom_open(), err;
	struct dma_queue q;
	uint32_t hh, hd, hu;
	uint64_t hv, dv, dv4k, uv, rv;
	volatile uint32_t *ph, *pd;
	uint32_t *mem;

	queue_create(fd, &q);
	hh = gem_create(fd, hsize, DRM_LOOM_BO_HOST);
	hd = gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM);
	mem = mmap(NULL, usize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	loom_assert(mem != MAP_FAILED);
	memset(mem, 0, usize);
	loom_assert_eq(__gem_userptr(fd, mem, usize, 0, &hu), 0);
	ph = gem_mmap(fd, hh, hsize, &err);
	loom_assert_eq(err, 0);
	pd = gem_mmap(fd, hd, 4 * MIB, &err);
	loom_assert_eq(err, 0);
	fill(ph, hsize, 0xabc);

	hv = vm_map(fd, hh, 0, hsize, DRM_LOOM_VM_BIND_READONLY);
	dv = vm_map(fd, hd, 0, 4 * MIB, 0);			/* 2 MiB pages */
	dv4k = 0x7000000000ULL + PAGE;				/* 4 KiB pages */
	loom_assert_eq(__vm_map(fd, hd, 0, 4 * MIB, DRM_LOOM_VM_BIND_FIXED, &dv4k), 0);
	uv = vm_map(fd, hu, 0, usize, 0);
	rv = vm_map(fd, hd, 0, 4 * MIB, DRM_LOOM_VM_BIND_READONLY);

	/* Host -> DRAM through 2 MiB pages: the whole object arrives. */
	loom_assert_eq(queue_dma(&q, hv + PAGE, dv, 4 * MIB), 0);
	for (uint64_t i = 0; i < 4 * MIB / 4; i++)
		if (pd[i] != ph[PAGE / 4 + i])
			loom_igt_fail(__FILE__, __LINE__, "DRAM word %llu", (unsigned long long)i);
	/* DRAM through 4 KiB pages -> user memory. */
	loom_assert_eq(queue_dma(&q, dv4k + 2 * MIB - PAGE, uv, usize), 0);
	loom_assert(!memcmp(mem, (const void *)(pd + (2 * MIB - PAGE) / 4), usize));

	/* Read-only mappings fault on write, unbound ones on anything. */
	loom_assert_eq(queue_dma(&q, hv, rv, PAGE), LOOM_ERR_PERMISSION);
	queue_create(fd, &q);	/* a fresh queue, whatever the failure did to the old one */
	loom_assert_eq(queue_dma(&q, dv, hv, PAGE), LOOM_ERR_PERMISSION);
	queue_create(fd, &q);
	loom_assert_eq(__vm_unmap(fd, uv, 0), 0);
	loom_assert_eq(queue_dma(&q, dv, uv, PAGE), LOOM_ERR_PAGE_FAULT);
	munmap((void *)ph, hsize);
	munmap((void *)pd, 4 * MIB);
	close(fd);
}

/* ---- files and contexts ------------------------------------------------------- */

static void test_isolation(void)
{
	int fd = loom_open(), fd2 = loom_open(), pipefd[2];
	struct drm_loom_gem_info info;
	uint32_t mine = gem_create(fd, PAGE, DRM_LOOM_BO_HOST), theirs[3];
	uint64_t va = 0x300000000ULL, va2;
	pid_t pid;
	int status;

	/* Another file of the same process: no access to our handles or VAs. */
	loom_assert_err(__gem_info(fd2, mine, &info), ENOENT);
	va2 = 0;
	loom_assert_err(__vm_map(fd2, mine, 0, PAGE, 0, &va2), ENOENT);
	loom_assert_eq(__vm_map(fd, mine, 0, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	loom_assert_err(__vm_unmap(fd2, va, 0), ENOENT);
	/* Each file has its own address space: the same VA is free there. */
	theirs[0] = gem_create(fd2, PAGE, DRM_LOOM_BO_HOST);
	loom_assert_eq(__vm_map(fd2, theirs[0], 0, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);

	/* Another process with its own file. */
	loom_assert_eq(pipe(pipefd), 0);
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		int cfd = loom_open();
		uint32_t h[3];

		for (int i = 0; i < 3; i++)
			h[i] = gem_create(cfd, PAGE, DRM_LOOM_BO_DRAM);
		if (write(pipefd[1], h, sizeof(h)) != sizeof(h))
			_exit(2);
		/* Our parent's handle numbers mean nothing here beyond our own. */
		for (uint32_t x = 1; x < 16; x++)
			if (x != h[0] && x != h[1] && x != h[2] && __gem_info(cfd, x, &info) != -ENOENT)
				_exit(3);
		if (__vm_unmap(cfd, va, 0) != -ENOENT)
			_exit(4);
		pause();	/* keep the file open until the parent has looked */
		_exit(0);
	}
	loom_assert_eq(read(pipefd[0], theirs, sizeof(theirs)), sizeof(theirs));
	for (int i = 0; i < 3; i++) {
		if (theirs[i] == mine)
			continue;
		loom_assert_err(__gem_info(fd, theirs[i], &info), ENOENT);
		va2 = 0;
		loom_assert_err(__vm_map(fd, theirs[i], 0, PAGE, 0, &va2), ENOENT);
		loom_assert_err(__gem_close(fd, theirs[i]), EINVAL);
	}
	kill(pid, SIGTERM);
	loom_assert_eq(waitpid(pid, &status, 0), pid);
	loom_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	/* Our object is untouched. */
	loom_assert_eq(__gem_info(fd, mine, &info), 0);
	loom_assert_eq(__vm_unmap(fd, va, PAGE), 0);
	close(fd2);
	close(fd);
}

static void test_asid_exhaustion(void)
{
	char path[64], link[64];
	int fds[LOOM_NUM_ASIDS_MAX + 1], n = 0, fd = loom_open(), r;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	loom_assert(len > 0);
	path[len] = 0;
	fds[n++] = fd;
	/* ASIDs 1..63: 63 open files at a time, the 64th gets EBUSY. */
	for (;;) {
		r = open(path, O_RDWR | O_CLOEXEC);
		if (r < 0)
			break;
		loom_assert(n < LOOM_NUM_ASIDS_MAX);
		fds[n++] = r;
	}
	loom_assert_eq(errno, EBUSY);
	loom_assert_eq(n, LOOM_NUM_ASIDS_MAX);
	/* Each has its own context, usable at once. */
	for (int i = 0; i < n; i += 7) {
		uint32_t h = gem_create(fds[i], PAGE, DRM_LOOM_BO_HOST);
		uint64_t va = DRM_LOOM_VA_USER_START;

		loom_assert_eq(__vm_map(fds[i], h, 0, PAGE, DRM_LOOM_VM_BIND_FIXED, &va), 0);
	}
	/* A closed file's ASID is free again. */
	close(fds[n - 1]);
	r = open(path, O_RDWR | O_CLOEXEC);
	loom_assert(r >= 0);
	loom_assert_err(open(path, O_RDWR | O_CLOEXEC) < 0 ? -errno : 0, EBUSY);
	close(r);
	for (int i = 0; i < n - 1; i++)
		close(fds[i]);
}

/*
 * A host object's pages are pinned from its first VM_BIND until it is
 * freed: they count against the binder's RLIMIT_MEMLOCK (without
 * CAP_IPC_LOCK), once per object, however often it is bound.
 */
static void bind_rlimit_body(void)
{
	struct rlimit rl = { .rlim_cur = 16 * PAGE, .rlim_max = 16 * PAGE };
	int fd = loom_open();
	uint32_t big = gem_create(fd, 64 * PAGE, DRM_LOOM_BO_HOST);
	uint32_t a = gem_create(fd, 8 * PAGE, DRM_LOOM_BO_HOST);
	uint32_t b = gem_create(fd, 8 * PAGE, DRM_LOOM_BO_HOST);
	uint32_t c = gem_create(fd, PAGE, DRM_LOOM_BO_HOST);
	uint32_t d = gem_create(fd, 2 * MIB, DRM_LOOM_BO_DRAM);
	uint64_t va, va_a, va_b;

	drop_ipc_lock();
	loom_assert_eq(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	loom_assert_err(__vm_map(fd, big, 0, PAGE, 0, &va), ENOMEM);
	va_a = vm_map(fd, a, 0, 8 * PAGE, 0);
	/* Bound again, or in part: counted once. */
	vm_map(fd, a, 0, PAGE, DRM_LOOM_VM_BIND_READONLY);
	va_b = vm_map(fd, b, 0, 8 * PAGE, 0);
	loom_assert_err(__vm_map(fd, c, 0, PAGE, 0, &va), ENOMEM);
	/* DRAM pins nothing of the host. */
	vm_map(fd, d, 0, 2 * MIB, 0);
	/* Freeing an object (unbound, handle closed) gives its pages back. */
	loom_assert_eq(__vm_unmap(fd, va_b, 0), 0);
	loom_assert_eq(__gem_close(fd, b), 0);
	loom_assert_eq(__vm_map(fd, c, 0, PAGE, 0, &va), 0);
	/* Unbinding alone does not: the pages stay pinned with the object. */
	loom_assert_eq(__vm_unmap(fd, va_a, 0), 0);
	loom_assert_eq(__vm_map(fd, big, 0, PAGE, 0, &va), -ENOMEM);
	close(fd);
	/* Closing the file frees them all. */
	fd = loom_open();
	big = gem_create(fd, 16 * PAGE, DRM_LOOM_BO_HOST);
	loom_assert_eq(__vm_map(fd, big, 0, PAGE, 0, &va), 0);
	close(fd);
	exit(0);
}

static void test_bad_vm_bind_rlimit(void)
{
	in_child(bind_rlimit_body);	/* its limit and capabilities stay its own */
}

/* QUEUE_CREATE on fd: 0 or -errno. */
static int __queue_new(int fd)
{
	struct drm_loom_queue_create c = { 0 };

	return __loom_ioctl(fd, DRM_IOCTL_LOOM_QUEUE_CREATE, &c);
}

/*
 * As uid: open the node up to the quota (EDQUOT past it) and take queues
 * up to theirs; report on out, hold until in says go.
 */
static void quota_child(const char *path, uid_t uid, unsigned files, unsigned queues,
			int out, int in)
{
	int fds[8], n = 0, r;
	char c = 0;

	if (setgid(uid) || setuid(uid))
		exit(77);
	while (n < 8 && (r = open(path, O_RDWR | O_CLOEXEC)) >= 0)
		fds[n++] = r;
	loom_assert_eq(errno, EDQUOT);
	loom_assert_eq(n, files);
	for (unsigned i = 0; i < queues; i++)
		loom_assert_eq(__queue_new(fds[i % n]), 0);
	loom_assert_err(__queue_new(fds[0]), EDQUOT);
	loom_assert_err(__queue_new(fds[n - 1]), EDQUOT);
	loom_assert_eq(write(out, &c, 1), 1);
	loom_assert_eq(read(in, &c, 1), 1);
	/* A closed file gives its context and queues back. */
	close(fds[0]);
	r = open(path, O_RDWR | O_CLOEXEC);
	loom_assert(r >= 0);
	loom_assert_eq(__queue_new(r), 0);
	exit(0);
}

static void test_user_quotas(void)
{
	static const char ctxs[] = "/sys/module/loom/parameters/user_contexts";
	static const char qs[] = "/sys/module/loom/parameters/user_queues";
	char path[64], link[64], old_ctxs[16], old_qs[16], c;
	int fd = loom_open(), up[2], down[2], status;
	pid_t a, b;
	struct stat st;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	loom_assert(len > 0);
	path[len] = 0;
	if (loom_read_file(ctxs, old_ctxs, sizeof(old_ctxs)) ||
	    loom_read_file(qs, old_qs, sizeof(old_qs)))
		loom_skip("no loom.user_contexts or loom.user_queues parameter");
	loom_assert_eq(stat(path, &st), 0);
	loom_assert_eq(chmod(path, 0666), 0);
	loom_assert_eq(loom_write_file(ctxs, "3"), 0);
	loom_assert_eq(loom_write_file(qs, "2"), 0);
	loom_assert_eq(pipe(up), 0);
	loom_assert_eq(pipe(down), 0);
	/* One user at its quotas... */
	a = fork();
	loom_assert(a >= 0);
	if (a == 0)
		quota_child(path, 65534, 3, 2, up[1], down[0]);
	loom_assert_eq(read(up[0], &c, 1), 1);
	/* ...leaves room for another, which has quotas of its own. */
	b = fork();
	loom_assert(b >= 0);
	if (b == 0)
		quota_child(path, 65533, 3, 2, up[1], down[0]);
	loom_assert_eq(read(up[0], &c, 1), 1);
	loom_assert_eq(write(down[1], "gg", 2), 2);
	loom_assert_eq(waitpid(a, &status, 0), a);
	loom_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	loom_assert_eq(waitpid(b, &status, 0), b);
	loom_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	loom_assert_eq(loom_write_file(ctxs, old_ctxs), 0);
	loom_assert_eq(loom_write_file(qs, old_qs), 0);
	loom_assert_eq(chmod(path, st.st_mode & 07777), 0);
	close(fd);
}

/* ---- concurrency ------------------------------------------------------------------ */

struct race_arg {
	int fd;
	uint32_t shared;
	int seed;
	int errors;
};

static void *race_thread(void *p)
{
	struct race_arg *a = p;
	uint64_t vas[16] = { 0 };
	uint32_t own = 0;

	for (int i = 0; i < 1500; i++) {
		int slot = (i * 7 + a->seed) % 16, r;

		if (vas[slot]) {
			r = __vm_unmap(a->fd, vas[slot], 0);
			a->errors += r != 0;
			vas[slot] = 0;
		} else if (i % 5 == 0) {
			/* Objects come and go while others map theirs. */
			if (own)
				a->errors += __gem_close(a->fd, own) != 0;
			own = 0;
			r = __gem_create(a->fd, (1 + i % 3) * PAGE,
					 i % 2 ? DRM_LOOM_BO_DRAM : DRM_LOOM_BO_HOST, &own);
			a->errors += r != 0;
		} else {
			uint64_t va = 0;
			uint32_t h = (i % 3 == 0 && own) ? own : a->shared;

			r = __vm_map(a->fd, h, 0, PAGE * (1 + i % 2), 0, &va);
			/*
			 * An own object may be 1 page (EINVAL). The shared one
			 * is 2 pages, but its handle closes during the run
			 * (ENOENT) and its number may then name another
			 * thread's new object (EINVAL again).
			 */
			if (r == 0)
				vas[slot] = va;
			else if (h == own)
				a->errors += r != -EINVAL;
			else
				a->errors += r != -ENOENT && r != -EINVAL;
		}
	}
	return NULL;
}

static void test_bind_race(void)
{
	int fd = loom_open();
	struct race_arg args[4];
	pthread_t th[4];
	uint32_t shared = gem_create(fd, 2 * PAGE, DRM_LOOM_BO_HOST);

	for (int t = 0; t < 4; t++) {
		args[t] = (struct race_arg){ .fd = fd, .shared = shared, .seed = t * 5 };
		loom_assert_eq(pthread_create(&th[t], NULL, race_thread, &args[t]), 0);
	}
	/* Meanwhile the shared handle goes away: the mappings keep the object. */
	usleep(1000);
	loom_assert_eq(__gem_close(fd, shared), 0);
	for (int t = 0; t < 4; t++) {
		loom_assert_eq(pthread_join(th[t], NULL), 0);
		loom_assert_eq(args[t].errors, 0);
	}
	close(fd);
}

/* ---- bad arguments ---------------------------------------------------------------- */

static int bind_raw(int fd, struct drm_loom_vm_bind b)
{
	return __loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b);
}

static void test_bad_vm_bind(void)
{
	int fd = loom_open();
	uint32_t h = gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM);
	const struct drm_loom_vm_bind ok = {
		.op = DRM_LOOM_VM_BIND_OP_MAP, .handle = h, .size = PAGE,
	};
	struct drm_loom_vm_bind b;
	uint64_t va;

	/* The template works. */
	b = ok;
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b), 0);
	va = b.va;

	b = ok; b.op = 2;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.op = UINT32_MAX;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	for (int bit = 2; bit < 32; bit++) {
		b = ok; b.flags = 1u << bit;
		loom_assert_err(bind_raw(fd, b), EINVAL);
	}
	b = ok; b.pad = 1;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.reserved[0] = 1;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.reserved[1] = 1;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	/* Handles. */
	b = ok; b.handle = 0;
	loom_assert_err(bind_raw(fd, b), ENOENT);
	b = ok; b.handle = h + 100;
	loom_assert_err(bind_raw(fd, b), ENOENT);
	/* Sizes and offsets. */
	b = ok; b.size = 0;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.size = PAGE + 1;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.bo_offset = 8;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.bo_offset = 4 * MIB;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.size = 4 * MIB + PAGE;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.bo_offset = PAGE; b.size = 4 * MIB;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.bo_offset = UINT64_MAX - PAGE + 1; b.size = 2 * PAGE;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.size = UINT64_MAX - PAGE + 1;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	/* FIXED VAs: aligned, inside the user range. */
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = 0x100000000ULL + 16;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = 0;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = DRM_LOOM_VA_USER_START - PAGE;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = DRM_LOOM_VA_USER_END;
	loom_assert_err(bind_raw(fd, b), EINVAL);	/* the driver's window */
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = DRM_LOOM_VA_USER_END - PAGE;
	b.size = 2 * PAGE;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = 1ULL << 48;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = ok; b.flags = DRM_LOOM_VM_BIND_FIXED; b.va = UINT64_MAX - PAGE + 1;
	loom_assert_err(bind_raw(fd, b), EINVAL);
	/* UNMAP: only op, va and size. */
	b = (struct drm_loom_vm_bind){ .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va, .handle = h };
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = (struct drm_loom_vm_bind){ .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va,
				       .flags = DRM_LOOM_VM_BIND_FIXED };
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = (struct drm_loom_vm_bind){ .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va, .bo_offset = PAGE };
	loom_assert_err(bind_raw(fd, b), EINVAL);
	b = (struct drm_loom_vm_bind){ .op = DRM_LOOM_VM_BIND_OP_UNMAP, .va = va, .pad = 1 };
	loom_assert_err(bind_raw(fd, b), EINVAL);
	loom_assert_err(__vm_unmap(fd, 0, 0), ENOENT);
	loom_assert_err(__vm_unmap(fd, DRM_LOOM_VA_USER_END, 0), ENOENT);
	loom_assert_err(__vm_unmap(fd, UINT64_MAX, 0), ENOENT);
	loom_assert_err(__vm_unmap(fd, va + PAGE, 0), ENOENT);
	loom_assert_err(__vm_unmap(fd, va, 2 * PAGE), EINVAL);
	/* Everything above left the good mapping alone. */
	loom_assert_eq(__vm_unmap(fd, va, PAGE), 0);
	close(fd);
}

/* Random arguments: only the documented errors, and no harm to the kernel. */
static void test_bad_random(void)
{
	static const int allowed[] = { 0, -EINVAL, -ENOENT, -EBUSY, -EPERM, -ENOSPC, -ENOMEM,
				       -E2BIG, -EFAULT };
	int fd = loom_open();
	uint32_t h[4] = {
		gem_create(fd, 4 * MIB, DRM_LOOM_BO_DRAM), gem_create(fd, 8 * PAGE, DRM_LOOM_BO_HOST),
		gem_create(fd, PAGE, DRM_LOOM_BO_DRAM), gem_create(fd, 2 * MIB, DRM_LOOM_BO_HOST),
	};
	uint64_t state = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < 4000; i++) {
		uint64_t r[6];
		struct drm_loom_vm_bind b;
		int ret, ok = 0;

		for (int j = 0; j < 6; j++) {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			r[j] = state;
		}
		b = (struct drm_loom_vm_bind){
			.op = r[0] & 1 ? DRM_LOOM_VM_BIND_OP_UNMAP : DRM_LOOM_VM_BIND_OP_MAP,
			.flags = (r[0] >> 1) % 8 == 0 ? (uint32_t)(r[0] >> 8) : (r[0] >> 4) & 3,
			.handle = (r[0] >> 40) % 16 == 0 ? (uint32_t)r[1] : h[(r[0] >> 44) & 3],
			.bo_offset = (r[0] >> 48) % 4 == 0 ? r[2] : (r[2] % 1024) * PAGE,
			.size = (r[0] >> 52) % 4 == 0 ? r[3] : (r[3] % 1024) * PAGE,
			.va = (r[0] >> 56) % 4 == 0 ? r[4] : ((r[4] % (1ULL << 36)) & ~(PAGE - 1)),
		};
		if ((r[5] & 63) == 0)
			b.reserved[r[5] >> 63] = r[5];
		ret = __loom_ioctl(fd, DRM_IOCTL_LOOM_VM_BIND, &b);
		for (unsigned k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
			ok |= ret == allowed[k];
		if (!ok)
			loom_igt_fail(__FILE__, __LINE__, "VM_BIND op %u flags %#x -> %d", b.op,
				      b.flags, ret);
	}
	close(fd);	/* with whatever stayed bound */
}

static const struct loom_subtest tests[] = {
	{ "vm-bind-auto", "MAP without FIXED: aligned, non-overlapping VAs in the user range",
	  test_vm_bind_auto },
	{ "vm-bind-fixed", "MAP at chosen VAs, 2 MiB aligned or not, at the range's ends",
	  test_vm_bind_fixed },
	{ "vm-unbind", "UNMAP by start VA and exact size; the range is free again",
	  test_vm_unbind },
	{ "bind-overlap", "a FIXED MAP over an existing mapping: EBUSY", test_bind_overlap },
	{ "close-handle-while-bound", "a mapping keeps its object (and its DRAM) until unbound",
	  test_close_handle_while_bound, 60 },
	{ "page-tables", "the leaves in the tables: 2 MiB pages where aligned, PAs, permissions",
	  test_page_tables },
	{ "dma-through-mappings", "the device copies host -> DRAM -> user memory through the "
	  "tables; read-only and unbound VAs fault", test_dma_through_mappings, 60 },
	{ "isolation", "another file's or process's handles and VAs: ENOENT", test_isolation },
	{ "asid-exhaustion", "63 open files at a time, the next gets EBUSY",
	  test_asid_exhaustion },
	{ "user-quotas", "a user at loom.user_contexts files and loom.user_queues queues gets EDQUOT; another user still gets its share",
	  test_user_quotas },
	{ "bad-vm-bind", "VM_BIND: every EINVAL and ENOENT case", test_bad_vm_bind },
	{ "bad-vm-bind-rlimit", "a host object's pages count against the binder's RLIMIT_MEMLOCK from its first bind: ENOMEM past it",
	  test_bad_vm_bind_rlimit },
	{ "bad-random", "VM_BIND with random arguments: documented errors only",
	  test_bad_random, 60 },
	{ "bind-race", "four threads map, unmap, create and close on one file at once",
	  test_bind_race, 60 },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
