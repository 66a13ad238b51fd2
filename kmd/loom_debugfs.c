// SPDX-License-Identifier: MIT
/*
 * loom.ko: debugfs files in the DRM device's directory
 * (/sys/kernel/debug/accel/PCI-ADDRESS/):
 *   engines       device status; per engine class (DMA, MME, TPC, CP) the
 *                 busy time and utilisation the firmware reports; each
 *                 queue's state, from registers
 *   queues        each queue's registers in full
 *   mmu           the MMU's fault record and every context's mappings
 *   contexts      ASIDs in use: enabled, channel, page table, owner
 *   events        event counters, the event queue's indices, each file's list
 *   fw            the firmware's limits and a telemetry dump
 *   dma           channel 0's bus mastering (CTRL.BUS_MASTER), the
 *                 device's accesses under way (DMA_ACTIVE), the event
 *                 queue's PI and EQ_LOST registers, and dma_unsafe
 *   objects       live objects of the device (enum loom_obj: GEM objects,
 *                 contexts, queues, jobs not retired, VM_BIND mappings,
 *                 dma-buf exports and imports, userptr pins) and the job
 *                 fences not yet freed (all devices): leak checks
 *   inject_event  (write "TYPE ASID") ask the firmware to post an ECC
 *                 event (LOOM_FW_CMD_INJECT_EVENT, TYPE 4 or 5; ASID 0:
 *                 device-wide): exercises the event path without faults
 *   eq_hold       (write 1 / 0) stop / resume reading the event queue, to
 *                 make it overflow on purpose
 *   temp_limit_mc (write m°C) the die's throttling temperature
 *                 (LOOM_FW_CMD_SET_TEMP_LIMIT, within the firmware's
 *                 bounds, else -EINVAL); hwmon temp1_max and INFO
 *                 TEMPERATURE report it from then on. Forces thermal
 *                 throttling without heating the device for minutes
 *   fail_add_fence  (write N) the Nth job from now fails to join its
 *                 exported objects' fences, after its context's took it
 *                 (-ENOMEM, as if memory ran out); 0
 *                 disarms; reading gives what is left of N
 *   fail_dmabuf_map (write N) the Nth DMA mapping of a dma-buf entry
 *                 for an importer from now fails, as when its IOMMU runs
 *                 out of space; 0 disarms
 * Every file that reads the device does so inside drm_dev_enter(), so
 * after unbind it answers -ENODEV instead of touching unmapped registers.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "loom_ctx.h"
#include "loom_events.h"
#include "loom_fw.h"
#include "loom_hw.h"
#include "loom_info.h"

static const char *loom_debugfs_qstate(u32 st)
{
	switch (LOOM_QSTATUS_STATE(st)) {
	case LOOM_QSTATUS_IDLE:
		return "idle";
	case LOOM_QSTATUS_BUSY:
		return "busy";
	case LOOM_QSTATUS_HALTED:
		return "halted";
	default:
		return "?";
	}
}

static struct loom_device *loom_debugfs_ldev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_loom_device(entry->dev);
}

/*
 * Per engine class, what the firmware's telemetry reports (the data of
 * DRM_LOOM_INFO_UTILIZATION and _ENERGY): busy time since power-on and
 * the busy share of its last tick.
 */
static void loom_debugfs_engine_classes(struct loom_device *ldev, struct seq_file *m)
{
	static const char * const names[LOOM_FW_NUM_ENGINES] = {
		[LOOM_ENGINE_DMA] = "DMA", [LOOM_ENGINE_MME] = "MME",
		[LOOM_ENGINE_TPC] = "TPC", [LOOM_ENGINE_CP] = "CP",
	};
	struct loom_fw_telemetry t;
	unsigned int i;
	int ret;

	ret = loom_info_telemetry(ldev, &t);
	if (ret) {
		seq_printf(m, "telemetry: error %d\n", ret);
		return;
	}
	seq_printf(m, "timestamp_ns %llu energy_mj %llu\n", t.timestamp_ns, t.energy_mj);
	for (i = 0; i < LOOM_FW_NUM_ENGINES; i++)
		seq_printf(m, "engine %-3s busy_ns %llu util_pct %u\n", names[i], t.busy_ns[i],
			   min_t(u32, t.util_pct[i], 100));
}

