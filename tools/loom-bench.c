/* SPDX-License-Identifier: MIT */
/*
 * loom-bench: measures the Loom device through the public API and prints
 * each figure beside a host reference measured in the same run, on the
 * same machine, interleaved with it so that both see the same conditions:
 *
 *   gemm_f32_N    MME fp32 GEMM N x N x N, data resident in device DRAM,
 *                 submit to completion   vs  OpenBLAS cblas_sgemm on host
 *                 buffers with as many threads as the device's MME uses
 *   copy_h2d/d2h  64 MiB copy between pinned host memory and DRAM
 *                 vs  memcpy of 64 MiB on one thread
 *   nop_rtt_*     smallest submit + wait (event record + wait on an empty
 *                 stream), in-process and through loomd
 *                 vs  an eventfd ping-pong between two threads
 *   train_mlp_b256   the training job's step (MLP 784-512-256-10, Adam, fp32,
 *                 batch 256) on a fresh in-process device, in samples/s
 *                 vs  PyTorch on the CPU training the same network with the
 *                 same batch and thread count (tools/bench_torch_mlp.py, run
 *                 alternately with it); "-" when python3-torch is missing.
 *                 The table's notes break Loom's step time down by engine
 *   capture_chain64  a chain of 64 small copies, fills and GEMMs as one
 *                 launch of a recording (loom_cmdbuf_launch), per op
 *                 vs  the same chain queued one submission per op
 *
 * Figures are medians over the timed repetitions after warm-up (the best
 * is printed too). ratio > 1 always means Loom did better: loom/reference
 * for throughput, reference/loom for latency.
 *
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are read when OpenBLAS loads; if
 * either is set, loom-bench re-executes itself once without them so the
 * reference (and the MME, which uses OpenBLAS too) run the kernel OpenBLAS
 * picks for this CPU (see docs/dependencies.md).
 *
 * Exit status: 0 all benchmarks ran; 1 usage error; 2 a benchmark failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <cblas.h>

#include <loom/loom.h>

#include "bench_capture.h"
#include "bench_train.h"
#include "bench_tpc.h"

#define BENCH_EXIT_OK		0
#define BENCH_EXIT_USAGE	1
#define BENCH_EXIT_FAILED	2

#define BENCH_REEXEC_VAR	"LOOM_BENCH_REEXEC"
#define BENCH_MAX_REPS		4096

struct bench_row {
	char name[32];
	const char *unit;
	bool latency;		/* lower is better: ratio = reference / loom */
	const char *ref_name;
	double loom, ref;	/* medians; NAN: not measured */
	double loom_best, ref_best;
	char err[160];		/* why loom is NAN */
	bool selected;
};

struct bench_ctx {
	bool quick, json, verbose;
	int nthreads;		/* host cores: the MME's and the reference's thread count */
	int warmup, reps;	/* GEMM and copies */
	int nop_warmup, nop_reps;
	uint64_t copy_size;
	const char *argv0;
	loom_device *dev;	/* in-process device */
	loom_stream *s;
	char kernel_uri[128];	/* a device of loom.ko, or "" (kernel_* rows) */
};

#define BENCH_MAX_ROWS	16
static struct bench_row bench_rows[BENCH_MAX_ROWS];
static int bench_nrows;

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and minimum of t[0..n) (sorted in place). */
static double bench_median(double *t, int n, double *min)
{
	qsort(t, n, sizeof(*t), bench_cmp_double);
	*min = t[0];
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void bench_progress(const struct bench_ctx *c, const char *what)
{
	if (c->verbose)
		fprintf(stderr, "loom-bench: %s...\n", what);
}

static struct bench_row *bench_row_add(const char *name, const char *unit, bool latency,
				       const char *ref_name)
{
	struct bench_row *r = &bench_rows[bench_nrows++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->unit = unit;
	r->latency = latency;
	r->ref_name = ref_name;
	r->loom = r->ref = r->loom_best = r->ref_best = NAN;
	return r;
}

static void bench_row_fail(struct bench_row *r, const char *what, int err)
{
	if (!r->err[0])
		snprintf(r->err, sizeof(r->err), "%s: %s", what, loom_strerror(err));
	r->loom = r->loom_best = NAN;
}

static double bench_ratio(const struct bench_row *r)
{
	if (isnan(r->loom) || isnan(r->ref) || r->loom <= 0 || r->ref <= 0)
		return NAN;
	return r->latency ? r->ref / r->loom : r->loom / r->ref;
}

static void *bench_host_alloc(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, 2 << 20, size))
		return NULL;
	memset(p, 0, size);		/* pre-touch */
	return p;
}

/* ---- GEMM ---------------------------------------------------------------- */

