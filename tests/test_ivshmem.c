// SPDX-License-Identifier: MIT
/*
 * loomd --ivshmem without QEMU: this suite plays the guest's side of the
 * ivshmem server protocol (QEMU's docs/specs/ivshmem-spec.rst) and checks
 * what loomd hands over and that it works as a PCI device would: the
 * messages and their order, a BAR that is a power of two and starts with
 * the Loom registers, doorbells that reach the firmware and interrupts that
 * come back on the guest's vectors, the guest's RAM as the device's host
 * window, one guest at a time, and a device reset when the guest leaves.
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "hw/loom_fw.h"
#include "hw/loom_ivshmem.h"
#include "hw/loom_regs.h"

#include "loom_test_loomd.h"

#define GUEST_PEER	1
#define DRAM		"14M"	/* BAR 16 MiB */
#define BAR_SIZE	(16ULL << 20)
#define RAM_SIZE	(4ULL << 20)

struct ivshmem_guest {
	int sock;
	int shm_fd;
	int doorbell[LOOM_IVSHMEM_VECTORS];	/* the device peer's vectors */
	int irq[LOOM_IVSHMEM_VECTORS];		/* our own vectors */
	volatile uint8_t *bar;
};

static struct loom_test_loomd iv_loomd;
static char ram_path[128];

/* loomd --ivshmem on a fresh socket with ram as the guest's RAM. */
static int loomd_start(const char *ram)
{
	const char *bin = getenv("LOOMD");
	pid_t parent = getpid();
	uint64_t deadline;
	struct stat st;

	memset(&iv_loomd, 0, sizeof(iv_loomd));
	if (!bin || !*bin)
		bin = LOOMD_PATH;
	snprintf(iv_loomd.dir, sizeof(iv_loomd.dir), "/tmp/loom-ivs-XXXXXX");
	if (!mkdtemp(iv_loomd.dir))
		return -1;
	snprintf(iv_loomd.sock, sizeof(iv_loomd.sock), "%s/ivshmem.sock", iv_loomd.dir);
	iv_loomd.pid = fork();
	if (iv_loomd.pid < 0)
		return -1;
	if (!iv_loomd.pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		execl(bin, "loomd", "--ivshmem", iv_loomd.sock, "--guest-ram", ram, "-d", DRAM,
		      "-q", (char *)NULL);
		_exit(127);
	}
	deadline = loom_test_now_ms() + 10000;
	while (loom_test_now_ms() < deadline) {
		if (stat(iv_loomd.sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		loom_test_sleep_ms(10);
	}
	return -1;
}

static int guest_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", iv_loomd.sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* One message: 1 with it, 0 on EOF, -1 on a timeout (5 s). */
static int guest_recv(int sock, int64_t *value, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int64_t le;
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	if (poll(&pfd, 1, 5000) != 1)
		return -1;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (n == 0)
		return 0;
	assert_int_equal(n, sizeof(le));
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	*value = (int64_t)le64toh((uint64_t)le);
	return 1;
}

static bool is_eventfd(int fd)
{
	char link[64], target[64] = "";

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return readlink(link, target, sizeof(target) - 1) > 0 && strstr(target, "eventfd");
}

/* Connect and read the whole greeting, checking every message. */
static void guest_attach(struct ivshmem_guest *g)
{
	struct stat st;
	int64_t v;
	unsigned i;
	int fd;

	g->sock = guest_connect();
	assert_int_equal(guest_recv(g->sock, &v, &fd), 1);
	assert_int_equal(v, 0);		/* protocol version */
	assert_int_equal(fd, -1);
	assert_int_equal(guest_recv(g->sock, &v, &fd), 1);
	assert_int_equal(v, GUEST_PEER);
	assert_int_equal(fd, -1);
	assert_int_equal(guest_recv(g->sock, &v, &g->shm_fd), 1);
	assert_int_equal(v, -1);
	assert_true(g->shm_fd >= 0);
	assert_int_equal(fstat(g->shm_fd, &st), 0);
	assert_int_equal(st.st_size, BAR_SIZE);
	for (i = 0; i < LOOM_IVSHMEM_VECTORS; i++) {
		assert_int_equal(guest_recv(g->sock, &v, &g->doorbell[i]), 1);
		assert_int_equal(v, LOOM_IVSHMEM_DEVICE_PEER);
		assert_true(is_eventfd(g->doorbell[i]));
	}
	for (i = 0; i < LOOM_IVSHMEM_VECTORS; i++) {
		assert_int_equal(guest_recv(g->sock, &v, &g->irq[i]), 1);
		assert_int_equal(v, GUEST_PEER);
		assert_true(is_eventfd(g->irq[i]));
	}
	/* Nothing more: there are no other peers. */
	struct pollfd pfd = { .fd = g->sock, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 100), 0);

	g->bar = mmap(NULL, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->shm_fd, 0);
	assert_true(g->bar != MAP_FAILED);
}

static void guest_detach(struct ivshmem_guest *g)
{
	for (unsigned i = 0; i < LOOM_IVSHMEM_VECTORS; i++) {
		close(g->doorbell[i]);
		close(g->irq[i]);
	}
	munmap((void *)g->bar, BAR_SIZE);
	close(g->shm_fd);
	close(g->sock);
}

static uint32_t rd32(struct ivshmem_guest *g, uint32_t off)
{
	return __atomic_load_n((uint32_t *)(g->bar + off), __ATOMIC_ACQUIRE);
}

static void wr32(struct ivshmem_guest *g, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(g->bar + off), v, __ATOMIC_RELEASE);
}

