// SPDX-License-Identifier: MIT
/*
 * loom.ko: the PCI function's BARs, the device's identification, its
 * doorbells and its reset.
 *
 * QEMU's ivshmem-doorbell function carries many kinds of shared memory; the
 * driver binds it only when the memory in BAR2 starts with the Loom
 * register space (magic, vendor and device ids, a revision it knows, and a
 * DRAM that fits the BAR), and otherwise leaves the function alone with
 * -ENODEV. Only the register space is mapped here; DRAM is mapped where
 * it is used.
 *
 * Bus mastering: channel 0's CTRL.BUS_MASTER gates every access of the
 * device to the guest's memory (QEMU's own Bus Master Enable does not
 * reach loomd, which maps the guest's RAM directly). The driver sets it at
 * probe and clears it, with the PCI function's, before memory the device
 * could write goes back to the kernel while the device may still run: at
 * unbind, shutdown, and when the device stopped answering.
 */
#include <linux/delay.h>
#include <linux/ktime.h>

#include "loom_hw.h"

#define LOOM_RESET_TIMEOUT_MS	5000

static int loom_hw_identify(struct loom_device *ldev)
{
	struct device *dev = &ldev->pdev->dev;
	u32 magic = loom_rd32(ldev, LOOM_REG_MAGIC);
	u32 vendor = loom_rd32(ldev, LOOM_REG_VENDOR_ID);
	u32 device = loom_rd32(ldev, LOOM_REG_DEVICE_ID);
	u64 dram_off;

	if (magic != LOOM_MAGIC || vendor != LOOM_VENDOR_ID || device != LOOM_DEVICE_ID) {
		dev_err(dev, "not a Loom device (magic %#x, vendor %#x, device %#x in its shared memory); leaving this ivshmem function alone\n",
			magic, vendor, device);
		return -ENODEV;
	}
	ldev->revision = loom_rd32(ldev, LOOM_REG_REVISION);
	if (ldev->revision != LOOM_HW_REVISION) {
		dev_err(dev, "Loom hardware revision %u is not supported (this driver knows revision %u)\n",
			ldev->revision, LOOM_HW_REVISION);
		return -ENODEV;
	}
	ldev->dram_size = loom_rd64(ldev, LOOM_REG_DRAM_SIZE_LO);
	dram_off = loom_rd32(ldev, LOOM_REG_DRAM_OFFSET);
	if (dram_off != LOOM_DRAM_BAR_OFFSET || !ldev->dram_size ||
	    ldev->dram_size > ldev->mem_size - dram_off) {
		dev_err(dev, "Loom DRAM of %llu bytes at offset %#llx does not fit the %llu-byte BAR\n",
			ldev->dram_size, dram_off, (u64)ldev->mem_size);
		return -ENODEV;
	}
	return 0;
}

int loom_hw_init(struct loom_device *ldev)
{
	struct pci_dev *pdev = ldev->pdev;
	struct device *dev = &pdev->dev;
	int ret;

	if (pci_resource_len(pdev, LOOM_IVSHMEM_BAR_REGS) < LOOM_IVSHMEM_REGS_SIZE) {
		dev_err(dev, "ivshmem register BAR%d missing or too small\n",
			LOOM_IVSHMEM_BAR_REGS);
		return -ENODEV;
	}
	ldev->mem_size = pci_resource_len(pdev, LOOM_IVSHMEM_BAR_MEM);
	if (ldev->mem_size < LOOM_DRAM_BAR_OFFSET) {
		dev_err(dev, "not a Loom device: its shared memory (%llu bytes) is smaller than a Loom BAR\n",
			(u64)ldev->mem_size);
		return -ENODEV;
	}
	ret = pcim_request_all_regions(pdev, DRIVER_NAME);
	if (ret) {
		dev_err(dev, "cannot claim the BARs: %d\n", ret);
		return ret;
	}
	ldev->ivshmem = pcim_iomap(pdev, LOOM_IVSHMEM_BAR_REGS, LOOM_IVSHMEM_REGS_SIZE);
	ldev->regs = pcim_iomap(pdev, LOOM_IVSHMEM_BAR_MEM, LOOM_REG_SPACE_SIZE);
	if (!ldev->ivshmem || !ldev->regs) {
		dev_err(dev, "cannot map the BARs\n");
		return -ENOMEM;
	}
	ldev->peer_id = readl(ldev->ivshmem + LOOM_IVSHMEM_REG_IVPOSITION);
	ret = loom_hw_identify(ldev);
	if (ret)
		return ret;
	if (ldev->peer_id == LOOM_IVSHMEM_DEVICE_PEER) {
		dev_err(dev, "this function is ivshmem peer %u, the device's own id: the server is not loomd\n",
			ldev->peer_id);
		return -ENODEV;
	}
	loom_dbg(ldev, PROBE, "revision %u, DRAM %llu MiB, BAR %llu MiB, peer %u\n",
		 ldev->revision, ldev->dram_size >> 20, (u64)ldev->mem_size >> 20, ldev->peer_id);
	return 0;
}

void loom_hw_doorbell(struct loom_device *ldev, unsigned int vec)
{
	writel(LOOM_IVSHMEM_DOORBELL(LOOM_IVSHMEM_DEVICE_PEER, vec),
	       ldev->ivshmem + LOOM_IVSHMEM_REG_DOORBELL);
}

void loom_hw_dma_enable(struct loom_device *ldev)
{
	loom_wr32(ldev, LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_CTRL), LOOM_CCTRL_BUS_MASTER);
	pci_set_master(ldev->pdev);
}

int loom_hw_dma_stop(struct loom_device *ldev)
{
	ktime_t deadline = ktime_add_ms(ktime_get(), LOOM_HW_DMA_QUIESCE_MS);
	u32 active;

	loom_wr32(ldev, LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_CTRL), 0);
	pci_clear_master(ldev->pdev);
	/* The device counts its accesses before it reads the bit (hw/loom_regs.h). */
	mb();
	while ((active = loom_rd32(ldev, LOOM_REG_DMA_ACTIVE))) {
		if (ktime_after(ktime_get(), deadline)) {
			drm_err(&ldev->drm, "the device is still in %u access(es) to memory %u ms after bus mastering went off\n",
				active, LOOM_HW_DMA_QUIESCE_MS);
			return -EBUSY;
		}
		usleep_range(100, 1000);
	}
	return 0;
}

int loom_hw_reset(struct loom_device *ldev)
{
	u32 before = loom_rd32(ldev, LOOM_REG_RESET_COUNT);
	ktime_t deadline = ktime_add_ms(ktime_get(), LOOM_RESET_TIMEOUT_MS);
	u32 status;

	loom_wr32(ldev, LOOM_REG_DEV_CTRL, LOOM_DEV_CTRL_RESET);
	loom_hw_doorbell(ldev, LOOM_DOORBELL_FW);
	for (;;) {
		status = loom_rd32(ldev, LOOM_REG_DEV_STATUS);
		if (loom_rd32(ldev, LOOM_REG_RESET_COUNT) != before &&
		    (status & LOOM_DEV_STATUS_READY) && !(status & LOOM_DEV_STATUS_RESETTING))
			break;
		if (ktime_after(ktime_get(), deadline)) {
			drm_err(&ldev->drm, "device reset timed out after %u ms (status %#x): does loomd serve this device?\n",
				LOOM_RESET_TIMEOUT_MS, status);
			return -ETIMEDOUT;
		}
		usleep_range(100, 1000);
	}
	loom_dbg(ldev, PROBE, "device reset, reset count %u\n",
		 loom_rd32(ldev, LOOM_REG_RESET_COUNT));
	return 0;
}