static void bench_ref_sgemm(const struct bench_ctx *c, unsigned n, const float *a,
			    const float *b, float *d)
{
	int saved = openblas_get_num_threads();

	/* The MME may run OpenBLAS in this process with its own setting. */
	openblas_set_num_threads(c->nthreads);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n,
		    0.0f, d, n);
	openblas_set_num_threads(saved);
}

static int bench_gemm_one(struct bench_ctx *c, struct bench_row *r, unsigned n)
{
	uint64_t bytes = (uint64_t)n * n * sizeof(float), va_a = 0, va_b = 0, va_d = 0;
	float *ha = NULL, *hb = NULL, *hd = NULL, *chk = NULL;
	double tl[BENCH_MAX_REPS], tr[BENCH_MAX_REPS], flop = 2.0 * n * n * n, t0, maxerr = 0,
	       maxref = 0;
	struct loom_gemm g = { .sz = sizeof(g) };
	int i, err = -ENOMEM;

	ha = bench_host_alloc(bytes);
	hb = bench_host_alloc(bytes);
	hd = bench_host_alloc(bytes);
	chk = bench_host_alloc(bytes);
	if (!ha || !hb || !hd || !chk) {
		bench_row_fail(r, "host memory", -ENOMEM);
		goto out;
	}
	srand(n);
	for (i = 0; i < (int)(n * n); i++) {
		ha[i] = (float)rand() / RAND_MAX - 0.5f;
		hb[i] = (float)rand() / RAND_MAX - 0.5f;
	}
	err = loom_mem_alloc(c->dev, bytes, 0, &va_a);
	if (!err)
		err = loom_mem_alloc(c->dev, bytes, 0, &va_b);
	if (!err)
		err = loom_mem_alloc(c->dev, bytes, 0, &va_d);
	if (err) {
		bench_row_fail(r, "loom_mem_alloc", err);
		goto out_free;
	}
	err = loom_memcpy_h2d(c->s, va_a, ha, bytes);
	if (!err)
		err = loom_memcpy_h2d(c->s, va_b, hb, bytes);
	if (!err)
		err = loom_memset32(c->s, va_d, 0, bytes);
	if (!err)
		err = loom_stream_sync(c->s, -1);
	if (err) {
		bench_row_fail(r, "upload", err);
		goto out_free;
	}

	g.in_dtype = g.out_dtype = LOOM_F32;
	g.m = g.n = g.k = n;
	g.a = va_a;
	g.b = va_b;
	g.d = va_d;
	g.alpha = 1.0f;
	g.beta = 0.0f;

	/* Warm-up, then interleave device and reference runs. */
	for (i = 0; i < c->warmup + c->reps; i++) {
		t0 = bench_now();
		err = loom_gemm(c->s, &g);
		if (!err)
			err = loom_stream_sync(c->s, -1);
		if (err) {
			bench_row_fail(r, "loom_gemm", err);
			goto out_free;
		}
		if (i >= c->warmup)
			tl[i - c->warmup] = bench_now() - t0;
		t0 = bench_now();
		bench_ref_sgemm(c, n, ha, hb, hd);
		if (i >= c->warmup)
			tr[i - c->warmup] = bench_now() - t0;
	}

	/* A speed is only worth printing for the right result. */
	err = loom_memcpy_d2h(c->s, chk, va_d, bytes);
	if (err) {
		bench_row_fail(r, "loom_memcpy_d2h", err);
		goto out_free;
	}
	for (i = 0; i < (int)(n * n); i++) {
		double e = fabs((double)chk[i] - hd[i]);

		if (!(e <= maxerr))
			maxerr = isnan(e) ? INFINITY : e;
		if (fabs(hd[i]) > maxref)
			maxref = fabs(hd[i]);
	}
	if (!(maxerr <= 1e-4 * (maxref > 1 ? maxref : 1))) {
		snprintf(r->err, sizeof(r->err), "wrong result: max error %.3g (max |ref| %.3g)",
			 maxerr, maxref);
		goto out_free;
	}
	r->loom = flop / bench_median(tl, c->reps, &t0) / 1e9;
	r->loom_best = flop / t0 / 1e9;
	r->ref = flop / bench_median(tr, c->reps, &t0) / 1e9;
	r->ref_best = flop / t0 / 1e9;
	err = 0;
out_free:
	if (va_a)
		loom_mem_free(c->dev, va_a);
	if (va_b)
		loom_mem_free(c->dev, va_b);
	if (va_d)
		loom_mem_free(c->dev, va_d);
out:
	free(ha);
	free(hb);
	free(hd);
	free(chk);
	return err;
}

/* ---- Copies -------------------------------------------------------------- */

