// SPDX-License-Identifier: MIT
/*
 * loom_importer.ko: a dma-buf importer for Loom's guest tests, standing in
 * for an RDMA NIC (tests/kmod/loom_importer.h describes the interface).
 *
 * It attaches the way in-tree NIC drivers do through
 * ib_umem_dmabuf_get_pinned(): dma_buf_dynamic_attach() with importer ops
 * that allow peer-to-peer, dma_buf_pin() and dma_buf_map_attachment()
 * under the reservation lock. The DMA device is a platform device the
 * module creates, with a 64-bit DMA mask and no IOMMU: a DMA address is
 * then the bus (physical) address a NIC would be given. Reads and writes
 * go through exactly those addresses: RAM pages through the kernel's page
 * mapping, anything else (a PCI BAR) through ioremap, one page at a time.
 * LOOM_IMP_EXPORT makes a plain dma-buf of system pages of any byte size.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "loom_importer.h"

MODULE_IMPORT_NS(DMA_BUF);

static struct platform_device *imp_pdev;
/* The importer with a DMA mask the tests set (LOOM_IMP_SET_DMA_MASK). */
static struct platform_device *imp_lim_pdev;
/* Protects imp_lim_pdev's mask against attaching files. */
static DEFINE_MUTEX(imp_lim_lock);

/* One open file of /dev/loom_importer. */
struct imp_file {
	/* Protects everything below. */
	struct mutex lock;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	bool dynamic;			/* pinned dynamic attachment */
	struct device *dev;		/* the importing device */
	enum dma_data_direction dir;	/* of the mapping */
	atomic_t moves;			/* move_notify calls (exporter revoked it) */
	void *bounce;			/* one page, for BAR memory */
};

static void imp_move_notify(struct dma_buf_attachment *attach)
{
	struct imp_file *f = attach->importer_priv;

	/*
	 * A pinned attachment (a NIC's pinned umem) cannot let go of its
	 * mapping: like RDMA's, it only notes that it was told.
	 */
	atomic_inc(&f->moves);
}

static const struct dma_buf_attach_ops imp_attach_ops = {
	.allow_peer2peer = true,
	.move_notify = imp_move_notify,
};

static void imp_detach(struct imp_file *f)
{
	if (!f->dmabuf)
		return;
	if (f->dynamic) {
		dma_resv_lock(f->dmabuf->resv, NULL);
		if (f->sgt)
			dma_buf_unmap_attachment(f->attach, f->sgt, f->dir);
		dma_buf_unpin(f->attach);
		dma_resv_unlock(f->dmabuf->resv);
	} else if (f->sgt) {
		dma_buf_unmap_attachment_unlocked(f->attach, f->sgt, f->dir);
	}
	dma_buf_detach(f->dmabuf, f->attach);
	dma_buf_put(f->dmabuf);
	f->dmabuf = NULL;
	f->attach = NULL;
	f->sgt = NULL;
}

static int imp_attach_dynamic(struct imp_file *f)
{
	struct sg_table *sgt;
	long wait;
	int ret;

	f->attach = dma_buf_dynamic_attach(f->dmabuf, f->dev, &imp_attach_ops, f);
	if (IS_ERR(f->attach))
		return PTR_ERR(f->attach);
	dma_resv_lock(f->dmabuf->resv, NULL);
	ret = dma_buf_pin(f->attach);
	if (ret)
		goto unlock;
	sgt = dma_buf_map_attachment(f->attach, f->dir);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		dma_buf_unpin(f->attach);
		goto unlock;
	}
	/* Wait for the exporter's pending moves, as a NIC driver does. */
	wait = dma_resv_wait_timeout(f->dmabuf->resv, DMA_RESV_USAGE_KERNEL, false,
				     MAX_SCHEDULE_TIMEOUT);
	if (wait < 0) {
		ret = wait;
		dma_buf_unmap_attachment(f->attach, sgt, f->dir);
		dma_buf_unpin(f->attach);
		goto unlock;
	}
	f->sgt = sgt;
	f->dynamic = true;
	ret = 0;
unlock:
	dma_resv_unlock(f->dmabuf->resv);
	if (ret)
		dma_buf_detach(f->dmabuf, f->attach);
	return ret;
}

