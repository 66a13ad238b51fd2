/* SPDX-License-Identifier: MIT */
/*
 * loom-demo: a chain of GEMMs on the Loom device, on two streams that
 * wait for each other through events, checked against the CPU and
 * followed by what the device's firmware says the work cost.
 *
 * One iteration of the chain (s0, s1 are streams; -> is an event):
 *   s0: X1 = A.B / sqrt(512)                      1024x512 . 512x768
 *   s1: Y1 = D.E / sqrt(1024)                      512x1024 . 1024x512
 *   s1: wait X1;      X2 = X1.C / sqrt(768)       1024x768 . 768x512
 *   s0: wait Y1, X2;  X3 = X2.Y1 / sqrt(512)      1024x512 . 512x512
 *   s0:               X4 = X3^T.X2 / 1024 + Y1    (trans_a, beta = 1)
 *   s1: wait X4;      X5 = X4.Y1^T / sqrt(512)    (trans_b)
 * The iterations are fenced by events both ways, so the device never holds
 * a host round trip. The results of the last iteration are copied back and
 * compared with the same chain in double precision on the CPU.
 *
 * Usage: loom-demo [ITERATIONS]   (default 16). Opens the default device
 * (LOOM_DEVICE, else a loomd socket, else "inproc").
 * Exit status: 0 PASS; 1 FAIL (results differ); 2 device error; 3 usage.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loom/loom.h>

#define DEMO_TOL	1e-4	/* max |device - cpu| / max |cpu| per matrix */
#define DEMO_MAX_ITERS	1000

enum { DM_A, DM_B, DM_C, DM_D, DM_E, DM_X1, DM_Y1, DM_X2, DM_X3, DM_X4, DM_X5, DM_COUNT };

struct demo_mat {
	const char *name;
	uint32_t rows, cols;
	uint64_t va;
	float *host;		/* inputs: the data; outputs: read back */
	double *ref;		/* CPU result (inputs: the data in double) */
};

static struct demo_mat demo_mats[DM_COUNT] = {
	[DM_A] = { "A", 1024, 512 },  [DM_B] = { "B", 512, 768 },   [DM_C] = { "C", 768, 512 },
	[DM_D] = { "D", 512, 1024 },  [DM_E] = { "E", 1024, 512 },  [DM_X1] = { "X1", 1024, 768 },
	[DM_Y1] = { "Y1", 512, 512 }, [DM_X2] = { "X2", 1024, 512 }, [DM_X3] = { "X3", 1024, 512 },
	[DM_X4] = { "X4", 512, 512 }, [DM_X5] = { "X5", 512, 512 },
};

/* One GEMM of the chain: d = alpha * op(a) . op(b) + beta * c. */
struct demo_step {
	int d, a, b, c;		/* matrix indices; c < 0: none */
	bool ta, tb;
	float alpha, beta;
};

static const struct demo_step demo_steps[6] = {
	{ DM_X1, DM_A, DM_B, -1, false, false, 0.04419417f /* 1/sqrt(512) */, 0 },
	{ DM_Y1, DM_D, DM_E, -1, false, false, 0.03125f /* 1/sqrt(1024) */, 0 },
	{ DM_X2, DM_X1, DM_C, -1, false, false, 0.03608439f /* 1/sqrt(768) */, 0 },
	{ DM_X3, DM_X2, DM_Y1, -1, false, false, 0.04419417f, 0 },
	{ DM_X4, DM_X3, DM_X2, DM_Y1, true, false, 1.0f / 1024, 1.0f },
	{ DM_X5, DM_X4, DM_Y1, -1, false, true, 0.04419417f, 0 },
};

static double demo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t demo_bytes(const struct demo_mat *m)
{
	return (uint64_t)m->rows * m->cols * sizeof(float);
}

static int demo_gemm(loom_stream *s, const struct demo_step *st)
{
	const struct demo_mat *d = &demo_mats[st->d], *a = &demo_mats[st->a],
			      *b = &demo_mats[st->b];
	struct loom_gemm g = { .sz = sizeof(g) };

	g.in_dtype = g.out_dtype = LOOM_F32;
	g.trans_a = st->ta;
	g.trans_b = st->tb;
	g.m = d->rows;
	g.n = d->cols;
	g.k = st->ta ? a->rows : a->cols;
	g.a = a->va;
	g.b = b->va;
	g.c = st->c >= 0 ? demo_mats[st->c].va : 0;
	g.d = d->va;
	g.alpha = st->alpha;
	g.beta = st->beta;
	return loom_gemm(s, &g);
}

