/* SPDX-License-Identifier: MIT */
/*
 * Bad input to libloom's public API: every function's documented error,
 * immediate ones (checked by the library) and those the device finds while
 * running a stream (page faults, read-only memory, arguments it checks),
 * the sticky stream error, running out of DRAM, queues and channels, waits
 * that time out, and handles that cross devices. Most cases run on a small
 * in-process device; a few run through a private loomd.
 *
 * Each subtest also checks that what failed left everything else working,
 * and closes what it opened: the suite runs under LeakSanitizer. Devices,
 * memory and strings are here; streams, copies, GEMMs and events are
 * test_errors_stream's, over the same fixture (tests/loom_test_errors.h).
 *
 * "test_errors kernel" (the QEMU guest, vm/guest-init.sh) runs the suite
 * through libloom's kernel backend on loom.ko: the fixture's device is
 * "kernel", and the subtests that need a loomd or the in-process device
 * are skipped with the reason; the memory subtests read the DRAM size of
 * the device they run on.
 */
#include "loom_test_errors.h"

/* ---- devices ---------------------------------------------------------------------- */

/* Opening what is not a device: ENOENT or ECONNREFUSED. */
static void test_open_nonexistent(void **state)
{
	char dir[] = "/tmp/loom-err-XXXXXX", path[64], uri[96];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	loom_device *dev;
	int fd;

	errno = 0;
	dev = loom_device_open("unix:/nonexistent-loom-dir/loom0.sock", NULL);
	assert_null(dev);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(loom_device_open("/nonexistent-loom-dir/loom0.sock", NULL));
	assert_int_equal(errno, ENOENT);

	assert_non_null(mkdtemp(dir));
	/* A socket nobody listens on any more. */
	snprintf(path, sizeof(path), "%s/dead.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	snprintf(uri, sizeof(uri), "unix:%s", path);
	errno = 0;
	assert_null(loom_device_open(uri, NULL));
	assert_int_equal(errno, ECONNREFUSED);
	unlink(path);

	/* A regular file. */
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(uri, sizeof(uri), "unix:%s", path);
	errno = 0;
	assert_null(loom_device_open(uri, NULL));
	assert_int_equal(errno, ECONNREFUSED);
	unlink(path);
	rmdir(dir);

	/* A path that cannot be a socket address. */
	{
		char longuri[400];

		memset(longuri, 'x', sizeof(longuri));
		memcpy(longuri, "unix:/tmp/", 10);
		longuri[sizeof(longuri) - 1] = 0;
		errno = 0;
		assert_null(loom_device_open(longuri, NULL));
		assert_int_not_equal(errno, 0);
	}
}

/* Options: unknown non-zero tail bytes are EINVAL, zero ones are fine. */
static void test_open_opts(void **state)
{
	struct {
		struct loom_device_opts o;
		uint64_t tail[2];
	} big;
	struct loom_device_opts bad = LOOM_OPTS_INIT(struct loom_device_opts);
	struct loom_device_info info;
	loom_device *dev;

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.dram_size = SMALL_DRAM;
	big.tail[1] = 0x100;	/* garbage in a field this library does not know */
	errno = 0;
	assert_null(loom_device_open("inproc", &big.o));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_device_open(loomd.uri, &big.o));
	assert_int_equal(errno, EINVAL);

	big.tail[1] = 0;	/* a newer caller's struct, zero where we do not look */
	dev = loom_device_open("inproc", &big.o);
	assert_non_null(dev);
	assert_int_equal(loom_device_info(dev, &info), 0);
	assert_int_equal(info.dram_size, SMALL_DRAM);
	loom_device_close(dev);

	/* An older caller's struct: only sz and dram_size. */
	big.o.sz = offsetof(struct loom_device_opts, host_pool_size);
	big.o.host_pool_size = 0xdeadbeef;	/* beyond sz: ignored */
	dev = loom_device_open("inproc", &big.o);
	assert_non_null(dev);
	assert_int_equal(loom_device_info(dev, &info), 0);
	assert_int_equal(info.dram_size, SMALL_DRAM);
	loom_device_close(dev);

	/* A DRAM size the device cannot have. */
	bad.dram_size = 3 * MIB;
	errno = 0;
	assert_null(loom_device_open("inproc", &bad));
	assert_int_equal(errno, EINVAL);
}

