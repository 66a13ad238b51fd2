// SPDX-License-Identifier: MIT
/*
 * The ivshmem server side of loomd (QEMU docs/specs/ivshmem-spec.rst).
 *
 * The protocol is one-way: the server sends 8-byte little-endian signed
 * numbers, some with one file descriptor. To a new guest it sends the
 * protocol version (0), the guest's peer id, -1 with the shared-memory fd,
 * then for each other peer its id once per vector with that vector's
 * eventfd, then its own id once per vector with the eventfds it receives
 * its interrupts on. Here the only other peer is the device itself:
 *
 *   shared memory            the device's BAR0 memfd (guest: ivshmem BAR2)
 *   device peer's vectors    the device's doorbell eventfds, so that a
 *                            Doorbell write (0 << 16 | v) rings doorbell v
 *   the guest's vectors      eventfds made here; the first
 *                            LOOM_IRQS_PER_CHANNEL are channel 0's
 *                            interrupts, which QEMU turns into MSI-X
 *
 * and the guest's RAM file is mapped as channel 0's host window, so that
 * guest-physical address X is device PA LOOM_PA_HOST(0, X). The guest's
 * kernel driver is the privileged driver: it programs contexts and queues
 * itself. When the guest goes, the device is reset and channel 0 cleared
 * for the next one.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loom_ivshmem.h"

#define LOOM_IVSHMEM_PROTOCOL	0

_Static_assert(LOOM_IVSHMEM_VECTORS == LOOM_NUM_DOORBELLS,
	       "every doorbell must be a vector of the device peer");
_Static_assert(LOOM_IVSHMEM_GUEST_PEER != LOOM_IVSHMEM_DEVICE_PEER, "distinct peers");

struct loom_ivshmem {
	struct loom_dev *dev;
	char *ram_path;
	uint64_t bar_size;
	bool connected;
	int guest_efd[LOOM_IVSHMEM_VECTORS];	/* the guest's own vectors */
};

static uint64_t loom_ivshmem_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

int loom_ivshmem_create(struct loom_dev *dev, const char *ram_path, struct loom_ivshmem **out)
{
	struct loom_ivshmem *iv;
	struct stat st;

	*out = NULL;
	iv = calloc(1, sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	if (ram_path && !(iv->ram_path = strdup(ram_path))) {
		free(iv);
		return -ENOMEM;
	}
	iv->dev = dev;
	for (unsigned v = 0; v < LOOM_IVSHMEM_VECTORS; v++)
		iv->guest_efd[v] = -1;

	/* QEMU maps the whole memory object as a BAR: a power of two. */
	iv->bar_size = loom_ivshmem_pow2(loom_dev_bar_size(dev));
	if (fstat(loom_dev_mem_fd(dev), &st) < 0 ||
	    ((uint64_t)st.st_size < iv->bar_size &&
	     ftruncate(loom_dev_mem_fd(dev), (off_t)iv->bar_size) < 0)) {
		int err = -errno;

		free(iv->ram_path);
		free(iv);
		return err;
	}
	*out = iv;
	return 0;
}

uint64_t loom_ivshmem_bar_size(const struct loom_ivshmem *iv)
{
	return iv->bar_size;
}

bool loom_ivshmem_connected(const struct loom_ivshmem *iv)
{
	return iv->connected;
}

static int loom_ivshmem_send(int sock, int64_t value, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	int64_t le = (int64_t)htole64((uint64_t)value);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(le) ? 0 : -EIO;
}

static void loom_ivshmem_close_vectors(struct loom_ivshmem *iv)
{
	for (unsigned v = 0; v < LOOM_IVSHMEM_VECTORS; v++) {
		if (iv->guest_efd[v] >= 0)
			close(iv->guest_efd[v]);
		iv->guest_efd[v] = -1;
	}
}

/* Undo the wiring of channel 0: interrupts, registers, host window. */
static void loom_ivshmem_unwire(struct loom_ivshmem *iv)
{
	struct loom_dev *dev = iv->dev;

	for (unsigned v = 0; v < LOOM_IRQS_PER_CHANNEL; v++)
		loom_dev_set_irq_fd(dev, 0, v, -1);
	for (uint32_t r = 0; r < LOOM_REG_CH_STRIDE; r += 4)
		loom_reg_write(dev, LOOM_REG_CH(0, r), 0);
	loom_dev_detach_window(dev, 0);
	loom_ivshmem_close_vectors(iv);
}

static int loom_ivshmem_attach_ram(struct loom_ivshmem *iv)
{
	struct stat st;
	int fd, ret;

	if (!iv->ram_path)
		return 0;
	fd = open(iv->ram_path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
	} else if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
		   st.st_size % LOOM_PAGE_SIZE) {
		ret = -EINVAL;
	} else {
		ret = loom_dev_attach_window(iv->dev, 0, fd, (uint64_t)st.st_size);
	}
	close(fd);
	return ret;
}

int loom_ivshmem_connect(struct loom_ivshmem *iv, int sock)
{
	struct loom_dev *dev = iv->dev;
	unsigned v;
	int ret;

	if (iv->connected)
		return -EBUSY;
	for (v = 0; v < LOOM_IVSHMEM_VECTORS; v++) {
		iv->guest_efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (iv->guest_efd[v] < 0) {
			ret = -errno;
			goto err;
		}
	}
	ret = loom_ivshmem_attach_ram(iv);
	if (ret)
		goto err;
	for (v = 0; v < LOOM_IRQS_PER_CHANNEL; v++) {
		ret = loom_dev_set_irq_fd(dev, 0, v, iv->guest_efd[v]);
		if (ret)
			goto err;
	}

	ret = loom_ivshmem_send(sock, LOOM_IVSHMEM_PROTOCOL, -1);
	if (!ret)
		ret = loom_ivshmem_send(sock, LOOM_IVSHMEM_GUEST_PEER, -1);
	if (!ret)
		ret = loom_ivshmem_send(sock, -1, loom_dev_mem_fd(dev));
	for (v = 0; !ret && v < LOOM_IVSHMEM_VECTORS; v++)
		ret = loom_ivshmem_send(sock, LOOM_IVSHMEM_DEVICE_PEER,
					loom_dev_doorbell_fd(dev, v));
	for (v = 0; !ret && v < LOOM_IVSHMEM_VECTORS; v++)
		ret = loom_ivshmem_send(sock, LOOM_IVSHMEM_GUEST_PEER, iv->guest_efd[v]);
	if (ret)
		goto err;
	iv->connected = true;
	return 0;

err:
	loom_ivshmem_unwire(iv);
	return ret;
}

void loom_ivshmem_disconnect(struct loom_ivshmem *iv)
{
	if (!iv->connected)
		return;
	/* Stop whatever the guest left running before its memory goes. */
	loom_dev_reset(iv->dev);
	loom_ivshmem_unwire(iv);
	iv->connected = false;
}

void loom_ivshmem_destroy(struct loom_ivshmem *iv)
{
	if (!iv)
		return;
	loom_ivshmem_disconnect(iv);
	free(iv->ram_path);
	free(iv);
}
