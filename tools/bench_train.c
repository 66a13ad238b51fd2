/* SPDX-License-Identifier: MIT */
/*
 * loom-bench's training rows (bench_train.h). The PyTorch reference runs
 * in a child process (tools/bench_torch_mlp.py --serve) that warms up
 * once, then times a number of steps each time it is asked; Loom's
 * repetitions and PyTorch's alternate, with a pause between them so that
 * neither side's idle worker threads (OpenBLAS's, OpenMP's), still
 * spinning, eat into the other's time.
 *
 * The child runs with OMP_WAIT_POLICY=PASSIVE unless the environment says
 * otherwise (see bt_child_start).
 *
 * The interpreter: $LOOM_PYTHON, else Debian's /usr/bin/python3 (where
 * python3-torch installs), else python3 on PATH. The script:
 * $LOOM_BENCH_TORCH, else the one in the source tree loom-bench was
 * built from.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_train.h"
#include "loom_train.h"

#ifndef LOOM_SOURCE_DIR
#define LOOM_SOURCE_DIR "."
#endif

#define BT_REPLY_TIMEOUT_MS	(300 * 1000)	/* one repetition, or import + warm-up */
#define BT_PAUSE_NS		(150 * 1000 * 1000)
#define BT_MAX_REPS		64
#define BT_CHILD_VAR		"LOOM_BENCH_TRAIN_CHILD"	/* set: we set the timeout */

struct bt_child {
	pid_t pid;
	int to, from;		/* its stdin, stdout */
	char buf[1024];
	size_t len;
};

static double bt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void bt_pause(void)
{
	struct timespec ts = { 0, BT_PAUSE_NS };

	nanosleep(&ts, NULL);
}

static int bt_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bt_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bt_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void bt_child_stop(struct bt_child *ch)
{
	int status, i;

	if (ch->to >= 0)
		close(ch->to);	/* EOF: the script ends */
	if (ch->from >= 0)
		close(ch->from);
	ch->to = ch->from = -1;
	if (ch->pid <= 0)
		return;
	for (i = 0; i < 200; i++) {
		if (waitpid(ch->pid, &status, WNOHANG) == ch->pid)
			break;
		usleep(10000);
	}
	if (i == 200) {
		kill(ch->pid, SIGKILL);
		waitpid(ch->pid, &status, 0);
	}
	ch->pid = 0;
}