static void env_restore(const char *name, char *saved)
{
	if (saved)
		setenv(name, saved, 1);
	else
		unsetenv(name);
	free(saved);
}

/*
 * LOOM_BACKEND and the kernel driver's URIs: a backend that cannot open a
 * URI refuses it (ENODEV); "inproc" makes the in-process device the
 * default; where loom.ko serves a device (g_kernel), it is the default
 * device, and LOOM_BACKEND=direct leaves it out of the list.
 */
static void test_open_backend(void **state)
{
	const char *b = getenv("LOOM_BACKEND"), *d = getenv("LOOM_DEVICE");
	char *saved_b = b ? strdup(b) : NULL, *saved_d = d ? strdup(d) : NULL;
	struct loom_device_opts o = LOOM_OPTS_INIT(struct loom_device_opts);
	struct loom_device_info info;
	char *uris[8];
	loom_device *dev;
	int n;

	o.dram_size = SMALL_DRAM;
	unsetenv("LOOM_DEVICE");
	setenv("LOOM_BACKEND", "no-such-backend", 1);
	errno = 0;
	assert_null(loom_device_open("inproc", NULL));
	assert_int_equal(errno, ENODEV);
	setenv("LOOM_BACKEND", "kernel", 1);
	errno = 0;
	assert_null(loom_device_open("inproc", NULL));
	assert_int_equal(errno, ENODEV);
	setenv("LOOM_BACKEND", "direct", 1);
	errno = 0;
	assert_null(loom_device_open("/dev/accel/accel0", NULL));
	assert_int_equal(errno, ENODEV);
	errno = 0;
	assert_null(loom_device_open("kernel", NULL));
	assert_int_equal(errno, ENODEV);
	n = loom_device_list(uris, 8);
	assert_true(n >= 1);
	for (int i = 0; i < n && i < 8; i++) {
		assert_true(strncmp(uris[i], "/dev/accel/", 11));
		free(uris[i]);
	}
	setenv("LOOM_BACKEND", "inproc", 1);
	assert_int_equal(loom_device_list(uris, 1), 1);
	assert_string_equal(uris[0], "inproc");
	free(uris[0]);
	dev = loom_device_open(NULL, &o);
	assert_non_null(dev);
	assert_int_equal(loom_device_info(dev, &info), 0);
	assert_string_equal(info.backend, "direct");
	assert_int_equal(info.dram_size, SMALL_DRAM);
	loom_device_close(dev);
	unsetenv("LOOM_BACKEND");
	errno = 0;
	assert_null(loom_device_open("/dev/accel/accel999", NULL));
	assert_int_equal(errno, ENOENT);
	n = loom_device_list(uris, 1);
	assert_int_equal(n >= 1, 1);
	if (g_kernel) {
		/* loom.ko's device comes first and opens with the kernel backend. */
		assert_int_equal(strncmp(uris[0], "/dev/accel/", 11), 0);
		dev = loom_device_open(NULL, NULL);
		assert_non_null(dev);
		assert_int_equal(loom_device_info(dev, &info), 0);
		assert_string_equal(info.backend, "kernel");
		assert_string_equal(info.uri, uris[0]);
		loom_device_close(dev);
		setenv("LOOM_BACKEND", "kernel", 1);
		dev = loom_device_open(NULL, NULL);
		assert_non_null(dev);
		loom_device_close(dev);
		unsetenv("LOOM_BACKEND");
	} else if (!strncmp(uris[0], "/dev/accel/", 11)) {
		print_message("# (this host has loom.ko: %s)\n", uris[0]);
	}
	free(uris[0]);
	env_restore("LOOM_BACKEND", saved_b);
	env_restore("LOOM_DEVICE", saved_d);
}

/* Every channel of a loomd taken: EBUSY; a freed one can be taken again. */
static void test_open_channels_busy(void **state)
{
	loom_device *dev[16];
	int n = 0, err;

	while (n < 16) {
		dev[n] = loom_device_open(loomd.uri, NULL);
		if (!dev[n])
			break;
		n++;
	}
	err = errno;
	assert_int_equal(n, 8);	/* LOOM_NUM_CHANNELS, nobody else attached */
	loom_device_close(dev[--n]);
	/* loomd notices the closed connection on its own time. */
	dev[n] = loom_test_open_retry(loomd.uri, 5000);
	assert_non_null(dev[n]);
	n++;
	while (n > 1)
		loom_device_close(dev[--n]);
	assert_int_equal(loom_test_drivers_wait(dev[0], 1, 5000), 1);
	loom_device_close(dev[0]);
	assert_int_equal(err, EBUSY);
}

