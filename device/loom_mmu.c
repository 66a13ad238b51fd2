// SPDX-License-Identifier: MIT
/*
 * Loom device model: the MMU.
 *
 * Translates a context's device virtual addresses to device physical
 * addresses by walking its four-level page table (hw/loom_mmu.h), rooted at
 * the ASID's PGD register, and resolves physical addresses to host pointers
 * (DRAM or a host window). Engines work on physically contiguous runs: a
 * range is walked once, page by page, with the tables of the current path
 * kept between pages, and adjacent pages whose PAs follow each other are
 * merged into one run, so a contiguous buffer costs one callback whatever
 * its page size.
 *
 * There is no translation cache: every operation walks the tables as they
 * are in memory when it starts, so invalidation has nothing to drop.
 * PTEs are read with atomic loads since drivers edit tables concurrently.
 *
 * All functions here dereference host-window memory: callers hold
 * loom_dev_access_begin().
 */
#include <errno.h>
#include <string.h>

#include "loom_device.h"

#define LOOM_VA_LIMIT	(1ULL << LOOM_VA_BITS)

/*
 * A walk in progress over one VA range: the host pointers of the tables on
 * the path to the last leaf, tagged with the VA bits above what each table
 * covers, so consecutive pages only re-read their leaf entry.
 */
struct mmu_walk {
	struct loom_dev *dev;
	uint32_t asid;
	bool write;
	uint64_t root;			/* PA of the level-0 table */
	const uint64_t *tbl[LOOM_PT_LEVELS];
	uint64_t tag[LOOM_PT_LEVELS];	/* va >> (LOOM_PT_SHIFT(l) + 9) */
	unsigned depth;			/* levels 0..depth-1 of tbl/tag are valid */
};

/* One translated leaf: PA of va and what is left of its page. */
struct mmu_leaf {
	uint64_t pa;
	uint64_t left;
	uint8_t *host;			/* host pointer of pa */
};

static int mmu_fault(struct loom_fault *f, uint32_t asid, uint64_t va, bool write,
		     uint32_t cause)
{
	if (f) {
		f->va = va;
		f->asid = asid;
		f->cause = cause;
		f->write = write;
	}
	return (int)cause;
}

/*
 * Host pointer of PA range [pa, pa + len); DRAM is resolved inline since it
 * is the common case and its mapping never moves.
 */
static inline uint8_t *mmu_pa_host(struct loom_dev *dev, uint64_t pa, uint64_t len)
{
	if (pa < dev->dram_size && len <= dev->dram_size - pa)
		return dev->dram + pa;
	return loom_dev_pa_ptr(dev, pa, len);
}

static int mmu_walk_init(struct mmu_walk *w, struct loom_dev *dev, uint32_t asid,
			 bool write, uint64_t va, struct loom_fault *f)
{
	uint32_t ctrl;

	w->dev = dev;
	w->asid = asid;
	w->write = write;
	w->depth = 0;
	if (asid == 0 || asid >= LOOM_NUM_ASIDS)
		return mmu_fault(f, asid, va, write, LOOM_FAULT_ASID);
	ctrl = loom_reg_read(dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL));
	if (!(ctrl & 1))
		return mmu_fault(f, asid, va, write, LOOM_FAULT_ASID);
	w->root = loom_reg_read64(dev, LOOM_REG_ASID(asid, LOOM_AREG_PGD_LO));
	return 0;
}

/* Translate one VA with the walk's context, reusing the cached path. */
static int mmu_walk_va(struct mmu_walk *w, uint64_t va, struct mmu_leaf *leaf,
		       struct loom_fault *f)
{
	uint64_t table_pa, pte, page_size, pa;
	const uint64_t *tbl;
	unsigned l;

