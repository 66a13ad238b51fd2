// SPDX-License-Identifier: MIT
/*
 * TPC memory: tensor descriptors and tensor accesses by coordinates.
 *
 * At launch each descriptor is checked and its whole span is looked up in
 * the MMU once: a tensor that is physically contiguous in host memory (the
 * usual case) gets a host pointer for reading and, if its pages are
 * writable, for writing, and a vector access that lies inside the tensor
 * is a plain copy (or conversion loop) from that pointer. Accesses that
 * touch an edge (padding on loads, dropped lanes on stores), are guarded
 * per lane, strided, or converted go element by element. A whole vector
 * of a tensor without a host pointer (scattered or partly unmapped pages)
 * is copied a page at a time (two pieces when it straddles a page
 * boundary). Elements and pieces outside the host pointer are translated
 * through a small per-core TLB of 4 KiB pages, which is also where page
 * faults are found and reported, on access: a vector that faults in its
 * second page has moved its first piece, as element by element would.
 */
#include "loom_tpc_internal.h"

#define TPC_VA_LIMIT	(1ULL << LOOM_VA_BITS)
#define TPC_SIZE_MAX	0x7fffffffU
#define TPC_STRIDE_MAX	(1ULL << 40)

void tpc_tlb_flush(struct tpc_core *c)
{
	for (unsigned i = 0; i < TPC_TLB_N; i++) {
		c->tlb[i].vpn = ~0ULL;
		c->tlb[i].host = NULL;
		c->tlb[i].writable = false;
	}
}

int tpc_tensor_resolve(struct tpc_launch *l, unsigned i, const struct loom_tpc_tensor *td,
		       struct loom_fault *f)
{
	struct tpc_tensor *t = &l->t[i];
	struct loom_fault tf;
	uint64_t last = 0, end;
	unsigned d;

	memset(t, 0, sizeof(*t));
	t->fast_rd_t = t->fast_wr_t = 0xff;
	if (td->dtype >= LOOM_TPC_NUM_DT || td->ndims < 1 || td->ndims > LOOM_TPC_DIMS ||
	    (td->flags & ~LOOM_TPC_TENSOR_F_MASK) || td->reserved)
		return LOOM_ERR_BAD_ARG;
	t->dtype = (uint8_t)td->dtype;
	t->esize = (uint8_t)tpc_dt_size(td->dtype);
	t->strict = td->flags & LOOM_TPC_TENSOR_F_STRICT;
	if (t->esize == 2 && (td->pad >> 16))
		return LOOM_ERR_BAD_ARG;
	t->pad = td->pad;
	if (td->base % t->esize || td->base >= TPC_VA_LIMIT)
		return LOOM_ERR_BAD_ARG;
	for (d = 0; d < LOOM_TPC_DIMS; d++) {
		if (d < td->ndims) {
			if (!td->size[d] || td->size[d] > TPC_SIZE_MAX ||
			    td->stride[d] >= TPC_STRIDE_MAX)
				return LOOM_ERR_BAD_ARG;
			t->size[d] = td->size[d];
			t->stride[d] = (int64_t)td->stride[d];
			last += (uint64_t)(td->size[d] - 1) * td->stride[d];
		} else {
			if (td->size[d] > 1 || td->stride[d])
				return LOOM_ERR_BAD_ARG;
			t->size[d] = 1;
		}
	}
	/* last < 5 * 2^31 * 2^40: no overflow; the span must stay inside the VA space. */
	if (__builtin_mul_overflow(last + 1, (uint64_t)t->esize, &t->span) ||
	    __builtin_add_overflow(td->base, t->span, &end) || end > TPC_VA_LIMIT)
		return LOOM_ERR_BAD_ARG;
	t->base = td->base;
	t->valid = true;

	/* Host pointers for the fast paths; faults are reported on access only. */
	t->wr = loom_mmu_ptr(l->dev, l->asid, t->base, t->span, true, &tf);
	t->rd = t->wr ? t->wr : loom_mmu_ptr(l->dev, l->asid, t->base, t->span, false, &tf);
	t->fast_rd_t = t->rd && t->stride[0] == 1 ? t->dtype : 0xff;
	t->fast_wr_t = t->wr && t->stride[0] == 1 ? t->dtype : 0xff;
	(void)f;
	return LOOM_ERR_NONE;
}

