/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width types for the hardware headers. linux/types.h serves both
 * the kernel driver and userspace (Debian's linux-libc-dev), so a file may
 * include these headers together with DRM uAPI headers.
 */
#ifndef LOOM_HW_TYPES_H
#define LOOM_HW_TYPES_H

#include <linux/types.h>

#endif /* LOOM_HW_TYPES_H */
