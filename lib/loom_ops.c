/* SPDX-License-Identifier: MIT */
/*
 * libloom operations queued on streams: DMA copies and fills (with staging
 * through pinned memory for pageable host buffers), MME GEMMs, and the
 * bf16 conversion helpers.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "loom_internal.h"

static int add_dma(loom_stream *s, uint64_t dst, uint64_t src, uint64_t size, uint32_t flags)
{
	struct loom_pkt_lin_dma *p = loom_cb_add(s, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->header = LOOM_PKT_HDR(LOOM_PKT_LIN_DMA, 0, sizeof(*p) / 4);
	p->flags = flags;
	p->src = src;
	p->dst = dst;
	p->size = size;
	return 0;
}

/* Queue one DMA; staging (pinned, may be NULL) is freed once it finished. */
static int queue_dma(loom_stream *s, uint64_t dst, uint64_t src, uint64_t size, uint32_t flags,
		     void *staging)
{
	int ret = add_dma(s, dst, src, size, flags);

	if (ret) {
		loom_cb_reset(s);
		if (staging)
			s->dev->be->host_free(s->dev, staging);
		return ret;
	}
	return loom_cb_submit(s, staging);
}

LOOM_API int loom_memcpy(loom_stream *s, uint64_t dst, uint64_t src, uint64_t size)
{
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (!size)
		return 0;
	return queue_dma(s, dst, src, size, 0, NULL);
}

LOOM_API int loom_memset32(loom_stream *s, uint64_t dst, uint32_t value, uint64_t size)
{
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (size & 3)
		return -EINVAL;
	if (!size)
		return 0;
	return queue_dma(s, dst, value, size, LOOM_DMA_F_MEMSET, NULL);
}

/* Is [p, p + size) inside pinned memory? Returns its device address or 0. */
static uint64_t pinned_va(loom_device *dev, const void *p, uint64_t size)
{
	uint64_t va = dev->be->host_va(dev, p);

	return va && dev->be->host_va(dev, (const uint8_t *)p + size - 1) == va + size - 1 ? va : 0;
}

/* Pageable copies go through pinned staging blocks of at most this size. */
#define STAGING_CHUNK	(8ULL << 20)

/* Pinned staging block; on exhaustion, wait for the stream to free some. */
static void *staging_alloc(loom_stream *s, uint64_t size, uint64_t *va)
{
	void *p = s->dev->be->host_alloc(s->dev, size, va);

	if (!p && errno == ENOMEM && !loom_stream_sync(s, -1))
		p = s->dev->be->host_alloc(s->dev, size, va);
	return p;
}

LOOM_API int loom_memcpy_h2d(loom_stream *s, uint64_t dst, const void *src, uint64_t size)
{
	const uint8_t *p = src;
	uint64_t va;
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (!size)
		return 0;
	if (!src)
		return -EINVAL;
	va = pinned_va(s->dev, src, size);
	if (va)
		return queue_dma(s, dst, va, size, 0, NULL);
	if (s->capture)
		return -EINVAL;	/* staging is filled now, not at each launch */
	/* Each chunk is copied into its own block, queued, and freed by the
	 * stream once the device has read it: the caller may reuse src now. */
	for (uint64_t off = 0; off < size; off += STAGING_CHUNK) {
		uint64_t n = size - off < STAGING_CHUNK ? size - off : STAGING_CHUNK;
		void *staging = staging_alloc(s, n, &va);

		if (!staging)
			return -errno;
		memcpy(staging, p + off, n);
		ret = queue_dma(s, dst + off, va, n, 0, staging);
		if (ret)
			return ret;
	}
	return 0;
}