static int loom_debugfs_engines(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	u32 q, st, ctrl, dev_st;
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	dev_st = loom_rd32(ldev, LOOM_REG_DEV_STATUS);
	seq_printf(m, "device: %s (DEV_STATUS %#x), heartbeat %u, resets %u\n",
		   loom_info_device_status_name(loom_info_device_status(ldev)), dev_st,
		   loom_rd32(ldev, LOOM_REG_HEARTBEAT), loom_rd32(ldev, LOOM_REG_RESET_COUNT));
	loom_debugfs_engine_classes(ldev, m);
	seq_puts(m, "queue state  error enabled asid pending\n");
	for (q = 0; q < LOOM_NUM_QUEUES; q++) {
		st = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_STATUS));
		ctrl = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CTRL));
		seq_printf(m, "%5u %-6s %5u %7u %4u %7u\n", q, loom_debugfs_qstate(st),
			   LOOM_QSTATUS_ERROR(st), !!(ctrl & LOOM_QCTRL_ENABLE),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_ASID)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_PI)) -
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_CI)));
	}
	drm_dev_exit(idx);
	return 0;
}

static int loom_debugfs_queues(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	int idx;
	u32 q;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	for (q = 0; q < LOOM_NUM_QUEUES; q++) {
		u32 st = loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_STATUS));

		seq_printf(m, "queue %u: ring %#llx size %u pi %u ci %u ctrl %#x status %#x (%s, error %u) asid %u channel %u\n",
			   q, loom_rd64(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_LO)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_SIZE)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_PI)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_CI)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CTRL)), st,
			   loom_debugfs_qstate(st), LOOM_QSTATUS_ERROR(st),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_ASID)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CHANNEL)));
		seq_printf(m, "         cq %#llx size %u pi %u err_info %#x done %#llx\n",
			   loom_rd64(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_LO)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_SIZE)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_PI)),
			   loom_rd32(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_ERR_INFO)),
			   loom_rd64(ldev, LOOM_REG_QUEUE(q, LOOM_QREG_DONE_LO)));
	}
	drm_dev_exit(idx);
	return 0;
}

static int loom_debugfs_mmu(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	struct loom_ctx *ctxs[LOOM_NUM_ASIDS];
	unsigned int i, n;
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	seq_printf(m, "faults %u, last: va %#llx asid %u cause %u\n",
		   loom_rd32(ldev, LOOM_REG_MMU_FAULT_COUNT),
		   loom_rd64(ldev, LOOM_REG_MMU_FAULT_VA_LO),
		   loom_rd32(ldev, LOOM_REG_MMU_FAULT_ASID),
		   loom_rd32(ldev, LOOM_REG_MMU_FAULT_CAUSE));
	drm_dev_exit(idx);
	/* ctx->lock is never taken under ctx_lock (a fence-signalling lock). */
	n = loom_ctx_get_all(ldev, ctxs, ARRAY_SIZE(ctxs));
	for (i = 0; i < n; i++) {
		loom_mmu_debugfs_show(ctxs[i], m);
		loom_ctx_put(ctxs[i]);
	}
	return 0;
}

static int loom_debugfs_contexts(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	loom_events_debugfs_contexts(ldev, m);
	drm_dev_exit(idx);
	return 0;
}

static int loom_debugfs_events(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	loom_events_debugfs_show(ldev, m);
	drm_dev_exit(idx);
	return 0;
}

/* Channel 0's access to guest memory: loom_hw_dma_stop() and what follows it. */
static int loom_debugfs_dma(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	int idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	seq_printf(m, "bus_master %u\n",
		   loom_rd32(ldev, LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_CTRL)) &
		   LOOM_CCTRL_BUS_MASTER ? 1 : 0);
	seq_printf(m, "dma_active %u\n", loom_rd32(ldev, LOOM_REG_DMA_ACTIVE));
	seq_printf(m, "eq_pi %u\n",
		   loom_rd32(ldev, LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_EQ_PI)));
	seq_printf(m, "eq_lost %u\n",
		   loom_rd32(ldev, LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_EQ_LOST)));
	seq_printf(m, "dma_unsafe %d\n", READ_ONCE(ldev->dma_unsafe));
	drm_dev_exit(idx);
	return 0;
}