	if (va >= LOOM_VA_LIMIT)
		return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_NONCANONICAL);

	/* Keep the cached tables that cover va; start at the deepest. */
	while (w->depth > 0 &&
	       w->tag[w->depth - 1] != va >> (LOOM_PT_SHIFT(w->depth - 1) + 9))
		w->depth--;
	l = w->depth ? w->depth - 1 : 0;

	for (;; l++) {
		if (l == w->depth) {
			if (l == 0) {
				table_pa = w->root;
			} else {
				pte = __atomic_load_n(&w->tbl[l - 1][LOOM_PT_INDEX(va, l - 1)],
						      __ATOMIC_ACQUIRE);
				table_pa = LOOM_PTE_ADDR(pte);
			}
			if (table_pa & (LOOM_PT_SIZE - 1))
				return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_BAD_PA);
			tbl = (const uint64_t *)mmu_pa_host(w->dev, table_pa, LOOM_PT_SIZE);
			if (!tbl)
				return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_BAD_PA);
			w->tbl[l] = tbl;
			w->tag[l] = va >> (LOOM_PT_SHIFT(l) + 9);
			w->depth = l + 1;
		}
		pte = __atomic_load_n(&w->tbl[l][LOOM_PT_INDEX(va, l)], __ATOMIC_ACQUIRE);
		if (!(pte & LOOM_PTE_VALID))
			return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_NOT_PRESENT);
		if (l == 3 || (l == 2 && (pte & LOOM_PTE_HUGE)))
			break;
		/* A table entry: descend (fetching the next table if not cached). */
	}

	if (w->write && !(pte & LOOM_PTE_WRITE))
		return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_WRITE);
	page_size = l == 3 ? LOOM_PAGE_SIZE : LOOM_HUGE_SIZE;
	pa = LOOM_PTE_ADDR(pte);
	if (pa & (page_size - 1))
		return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_BAD_PA);
	leaf->host = mmu_pa_host(w->dev, pa, page_size);
	if (!leaf->host)
		return mmu_fault(f, w->asid, va, w->write, LOOM_FAULT_BAD_PA);
	leaf->left = page_size - (va & (page_size - 1));
	leaf->pa = pa + (va & (page_size - 1));
	leaf->host += va & (page_size - 1);
	return 0;
}

int loom_mmu_translate(struct loom_dev *dev, uint32_t asid, uint64_t va, bool write,
		       uint64_t *pa, uint64_t *left, struct loom_fault *f)
{
	struct mmu_walk w;
	struct mmu_leaf leaf;
	int ret;

	ret = mmu_walk_init(&w, dev, asid, write, va, f);
	if (!ret)
		ret = mmu_walk_va(&w, va, &leaf, f);
	if (ret)
		return ret;
	if (pa)
		*pa = leaf.pa;
	if (left)
		*left = leaf.left;
	return 0;
}

/*
 * Fast path of a run: how many bytes of [va, va + len) (va page aligned)
 * the current level-3 table maps as 4 KiB pages continuing at pa with the
 * walk's permission. Host validity is checked by the caller, per run.
 */
static uint64_t mmu_scan_l3(const struct mmu_walk *w, uint64_t va, uint64_t len,
			    uint64_t pa)
{
	const uint64_t need = LOOM_PTE_VALID | (w->write ? LOOM_PTE_WRITE : 0);
	const uint64_t *tbl = w->tbl[3];
	unsigned idx = (unsigned)LOOM_PT_INDEX(va, 3);
	uint64_t n = 0, pte;

	for (; idx < LOOM_PT_ENTRIES && n < len; idx++, n += LOOM_PAGE_SIZE) {
		pte = __atomic_load_n(&tbl[idx], __ATOMIC_ACQUIRE);
		if ((pte & need) != need || LOOM_PTE_ADDR(pte) != pa + n)
			break;
	}
	return n < len ? n : len;
}

/*
 * Next physically contiguous run of [va, va + len): *host and *run_len.
 * Pages are merged while both their PAs and host addresses follow on.
 */
static int mmu_walk_run(struct mmu_walk *w, uint64_t va, uint64_t len, uint8_t **host,
			uint64_t *run_len, struct loom_fault *f)
{
	struct mmu_leaf leaf;
	uint64_t start_pa, got, n;
	int ret;

	ret = mmu_walk_va(w, va, &leaf, f);
	if (ret)
		return ret;
	*host = leaf.host;
	start_pa = leaf.pa;
	got = leaf.left < len ? leaf.left : len;
	while (got < len) {
		/* The rest of the current leaf table in one sweep. */
		if (w->depth == LOOM_PT_LEVELS &&
		    w->tag[3] == (va + got) >> (LOOM_PT_SHIFT(3) + 9)) {
			n = mmu_scan_l3(w, va + got, len - got, start_pa + got);
			if (n && mmu_pa_host(w->dev, start_pa, got + n) == *host) {
				got += n;
				if (got == len)
					break;
			}
		}
		/* One page the slow way: next table, huge page, fault or end of run. */
		ret = mmu_walk_va(w, va + got, &leaf, f);
		if (ret)
			return ret;
		if (leaf.pa != start_pa + got || leaf.host != *host + got)
			break;
		got += leaf.left < len - got ? leaf.left : len - got;
	}
	*run_len = got;
	return 0;
}

