// SPDX-License-Identifier: MIT
/*
 * The device's frame: creation and teardown of struct loom_dev, the BAR0
 * memory object (registers + DRAM in one sparse memfd), doorbells and
 * interrupt eventfds, host memory windows, device physical address
 * decoding, the device clock and the full device reset.
 *
 * Every hardware block keeps its own state; this file only starts the
 * blocks in dependency order (sync manager first, command processors
 * last, since they use all the others) and stops them in reverse.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "loom_device.h"

#define LOOM_DEV_QUEUE_TIMEOUT_DEFAULT_MS	10000U

uint64_t loom_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t loom_dev_time_ns(struct loom_dev *dev)
{
	return loom_now_ns() - dev->t0_ns;
}

const struct loom_dev_config *loom_dev_config(struct loom_dev *dev)
{
	return &dev->cfg;
}

uint8_t *loom_dev_bar(struct loom_dev *dev)
{
	return dev->bar;
}

uint64_t loom_dev_bar_size(struct loom_dev *dev)
{
	return dev->bar_size;
}

int loom_dev_mem_fd(struct loom_dev *dev)
{
	return dev->mem_fd;
}

int loom_dev_doorbell_fd(struct loom_dev *dev, unsigned v)
{
	if (v >= LOOM_NUM_DOORBELLS)
		return -EINVAL;
	return dev->doorbell_fd[v];
}

static void loom_dev_regs_init(struct loom_dev *dev)
{
	const struct loom_dev_config *cfg = &dev->cfg;

	loom_reg_write(dev, LOOM_REG_VENDOR_ID, LOOM_VENDOR_ID);
	loom_reg_write(dev, LOOM_REG_DEVICE_ID, LOOM_DEVICE_ID);
	loom_reg_write(dev, LOOM_REG_REVISION, LOOM_HW_REVISION);
	loom_reg_write(dev, LOOM_REG_MAGIC, LOOM_MAGIC);
	loom_reg_write64(dev, LOOM_REG_DRAM_SIZE_LO, dev->dram_size);
	loom_reg_write(dev, LOOM_REG_DRAM_OFFSET, (uint32_t)LOOM_DRAM_BAR_OFFSET);
	loom_reg_write(dev, LOOM_REG_NUM_QUEUES, LOOM_NUM_QUEUES);
	loom_reg_write(dev, LOOM_REG_NUM_CHANNELS, LOOM_NUM_CHANNELS);
	loom_reg_write(dev, LOOM_REG_NUM_ASIDS, LOOM_NUM_ASIDS);
	loom_reg_write(dev, LOOM_REG_NUM_SOBS, LOOM_NUM_SOBS);
	loom_reg_write(dev, LOOM_REG_NUM_MONITORS, LOOM_NUM_MONITORS);
	loom_reg_write(dev, LOOM_REG_NUM_DMA, LOOM_NUM_DMA);
	loom_reg_write(dev, LOOM_REG_NUM_MME, LOOM_NUM_MME);
	loom_reg_write(dev, LOOM_REG_NUM_TPC, LOOM_NUM_TPC);
	loom_reg_write(dev, LOOM_REG_CAPS, LOOM_CAP_MME_BF16 | LOOM_CAP_PAGE_2M |
		       LOOM_CAP_TELEMETRY | LOOM_CAP_TPC);
	loom_reg_write(dev, LOOM_REG_FW_VERSION,
		       (LOOM_FW_VERSION_MAJOR << 16) | LOOM_FW_VERSION_MINOR);
	loom_reg_write(dev, LOOM_REG_VA_BITS, LOOM_VA_BITS);
	loom_reg_write(dev, LOOM_REG_QUEUE_TIMEOUT_MS,
		       cfg->queue_timeout_ms ? cfg->queue_timeout_ms :
		       LOOM_DEV_QUEUE_TIMEOUT_DEFAULT_MS);
	loom_reg_write(dev, LOOM_REG_DEV_STATUS, LOOM_DEV_STATUS_READY);
}

static void loom_dev_doorbells_close(struct loom_dev *dev)
{
	for (unsigned i = 0; i < LOOM_NUM_DOORBELLS; i++) {
		if (dev->doorbell_fd[i] >= 0)
			close(dev->doorbell_fd[i]);
		dev->doorbell_fd[i] = -1;
	}
}

static int loom_dev_doorbells_open(struct loom_dev *dev)
{
	for (unsigned i = 0; i < LOOM_NUM_DOORBELLS; i++) {
		dev->doorbell_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->doorbell_fd[i] < 0) {
			int err = -errno;

			loom_dev_doorbells_close(dev);
			return err;
		}
	}
	return 0;
}

/* Wake every thread that sleeps on a doorbell (used when stopping). */
static void loom_dev_ring_all(struct loom_dev *dev)
{
	uint64_t one = 1;

	for (unsigned i = 0; i < LOOM_NUM_DOORBELLS; i++)
		if (dev->doorbell_fd[i] >= 0 &&
		    write(dev->doorbell_fd[i], &one, sizeof(one)) < 0) {
			/* EAGAIN: the counter is already non-zero, fine */
		}
}