static void test_device_null_args(void **state)
{
	struct fixture *f = *state;
	struct loom_device_info info;
	struct loom_telemetry t;
	struct loom_device_event ev[4];
	char *uris[4];

	assert_int_equal(loom_device_info(NULL, &info), -EINVAL);
	assert_int_equal(loom_device_info(f->dev, NULL), -EINVAL);
	assert_int_equal(loom_device_telemetry(NULL, &t), -EINVAL);
	assert_int_equal(loom_device_telemetry(f->dev, NULL), -EINVAL);
	assert_int_equal(loom_device_set_power_limit(NULL, 0), -EINVAL);
	assert_int_equal(loom_device_events(NULL, ev, 4), -EINVAL);
	assert_int_equal(loom_device_events(f->dev, NULL, 4), -EINVAL);
	assert_int_equal(loom_device_events(f->dev, ev, -1), -EINVAL);
	assert_int_equal(loom_device_events(f->dev, NULL, 0), 0);
	assert_int_equal(loom_device_list(NULL, 1), -EINVAL);
	assert_int_equal(loom_device_list(uris, -1), -EINVAL);
	assert_true(loom_device_list(NULL, 0) >= 1);
	loom_device_close(NULL);

	/* Still fine. */
	assert_int_equal(loom_device_info(f->dev, &info), 0);
	assert_int_equal(loom_device_telemetry(f->dev, &t), 0);
}

/* LOOM_DEVICE lists the devices; each URI is the caller's to free. */
static void test_device_list(void **state)
{
	const char *old = getenv("LOOM_DEVICE");
	char *saved = old ? strdup(old) : NULL;
	char *uris[4] = { NULL };
	int n;

	setenv("LOOM_DEVICE", "inproc,unix:/nonexistent-loom/x.sock,,inproc", 1);
	n = loom_device_list(uris, 2);
	if (saved)
		setenv("LOOM_DEVICE", saved, 1);
	else
		unsetenv("LOOM_DEVICE");
	free(saved);
	assert_int_equal(n, 3);	/* empty entries are skipped */
	assert_non_null(uris[0]);
	assert_non_null(uris[1]);
	assert_null(uris[2]);	/* only max are copied */
	assert_string_equal(uris[0], "inproc");
	assert_string_equal(uris[1], "unix:/nonexistent-loom/x.sock");
	free(uris[0]);
	free(uris[1]);
}

static void test_power_limit_range(void **state)
{
	struct fixture *f = *state;
	struct loom_device_info info;
	struct loom_telemetry t;

	assert_int_equal(loom_device_info(f->dev, &info), 0);
	assert_int_equal(loom_device_set_power_limit(f->dev, info.power_max_mw + 1), -EINVAL);
	assert_int_equal(loom_device_set_power_limit(f->dev, UINT32_MAX), -EINVAL);
	assert_int_equal(loom_device_set_power_limit(f->dev, 1), -EINVAL);
	assert_int_equal(loom_device_set_power_limit(f->dev, info.power_max_mw), 0);
	assert_int_equal(loom_device_telemetry(f->dev, &t), 0);
	assert_int_equal(t.power_limit_mw, info.power_max_mw);
	assert_int_equal(loom_device_set_power_limit(f->dev, 0), 0);
	assert_int_equal(loom_device_telemetry(f->dev, &t), 0);
	assert_int_equal(t.power_limit_mw, info.power_default_mw);
}

/* ---- memory ------------------------------------------------------------------------ */

/* The device's DRAM in bytes (SMALL_DRAM in-process; loom.ko: what the device has). */
static uint64_t dram_size(loom_device *dev)
{
	struct loom_device_info info;

	assert_int_equal(loom_device_info(dev, &info), 0);
	assert_true(info.dram_size >= 32 * MIB);
	return info.dram_size;
}

