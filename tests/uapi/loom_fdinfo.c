// SPDX-License-Identifier: MIT
/*
 * loom_fdinfo: the DRM usage statistics loom.ko prints in
 * /proc/PID/fdinfo/FD (Documentation/gpu/drm-usage-stats.rst), run in the
 * QEMU guest: every drm- key has the format the document gives, and the
 * values move by the right amounts with allocations, exports, mappings
 * and work, for the file that did them only; a host object's pages are
 * charged to the memory cgroup of the process that binds it.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_dmabuf_common.h"
#include "loom_submit.h"

#define MAX_KEYS	64

struct fdinfo {
	unsigned int n;
	char key[MAX_KEYS][256];
	char val[MAX_KEYS][256];
};

/* The drm- lines of fd's fdinfo. */
static void fdinfo_read(int fd, struct fdinfo *fi)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	loom_assert(f != NULL);
	fi->n = 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *v;

		if (strncmp(line, "drm-", 4) || !colon)
			continue;
		loom_assert(fi->n < MAX_KEYS);
		*colon = '\0';
		v = colon + 1;
		/* drm-usage-stats.rst: "<key>:<tab><value>". */
		loom_assert_eq(*v, '\t');
		v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(fi->key[fi->n], sizeof(fi->key[0]), "%s", line);
		snprintf(fi->val[fi->n], sizeof(fi->val[0]), "%s", v);
		fi->n++;
	}
	fclose(f);
}

static const char *fdinfo_get(const struct fdinfo *fi, const char *key)
{
	for (unsigned int i = 0; i < fi->n; i++)
		if (!strcmp(fi->key[i], key))
			return fi->val[i];
	return NULL;
}

/* An unsigned decimal, then exactly suffix; its value, or -1. */
static int64_t parse_uint(const char *v, const char *suffix)
{
	char *end;
	unsigned long long x;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || strcmp(end, suffix))
		return -1;
	return (int64_t)x;
}

/* A memory value: "<uint>", "<uint> KiB" or "<uint> MiB", in bytes; -1 if malformed. */
static int64_t parse_size(const char *v)
{
	int64_t x;

	if ((x = parse_uint(v, "")) >= 0)
		return x;
	if ((x = parse_uint(v, " KiB")) >= 0)
		return x << 10;
	if ((x = parse_uint(v, " MiB")) >= 0)
		return x << 20;
	return -1;
}