static int loom_dev_blocks_init(struct loom_dev *dev)
{
	int ret;

	loom_sync_init(dev);
	if (!dev->sync)
		return -ENOMEM;
	ret = loom_dma_init(dev);
	if (ret)
		goto err_sync;
	ret = loom_mme_init(dev);
	if (ret)
		goto err_dma;
	ret = loom_tpc_init(dev);
	if (ret)
		goto err_mme;
	ret = loom_power_init(dev);
	if (ret)
		goto err_tpc;
	ret = loom_fw_init(dev);
	if (ret)
		goto err_power;
	ret = loom_qman_init(dev);
	if (ret)
		goto err_fw;
	return 0;

err_fw:
	atomic_store(&dev->stopping, 1);
	loom_dev_ring_all(dev);
	loom_fw_fini(dev);
err_power:
	loom_power_fini(dev);
err_tpc:
	loom_tpc_fini(dev);
err_mme:
	loom_mme_fini(dev);
err_dma:
	loom_dma_fini(dev);
err_sync:
	loom_sync_fini(dev);
	return ret < 0 ? ret : -ENOMEM;
}

int loom_dev_create(const struct loom_dev_config *cfg, struct loom_dev **out)
{
	struct loom_dev *dev;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if (cfg)
		dev->cfg = *cfg;
	if (!dev->cfg.dram_size)
		dev->cfg.dram_size = LOOM_DRAM_DEFAULT_SIZE;
	if (dev->cfg.dram_size % LOOM_HUGE_SIZE ||
	    dev->cfg.dram_size >= LOOM_PA_HOST_BASE) {
		free(dev);
		return -EINVAL;
	}
	dev->dram_size = dev->cfg.dram_size;
	dev->bar_size = LOOM_DRAM_BAR_OFFSET + dev->dram_size;
	dev->mem_fd = -1;
	for (unsigned i = 0; i < LOOM_NUM_DOORBELLS; i++)
		dev->doorbell_fd[i] = -1;
	for (unsigned c = 0; c < LOOM_NUM_CHANNELS; c++) {
		for (unsigned v = 0; v < LOOM_IRQS_PER_CHANNEL; v++)
			dev->irq_fd[c][v] = -1;
		dev->windows[c].fd = -1;
	}
	atomic_init(&dev->stopping, 0);

	ret = pthread_mutex_init(&dev->irq_lock, NULL);
	if (ret) {
		free(dev);
		return -ret;
	}
	ret = pthread_rwlock_init(&dev->window_lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_irq_lock;
	}

	dev->mem_fd = memfd_create("loom-bar0", MFD_CLOEXEC);
	if (dev->mem_fd < 0) {
		ret = -errno;
		goto err_window_lock;
	}
	if (ftruncate(dev->mem_fd, (off_t)dev->bar_size) < 0) {
		ret = -errno;
		goto err_memfd;
	}
	dev->bar = mmap(NULL, dev->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			dev->mem_fd, 0);
	if (dev->bar == MAP_FAILED) {
		ret = -errno;
		dev->bar = NULL;
		goto err_memfd;
	}
	dev->dram = dev->bar + LOOM_DRAM_BAR_OFFSET;
	dev->t0_ns = loom_now_ns();

	ret = loom_dev_doorbells_open(dev);
	if (ret)
		goto err_unmap;

	loom_dev_regs_init(dev);

	ret = loom_dev_blocks_init(dev);
	if (ret)
		goto err_doorbells;

	*out = dev;
	return 0;

err_doorbells:
	loom_dev_doorbells_close(dev);
err_unmap:
	munmap(dev->bar, dev->bar_size);
err_memfd:
	close(dev->mem_fd);
err_window_lock:
	pthread_rwlock_destroy(&dev->window_lock);
err_irq_lock:
	pthread_mutex_destroy(&dev->irq_lock);
	free(dev);
	return ret;
}