/* The same step on the CPU in double precision (row-major, naive). */
static void demo_gemm_ref(const struct demo_step *st)
{
	const struct demo_mat *dm = &demo_mats[st->d], *am = &demo_mats[st->a],
			      *bm = &demo_mats[st->b];
	uint32_t m = dm->rows, n = dm->cols, k = st->ta ? am->rows : am->cols, i, j, p;
	double *d = dm->ref, *bt = NULL;
	const double *b = bm->ref;

	if (st->tb) {
		/* op(B) = B^T: B is n x k; make it k x n for a unit-stride inner loop. */
		bt = malloc(sizeof(double) * k * n);
		if (!bt)
			abort();
		for (p = 0; p < k; p++)
			for (j = 0; j < n; j++)
				bt[p * n + j] = bm->ref[j * k + p];
		b = bt;
	}
	for (i = 0; i < m; i++) {
		double *drow = d + (size_t)i * n;

		if (st->c >= 0)
			for (j = 0; j < n; j++)
				drow[j] = st->beta * demo_mats[st->c].ref[(size_t)i * n + j];
		else
			memset(drow, 0, sizeof(double) * n);
		for (p = 0; p < k; p++) {
			double av = st->alpha * (st->ta ? am->ref[(size_t)p * m + i] :
							   am->ref[(size_t)i * k + p]);
			const double *brow = b + (size_t)p * n;

			for (j = 0; j < n; j++)
				drow[j] += av * brow[j];
		}
	}
	free(bt);
}

/* Largest |device - cpu| relative to the largest |cpu| of matrix i. */
static double demo_check(int i, double *abs_err)
{
	const struct demo_mat *m = &demo_mats[i];
	double maxerr = 0, maxref = 0;
	uint64_t j, n = (uint64_t)m->rows * m->cols;

	for (j = 0; j < n; j++) {
		double e = fabs((double)m->host[j] - m->ref[j]);

		if (!(e <= maxerr))
			maxerr = isnan(e) ? INFINITY : e;
		if (fabs(m->ref[j]) > maxref)
			maxref = fabs(m->ref[j]);
	}
	*abs_err = maxerr;
	return maxerr / (maxref > 0 ? maxref : 1);
}

static int demo_fail(const char *what, int err)
{
	fprintf(stderr, "loom-demo: %s: %s\n", what, loom_strerror(err));
	return 2;
}

/* What the firmware saw while the chain ran. */
struct demo_watch {
	struct loom_telemetry first, last;
	uint32_t power_peak_mw;
	uint32_t util_peak[LOOM_ENG_COUNT];
	int32_t temp_peak_mc[4];
	uint32_t throttle_seen;
	int samples;
};

static void demo_watch_sample(loom_device *dev, struct demo_watch *w)
{
	struct loom_telemetry t;
	int i;

	if (loom_device_telemetry(dev, &t))
		return;
	if (!w->samples++)
		w->first = t;
	w->last = t;
	if (t.power_mw > w->power_peak_mw)
		w->power_peak_mw = t.power_mw;
	for (i = 0; i < LOOM_ENG_COUNT; i++)
		if (t.util_pct[i] > w->util_peak[i])
			w->util_peak[i] = t.util_pct[i];
	for (i = 0; i < 4; i++)
		if (w->samples == 1 || t.temp_mc[i] > w->temp_peak_mc[i])
			w->temp_peak_mc[i] = t.temp_mc[i];
	w->throttle_seen |= t.throttle_reasons;
}

static void demo_print_telemetry(const struct demo_watch *w, const struct loom_telemetry *t0,
				 double gflop)
{
	const struct loom_telemetry *t1 = &w->last;
	double dt = (t1->timestamp_ns - t0->timestamp_ns) / 1e9;
	double ej = ((double)t1->energy_mj - (double)t0->energy_mj) / 1000.0;
	static const char *const sensors[4] = { "die", "mme", "hbm", "board" };
	int i;

	printf("device telemetry from before the chain to one firmware tick after it\n"
	       "(%.3f s of device time, %d samples):\n", dt, w->samples);
	printf("  energy used        %.3f J (average %.1f W)\n", ej, dt > 0 ? ej / dt : 0.0);
	printf("  power peak         %.1f W sampled; %.1f W firmware peak since power-on; limit %.1f W\n",
	       w->power_peak_mw / 1000.0, t1->power_peak_mw / 1000.0, t1->power_limit_mw / 1000.0);
	for (i = 0; i < 4; i++)
		printf("  temperature %-6s %.1f -> %.1f C (peak %.1f C)\n", sensors[i],
		       t0->temp_mc[i] / 1000.0, t1->temp_mc[i] / 1000.0,
		       w->temp_peak_mc[i] / 1000.0);
	printf("  utilisation        MME %.0f%%, DMA %.0f%%, CP %.0f%% (busy time / run time); "
	       "peak tick MME %u%%\n",
	       dt > 0 ? 100.0 * (t1->busy_ns[LOOM_ENG_MME] - t0->busy_ns[LOOM_ENG_MME]) / 1e9 / dt : 0.0,
	       dt > 0 ? 100.0 * (t1->busy_ns[LOOM_ENG_DMA] - t0->busy_ns[LOOM_ENG_DMA]) / 1e9 / dt : 0.0,
	       dt > 0 ? 100.0 * (t1->busy_ns[LOOM_ENG_CP] - t0->busy_ns[LOOM_ENG_CP]) / 1e9 / dt : 0.0,
	       w->util_peak[LOOM_ENG_MME]);
	printf("  MME work           %.2f GFLOP counted by the firmware (%.2f issued)\n",
	       (t1->flops - t0->flops) / 1e9, gflop);
	printf("  clocks             core %u MHz, dma %u MHz, hbm %u MHz\n", t1->clock_mhz[0],
	       t1->clock_mhz[1], t1->clock_mhz[2]);
	printf("  throttling         %s%s%s\n", w->throttle_seen ? "" : "none",
	       (w->throttle_seen & LOOM_THROTTLE_REASON_POWER) ? "power " : "",
	       (w->throttle_seen & LOOM_THROTTLE_REASON_THERMAL) ? "thermal" : "");
}