/* Host pointer of the 4 KiB page holding va, through the core's TLB. */
static uint8_t *tpc_tlb_page(struct tpc_core *c, uint64_t va, bool write, int *err)
{
	uint64_t vpn = va >> LOOM_PAGE_SHIFT;
	struct tpc_tlb *e = &c->tlb[vpn % TPC_TLB_N];
	struct tpc_launch *l = c->l;
	uint8_t *host;

	if (e->vpn == vpn && (e->writable || !write))
		return e->host;
	host = loom_mmu_ptr(l->dev, l->asid, vpn << LOOM_PAGE_SHIFT, LOOM_PAGE_SIZE, write,
			    &c->fault);
	if (!host) {
		if (!c->fault.cause)
			c->fault.cause = LOOM_FAULT_NOT_PRESENT;
		*err = c->fault.cause == LOOM_FAULT_WRITE ? LOOM_ERR_PERMISSION :
							 LOOM_ERR_PAGE_FAULT;
		c->fault.va = va;
		return NULL;
	}
	e->vpn = vpn;
	e->host = host;
	e->writable = write;
	return host;
}

/* Host address of the element at byte offset off of tensor t (NULL: fault). */
static uint8_t *tpc_elem(struct tpc_core *c, const struct tpc_tensor *t, uint64_t off,
			 bool write, int *err)
{
	uint8_t *base = write ? t->wr : t->rd;
	uint64_t va;
	uint8_t *page;

	if (base)
		return base + off;
	va = t->base + off;
	page = tpc_tlb_page(c, va, write, err);
	return page ? page + (va & (LOOM_PAGE_SIZE - 1)) : NULL;
}

static uint32_t tpc_get_raw(const uint8_t *p, unsigned esize)
{
	uint32_t v = 0;

	if (esize == 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		v = h;
	} else {
		memcpy(&v, p, 4);
	}
	return v;
}

static void tpc_put_raw(uint8_t *p, unsigned esize, uint32_t v)
{
	if (esize == 2) {
		uint16_t h = (uint16_t)v;

		memcpy(p, &h, 2);
	} else {
		memcpy(p, &v, 4);
	}
}

/*
 * Offset (in elements) of coordinates co in dimensions 1..4; false if one
 * of them is outside the tensor.
 */
static bool tpc_row(const struct tpc_tensor *t, const int32_t *co, int64_t *off)
{
	int64_t o = 0;

	for (unsigned d = 1; d < LOOM_TPC_DIMS; d++) {
		if (co[d] < 0 || co[d] >= t->size[d])
			return false;
		o += (int64_t)co[d] * t->stride[d];
	}
	*off = o;
	return true;
}

static inline bool tpc_lane_on(const uint32_t *mask, uint32_t mneg, unsigned j)
{
	return !mask || (mask[j] ^ mneg);
}

static inline void tpc_lane_set(union tpc_vreg *v, unsigned t, unsigned j, uint32_t x)
{
	if (t == LOOM_TPC_DT_BF16)
		v->h[j] = (uint16_t)x;
	else
		v->u[j] = x;
}

static inline uint32_t tpc_lane_get(const union tpc_vreg *v, unsigned t, unsigned j)
{
	return t == LOOM_TPC_DT_BF16 ? v->h[j] : v->u[j];
}

/* Contiguous in-bounds load of a whole vector from host memory. */
static void tpc_vload_fast(union tpc_vreg *dst, const uint8_t *src, unsigned dt, unsigned t)
{
	unsigned n = tpc_lanes(t);

	if (dt == t || (dt != LOOM_TPC_DT_BF16 && t != LOOM_TPC_DT_BF16 &&
			dt != LOOM_TPC_DT_F32 && t != LOOM_TPC_DT_F32)) {
		memcpy(dst, src, LOOM_TPC_VBYTES);	/* lanes x lane size, always */
	} else if (dt == LOOM_TPC_DT_BF16 && t == LOOM_TPC_DT_F32) {
		const uint16_t *s = (const uint16_t *)src;

		for (unsigned j = 0; j < TPC_L32; j++)
			dst->u[j] = (uint32_t)s[j] << 16;
	} else {
		for (unsigned j = 0; j < n; j++)
			tpc_lane_set(dst, t, j, tpc_conv32(tpc_get_raw(src + j * tpc_dt_size(dt),
								       tpc_dt_size(dt)), dt, t));
	}
}