static int bench_copy(struct bench_ctx *c, struct bench_row *h2d, struct bench_row *d2h)
{
	double th[BENCH_MAX_REPS], td[BENCH_MAX_REPS], tm[BENCH_MAX_REPS], t0, best;
	uint64_t size = c->copy_size, va_dram = 0, i;
	uint8_t *pinned = NULL, *m_src = NULL, *m_dst = NULL;
	int r, err;

	pinned = loom_host_alloc(c->dev, size, NULL);
	if (!pinned) {
		err = -errno;
		bench_row_fail(h2d, "loom_host_alloc", err);
		bench_row_fail(d2h, "loom_host_alloc", err);
		return err;
	}
	err = loom_mem_alloc(c->dev, size, 0, &va_dram);
	if (err) {
		bench_row_fail(h2d, "loom_mem_alloc", err);
		bench_row_fail(d2h, "loom_mem_alloc", err);
		goto out;
	}
	m_src = bench_host_alloc(size);
	m_dst = bench_host_alloc(size);
	if (!m_src || !m_dst) {
		err = -ENOMEM;
		bench_row_fail(h2d, "host memory", err);
		bench_row_fail(d2h, "host memory", err);
		goto out;
	}
	for (i = 0; i < size; i++)
		pinned[i] = m_src[i] = (uint8_t)(i * 7 + 1);
	memcpy(m_dst, m_src, size);

	for (r = 0; r < c->warmup + c->reps; r++) {
		t0 = bench_now();
		err = loom_memcpy_h2d(c->s, va_dram, pinned, size);
		if (!err)
			err = loom_stream_sync(c->s, -1);
		if (err) {
			bench_row_fail(h2d, "host to device copy", err);
			bench_row_fail(d2h, "host to device copy", err);
			goto out;
		}
		if (r >= c->warmup)
			th[r - c->warmup] = bench_now() - t0;

		t0 = bench_now();
		err = loom_memcpy_d2h(c->s, pinned, va_dram, size);
		if (!err)
			err = loom_stream_sync(c->s, -1);
		if (err) {
			bench_row_fail(d2h, "device to host copy", err);
			goto out;
		}
		if (r >= c->warmup)
			td[r - c->warmup] = bench_now() - t0;

		t0 = bench_now();
		memcpy(m_dst, m_src, size);
		if (r >= c->warmup)
			tm[r - c->warmup] = bench_now() - t0;
		/* Keep the copy from being optimised away. */
		__asm__ volatile("" : : "r"(m_dst) : "memory");
	}

	/* The data went there and back: the pinned buffer still holds the pattern. */
	memset(pinned, 0, size);
	err = loom_memcpy_d2h(c->s, pinned, va_dram, size);
	if (!err)
		err = loom_stream_sync(c->s, -1);
	if (err) {
		bench_row_fail(d2h, "device to host copy", err);
		goto out;
	}
	if (memcmp(pinned, m_src, size)) {
		snprintf(h2d->err, sizeof(h2d->err), "data came back wrong");
		snprintf(d2h->err, sizeof(d2h->err), "data came back wrong");
		err = -EIO;
		goto out;
	}
	h2d->loom = size / bench_median(th, c->reps, &best) / 1e9;
	h2d->loom_best = size / best / 1e9;
	d2h->loom = size / bench_median(td, c->reps, &best) / 1e9;
	d2h->loom_best = size / best / 1e9;
	h2d->ref = d2h->ref = size / bench_median(tm, c->reps, &best) / 1e9;
	h2d->ref_best = d2h->ref_best = size / best / 1e9;
	err = 0;
out:
	if (va_dram)
		loom_mem_free(c->dev, va_dram);
	loom_host_free(c->dev, pinned);
	free(m_src);
	free(m_dst);
	return err;
}

/* ---- Round trips ------------------------------------------------------- */

/* Round trip of the smallest submission: record an event, wait for it. */
static int bench_nop(struct bench_ctx *c, loom_device *dev, struct bench_row *r)
{
	double t[BENCH_MAX_REPS], t0, best;
	loom_stream *s;
	loom_event *e;
	int i, err = 0;

	s = loom_stream_create(dev);
	if (!s) {
		bench_row_fail(r, "loom_stream_create", -errno);
		return -errno;
	}
	e = loom_event_create(dev);
	if (!e) {
		err = -errno;
		bench_row_fail(r, "loom_event_create", err);
		goto out_stream;
	}
	for (i = 0; i < c->nop_warmup + c->nop_reps; i++) {
		t0 = bench_now();
		err = loom_event_record(e, s);
		if (!err)
			err = loom_event_wait(e, 10LL * 1000000000LL);
		if (err) {
			bench_row_fail(r, "event record + wait", err);
			goto out_event;
		}
		if (i >= c->nop_warmup)
			t[i - c->nop_warmup] = bench_now() - t0;
	}
	r->loom = bench_median(t, c->nop_reps, &best) * 1e6;
	r->loom_best = best * 1e6;
out_event:
	loom_event_destroy(e);
out_stream:
	loom_stream_destroy(s);
	return err;
}

struct bench_pingpong {
	int ping, pong;		/* eventfds */
	int n;
};

