// SPDX-License-Identifier: MIT
/*
 * Loom device model: the TPC vector cores.
 *
 * LOOM_NUM_TPC emulated cores run LOOM_PKT_TPC_LAUNCH packets, one launch
 * at a time. A launch is checked, its code fetched through the MMU and
 * decoded into micro-ops (or found in a small cache keyed by code VA,
 * size and content), its tensor descriptors resolved, and its index space
 * cut into work items along part_dim; item k belongs to core k %
 * LOOM_NUM_TPC. The cores are run by a pool of host threads no larger
 * than the number of CPUs (the CP thread that runs the packet is one of
 * them): each thread takes the next core that has not started and runs
 * all of that core's items, so 8 cores may share 2 host threads.
 *
 * A launch too small to be worth waking the other host threads for (its
 * program's host time per index point, averaged over its earlier launches,
 * times its points is under TPC_INLINE_NS) runs all its cores on the
 * calling thread, in the same order; the results are the same.
 *
 * A core that fails (illegal instruction, out-of-bounds access, page
 * fault, watchdog) records the launch's first error and makes the other
 * cores stop at their next backward branch or item. The error is recorded
 * in the LOOM_REG_TPC_ERR_* registers and returned to the CP, which halts
 * the queue and posts the event; the engine is ready for the next launch.
 *
 * Accounting: every core that had work counts as busy for the launch's
 * wall time (the emulated cores run side by side), with the lane
 * operations of fp instructions as flops and tensor bytes moved.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loom_tpc_internal.h"

#define TPC_CACHE_N	8
/* Below this much expected work a launch runs on the CP's thread alone:
 * handing work to another host thread and waiting for it costs about as
 * much (a futex wake and a wait, 10-50 us on a loaded 2-core host). */
#define TPC_INLINE_NS	40000

struct loom_tpc {
	struct loom_dev *dev;

	/* Protects the engine: one launch at a time, the cores, the decode cache. */
	pthread_mutex_t lock;
	struct tpc_core *core[LOOM_NUM_TPC];
	struct tpc_prog *cache[TPC_CACHE_N];
	uint64_t use_clock;
	uint64_t *code;			/* fetch buffer */
	uint32_t code_cap;		/* words */

	/* Protects job, gen, busy and quit. */
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cv;		/* a new job or quit */
	pthread_cond_t done_cv;		/* busy dropped to 0 */
	struct tpc_launch *job;
	uint64_t gen;
	unsigned busy;
	bool quit;
	unsigned nworkers;
	unsigned started;
	pthread_t workers[LOOM_NUM_TPC];
};

/* ---- errors and checks ----------------------------------------------------- */

void tpc_launch_fail(struct tpc_launch *l, unsigned core, uint32_t pc, int err,
		     const struct loom_fault *f)
{
	pthread_mutex_lock(&l->err_lock);
	if (!l->err) {
		l->err = err;
		l->err_core = core;
		l->err_pc = pc;
		if (f)
			l->fault = *f;
	}
	pthread_mutex_unlock(&l->err_lock);
	atomic_store(&l->stop, 1);
}

int tpc_launch_check(struct tpc_launch *l)
{
	if (atomic_load_explicit(&l->stop, memory_order_relaxed))
		return LOOM_ERR_ABORTED;
	if (loom_cp_aborting(l->dev, l->q))
		return LOOM_ERR_ABORTED;
	if (l->deadline_ns && loom_now_ns() >= l->deadline_ns)
		return LOOM_ERR_TPC_TIMEOUT;
	return LOOM_ERR_NONE;
}

/* ---- running cores ---------------------------------------------------------- */

/* Run all of core k's work items. */
static void tpc_run_core(struct loom_tpc *tpc, struct tpc_launch *l, unsigned k)
{
	struct tpc_core *c = tpc->core[k];
	unsigned pd = l->part_dim;
	uint32_t pc = 0;
	int err;

	if (k >= l->nitems)
		return;
	tpc_core_reset(c, l);
	atomic_fetch_add(&l->active_cores, 1);
	for (uint32_t item = k; item < l->nitems; item += LOOM_NUM_TPC) {
		err = tpc_launch_check(l);
		if (err) {
			tpc_launch_fail(l, k, 0, err, NULL);
			break;
		}
		c->item = item;
		for (unsigned d = 0; d < LOOM_TPC_DIMS; d++) {
			c->off[d] = 0;
			c->size[d] = (int32_t)l->index[d];
		}
		c->off[pd] = (int32_t)(item * l->grain);
		c->size[pd] = (int32_t)(l->index[pd] - item * l->grain < l->grain ?
					l->index[pd] - item * l->grain : l->grain);
		err = tpc_core_run(c, &pc);
		if (err) {
			tpc_launch_fail(l, k, pc, err, &c->fault);
			break;
		}
	}
	atomic_fetch_add(&l->flops, c->flops);
	atomic_fetch_add(&l->bytes, c->bytes);
}