void loom_dev_destroy(struct loom_dev *dev)
{
	if (!dev)
		return;

	atomic_store(&dev->stopping, 1);
	loom_dev_ring_all(dev);
	loom_sync_kick(dev);

	loom_qman_fini(dev);
	loom_fw_fini(dev);
	loom_power_fini(dev);
	loom_tpc_fini(dev);
	loom_mme_fini(dev);
	loom_dma_fini(dev);
	loom_sync_fini(dev);

	for (unsigned c = 0; c < LOOM_NUM_CHANNELS; c++) {
		loom_dev_detach_window(dev, c);
		for (unsigned v = 0; v < LOOM_IRQS_PER_CHANNEL; v++)
			if (dev->irq_fd[c][v] >= 0)
				close(dev->irq_fd[c][v]);
	}
	loom_dev_doorbells_close(dev);
	munmap(dev->bar, dev->bar_size);
	close(dev->mem_fd);
	pthread_rwlock_destroy(&dev->window_lock);
	pthread_mutex_destroy(&dev->irq_lock);
	free(dev);
}

int loom_dev_set_irq_fd(struct loom_dev *dev, unsigned ch, unsigned vec, int fd)
{
	int nfd = -1, old;

	if (ch >= LOOM_NUM_CHANNELS || vec >= LOOM_IRQS_PER_CHANNEL || fd < -1)
		return -EINVAL;
	if (fd >= 0) {
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (nfd < 0)
			return -errno;
	}
	pthread_mutex_lock(&dev->irq_lock);
	old = dev->irq_fd[ch][vec];
	dev->irq_fd[ch][vec] = nfd;
	pthread_mutex_unlock(&dev->irq_lock);
	if (old >= 0)
		close(old);
	return 0;
}

void loom_dev_raise_irq(struct loom_dev *dev, unsigned ch, unsigned vec)
{
	uint64_t one = 1;

	if (ch >= LOOM_NUM_CHANNELS || vec >= LOOM_IRQS_PER_CHANNEL)
		return;
	pthread_mutex_lock(&dev->irq_lock);
	if (dev->irq_fd[ch][vec] >= 0 &&
	    write(dev->irq_fd[ch][vec], &one, sizeof(one)) < 0) {
		/* EAGAIN: counter saturated, the interrupt is pending anyway */
	}
	pthread_mutex_unlock(&dev->irq_lock);
}

int loom_dev_attach_window(struct loom_dev *dev, unsigned ch, int fd, uint64_t size)
{
	struct loom_window *w;
	void *ptr;
	int nfd, ret = 0;

	if (ch >= LOOM_NUM_CHANNELS || fd < 0 || !size || size > LOOM_PA_HOST_WINDOW_MAX)
		return -EINVAL;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (nfd < 0)
		return -errno;
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, nfd, 0);
	if (ptr == MAP_FAILED) {
		ret = -errno;
		close(nfd);
		return ret;
	}

	pthread_rwlock_wrlock(&dev->window_lock);
	w = &dev->windows[ch];
	if (w->ptr) {
		ret = -EBUSY;
	} else {
		w->ptr = ptr;
		w->size = size;
		w->fd = nfd;
		/* A new driver instance: it may master its window. */
		loom_reg_write(dev, LOOM_REG_CH(ch, LOOM_CREG_CTRL), LOOM_CCTRL_BUS_MASTER);
	}
	pthread_rwlock_unlock(&dev->window_lock);

	if (ret) {
		munmap(ptr, size);
		close(nfd);
	}
	return ret;
}

void loom_dev_detach_window(struct loom_dev *dev, unsigned ch)
{
	struct loom_window old;

	if (ch >= LOOM_NUM_CHANNELS)
		return;
	pthread_rwlock_wrlock(&dev->window_lock);
	old = dev->windows[ch];
	dev->windows[ch].ptr = NULL;
	dev->windows[ch].size = 0;
	dev->windows[ch].fd = -1;
	pthread_rwlock_unlock(&dev->window_lock);

	if (old.ptr)
		munmap(old.ptr, old.size);
	if (old.fd >= 0)
		close(old.fd);
}

