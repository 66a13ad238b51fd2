// SPDX-License-Identifier: MIT
/*
 * loom.ko: the PCI driver and its registration with DRM accel.
 *
 * The driver binds QEMU's ivshmem-doorbell function when loomd serves it
 * (loom_hw.c checks the Loom identification and leaves other ivshmem
 * devices alone), takes channel 0's interrupts, resets the device, asks its
 * firmware who it is and registers /dev/accel/accelN. Removal unplugs the
 * DRM device first, so open files get -ENODEV from then on while the
 * structure lives until the last of them closes.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>

#include "loom/uapi/loom_accel.h"

#include "loom_cs.h"
#include "loom_ctx.h"
#include "loom_dmabuf.h"
#include "loom_events.h"
#include "loom_fw.h"
#include "loom_gem.h"
#include "loom_hw.h"
#include "loom_info.h"
#include "loom_queue.h"

unsigned int loom_dbg_mask;
module_param_named(dbg_mask, loom_dbg_mask, uint, 0644);
MODULE_PARM_DESC(dbg_mask, "debug categories: 1 probe, 2 irq, 4 firmware, 8 ioctl");

static const struct drm_ioctl_desc loom_drm_ioctls[] = {
	DRM_IOCTL_DEF_DRV(LOOM_INFO, loom_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_GEM_CREATE, loom_gem_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_GEM_USERPTR, loom_gem_userptr_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_GEM_INFO, loom_gem_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_VM_BIND, loom_vm_bind_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_EVENTFD, loom_events_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_QUEUE_CREATE, loom_queue_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_QUEUE_DESTROY, loom_queue_destroy_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_SUBMIT, loom_submit_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_WAIT, loom_wait_ioctl, 0),
	DRM_IOCTL_DEF_DRV(LOOM_EXPORT_DMABUF, loom_dmabuf_export_ioctl, 0),
};

/* DEFINE_DRM_ACCEL_FOPS(), plus the DRM usage statistics in fdinfo. */
static const struct file_operations loom_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver loom_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE | DRIVER_GEM_GPUVA,
	.fops = &loom_fops,
	.open = loom_ctx_file_open,
	.postclose = loom_ctx_file_close,
	.show_fdinfo = loom_show_fdinfo,
	.gem_create_object = loom_gem_create_object,
	.gem_prime_import = loom_dmabuf_prime_import,
	.gem_prime_import_sg_table = loom_dmabuf_import_sg_table,
	.ioctls = loom_drm_ioctls,
	.num_ioctls = ARRAY_SIZE(loom_drm_ioctls),
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.date = "20250601",
	.major = DRM_LOOM_DRIVER_MAJOR,
	.minor = DRM_LOOM_DRIVER_MINOR,
};

static int loom_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct loom_device *ldev;
	int ret;

	ldev = devm_drm_dev_alloc(&pdev->dev, &loom_drm_driver, struct loom_device, drm);
	if (IS_ERR(ldev))
		return PTR_ERR(ldev);
	ldev->pdev = pdev;
	pci_set_drvdata(pdev, ldev);
	init_completion(&ldev->mbox_done);
	ret = drmm_mutex_init(&ldev->drm, &ldev->mbox_lock);
	if (ret)
		return ret;

	ret = pcim_enable_device(pdev);
	if (ret) {
		dev_err(&pdev->dev, "cannot enable the PCI device: %d\n", ret);
		return ret;
	}
	ret = loom_hw_init(ldev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(LOOM_DMA_BITS));
	if (ret) {
		dev_err(&pdev->dev, "no usable DMA mask: %d\n", ret);
		return ret;
	}
	/*
	 * The device's MMU maps DMA segments of any length (shmem and userptr
	 * tables hold segments of many MiB): not the PCI default of 64 KiB.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	ret = loom_irq_init(ldev);
	if (ret)
		return ret;
	ret = loom_hw_reset(ldev);
	if (ret)
		return ret;
	/* An earlier binding may have stopped it. */
	loom_hw_dma_enable(ldev);
	ret = loom_fw_init(ldev);
	if (ret)
		return ret;
	ret = loom_info_init(ldev);
	if (ret)
		return ret;
	ret = loom_events_init(ldev);
	if (ret)
		return ret;
	ret = loom_ctx_dev_init(ldev);
	if (ret)
		return ret;
	ret = loom_cs_init(ldev);
	if (ret)
		return ret;

	loom_debugfs_init(ldev);

	ret = drm_dev_register(&ldev->drm, 0);
	if (ret) {
		drm_err(&ldev->drm, "cannot register the accel device: %d\n", ret);
		return ret;
	}
	drm_info(&ldev->drm, "Loom rev %u, %llu MiB DRAM, ivshmem peer %u\n",
		 ldev->revision, ldev->dram_size >> 20, ldev->peer_id);
	return 0;
}

static void loom_remove(struct pci_dev *pdev)
{
	struct loom_device *ldev = pci_get_drvdata(pdev);

	loom_cs_fini(ldev);	/* queues off while the BARs are still there */
	loom_events_stop(ldev);
	if (!ldev->dma_unsafe && loom_hw_dma_stop(ldev))
		ldev->dma_unsafe = true;
	/* No ioctl, mmap or dma-buf map of the device runs after this. */
	drm_dev_unplug(&ldev->drm);
	loom_dmabuf_revoke_all(ldev);
	/*
	 * Files may outlive the binding, but the DMA memory and mappings of
	 * the device may not: the rings and CB areas of their queues, their
	 * contexts' page tables, their objects' DMA mappings go now.
	 */
	if (!ldev->dma_unsafe) {
		loom_queue_dev_unplug(ldev->cs);
		loom_ctx_dev_unplug(ldev);
		loom_gem_dev_unplug(ldev);
	}
}

/*
 * Reboot, kexec, power-off: the device must not write guest memory the
 * next kernel owns. The queues stop as at unbind (jobs fail with -ENODEV),
 * the event queue goes off, and the function stops mastering the bus
 * (loom_hw_dma_stop()).
 */
static void loom_shutdown(struct pci_dev *pdev)
{
	struct loom_device *ldev = pci_get_drvdata(pdev);

	if (!ldev)
		return;
	loom_cs_fini(ldev);
	loom_events_stop(ldev);
	loom_hw_dma_stop(ldev);
}

static const struct pci_device_id loom_pci_ids[] = {
	{ PCI_DEVICE(LOOM_IVSHMEM_PCI_VENDOR, LOOM_IVSHMEM_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, loom_pci_ids);

static struct pci_driver loom_pci_driver = {
	.name = DRIVER_NAME,
	.id_table = loom_pci_ids,
	.probe = loom_probe,
	.remove = loom_remove,
	.shutdown = loom_shutdown,
};
module_pci_driver(loom_pci_driver);

MODULE_AUTHOR("The Loom project");
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("Dual MIT/GPL");
