// SPDX-License-Identifier: MIT
/*
 * loom.ko: the firmware mailbox of channel 0 (protocol: hw/loom_fw.h).
 *
 * A command is written into the channel's mailbox registers, marked
 * PENDING, and announced with the firmware doorbell; the firmware answers
 * by setting DONE with our sequence number and raising LOOM_IRQ_MAILBOX.
 * The waiter sleeps on the interrupt but re-reads the status at least every
 * LOOM_FW_POLL_MS, so a lost interrupt costs time, not the answer; after
 * LOOM_FW_TIMEOUT_MS the command fails with -ETIMEDOUT.
 */
#include <linux/jiffies.h>

#include "loom_fw.h"
#include "loom_hw.h"

#define LOOM_FW_TIMEOUT_MS	5000
#define LOOM_FW_POLL_MS		100

#define LOOM_MBOX(r)		LOOM_REG_CH(LOOM_KMD_CHANNEL, LOOM_CREG_MBOX_##r)

static bool loom_fw_done_locked(struct loom_device *ldev, u32 seq)
{
	lockdep_assert_held(&ldev->mbox_lock);
	return loom_rd32(ldev, LOOM_MBOX(STATUS)) == LOOM_MBOX_DONE &&
	       loom_rd32(ldev, LOOM_MBOX(DONE_SEQ)) == seq;
}

int loom_fw_command(struct loom_device *ldev, u32 cmd, const u64 *args,
		    void *data, size_t size)
{
	unsigned long deadline;
	unsigned int i;
	u32 seq;
	int ret;

	if (size > LOOM_MBOX_DATA_SIZE)
		return -EINVAL;

	mutex_lock(&ldev->mbox_lock);
	seq = ++ldev->mbox_seq;
	for (i = 0; i < 4; i++)
		loom_wr64(ldev, LOOM_MBOX(ARG0) + 8 * i, args ? args[i] : 0);
	loom_wr32(ldev, LOOM_MBOX(CMD), cmd);
	loom_wr32(ldev, LOOM_MBOX(SEQ), seq);
	reinit_completion(&ldev->mbox_done);
	loom_wr32(ldev, LOOM_MBOX(STATUS), LOOM_MBOX_PENDING);
	loom_hw_doorbell(ldev, LOOM_DOORBELL_FW);

	deadline = jiffies + msecs_to_jiffies(LOOM_FW_TIMEOUT_MS);
	while (!loom_fw_done_locked(ldev, seq)) {
		if (time_after_eq(jiffies, deadline)) {
			drm_err(&ldev->drm, "firmware command %u (seq %u) timed out after %u ms\n",
				cmd, seq, LOOM_FW_TIMEOUT_MS);
			ret = -ETIMEDOUT;
			goto out_unlock;
		}
		wait_for_completion_timeout(&ldev->mbox_done,
					    min(deadline - jiffies,
						msecs_to_jiffies(LOOM_FW_POLL_MS)));
	}
	ret = (s32)loom_rd32(ldev, LOOM_MBOX(RESULT));
	if (!ret && data && size)
		memcpy_fromio(data, ldev->regs + LOOM_MBOX(DATA), size);
	loom_wr32(ldev, LOOM_MBOX(STATUS), LOOM_MBOX_IDLE);
	loom_dbg(ldev, FW, "command %u seq %u: %d\n", cmd, seq, ret);
out_unlock:
	mutex_unlock(&ldev->mbox_lock);
	return ret;
}

int loom_fw_init(struct loom_device *ldev)
{
	struct loom_fw_info info;
	u32 reg;
	int ret;

	ret = loom_fw_command(ldev, LOOM_FW_CMD_GET_INFO, NULL, &info, sizeof(info));
	if (ret) {
		drm_err(&ldev->drm, "firmware GET_INFO failed: %d\n", ret);
		return ret;
	}
	info.build[sizeof(info.build) - 1] = '\0';
	if (info.fw_version >> 16 != LOOM_FW_VERSION_MAJOR) {
		drm_err(&ldev->drm, "firmware %u.%u is not supported (this driver speaks %u.x)\n",
			info.fw_version >> 16, info.fw_version & 0xffff, LOOM_FW_VERSION_MAJOR);
		return -ENODEV;
	}
	reg = loom_rd32(ldev, LOOM_REG_FW_VERSION);
	if (reg != info.fw_version)
		drm_warn(&ldev->drm, "firmware reports version %#x, its register %#x\n",
			 info.fw_version, reg);
	ldev->fw_version = info.fw_version;
	drm_info(&ldev->drm, "firmware %u.%u (%s)\n", info.fw_version >> 16,
		 info.fw_version & 0xffff, info.build);
	return 0;
}