static void test_mem_alloc_bad(void **state)
{
	struct fixture *f = *state;
	uint64_t dram = dram_size(f->dev), va = 0;
	int ret;

	assert_int_equal(loom_mem_alloc(NULL, 4096, 0, &va), -EINVAL);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, NULL), -EINVAL);
	assert_int_equal(loom_mem_alloc(f->dev, 0, 0, &va), -EINVAL);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 1u << 1, &va), -EINVAL);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0x80000000u, &va), -EINVAL);
	/* More than the device has: no DRAM for it (loom.h), whatever the size. */
	assert_int_equal(loom_mem_alloc(f->dev, dram + 1, 0, &va), -ENOMEM);
	assert_int_equal(loom_mem_alloc(f->dev, UINT64_MAX, 0, &va), -ENOMEM);
	assert_int_equal(loom_mem_alloc(f->dev, UINT64_MAX - 4095, 0, &va), -ENOMEM);
	assert_int_equal(va, 0);	/* untouched on failure */
	/*
	 * The largest valid size: the in-process device keeps its page tables
	 * in DRAM, so their share is missing (ENOMEM); loom.ko keeps them in
	 * host memory, so all of an unused DRAM may be had.
	 */
	ret = loom_mem_alloc(f->dev, dram, 0, &va);
	if (!g_kernel)
		assert_int_equal(ret, -ENOMEM);
	assert_true(ret == 0 || ret == -ENOMEM);
	if (!ret)
		assert_int_equal(loom_mem_free(f->dev, va), 0);
	assert_stream_works(f, f->s);
}

/* Running out of DRAM is ENOMEM, and freeing makes room again. */
static void test_mem_exhaustion(void **state)
{
	struct fixture *f = *state;
	uint64_t dram = dram_size(f->dev), chunks = dram / (2 * MIB), *va, small[512], extra;
	int n = 0, m = 0, ret = 0;

	va = calloc(chunks + 1, sizeof(*va));
	assert_non_null(va);
	while ((uint64_t)n <= chunks) {
		ret = loom_mem_alloc(f->dev, 2 * MIB, 0, &va[n]);
		if (ret)
			break;
		n++;
	}
	assert_int_equal(ret, -ENOMEM);
	/* All of DRAM but what the page tables (in-process device) and other users take. */
	assert_true((uint64_t)n >= chunks * 3 / 4 && (uint64_t)n <= chunks);
	/* Less than 2 MiB is left: 4 KiB pieces take the rest, then ENOMEM. */
	while (m < 512 && !loom_mem_alloc(f->dev, 4096, 0, &small[m]))
		m++;
	assert_true(m < 512);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &extra), -ENOMEM);
	for (int i = 0; i < m; i++)
		assert_int_equal(loom_mem_free(f->dev, small[i]), 0);
	assert_int_equal(loom_mem_free(f->dev, va[n / 2]), 0);
	assert_int_equal(loom_mem_alloc(f->dev, 2 * MIB, 0, &va[n / 2]), 0);
	assert_roundtrip(f, f->s, va[n / 2], 2 * MIB, 7);
	for (int i = 0; i < n; i++)
		assert_int_equal(loom_mem_free(f->dev, va[i]), 0);
	free(va);
	assert_int_equal(loom_mem_alloc(f->dev, 32 * MIB, 0, &extra), 0);
	assert_int_equal(loom_mem_free(f->dev, extra), 0);
}

static void test_mem_free_bad(void **state)
{
	struct fixture *f = *state;
	uint64_t va, small;

	assert_int_equal(loom_mem_alloc(f->dev, 64 * 1024, 0, &va), 0);
	assert_int_equal(loom_mem_alloc(f->dev, 4096, 0, &small), 0);
	assert_int_equal(loom_mem_free(NULL, va), -EINVAL);
	assert_int_equal(loom_mem_free(f->dev, va + 4096), -EINVAL);	/* not the base */
	assert_int_equal(loom_mem_free(f->dev, va + 1), -EINVAL);
	assert_int_equal(loom_mem_free(f->dev, 0), -EINVAL);
	assert_int_equal(loom_mem_free(f->dev, UNMAPPED_VA), -EINVAL);
	assert_int_equal(loom_mem_free(f->dev, f->hva), -EINVAL);	/* pinned, not DRAM */
	assert_int_equal(loom_mem_free(f->dev, va), 0);
	assert_int_equal(loom_mem_free(f->dev, va), -EINVAL);	/* double free */
	/* The other allocation is intact. */
	assert_roundtrip(f, f->s, small, 4096, 3);
	assert_int_equal(loom_mem_free(f->dev, small), 0);
}