void *loom_mmu_ptr(struct loom_dev *dev, uint32_t asid, uint64_t va, uint64_t len,
		   bool write, struct loom_fault *f)
{
	struct mmu_walk w;
	uint8_t *host, *first;
	uint64_t off, run;

	if (f)
		f->cause = 0;
	if (len == 0)
		len = 1;
	if (mmu_walk_init(&w, dev, asid, write, va, f) ||
	    mmu_walk_run(&w, va, len, &first, &run, f))
		return NULL;
	if (run == len)
		return first;
	/* Not contiguous: walk the rest anyway so that faults are reported. */
	for (off = run; off < len; off += run)
		if (mmu_walk_run(&w, va + off, len - off, &host, &run, f))
			return NULL;
	mmu_fault(f, asid, va, write, 0);
	return NULL;
}

int loom_mmu_for_each(struct loom_dev *dev, uint32_t asid, uint64_t va, uint64_t len,
		      bool write, loom_span_fn fn, void *arg, struct loom_fault *f)
{
	struct mmu_walk w;
	uint8_t *host;
	uint64_t off = 0, run;
	int ret;

	ret = mmu_walk_init(&w, dev, asid, write, va, f);
	if (ret)
		return ret;
	while (off < len) {
		ret = mmu_walk_run(&w, va + off, len - off, &host, &run, f);
		if (ret)
			return ret;
		ret = fn(host, run, off, arg);
		if (ret)
			return ret;
		off += run;
	}
	return 0;
}

struct mmu_copy {
	uint8_t *buf;
	bool to_device;
};

static int mmu_copy_span(void *host, uint64_t len, uint64_t off, void *arg)
{
	struct mmu_copy *c = arg;

	if (c->to_device)
		memcpy(host, c->buf + off, len);
	else
		memcpy(c->buf + off, host, len);
	return 0;
}

int loom_mmu_read(struct loom_dev *dev, uint32_t asid, uint64_t va, void *dst,
		  uint64_t len, struct loom_fault *f)
{
	struct mmu_copy c = { .buf = dst, .to_device = false };

	return loom_mmu_for_each(dev, asid, va, len, false, mmu_copy_span, &c, f);
}

int loom_mmu_write(struct loom_dev *dev, uint32_t asid, uint64_t va, const void *src,
		   uint64_t len, struct loom_fault *f)
{
	struct mmu_copy c = { .buf = (uint8_t *)src, .to_device = true };

	return loom_mmu_for_each(dev, asid, va, len, true, mmu_copy_span, &c, f);
}

/* Protects the fault registers of every device: one report at a time. */
static pthread_mutex_t mmu_fault_lock = PTHREAD_MUTEX_INITIALIZER;

void loom_mmu_report_fault(struct loom_dev *dev, const struct loom_fault *f, unsigned queue)
{
	struct loom_event ev = {
		.type = LOOM_EVENT_PAGE_FAULT,
		.asid = f->asid < LOOM_NUM_ASIDS ? f->asid : LOOM_EVENT_ASID_NONE,
		.queue = queue,
		.info = f->cause,
		.addr = f->va,
	};

	pthread_mutex_lock(&mmu_fault_lock);
	loom_reg_write64(dev, LOOM_REG_MMU_FAULT_VA_LO, f->va);
	loom_reg_write(dev, LOOM_REG_MMU_FAULT_ASID, f->asid);
	loom_reg_write(dev, LOOM_REG_MMU_FAULT_CAUSE, f->cause);
	loom_reg_write(dev, LOOM_REG_MMU_FAULT_COUNT,
		       loom_reg_read(dev, LOOM_REG_MMU_FAULT_COUNT) + 1);
	pthread_mutex_unlock(&mmu_fault_lock);

	ev.timestamp_ns = loom_dev_time_ns(dev);
	loom_fw_post_event(dev, &ev);
}

/*
 * Nothing is cached between operations (see the top of the file), so a
 * changed table is seen by the next walk without any work here.
 */
void loom_mmu_invalidate(struct loom_dev *dev, uint32_t asid)
{
}