static void tpc_run_cores(struct loom_tpc *tpc, struct tpc_launch *l)
{
	unsigned k;

	while ((k = atomic_fetch_add(&l->next_core, 1)) < LOOM_NUM_TPC)
		tpc_run_core(tpc, l, k);
}

static void *tpc_worker(void *arg)
{
	struct loom_tpc *tpc = arg;
	uint64_t seen = 0;
	struct tpc_launch *l;

	for (;;) {
		pthread_mutex_lock(&tpc->pool_lock);
		while (!tpc->quit && tpc->gen == seen)
			pthread_cond_wait(&tpc->pool_cv, &tpc->pool_lock);
		if (tpc->quit) {
			pthread_mutex_unlock(&tpc->pool_lock);
			break;
		}
		seen = tpc->gen;
		l = tpc->job;
		pthread_mutex_unlock(&tpc->pool_lock);

		tpc_run_cores(tpc, l);

		pthread_mutex_lock(&tpc->pool_lock);
		if (--tpc->busy == 0)
			pthread_cond_signal(&tpc->done_cv);
		pthread_mutex_unlock(&tpc->pool_lock);
	}
	return NULL;
}

/* Run the launch on the pool, the calling thread included (or on it alone). */
static void tpc_run(struct loom_tpc *tpc, struct tpc_launch *l, bool alone)
{
	bool helpers = tpc->started && l->nitems > 1 && !alone;

	if (helpers) {
		pthread_mutex_lock(&tpc->pool_lock);
		tpc->job = l;
		tpc->gen++;
		tpc->busy = tpc->started;
		pthread_cond_broadcast(&tpc->pool_cv);
		pthread_mutex_unlock(&tpc->pool_lock);
	}
	tpc_run_cores(tpc, l);
	if (helpers) {
		pthread_mutex_lock(&tpc->pool_lock);
		while (tpc->busy)
			pthread_cond_wait(&tpc->done_cv, &tpc->pool_lock);
		tpc->job = NULL;
		pthread_mutex_unlock(&tpc->pool_lock);
	}
}

/* ---- code ---------------------------------------------------------------------- */

/* The decoded program for the fetched words (cached); NULL: out of memory. */
static struct tpc_prog *tpc_prog_get(struct loom_tpc *tpc, uint64_t va, uint32_t n)
{
	uint64_t h = tpc_code_hash(tpc->code, n);
	struct tpc_prog *prog;
	unsigned i, victim = 0;

	for (i = 0; i < TPC_CACHE_N; i++) {
		prog = tpc->cache[i];
		if (prog && prog->va == va && prog->n == n && prog->hash == h &&
		    !memcmp(prog->raw, tpc->code, (size_t)n * 8)) {
			prog->last_use = ++tpc->use_clock;
			return prog;
		}
	}
	prog = tpc_prog_decode(tpc->code, n, va, h);
	if (!prog)
		return NULL;
	for (i = 0; i < TPC_CACHE_N; i++) {
		if (!tpc->cache[i]) {
			victim = i;
			break;
		}
		if (tpc->cache[i]->last_use < tpc->cache[victim]->last_use)
			victim = i;
	}
	tpc_prog_free(tpc->cache[victim]);
	tpc->cache[victim] = prog;
	prog->last_use = ++tpc->use_clock;
	return prog;
}

static int tpc_fetch(struct loom_tpc *tpc, uint32_t asid, uint64_t va, uint32_t n,
		     struct loom_fault *f)
{
	if (n > tpc->code_cap) {
		uint64_t *nb = realloc(tpc->code, (size_t)n * 8);

		if (!nb)
			return LOOM_ERR_BAD_ARG;
		tpc->code = nb;
		tpc->code_cap = n;
	}
	if (loom_mmu_read(tpc->dev, asid, va, tpc->code, (uint64_t)n * 8, f))
		return LOOM_ERR_PAGE_FAULT;
	return LOOM_ERR_NONE;
}

/* ---- launch ---------------------------------------------------------------------- */

static int tpc_check_packet(const struct loom_pkt_tpc_launch *p)
{
	if (p->flags)
		return LOOM_ERR_BAD_PACKET;
	if ((p->code & 7) || !p->code_size || (p->code_size & 7) ||
	    p->code_size > LOOM_TPC_CODE_MAX || p->num_tensors > LOOM_TPC_MAX_TENSORS ||
	    (p->tensors & 7) || p->slm_size > LOOM_TPC_SLM_SIZE ||
	    p->vlm_size > LOOM_TPC_VLM_SIZE || p->part_dim >= LOOM_TPC_DIMS)
		return LOOM_ERR_BAD_ARG;
	for (unsigned d = 0; d < LOOM_TPC_DIMS; d++)
		if (!p->index[d] || p->index[d] > INT32_MAX)
			return LOOM_ERR_BAD_ARG;
	return LOOM_ERR_NONE;
}