LOOM_API int loom_memcpy_d2h(loom_stream *s, void *dst, uint64_t src, uint64_t size)
{
	uint8_t *p = dst;
	void *buf[2] = { NULL, NULL };
	uint64_t bva[2], pending_off = 0, pending_n = 0;
	uint32_t pending_seq = 0;
	int ret = loom_stream_usable(s), cur = 0;

	if (ret)
		return ret;
	if (!size)
		return 0;
	if (!dst)
		return -EINVAL;
	bva[0] = pinned_va(s->dev, dst, size);
	if (bva[0])
		return queue_dma(s, bva[0], src, size, 0, NULL);
	if (s->capture)
		return -EINVAL;	/* the CPU would have to empty the staging blocks */
	/* Two blocks: the device fills one while the CPU empties the other. */
	for (uint64_t off = 0; off < size && !ret; off += STAGING_CHUNK, cur ^= 1) {
		uint64_t n = size - off < STAGING_CHUNK ? size - off : STAGING_CHUNK;

		if (!buf[cur]) {
			buf[cur] = staging_alloc(s, n, &bva[cur]);
			if (!buf[cur]) {
				ret = -errno;
				break;
			}
		}
		ret = add_dma(s, bva[cur], src + off, n, 0);
		if (ret) {
			loom_cb_reset(s);
			break;
		}
		ret = loom_cb_submit(s, NULL);
		if (!ret && pending_n) {
			ret = loom_stream_wait_seq(s, pending_seq, -1);
			if (!ret)
				memcpy(p + pending_off, buf[cur ^ 1], pending_n);
		}
		pending_seq = s->seq;
		pending_off = off;
		pending_n = n;
	}
	if (!ret && pending_n) {
		ret = loom_stream_wait_seq(s, pending_seq, -1);
		if (!ret)
			memcpy(p + pending_off, buf[cur ^ 1], pending_n);
	}
	/* Finished or failed: either way the queue no longer writes there. */
	if (ret)
		loom_stream_sync(s, -1);
	for (int i = 0; i < 2; i++)
		if (buf[i])
			s->dev->be->host_free(s->dev, buf[i]);
	return ret;
}

/* ---- GEMM ---------------------------------------------------------------------- */

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

/*
 * One operand over the batch: a stride of stride_el elements of esize
 * bytes (0: rows * ld), the matrix rows * ld elements. Its stride in bytes
 * into *stride_bytes, or false when the operand cannot lie in the
 * device's 48-bit VA space from base: the products would wrap (a stride of
 * 2^62 elements is 0 bytes) and every batch item land in one place.
 */
static bool gemm_operand_ok(uint64_t base, uint32_t batch, uint64_t stride_el, uint64_t rows,
			    uint64_t ld, uint64_t esize, uint64_t *stride_bytes)
{
	const uint64_t lim = 1ULL << LOOM_VA_BITS;
	uint64_t mat, extent;

	if (rows > lim / esize / ld)		/* rows, ld < 2^32: no wrap before */
		return false;
	mat = rows * ld * esize;
	if (!stride_el)
		stride_el = rows * ld;
	if (stride_el > lim / esize)
		return false;
	*stride_bytes = stride_el * esize;
	if (batch > 1 && *stride_bytes > (lim - mat) / (batch - 1))
		return false;
	extent = (uint64_t)(batch - 1) * *stride_bytes + mat;
	return base < lim && extent <= lim - base;
}

