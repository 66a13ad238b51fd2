// SPDX-License-Identifier: MIT
/*
 * loom_basic: the device node, DRM_IOCTL_LOOM_INFO and the module's
 * lifetime, run in the QEMU guest against loom.ko and a loomd serving the
 * device (vm/run.sh). What the device reports is known independently: the
 * hardware constants of hw/, and the DRAM size the harness gave loomd,
 * passed on the kernel command line as loom_test.dram_size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hw/loom_fw.h"
#include "hw/loom_mmu.h"
#include "hw/loom_regs.h"

#include "loom_igt.h"

static void test_open(void)
{
	char name[32] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	int fd = loom_open();
	int fd2 = loom_open();

	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_VERSION, &v), 0);
	loom_assert(!strcmp(name, "loom"));
	loom_assert_eq(v.version_major, DRM_LOOM_DRIVER_MAJOR);
	loom_assert_eq(v.version_minor, DRM_LOOM_DRIVER_MINOR);
	loom_assert(fd2 != fd);
	close(fd2);
	close(fd);
}

static void test_info_hw_ip(void)
{
	struct drm_loom_info_hw_ip ip;
	struct drm_loom_info args;
	unsigned long long dram;
	int fd = loom_open();

	memset(&ip, 0xa5, sizeof(ip));
	args = (struct drm_loom_info){
		.query = DRM_LOOM_INFO_HW_IP,
		.data_ptr = (uintptr_t)&ip,
		.data_size = sizeof(ip),
	};
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &args), 0);
	loom_assert_eq(args.data_size, sizeof(ip));
	loom_assert_eq(ip.vendor_id, LOOM_VENDOR_ID);
	loom_assert_eq(ip.device_id, LOOM_DEVICE_ID);
	loom_assert_eq(ip.revision, LOOM_HW_REVISION);
	loom_assert_eq(ip.fw_version, (LOOM_FW_VERSION_MAJOR << 16) | LOOM_FW_VERSION_MINOR);
	/* Revision 1 has these; the TPC bit depends on the device's build. */
	loom_assert_eq(ip.caps & ~(DRM_LOOM_CAP_MME_BF16 | DRM_LOOM_CAP_PAGE_2M |
				   DRM_LOOM_CAP_TPC | DRM_LOOM_CAP_TELEMETRY), 0);
	loom_assert_eq(ip.caps & (DRM_LOOM_CAP_MME_BF16 | DRM_LOOM_CAP_PAGE_2M |
				  DRM_LOOM_CAP_TELEMETRY),
		       DRM_LOOM_CAP_MME_BF16 | DRM_LOOM_CAP_PAGE_2M | DRM_LOOM_CAP_TELEMETRY);
	loom_assert_eq(ip.num_queues, LOOM_NUM_QUEUES);
	loom_assert_eq(ip.num_dma, LOOM_NUM_DMA);
	loom_assert_eq(ip.num_mme, LOOM_NUM_MME);
	loom_assert_eq(ip.num_tpc, LOOM_NUM_TPC);
	loom_assert_eq(ip.num_sobs, LOOM_NUM_SOBS);
	loom_assert_eq(ip.num_monitors, LOOM_NUM_MONITORS);
	loom_assert_eq(ip.num_asids, LOOM_NUM_ASIDS);
	loom_assert_eq(ip.va_bits, LOOM_VA_BITS);
	for (unsigned i = 0; i < 4; i++)
		loom_assert_eq(ip.reserved[i], 0);
	if (!loom_test_param("dram_size", &dram))
		loom_skip("no loom_test.dram_size on the kernel command line to check DRAM against");
	loom_assert_eq(ip.dram_size, dram);
	close(fd);
}

static void test_info_large_buffer(void)
{
	struct {
		struct drm_loom_info_hw_ip ip;
		uint64_t tail[8];
	} buf;
	struct drm_loom_info args = {
		.query = DRM_LOOM_INFO_HW_IP,
		.data_ptr = (uintptr_t)&buf,
		.data_size = sizeof(buf),
	};
	int fd = loom_open();

	memset(&buf, 0x5a, sizeof(buf));
	loom_assert_eq(__loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &args), 0);
	loom_assert_eq(args.data_size, sizeof(buf.ip));
	loom_assert_eq(buf.ip.vendor_id, LOOM_VENDOR_ID);
	for (unsigned i = 0; i < 8; i++)
		loom_assert_eq(buf.tail[i], 0x5a5a5a5a5a5a5a5aULL);
	close(fd);
}

static int info_args(int fd, struct drm_loom_info *args)
{
	return __loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, args);
}

