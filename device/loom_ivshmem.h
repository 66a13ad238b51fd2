/* SPDX-License-Identifier: MIT */
/*
 * The device served to a QEMU guest: loomd as the ivshmem server of QEMU's
 * ivshmem-doorbell device (mapping: hw/loom_ivshmem.h, docs/link.md).
 *
 * loomd owns the listening socket and the poll loop; this module speaks
 * the ivshmem server protocol on a connection loomd accepted and wires the
 * guest to the device: the BAR0 memfd becomes the guest's ivshmem BAR2,
 * the device's doorbells the vectors of peer LOOM_IVSHMEM_DEVICE_PEER, the
 * guest's own vectors channel 0's interrupts, and the guest's RAM file
 * channel 0's host window. One guest at a time. Returns 0 or a negative
 * errno; never prints.
 */
#ifndef LOOM_IVSHMEM_H
#define LOOM_IVSHMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "../hw/loom_ivshmem.h"
#include "loom_device.h"

/* The guest's peer id (the device is LOOM_IVSHMEM_DEVICE_PEER). */
#define LOOM_IVSHMEM_GUEST_PEER		1

struct loom_ivshmem;

/*
 * Prepare dev to be served to a guest. ram_path (may be NULL: the device
 * then cannot reach guest memory) is the guest's memory-backend-file; it is
 * opened when a guest connects (QEMU connects to its ivshmem server before
 * it opens its memory backend, so the file must exist by then: create it
 * with the guest's RAM size first). PCI BARs are powers
 * of two: the device memory object grows to the next one (the tail after
 * DRAM is unused).
 */
int loom_ivshmem_create(struct loom_dev *dev, const char *ram_path, struct loom_ivshmem **out);
/* Disconnects the guest, if any. NULL is fine. */
void loom_ivshmem_destroy(struct loom_ivshmem *iv);
/* Size of the BAR the guest sees (the device memory object). */
uint64_t loom_ivshmem_bar_size(const struct loom_ivshmem *iv);
/*
 * Serve a guest that connected on fd (the caller keeps fd and watches it
 * for the guest leaving): -EBUSY if a guest is served already, -errno of
 * opening or mapping the RAM file, or of the socket.
 */
int loom_ivshmem_connect(struct loom_ivshmem *iv, int fd);
/* The guest's connection closed: reset the device and unwire the guest. */
void loom_ivshmem_disconnect(struct loom_ivshmem *iv);
bool loom_ivshmem_connected(const struct loom_ivshmem *iv);

#endif /* LOOM_IVSHMEM_H */