static void tpc_record_error(struct loom_dev *dev, const struct tpc_launch *l)
{
	loom_reg_write64(dev, LOOM_REG_TPC_ERR_VA_LO, l->code_va + (uint64_t)l->err_pc * 8);
	loom_reg_write(dev, LOOM_REG_TPC_ERR_INFO,
		       (uint32_t)l->err | (l->err_core << 8) | (l->q << 16));
	loom_reg_write(dev, LOOM_REG_TPC_ERR_ASID, l->asid);
	loom_reg_write(dev, LOOM_REG_TPC_ERR_COUNT,
		       loom_reg_read(dev, LOOM_REG_TPC_ERR_COUNT) + 1);
}

static void tpc_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Set up l from p (engine lock held), *prog its program; returns LOOM_ERR_*. */
static int tpc_launch_setup(struct loom_tpc *tpc, struct tpc_launch *l, unsigned q,
			    uint32_t asid, const struct loom_pkt_tpc_launch *p,
			    struct loom_fault *f, struct tpc_prog **prog)
{
	struct loom_tpc_tensor td[LOOM_TPC_MAX_TENSORS];
	uint32_t timeout_ms;
	int ret;

	l->dev = tpc->dev;
	l->q = q;
	l->asid = asid;
	l->code_va = p->code;
	ret = tpc_fetch(tpc, asid, p->code, p->code_size / 8, f);
	if (ret)
		return ret;
	*prog = tpc_prog_get(tpc, p->code, p->code_size / 8);
	l->prog = *prog;
	if (!l->prog)
		return LOOM_ERR_BAD_ARG;
	for (unsigned i = 0; i < LOOM_TPC_MAX_TENSORS; i++)
		l->t[i].fast_rd_t = l->t[i].fast_wr_t = 0xff;	/* no fast path: not valid */
	if (p->num_tensors &&
	    loom_mmu_read(tpc->dev, asid, p->tensors, td,
			  (uint64_t)p->num_tensors * sizeof(td[0]), f))
		return LOOM_ERR_PAGE_FAULT;
	for (unsigned i = 0; i < p->num_tensors; i++) {
		ret = tpc_tensor_resolve(l, i, &td[i], f);
		if (ret)
			return ret;
	}
	memcpy(l->index, p->index, sizeof(l->index));
	l->part_dim = p->part_dim;
	l->grain = p->grain ? p->grain :
		   (p->index[p->part_dim] + LOOM_NUM_TPC - 1) / LOOM_NUM_TPC;
	l->nitems = (uint32_t)(((uint64_t)p->index[p->part_dim] + l->grain - 1) / l->grain);
	l->slm_size = p->slm_size;
	l->vlm_size = p->vlm_size;
	memcpy(l->scalars, p->scalars, sizeof(l->scalars));
	timeout_ms = p->timeout_ms ? p->timeout_ms :
		     loom_reg_read(tpc->dev, LOOM_REG_QUEUE_TIMEOUT_MS);
	l->deadline_ns = timeout_ms ? loom_now_ns() + (uint64_t)timeout_ms * 1000000ULL : 0;
	return LOOM_ERR_NONE;
}