static int loom_debugfs_objects(struct seq_file *m, void *data)
{
	static const char * const names[LOOM_OBJ_NUM] = {
		[LOOM_OBJ_BO] = "gem_objects", [LOOM_OBJ_CTX] = "contexts",
		[LOOM_OBJ_QUEUE] = "queues", [LOOM_OBJ_JOB] = "jobs",
		[LOOM_OBJ_VM_MAP] = "vm_mappings", [LOOM_OBJ_EXPORT] = "dmabuf_exports",
		[LOOM_OBJ_IMPORT] = "dmabuf_imports", [LOOM_OBJ_USERPTR_PIN] = "userptr_pins",
	};
	struct loom_device *ldev = loom_debugfs_ldev(m);
	unsigned int i;

	/* Counters only: readable after unplug too, to see what is left. */
	for (i = 0; i < LOOM_OBJ_NUM; i++)
		seq_printf(m, "%s %d\n", names[i], atomic_read(&ldev->objects[i]));
	seq_printf(m, "job_fences %d\n", loom_cs_live_fences());
	return 0;
}

static void loom_debugfs_u64s(struct seq_file *m, const char *name, const u64 *v, unsigned int n)
{
	unsigned int i;

	seq_printf(m, "%s", name);
	for (i = 0; i < n; i++)
		seq_printf(m, " %llu", v[i]);
	seq_putc(m, '\n');
}

static int loom_debugfs_fw(struct seq_file *m, void *data)
{
	struct loom_device *ldev = loom_debugfs_ldev(m);
	struct loom_info *info = ldev->info;
	struct loom_fw_telemetry t;
	unsigned int i;
	int ret, idx;

	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	if (info) {
		seq_printf(m, "version %u.%u (%s)\n", info->fw.fw_version >> 16,
			   info->fw.fw_version & 0xffff, info->fw.build);
		seq_printf(m, "power_default_mw %u\npower_min_mw %u\npower_max_mw %u\npower_idle_mw %u\n",
			   info->fw.power_default_mw, info->fw.power_min_mw,
			   info->fw.power_max_mw, info->fw.power_idle_mw);
		seq_printf(m, "temp_limit_mc %d\ntemp_ambient_mc %d\nclock_max_mhz %u %u %u\n",
			   info->fw.temp_limit_mc, info->fw.temp_ambient_mc,
			   info->fw.clock_max_mhz[0], info->fw.clock_max_mhz[1],
			   info->fw.clock_max_mhz[2]);
	}
	ret = loom_info_telemetry(ldev, &t);
	if (ret) {
		seq_printf(m, "telemetry: error %d\n", ret);
		goto out;
	}
	seq_printf(m, "timestamp_ns %llu\nenergy_mj %llu\npower_mw %u\npower_average_mw %u\n",
		   t.timestamp_ns, t.energy_mj, t.power_mw, loom_info_power_average(ldev, &t));
	seq_printf(m, "power_peak_mw %u\npower_limit_mw %u\nthrottle_reasons %#x\n",
		   t.power_peak_mw, t.power_limit_mw, t.throttle_reasons);
	seq_puts(m, "temp_mc");
	for (i = 0; i < LOOM_FW_NUM_SENSORS; i++)
		seq_printf(m, " %d", t.temp_mc[i]);
	seq_printf(m, "\ntemp_peak_mc %d\nclock_mhz %u %u %u\nutil_pct %u %u %u %u\n",
		   t.temp_peak_mc, t.clock_mhz[0], t.clock_mhz[1], t.clock_mhz[2],
		   t.util_pct[0], t.util_pct[1], t.util_pct[2], t.util_pct[3]);
	loom_debugfs_u64s(m, "busy_ns", t.busy_ns, LOOM_FW_NUM_ENGINES);
	loom_debugfs_u64s(m, "throttle_start_ns", t.throttle_start_ns, LOOM_FW_NUM_THROTTLE);
	loom_debugfs_u64s(m, "throttle_end_ns", t.throttle_end_ns, LOOM_FW_NUM_THROTTLE);
	loom_debugfs_u64s(m, "throttle_total_ns", t.throttle_total_ns, LOOM_FW_NUM_THROTTLE);
	seq_printf(m, "flops %llu\ndma_bytes %llu\nheartbeat %u\nreset_count %u\necc_correctable %u\necc_uncorrectable %u\n",
		   t.flops, t.dma_bytes, t.heartbeat, t.reset_count, t.ecc_correctable,
		   t.ecc_uncorrectable);
out:
	drm_dev_exit(idx);
	return 0;
}