static void tpc_vstore_fast(uint8_t *dstp, const union tpc_vreg *src, unsigned dt, unsigned t)
{
	unsigned n = tpc_lanes(t);

	if (dt == t || (dt != LOOM_TPC_DT_BF16 && t != LOOM_TPC_DT_BF16 &&
			dt != LOOM_TPC_DT_F32 && t != LOOM_TPC_DT_F32)) {
		memcpy(dstp, src, LOOM_TPC_VBYTES);
	} else if (dt == LOOM_TPC_DT_BF16 && t == LOOM_TPC_DT_F32) {
		uint16_t h[TPC_L32];

		for (unsigned j = 0; j < TPC_L32; j++)
			h[j] = tpc_f2bf(src->f[j]);
		memcpy(dstp, h, sizeof(h));
	} else {
		for (unsigned j = 0; j < n; j++)
			tpc_put_raw(dstp + j * tpc_dt_size(dt), tpc_dt_size(dt),
				    tpc_conv32(tpc_lane_get(src, t, j), t, dt));
	}
}

/*
 * Copy a whole vector between reg and the tensor bytes at off, a page at a
 * time through the TLB (no host pointer for the tensor).
 */
static int tpc_vcopy_pages(struct tpc_core *c, const struct tpc_tensor *tt, uint64_t off,
			   uint8_t *reg, bool write)
{
	uint64_t va = tt->base + off;
	unsigned done = 0, piece;
	int err = LOOM_ERR_NONE;

	while (done < LOOM_TPC_VBYTES) {
		uint64_t a = va + done;
		uint8_t *page = tpc_tlb_page(c, a, write, &err);

		if (!page)
			return err;
		piece = LOOM_PAGE_SIZE - (unsigned)(a & (LOOM_PAGE_SIZE - 1));
		if (piece > LOOM_TPC_VBYTES - done)
			piece = LOOM_TPC_VBYTES - done;
		if (write)
			memcpy(page + (a & (LOOM_PAGE_SIZE - 1)), reg + done, piece);
		else
			memcpy(reg + done, page + (a & (LOOM_PAGE_SIZE - 1)), piece);
		c->bytes += piece;
		done += piece;
	}
	return LOOM_ERR_NONE;
}

int tpc_tensor_vload(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		     union tpc_vreg *dst, const uint32_t *mask, uint32_t mneg)
{
	const struct tpc_tensor *tt = &c->l->t[tn];
	unsigned n = tpc_lanes(t), j;
	int64_t off = 0;
	bool row;
	int err = LOOM_ERR_NONE;

	if (!tt->valid)
		return LOOM_ERR_TPC_OOB;
	row = tpc_row(tt, co, &off);
	if (row && !mask && tt->rd && tt->stride[0] == 1 && co[0] >= 0 &&
	    (int64_t)co[0] + n <= tt->size[0]) {
		tpc_vload_fast(dst, tt->rd + (uint64_t)(off + co[0]) * tt->esize, tt->dtype, t);
		c->bytes += (uint64_t)n * tt->esize;
		return LOOM_ERR_NONE;
	}
	if (row && !mask && !tt->rd && tt->dtype == t && tt->stride[0] == 1 && co[0] >= 0 &&
	    (int64_t)co[0] + n <= tt->size[0])
		return tpc_vcopy_pages(c, tt, (uint64_t)(off + co[0]) * tt->esize,
				       (uint8_t *)dst, false);
	for (j = 0; j < n; j++) {
		int64_t x = (int64_t)co[0] + j;
		uint32_t raw;

		if (!tpc_lane_on(mask, mneg, j))
			continue;
		if (row && x >= 0 && x < tt->size[0]) {
			const uint8_t *p = tpc_elem(c, tt, (uint64_t)(off + x * tt->stride[0]) *
						    tt->esize, false, &err);

			if (!p)
				return err;
			raw = tpc_get_raw(p, tt->esize);
			c->bytes += tt->esize;
		} else if (tt->strict) {
			return LOOM_ERR_TPC_OOB;
		} else {
			raw = tt->pad;
		}
		tpc_lane_set(dst, t, j, tpc_conv32(raw, tt->dtype, t));
	}
	return LOOM_ERR_NONE;
}