static void test_mem_host_ptr_bad(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 64 * 1024;
	uint64_t va;
	uint8_t *p;

	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &va), 0);
	errno = 0;
	assert_null(loom_mem_host_ptr(NULL, va, 4));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_mem_host_ptr(f->dev, 0, 4));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_mem_host_ptr(f->dev, UNMAPPED_VA, 4));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_mem_host_ptr(f->dev, va + size, 1));	/* just past the end */
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_mem_host_ptr(f->dev, va, size + 1));	/* does not fit */
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_mem_host_ptr(f->dev, va + 4096, UINT64_MAX));
	assert_int_equal(errno, EINVAL);

	/* In range: the CPU's view is the device's. */
	p = loom_mem_host_ptr(f->dev, va, size);
	assert_non_null(p);
	assert_ptr_equal(loom_mem_host_ptr(f->dev, va + size - 1, 1), p + size - 1);
	loom_test_pat_fill(p, size, 11);
	memset(f->h, 0, size);
	assert_int_equal(loom_memcpy(f->s, f->hva, va, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	assert_true(loom_test_pat_ok(f->h, size, 11));

	assert_int_equal(loom_mem_free(f->dev, va), 0);
	errno = 0;
	assert_null(loom_mem_host_ptr(f->dev, va, 4));	/* freed */
	assert_int_equal(errno, EINVAL);
}

static void test_host_alloc_bad(void **state)
{
	struct fixture *f = *state;
	uint64_t va = 0;
	uint8_t *p, *heap;

	errno = 0;
	assert_null(loom_host_alloc(f->dev, 0, &va));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_host_alloc(NULL, 4096, &va));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(loom_host_alloc(f->dev, UINT64_MAX, &va));
	assert_int_not_equal(errno, 0);

	p = loom_host_alloc(f->dev, 8192, NULL);	/* va may be NULL */
	assert_non_null(p);
	heap = malloc(64);
	assert_non_null(heap);
	assert_int_equal(loom_host_free(f->dev, NULL), 0);
	assert_int_equal(loom_host_free(NULL, p), -EINVAL);
	assert_int_equal(loom_host_free(f->dev, heap), -EINVAL);
	assert_int_equal(loom_host_free(f->dev, p + 4096), -EINVAL);	/* not the start */
	assert_int_equal(loom_host_va(f->dev, heap), 0);
	assert_int_equal(loom_host_va(f->dev, NULL), 0);
	assert_int_equal(loom_host_va(NULL, p), 0);
	assert_int_equal(loom_host_va(f->dev, p + 100), loom_host_va(f->dev, p) + 100);
	assert_int_equal(loom_host_va(f->dev, f->h), f->hva);
	assert_int_equal(loom_host_free(f->dev, p), 0);
	assert_int_equal(loom_host_free(f->dev, p), -EINVAL);	/* double free */
	free(heap);
	/* The fixture's pinned block is still good. */
	assert_stream_works(f, f->s);
}

static void test_export_bad(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 64 * 1024;
	uint64_t va;
	int fd;

	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &va), 0);
	assert_int_equal(loom_mem_export(NULL, va, size), -EINVAL);
	assert_int_equal(loom_mem_export(f->dev, va + 100, 4096), -EINVAL);	/* unaligned */
	assert_int_equal(loom_mem_export(f->dev, va, 100), -EINVAL);
	assert_int_equal(loom_mem_export(f->dev, va, 0), -EINVAL);
	assert_int_equal(loom_mem_export(f->dev, va, size + 4096), -EINVAL);	/* outside */
	assert_int_equal(loom_mem_export(f->dev, va + size, 4096), -EINVAL);
	assert_int_equal(loom_mem_export(f->dev, UNMAPPED_VA, 4096), -EINVAL);
	assert_int_equal(loom_mem_export(f->dev, va + 4096, UINT64_MAX - 4095), -EINVAL);
	assert_int_equal(loom_mem_export(f->dev, f->hva, 4096), -EOPNOTSUPP);	/* pinned */

	/* Part of an allocation is fine. */
	fd = loom_mem_export(f->dev, va + 4096, 8192);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
	assert_int_equal(loom_mem_export(f->dev, va, 4096), -EINVAL);	/* freed */
}