/* The number value of key (a size for memory keys, ns for engines); asserts it is there. */
static int64_t fdinfo_num(int fd, const char *key)
{
	struct fdinfo fi;
	const char *v;

	fdinfo_read(fd, &fi);
	v = fdinfo_get(&fi, key);
	loom_assert(v != NULL);
	return strncmp(key, "drm-engine-", 11) ? parse_size(v) : parse_uint(v, " ns");
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* A name part of a key: [a-z0-9]+ */
static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Every drm- key is one drm-usage-stats.rst defines, its value in its format. */
static void test_keys(void)
{
	static const char * const mem[] = { "total-", "shared-", "resident-", "active-", "purgeable-" };
	static const char * const want[] = {
		"drm-driver", "drm-client-id", "drm-pdev", "drm-engine-dma", "drm-engine-mme",
		"drm-engine-tpc", "drm-total-dram", "drm-total-system", "drm-total-userptr",
		"drm-total-import", "drm-resident-dram", "drm-shared-dram", "drm-active-dram",
	};
	int fd = loom_open();
	struct bo bo = bo_new(fd, 1 << 20, DRM_LOOM_BO_DRAM);
	struct fdinfo fi;
	unsigned int i, j;

	fdinfo_read(fd, &fi);
	for (i = 0; i < fi.n; i++) {
		const char *k = fi.key[i] + 4, *v = fi.val[i];
		bool known = false;

		if (!strcmp(k, "driver")) {
			loom_assert(!strcmp(v, "loom"));
			known = true;
		} else if (!strcmp(k, "client-id")) {
			loom_assert(parse_uint(v, "") >= 0);
			known = true;
		} else if (!strcmp(k, "pdev")) {
			unsigned int d, b, s, f;
			char end;

			loom_assert_eq(sscanf(v, "%4x:%2x:%2x.%1u%c", &d, &b, &s, &f, &end), 4);
			known = true;
		} else if (has_prefix(k, "engine-capacity-")) {
			loom_assert(valid_name(k + 16));
			loom_assert(parse_uint(v, "") > 1);
			known = true;
		} else if (has_prefix(k, "engine-")) {
			loom_assert(valid_name(k + 7));
			loom_assert(parse_uint(v, " ns") >= 0);
			known = true;
		}
		for (j = 0; !known && j < sizeof(mem) / sizeof(mem[0]); j++) {
			if (has_prefix(k, mem[j])) {
				loom_assert(valid_name(k + strlen(mem[j])));
				loom_assert(parse_size(v) >= 0);
				known = true;
			}
		}
		if (!known)
			loom_igt_fail(__FILE__, __LINE__, "unknown key %s (value \"%s\")", fi.key[i], v);
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!fdinfo_get(&fi, want[i]))
			loom_igt_fail(__FILE__, __LINE__, "no %s", want[i]);
	munmap(bo.map, bo.size);
	close(fd);
}

/* Each open file is its own client. */
static void test_client_ids(void)
{
	int a = loom_open(), b = loom_open();
	struct fdinfo fa, fb;

	fdinfo_read(a, &fa);
	fdinfo_read(b, &fb);
	loom_assert(fdinfo_get(&fa, "drm-client-id") && fdinfo_get(&fb, "drm-client-id"));
	loom_assert(strcmp(fdinfo_get(&fa, "drm-client-id"), fdinfo_get(&fb, "drm-client-id")));
	close(a);
	close(b);
}

/* Objects count in their region by their size; resident once backed, shared once exported. */
static void test_memory(void)
{
	int fd = loom_open(), other = loom_open(), db;
	int64_t dram = fdinfo_num(fd, "drm-total-dram");
	int64_t dram_res = fdinfo_num(fd, "drm-resident-dram");
	int64_t sys = fdinfo_num(fd, "drm-total-system");
	int64_t sys_res = fdinfo_num(fd, "drm-resident-system");
	int64_t shared = fdinfo_num(fd, "drm-shared-dram");
	struct drm_loom_gem_create c = { .size = 192 << 10, .flags = DRM_LOOM_BO_HOST };
	struct bo d = bo_new(fd, 2 << 20, DRM_LOOM_BO_DRAM);
	struct bo h;

	loom_assert_eq(fdinfo_num(fd, "drm-total-dram"), dram + (2 << 20));
	loom_assert_eq(fdinfo_num(fd, "drm-resident-dram"), dram_res + (2 << 20));
	/* A host object has no pages before its first bind. */
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_GEM_CREATE, &c), 0);
	loom_assert_eq(fdinfo_num(fd, "drm-total-system"), sys + (192 << 10));
	loom_assert_eq(fdinfo_num(fd, "drm-resident-system"), sys_res);
	h = bo_new(fd, 64 << 10, DRM_LOOM_BO_HOST);
	loom_assert_eq(fdinfo_num(fd, "drm-total-system"), sys + (256 << 10));
	loom_assert_eq(fdinfo_num(fd, "drm-resident-system"), sys_res + (64 << 10));
	/* Exported: shared. */
	db = export(fd, d.handle, 0, d.size);
	loom_assert_eq(fdinfo_num(fd, "drm-shared-dram"), shared + (2 << 20));
	/* Another file's counters did not move. */
	loom_assert_eq(fdinfo_num(other, "drm-total-dram"), 0);
	loom_assert_eq(fdinfo_num(other, "drm-total-system"), 0);
	close(db);
	munmap(d.map, d.size);
	munmap(h.map, h.size);
	gem_close(fd, c.handle);
	loom_assert_eq(fdinfo_num(fd, "drm-total-system"), sys + (64 << 10));
	close(other);
	close(fd);
}

/*
 * Busy time: a DMA job moves the file's drm-engine-dma, not its MME or
 * TPC time and not another file's; mapped objects are active while a job
 * runs.
 */
