// SPDX-License-Identifier: MIT
/*
 * Loom device model: the DMA engines.
 *
 * A linear DMA copies or fills a VA range of one context. Both sides are
 * first resolved through the MMU into lists of physically contiguous runs
 * (host pointers), which also checks every page before any byte moves, so
 * a faulting transfer leaves memory untouched. The transfer then runs over
 * the runs. A large transfer (LOOM_DMA_SPLIT_MIN and up) is shared by the
 * engines in chunks: the calling CP thread acts as engine 0 and persistent
 * worker threads as the others, woken through a condition variable; each
 * engine takes the next chunk until none is left. When the workers are
 * busy with another CP's transfer, the caller does the whole transfer
 * itself rather than wait.
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
#define DMA_CHUNK		(2ULL << 20)	/* unit the engines share out */
#define DMA_INLINE_RUNS		8

/* A contiguous host piece of a VA range, at byte off of the range. */
struct dma_run {
	uint8_t *host;
	uint64_t len;
	uint64_t off;
};

struct dma_runs {
	struct dma_run *v;
	size_t n, cap;
	struct dma_run inline_v[DMA_INLINE_RUNS];
};

/* A transfer shared by the engines, taken in chunks of DMA_CHUNK bytes. */
struct dma_job {
	const struct dma_runs *dst;
	const struct dma_runs *src;	/* NULL: fill with value */
	uint32_t value;
	uint64_t size;
	uint64_t nchunks;
	atomic_uint_fast64_t next;	/* next chunk to take */
};

/* What one engine did for a job. */
struct dma_share {
	uint64_t busy_ns;
	uint64_t bytes;
};

enum dma_worker_state {
	DMA_WORKER_IDLE,
	DMA_WORKER_POSTED,		/* job handed over, not picked up yet */
	DMA_WORKER_RUNNING,
};

struct dma_worker {
	struct loom_dma *dma;
	pthread_t thread;
	enum dma_worker_state state;
	struct dma_job *job;
	struct dma_share share;
};