static void test_import_bad(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 64 * 1024;
	uint64_t va, iva = 0, iva2 = 0, isize = 0;
	unsigned char rec[128];
	int fd, fd2, pfd[2], sv[2], mfd;
	ssize_t n;

	assert_int_equal(loom_mem_import(f->dev, -1, &iva, NULL), -EBADF);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(loom_mem_import(f->dev, pfd[0], &iva, NULL), -EBADF);
	assert_int_equal(loom_mem_import(f->dev, pfd[1], &iva, NULL), -EBADF);
	close(pfd[0]);
	close(pfd[1]);
	assert_int_equal(loom_mem_import(f->dev, pfd[0], &iva, NULL), -EBADF);	/* closed */
	mfd = memfd_create("not-an-export", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 4096), 0);
	assert_int_equal(loom_mem_import(f->dev, mfd, &iva, NULL), -EBADF);
	close(mfd);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(loom_mem_import(f->dev, sv[1], &iva, NULL), -EBADF);	/* empty */

	assert_int_equal(loom_mem_alloc(f->dev, size, 0, &va), 0);
	fd = loom_mem_export(f->dev, va, size);
	assert_true(fd >= 0);
	assert_int_equal(loom_mem_import(NULL, fd, &iva, NULL), -EINVAL);
	assert_int_equal(loom_mem_import(f->dev, fd, NULL, NULL), -EINVAL);

	/*
	 * A copy of the export's record in a socket of our own is a forgery.
	 * (loom.ko's exports are dma-bufs, which carry no record to copy.)
	 */
	if (!g_kernel) {
		n = recv(fd, rec, sizeof(rec), MSG_PEEK | MSG_DONTWAIT);
		assert_true(n > 0);
		assert_int_equal(send(sv[0], rec, (size_t)n, 0), n);
		assert_int_equal(loom_mem_import(f->dev, sv[1], &iva, NULL), -EBADF);
	}
	close(sv[0]);
	close(sv[1]);

	/* The real one imports (twice, once through a dup), and the fd stays ours. */
	assert_roundtrip(f, f->s, va, size, 21);
	assert_int_equal(loom_mem_import(f->dev, fd, &iva, &isize), 0);
	assert_int_equal(isize, size);
	fd2 = dup(fd);
	assert_true(fd2 >= 0);
	assert_int_equal(loom_mem_import(f->dev, fd2, &iva2, NULL), 0);
	assert_int_not_equal(iva, iva2);
	assert_int_equal(close(fd2), 0);
	memset(f->h, 0, size);
	assert_int_equal(loom_memcpy(f->s, f->hva, iva2, size), 0);
	assert_int_equal(loom_stream_sync(f->s, SYNC_TIMEOUT), 0);
	assert_true(loom_test_pat_ok(f->h, size, 21));
	assert_int_equal(loom_mem_free(f->dev, iva), 0);
	assert_int_equal(loom_mem_free(f->dev, iva2), 0);
	assert_int_equal(loom_mem_free(f->dev, iva2), -EINVAL);
	assert_int_equal(loom_mem_free(f->dev, va), 0);
	assert_int_equal(close(fd), 0);
}

