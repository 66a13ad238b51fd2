// SPDX-License-Identifier: MIT
/*
 * Tests of the device frame (device/loom_device.c) through the fixture of
 * tests/loom_test_cp.h: identification registers, configuration checks
 * and the BAR layout, PA decoding with overflow-safe bounds and host
 * windows (a CQ in one), interrupt vectors routed to eventfds, and the
 * CP's packet loop called directly.
 */
#include "loom_test_cp.h"

/* dev-create: identification registers, config checks, BAR layout. */
static void test_dev_create(void **state)
{
	struct ctx *c = *state;
	struct loom_dev_config cfg = { .dram_size = 3ULL << 20 };
	struct loom_dev *d2 = (struct loom_dev *)1;

	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_VENDOR_ID), LOOM_VENDOR_ID);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_DEVICE_ID), LOOM_DEVICE_ID);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_MAGIC), LOOM_MAGIC);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_REVISION), LOOM_HW_REVISION);
	assert_int_equal(loom_reg_read64(c->dev, LOOM_REG_DRAM_SIZE_LO), TEST_DRAM);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_DRAM_OFFSET), LOOM_DRAM_BAR_OFFSET);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_NUM_QUEUES), LOOM_NUM_QUEUES);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_NUM_SOBS), LOOM_NUM_SOBS);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_VA_BITS), LOOM_VA_BITS);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_CAPS),
			 LOOM_CAP_MME_BF16 | LOOM_CAP_PAGE_2M | LOOM_CAP_TELEMETRY | LOOM_CAP_TPC);
	assert_int_equal(loom_reg_read(c->dev, LOOM_REG_QUEUE_TIMEOUT_MS), 10000);
	assert_true(loom_reg_read(c->dev, LOOM_REG_DEV_STATUS) & LOOM_DEV_STATUS_READY);
	assert_int_equal(loom_dev_bar_size(c->dev), LOOM_DRAM_BAR_OFFSET + TEST_DRAM);
	assert_ptr_equal(loom_dev_bar(c->dev) + LOOM_DRAM_BAR_OFFSET, c->dev->dram);
	assert_true(loom_dev_mem_fd(c->dev) >= 0);
	assert_true(loom_dev_doorbell_fd(c->dev, LOOM_DOORBELL_FW) >= 0);
	assert_int_equal(loom_dev_doorbell_fd(c->dev, LOOM_NUM_DOORBELLS), -EINVAL);
	assert_int_equal(loom_dev_config(c->dev)->dram_size, TEST_DRAM);

	/* The BAR memfd is the device memory: a second mapping sees DRAM writes. */
	{
		uint8_t *m = mmap(NULL, loom_dev_bar_size(c->dev), PROT_READ, MAP_SHARED,
				  loom_dev_mem_fd(c->dev), 0);

		assert_true(m != MAP_FAILED);
		c->dev->dram[12345] = 0x5a;
		assert_int_equal(m[LOOM_DRAM_BAR_OFFSET + 12345], 0x5a);
		munmap(m, loom_dev_bar_size(c->dev));
	}

	assert_int_equal(loom_dev_create(&cfg, &d2), -EINVAL);
	assert_null(d2);
	cfg.dram_size = LOOM_PA_HOST_BASE;
	assert_int_equal(loom_dev_create(&cfg, &d2), -EINVAL);
	cfg.dram_size = 2ULL << 20;
	cfg.queue_timeout_ms = 1234;
	assert_int_equal(loom_dev_create(&cfg, &d2), 0);
	assert_int_equal(loom_reg_read(d2, LOOM_REG_QUEUE_TIMEOUT_MS), 1234);
	loom_dev_destroy(d2);
	loom_dev_destroy(NULL);
}

