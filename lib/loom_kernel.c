/* SPDX-License-Identifier: MIT */
/*
 * libloom TPC kernels: loading a kernel object (hw/loom_tpc.h) into device
 * memory, checking launches against the object's argument table, and
 * queueing TPC_LAUNCH packets. A launch's tensor descriptors go in a small
 * pinned block that the stream frees once the launch has finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loom_internal.h"
#include "../hw/loom_tpc.h"

struct loom_kernel {
	loom_device *dev;
	uint64_t code_va;		/* read-only DRAM holding the code */
	uint32_t code_size;
	uint32_t slm_size, vlm_size;
	uint32_t num_tensors, num_scalars;
	uint32_t tensor_dtype[LOOM_TPC_MAX_TENSORS];
	char name[64];
};

LOOM_API uint32_t loom_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* Is [off, off + n) inside an object of size bytes? */
static int in_obj(uint64_t off, uint64_t n, size_t size)
{
	return off <= size && n <= size - off;
}

/* Check the object and fill k's metadata; 0 or -EINVAL. */
static int kernel_parse(loom_kernel *k, const uint8_t *obj, size_t size)
{
	struct loom_tpc_obj_hdr h;
	const char *strtab;

	if (!obj || size < sizeof(h))
		return -EINVAL;
	memcpy(&h, obj, sizeof(h));
	if (h.magic != LOOM_TPC_OBJ_MAGIC || h.version != LOOM_TPC_OBJ_VERSION ||
	    h.hdr_size != sizeof(h) || h.num_relocs || !h.code_size || h.code_size % 8 ||
	    h.code_off % 8 || h.code_size > LOOM_TPC_CODE_MAX ||
	    !in_obj(h.code_off, h.code_size, size) ||
	    h.num_args > LOOM_TPC_MAX_TENSORS + LOOM_TPC_NUM_ARGS ||
	    !in_obj(h.args_off, (uint64_t)h.num_args * sizeof(struct loom_tpc_obj_arg), size) ||
	    !in_obj(h.strtab_off, h.strtab_size, size) || !h.strtab_size ||
	    h.slm_size > LOOM_TPC_SLM_SIZE || h.vlm_size > LOOM_TPC_VLM_SIZE)
		return -EINVAL;
	strtab = (const char *)obj + h.strtab_off;
	if (strtab[h.strtab_size - 1] || h.name >= h.strtab_size)
		return -EINVAL;
	k->code_size = h.code_size;
	k->slm_size = h.slm_size;
	k->vlm_size = h.vlm_size;
	snprintf(k->name, sizeof(k->name), "%s", strtab + h.name);
	for (uint32_t i = 0; i < h.num_args; i++) {
		struct loom_tpc_obj_arg a;

		memcpy(&a, obj + h.args_off + i * sizeof(a), sizeof(a));
		if (a.kind == LOOM_TPC_ARG_TENSOR && a.slot == k->num_tensors &&
		    k->num_tensors < LOOM_TPC_MAX_TENSORS && a.dtype < LOOM_TPC_NUM_DT)
			k->tensor_dtype[k->num_tensors++] = a.dtype;
		else if (a.kind == LOOM_TPC_ARG_SCALAR && a.slot == k->num_scalars &&
			 k->num_scalars < LOOM_TPC_LAUNCH_NUM_SCALARS)
			k->num_scalars++;
		else
			return -EINVAL;
	}
	return 0;
}

LOOM_API loom_kernel *loom_kernel_load(loom_device *dev, const void *obj, size_t size)
{
	struct loom_device_info info;
	struct loom_tpc_obj_hdr h;
	loom_kernel *k;
	void *p;
	int ret;

	if (!dev) {
		errno = EINVAL;
		return NULL;
	}
	ret = loom_device_info(dev, &info);
	if (!ret && !(info.caps & LOOM_DEVCAP_TPC))
		ret = -EOPNOTSUPP;
	k = ret ? NULL : calloc(1, sizeof(*k));
	if (!ret && !k)
		ret = -ENOMEM;
	if (!ret)
		ret = kernel_parse(k, obj, size);
	if (!ret) {
		k->dev = dev;
		ret = loom_mem_alloc(dev, k->code_size, 0, &k->code_va);
	}
	if (ret)
		goto err;
	/* The code goes in through the CPU mapping of device memory; nothing
	 * else ever gets this allocation's address. */
	p = loom_mem_host_ptr(dev, k->code_va, k->code_size);
	if (!p) {
		ret = -EOPNOTSUPP;
		loom_mem_free(dev, k->code_va);
		goto err;
	}
	memcpy(&h, obj, sizeof(h));
	memcpy(p, (const uint8_t *)obj + h.code_off, k->code_size);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	loom_dbg(LOOM_DBG_MEM, "kernel %s: %u bytes of code at 0x%llx", k->name, k->code_size,
		 (unsigned long long)k->code_va);
	return k;
err:
	free(k);
	errno = -ret;
	return NULL;
}