static void test_bad_info_query(void)
{
	struct drm_loom_info_hw_ip ip;
	int fd = loom_open();

	loom_assert_err(__loom_info(fd, 0x1000, &ip, sizeof(ip)), EINVAL);
	loom_assert_err(__loom_info(fd, 0x80000000U, &ip, sizeof(ip)), EINVAL);
	loom_assert_err(__loom_info(fd, 0xffffffffU, &ip, sizeof(ip)), EINVAL);
	close(fd);
}

static void test_bad_info_flags(void)
{
	struct drm_loom_info_hw_ip ip;
	int fd = loom_open();

	for (unsigned bit = 0; bit < 32; bit++) {
		struct drm_loom_info args = {
			.query = DRM_LOOM_INFO_HW_IP,
			.flags = 1U << bit,
			.data_ptr = (uintptr_t)&ip,
			.data_size = sizeof(ip),
		};

		if (args.flags & DRM_LOOM_INFO_FLAGS_MASK)
			continue;
		loom_assert_err(info_args(fd, &args), EINVAL);
	}
	close(fd);
}

static void test_bad_info_reserved(void)
{
	struct drm_loom_info_hw_ip ip;
	struct drm_loom_info args = {
		.query = DRM_LOOM_INFO_HW_IP,
		.data_ptr = (uintptr_t)&ip,
		.data_size = sizeof(ip),
	};
	int fd = loom_open();

	args.pad = 1;
	loom_assert_err(info_args(fd, &args), EINVAL);
	args.pad = 0;
	args.reserved[0] = 1ULL << 63;
	loom_assert_err(info_args(fd, &args), EINVAL);
	args.reserved[0] = 0;
	args.reserved[1] = 1;
	loom_assert_err(info_args(fd, &args), EINVAL);
	args.reserved[1] = 0;
	loom_assert_eq(info_args(fd, &args), 0);
	close(fd);
}

static void test_bad_info_pointer(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct drm_loom_info_hw_ip *ro;
	int fd = loom_open();

	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, NULL,
				    sizeof(struct drm_loom_info_hw_ip)), EFAULT);
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, (void *)(uintptr_t)0xffff800000000000ULL,
				    sizeof(struct drm_loom_info_hw_ip)), EFAULT);
	ro = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	loom_assert(ro != MAP_FAILED);
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, ro, sizeof(*ro)), EFAULT);
	/* A buffer that runs off the end of its mapping into a hole. */
	loom_assert(munmap((char *)ro + page, page) == 0);
	loom_assert(mprotect(ro, page, PROT_READ | PROT_WRITE) == 0);
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, (char *)ro + page - 8, sizeof(*ro)),
			EFAULT);
	munmap(ro, page);
	close(fd);
}

static void test_bad_info_size(void)
{
	struct drm_loom_info_hw_ip ip;
	int fd = loom_open();

	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, 0), EINVAL);
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, 4), EINVAL);
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip) - 1), EINVAL);
	close(fd);
}

/* Random arguments: only success, EINVAL or EFAULT, and no oops (vm-kernel-log). */
static void test_bad_info_random(void)
{
	struct drm_loom_info_hw_ip ip;
	unsigned seed = 0x10c0;
	int fd = loom_open();

	for (int i = 0; i < 4000; i++) {
		struct drm_loom_info args;
		uint32_t *w = (uint32_t *)&args;
		int r;

		for (unsigned k = 0; k < sizeof(args) / 4; k++)
			w[k] = (uint32_t)rand_r(&seed) * 2654435761U;
		/* Now and then the fields that are checked last are valid. */
		if (i % 4 == 0) {
			args.flags = args.pad = 0;
			args.reserved[0] = args.reserved[1] = 0;
			args.query = (uint32_t)rand_r(&seed) % 3;
		}
		if (i % 8 == 0)
			args.data_ptr = (uintptr_t)&ip;
		if (i % 16 == 0)
			args.data_size = (uint32_t)rand_r(&seed) % (2 * sizeof(ip));
		r = __loom_ioctl(fd, DRM_IOCTL_LOOM_INFO, &args);
		if (r && r != -EINVAL && r != -EFAULT)
			loom_igt_fail(__FILE__, __LINE__, "iteration %d: %d (%s)", i, r, strerror(-r));
	}
	close(fd);
}

static void test_bad_ioctl(void)
{
	uint64_t arg[8] = { 0 };
	int fd = loom_open();

	/* A driver ioctl number the driver does not have. */
	loom_assert_err(__loom_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x3f, uint64_t[8]), arg),
			EINVAL);
	close(fd);
}

