// SPDX-License-Identifier: MIT
/*
 * Loom device model: the matrix engine (MME).
 *
 * Runs struct loom_pkt_mme jobs, batched row-major GEMMs with fp32
 * accumulation, one job at a time. The host's fp32 GEMM (OpenBLAS) does the
 * arithmetic: an fp32 operand that is physically contiguous in device
 * memory is handed to it in place; an operand that is not contiguous is
 * gathered row by row through the MMU, and bf16 operands are widened into
 * fp32 temporaries. The result goes straight into D when D is fp32 and
 * contiguous, otherwise into a temporary that is rounded (bf16) and
 * scattered back. Temporaries are kept between jobs and only grow.
 *
 * Every operand of a batch element is checked through the MMU before that
 * element writes anything. The engine reports its busy time, flops and
 * bytes to the power model and is stretched by the throttling slow-down.
 * The caller (the CP) holds loom_dev_access_begin() around the call.
 */
#include <cblas.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loom_device.h"

/* A temporary that only grows. */
struct mme_buf {
	void *p;
	size_t cap;
};

struct loom_mme {
	/* Protects the engine: one job at a time, and the buffers below. */
	pthread_mutex_t lock;
	struct mme_buf ta, tb, tc, td, row;
};

/* One operand of one batch element, as stored. */
struct mme_mat {
	uint64_t va;
	uint32_t rows, cols, ld;	/* ld in elements */
	uint32_t esize;
	bool bf16;
	uint64_t span;			/* bytes from the first to past the last element */
	uint8_t *host;			/* contiguous host mapping, or NULL */
};

static inline uint16_t mme_f32_to_bf16(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof(u));
	if ((u & 0x7fffffffU) > 0x7f800000U)
		return (uint16_t)((u >> 16) | 0x0040U);	/* quiet NaN, sign kept */
	u += 0x7fffU + ((u >> 16) & 1U);		/* round to nearest even */
	return (uint16_t)(u >> 16);
}

static inline float mme_bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float x;

	if ((u & 0x7fffffffU) > 0x7f800000U)
		u |= 0x00400000U;
	memcpy(&x, &u, sizeof(x));
	return x;
}

uint16_t loom_mme_f32_to_bf16(float f)
{
	return mme_f32_to_bf16(f);
}

float loom_mme_bf16_to_f32(uint16_t h)
{
	return mme_bf16_to_f32(h);
}

static void mme_widen(float *dst, const uint16_t *src, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		dst[i] = mme_bf16_to_f32(src[i]);
}

static void mme_narrow(uint16_t *dst, const float *src, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		dst[i] = mme_f32_to_bf16(src[i]);
}

static void *mme_buf_get(struct mme_buf *b, uint64_t bytes)
{
	void *p;

	if (bytes > SIZE_MAX / 2)
		return NULL;
	if (bytes <= b->cap)
		return b->p;
	bytes = (bytes + 4095) & ~(uint64_t)4095;
	if (posix_memalign(&p, 64, bytes))
		return NULL;
	free(b->p);
	b->p = p;
	b->cap = bytes;
	return p;
}

static int mme_fault_err(const struct loom_fault *f)
{
	return f->cause == LOOM_FAULT_WRITE ? LOOM_ERR_PERMISSION : LOOM_ERR_PAGE_FAULT;
}

/* Bytes spanned by a rows x cols matrix with leading dimension ld. */
static bool mme_span(uint32_t rows, uint32_t cols, uint32_t ld, uint32_t esize,
		     uint64_t *span)
{
	uint64_t elems = (uint64_t)(rows - 1) * ld + cols;

	return !__builtin_mul_overflow(elems, (uint64_t)esize, span);
}

/* The batch's last element must not wrap around the address space. */
static bool mme_batch_ok(uint64_t base, uint64_t stride, uint32_t batch, uint64_t span,
			 uint32_t esize)
{
	uint64_t off, end;

	if (base % esize || (batch > 1 && stride % esize))
		return false;
	return !__builtin_mul_overflow((uint64_t)(batch - 1), stride, &off) &&
	       !__builtin_add_overflow(base, off, &end) &&
	       !__builtin_add_overflow(end, span, &end);
}