static ssize_t loom_debugfs_inject_write(struct file *f, const char __user *ubuf,
					 size_t len, loff_t *pos)
{
	struct loom_device *ldev = f->private_data;
	char buf[32];
	u64 args[4] = {};
	u32 type, asid;
	int ret, idx;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &type, &asid) != 2)
		return -EINVAL;
	if ((type != LOOM_EVENT_ECC_CORRECTABLE && type != LOOM_EVENT_ECC_UNCORRECTABLE) ||
	    asid >= LOOM_NUM_ASIDS)
		return -EINVAL;
	args[0] = type;
	args[1] = asid;
	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	ret = loom_fw_command(ldev, LOOM_FW_CMD_INJECT_EVENT, args, NULL, 0);
	drm_dev_exit(idx);
	return ret ? ret : len;
}

static ssize_t loom_debugfs_eq_hold_write(struct file *f, const char __user *ubuf,
					  size_t len, loff_t *pos)
{
	struct loom_device *ldev = f->private_data;
	bool hold;
	int ret, idx;

	ret = kstrtobool_from_user(ubuf, len, &hold);
	if (ret)
		return ret;
	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	loom_events_set_hold(ldev, hold);
	drm_dev_exit(idx);
	return len;
}

static int loom_debugfs_temp_limit_get(void *data, u64 *val)
{
	struct loom_device *ldev = data;

	if (!ldev->info)
		return -ENODEV;
	*val = (u32)READ_ONCE(ldev->info->fw.temp_limit_mc);
	return 0;
}

static int loom_debugfs_temp_limit_set(void *data, u64 val)
{
	struct loom_device *ldev = data;
	u64 args[4] = { val };
	int ret, idx;

	/* 0 would mean "the default" to the firmware: say the number instead. */
	if (!val || val > INT_MAX || !ldev->info)
		return -EINVAL;
	if (!drm_dev_enter(&ldev->drm, &idx))
		return -ENODEV;
	ret = loom_fw_command(ldev, LOOM_FW_CMD_SET_TEMP_LIMIT, args, NULL, 0);
	if (!ret)
		WRITE_ONCE(ldev->info->fw.temp_limit_mc, (s32)val);
	drm_dev_exit(idx);
	/* The firmware answers 0 or a negative errno; anything else is its fault. */
	return ret > 0 || ret < -MAX_ERRNO ? -EIO : ret;
}

DEFINE_DEBUGFS_ATTRIBUTE(loom_debugfs_temp_limit_fops, loom_debugfs_temp_limit_get,
			 loom_debugfs_temp_limit_set, "%llu\n");

/* The fail_* files: data is the counter (loom_fault_countdown()). */
static int loom_debugfs_fault_get(void *data, u64 *val)
{
	*val = atomic_read((atomic_t *)data);
	return 0;
}

static int loom_debugfs_fault_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set((atomic_t *)data, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(loom_debugfs_fault_fops, loom_debugfs_fault_get,
			 loom_debugfs_fault_set, "%llu\n");

static const struct file_operations loom_debugfs_eq_hold_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = loom_debugfs_eq_hold_write,
	.llseek = noop_llseek,
};

static const struct file_operations loom_debugfs_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = loom_debugfs_inject_write,
	.llseek = noop_llseek,
};

static const struct drm_debugfs_info loom_debugfs_list[] = {
	{ "engines", loom_debugfs_engines, 0 },
	{ "queues", loom_debugfs_queues, 0 },
	{ "mmu", loom_debugfs_mmu, 0 },
	{ "contexts", loom_debugfs_contexts, 0 },
	{ "events", loom_debugfs_events, 0 },
	{ "fw", loom_debugfs_fw, 0 },
	{ "objects", loom_debugfs_objects, 0 },
	{ "dma", loom_debugfs_dma, 0 },
};

void loom_debugfs_init(struct loom_device *ldev)
{
	drm_debugfs_add_files(&ldev->drm, loom_debugfs_list, ARRAY_SIZE(loom_debugfs_list));
	debugfs_create_file("inject_event", 0200, ldev->drm.debugfs_root, ldev,
			    &loom_debugfs_inject_fops);
	debugfs_create_file("eq_hold", 0200, ldev->drm.debugfs_root, ldev,
			    &loom_debugfs_eq_hold_fops);
	debugfs_create_file_unsafe("temp_limit_mc", 0600, ldev->drm.debugfs_root, ldev,
				   &loom_debugfs_temp_limit_fops);
	debugfs_create_file_unsafe("fail_add_fence", 0600, ldev->drm.debugfs_root,
				   &ldev->fail_add_fence, &loom_debugfs_fault_fops);
	debugfs_create_file_unsafe("fail_dmabuf_map", 0600, ldev->drm.debugfs_root,
				   &ldev->fail_dmabuf_map, &loom_debugfs_fault_fops);
}
