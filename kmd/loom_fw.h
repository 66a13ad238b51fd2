/* SPDX-License-Identifier: MIT */
/*
 * loom.ko: the firmware mailbox of the driver's channel (loom_fw.c).
 */
#ifndef __LOOM_FW_H__
#define __LOOM_FW_H__

#include "loom_drv.h"

/*
 * Run one firmware command (LOOM_FW_CMD_*) with up to four arguments
 * (args may be NULL: all zero) and copy size bytes of its answer to data
 * (may be NULL). Returns the firmware's result (0 or a negative errno),
 * -ETIMEDOUT if the firmware did not answer, -EINVAL if size exceeds the
 * mailbox. Sleeps; one command at a time.
 */
int loom_fw_command(struct loom_device *ldev, u32 cmd, const u64 *args,
		    void *data, size_t size);
/* Ask the firmware who it is; refuse firmware of another major version. */
int loom_fw_init(struct loom_device *ldev);

#endif /* __LOOM_FW_H__ */