struct loom_dma {
	struct loom_dev *dev;
	unsigned nengines;		/* caller + workers, <= LOOM_NUM_DMA */
	/*
	 * Protects the workers from a second transfer: held (trylock only)
	 * by the one transfer that shares its chunks with them.
	 */
	pthread_mutex_t split_lock;
	/* Protects the workers' state, job and share, and stop. */
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
	r->v[r->n].off = off;
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

/* Find the run holding byte off (< the range's size); *in gets the offset inside it. */
static size_t dma_runs_find(const struct dma_runs *r, uint64_t off, uint64_t *in)
{
	size_t lo = 0, hi = r->n, mid;

	/* Last run starting at or before off. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (r->v[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	*in = off - r->v[lo].off;
	return lo;
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

/* Move bytes [lo, hi) of a job. */
static void dma_job_range(const struct dma_job *j, uint64_t lo, uint64_t hi)
{
	uint64_t off = lo, din, sin = 0, n;
	size_t di, si = 0;

	di = dma_runs_find(j->dst, off, &din);
	if (j->src)
		si = dma_runs_find(j->src, off, &sin);
	while (off < hi) {
		n = j->dst->v[di].len - din;
		if (j->src && j->src->v[si].len - sin < n)
			n = j->src->v[si].len - sin;
		if (hi - off < n)
			n = hi - off;
		if (j->src)
			memcpy(j->dst->v[di].host + din, j->src->v[si].host + sin, n);
		else
			dma_fill32(j->dst->v[di].host + din, j->value, n);
		off += n;
		din += n;
		if (din == j->dst->v[di].len) {
			di++;
			din = 0;
		}
		if (j->src) {
			sin += n;
			if (sin == j->src->v[si].len) {
				si++;
				sin = 0;
			}
		}
	}
}

/* Take chunks of the job until none is left; one engine's part. */
static void dma_job_work(struct dma_job *j, struct dma_share *share)
{
	uint64_t t0 = 0, c, lo, hi;

	while ((c = atomic_fetch_add(&j->next, 1)) < j->nchunks) {
		if (!t0)
			t0 = loom_now_ns();
		lo = c * DMA_CHUNK;
		hi = j->size - lo < DMA_CHUNK ? j->size : lo + DMA_CHUNK;
		dma_job_range(j, lo, hi);
		share->bytes += hi - lo;
	}
	if (t0)
		share->busy_ns += loom_now_ns() - t0;
}

static void *dma_worker_main(void *arg)
{
	struct dma_worker *w = arg;
	struct loom_dma *dma = w->dma;
	struct dma_share share;
	struct dma_job *job;

	pthread_mutex_lock(&dma->lock);
	for (;;) {
		while (w->state != DMA_WORKER_POSTED && !dma->stop)
			pthread_cond_wait(&dma->work_cond, &dma->lock);
		if (dma->stop)
			break;
		w->state = DMA_WORKER_RUNNING;
		job = w->job;
		pthread_mutex_unlock(&dma->lock);

		share = (struct dma_share){ 0 };
		dma_job_work(job, &share);

		pthread_mutex_lock(&dma->lock);
		w->share = share;
		w->state = DMA_WORKER_IDLE;
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
 * Run a resolved transfer of size bytes, shared with the other engines when
 * large, then account it and apply throttling. A worker that has not picked
 * the job up by the time the caller ran out of chunks is called off, so a
 * busy host CPU never makes a split transfer slower than an unsplit one.
 */
static void dma_transfer(struct loom_dev *dev, uint32_t asid, const struct dma_runs *dst,
			 const struct dma_runs *src, uint32_t value, uint64_t size)
{
	struct loom_dma *dma = dev->dma;
	struct dma_job job = {
		.dst = dst, .src = src, .value = value, .size = size,
		.nchunks = (size + DMA_CHUNK - 1) / DMA_CHUNK,
	};
	struct dma_share shares[LOOM_NUM_DMA] = { { 0 } };
	struct dma_worker *w;
	unsigned i, n = 1;
	uint64_t t0 = loom_now_ns(), wall;
	double slow;

	atomic_init(&job.next, 0);
	if (dma && dma->nengines > 1 && size >= LOOM_DMA_SPLIT_MIN &&
	    pthread_mutex_trylock(&dma->split_lock) == 0) {
		n = dma->nengines;
		pthread_mutex_lock(&dma->lock);
		for (i = 1; i < n; i++) {
			w = &dma->workers[i - 1];
			w->job = &job;
			w->share = (struct dma_share){ 0 };
			w->state = DMA_WORKER_POSTED;
		}
		pthread_cond_broadcast(&dma->work_cond);
		pthread_mutex_unlock(&dma->lock);
	}
	dma_job_work(&job, &shares[0]);
	if (n > 1) {
		pthread_mutex_lock(&dma->lock);
		for (i = 1; i < n; i++) {
			w = &dma->workers[i - 1];
			if (w->state == DMA_WORKER_POSTED)
				w->state = DMA_WORKER_IDLE;
			while (w->state == DMA_WORKER_RUNNING)
				pthread_cond_wait(&dma->done_cond, &dma->lock);
			shares[i] = w->share;
			w->job = NULL;
		}
		pthread_mutex_unlock(&dma->lock);
		pthread_mutex_unlock(&dma->split_lock);
	}
	wall = loom_now_ns() - t0;

	slow = loom_power_slowdown(dev, LOOM_ENGINE_DMA);
	if (!(slow > 1.0))
		slow = 1.0;
	for (i = 0; i < n; i++)
		if (shares[i].bytes)
			loom_power_account(dev, LOOM_ENGINE_DMA, asid,
					   (uint64_t)(shares[i].busy_ns * slow), 0,
					   shares[i].bytes);
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
		dma_transfer(dev, asid, &rd, &rs, 0, size);
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
		dma_transfer(dev, asid, &rd, NULL, value, size);
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