static int imp_attach_static(struct imp_file *f)
{
	struct sg_table *sgt;

	f->attach = dma_buf_attach(f->dmabuf, f->dev);
	if (IS_ERR(f->attach))
		return PTR_ERR(f->attach);
	sgt = dma_buf_map_attachment_unlocked(f->attach, f->dir);
	if (IS_ERR(sgt)) {
		dma_buf_detach(f->dmabuf, f->attach);
		return PTR_ERR(sgt);
	}
	f->sgt = sgt;
	f->dynamic = false;
	return 0;
}

static long imp_ioctl_attach(struct imp_file *f, void __user *uarg)
{
	struct loom_imp_attach a;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~LOOM_IMP_F_MASK) || a.pad)
		return -EINVAL;
	if (f->dmabuf)
		return -EBUSY;
	f->dmabuf = dma_buf_get(a.fd);
	if (IS_ERR(f->dmabuf)) {
		ret = PTR_ERR(f->dmabuf);
		f->dmabuf = NULL;
		return ret;
	}
	f->dev = a.flags & LOOM_IMP_F_LIMITED ? &imp_lim_pdev->dev : &imp_pdev->dev;
	f->dir = a.flags & LOOM_IMP_F_READ ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL;
	mutex_lock(&imp_lim_lock);
	if (a.flags & LOOM_IMP_F_STATIC)
		ret = imp_attach_static(f);
	else
		ret = imp_attach_dynamic(f);
	mutex_unlock(&imp_lim_lock);
	if (ret) {
		dma_buf_put(f->dmabuf);
		f->dmabuf = NULL;
		f->attach = NULL;
		return ret;
	}
	a.size = f->dmabuf->size;
	a.nents = 0;
	for_each_sgtable_dma_sg(f->sgt, sg, i)
		a.nents++;
	if (copy_to_user(uarg, &a, sizeof(a))) {
		imp_detach(f);
		return -EFAULT;
	}
	return 0;
}

static long imp_ioctl_sg(struct imp_file *f, void __user *uarg)
{
	struct loom_imp_sg q;
	struct scatterlist *sg;
	u64 off = 0;
	unsigned int i;

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (q.pad)
		return -EINVAL;
	if (!f->sgt)
		return -ENOTCONN;
	for_each_sgtable_dma_sg(f->sgt, sg, i) {
		if (i == q.index) {
			q.dma_addr = sg_dma_address(sg);
			q.len = sg_dma_len(sg);
			q.offset = off;
			return copy_to_user(uarg, &q, sizeof(q)) ? -EFAULT : 0;
		}
		off += sg_dma_len(sg);
	}
	return -EINVAL;
}

/* Move n bytes (within one page) between the user buffer and bus address. */
static int imp_copy_page(struct imp_file *f, phys_addr_t pa, size_t n,
			 char __user *ubuf, bool write)
{
	unsigned long pfn = PHYS_PFN(pa);
	size_t in_page = offset_in_page(pa);
	void __iomem *io;
	void *va;
	int ret = 0;

	if (pfn_valid(pfn) && page_is_ram(pfn)) {
		va = kmap_local_page(pfn_to_page(pfn));
		if (write)
			ret = copy_from_user(va + in_page, ubuf, n) ? -EFAULT : 0;
		else
			ret = copy_to_user(ubuf, va + in_page, n) ? -EFAULT : 0;
		kunmap_local(va);
		return ret;
	}
	io = ioremap_wc(pa - in_page, PAGE_SIZE);
	if (!io)
		return -ENOMEM;
	if (write) {
		if (copy_from_user(f->bounce, ubuf, n))
			ret = -EFAULT;
		else
			memcpy_toio(io + in_page, f->bounce, n);
	} else {
		memcpy_fromio(f->bounce, io + in_page, n);
		if (copy_to_user(ubuf, f->bounce, n))
			ret = -EFAULT;
	}
	iounmap(io);
	return ret;
}

