// SPDX-License-Identifier: MIT
/*
 * Loom device model: the DMA engines.
 *
 * A linear DMA copies or fills a VA range of one context. Both sides are
 * first resolved through the MMU into lists of physically contiguous runs
 * (host pointers), which also checks every page before any byte moves, so
 * a faulting transfer leaves memory untouched. The transfer then runs over
 * the runs. A large transfer (LOOM_DMA_SPLIT_MIN and up) is split by offset
 * over the engines: the calling CP thread acts as engine 0 and persistent
 * worker threads as the others, woken through a condition variable. When
 * the workers are busy with another CP's transfer, the caller does the
 * whole transfer itself rather than wait.
 *
 * Each engine reports its busy time and bytes to the power model, and a
 * throttled device stretches a transfer by the power model's slow-down.
 *
 * The caller (the CP) holds loom_dev_access_begin() around the call; the
 * workers run only while the caller waits for them, under that same hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loom_device.h"

#define LOOM_DMA_SPLIT_MIN	(4ULL << 20)	/* split transfers from 4 MiB */
#define DMA_INLINE_RUNS		8

/* A contiguous host piece of a VA range. */
struct dma_run {
	uint8_t *host;
	uint64_t len;
};

struct dma_runs {
	struct dma_run *v;
	size_t n, cap;
	struct dma_run inline_v[DMA_INLINE_RUNS];
};

/* One engine's share of a transfer: bytes [lo, hi) of the range. */
struct dma_part {
	const struct dma_runs *dst;
	const struct dma_runs *src;	/* NULL: fill with value */
	uint32_t value;
	uint64_t lo, hi;
	uint64_t busy_ns;		/* out */
};

struct dma_worker {
	struct loom_dma *dma;
	pthread_t thread;
	struct dma_part part;
	bool pending;			/* part posted, not yet done */
};

struct loom_dma {
	struct loom_dev *dev;
	unsigned nengines;		/* caller + workers, <= LOOM_NUM_DMA */
	/* Held by the one transfer that uses the workers (trylock only). */
	pthread_mutex_t split_lock;
	/* Protects pending, stop; with work_cond and done_cond. */
	pthread_mutex_t lock;
	pthread_cond_t work_cond;
	pthread_cond_t done_cond;
	bool stop;
	struct dma_worker workers[LOOM_NUM_DMA - 1];
};

static void dma_runs_init(struct dma_runs *r)
{
	r->v = r->inline_v;
	r->n = 0;
	r->cap = DMA_INLINE_RUNS;
}

static void dma_runs_fini(struct dma_runs *r)
{
	if (r->v != r->inline_v)
		free(r->v);
}