LOOM_API loom_kernel *loom_kernel_load_file(loom_device *dev, const char *path)
{
	struct stat st;
	loom_kernel *k = NULL;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, err = 0;

	if (!dev || !path) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
		err = errno ? errno : EINVAL;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		err = ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			err = n < 0 ? errno : EINVAL;
			goto out;
		}
		got += (size_t)n;
	}
	k = loom_kernel_load(dev, buf, got);
	err = k ? 0 : errno;
out:
	free(buf);
	close(fd);
	errno = err;
	return k;
}

LOOM_API void loom_kernel_free(loom_kernel *k)
{
	if (!k)
		return;
	loom_mem_free(k->dev, k->code_va);
	free(k);
}

LOOM_API const char *loom_kernel_name(const loom_kernel *k)
{
	return k ? k->name : NULL;
}

/* Check a tensor argument and write its descriptor. */
static int tensor_desc(const struct loom_tensor *t, uint32_t want_dtype,
		       struct loom_tpc_tensor *d)
{
	uint64_t esize = t->dtype == LOOM_T_BF16 ? 2 : 4, stride = 1;
	bool packed = true;

	if ((uint32_t)t->dtype >= LOOM_TPC_NUM_DT || (uint32_t)t->dtype != want_dtype ||
	    !t->ndims || t->ndims > LOOM_TPC_DIMS || !t->addr || t->addr % esize ||
	    (t->flags & ~LOOM_TENSOR_STRICT))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	for (uint32_t i = 0; i < LOOM_TPC_DIMS; i++)
		if (t->stride[i])
			packed = false;
	for (uint32_t i = 0; i < t->ndims; i++) {
		if (!t->size[i] || t->size[i] >= (1u << 31))
			return -EINVAL;
		d->size[i] = t->size[i];
		d->stride[i] = packed ? stride : t->stride[i];
		stride *= t->size[i];
	}
	for (uint32_t i = t->ndims; i < LOOM_TPC_DIMS; i++)
		if (t->size[i] > 1 || t->stride[i])
			return -EINVAL;
	d->base = t->addr;
	d->dtype = (uint32_t)t->dtype;
	d->ndims = t->ndims;
	d->flags = t->flags & LOOM_TENSOR_STRICT ? LOOM_TPC_TENSOR_F_STRICT : 0;
	d->pad = t->pad;
	return 0;
}

LOOM_API int loom_launch(loom_stream *s, loom_kernel *k, const struct loom_launch *l)
{
	struct loom_tpc_tensor *descs = NULL;
	struct loom_pkt_tpc_launch *p;
	uint64_t descs_va = 0;
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (!k || !l || k->dev != s->dev || l->sz < offsetof(struct loom_launch, timeout_ms) +
	    sizeof(uint32_t))
		return -EINVAL;
	for (size_t i = sizeof(*l); i < l->sz; i++)
		if (((const uint8_t *)l)[i])
			return -EINVAL;
	if (l->num_tensors != k->num_tensors || l->num_scalars != k->num_scalars ||
	    (l->num_tensors && !l->tensors) || (l->num_scalars && !l->scalars) ||
	    l->part_dim >= LOOM_TPC_DIMS)
		return -EINVAL;
	if (l->num_tensors) {
		descs = s->dev->be->host_alloc(s->dev, l->num_tensors * sizeof(*descs), &descs_va);
		if (!descs)
			return -errno;
		for (uint32_t i = 0; i < l->num_tensors; i++) {
			ret = tensor_desc(&l->tensors[i], k->tensor_dtype[i], &descs[i]);
			if (ret)
				goto err;
		}
	}
	p = loom_cb_add(s, sizeof(*p));
	if (!p) {
		ret = -ENOMEM;
		goto err;
	}
	p->header = LOOM_PKT_HDR(LOOM_PKT_TPC_LAUNCH, 0, sizeof(*p) / 4);
	p->code = k->code_va;
	p->code_size = k->code_size;
	p->num_tensors = l->num_tensors;
	p->tensors = descs_va;
	p->slm_size = k->slm_size;
	p->vlm_size = k->vlm_size;
	for (int i = 0; i < LOOM_TPC_DIMS; i++)
		p->index[i] = l->index[i] ? l->index[i] : 1;
	p->part_dim = l->part_dim;
	p->grain = l->grain;
	p->timeout_ms = l->timeout_ms;
	for (uint32_t i = 0; i < l->num_scalars; i++)
		p->scalars[i] = l->scalars[i];
	return loom_cb_submit(s, descs);
err:
	loom_cb_reset(s);
	if (descs)
		s->dev->be->host_free(s->dev, descs);
	return ret;
}