/* What QEMU does for a Doorbell write (DEVICE_PEER << 16 | vec). */
static void ring(struct ivshmem_guest *g, unsigned vec)
{
	uint64_t one = 1;

	assert_int_equal(write(g->doorbell[vec], &one, sizeof(one)), sizeof(one));
}

/* Wait for our vector vec to fire (what QEMU turns into MSI-X). */
static bool irq_wait(struct ivshmem_guest *g, unsigned vec, int ms)
{
	struct pollfd pfd = { .fd = g->irq[vec], .events = POLLIN };
	uint64_t n;

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return read(g->irq[vec], &n, sizeof(n)) == sizeof(n) && n > 0;
}

static int setup_ram(void **state)
{
	int fd;

	snprintf(ram_path, sizeof(ram_path), "/tmp/loom-ivs-ram-%d", (int)getpid());
	fd = open(ram_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, RAM_SIZE) < 0)
		return -1;
	close(fd);
	return loomd_start(ram_path);
}

static int teardown(void **state)
{
	int status = loom_test_loomd_stop(&iv_loomd);

	if (ram_path[0])
		unlink(ram_path);
	ram_path[0] = '\0';
	/* loomd shut down cleanly on SIGTERM. */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The greeting, and the Loom registers at the start of the BAR. */
static void test_greeting(void **state)
{
	struct ivshmem_guest g;

	guest_attach(&g);
	assert_int_equal(rd32(&g, LOOM_REG_MAGIC), LOOM_MAGIC);
	assert_int_equal(rd32(&g, LOOM_REG_VENDOR_ID), LOOM_VENDOR_ID);
	assert_int_equal(rd32(&g, LOOM_REG_DRAM_SIZE_LO), 14U << 20);
	assert_int_equal(rd32(&g, LOOM_REG_DRAM_OFFSET), LOOM_DRAM_BAR_OFFSET);
	guest_detach(&g);
}

/* A mailbox command rung on the firmware doorbell answers on vector 2. */
static void test_doorbell_and_irq(void **state)
{
	struct loom_fw_info info;
	struct ivshmem_guest g;

	guest_attach(&g);
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_MBOX_CMD), LOOM_FW_CMD_GET_INFO);
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_MBOX_SEQ), 7);
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_MBOX_STATUS), LOOM_MBOX_PENDING);
	ring(&g, LOOM_DOORBELL_FW);
	assert_true(irq_wait(&g, LOOM_IRQ_MAILBOX, 5000));
	assert_int_equal(rd32(&g, LOOM_REG_CH(0, LOOM_CREG_MBOX_STATUS)), LOOM_MBOX_DONE);
	assert_int_equal(rd32(&g, LOOM_REG_CH(0, LOOM_CREG_MBOX_DONE_SEQ)), 7);
	assert_int_equal(rd32(&g, LOOM_REG_CH(0, LOOM_CREG_MBOX_RESULT)), 0);
	memcpy(&info, (const void *)(g.bar + LOOM_REG_CH(0, LOOM_CREG_MBOX_DATA)), sizeof(info));
	assert_int_equal(info.fw_version, (LOOM_FW_VERSION_MAJOR << 16) | LOOM_FW_VERSION_MINOR);
	/* The other interrupt vectors stayed quiet. */
	assert_false(irq_wait(&g, LOOM_IRQ_COMPLETION, 0));
	assert_false(irq_wait(&g, LOOM_IRQ_MONITOR, 0));
	guest_detach(&g);
}

