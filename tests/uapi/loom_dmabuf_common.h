/* SPDX-License-Identifier: MIT */
/*
 * What loom_dmabuf and prime_loom share: the test importer
 * (tests/kmod/loom_importer.ko: attach, SG, READ/WRITE) and its checks of
 * a Loom DRAM dma-buf, udmabufs, EXPORT_DMABUF and PRIME, the few GEM and
 * VM_BIND calls the tests make, a device copy, and a byte pattern.
 * Helpers come in pairs as in loom_igt.h: __name() returns 0 or -errno,
 * name() asserts that it succeeded.
 */
#ifndef LOOM_DMABUF_COMMON_H
#define LOOM_DMABUF_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "tests/kmod/loom_importer.h"

#include "loom_igt.h"
#include "loom_submit.h"

#define UDMABUF_SIZE	(3 * 4096 + 2 * 1024 * 1024)
#define EXPORT_RW	(DRM_LOOM_EXPORT_CLOEXEC | DRM_LOOM_EXPORT_RDWR)

/* ---- the test importer ---------------------------------------------------------- */

/* Open /dev/loom_importer; skips if loom_importer.ko is not loaded. */
int imp_open(void);
int imp_attach(int imp, int dmabuf, uint32_t flags, struct loom_imp_attach *a);
/* LOOM_IMP_READ or LOOM_IMP_WRITE of size bytes at off. */
int imp_rw(int imp, unsigned long req, uint64_t off, uint64_t size, void *buf);
/*
 * Attach the importer (dynamic, peer-to-peer) to a Loom DRAM dma-buf of
 * size bytes: its entries must cover it in order, at bus addresses inside
 * the DRAM window of the Loom BAR.
 */
void imp_attach_dram(int imp, int db, uint64_t size);
/* The same with LOOM_IMP_F_* flags (LOOM_IMP_F_READ for a read-only dma-buf). */
void imp_attach_dram_flags(int imp, int db, uint64_t size, uint32_t flags);
/* The importer reads the whole dma-buf; it must equal want. */
void imp_expect(int imp, const uint8_t *want, size_t n);

/* A udmabuf over a sealed memfd of size bytes, and the memfd's mapping. */
int make_udmabuf(size_t size, uint8_t **map);
/* A byte pattern of seed. */
void fill(uint8_t *p, size_t n, unsigned seed);

/* ---- EXPORT_DMABUF and PRIME ------------------------------------------------------ */

int __export(int fd, uint32_t handle, uint64_t off, uint64_t size, uint32_t flags, int *out);
int export(int fd, uint32_t handle, uint64_t off, uint64_t size);	/* EXPORT_RW */
int prime_to_fd(int fd, uint32_t handle);
int __prime_to_handle(int fd, int db, uint32_t *handle);
uint32_t prime_to_handle(int fd, int db);

/* ---- objects, mappings, the device -------------------------------------------------- */

void gem_close(int fd, uint32_t handle);
/* MAP at *va (FIXED) or anywhere; *va is the mapping's VA on success. */
int __bind(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size, uint32_t flags,
	   uint64_t *va);
uint64_t vm_bind(int fd, uint32_t handle, uint64_t bo_offset, uint64_t size);
void vm_unbind(int fd, uint64_t va);
/* Run a CB on a queue of its own; the job must succeed. */
void dev_run(int fd, const struct cb *cb);
/* The device copies size bytes from VA src to VA dst; the job must succeed. */
void dev_copy(int fd, uint64_t src, uint64_t dst, uint64_t size);

#endif /* LOOM_DMABUF_COMMON_H */