/* One line of the child's output (without the newline) within the timeout. */
static int bt_child_line(struct bt_child *ch, char *line, size_t len)
{
	double deadline = bt_now() + BT_REPLY_TIMEOUT_MS / 1000.0;

	for (;;) {
		char *nl = memchr(ch->buf, '\n', ch->len);
		struct pollfd p = { .fd = ch->from, .events = POLLIN };
		ssize_t n;
		int left;

		if (nl) {
			size_t l = nl - ch->buf;

			snprintf(line, len, "%.*s", (int)l, ch->buf);
			memmove(ch->buf, nl + 1, ch->len - l - 1);
			ch->len -= l + 1;
			return 0;
		}
		if (ch->len == sizeof(ch->buf))
			return -E2BIG;
		left = (int)((deadline - bt_now()) * 1000);
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ETIMEDOUT;
		n = read(ch->from, ch->buf + ch->len, sizeof(ch->buf) - ch->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		ch->len += n;
	}
}

/* The number after "key": in a one-line JSON object, or NAN. */
static double bt_json_num(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void bt_json_str(const char *line, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(line, pat);
	if (!p) {
		out[0] = 0;
		return;
	}
	p += strlen(pat);
	snprintf(out, len, "%.*s", (int)strcspn(p, "\""), p);
}

static const char *bt_python(void)
{
	const char *env = getenv("LOOM_PYTHON");

	if (env && *env)
		return env;
	return access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3";
}

/* Start the script; on success it has warmed up and said so. */
static int bt_child_start(struct bt_child *ch, uint32_t batch, int nthreads, bool verbose,
			  struct bench_train_result *r)
{
	const char *script = getenv("LOOM_BENCH_TORCH"), *py = bt_python();
	char path[4096], line[1024], a_batch[16], a_threads[16];
	int in[2], out[2], ret;

	memset(ch, 0, sizeof(*ch));
	ch->to = ch->from = -1;
	if (!script || !*script) {
		snprintf(path, sizeof(path), "%s/tools/bench_torch_mlp.py", LOOM_SOURCE_DIR);
		script = path;
	}
	if (access(script, R_OK)) {
		snprintf(r->ref_note, sizeof(r->ref_note), "%.120s not found (set LOOM_BENCH_TORCH)",
			 script);
		return -ENOENT;
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		snprintf(r->ref_note, sizeof(r->ref_note), "pipe: %s", strerror(errno));
		return -errno;
	}
	snprintf(a_batch, sizeof(a_batch), "%u", batch);
	snprintf(a_threads, sizeof(a_threads), "%d", nthreads);
	ch->pid = fork();
	if (ch->pid < 0) {
		snprintf(r->ref_note, sizeof(r->ref_note), "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		ch->pid = 0;
		return -EAGAIN;
	}
	if (ch->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		if (!verbose && devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		/*
		 * GNU OpenMP's workers spin at their barriers by default; on a
		 * machine with more runnable threads than cores that makes
		 * PyTorch several times slower. Passive waiting is its better
		 * setting there and costs little on a quiet machine (the
		 * caller's own OMP_WAIT_POLICY wins).
		 */
		setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
		/* The Loom side's OpenBLAS setting (see bench_train.h) is not PyTorch's. */
		if (getenv(BT_CHILD_VAR)) {
			unsetenv("OPENBLAS_THREAD_TIMEOUT");
			unsetenv(BT_CHILD_VAR);
		}
		execlp(py, py, script, "--serve", "--pick-threads", "--batch", a_batch,
		       "--threads", a_threads,
		       (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ch->to = in[1];
	ch->from = out[0];
	ret = bt_child_line(ch, line, sizeof(line));
	if (ret) {
		snprintf(r->ref_note, sizeof(r->ref_note), "%.40s %.60s did not start: %s", py, script,
			 ret == -EPIPE ? "exited (python3 missing?)" : strerror(-ret));
		bt_child_stop(ch);
		return ret;
	}
	if (!strstr(line, "\"ready\"")) {
		char why[128];

		bt_json_str(line, "error", why, sizeof(why));
		snprintf(r->ref_note, sizeof(r->ref_note), "%.150s", why[0] ? why : line);
		bt_child_stop(ch);
		return -ENOENT;
	}
	bt_json_str(line, "torch", r->torch_version, sizeof(r->torch_version));
	/* The intra-op thread count it picked (the faster of 1 and nthreads). */
	const char *th = strstr(line, "\"threads\": ");

	if (th)
		r->ref_threads = atoi(th + 11);
	return 0;
}

static int bt_child_steps(struct bt_child *ch, uint32_t steps, double *seconds,
			  struct bench_train_result *r)
{
	char cmd[32], line[1024];
	int n = snprintf(cmd, sizeof(cmd), "%u\n", steps), ret;

	if (write(ch->to, cmd, n) != n) {
		snprintf(r->ref_note, sizeof(r->ref_note), "the reference went away: %s",
			 strerror(errno));
		return -EPIPE;
	}
	ret = bt_child_line(ch, line, sizeof(line));
	if (ret) {
		snprintf(r->ref_note, sizeof(r->ref_note), "the reference did not answer: %s",
			 strerror(-ret));
		return ret;
	}
	*seconds = bt_json_num(line, "seconds");
	if (!(*seconds > 0)) {
		snprintf(r->ref_note, sizeof(r->ref_note), "the reference said: %.100s", line);
		return -EPROTO;
	}
	return 0;
}

int bench_train_mlp(loom_device *dev, uint32_t batch, int nthreads, int reps, uint32_t steps,
		    bool verbose, struct bench_train_result *r)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	double tl[BT_MAX_REPS], tr[BT_MAX_REPS], sec, loom_s = 0;
	uint64_t busy[LOOM_ENG_COUNT], busy_sum[LOOM_ENG_COUNT] = { 0 };
	struct loom_train_opts o;
	struct loom_device_info info;
	loom_train_bencher *b = NULL;
	struct bt_child ch;
	bool have_ref;
	int i, e, ret = 0, nref = 0;

	memset(r, 0, sizeof(*r));
	r->loom_sps = r->loom_best_sps = r->ref_sps = r->ref_best_sps = r->step_ms = NAN;
	r->threads = nthreads;
	if (reps > BT_MAX_REPS)
		reps = BT_MAX_REPS;
	sigaction(SIGPIPE, &ign, &old);
	/* The reference warms up alone first, then Loom compiles and warms up. */
	have_ref = !bt_child_start(&ch, batch, nthreads, verbose, r);
	loom_train_opts_default(&o);
	o.batch = batch;
	b = loom_train_bench_create(dev, &o, r->err, sizeof(r->err));
	if (!b) {
		ret = -errno;
		goto out;
	}
	ret = loom_train_bench_steps(b, steps > 5 ? 5 : steps, &sec, NULL);
	if (ret)
		goto out;
	for (i = 0; i < reps; i++) {
		bt_pause();
		ret = loom_train_bench_steps(b, steps, &sec, busy);
		if (ret)
			goto out;
		tl[i] = steps * (double)batch / sec;
		loom_s += sec;
		for (e = 0; e < LOOM_ENG_COUNT; e++)
			busy_sum[e] += busy[e];
		if (!have_ref)
			continue;
		bt_pause();
		if (bt_child_steps(&ch, steps, &sec, r)) {
			have_ref = false;
			nref = 0;
			continue;
		}
		tr[nref++] = steps * (double)batch / sec;
	}
	r->loom_sps = bt_median(tl, reps);
	r->loom_best_sps = tl[reps - 1];
	r->step_ms = 1000.0 * batch / r->loom_sps;
	if (have_ref && nref) {
		r->ref_sps = bt_median(tr, nref);
		r->ref_best_sps = tr[nref - 1];
	}
	if (loom_device_info(dev, &info))
		memset(&info, 0, sizeof(info));
	r->eng_count[LOOM_ENG_DMA] = info.num_dma ? info.num_dma : 1;
	r->eng_count[LOOM_ENG_MME] = info.num_mme ? info.num_mme : 1;
	r->eng_count[LOOM_ENG_TPC] = info.num_tpc ? info.num_tpc : 1;
	r->eng_count[LOOM_ENG_CP] = info.num_queues ? info.num_queues : 1;
	for (e = 0; e < LOOM_ENG_COUNT; e++)
		r->eng_ms[e] = busy_sum[e] / 1e6 / r->eng_count[e] / ((double)reps * steps);
out:
	loom_train_bench_destroy(b);
	if (ch.pid > 0 || ch.to >= 0)
		bt_child_stop(&ch);
	sigaction(SIGPIPE, &old, NULL);
	if (ret && !r->err[0])
		snprintf(r->err, sizeof(r->err), "%s", loom_strerror(ret));
	return ret;
}

void bench_train_print_breakdown(FILE *f, const char *name, const struct bench_train_result *r)
{
	double covered = r->eng_ms[LOOM_ENG_MME] + r->eng_ms[LOOM_ENG_TPC] + r->eng_ms[LOOM_ENG_DMA];

	if (isnan(r->step_ms))
		return;
	fprintf(f, "  %s step %.2f ms: MME %.2f, TPC %.2f, DMA %.2f, idle %.2f ms "
		"(device busy time per engine instance)\n", name, r->step_ms,
		r->eng_ms[LOOM_ENG_MME], r->eng_ms[LOOM_ENG_TPC], r->eng_ms[LOOM_ENG_DMA],
		r->step_ms > covered ? r->step_ms - covered : 0.0);
	if (isnan(r->ref_sps))
		fprintf(f, "  %s reference unavailable: %s\n", name, r->ref_note);
	else
		fprintf(f, "  %s reference: PyTorch %s on the CPU (%d cores), its faster of 1 and %d "
			"intra-op threads: %d (OpenBLAS keeps its own), denormals flushed; same network, "
			"batch and optimiser\n", name, r->torch_version, r->threads, r->threads,
			r->ref_threads);
}

/* ---- The measurement in a child (bench_train.h) ------------------------- */

int bench_train_child_main(int nthreads, bool quick, bool verbose)
{
	struct bench_train_result r;
	loom_device *dev = loom_device_open("inproc", NULL);
	const unsigned char *p = (const unsigned char *)&r;
	int ret;

	if (!dev) {
		memset(&r, 0, sizeof(r));
		r.loom_sps = r.ref_sps = r.step_ms = NAN;
		ret = -errno;
		snprintf(r.err, sizeof(r.err), "open inproc device: %s", loom_strerror(ret));
	} else {
		ret = bench_train_mlp(dev, 256, nthreads, quick ? 3 : 7, quick ? 4 : 30, verbose, &r);
		loom_device_close(dev);
	}
	/* The result as it is in memory: the parent is this same binary. */
	printf("train-result ");
	for (size_t i = 0; i < sizeof(r); i++)
		printf("%02x", p[i]);
	printf("\n");
	return ret ? 2 : 0;
}

int bench_train_mlp_child(bool quick, bool verbose, struct bench_train_result *r)
{
	char *line = NULL, *hex;
	size_t cap = 0;
	int pipefd[2], status, ret = -EIO;
	pid_t pid;
	FILE *f;

	memset(r, 0, sizeof(*r));
	r->loom_sps = r->ref_sps = r->step_ms = NAN;
	snprintf(r->err, sizeof(r->err), "the measuring child failed");
	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
		setenv(BT_CHILD_VAR, "1", 1);
		char *args[5] = { "loom-bench", "--train-child" };
		int n = 2;

		if (quick)
			args[n++] = "--quick";
		if (verbose)
			args[n++] = "-v";
		args[n] = NULL;
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "train-result ", 13))
			continue;
		hex = line + 13;
		if (strspn(hex, "0123456789abcdef") != 2 * sizeof(*r))
			break;
		for (size_t i = 0; i < sizeof(*r); i++) {
			unsigned v;

			sscanf(hex + 2 * i, "%2x", &v);
			((unsigned char *)r)[i] = (unsigned char)v;
		}
		ret = r->err[0] ? -EIO : 0;
	}
	free(line);
	if (f)
		fclose(f);
	else
		close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return ret;
}