static int demo_run(loom_device *dev, int iters)
{
	loom_stream *s[2] = { NULL, NULL };
	loom_event **ev = NULL;
	struct loom_device_info info;
	struct loom_telemetry t0;
	struct demo_watch w;
	double t_start, t_end, gflop = 0, worst = 0, abs_err;
	int i, it, err, ret = 2, nev = iters * 6;
	bool pass = true;

	err = loom_device_info(dev, &info);
	if (err)
		return demo_fail("loom_device_info", err);
	printf("device %s (%s backend), firmware %u.%u, %llu MiB DRAM\n", info.uri, info.backend,
	       info.fw_version >> 16, info.fw_version & 0xffff,
	       (unsigned long long)(info.dram_size >> 20));

	s[0] = loom_stream_create(dev);
	s[1] = loom_stream_create(dev);
	ev = calloc(nev, sizeof(*ev));
	if (!s[0] || !s[1] || !ev) {
		ret = demo_fail("loom_stream_create", -ENOMEM);
		goto out;
	}
	for (i = 0; i < nev; i++) {
		ev[i] = loom_event_create(dev);
		if (!ev[i]) {
			ret = demo_fail("loom_event_create", -errno);
			goto out;
		}
	}

	/* Inputs: uniform in [-1, 1), fixed seed; outputs: room on the device. */
	srand(1);
	for (i = 0; i < DM_COUNT; i++) {
		struct demo_mat *m = &demo_mats[i];
		uint64_t n = (uint64_t)m->rows * m->cols, j;

		m->host = malloc(demo_bytes(m));
		m->ref = malloc(n * sizeof(double));
		if (!m->host || !m->ref) {
			ret = demo_fail("host memory", -ENOMEM);
			goto out;
		}
		err = loom_mem_alloc(dev, demo_bytes(m), 0, &m->va);
		if (err) {
			ret = demo_fail("loom_mem_alloc", err);
			goto out;
		}
		if (i > DM_E)
			continue;
		for (j = 0; j < n; j++) {
			m->host[j] = 2.0f * rand() / ((float)RAND_MAX + 1) - 1.0f;
			m->ref[j] = m->host[j];
		}
		err = loom_memcpy_h2d(s[0], m->va, m->host, demo_bytes(m));
		if (err) {
			ret = demo_fail("loom_memcpy_h2d", err);
			goto out;
		}
	}
	err = loom_stream_sync(s[0], -1);
	if (err) {
		ret = demo_fail("upload", err);
		goto out;
	}
	for (i = 0; i < 6; i++) {
		const struct demo_step *st = &demo_steps[i];

		gflop += 2.0 * demo_mats[st->d].rows * demo_mats[st->d].cols *
			 (st->ta ? demo_mats[st->a].rows : demo_mats[st->a].cols) / 1e9;
	}
	gflop *= iters;

	memset(&w, 0, sizeof(w));
	err = loom_device_telemetry(dev, &t0);
	if (err) {
		ret = demo_fail("loom_device_telemetry", err);
		goto out;
	}
	printf("running %d iterations of a 6-GEMM chain on 2 streams (%.2f GFLOP)...\n", iters,
	       gflop);
	t_start = demo_now();
	for (it = 0; it < iters; it++) {
		loom_event **e = ev + it * 6;

		/* e[0]: X1 done (s0), e[1]: Y1 (s1), e[2]: X2 (s1), e[3]: X4 (s0),
		 * e[4], e[5]: end of the iteration on s0, s1. */
		if (it) {
			err = loom_stream_wait_event(s[0], e[-1]);
			if (!err)
				err = loom_stream_wait_event(s[1], e[-2]);
			if (err)
				break;
		}
		if ((err = demo_gemm(s[0], &demo_steps[0])) ||
		    (err = loom_event_record(e[0], s[0])) ||
		    (err = demo_gemm(s[1], &demo_steps[1])) ||
		    (err = loom_event_record(e[1], s[1])) ||
		    (err = loom_stream_wait_event(s[1], e[0])) ||
		    (err = demo_gemm(s[1], &demo_steps[2])) ||
		    (err = loom_event_record(e[2], s[1])) ||
		    (err = loom_stream_wait_event(s[0], e[2])) ||
		    (err = demo_gemm(s[0], &demo_steps[3])) ||
		    (err = demo_gemm(s[0], &demo_steps[4])) ||
		    (err = loom_event_record(e[3], s[0])) ||
		    (err = loom_stream_wait_event(s[1], e[3])) ||
		    (err = demo_gemm(s[1], &demo_steps[5])) ||
		    (err = loom_event_record(e[4], s[0])) ||
		    (err = loom_event_record(e[5], s[1])))
			break;
	}
	if (err) {
		ret = demo_fail("queueing the chain", err);
		goto out;
	}
	/* Watch the firmware while the device works. */
	while (loom_stream_query(s[0]) == -EBUSY || loom_stream_query(s[1]) == -EBUSY) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		demo_watch_sample(dev, &w);
		nanosleep(&ts, NULL);
	}
	err = loom_stream_sync(s[0], -1);
	if (!err)
		err = loom_stream_sync(s[1], -1);
	t_end = demo_now();
	if (err) {
		ret = demo_fail("running the chain", err);
		goto out;
	}
	{
		/* Let the firmware's next tick account for the last work. */
		struct timespec ts = { 0, 120 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		demo_watch_sample(dev, &w);
	}
	printf("done in %.3f s on the host clock (%.1f GFLOP/s)\n", t_end - t_start,
	       gflop / (t_end - t_start));

	for (i = DM_X1; i < DM_COUNT; i++) {
		err = loom_memcpy_d2h(s[0], demo_mats[i].host, demo_mats[i].va,
				      demo_bytes(&demo_mats[i]));
		if (err) {
			ret = demo_fail("loom_memcpy_d2h", err);
			goto out;
		}
	}
	printf("checking against the CPU (double precision)...\n");
	for (i = 0; i < 6; i++)
		demo_gemm_ref(&demo_steps[i]);
	for (i = DM_X1; i < DM_COUNT; i++) {
		double rel = demo_check(i, &abs_err);

		printf("  %-3s %4ux%-4u max error %.3g (relative %.3g)\n", demo_mats[i].name,
		       demo_mats[i].rows, demo_mats[i].cols, abs_err, rel);
		if (!(rel <= worst))
			worst = isnan(rel) ? INFINITY : rel;
		if (!(rel <= DEMO_TOL))
			pass = false;
	}
	printf("%s: max relative error %.3g (tolerance %.0e)\n", pass ? "PASS" : "FAIL", worst,
	       DEMO_TOL);
	if (w.samples)
		demo_print_telemetry(&w, &t0, gflop);
	ret = pass ? 0 : 1;
out:
	for (i = 0; ev && i < nev; i++)
		loom_event_destroy(ev[i]);
	free(ev);
	loom_stream_destroy(s[0]);
	loom_stream_destroy(s[1]);
	for (i = 0; i < DM_COUNT; i++) {
		if (demo_mats[i].va)
			loom_mem_free(dev, demo_mats[i].va);
		free(demo_mats[i].host);
		free(demo_mats[i].ref);
	}
	return ret;
}

int main(int argc, char **argv)
{
	loom_device *dev;
	int iters = 16, ret;
	char *end;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
		fprintf(argc > 2 ? stderr : stdout, "Usage: loom-demo [ITERATIONS]  (1..%d, default 16)\n",
			DEMO_MAX_ITERS);
		return argc > 2 ? 3 : 0;
	}
	if (argc == 2) {
		long v = strtol(argv[1], &end, 10);

		if (end == argv[1] || *end || v < 1 || v > DEMO_MAX_ITERS) {
			fprintf(stderr, "loom-demo: ITERATIONS must be 1..%d\n", DEMO_MAX_ITERS);
			return 3;
		}
		iters = (int)v;
	}
	dev = loom_device_open(NULL, NULL);
	if (!dev) {
		fprintf(stderr, "loom-demo: cannot open the default device: %s\n", strerror(errno));
		return 2;
	}
	ret = demo_run(dev, iters);
	loom_device_close(dev);
	return ret;
}
