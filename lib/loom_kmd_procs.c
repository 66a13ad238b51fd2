// SPDX-License-Identifier: MIT
/*
 * libloom, kernel backend: loom_device_processes() from the DRM usage
 * statistics loom.ko prints in /proc/PID/fdinfo/FD (docs/uapi.md,
 * "Per-file accounting"), as nvtop and gputop read them: every open file
 * of loom.ko whose drm-pdev is this device's PCI function, once per
 * drm-client-id (a file shared by dup() or fork() is one context).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_kmd.h"

#define KMD_PROCS_MAX_CLIENTS	1024	/* distinct files remembered per scan */

/* "<uint>", "<uint> KiB", "<uint> MiB" in bytes, or "<uint> ns": the number, scaled. */
static uint64_t kmd_procs_value(const char *v)
{
	char *end;
	unsigned long long x = strtoull(v, &end, 10);

	if (!strcmp(end, " KiB"))
		return (uint64_t)x << 10;
	if (!strcmp(end, " MiB"))
		return (uint64_t)x << 20;
	return x;
}

/* The PCI function of the device node (the basename of its sysfs device link). */
static int kmd_procs_pdev(const char *node, char *pdev, size_t size)
{
	const char *base = strrchr(node, '/');
	char link[128], target[PATH_MAX], *b;

	snprintf(link, sizeof(link), "/sys/class/accel/%s/device", base ? base + 1 : node);
	if (!realpath(link, target))
		return -errno;
	b = strrchr(target, '/');
	b = b ? b + 1 : target;
	if (strlen(b) >= size)
		return -ENAMETOOLONG;
	memcpy(pdev, b, strlen(b) + 1);
	return 0;
}

/*
 * One fdinfo file: if it is a loom.ko file of pdev, its figures into p and
 * its client id into *id; 1, else 0.
 */
static int kmd_procs_parse(const char *path, const char *pdev, struct loom_process *p,
			   unsigned long long *id)
{
	char buf[4096], *line, *save = NULL;
	bool loom = false, ours = false, have_id = false;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	memset(p, 0, sizeof(*p));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ':');

		if (!v || strncmp(line, "drm-", 4))
			continue;
		*v++ = '\0';
		while (*v == '\t' || *v == ' ')
			v++;
		if (!strcmp(line, "drm-driver"))
			loom = !strcmp(v, "loom");
		else if (!strcmp(line, "drm-pdev"))
			ours = !strcmp(v, pdev);
		else if (!strcmp(line, "drm-client-id"))
			have_id = (*id = strtoull(v, NULL, 10), true);
		else if (!strcmp(line, "drm-engine-dma"))
			p->busy_ns[LOOM_ENG_DMA] = kmd_procs_value(v);
		else if (!strcmp(line, "drm-engine-mme"))
			p->busy_ns[LOOM_ENG_MME] = kmd_procs_value(v);
		else if (!strcmp(line, "drm-engine-tpc"))
			p->busy_ns[LOOM_ENG_TPC] = kmd_procs_value(v);
		else if (!strcmp(line, "drm-total-dram"))
			p->dram_bytes = kmd_procs_value(v);
		else if (!strcmp(line, "drm-total-system") || !strcmp(line, "drm-total-userptr"))
			p->host_bytes += kmd_procs_value(v);
	}
	return loom && ours && have_id;
}

int kmd_processes(loom_device *dev, struct loom_process *out, int max)
{
	unsigned long long *seen, id;
	char pdev[64], path[300];
	struct dirent *pe, *fe;
	struct loom_process p;
	unsigned nseen = 0;
	DIR *proc, *fds;
	int n = 0, ret;

	ret = kmd_procs_pdev(loom_kmd(dev)->node, pdev, sizeof(pdev));
	if (ret)
		return ret;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	seen = calloc(KMD_PROCS_MAX_CLIENTS, sizeof(*seen));
	if (!seen) {
		closedir(proc);
		return -ENOMEM;
	}
	while ((pe = readdir(proc))) {
		unsigned long pid;
		char *end;

		if (!isdigit((unsigned char)pe->d_name[0]))
			continue;
		pid = strtoul(pe->d_name, &end, 10);
		if (*end)
			continue;
		snprintf(path, sizeof(path), "/proc/%lu/fdinfo", pid);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or another user's */
		while ((fe = readdir(fds))) {
			bool dup = false;

			if (!isdigit((unsigned char)fe->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%lu/fdinfo/%s", pid, fe->d_name);
			if (!kmd_procs_parse(path, pdev, &p, &id))
				continue;
			for (unsigned i = 0; i < nseen && !dup; i++)
				dup = seen[i] == id;
			if (dup)
				continue;
			if (nseen < KMD_PROCS_MAX_CLIENTS)
				seen[nseen++] = id;
			if (n < max) {
				p.pid = (uint32_t)pid;
				loom_proc_comm((uint32_t)pid, p.name, sizeof(p.name));
				out[n] = p;
			}
			n++;
		}
		closedir(fds);
	}
	free(seen);
	closedir(proc);
	return n;
}