/* pa-ptr: DRAM and host-window decoding with overflow-safe bounds. */
static void test_pa_ptr(void **state)
{
	struct ctx *c = *state;
	struct loom_dev *dev = c->dev;
	const uint64_t wsize = 1 << 20;
	int fd = memfd_create("test-window", MFD_CLOEXEC);
	uint8_t *host;

	assert_ptr_equal(loom_dev_pa_ptr(dev, 0, 8), dev->dram);
	assert_ptr_equal(loom_dev_pa_ptr(dev, TEST_DRAM - 8, 8), dev->dram + TEST_DRAM - 8);
	assert_null(loom_dev_pa_ptr(dev, TEST_DRAM - 8, 9));
	assert_null(loom_dev_pa_ptr(dev, TEST_DRAM, 1));
	assert_null(loom_dev_pa_ptr(dev, 8, UINT64_MAX));
	assert_null(loom_dev_pa_ptr(dev, UINT64_MAX, 2));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(0, 0), 1));	/* no window */
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(LOOM_NUM_CHANNELS, 0), 1));

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, wsize), 0);
	host = mmap(NULL, wsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(host != MAP_FAILED);
	assert_int_equal(loom_dev_attach_window(dev, 3, fd, wsize), 0);
	assert_int_equal(loom_dev_attach_window(dev, 3, fd, wsize), -EBUSY);
	assert_int_equal(loom_dev_attach_window(dev, LOOM_NUM_CHANNELS, fd, wsize), -EINVAL);
	assert_int_equal(loom_dev_attach_window(dev, 4, -1, wsize), -EINVAL);
	assert_int_equal(loom_dev_attach_window(dev, 4, fd, 0), -EINVAL);

	loom_dev_access_begin(dev);
	{
		uint32_t *p = loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, 0x100), 4);

		assert_non_null(p);
		*p = 0xfeedf00d;
		assert_int_equal(*(uint32_t *)(host + 0x100), 0xfeedf00d);
	}
	assert_non_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, wsize - 4), 4));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, wsize - 4), 5));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, wsize), 1));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, 0x100), UINT64_MAX));
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(2, 0x100), 4));
	loom_dev_access_end(dev);

	/* A CQ in the host window: the CP writes completions there. */
	{
		struct loom_cq_entry *cq = (struct loom_cq_entry *)(host + 0x1000);
		struct cb b = { 0 };

		queue_setup(&c->tq, 17, ASID);
		loom_reg_write64(dev, LOOM_REG_QUEUE(17, LOOM_QREG_CQ_BASE_LO),
				 LOOM_PA_HOST(3, 0x1000));
		cb_nop(&b);
		cb_submit(c, 17, &b, LOOM_RING_F_COMPLETION, 170);
		assert_true(qreg_wait(&c->tq, 17, LOOM_QREG_CQ_PI, 1, WAIT_MS));
		assert_int_equal(cq[0].tag, 170);
		assert_int_equal(cq[0].queue, 17);
	}

	loom_dev_detach_window(dev, 3);
	loom_dev_detach_window(dev, 3);		/* idempotent */
	assert_null(loom_dev_pa_ptr(dev, LOOM_PA_HOST(3, 0x100), 4));
	munmap(host, wsize);
	close(fd);
}

/* irq-fd: routing interrupt vectors to eventfds, and clearing them. */
static void test_irq_fd(void **state)
{
	struct ctx *c = *state;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t cnt = 0;

	assert_true(fd >= 0);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, LOOM_NUM_CHANNELS, 0, fd), -EINVAL);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, 0, LOOM_IRQS_PER_CHANNEL, fd), -EINVAL);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, 5, LOOM_IRQ_EVENT, fd), 0);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_EVENT);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_EVENT);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_MAILBOX);	/* not routed */
	loom_dev_raise_irq(c->dev, 99, 0);			/* ignored */
	assert_int_equal(read(fd, &cnt, sizeof(cnt)), sizeof(cnt));
	assert_int_equal(cnt, 2);
	assert_int_equal(loom_dev_set_irq_fd(c->dev, 5, LOOM_IRQ_EVENT, -1), 0);
	loom_dev_raise_irq(c->dev, 5, LOOM_IRQ_EVENT);
	assert_int_equal(read(fd, &cnt, sizeof(cnt)), -1);
	assert_int_equal(errno, EAGAIN);
	close(fd);
}

/* run-cb: the CP's packet loop called directly. */
static void test_run_cb(void **state)
{
	struct ctx *c = *state;
	struct cb b = { 0 };
	uint32_t off = 99;

	cb_nop(&b);
	cb_signal(&b, 700, LOOM_SIGNAL_OP_ADD, 4);
	assert_int_equal(loom_cp_run_cb(c->dev, 20, ASID, (uint8_t *)b.w, b.n * 4, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(loom_sob_read(c->dev, 700), 4);
	/* A size that cuts the header: BAD_PACKET at that offset. */
	assert_int_equal(loom_cp_run_cb(c->dev, 20, ASID, (uint8_t *)b.w, 10, &off),
			 LOOM_ERR_BAD_PACKET);
	assert_int_equal(off, 8);
	assert_int_equal(loom_cp_run_cb(c->dev, LOOM_NUM_QUEUES, ASID, (uint8_t *)b.w, 8, &off),
			 LOOM_ERR_BAD_ARG);
	assert_int_equal(loom_sob_read(c->dev, 700), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dev_create),
		T(test_pa_ptr),
		T(test_irq_fd),
		T(test_run_cb),
	};

	return cmocka_run_group_tests_name("test_device", tests, NULL, NULL);
}