static long imp_ioctl_rw(struct imp_file *f, void __user *uarg, bool write)
{
	struct loom_imp_rw rw;
	struct scatterlist *sg;
	char __user *ubuf;
	u64 seg_start = 0, end;
	unsigned int i;
	int ret;

	if (copy_from_user(&rw, uarg, sizeof(rw)))
		return -EFAULT;
	if (!f->sgt)
		return -ENOTCONN;
	if (!rw.size || rw.offset >= f->dmabuf->size ||
	    rw.size > f->dmabuf->size - rw.offset)
		return -EINVAL;
	ubuf = u64_to_user_ptr(rw.ptr);
	end = rw.offset + rw.size;
	for_each_sgtable_dma_sg(f->sgt, sg, i) {
		u64 seg_end = seg_start + sg_dma_len(sg);
		u64 from = max(seg_start, rw.offset), to = min(seg_end, end);

		while (from < to) {
			phys_addr_t pa = dma_to_phys(f->dev, sg_dma_address(sg)) +
					 (from - seg_start);
			size_t n = min_t(u64, to - from, PAGE_SIZE - offset_in_page(pa));

			ret = imp_copy_page(f, pa, n, ubuf + (from - rw.offset), write);
			if (ret)
				return ret;
			from += n;
			cond_resched();
		}
		seg_start = seg_end;
		if (seg_start >= end)
			break;
	}
	return seg_start >= end ? 0 : -EINVAL;	/* a mapping shorter than the buffer */
}

/* ---- LOOM_IMP_EXPORT: a dma-buf of pages, of any byte size ---- */

struct imp_export {
	struct page **pages;
	unsigned long npages;
	bool dma_high;			/* LOOM_IMP_EXPORT_F_DMA_HIGH */
};

/* Move every DMA address of sgt by delta (an exporter that ignores the importer's mask). */
static void imp_exp_forge(struct sg_table *sgt, u64 delta)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i)
		sg_dma_address(sg) += delta;
}

static struct sg_table *imp_exp_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct imp_export *e = attach->dmabuf->priv;
	struct sg_table *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	int ret;

	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, e->pages, e->npages, 0,
					(unsigned long)e->npages << PAGE_SHIFT, GFP_KERNEL);
	if (!ret) {
		ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
		if (ret)
			sg_free_table(sgt);
	}
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	if (e->dma_high)
		imp_exp_forge(sgt, LOOM_IMP_DMA_HIGH);
	return sgt;
}

static void imp_exp_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			  enum dma_data_direction dir)
{
	struct imp_export *e = attach->dmabuf->priv;

	/* The DMA layer gets back the addresses it gave. */
	if (e->dma_high)
		imp_exp_forge(sgt, -LOOM_IMP_DMA_HIGH);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void imp_exp_free(struct imp_export *e)
{
	while (e->npages)
		__free_page(e->pages[--e->npages]);
	kvfree(e->pages);
	kfree(e);
}

static void imp_exp_release(struct dma_buf *dmabuf)
{
	imp_exp_free(dmabuf->priv);
}

static const struct dma_buf_ops imp_exp_ops = {
	.map_dma_buf = imp_exp_map,
	.unmap_dma_buf = imp_exp_unmap,
	.release = imp_exp_release,
};

static long imp_ioctl_export(void __user *uarg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct loom_imp_export x;
	struct dma_buf *dmabuf;
	struct imp_export *e;
	unsigned long n;
	int fd;

	if (copy_from_user(&x, uarg, sizeof(x)))
		return -EFAULT;
	if ((x.flags & ~LOOM_IMP_EXPORT_F_MASK) || !x.size || x.size > LOOM_IMP_EXPORT_MAX)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->dma_high = x.flags & LOOM_IMP_EXPORT_F_DMA_HIGH;
	n = DIV_ROUND_UP(x.size, PAGE_SIZE);
	e->pages = kvcalloc(n, sizeof(*e->pages), GFP_KERNEL);
	if (!e->pages) {
		kfree(e);
		return -ENOMEM;
	}
	for (; e->npages < n; e->npages++) {
		e->pages[e->npages] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!e->pages[e->npages]) {
			imp_exp_free(e);
			return -ENOMEM;
		}
	}
	exp_info.ops = &imp_exp_ops;
	exp_info.owner = THIS_MODULE;
	exp_info.size = x.size;
	exp_info.flags = O_RDWR;
	exp_info.priv = e;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		imp_exp_free(e);
		return PTR_ERR(dmabuf);
	}
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	x.fd = fd;
	/* On a fault the fd stays open (as with any ioctl that returns one). */
	return copy_to_user(uarg, &x, sizeof(x)) ? -EFAULT : 0;
}

/* Wait for the dma-buf's write fences with its reservation lock held. */
static long imp_ioctl_resv_wait(struct imp_file *f, void __user *uarg)
{
	struct loom_imp_resv_wait w;
	long t;
	int ret;

	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	if (w.pad)
		return -EINVAL;
	if (!f->dmabuf)
		return -ENOTCONN;
	ret = dma_resv_lock_interruptible(f->dmabuf->resv, NULL);
	if (ret)
		return ret;
	t = dma_resv_wait_timeout(f->dmabuf->resv, DMA_RESV_USAGE_WRITE, true,
				  msecs_to_jiffies(w.timeout_ms));
	dma_resv_unlock(f->dmabuf->resv);
	return t > 0 ? 0 : t == 0 ? -ETIME : t;
}