static void *bench_pong_thread(void *arg)
{
	struct bench_pingpong *p = arg;
	uint64_t v;
	int i;

	for (i = 0; i < p->n; i++) {
		if (read(p->ping, &v, sizeof(v)) != sizeof(v))
			break;
		if (write(p->pong, &v, sizeof(v)) != sizeof(v))
			break;
	}
	return NULL;
}

/* Median eventfd round trip between two threads, in us (NAN on failure). */
static double bench_eventfd_rtt(int warmup, int reps, double *best_us)
{
	struct bench_pingpong p = { .n = warmup + reps };
	double t[BENCH_MAX_REPS], t0, best, med = NAN;
	uint64_t v = 1;
	pthread_t th;
	int i;

	p.ping = eventfd(0, EFD_CLOEXEC);
	p.pong = eventfd(0, EFD_CLOEXEC);
	if (p.ping < 0 || p.pong < 0)
		goto out;
	if (pthread_create(&th, NULL, bench_pong_thread, &p))
		goto out;
	for (i = 0; i < p.n; i++) {
		t0 = bench_now();
		if (write(p.ping, &v, sizeof(v)) != sizeof(v) ||
		    read(p.pong, &v, sizeof(v)) != sizeof(v))
			break;
		if (i >= warmup)
			t[i - warmup] = bench_now() - t0;
	}
	if (i < p.n) {
		/* Unblock the other thread: it reads ping once more at most. */
		v = 1;
		if (write(p.ping, &v, sizeof(v)) < 0)
			v = 0;
	}
	pthread_join(th, NULL);
	if (i == p.n) {
		med = bench_median(t, reps, &best) * 1e6;
		*best_us = best * 1e6;
	}
out:
	if (p.ping >= 0)
		close(p.ping);
	if (p.pong >= 0)
		close(p.pong);
	return med;
}

/* ---- loomd --------------------------------------------------------------- */

struct bench_loomd {
	pid_t pid;
	char dir[64];
	char sock[PATH_MAX];
};

static int bench_loomd_path(const struct bench_ctx *c, char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	const char *env = getenv("LOOMD");
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return access(buf, X_OK) ? -ENOENT : 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -ENOENT;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	if (snprintf(buf, len, "%s/../device/loomd", self) >= (int)len)
		return -ENAMETOOLONG;
	return access(buf, X_OK) ? -ENOENT : 0;
}

/* Find the socket loomd created in d->dir (its only socket). */
static bool bench_loomd_find_socket(struct bench_loomd *d)
{
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *dir;

	dir = opendir(d->dir);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		if (snprintf(d->sock, sizeof(d->sock), "%s/%s", d->dir, de->d_name) >=
		    (int)sizeof(d->sock))
			continue;
		if (!stat(d->sock, &st) && S_ISSOCK(st.st_mode))
			found = true;
	}
	closedir(dir);
	return found;
}

static void bench_loomd_stop(struct bench_loomd *d)
{
	int status, i;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		for (i = 0; i < 500; i++) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				break;
			usleep(10000);
		}
		if (i == 500) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
		}
		d->pid = 0;
	}
	if (d->sock[0])
		unlink(d->sock);
	if (d->dir[0])
		rmdir(d->dir);
	d->sock[0] = d->dir[0] = 0;
}

/* Start loomd on a socket in a fresh temporary directory. */
static int bench_loomd_start(const struct bench_ctx *c, struct bench_loomd *d, char *why,
			     size_t whylen)
{
	char path[PATH_MAX], sock[192];
	int i, status;

	memset(d, 0, sizeof(*d));
	if (bench_loomd_path(c, path, sizeof(path))) {
		snprintf(why, whylen, "loomd not found (set LOOMD)");
		return -ENOENT;
	}
	snprintf(d->dir, sizeof(d->dir), "/tmp/loom-bench.XXXXXX");
	if (!mkdtemp(d->dir)) {
		d->dir[0] = 0;
		snprintf(why, whylen, "mkdtemp: %s", strerror(errno));
		return -errno;
	}
	snprintf(sock, sizeof(sock), "%s/loom0.sock", d->dir);
	d->pid = fork();
	if (d->pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		d->pid = 0;
		bench_loomd_stop(d);
		return -EAGAIN;
	}
	if (d->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
		}
		setenv("LOOM_SOCKET_DIR", d->dir, 1);
		execl(path, "loomd", "--socket", sock, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if (bench_loomd_find_socket(d))
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			snprintf(why, whylen, "loomd exited (status %d)",
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			bench_loomd_stop(d);
			return -ECHILD;
		}
		usleep(10000);
	}
	d->sock[0] = 0;
	snprintf(why, whylen, "loomd made no socket in 10 s");
	bench_loomd_stop(d);
	return -ETIMEDOUT;
}