/*
 * DMA_ACTIVE counts the accesses under way. The increment is a full
 * barrier before the access reads a channel's BUS_MASTER bit, and a
 * driver clears that bit before it reads DMA_ACTIVE: a driver that reads
 * 0 knows that every later access sees the bit clear.
 */
void loom_dev_access_begin(struct loom_dev *dev)
{
	pthread_rwlock_rdlock(&dev->window_lock);
	__atomic_add_fetch((uint32_t *)(dev->bar + LOOM_REG_DMA_ACTIVE), 1, __ATOMIC_SEQ_CST);
}

void loom_dev_access_end(struct loom_dev *dev)
{
	__atomic_sub_fetch((uint32_t *)(dev->bar + LOOM_REG_DMA_ACTIVE), 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&dev->window_lock);
}

void *loom_dev_pa_ptr(struct loom_dev *dev, uint64_t pa, uint64_t len)
{
	const struct loom_window *w;
	uint64_t rel, off;
	unsigned ch;

	if (pa < dev->dram_size) {
		if (len > dev->dram_size - pa)
			return NULL;
		return dev->dram + pa;
	}
	if (pa < LOOM_PA_HOST_BASE)
		return NULL;
	rel = pa - LOOM_PA_HOST_BASE;
	ch = (unsigned)(rel >> LOOM_PA_HOST_CH_SHIFT);
	if (ch >= LOOM_NUM_CHANNELS)
		return NULL;
	off = rel & (LOOM_PA_HOST_WINDOW_MAX - 1);
	w = &dev->windows[ch];
	if (!w->ptr || off >= w->size || len > w->size - off)
		return NULL;
	/* Bus mastering off: the channel's driver stopped the device's DMA. */
	if (!(__atomic_load_n((uint32_t *)(dev->bar + LOOM_REG_CH(ch, LOOM_CREG_CTRL)),
			      __ATOMIC_SEQ_CST) & LOOM_CCTRL_BUS_MASTER))
		return NULL;
	return w->ptr + off;
}

/* Read-modify-write of a register the driver may also touch. */
static void loom_reg_update(struct loom_dev *dev, uint32_t off, uint32_t clear, uint32_t set)
{
	uint32_t *p = (uint32_t *)(dev->bar + off);
	uint32_t old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(p, &old, (old & ~clear) | set, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
}

/*
 * Called by the firmware thread (DEV_CTRL_RESET); waits for every CP to
 * leave its current packet. The event's info is the new reset count.
 */
void loom_dev_reset(struct loom_dev *dev)
{
	struct loom_event ev = {
		.type = LOOM_EVENT_RESET,
		.asid = LOOM_EVENT_ASID_NONE,
		.queue = LOOM_EVENT_QUEUE_NONE,
	};

	loom_reg_update(dev, LOOM_REG_DEV_STATUS, LOOM_DEV_STATUS_READY,
			LOOM_DEV_STATUS_RESETTING);

	for (unsigned q = 0; q < LOOM_NUM_QUEUES; q++)
		loom_qman_reset_queue(dev, q);
	loom_sync_reset(dev);
	for (unsigned a = 0; a < LOOM_NUM_ASIDS; a++) {
		loom_reg_write(dev, LOOM_REG_ASID(a, LOOM_AREG_CTRL), 0);
		loom_reg_write(dev, LOOM_REG_ASID(a, LOOM_AREG_PGD_LO), 0);
		loom_reg_write(dev, LOOM_REG_ASID(a, LOOM_AREG_PGD_HI), 0);
		loom_reg_write(dev, LOOM_REG_ASID(a, LOOM_AREG_CHANNEL), 0);
	}
	loom_mmu_invalidate(dev, 0);
	ev.info = loom_reg_read(dev, LOOM_REG_RESET_COUNT) + 1;
	loom_reg_write(dev, LOOM_REG_RESET_COUNT, ev.info);

	loom_reg_update(dev, LOOM_REG_DEV_STATUS, LOOM_DEV_STATUS_RESETTING,
			LOOM_DEV_STATUS_READY);
	ev.timestamp_ns = loom_dev_time_ns(dev);
	loom_fw_post_event(dev, &ev);
}