int loom_tpc_launch(struct loom_dev *dev, unsigned q, uint32_t asid,
		    const struct loom_pkt_tpc_launch *p, struct loom_fault *f)
{
	struct loom_tpc *tpc = dev->tpc;
	struct tpc_prog *prog = NULL;
	struct tpc_launch *l;
	uint64_t t0, wall, points = 1;
	bool alone;
	double slow;
	int ret;

	if (!tpc)
		return LOOM_ERR_UNSUPPORTED;
	ret = tpc_check_packet(p);
	if (ret)
		return ret;
	l = calloc(1, sizeof(*l));
	if (!l)
		return LOOM_ERR_BAD_ARG;
	pthread_mutex_init(&l->err_lock, NULL);

	pthread_mutex_lock(&tpc->lock);
	ret = tpc_launch_setup(tpc, l, q, asid, p, f, &prog);
	if (ret) {
		if (ret == LOOM_ERR_PAGE_FAULT && f && !f->cause)
			f->cause = LOOM_FAULT_NOT_PRESENT;
		goto out;
	}
	for (unsigned d = 0; d < LOOM_TPC_DIMS; d++)
		if (__builtin_mul_overflow(points, (uint64_t)l->index[d], &points))
			points = UINT64_MAX;
	alone = prog->ns_per_point && points < TPC_INLINE_NS / prog->ns_per_point;

	t0 = loom_now_ns();
	tpc_run(tpc, l, alone);
	wall = loom_now_ns() - t0;

	ret = l->err;
	if (!ret) {
		/* Host time per point (threads x wall), a running average. */
		unsigned used = alone || !tpc->started || l->nitems < 2 ? 1 : tpc->started + 1;
		uint64_t est = wall * used / points + 1;

		prog->ns_per_point = prog->ns_per_point ? (3 * prog->ns_per_point + est) / 4 : est;
	}
	if (ret && ret != LOOM_ERR_ABORTED)
		tpc_record_error(dev, l);
	if ((ret == LOOM_ERR_PAGE_FAULT || ret == LOOM_ERR_PERMISSION) && f)
		*f = l->fault;

	slow = loom_power_slowdown(dev, LOOM_ENGINE_TPC);
	if (!(slow > 1.0))
		slow = 1.0;
	loom_power_account(dev, LOOM_ENGINE_TPC, asid,
			   (uint64_t)(wall * slow) * atomic_load(&l->active_cores),
			   atomic_load(&l->flops), atomic_load(&l->bytes));
	if (slow > 1.0 && !ret)
		tpc_sleep_ns((uint64_t)(wall * (slow - 1.0)));
out:
	pthread_mutex_unlock(&tpc->lock);
	pthread_mutex_destroy(&l->err_lock);
	free(l);
	return ret;
}

/* ---- lifecycle ------------------------------------------------------------------- */

static void tpc_stop_workers(struct loom_tpc *tpc)
{
	pthread_mutex_lock(&tpc->pool_lock);
	tpc->quit = true;
	pthread_cond_broadcast(&tpc->pool_cv);
	pthread_mutex_unlock(&tpc->pool_lock);
	for (unsigned i = 0; i < tpc->started; i++)
		pthread_join(tpc->workers[i], NULL);
	tpc->started = 0;
}

static void tpc_free(struct loom_tpc *tpc)
{
	for (unsigned k = 0; k < LOOM_NUM_TPC; k++) {
		if (tpc->core[k]) {
			free(tpc->core[k]->slm);
			free(tpc->core[k]->vlm);
		}
		free(tpc->core[k]);
	}
	for (unsigned i = 0; i < TPC_CACHE_N; i++)
		tpc_prog_free(tpc->cache[i]);
	free(tpc->code);
	pthread_cond_destroy(&tpc->done_cv);
	pthread_cond_destroy(&tpc->pool_cv);
	pthread_mutex_destroy(&tpc->pool_lock);
	pthread_mutex_destroy(&tpc->lock);
	free(tpc);
}

int loom_tpc_init(struct loom_dev *dev)
{
	struct loom_tpc *tpc = calloc(1, sizeof(*tpc));
	unsigned threads = dev->cfg.tpc_threads;
	long cpus;

	if (!tpc)
		return -ENOMEM;
	tpc->dev = dev;
	pthread_mutex_init(&tpc->lock, NULL);
	pthread_mutex_init(&tpc->pool_lock, NULL);
	pthread_cond_init(&tpc->pool_cv, NULL);
	pthread_cond_init(&tpc->done_cv, NULL);
	for (unsigned k = 0; k < LOOM_NUM_TPC; k++) {
		struct tpc_core *c;

		if (posix_memalign((void **)&c, 64, sizeof(*c))) {
			tpc_free(tpc);
			return -ENOMEM;
		}
		memset(c, 0, sizeof(*c));
		tpc->core[k] = c;
		c->id = k;
		c->slm = calloc(1, LOOM_TPC_SLM_SIZE);
		c->vlm = calloc(1, LOOM_TPC_VLM_SIZE);
		if (!c->slm || !c->vlm) {
			tpc_free(tpc);
			return -ENOMEM;
		}
	}
	if (!threads) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (threads > LOOM_NUM_TPC)
		threads = LOOM_NUM_TPC;
	tpc->nworkers = threads - 1;
	for (unsigned i = 0; i < tpc->nworkers; i++) {
		if (pthread_create(&tpc->workers[i], NULL, tpc_worker, tpc))
			break;
		tpc->started++;
	}
	dev->tpc = tpc;
	return 0;
}

void loom_tpc_fini(struct loom_dev *dev)
{
	struct loom_tpc *tpc = dev->tpc;

	if (!tpc)
		return;
	tpc_stop_workers(tpc);
	dev->tpc = NULL;
	tpc_free(tpc);
}