int tpc_tensor_vstore(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		      const union tpc_vreg *src, const uint32_t *mask, uint32_t mneg)
{
	const struct tpc_tensor *tt = &c->l->t[tn];
	unsigned n = tpc_lanes(t), j;
	int64_t off = 0;
	bool row;
	int err = LOOM_ERR_NONE;

	if (!tt->valid)
		return LOOM_ERR_TPC_OOB;
	row = tpc_row(tt, co, &off);
	if (row && !mask && tt->wr && tt->stride[0] == 1 && co[0] >= 0 &&
	    (int64_t)co[0] + n <= tt->size[0]) {
		tpc_vstore_fast(tt->wr + (uint64_t)(off + co[0]) * tt->esize, src, tt->dtype, t);
		c->bytes += (uint64_t)n * tt->esize;
		return LOOM_ERR_NONE;
	}
	if (row && !mask && !tt->wr && tt->dtype == t && tt->stride[0] == 1 && co[0] >= 0 &&
	    (int64_t)co[0] + n <= tt->size[0])
		return tpc_vcopy_pages(c, tt, (uint64_t)(off + co[0]) * tt->esize,
				       (uint8_t *)src, true);
	if (tt->strict) {
		/* Check every lane first: a strict store is all or nothing. */
		for (j = 0; j < n; j++) {
			int64_t x = (int64_t)co[0] + j;

			if (tpc_lane_on(mask, mneg, j) && (!row || x < 0 || x >= tt->size[0]))
				return LOOM_ERR_TPC_OOB;
		}
	}
	if (!row)
		return LOOM_ERR_NONE;
	for (j = 0; j < n; j++) {
		int64_t x = (int64_t)co[0] + j;
		uint8_t *p;

		if (!tpc_lane_on(mask, mneg, j) || x < 0 || x >= tt->size[0])
			continue;
		p = tpc_elem(c, tt, (uint64_t)(off + x * tt->stride[0]) * tt->esize, true, &err);
		if (!p)
			return err;
		tpc_put_raw(p, tt->esize, tpc_conv32(tpc_lane_get(src, t, j), t, tt->dtype));
		c->bytes += tt->esize;
	}
	return LOOM_ERR_NONE;
}

/* Byte offset of the single element at co; false if outside. */
static bool tpc_point(const struct tpc_tensor *t, const int32_t *co, uint64_t *off)
{
	int64_t o;

	if (!tpc_row(t, co, &o) || co[0] < 0 || co[0] >= t->size[0])
		return false;
	*off = (uint64_t)(o + (int64_t)co[0] * t->stride[0]) * t->esize;
	return true;
}

int tpc_tensor_sload(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		     uint32_t *dst)
{
	const struct tpc_tensor *tt = &c->l->t[tn];
	const uint8_t *p;
	uint64_t off;
	uint32_t raw;
	int err = LOOM_ERR_NONE;

	if (!tt->valid)
		return LOOM_ERR_TPC_OOB;
	if (tpc_point(tt, co, &off)) {
		p = tpc_elem(c, tt, off, false, &err);
		if (!p)
			return err;
		raw = tpc_get_raw(p, tt->esize);
		c->bytes += tt->esize;
	} else if (tt->strict) {
		return LOOM_ERR_TPC_OOB;
	} else {
		raw = tt->pad;
	}
	*dst = tpc_conv32(raw, tt->dtype, t);
	return LOOM_ERR_NONE;
}

int tpc_tensor_sstore(struct tpc_core *c, unsigned tn, const int32_t *co, unsigned t,
		      uint32_t v)
{
	const struct tpc_tensor *tt = &c->l->t[tn];
	uint8_t *p;
	uint64_t off;
	int err = LOOM_ERR_NONE;

	if (!tt->valid)
		return LOOM_ERR_TPC_OOB;
	if (!tpc_point(tt, co, &off))
		return tt->strict ? LOOM_ERR_TPC_OOB : LOOM_ERR_NONE;
	p = tpc_elem(c, tt, off, true, &err);
	if (!p)
		return err;
	tpc_put_raw(p, tt->esize, tpc_conv32(v, t, tt->dtype));
	c->bytes += tt->esize;
	return LOOM_ERR_NONE;
}