static long imp_ioctl_status(struct imp_file *f, void __user *uarg)
{
	struct loom_imp_status st = { .moves = atomic_read(&f->moves) };

	if (!f->dmabuf)
		return -ENOTCONN;
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long imp_ioctl_set_dma_mask(void __user *uarg)
{
	struct loom_imp_dma_mask m;
	int ret;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.pad || (m.max_seg && m.max_seg < PAGE_SIZE))
		return -EINVAL;
	mutex_lock(&imp_lim_lock);
	ret = dma_set_mask(&imp_lim_pdev->dev, m.mask);
	if (!ret && m.max_seg)
		dma_set_max_seg_size(&imp_lim_pdev->dev, m.max_seg);
	mutex_unlock(&imp_lim_lock);
	return ret;
}

static long imp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct imp_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&f->lock);
	switch (cmd) {
	case LOOM_IMP_ATTACH:
		ret = imp_ioctl_attach(f, uarg);
		break;
	case LOOM_IMP_DETACH:
		ret = f->dmabuf ? 0 : -ENOTCONN;
		imp_detach(f);
		break;
	case LOOM_IMP_SG:
		ret = imp_ioctl_sg(f, uarg);
		break;
	case LOOM_IMP_READ:
		ret = imp_ioctl_rw(f, uarg, false);
		break;
	case LOOM_IMP_WRITE:
		ret = imp_ioctl_rw(f, uarg, true);
		break;
	case LOOM_IMP_EXPORT:
		ret = imp_ioctl_export(uarg);
		break;
	case LOOM_IMP_RESV_WAIT:
		ret = imp_ioctl_resv_wait(f, uarg);
		break;
	case LOOM_IMP_SET_DMA_MASK:
		ret = imp_ioctl_set_dma_mask(uarg);
		break;
	case LOOM_IMP_STATUS:
		ret = imp_ioctl_status(f, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static int imp_open(struct inode *inode, struct file *file)
{
	struct imp_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!f->bounce) {
		kfree(f);
		return -ENOMEM;
	}
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int imp_release(struct inode *inode, struct file *file)
{
	struct imp_file *f = file->private_data;

	imp_detach(f);
	mutex_destroy(&f->lock);
	kfree(f->bounce);
	kfree(f);
	return 0;
}

static const struct file_operations imp_fops = {
	.owner = THIS_MODULE,
	.open = imp_open,
	.release = imp_release,
	.unlocked_ioctl = imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "loom_importer",
	.fops = &imp_fops,
	.mode = 0666,
};

static int __init imp_init(void)
{
	int ret;

	imp_pdev = platform_device_register_simple("loom_importer", PLATFORM_DEVID_NONE,
						   NULL, 0);
	if (IS_ERR(imp_pdev))
		return PTR_ERR(imp_pdev);
	ret = dma_coerce_mask_and_coherent(&imp_pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto unregister;
	/* A NIC takes segments of any length (system heaps hand out MiB ones). */
	dma_set_max_seg_size(&imp_pdev->dev, UINT_MAX);
	imp_lim_pdev = platform_device_register_simple("loom_importer_limited",
						       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(imp_lim_pdev)) {
		ret = PTR_ERR(imp_lim_pdev);
		goto unregister;
	}
	ret = dma_coerce_mask_and_coherent(&imp_lim_pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		goto unregister_lim;
	dma_set_max_seg_size(&imp_lim_pdev->dev, UINT_MAX);
	ret = misc_register(&imp_misc);
	if (ret)
		goto unregister_lim;
	return 0;
unregister_lim:
	platform_device_unregister(imp_lim_pdev);
unregister:
	platform_device_unregister(imp_pdev);
	return ret;
}

static void __exit imp_exit(void)
{
	misc_deregister(&imp_misc);
	platform_device_unregister(imp_lim_pdev);
	platform_device_unregister(imp_pdev);
}

module_init(imp_init);
module_exit(imp_exit);

MODULE_AUTHOR("The Loom project");
MODULE_DESCRIPTION("dma-buf test importer for Loom (an RDMA NIC stand-in)");
MODULE_LICENSE("Dual MIT/GPL");