static int mme_check(const struct loom_pkt_mme *p, float beta)
{
	uint32_t ctrl = p->ctrl, in = LOOM_MME_IN_DTYPE(ctrl), out = LOOM_MME_OUT_DTYPE(ctrl);
	bool ta = ctrl & LOOM_MME_F_TRANS_A, tb = ctrl & LOOM_MME_F_TRANS_B;
	uint32_t ein = in == LOOM_DTYPE_BF16 ? 2 : 4, eout = out == LOOM_DTYPE_BF16 ? 2 : 4;
	uint64_t span;

	if (ctrl & ~(uint32_t)(LOOM_MME_F_TRANS_A | LOOM_MME_F_TRANS_B | LOOM_MME_F_BCAST_C |
			       LOOM_MME_F_RELU | LOOM_MME_F_MASK_C | 0xff0U))
		return LOOM_ERR_BAD_ARG;
	if ((ctrl & LOOM_MME_F_MASK_C) &&
	    (beta != 0.0f || (ctrl & LOOM_MME_F_BCAST_C) || !p->c || p->ldc < p->n ||
	     !mme_span(p->m, p->n, p->ldc, eout, &span) ||
	     !mme_batch_ok(p->c, p->stride_c, p->batch, span, eout)))
		return LOOM_ERR_BAD_ARG;
	if (in > LOOM_DTYPE_BF16 || out > LOOM_DTYPE_BF16)
		return LOOM_ERR_BAD_ARG;
	if (!p->m || !p->n || !p->k || !p->batch)
		return LOOM_ERR_BAD_ARG;
	/* The host GEMM takes int dimensions. */
	if (p->m > INT_MAX || p->n > INT_MAX || p->k > INT_MAX || p->lda > INT_MAX ||
	    p->ldb > INT_MAX || p->ldc > INT_MAX || p->ldd > INT_MAX)
		return LOOM_ERR_BAD_ARG;
	if (p->lda < (ta ? p->m : p->k) || p->ldb < (tb ? p->k : p->n) || p->ldd < p->n)
		return LOOM_ERR_BAD_ARG;

	if (!mme_span(ta ? p->k : p->m, ta ? p->m : p->k, p->lda, ein, &span) ||
	    !mme_batch_ok(p->a, p->stride_a, p->batch, span, ein))
		return LOOM_ERR_BAD_ARG;
	if (!mme_span(tb ? p->n : p->k, tb ? p->k : p->n, p->ldb, ein, &span) ||
	    !mme_batch_ok(p->b, p->stride_b, p->batch, span, ein))
		return LOOM_ERR_BAD_ARG;
	if (!mme_span(p->m, p->n, p->ldd, eout, &span) ||
	    !mme_batch_ok(p->d, p->stride_d, p->batch, span, eout))
		return LOOM_ERR_BAD_ARG;
	if (beta != 0.0f) {
		bool row = ctrl & LOOM_MME_F_BCAST_C;

		if (!p->c || (!row && p->ldc < p->n))
			return LOOM_ERR_BAD_ARG;
		if (!mme_span(row ? 1 : p->m, p->n, row ? p->n : p->ldc, eout, &span) ||
		    !mme_batch_ok(p->c, p->stride_c, p->batch, span, eout))
			return LOOM_ERR_BAD_ARG;
	}
	return LOOM_ERR_NONE;
}

static void mme_mat_init(struct mme_mat *x, uint64_t va, uint32_t rows, uint32_t cols,
			 uint32_t ld, bool bf16)
{
	x->va = va;
	x->rows = rows;
	x->cols = cols;
	x->ld = ld;
	x->bf16 = bf16;
	x->esize = bf16 ? 2 : 4;
	mme_span(rows, cols, ld, x->esize, &x->span);
	x->host = NULL;
}

/* Check an operand through the MMU and find its host mapping if contiguous. */
static int mme_mat_resolve(struct loom_dev *dev, uint32_t asid, struct mme_mat *x,
			   bool write, struct loom_fault *f)
{
	x->host = loom_mmu_ptr(dev, asid, x->va, x->span, write, f);
	if (!x->host && f->cause)
		return mme_fault_err(f);
	return LOOM_ERR_NONE;
}

