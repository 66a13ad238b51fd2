/* SPDX-License-Identifier: MIT */
/*
 * A small IGT-style harness for the uAPI tests that run in the QEMU guest
 * against loom.ko (static binaries, see tests/uapi/meson.build).
 *
 * A test binary is a table of subtests with hyphenated names and a
 * one-line description. Each subtest runs in a child process of its own
 * under a time limit, so a crash, a hang or a failed assertion fails that
 * subtest alone. The binary prints TAP ("ok N - name", "not ok N - name",
 * "ok N - name # SKIP reason") and exits 0 when nothing failed.
 *   loom_basic            run every subtest
 *   loom_basic --list     list the subtests with their descriptions
 *   loom_basic NAME...    run the named subtests only
 *
 * After its subtests, every binary checks that the driver's live objects
 * (debugfs "objects") are back to what they were before them, once their
 * files are closed: one more TAP line, "objects-released" (a SKIP when
 * there is no debugfs). It waits up to LOOM_IGT_OBJECTS_WAIT_MS for what
 * the driver frees late (contexts after their jobs, unbound mappings).
 *
 * Helpers come in pairs: __loom_helper() returns 0 or -errno, loom_helper()
 * asserts that it succeeded.
 */
#ifndef LOOM_IGT_H
#define LOOM_IGT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "loom/uapi/loom_accel.h"

struct loom_subtest {
	const char *name;
	const char *desc;
	void (*fn)(void);
	unsigned timeout_s;		/* 0: LOOM_IGT_TIMEOUT_S */
};

#define LOOM_IGT_TIMEOUT_S	30
#define LOOM_IGT_OBJECTS_WAIT_MS	5000

/* Run the table as main() would; returns the exit status. */
int loom_igt_main(int argc, char **argv, const struct loom_subtest *tests, unsigned n);

/* Inside a subtest: stop it as failed, or as skipped, with a reason. */
void loom_igt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void loom_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define loom_assert(cond) do {							\
	if (!(cond))								\
		loom_igt_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);	\
} while (0)

#define loom_assert_eq(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);			\
	if (__a != __b)								\
		loom_igt_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",	\
			      #a, #b, __a, __b);				\
} while (0)

/* Expect an ioctl-like call to fail with exactly -err (the call returns -errno). */
#define loom_assert_err(call, err) do {						\
	int __r = (call);							\
	if (__r != -(err))							\
		loom_igt_fail(__FILE__, __LINE__, "%s: got %d, expected -%s",	\
			      #call, __r, #err);				\
} while (0)

/* ---- device helpers ------------------------------------------------------ */

/* Open the first /dev/accel/accelN that loom.ko drives; -errno if none. */
int __loom_open(void);
int loom_open(void);			/* asserts; skips if there is no device */
/* ioctl() that returns 0 or -errno, retrying on EINTR/EAGAIN. */
int __loom_ioctl(int fd, unsigned long request, void *arg);
int __loom_info(int fd, uint32_t query, void *data, uint32_t size);
/*
 * A test parameter from the kernel command line (loom_test.NAME=VALUE),
 * which the harness sets to what the device was created with; false if
 * absent.
 */
bool loom_test_param(const char *name, unsigned long long *value);

/* The driver's live-object counters, debugfs "objects" ("NAME VALUE" lines). */
#define LOOM_OBJECTS_MAX	16
struct loom_objects {
	unsigned n;
	char name[LOOM_OBJECTS_MAX][32];
	long long value[LOOM_OBJECTS_MAX];
};
/*
 * Read the counters of the first Loom device (mounting debugfs if needed):
 * 0, or -errno (-ENOENT: no debugfs or no such file).
 */
int __loom_objects_read(struct loom_objects *o);
/* One counter by name, or -1 if the file has no such line. */
long long loom_objects_get(const struct loom_objects *o, const char *name);

/* ---- system helpers: sysfs, the module, the device node ------------------- */

/* Where vm/build-initramfs.sh puts the module, for the reload subtests. */
#define LOOM_KO_PATH	"/lib/modules/loom.ko"

/* Write text to a (sysfs) file: 0 or -errno. */
int loom_write_file(const char *path, const char *text);
/* Read a small file into buf (NUL-terminated): 0 or -errno. */
int loom_read_file(const char *path, char *buf, size_t size);
/* rmmod loom without waiting (-EWOULDBLOCK while in use); 0 or -errno. */
int loom_module_unload(void);
/* Load LOOM_KO_PATH; 0 or -errno. */
int loom_module_load(void);
/* Wait up to 10 s for a Loom device node to appear (present) or go. */
bool loom_wait_node(bool present);
/* The PCI address ("0000:00:04.0") of the device behind an open node. */
void loom_pci_address(int fd, char *addr, size_t size);
/*
 * The path of debugfs file name of the device behind fd (mounting debugfs
 * if needed); skips the subtest if there is none.
 */
void loom_debugfs_path(int fd, const char *name, char *path, size_t size);

#endif /* LOOM_IGT_H */