static void test_engines(void)
{
	const uint64_t size = 8 << 20;
	int fd = loom_open(), other = loom_open();
	struct gate g = gate_new(fd);
	uint32_t q = queue_create(fd, NULL);
	struct bo src = bo_new(fd, size, DRM_LOOM_BO_DRAM);
	struct bo dst = bo_new(fd, size, DRM_LOOM_BO_DRAM);
	int64_t dma = fdinfo_num(fd, "drm-engine-dma"), mme = fdinfo_num(fd, "drm-engine-mme");
	int64_t tpc = fdinfo_num(fd, "drm-engine-tpc");
	int64_t other_dma = fdinfo_num(other, "drm-engine-dma");
	struct cb cb = { .n = 0 };
	uint64_t seq;
	int i;

	loom_assert_eq(fdinfo_num(fd, "drm-active-dram"), 0);
	cb_wait(&cb, g.sob, 1, 0);
	for (i = 0; i < 4; i++)
		cb_dma(&cb, src.va, dst.va, size);
	seq = submit_cb(fd, q, &cb);
	usleep(50 * 1000);
	/* Waiting at the gate: the context's mapped objects are in use. */
	loom_assert(fdinfo_num(fd, "drm-active-dram") >= (int64_t)(2 * size));
	gate_open(fd, &g);
	loom_assert_eq(wait_status(fd, q, seq), 0);
	loom_assert(fdinfo_num(fd, "drm-engine-dma") > dma);
	loom_assert_eq(fdinfo_num(fd, "drm-engine-mme"), mme);
	loom_assert_eq(fdinfo_num(fd, "drm-engine-tpc"), tpc);
	loom_assert_eq(fdinfo_num(other, "drm-engine-dma"), other_dma);
	for (i = 0; i < 200 && fdinfo_num(fd, "drm-active-dram"); i++)
		usleep(10 * 1000);
	loom_assert_eq(fdinfo_num(fd, "drm-active-dram"), 0);
	munmap(src.map, src.size);
	munmap(dst.map, dst.size);
	close(other);
	close(fd);
}

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_TEST	CG_ROOT "/loom-fdinfo"

static int64_t cg_read(const char *file)
{
	char path[128], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), CG_TEST "/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoll(buf, NULL, 10);
}

/*
 * A host object's pages (allocated at its first bind) are charged to the
 * memory cgroup of the process that binds it: memory.current grows by at
 * least its size. Needs cgroup v2 with the memory controller.
 */
static void test_memcg(void)
{
	const uint64_t size = 16 << 20;
	pid_t pid;
	int st;

	mkdir(CG_ROOT, 0755);
	if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		loom_skip("no cgroup v2 in this kernel (%s)", strerror(errno));
	if (loom_write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		loom_skip("no memory controller in this kernel");
	if (mkdir(CG_TEST, 0755) && errno != EEXIST)
		loom_skip("cannot create a cgroup: %s", strerror(errno));
	pid = fork();
	loom_assert(pid >= 0);
	if (pid == 0) {
		char self[32];
		int64_t before, after;
		struct bo h;
		int fd;

		snprintf(self, sizeof(self), "%d", getpid());
		if (loom_write_file(CG_TEST "/cgroup.procs", self))
			_exit(2);
		fd = loom_open();
		before = cg_read("memory.current");
		h = bo_new(fd, size, DRM_LOOM_BO_HOST);
		after = cg_read("memory.current");
		munmap(h.map, h.size);
		close(fd);
		_exit(before >= 0 && after - before >= (int64_t)size ? 0 : 1);
	}
	loom_assert_eq(waitpid(pid, &st, 0), pid);
	rmdir(CG_TEST);
	loom_assert(WIFEXITED(st));
	loom_assert_eq(WEXITSTATUS(st), 0);
}

static const struct loom_subtest tests[] = {
	{ "keys", "every drm- key of fdinfo is drm-usage-stats.rst's, in its format", test_keys },
	{ "client-ids", "each open file has its own drm-client-id", test_client_ids },
	{ "memory", "objects count by region and size: total, resident once backed, shared once exported",
	  test_memory },
	{ "engines", "a DMA job moves its file's drm-engine-dma only; mapped objects active while it runs",
	  test_engines },
	{ "memcg", "a host object's pages are charged to the binder's memory cgroup", test_memcg },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