static int bench_nop_loomd(struct bench_ctx *c, struct bench_row *r)
{
	struct bench_loomd d;
	char uri[PATH_MAX + 8];
	loom_device *dev;
	int err;

	err = bench_loomd_start(c, &d, r->err, sizeof(r->err));
	if (err)
		return err;
	snprintf(uri, sizeof(uri), "unix:%s", d.sock);
	dev = loom_device_open(uri, NULL);
	if (!dev) {
		err = -errno;
		bench_row_fail(r, "open loomd device", err);
	} else {
		err = bench_nop(c, dev, r);
		loom_device_close(dev);
	}
	bench_loomd_stop(&d);
	return err;
}

/* ---- Machine, environment and output ------------------------------------ */

static void bench_cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/*
 * If OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE is set, run again without them
 * (once: the marker variable records what was removed).
 */
static void bench_reexec_clean(char **argv)
{
	const char *ct = getenv("OPENBLAS_CORETYPE"), *l2 = getenv("OPENBLAS_L2_SIZE");
	char note[256];

	if (getenv(BENCH_REEXEC_VAR) || (!ct && !l2))
		return;
	snprintf(note, sizeof(note), "%s%s%s%s%s", ct ? "OPENBLAS_CORETYPE=" : "", ct ? ct : "",
		 ct && l2 ? " " : "", l2 ? "OPENBLAS_L2_SIZE=" : "", l2 ? l2 : "");
	setenv(BENCH_REEXEC_VAR, note, 1);
	unsetenv("OPENBLAS_CORETYPE");
	unsetenv("OPENBLAS_L2_SIZE");
	execv("/proc/self/exe", argv);
	fprintf(stderr, "loom-bench: cannot re-execute without %s: %s (continuing)\n", note,
		strerror(errno));
}

static void bench_print_header(const struct bench_ctx *c, const char *unset_note)
{
	char cpu[160];
	FILE *f = c->json ? stderr : stdout;

	if (c->json && !c->verbose)
		return;
	bench_cpu_model(cpu, sizeof(cpu));
	fprintf(f, "loom-bench %d.%d.%d (libloom %s)%s\n", LOOM_VERSION_MAJOR, LOOM_VERSION_MINOR,
		LOOM_VERSION_PATCH, loom_version(), c->quick ? "  [quick]" : "");
	fprintf(f, "machine: %s, %d cores online\n", cpu, c->nthreads);
	fprintf(f, "OpenBLAS: %s (core %s), %d threads for the reference\n",
		openblas_get_config(), openblas_get_corename(), c->nthreads);
	if (unset_note && *unset_note)
		fprintf(f, "environment: re-executed without %s\n", unset_note);
	fprintf(f, "figures: median of %d runs after %d warm-up (copies, GEMM), %d round trips\n",
		c->reps, c->warmup, c->nop_reps);
	fprintf(f, "ratio: loom/reference for throughput, reference/loom for latency (> 1: loom better)\n\n");
}

static void bench_print_num(double v)
{
	if (isnan(v))
		printf("null");
	else
		printf("%.6g", v);
}

static void bench_print_json(void)
{
	bool first = true;
	int i;

	printf("[");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];

		if (!r->selected)
			continue;
		printf("%s\n {\"name\":\"%s\",\"unit\":\"%s\",\"loom\":", first ? "" : ",",
		       r->name, r->unit);
		first = false;
		bench_print_num(r->loom);
		printf(",\"reference\":");
		bench_print_num(r->ref);
		printf(",\"reference_name\":\"%s\",\"ratio\":", r->ref_name);
		bench_print_num(bench_ratio(r));
		printf("}");
	}
	printf("\n]\n");
}

static void bench_fmt(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

static void bench_print_table(void)
{
	char a[32], b[32], c[32], lb[32], rb[32];
	int i;

	printf("%-16s %-8s %10s %10s  %-26s %7s\n", "name", "unit", "loom", "reference",
	       "reference_name", "ratio");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];

		if (!r->selected)
			continue;
		bench_fmt(a, sizeof(a), r->loom);
		bench_fmt(b, sizeof(b), r->ref);
		bench_fmt(c, sizeof(c), bench_ratio(r));
		printf("%-16s %-8s %10s %10s  %-26s %7s\n", r->name, r->unit, a, b, r->ref_name, c);
	}
	printf("\nbest runs:\n");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];

		if (!r->selected)
			continue;
		bench_fmt(lb, sizeof(lb), r->loom_best);
		bench_fmt(rb, sizeof(rb), r->ref_best);
		printf("  %-16s loom %s, reference %s %s%s%s\n", r->name, lb, rb, r->unit,
		       r->err[0] ? "  FAILED: " : "", r->err);
	}
}