/* Load an operand as fp32 into dst (leading dimension ldd). */
static int mme_mat_load(struct loom_dev *dev, uint32_t asid, struct loom_mme *mme,
			const struct mme_mat *x, float *dst, uint32_t ldd,
			struct loom_fault *f)
{
	uint64_t row_bytes = (uint64_t)x->cols * x->esize;
	const uint8_t *src;
	uint16_t *row = NULL;
	uint32_t r;

	if (!x->host && !x->bf16 && x->ld == x->cols && ldd == x->cols) {
		if (loom_mmu_read(dev, asid, x->va, dst, x->span, f))
			return mme_fault_err(f);
		return LOOM_ERR_NONE;
	}
	if (!x->host && x->bf16) {
		row = mme_buf_get(&mme->row, row_bytes);
		if (!row)
			return LOOM_ERR_BAD_ARG;
	}
	for (r = 0; r < x->rows; r++) {
		float *d = dst + (uint64_t)r * ldd;
		uint64_t off = (uint64_t)r * x->ld * x->esize;

		if (x->host) {
			src = x->host + off;
			if (x->bf16)
				mme_widen(d, (const uint16_t *)src, x->cols);
			else
				memcpy(d, src, row_bytes);
		} else if (x->bf16) {
			if (loom_mmu_read(dev, asid, x->va + off, row, row_bytes, f))
				return mme_fault_err(f);
			mme_widen(d, row, x->cols);
		} else if (loom_mmu_read(dev, asid, x->va + off, d, row_bytes, f)) {
			return mme_fault_err(f);
		}
	}
	return LOOM_ERR_NONE;
}

/* Store fp32 rows from src (leading dimension lds) into operand x. */
static int mme_mat_store(struct loom_dev *dev, uint32_t asid, struct loom_mme *mme,
			 const struct mme_mat *x, const float *src, uint32_t lds,
			 struct loom_fault *f)
{
	uint64_t row_bytes = (uint64_t)x->cols * x->esize;
	uint16_t *row = NULL;
	const void *s;
	uint32_t r;

	if (!x->host && !x->bf16 && x->ld == x->cols && lds == x->cols) {
		if (loom_mmu_write(dev, asid, x->va, src, x->span, f))
			return mme_fault_err(f);
		return LOOM_ERR_NONE;
	}
	if (!x->host && x->bf16) {
		row = mme_buf_get(&mme->row, row_bytes);
		if (!row)
			return LOOM_ERR_BAD_ARG;
	}
	for (r = 0; r < x->rows; r++) {
		const float *sr = src + (uint64_t)r * lds;
		uint64_t off = (uint64_t)r * x->ld * x->esize;

		if (x->host) {
			if (x->bf16)
				mme_narrow((uint16_t *)(x->host + off), sr, x->cols);
			else
				memcpy(x->host + off, sr, row_bytes);
			continue;
		}
		s = sr;
		if (x->bf16) {
			mme_narrow(row, sr, x->cols);
			s = row;
		}
		if (loom_mmu_write(dev, asid, x->va + off, s, row_bytes, f))
			return mme_fault_err(f);
	}
	return LOOM_ERR_NONE;
}

/* An fp32 view of input x: in place when possible, else in buf. */
static int mme_input(struct loom_dev *dev, uint32_t asid, struct loom_mme *mme,
		     const struct mme_mat *x, struct mme_buf *buf, const float **ptr,
		     uint32_t *ld, struct loom_fault *f)
{
	float *tmp;

	if (x->host && !x->bf16) {
		*ptr = (const float *)x->host;
		*ld = x->ld;
		return LOOM_ERR_NONE;
	}
	tmp = mme_buf_get(buf, (uint64_t)x->rows * x->cols * sizeof(float));
	if (!tmp)
		return LOOM_ERR_BAD_ARG;
	*ptr = tmp;
	*ld = x->cols;
	return mme_mat_load(dev, asid, mme, x, tmp, x->cols, f);
}

static bool mme_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * The output stage over the fp32 accumulator (m rows of n, leading
 * dimension ldo): + beta * row (the broadcast C, or NULL), then ReLU, then
 * the mask (packed m x n, or NULL): an element stays where the mask is > 0.
 */
/* Vectorised and branch-free: the signs a ReLU sees are random, and a
 * branch per element mispredicted half the time cost ~10x the loop. */