static int dma_runs_add(void *host, uint64_t len, uint64_t off, void *arg)
{
	struct dma_runs *r = arg;
	struct dma_run *v;

	if (r->n == r->cap) {
		v = malloc(r->cap * 2 * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memcpy(v, r->v, r->n * sizeof(*v));
		if (r->v != r->inline_v)
			free(r->v);
		r->v = v;
		r->cap *= 2;
	}
	r->v[r->n].host = host;
	r->v[r->n].len = len;
	r->n++;
	return 0;
}

/*
 * Resolve [va, va + size) into runs. Returns LOOM_ERR_*; a contiguous range
 * takes one MMU pass through loom_mmu_ptr and no allocation.
 */
static int dma_resolve(struct loom_dev *dev, uint32_t asid, uint64_t va, uint64_t size,
		       bool write, struct dma_runs *r, struct loom_fault *f)
{
	struct loom_fault tmp;
	uint8_t *host;
	int ret;

	if (!f)
		f = &tmp;
	host = loom_mmu_ptr(dev, asid, va, size, write, f);
	if (host)
		return dma_runs_add(host, size, 0, r) ? LOOM_ERR_BAD_ARG : LOOM_ERR_NONE;
	if (f->cause == 0) {
		ret = loom_mmu_for_each(dev, asid, va, size, write, dma_runs_add, r, f);
		if (ret < 0)
			return LOOM_ERR_BAD_ARG;	/* out of host memory for the list */
	}
	if (f->cause == 0)
		return LOOM_ERR_NONE;
	return f->cause == LOOM_FAULT_WRITE ? LOOM_ERR_PERMISSION : LOOM_ERR_PAGE_FAULT;
}

/* Find the run holding byte off; *in gets the offset inside it. */
static size_t dma_runs_find(const struct dma_runs *r, uint64_t off, uint64_t *in)
{
	size_t i;

	for (i = 0; i < r->n && off >= r->v[i].len; i++)
		off -= r->v[i].len;
	*in = off;
	return i;
}

static void dma_fill32(uint8_t *p, uint32_t value, uint64_t len)
{
	uint32_t *w = (uint32_t *)p;
	uint64_t i;

	if ((value & 0xff) * 0x01010101U == value) {
		memset(p, value & 0xff, len);
		return;
	}
	for (i = 0; i < len / 4; i++)
		w[i] = value;
}

static void dma_part_run(struct dma_part *p)
{
	uint64_t t0 = loom_now_ns(), off = p->lo, din, sin = 0, n;
	size_t di, si = 0;

	di = dma_runs_find(p->dst, off, &din);
	if (p->src)
		si = dma_runs_find(p->src, off, &sin);
	while (off < p->hi) {
		n = p->dst->v[di].len - din;
		if (p->src && p->src->v[si].len - sin < n)
			n = p->src->v[si].len - sin;
		if (p->hi - off < n)
			n = p->hi - off;
		if (p->src)
			memcpy(p->dst->v[di].host + din, p->src->v[si].host + sin, n);
		else
			dma_fill32(p->dst->v[di].host + din, p->value, n);
		off += n;
		din += n;
		if (din == p->dst->v[di].len) {
			di++;
			din = 0;
		}
		if (p->src) {
			sin += n;
			if (sin == p->src->v[si].len) {
				si++;
				sin = 0;
			}
		}
	}
	p->busy_ns = loom_now_ns() - t0;
}

static void *dma_worker_main(void *arg)
{
	struct dma_worker *w = arg;
	struct loom_dma *dma = w->dma;

	pthread_mutex_lock(&dma->lock);
	for (;;) {
		while (!w->pending && !dma->stop)
			pthread_cond_wait(&dma->work_cond, &dma->lock);
		if (dma->stop)
			break;
		pthread_mutex_unlock(&dma->lock);
		dma_part_run(&w->part);
		pthread_mutex_lock(&dma->lock);
		w->pending = false;
		pthread_cond_broadcast(&dma->done_cond);
	}
	pthread_mutex_unlock(&dma->lock);
	return NULL;
}

static void dma_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Run a resolved transfer of size bytes, split over the engines when large,
 * then account it and apply throttling.
 */
static void dma_transfer(struct loom_dev *dev, const struct dma_runs *dst,
			 const struct dma_runs *src, uint32_t value, uint64_t size)
{
	struct loom_dma *dma = dev->dma;
	struct dma_part parts[LOOM_NUM_DMA];
	unsigned i, n = 1;
	uint64_t t0 = loom_now_ns(), wall, share;
	double slow;

	if (dma && dma->nengines > 1 && size >= LOOM_DMA_SPLIT_MIN &&
	    pthread_mutex_trylock(&dma->split_lock) == 0)
		n = dma->nengines;
	share = (size / n + 4095) & ~4095ULL;	/* page-sized shares, 4-byte aligned */
	for (i = 0; i < n; i++) {
		parts[i] = (struct dma_part){ .dst = dst, .src = src, .value = value };
		parts[i].lo = share * i < size ? share * i : size;
		parts[i].hi = share * (i + 1) < size && i + 1 < n ? share * (i + 1) : size;
	}
	if (n > 1) {
		pthread_mutex_lock(&dma->lock);
		for (i = 1; i < n; i++) {
			dma->workers[i - 1].part = parts[i];
			dma->workers[i - 1].pending = true;
		}
		pthread_cond_broadcast(&dma->work_cond);
		pthread_mutex_unlock(&dma->lock);
	}
	dma_part_run(&parts[0]);
	if (n > 1) {
		pthread_mutex_lock(&dma->lock);
		for (i = 1; i < n; i++) {
			while (dma->workers[i - 1].pending)
				pthread_cond_wait(&dma->done_cond, &dma->lock);
			parts[i].busy_ns = dma->workers[i - 1].part.busy_ns;
		}
		pthread_mutex_unlock(&dma->lock);
		pthread_mutex_unlock(&dma->split_lock);
	}
	wall = loom_now_ns() - t0;

	slow = loom_power_slowdown(dev, LOOM_ENGINE_DMA);
	if (!(slow > 1.0))
		slow = 1.0;
	for (i = 0; i < n; i++)
		loom_power_account(dev, LOOM_ENGINE_DMA, (uint64_t)(parts[i].busy_ns * slow),
				   0, parts[i].hi - parts[i].lo);
	if (slow > 1.0)
		dma_sleep_ns((uint64_t)(wall * (slow - 1.0)));
}

static bool dma_overlap(uint64_t a, uint64_t b, uint64_t size)
{
	return a <= b ? b - a < size : a - b < size;
}

int loom_dma_copy(struct loom_dev *dev, uint32_t asid, uint64_t dst, uint64_t src,
		  uint64_t size, struct loom_fault *f)
{
	struct dma_runs rd, rs;
	int ret;

	if (size == 0 || dma_overlap(dst, src, size))
		return LOOM_ERR_BAD_ARG;
	dma_runs_init(&rd);
	dma_runs_init(&rs);
	ret = dma_resolve(dev, asid, src, size, false, &rs, f);
	if (!ret)
		ret = dma_resolve(dev, asid, dst, size, true, &rd, f);
	if (!ret)
		dma_transfer(dev, &rd, &rs, 0, size);
	dma_runs_fini(&rs);
	dma_runs_fini(&rd);
	return ret;
}

int loom_dma_fill(struct loom_dev *dev, uint32_t asid, uint64_t dst, uint32_t value,
		  uint64_t size, struct loom_fault *f)
{
	struct dma_runs rd;
	int ret;

	if (size == 0 || (size & 3) || (dst & 3))
		return LOOM_ERR_BAD_ARG;
	dma_runs_init(&rd);
	ret = dma_resolve(dev, asid, dst, size, true, &rd, f);
	if (!ret)
		dma_transfer(dev, &rd, NULL, value, size);
	dma_runs_fini(&rd);
	return ret;
}

static void dma_stop_workers(struct loom_dma *dma, unsigned started)
{
	unsigned i;

	pthread_mutex_lock(&dma->lock);
	dma->stop = true;
	pthread_cond_broadcast(&dma->work_cond);
	pthread_mutex_unlock(&dma->lock);
	for (i = 0; i < started; i++)
		pthread_join(dma->workers[i].thread, NULL);
}

int loom_dma_init(struct loom_dev *dev)
{
	struct loom_dma *dma;
	unsigned want = dev->cfg.dma_threads, i;
	long cpus;
	int ret;

	dma = calloc(1, sizeof(*dma));
	if (!dma)
		return -ENOMEM;
	if (!want) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		want = cpus > 0 ? (unsigned)cpus : 1;
	}
	dma->dev = dev;
	dma->nengines = want < LOOM_NUM_DMA ? want : LOOM_NUM_DMA;
	pthread_mutex_init(&dma->split_lock, NULL);
	pthread_mutex_init(&dma->lock, NULL);
	pthread_cond_init(&dma->work_cond, NULL);
	pthread_cond_init(&dma->done_cond, NULL);
	for (i = 0; i + 1 < dma->nengines; i++) {
		dma->workers[i].dma = dma;
		ret = pthread_create(&dma->workers[i].thread, NULL, dma_worker_main,
				     &dma->workers[i]);
		if (ret) {
			dma_stop_workers(dma, i);
			goto err_free;
		}
	}
	dev->dma = dma;
	return 0;

err_free:
	pthread_cond_destroy(&dma->done_cond);
	pthread_cond_destroy(&dma->work_cond);
	pthread_mutex_destroy(&dma->lock);
	pthread_mutex_destroy(&dma->split_lock);
	free(dma);
	return -ret;
}

void loom_dma_fini(struct loom_dev *dev)
{
	struct loom_dma *dma = dev->dma;

	if (!dma)
		return;
	dma_stop_workers(dma, dma->nengines - 1);
	pthread_cond_destroy(&dma->done_cond);
	pthread_cond_destroy(&dma->work_cond);
	pthread_mutex_destroy(&dma->lock);
	pthread_mutex_destroy(&dma->split_lock);
	free(dma);
	dev->dma = NULL;
}