static void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: loom-bench [--quick] [--only NAME] [--json]\n"
		"Benchmark the Loom device against host references measured in the same run.\n"
		"\n"
		"  --quick       fewer repetitions and smaller sizes (for tests)\n"
		"  --only NAME   run only the benchmarks whose name starts with NAME\n"
		"                (gemm, copy, nop, tpc, capture, train, or a full name such\n"
		"                as gemm_f32_1024)\n"
		"  --json        print a JSON array of {name, unit, loom, reference,\n"
		"                reference_name, ratio} instead of the table\n"
		"  -v, --verbose progress and header on stderr (also with --json)\n"
		"  -h, --help    this help\n"
		"\n"
		"ratio > 1 means Loom did better: loom/reference for throughput (GFLOP/s,\n"
		"GB/s), reference/loom for latency (us). Figures are medians.\n"
		"loomd for nop_rtt_loomd: $LOOMD, else ../device/loomd next to this binary.\n"
		"\n"
		"Exit status: 0 all benchmarks ran; 1 usage error; 2 a benchmark failed.\n");
}

static void bench_rows_define(const struct bench_ctx *c)
{
	static const unsigned full[] = { 512, 1024, 2048 }, quick[] = { 128, 256 };
	const unsigned *sz = c->quick ? quick : full;
	int n = c->quick ? 2 : 3, i;
	char name[32];

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "gemm_f32_%u", sz[i]);
		bench_row_add(name, "GFLOP/s", false, "openblas_sgemm");
	}
	bench_row_add(c->quick ? "copy_h2d_8MiB" : "copy_h2d_64MiB", "GB/s", false,
		      "memcpy_1thread");
	bench_row_add(c->quick ? "copy_d2h_8MiB" : "copy_d2h_64MiB", "GB/s", false,
		      "memcpy_1thread");
	bench_row_add("nop_rtt_inproc", "us", true, "eventfd_pingpong_2threads");
	bench_row_add("nop_rtt_loomd", "us", true, "eventfd_pingpong_2threads");
	bench_row_add(c->quick ? "tpc_axpy_4Mi" : "tpc_axpy_64Mi", "Gelem/s", false,
		      "c_loop_O3");
	bench_row_add(c->quick ? "tpc_softmax_1Mi" : "tpc_softmax_16Mi", "Gelem/s",
		      false, "c_softmax_O3");
	bench_row_add("capture_chain64", "us/op", true, "per_op_submit");
	/* Through libloom's kernel backend, where loom.ko serves a device. */
	if (c->kernel_uri[0]) {
		bench_row_add(c->quick ? "kernel_copy_h2d_8MiB" : "kernel_copy_h2d_64MiB", "GB/s",
			      false, "memcpy_1thread");
		bench_row_add(c->quick ? "kernel_copy_d2h_8MiB" : "kernel_copy_d2h_64MiB", "GB/s",
			      false, "memcpy_1thread");
		bench_row_add("kernel_nop_rtt", "us", true, "eventfd_pingpong_2threads");
		bench_row_add("kernel_capture_chain64", "us/op", true, "per_op_submit");
	}
	bench_row_add("train_mlp_b256", "samples/s", false, "pytorch_cpu_best_threads");
}

/* The first device of loom.ko (a /dev/accel/ URI loom_device_list() names), if any. */
static void bench_find_kernel(struct bench_ctx *c)
{
	char *uris[16];
	int n = loom_device_list(uris, 16), i;

	for (i = 0; i < n && i < 16; i++) {
		if (!c->kernel_uri[0] && !strncmp(uris[i], "/dev/accel/", 11))
			snprintf(c->kernel_uri, sizeof(c->kernel_uri), "%s", uris[i]);
		free(uris[i]);
	}
}

/* A capture_chain64 row: per-op submission is the reference, one launch is Loom's. */
static void bench_chain(const struct bench_ctx *c, loom_device *dev, loom_stream *s,
			struct bench_row *row)
{
	struct bench_chain_result cr;

	bench_progress(c, row->name);
	if (bench_capture_chain(dev, s, c->quick ? 5 : 20, c->quick ? 50 : 300, &cr)) {
		snprintf(row->err, sizeof(row->err), "%s", cr.err);
		return;
	}
	row->loom = cr.launch_s * 1e6;
	row->loom_best = cr.launch_best_s * 1e6;
	row->ref = cr.eager_s * 1e6;
	row->ref_best = cr.eager_best_s * 1e6;
}

/* The kernel_* rows: copies, the round trip and capture through loom.ko. */
static void bench_kernel(struct bench_ctx *c, struct bench_row *rows)
{
	struct bench_ctx k = *c;
	int i;

	bench_progress(c, "the kernel driver's device");
	k.dev = loom_device_open(c->kernel_uri, NULL);
	k.s = k.dev ? loom_stream_create(k.dev) : NULL;
	if (!k.s) {
		for (i = 0; i < 4; i++)
			bench_row_fail(&rows[i], c->kernel_uri, -errno);
		loom_device_close(k.dev);
		return;
	}
	if (rows[0].selected || rows[1].selected)
		bench_copy(&k, &rows[0], &rows[1]);
	if (rows[2].selected)
		bench_nop(&k, k.dev, &rows[2]);
	if (rows[3].selected)
		bench_chain(c, k.dev, k.s, &rows[3]);
	loom_stream_destroy(k.s);
	loom_device_close(k.dev);
}