static void assert_xdev(loom_device *from, loom_device *to)
{
	uint64_t va, iva = 0;
	int fd;

	assert_int_equal(loom_mem_alloc(from, 64 * 1024, 0, &va), 0);
	fd = loom_mem_export(from, va, 64 * 1024);
	assert_true(fd >= 0);
	assert_int_equal(loom_mem_import(to, fd, &iva, NULL), -EXDEV);
	assert_int_equal(iva, 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(loom_mem_free(from, va), 0);
}

/* An export is only good on the device that made it. */
static void test_import_other_device(void **state)
{
	struct fixture *f = *state;
	loom_device *other = open_small(), *remote = loom_device_open(loomd.uri, NULL);

	assert_non_null(other);
	assert_non_null(remote);
	assert_xdev(f->dev, other);
	assert_xdev(other, f->dev);
	assert_xdev(f->dev, remote);
	assert_xdev(remote, f->dev);
	loom_device_close(remote);
	loom_device_close(other);
}

/* ---- strings -------------------------------------------------------------------------------- */

static void test_strings(void **state)
{
	const int known[] = { EFAULT, EACCES, EINVAL, ETIME, EIO, ECONNRESET, ETIMEDOUT, EBUSY,
			      ENOMEM, EXDEV, EBADF, EOPNOTSUPP, EPROTO, ENOENT, ECONNREFUSED };

	for (int err = -4095; err <= 4095; err++) {
		const char *m = loom_strerror(err);

		assert_non_null(m);
		assert_true(m[0] != '\0');
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_true(strlen(loom_strerror(-known[i])) > 3);
	assert_string_not_equal(loom_strerror(-EFAULT), loom_strerror(-EACCES));
	assert_non_null(loom_strerror(INT_MAX));

	for (uint32_t t = 0; t < 64; t++) {
		assert_non_null(loom_event_name(t));
		assert_true(loom_event_name(t)[0] != '\0');
	}
	assert_non_null(loom_event_name(UINT32_MAX));
	for (uint32_t t = LOOM_EV_PAGE_FAULT; t <= LOOM_EV_RESET; t++)
		for (uint32_t u = t + 1; u <= LOOM_EV_RESET; u++)
			assert_string_not_equal(loom_event_name(t), loom_event_name(u));
	assert_non_null(loom_version());
}

static void test_strerror_int_min(void **state)
{
	/* Negating INT_MIN would overflow (UBSan aborts on it). */
	assert_non_null(loom_strerror(INT_MIN));
}

static void test_close_with_live_event(void **state)
{
	/* Close frees the event and the stream it references; under
	 * LeakSanitizer (make asan) a leak fails the suite. */
	{
		loom_device *dev = open_small();
		loom_stream *s = loom_stream_create(dev);
		loom_event *e = loom_event_create(dev);

		assert_int_equal(loom_event_record(e, s), 0);
		loom_device_close(dev);
	}
}

/* ---- a few through loomd --------------------------------------------------------------------- */

static void test_loomd_errors(void **state)
{
	loom_device *dev = loom_device_open(loomd.uri, NULL);
	struct loom_device_info info;
	uint64_t va[300], hva, ro;
	loom_stream *s;
	uint8_t *h;
	int n = 0, ret = 0;

	assert_non_null(dev);
	assert_int_equal(loom_device_info(dev, &info), 0);
	assert_int_equal(info.dram_size, 512 * MIB);
	assert_int_equal(loom_mem_alloc(dev, 512 * MIB + 1, 0, &va[0]), -ENOMEM);
	assert_int_equal(loom_mem_alloc(dev, 0, 0, &va[0]), -EINVAL);
	assert_int_equal(loom_mem_alloc(dev, 4096, 4, &va[0]), -EINVAL);
	while (n < 300) {
		ret = loom_mem_alloc(dev, 2 * MIB, 0, &va[n]);
		if (ret)
			break;
		n++;
	}
	assert_int_equal(ret, -ENOMEM);
	assert_true(n > 200 && n < 256);
	while (n)
		assert_int_equal(loom_mem_free(dev, va[--n]), 0);
	assert_int_equal(loom_mem_free(dev, va[0]), -EINVAL);

	s = loom_stream_create(dev);
	h = loom_host_alloc(dev, 4096, &hva);
	assert_true(s && h);
	assert_int_equal(loom_memcpy(s, UNMAPPED_VA, hva, 4096), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), -EFAULT);
	assert_int_equal(loom_memset32(s, hva, 0, 4096), -EFAULT);
	loom_stream_destroy(s);
	assert_int_equal(loom_mem_alloc(dev, 4096, LOOM_MEM_READONLY, &ro), 0);
	s = loom_stream_create(dev);
	assert_non_null(s);
	assert_int_equal(loom_memcpy(s, ro, hva, 4096), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), -EACCES);
	loom_stream_destroy(s);
	s = loom_stream_create(dev);
	assert_non_null(s);
	assert_int_equal(loom_memset32(s, 0, 0, 6), -EINVAL);
	assert_int_equal(loom_memcpy(s, hva, ro, 4096), 0);
	assert_int_equal(loom_stream_sync(s, SYNC_TIMEOUT), 0);
	assert_int_equal(loom_mem_export(dev, hva, 4096), -EOPNOTSUPP);
	assert_int_equal(loom_mem_import(dev, -1, &va[0], NULL), -EBADF);
	loom_stream_destroy(s);
	assert_int_equal(loom_mem_free(dev, ro), 0);
	assert_int_equal(loom_host_free(dev, h), 0);
	loom_device_close(dev);
}

/* Its own loomd, so that killing it leaves the suite's daemon alone. */
static struct loom_test_loomd gone_loomd;