/*
 * The guest's RAM is channel 0's host window: an event queue placed in it
 * receives the RESET event of a DEV_CTRL reset, at the file offset that is
 * its "guest-physical" address.
 */
static void test_guest_ram_window(void **state)
{
	const uint64_t eq_off = 0x10000;
	struct loom_event ev;
	struct ivshmem_guest g;
	uint32_t count;
	int fd;

	guest_attach(&g);
	fd = open(ram_path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_EQ_BASE_LO), (uint32_t)LOOM_PA_HOST(0, eq_off));
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_EQ_BASE_HI), (uint32_t)(LOOM_PA_HOST(0, eq_off) >> 32));
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_EQ_SIZE), 16);
	count = rd32(&g, LOOM_REG_RESET_COUNT);
	wr32(&g, LOOM_REG_DEV_CTRL, LOOM_DEV_CTRL_RESET);
	ring(&g, LOOM_DOORBELL_FW);
	assert_true(irq_wait(&g, LOOM_IRQ_EVENT, 5000));
	assert_int_equal(rd32(&g, LOOM_REG_RESET_COUNT), count + 1);
	assert_int_equal(pread(fd, &ev, sizeof(ev), (off_t)eq_off), sizeof(ev));
	assert_int_equal(ev.type, LOOM_EVENT_RESET);
	assert_int_equal(ev.info, count + 1);
	close(fd);
	guest_detach(&g);
}

/* One guest at a time; the next one is served once the first left. */
static void test_one_guest(void **state)
{
	struct ivshmem_guest g, h;
	uint32_t count;
	int64_t v;
	int fd, sock;

	guest_attach(&g);
	count = rd32(&g, LOOM_REG_RESET_COUNT);
	sock = guest_connect();
	assert_int_equal(guest_recv(sock, &v, &fd), 0);	/* closed at once */
	close(sock);
	/* Channel 0 state set by the first guest... */
	wr32(&g, LOOM_REG_CH(0, LOOM_CREG_EQ_SIZE), 16);
	guest_detach(&g);

	/* ...is gone for the next one, and the device was reset between. */
	for (int i = 0; i < 500; i++) {
		h.sock = -1;
		guest_attach(&h);
		if (rd32(&h, LOOM_REG_RESET_COUNT) == count + 1)
			break;
		guest_detach(&h);	/* raced with loomd noticing the close */
		loom_test_sleep_ms(10);
	}
	assert_int_equal(rd32(&h, LOOM_REG_RESET_COUNT), count + 1);
	assert_int_equal(rd32(&h, LOOM_REG_CH(0, LOOM_CREG_EQ_SIZE)), 0);
	guest_detach(&h);
}

/* A guest RAM file that is not there: the guest is refused, loomd lives on. */
static void test_missing_ram(void **state)
{
	int64_t v;
	int fd, sock;

	unlink(ram_path);
	for (int i = 0; i < 2; i++) {
		sock = guest_connect();
		assert_int_equal(guest_recv(sock, &v, &fd), 0);
		close(sock);
	}
	assert_int_equal(waitpid(iv_loomd.pid, NULL, WNOHANG), 0);
}

/* Bad command lines: exit status 2 and no iv_loomd. */
static void test_bad_options(void **state)
{
	const char *bin = getenv("LOOMD") ? getenv("LOOMD") : LOOMD_PATH;
	static const char *const cases[][6] = {
		{ "--guest-ram", "/tmp/x", NULL },
		{ "--ivshmem", "/tmp/loom-ivs-bad.sock", "-s", "/tmp/loom-ivs-bad2.sock", NULL },
		{ "--ivshmem", "", NULL },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (!pid) {
			const char *argv[8] = { "loomd" };

			for (unsigned k = 0; cases[i][k]; k++)
				argv[k + 1] = cases[i][k];
			freopen("/dev/null", "w", stderr);
			execv(bin, (char **)argv);
			_exit(127);
		}
		status = loom_test_reap(pid, 10000);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_greeting, setup_ram, teardown),
		cmocka_unit_test_setup_teardown(test_doorbell_and_irq, setup_ram, teardown),
		cmocka_unit_test_setup_teardown(test_guest_ram_window, setup_ram, teardown),
		cmocka_unit_test_setup_teardown(test_one_guest, setup_ram, teardown),
		cmocka_unit_test_setup_teardown(test_missing_ram, setup_ram, teardown),
		cmocka_unit_test(test_bad_options),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("ivshmem", tests, NULL, NULL);
}