__attribute__((optimize("O3")))
static void mme_epilogue(float *restrict out, uint32_t m, uint32_t n, uint32_t ldo,
			 const float *restrict row, float beta, bool relu,
			 const float *restrict mask)
{
	for (uint32_t r = 0; r < m; r++) {
		float *o = out + (uint64_t)r * ldo;
		const float *mk = mask ? mask + (uint64_t)r * n : NULL;

		if (row)
			for (uint32_t j = 0; j < n; j++)
				o[j] += beta * row[j];
		if (relu)
			for (uint32_t j = 0; j < n; j++)
				o[j] = o[j] > 0.0f ? o[j] : 0.0f;
		if (mk)
			for (uint32_t j = 0; j < n; j++)
				o[j] = mk[j] > 0.0f ? o[j] : 0.0f;
	}
}

/* One batch element: D = alpha * op(A) x op(B) + beta * C, then the output stage. */
static int mme_gemm_one(struct loom_dev *dev, uint32_t asid, struct loom_mme *mme,
			const struct loom_pkt_mme *p, uint32_t b, float alpha, float beta,
			struct loom_fault *f)
{
	bool ta = p->ctrl & LOOM_MME_F_TRANS_A, tb = p->ctrl & LOOM_MME_F_TRANS_B;
	bool in16 = LOOM_MME_IN_DTYPE(p->ctrl) == LOOM_DTYPE_BF16;
	bool out16 = LOOM_MME_OUT_DTYPE(p->ctrl) == LOOM_DTYPE_BF16;
	bool bcast = (p->ctrl & LOOM_MME_F_BCAST_C) && beta != 0.0f;
	bool relu = p->ctrl & LOOM_MME_F_RELU, masked = p->ctrl & LOOM_MME_F_MASK_C;
	struct mme_mat A, B, C = { 0 }, D;
	const float *pa, *pb, *crow = NULL, *mask = NULL;
	uint32_t lda, ldb, ldo;
	float *out, *tc;
	int ret;

	mme_mat_init(&A, p->a + b * p->stride_a, ta ? p->k : p->m, ta ? p->m : p->k,
		     p->lda, in16);
	mme_mat_init(&B, p->b + b * p->stride_b, tb ? p->n : p->k, tb ? p->k : p->n,
		     p->ldb, in16);
	mme_mat_init(&D, p->d + b * p->stride_d, p->m, p->n, p->ldd, out16);
	if (beta != 0.0f || masked)
		mme_mat_init(&C, p->c + b * p->stride_c, bcast ? 1 : p->m, p->n,
			     bcast ? p->n : p->ldc, out16);

	ret = mme_mat_resolve(dev, asid, &A, false, f);
	if (!ret)
		ret = mme_mat_resolve(dev, asid, &B, false, f);
	if (!ret && (beta != 0.0f || masked))
		ret = mme_mat_resolve(dev, asid, &C, false, f);
	if (!ret)
		ret = mme_mat_resolve(dev, asid, &D, true, f);
	if (!ret)
		ret = mme_input(dev, asid, mme, &A, &mme->ta, &pa, &lda, f);
	if (!ret)
		ret = mme_input(dev, asid, mme, &B, &mme->tb, &pb, &ldb, f);
	if (ret)
		return ret;

	/* The accumulator: D itself, or a packed fp32 temporary. */
	if (D.host && !out16) {
		out = (float *)D.host;
		ldo = D.ld;
	} else {
		out = mme_buf_get(&mme->td, (uint64_t)p->m * p->n * sizeof(float));
		if (!out)
			return LOOM_ERR_BAD_ARG;
		ldo = p->n;
	}