static unsigned read_hex(const char *dir, const char *file)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (unsigned)strtoul(buf, NULL, 16);
}

static void test_foreign_ivshmem(void)
{
	const char *base = "/sys/bus/pci/devices";
	unsigned ivshmem = 0, ours = 0, unbound = 0;
	struct dirent *e;
	DIR *d = opendir(base);

	loom_assert(d);
	while ((e = readdir(d))) {
		char dir[300], link[600], target[256];
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		if (read_hex(dir, "vendor") != 0x1af4 || read_hex(dir, "device") != 0x1110)
			continue;
		ivshmem++;
		snprintf(link, sizeof(link), "%s/driver", dir);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0) {
			unbound++;
			continue;
		}
		target[n] = '\0';
		if (!strcmp(strrchr(target, '/') ? strrchr(target, '/') + 1 : target, "loom"))
			ours++;
	}
	closedir(d);
	if (ivshmem < 2)
		loom_skip("no ivshmem function other than the Loom device in this guest");
	loom_assert_eq(ours, 1);
	loom_assert_eq(unbound, ivshmem - 1);
}

static void test_unbind(void)
{
	struct drm_loom_info_hw_ip ip;
	char addr[256];
	int fd = loom_open();

	loom_pci_address(fd, addr, sizeof(addr));
	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/unbind", addr), 0);
	/* The file outlives the device: its ioctls fail cleanly. */
	loom_assert_err(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip)), ENODEV);
	loom_assert(loom_wait_node(false));
	close(fd);

	loom_assert_eq(loom_write_file("/sys/bus/pci/drivers/loom/bind", addr), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	loom_assert_eq(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip)), 0);
	loom_assert_eq(ip.vendor_id, LOOM_VENDOR_ID);
	close(fd);
}

static void test_unload(void)
{
	struct drm_loom_info_hw_ip ip;
	struct stat st;
	int fd = loom_open();

	if (stat(LOOM_KO_PATH, &st))
		loom_skip("%s is not there to load the module again", LOOM_KO_PATH);
	/* An open file keeps the module. */
	loom_assert_err(loom_module_unload(), EWOULDBLOCK);
	loom_assert_eq(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip)), 0);
	close(fd);

	loom_assert_eq(loom_module_unload(), 0);
	loom_assert(loom_wait_node(false));
	loom_assert_err(loom_module_unload(), ENOENT);

	/* And it comes back: probe, reset and firmware handshake again. */
	loom_assert_eq(loom_module_load(), 0);
	loom_assert(loom_wait_node(true));
	fd = loom_open();
	loom_assert_eq(__loom_info(fd, DRM_LOOM_INFO_HW_IP, &ip, sizeof(ip)), 0);
	loom_assert_eq(ip.vendor_id, LOOM_VENDOR_ID);
	loom_assert_eq(ip.fw_version, (LOOM_FW_VERSION_MAJOR << 16) | LOOM_FW_VERSION_MINOR);
	close(fd);
}

static const struct loom_subtest tests[] = {
	{ "open", "the accel node opens twice and says it is loom", test_open },
	{ "info-hw-ip", "INFO HW_IP matches the hardware and the harness's DRAM size",
	  test_info_hw_ip },
	{ "info-large-buffer", "a larger buffer gets the structure and no more",
	  test_info_large_buffer },
	{ "bad-info-query", "INFO with an unknown query: EINVAL", test_bad_info_query },
	{ "bad-info-flags", "INFO with any flag set: EINVAL", test_bad_info_flags },
	{ "bad-info-reserved", "INFO with pad or reserved words set: EINVAL",
	  test_bad_info_reserved },
	{ "bad-info-pointer", "INFO into NULL, kernel, read-only or short memory: EFAULT",
	  test_bad_info_pointer },
	{ "bad-info-size", "INFO with a buffer smaller than the structure: EINVAL",
	  test_bad_info_size },
	{ "bad-info-random", "INFO with random arguments: 0, EINVAL or EFAULT only",
	  test_bad_info_random },
	{ "bad-ioctl", "a driver ioctl number that does not exist: EINVAL", test_bad_ioctl },
	{ "foreign-ivshmem", "an ivshmem function that is not Loom stays unbound",
	  test_foreign_ivshmem },
	{ "unbind", "an fd open across unbind gets ENODEV; the device binds again",
	  test_unbind },
	{ "unload", "an open fd keeps the module; rmmod works once closed; it loads again",
	  test_unload, 60 },
};

int main(int argc, char **argv)
{
	return loom_igt_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
