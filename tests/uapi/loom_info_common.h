/* SPDX-License-Identifier: MIT */
/*
 * What loom_info, loom_events and loom_hwmon share: the power model's
 * figures (docs/power-model.md), an INFO query that must succeed, the
 * device's sysfs, hwmon and debugfs directories, and the calls of
 * DRM_IOCTL_LOOM_EVENTFD. Generic helpers (files, the module, raw
 * ioctls) are in loom_igt.h.
 */
#ifndef LOOM_INFO_COMMON_H
#define LOOM_INFO_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "loom_igt.h"

/* The power model's figures (docs/power-model.md). */
#define IDLE_MW		60000
#define MIN_LIMIT_MW	150000
#define MAX_LIMIT_MW	450000
#define DEFAULT_MW	350000
#define AMBIENT_MC	30000
#define TEMP_LIMIT_MC	95000

/* INFO query into data (filled with 0xa5 first); fails the subtest on error. */
void info(int fd, uint32_t query, void *data, uint32_t size);
uint64_t now_ns(clockid_t clk);
void sleep_ms(unsigned ms);
/* A file holding one decimal number; fails the subtest otherwise. */
long long read_ll(const char *path);

/* The hwmon directory of the Loom device, or skip. */
void hwmon_dir(char *dir, size_t size);
/* /sys/class/accel/accelN/device of the device fd is open on. */
void sysfs_dev_dir(int fd, char *dir, size_t size);
/* The device's debugfs directory (mounting debugfs if needed), or skip. */
void debugfs_dir(int fd, char *dir, size_t size);

/* DRM_IOCTL_LOOM_EVENTFD as is, and its REGISTER / UNREGISTER ops: 0 or -errno. */
int eventfd_args(int fd, struct drm_loom_eventfd *a);
int __eventfd_register(int fd, int efd);
int __eventfd_unregister(int fd);
/* Take up to n records; returns the count. */
unsigned events_read(int fd, struct drm_loom_event *ev, unsigned n, uint32_t *lost);
/* Read and drop every pending record. */
void events_drain(int fd);
/* Wait up to ms for the eventfd to be signalled; returns its counter (0: timeout). */
uint64_t eventfd_wait(int efd, int ms);
/* Find a record of type with addr (any addr if ~0) among the file's pending ones. */
bool events_find(int fd, uint32_t type, uint64_t addr, struct drm_loom_event *out);

#endif /* LOOM_INFO_COMMON_H */