	if (masked || bcast) {
		/* The mask (C.rows = m) or the bias row (1), read before the product. */
		tc = mme_buf_get(&mme->tc, (uint64_t)C.rows * p->n * sizeof(float));
		if (!tc)
			return LOOM_ERR_BAD_ARG;
		ret = mme_mat_load(dev, asid, mme, &C, tc, p->n, f);
		if (ret)
			return ret;
		*(masked ? &mask : &crow) = tc;
	} else if (beta != 0.0f) {
		if (C.va == D.va && C.ld == D.ld) {
			/* C is D: in place, or load it into the temporary. */
			if (out != (float *)D.host)
				ret = mme_mat_load(dev, asid, mme, &C, out, ldo, f);
		} else if (out == (float *)D.host &&
			   mme_ranges_overlap(C.va, C.span, D.va, D.span)) {
			/* Partly overlapping: copying C row by row into D would eat C. */
			tc = mme_buf_get(&mme->tc, (uint64_t)p->m * p->n * sizeof(float));
			if (!tc)
				return LOOM_ERR_BAD_ARG;
			ret = mme_mat_load(dev, asid, mme, &C, tc, p->n, f);
			for (uint32_t r = 0; !ret && r < p->m; r++)
				memcpy(out + (uint64_t)r * ldo, tc + (uint64_t)r * p->n,
				       (size_t)p->n * sizeof(float));
		} else {
			ret = mme_mat_load(dev, asid, mme, &C, out, ldo, f);
		}
		if (ret)
			return ret;
	}

	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
		    tb ? CblasTrans : CblasNoTrans, (int)p->m, (int)p->n, (int)p->k,
		    alpha, pa, (int)lda, pb, (int)ldb, bcast ? 0.0f : beta, out, (int)ldo);
	if (crow || relu || mask)
		mme_epilogue(out, p->m, p->n, ldo, crow, beta, relu, mask);

	if (out != (float *)D.host || out16)
		return mme_mat_store(dev, asid, mme, &D, out, ldo, f);
	return LOOM_ERR_NONE;
}

static uint64_t mme_mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static void mme_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int loom_mme_exec(struct loom_dev *dev, uint32_t asid, const struct loom_pkt_mme *p,
		  struct loom_fault *f)
{
	struct loom_mme *mme = dev->mme;
	uint32_t ein = LOOM_MME_IN_DTYPE(p->ctrl) == LOOM_DTYPE_BF16 ? 2 : 4;
	uint32_t eout = LOOM_MME_OUT_DTYPE(p->ctrl) == LOOM_DTYPE_BF16 ? 2 : 4;
	struct loom_fault tmp;
	uint64_t t0, busy, flops, bytes, mn;
	float alpha, beta;
	double slow;
	uint32_t b;
	int ret;

	if (!mme)
		return LOOM_ERR_UNSUPPORTED;
	if (!f)
		f = &tmp;
	memcpy(&alpha, &p->alpha, sizeof(alpha));
	memcpy(&beta, &p->beta, sizeof(beta));
	ret = mme_check(p, beta);
	if (ret)
		return ret;

	pthread_mutex_lock(&mme->lock);
	t0 = loom_now_ns();
	for (b = 0, ret = 0; b < p->batch; b++) {
		ret = mme_gemm_one(dev, asid, mme, p, b, alpha, beta, f);
		if (ret)
			break;
	}
	busy = loom_now_ns() - t0;

	/* Account the elements that completed. */
	mn = (uint64_t)p->m * p->n;
	flops = mme_mul_sat(mme_mul_sat(2 * mn, p->k), b);
	bytes = mme_mul_sat((uint64_t)p->m * p->k + (uint64_t)p->k * p->n, ein) +
		mme_mul_sat(mn, eout * (beta != 0.0f ? 2 : 1));
	bytes = mme_mul_sat(bytes, b);
	slow = loom_power_slowdown(dev, LOOM_ENGINE_MME);
	if (!(slow > 1.0))
		slow = 1.0;
	loom_power_account(dev, LOOM_ENGINE_MME, asid, (uint64_t)(busy * slow), flops, bytes);
	if (slow > 1.0)
		mme_sleep_ns((uint64_t)(busy * (slow - 1.0)));
	pthread_mutex_unlock(&mme->lock);
	return ret;
}

int loom_mme_init(struct loom_dev *dev)
{
	struct loom_mme *mme;
	unsigned threads = dev->cfg.mme_threads;
	long cpus;

	mme = calloc(1, sizeof(*mme));
	if (!mme)
		return -ENOMEM;
	pthread_mutex_init(&mme->lock, NULL);
	if (!threads) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	openblas_set_num_threads((int)threads);
	dev->mme = mme;
	return 0;
}

void loom_mme_fini(struct loom_dev *dev)
{
	struct loom_mme *mme = dev->mme;

	if (!mme)
		return;
	pthread_mutex_destroy(&mme->lock);
	free(mme->ta.p);
	free(mme->tb.p);
	free(mme->tc.p);
	free(mme->td.p);
	free(mme->row.p);
	free(mme);
	dev->mme = NULL;
}