LOOM_API int loom_gemm(loom_stream *s, const struct loom_gemm *g)
{
	struct loom_pkt_mme *p;
	uint32_t batch, flags = 0, gflags = 0;
	int ret = loom_stream_usable(s);

	if (ret)
		return ret;
	if (!g || g->sz < offsetof(struct loom_gemm, beta) + sizeof(float))
		return -EINVAL;
	for (size_t i = sizeof(*g); i < g->sz; i++)
		if (((const uint8_t *)g)[i])
			return -EINVAL;
	if (!g->m || !g->n || !g->k || (g->in_dtype != LOOM_F32 && g->in_dtype != LOOM_BF16) ||
	    (g->out_dtype != LOOM_F32 && g->out_dtype != LOOM_BF16) || !g->a || !g->b || !g->d ||
	    (!g->c && g->beta != 0.0f) || !isfinite(g->alpha) || !isfinite(g->beta))
		return -EINVAL;
	if (g->sz >= offsetof(struct loom_gemm, flags) + sizeof(g->flags))
		gflags = g->flags;
	if (gflags & ~(LOOM_GEMM_BIAS_ROW | LOOM_GEMM_RELU | LOOM_GEMM_RELU_MASK))
		return -EINVAL;
	if ((gflags & LOOM_GEMM_RELU_MASK) &&
	    (!g->c || g->beta != 0.0f || (gflags & LOOM_GEMM_BIAS_ROW)))
		return -EINVAL;
	if (gflags & LOOM_GEMM_RELU_MASK)
		flags |= LOOM_MME_F_MASK_C;
	if (gflags & LOOM_GEMM_BIAS_ROW)
		flags |= LOOM_MME_F_BCAST_C;
	if (gflags & LOOM_GEMM_RELU)
		flags |= LOOM_MME_F_RELU;
	batch = g->batch ? g->batch : 1;
	if (g->trans_a)
		flags |= LOOM_MME_F_TRANS_A;
	if (g->trans_b)
		flags |= LOOM_MME_F_TRANS_B;

	uint64_t ein = g->in_dtype == LOOM_BF16 ? 2 : 4, eout = g->out_dtype == LOOM_BF16 ? 2 : 4;
	uint32_t lda = g->lda ? g->lda : (g->trans_a ? g->m : g->k);
	uint32_t ldb = g->ldb ? g->ldb : (g->trans_b ? g->k : g->n);
	uint32_t ldc = (gflags & LOOM_GEMM_BIAS_ROW) ? g->n : g->ldc ? g->ldc : g->n;
	uint32_t ldd = g->ldd ? g->ldd : g->n;
	uint64_t rows_a = g->trans_a ? g->k : g->m, rows_b = g->trans_b ? g->n : g->k;
	uint64_t sa, sb, sc = 0, sd;
	bool bias = gflags & LOOM_GEMM_BIAS_ROW;

	/* Every operand's batch must describe memory (loom.h: -EINVAL otherwise). */
	if (!gemm_operand_ok(g->a, batch, g->stride_a, rows_a, lda, ein, &sa) ||
	    !gemm_operand_ok(g->b, batch, g->stride_b, rows_b, ldb, ein, &sb) ||
	    !gemm_operand_ok(g->d, batch, g->stride_d, g->m, ldd, eout, &sd) ||
	    (g->c && !gemm_operand_ok(g->c, batch, g->stride_c, bias ? 1 : g->m, ldc, eout, &sc)))
		return -EINVAL;

	p = loom_cb_add(s, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->header = LOOM_PKT_HDR(LOOM_PKT_MME, 0, sizeof(*p) / 4);
	p->ctrl = LOOM_MME_CTRL(flags, (uint32_t)g->in_dtype, (uint32_t)g->out_dtype);
	p->a = g->a;
	p->b = g->b;
	p->c = g->c;
	p->d = g->d;
	p->m = g->m;
	p->n = g->n;
	p->k = g->k;
	p->batch = batch;
	p->lda = lda;
	p->ldb = ldb;
	p->ldc = ldc;
	p->ldd = ldd;
	/* Strides are in elements in the API and in bytes on the device. */
	p->stride_a = sa;
	p->stride_b = sb;
	p->stride_c = sc;
	p->stride_d = sd;
	p->alpha = f32_bits(g->alpha);
	p->beta = f32_bits(g->beta);
	return loom_cb_submit(s, NULL);
}

/* ---- bf16 ------------------------------------------------------------------------- */

LOOM_API uint16_t loom_f32_to_bf16(float f)
{
	uint32_t u = f32_bits(f);

	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 0x40);	/* quiet NaN */
	u += 0x7fffu + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

LOOM_API float loom_bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}