static bool bench_any_selected(int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (bench_rows[i].selected)
			return true;
	return false;
}

static void bench_log(enum loom_log_level level, const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "libloom: %s\n", msg);
}

int main(int argc, char **argv)
{
	enum { OPT_QUICK = 256, OPT_ONLY, OPT_JSON, OPT_TRAIN_CHILD };
	static const struct option lopts[] = {
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "train-child", no_argument, NULL, OPT_TRAIN_CHILD },	/* internal */
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_ctx c = { .verbose = false };
	const char *only = NULL, *note;
	char unset_note[256] = "";
	int opt, i, ngemm, failed = 0;
	struct bench_train_result train = { .step_ms = NAN };
	struct bench_row *train_row;
	bool train_child = false;
	double best;

	bench_reexec_clean(argv);
	note = getenv(BENCH_REEXEC_VAR);
	if (note) {
		snprintf(unset_note, sizeof(unset_note), "%s", note);
		unsetenv(BENCH_REEXEC_VAR);
	}

	while ((opt = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (opt) {
		case OPT_QUICK:
			c.quick = true;
			break;
		case OPT_TRAIN_CHILD:
			train_child = true;
			break;
		case OPT_ONLY:
			only = optarg;
			break;
		case OPT_JSON:
			c.json = true;
			break;
		case 'v':
			c.verbose = true;
			break;
		case 'h':
			bench_usage(stdout);
			return BENCH_EXIT_OK;
		default:
			bench_usage(stderr);
			return BENCH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "loom-bench: unexpected argument '%s'\n", argv[optind]);
		return BENCH_EXIT_USAGE;
	}
	c.argv0 = argv[0];
	c.nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (c.nthreads < 1)
		c.nthreads = 1;
	if (train_child)
		return bench_train_child_main(c.nthreads, c.quick, c.verbose);
	c.warmup = c.quick ? 1 : 2;
	c.reps = c.quick ? 3 : 7;
	c.nop_warmup = c.quick ? 20 : 200;
	c.nop_reps = c.quick ? 200 : 2000;
	c.copy_size = c.quick ? (8ULL << 20) : (64ULL << 20);

	bench_find_kernel(&c);
	bench_rows_define(&c);
	ngemm = c.quick ? 2 : 3;
	for (i = 0; i < bench_nrows; i++)
		bench_rows[i].selected = !only || !strncmp(bench_rows[i].name, only, strlen(only));
	if (!bench_any_selected(0, bench_nrows)) {
		fprintf(stderr, "loom-bench: no benchmark named '%s'; names:", only);
		for (i = 0; i < bench_nrows; i++)
			fprintf(stderr, " %s", bench_rows[i].name);
		fprintf(stderr, "\n");
		return BENCH_EXIT_USAGE;
	}
	if (c.verbose)
		loom_set_log(bench_log, NULL, LOOM_LOG_WARN);
	bench_print_header(&c, unset_note);

	/*
	 * The latency reference runs first, on a quiet process: after a GEMM,
	 * OpenBLAS's threads keep spinning for a while and would slow a
	 * blocking ping-pong by an order of magnitude.
	 */
	if (bench_rows[ngemm + 2].selected || bench_rows[ngemm + 3].selected ||
	    (c.kernel_uri[0] && bench_rows[ngemm + 9].selected)) {
		double ref;

		bench_progress(&c, "eventfd ping-pong");
		ref = bench_eventfd_rtt(c.nop_warmup, c.nop_reps, &best);
		for (i = ngemm + 2; i < bench_nrows; i++) {
			if (i != ngemm + 2 && i != ngemm + 3 && i != ngemm + 9)
				continue;
			bench_rows[i].ref = ref;
			bench_rows[i].ref_best = best;
		}
	}

	/* Devices first touch their memory lazily: everything warms up first. */
	if (bench_any_selected(0, ngemm + 3) || bench_any_selected(ngemm + 4, ngemm + 7)) {
		bench_progress(&c, "opening the in-process device");
		c.dev = loom_device_open("inproc", NULL);
		c.s = c.dev ? loom_stream_create(c.dev) : NULL;
		if (!c.s) {
			int err = -errno;

			for (i = 0; i < ngemm + 7; i++)
				if (i != ngemm + 3)
					bench_row_fail(&bench_rows[i], "open inproc device", err);
		}
	}
	for (i = 0; c.s && i < ngemm; i++) {
		if (!bench_rows[i].selected)
			continue;
		bench_progress(&c, bench_rows[i].name);
		bench_gemm_one(&c, &bench_rows[i], (unsigned)atoi(bench_rows[i].name + 9));
	}
	if (c.s && bench_any_selected(ngemm, ngemm + 2)) {
		bench_progress(&c, "copies");
		bench_copy(&c, &bench_rows[ngemm], &bench_rows[ngemm + 1]);
	}
	if (c.s && bench_rows[ngemm + 2].selected) {
		bench_progress(&c, "nop_rtt_inproc");
		bench_nop(&c, c.dev, &bench_rows[ngemm + 2]);
	}
	if (c.s && bench_rows[ngemm + 4].selected) {
		struct bench_tpc_result tr;
		uint64_t n = c.quick ? 4ULL << 20 : 64ULL << 20;
		struct bench_row *row = &bench_rows[ngemm + 4];

		bench_progress(&c, row->name);
		if (bench_tpc_axpy(c.dev, c.s, n, c.nthreads, 1, c.quick ? 3 : 5, &tr)) {
			snprintf(row->err, sizeof(row->err), "%s", tr.err);
		} else {
			row->loom = n / tr.loom_s / 1e9;
			row->loom_best = n / tr.loom_best_s / 1e9;
			row->ref = n / tr.ref_s / 1e9;
			row->ref_best = n / tr.ref_best_s / 1e9;
		}
	}
	if (c.s && bench_rows[ngemm + 5].selected) {
		struct bench_tpc_result tr;
		uint32_t rows = c.quick ? 256 : 4096, cols = 4096;
		double n = (double)rows * cols;
		struct bench_row *row = &bench_rows[ngemm + 5];

		bench_progress(&c, row->name);
		if (bench_tpc_softmax(c.dev, c.s, rows, cols, c.nthreads, 1, c.quick ? 3 : 5, &tr)) {
			snprintf(row->err, sizeof(row->err), "%s", tr.err);
		} else {
			row->loom = n / tr.loom_s / 1e9;
			row->loom_best = n / tr.loom_best_s / 1e9;
			row->ref = n / tr.ref_s / 1e9;
			row->ref_best = n / tr.ref_best_s / 1e9;
		}
	}
	if (c.s && bench_rows[ngemm + 6].selected)
		bench_chain(&c, c.dev, c.s, &bench_rows[ngemm + 6]);
	loom_stream_destroy(c.s);
	loom_device_close(c.dev);
	if (c.kernel_uri[0] && bench_any_selected(ngemm + 7, ngemm + 11))
		bench_kernel(&c, &bench_rows[ngemm + 7]);
	if (bench_rows[ngemm + 3].selected) {
		bench_progress(&c, "nop_rtt_loomd");
		bench_nop_loomd(&c, &bench_rows[ngemm + 3]);
	}
	train_row = &bench_rows[bench_nrows - 1];
	if (train_row->selected) {
		int tret;

		bench_progress(&c, train_row->name);
		/*
		 * As the training job runs, with OPENBLAS_THREAD_TIMEOUT=4 (see
		 * bench_train.h): in a child, so the rows above keep this
		 * process's OpenBLAS as it is; here if the user chose a timeout.
		 */
		if (!getenv("OPENBLAS_THREAD_TIMEOUT")) {
			tret = bench_train_mlp_child(c.quick, c.verbose, &train);
		} else {
			loom_device *tdev = loom_device_open("inproc", NULL);

			if (!tdev) {
				tret = -errno;
				snprintf(train.err, sizeof(train.err), "open inproc device: %s",
					 loom_strerror(tret));
			} else {
				tret = bench_train_mlp(tdev, 256, c.nthreads, c.quick ? 3 : 7,
						       c.quick ? 4 : 30, c.verbose, &train);
				loom_device_close(tdev);
			}
		}
		if (tret) {
			snprintf(train_row->err, sizeof(train_row->err), "%s", train.err);
		} else {
			train_row->loom = train.loom_sps;
			train_row->loom_best = train.loom_best_sps;
			train_row->ref = train.ref_sps;
			train_row->ref_best = train.ref_best_sps;
		}
	}
	for (i = 0; i < bench_nrows; i++)
		if (bench_rows[i].selected && (isnan(bench_rows[i].loom) || bench_rows[i].err[0]))
			failed++;
	if (c.json) {
		bench_print_json();
	} else {
		bench_print_table();
		if (train_row->selected)
			bench_train_print_breakdown(stdout, train_row->name, &train);
	}
	for (i = 0; i < bench_nrows; i++)
		if (bench_rows[i].selected && bench_rows[i].err[0])
			fprintf(stderr, "loom-bench: %s: %s\n", bench_rows[i].name, bench_rows[i].err);
	return failed ? BENCH_EXIT_FAILED : BENCH_EXIT_OK;
}