static int device_gone_teardown(void **state)
{
	loom_test_loomd_stop(&gone_loomd);
	return 0;
}

/*
 * device-gone: loomd is killed while a stream has work queued. Waits end
 * with -ECONNRESET instead of hanging, later calls fail the same way, and
 * closing the handle returns.
 */
static void test_device_gone(void **state)
{
	loom_device *dev;
	loom_stream *s;
	loom_event *e;
	uint64_t a, t0;
	int ret;

	assert_int_equal(loom_test_loomd_start(&gone_loomd, "256M", NULL), 0);
	dev = loom_device_open(gone_loomd.uri, NULL);
	assert_non_null(dev);
	s = loom_stream_create(dev);
	e = loom_event_create(dev);
	assert_non_null(s);
	assert_non_null(e);
	assert_int_equal(loom_mem_alloc(dev, 3 * 1024 * 1024 * 4, 0, &a), 0);
	struct loom_gemm g = { .sz = sizeof(g), .m = 1024, .n = 1024, .k = 1024, .a = a,
			       .b = a + 1024 * 1024 * 4, .d = a + 2 * 1024 * 1024 * 4,
			       .alpha = 1.0f };
	for (int i = 0; i < 40; i++)
		assert_int_equal(loom_gemm(s, &g), 0);
	assert_int_equal(loom_event_record(e, s), 0);
	kill(gone_loomd.pid, SIGKILL);
	t0 = loom_test_now_ms();
	ret = loom_event_wait(e, -1);
	/* All 40 GEMMs may have finished before the kill landed. */
	if (ret == 0)
		ret = loom_stream_sync(s, -1);
	assert_true(ret == 0 || ret == -ECONNRESET);
	assert_true(loom_test_now_ms() - t0 < 10000);
	/* The device is gone now, whatever the stream managed before. */
	for (int i = 0; i < 200 && loom_memset32(s, a, 0, 4096) != -ECONNRESET; i++)
		loom_test_sleep_ms(10);
	assert_int_equal(loom_memset32(s, a, 0, 4096), -ECONNRESET);
	assert_int_equal(loom_mem_alloc(dev, 4096, 0, &a), -ECONNRESET);
	loom_event_destroy(e);
	loom_stream_destroy(s);
	t0 = loom_test_now_ms();
	loom_device_close(dev);
	assert_true(loom_test_now_ms() - t0 < 10000);
}

/* What the kernel backend cannot run, and why. */
static const struct kernel_skip kernel_skips[] = {
	{ "open-bad-opts", "needs a loomd and the in-process device's DRAM size option" },
	{ "open-channels-busy", "loomd's channels (loom.ko takes channel 0 alone)" },
	{ "import-other-device", "needs a loomd and an in-process device" },
	{ "loomd-errors", "needs a loomd" },
	{ "device-gone", "kills a loomd (loom.ko: tests/uapi)" },
};

/* Usage: test_errors [kernel] */
int main(int argc, char **argv)
{
	struct CMUnitTest tests[] = {
		T0("open-nonexistent", test_open_nonexistent),
		T0("open-bad-opts", test_open_opts),
		T0("open-channels-busy", test_open_channels_busy),
		T0("open-backend", test_open_backend),
		T("device-null-args", test_device_null_args),
		T0("device-list", test_device_list),
		T("power-limit-range", test_power_limit_range),
		T("mem-alloc-bad", test_mem_alloc_bad),
		T("mem-exhaustion", test_mem_exhaustion),
		T("mem-free-bad", test_mem_free_bad),
		T("mem-host-ptr-bad", test_mem_host_ptr_bad),
		T("host-alloc-bad", test_host_alloc_bad),
		T("export-bad", test_export_bad),
		T("import-bad", test_import_bad),
		T("import-other-device", test_import_other_device),
		T0("strings", test_strings),
		T0("strerror-int-min", test_strerror_int_min),
		T0("close-with-live-event", test_close_with_live_event),
		T0("loomd-errors", test_loomd_errors),
		{ "device-gone", test_device_gone, NULL, device_gone_teardown, NULL },
	};

	return errors_main(argc, argv, "test_errors", tests, sizeof(tests) / sizeof(tests[0]),
			   kernel_skips, sizeof(kernel_skips) / sizeof(kernel_skips[0]));
}
