/* SPDX-License-Identifier: MIT */
/*
 * The training job's command line (loom_train_cli.h): options, the
 * progress display on the terminal, the final report, and the JSON log.
 * The plot is in loom_train_plot.c.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loom_dataset.h"
#include "loom_train_cli.h"

struct cli_state {
	const struct loom_train_cli *cli;
	struct loom_train_opts o;
	bool json, quiet, bar;
	const char *out_dir, *log_path, *plot_path, *save_graph;
	double last_draw;
	bool bar_drawn;
	FILE *msg;		/* human-readable output: stdout, or stderr with --json */
};

static double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void cli_usage(const struct loom_train_cli *cli, FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"%s\n"
		"\n"
		"An MLP (784-HIDDEN-10, ReLU, softmax cross-entropy, Adam), or a saved\n"
		"graph, trained on Fashion-MNIST on a Loom device, evaluated on the test\n"
		"set each epoch.\n"
		"\n"
		"  --epochs N        epochs (1..%d; default %d)\n"
		"  --batch N         training batch size (default %d)\n"
		"  --dtype T         f32 or bf16: the MME's input type (default f32)\n"
		"  --lr X            Adam's learning rate (default %g)\n"
		"  --hidden LIST     hidden layer sizes, comma-separated (default 512,256)\n"
		"  --graph FILE      train the saved graph FILE instead of the MLP (inputs\n"
		"                    x [B, 784] and labels [B], a node logits [B, 10])\n"
		"  --save-graph FILE write the graph that would be trained to FILE and exit\n"
		"  --device URI      device to open (default: LOOM_DEVICE, %s)\n"
		"  --data DIR        Fashion-MNIST IDX files (default $LOOM_DATA_DIR, else\n"
		"                    %s)\n"
		"  --train-limit N   train on the first N samples only (default all 60000)\n"
		"  --test-limit N    test on the first N samples only (default all 10000)\n"
		"  --seed N          initialisation and shuffling seed (default 1)\n"
		"  --loss-every N    read the loss every N steps (default 1)\n"
		"  --json            print the final metrics as JSON on stdout\n"
		"                    (the human-readable report goes to stderr)\n"
		"  --log FILE        write the JSON log to FILE\n"
		"  --plot FILE       plot loss and accuracy per epoch into FILE (PNG, gnuplot)\n"
		"%s"
		"  --progress        show the progress bar (default: %s)\n"
		"  --no-progress     no progress bar\n"
		"  -q, --quiet       only errors (and the JSON with --json)\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 trained; 1 the run failed; 2 usage error; 3 the data set\n"
		"is missing (Debian package dataset-fashion-mnist).\n",
		cli->prog, cli->summary, LOOM_TRAIN_MAX_EPOCHS, LOOM_TRAIN_DEF_EPOCHS,
		LOOM_TRAIN_DEF_BATCH, LOOM_TRAIN_DEF_LR,
		cli->demo ? "else a device started\n                    in this process (inproc)" :
			    "else a loomd socket,\n                    else an in-process device",
		LOOM_FASHION_MNIST_DIR,
		cli->demo ? "  --out DIR         where the log and plot go by default (default .:\n"
			    "                    DIR/train-log.json, DIR/train-plot.png)\n" : "",
		cli->demo ? "on a terminal" : "off");
}

static int cli_uint(const char *prog, const char *opt, const char *s, unsigned long max,
		    uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (end == s || *end || errno || v < 1 || v > max || *s == '-' || *s == '+') {
		fprintf(stderr, "%s: %s: '%s' is not a number in 1..%lu\n", prog, opt, s, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* ---- Progress ------------------------------------------------------------ */

static void cli_bar_clear(struct cli_state *st)
{
	if (st->bar_drawn) {
		fprintf(stderr, "\r\033[K");
		st->bar_drawn = false;
	}
}

static void cli_progress(const struct loom_train_progress *p, void *arg)
{
	struct cli_state *st = arg;
	double now = cli_now();
	char bar[41], power[32];
	int width = 30, fill, i;

	if (st->quiet)
		return;
	switch (p->phase) {
	case LOOM_TRAIN_LOADING:
		fprintf(st->msg, "loading Fashion-MNIST from %s\n", loom_train_data_dir(&st->o));
		return;
	case LOOM_TRAIN_COMPILING:
		fprintf(st->msg, "compiling the training and test graphs for the device\n");
		fflush(st->msg);
		return;
	case LOOM_TRAIN_EPOCH_DONE:
		cli_bar_clear(st);
		fprintf(st->msg, "epoch %3u/%u  loss %.4f  test acc %6.2f%%  test loss %.4f  "
			"%8.0f samples/s  %5.1f s  %7.1f J\n",
			p->epoch, p->epochs, p->done->train_loss, 100.0 * p->done->test_acc,
			p->done->test_loss, p->done->samples_per_s, p->done->train_s,
			p->done->energy_j);
		fflush(st->msg);
		return;
	case LOOM_TRAIN_STEP:
	case LOOM_TRAIN_EVAL:
		break;
	}
	if (!st->bar || (now - st->last_draw < 0.1 && p->step != p->steps))
		return;
	st->last_draw = now;
	fill = p->phase == LOOM_TRAIN_EVAL ? width : (int)((double)width * p->step / p->steps);
	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = 0;
	if (isnan(p->power_w))
		snprintf(power, sizeof(power), "-");
	else
		snprintf(power, sizeof(power), "%.1f W", p->power_w);
	if (p->phase == LOOM_TRAIN_EVAL)
		fprintf(stderr, "\r\033[Kepoch %u/%u [%s] testing %u  power %s", p->epoch,
			p->epochs, bar, p->step, power);
	else
		fprintf(stderr, "\r\033[Kepoch %u/%u [%s] %u/%u  loss %.4f  %.0f samples/s  power %s",
			p->epoch, p->epochs, bar, p->step, p->steps, p->loss, p->samples_per_s,
			power);
	fflush(stderr);
	st->bar_drawn = true;
}

/* ---- Report -------------------------------------------------------------- */

static void cli_report(struct cli_state *st, const struct loom_train_result *r)
{
	static const char *const names[LOOM_ENG_COUNT] = { "DMA", "MME", "TPC", "CP" };
	const struct loom_train_engines *e = &r->eng;
	double covered = e->busy_ms_per_step[LOOM_ENG_MME] + e->busy_ms_per_step[LOOM_ENG_TPC] +
			 e->busy_ms_per_step[LOOM_ENG_DMA];
	FILE *f = st->msg;
	int i;

	fprintf(f, "\ntest accuracy %.2f%% (test loss %.4f) after %u epochs on %u samples; "
		"final training loss %.4f\n",
		100.0 * r->test_acc, r->test_loss, r->nepochs, r->train_samples, r->final_loss);
	fprintf(f, "training: %llu steps of %u in %.1f s: %.0f samples/s, %.2f ms per step "
		"(whole job %.1f s)\n",
		(unsigned long long)r->steps, st->o.batch, r->train_s, r->samples_per_s,
		r->step_ms, r->total_s);
	fprintf(f, "device %s (%s backend), telemetry over %.1f s of device time (%d samples):\n",
		r->device_uri, r->backend, r->device_s, r->telemetry_samples);
	fprintf(f, "  energy          %.1f J\n", r->energy_j);
	fprintf(f, "  power           average %.1f W, peak %.1f W (sampled)\n", r->avg_power_w,
		r->peak_power_w);
	fprintf(f, "  temperature     peak %.1f C\n", r->peak_temp_c);
	fprintf(f, "  MME work        %.1f GFLOP\n", r->gflop);
	fprintf(f, "  throttling      %s%s%s\n", r->throttle_seen ? "" : "none",
		(r->throttle_seen & LOOM_THROTTLE_REASON_POWER) ? "power " : "",
		(r->throttle_seen & LOOM_THROTTLE_REASON_THERMAL) ? "thermal" : "");
	fprintf(f, "  utilisation     ");
	for (i = 0; i < LOOM_ENG_COUNT; i++)
		fprintf(f, "%s %.0f%%%s", names[i], e->util_pct[i], i + 1 < LOOM_ENG_COUNT ? ", " : "");
	fprintf(f, " (busy time / instances / training time)\n");
	fprintf(f, "  step time       %.2f ms: MME %.2f, TPC %.2f, DMA %.2f, idle %.2f ms\n",
		r->step_ms, e->busy_ms_per_step[LOOM_ENG_MME], e->busy_ms_per_step[LOOM_ENG_TPC],
		e->busy_ms_per_step[LOOM_ENG_DMA],
		r->step_ms > covered ? r->step_ms - covered : 0.0);
	fprintf(f, "                  (busy time per engine instance; idle: the rest of the step,\n"
		   "                  where no engine class was busy if they did not overlap)\n");
}

/* A JSON number, or null for NaN and infinities. */
static void cli_jnum(FILE *f, const char *key, double v, const char *sep)
{
	if (isfinite(v))
		fprintf(f, "\"%s\": %.6g%s", key, v, sep);
	else
		fprintf(f, "\"%s\": null%s", key, sep);
}

static void cli_jstr(FILE *f, const char *key, const char *s, const char *sep)
{
	fprintf(f, "\"%s\": \"", key);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fprintf(f, "\"%s", sep);
}

void loom_train_write_json(FILE *f, const struct loom_train_opts *o,
			   const struct loom_train_result *r)
{
	static const char *const names[LOOM_ENG_COUNT] = { "dma", "mme", "tpc", "cp" };
	uint32_t i;

	fprintf(f, "{\n  \"config\": {");
	fprintf(f, "\"epochs\": %u, \"batch\": %u, ", o->epochs, o->batch);
	cli_jstr(f, "dtype", o->dtype == LOOM_TRAIN_BF16 ? "bf16" : "f32", ", ");
	cli_jnum(f, "lr", o->lr, ", ");
	if (o->graph_path) {
		cli_jstr(f, "graph", o->graph_path, ", ");
	} else {
		fprintf(f, "\"graph\": null, \"layers\": [%u", r->features);
		for (i = 0; i < o->nhidden; i++)
			fprintf(f, ", %u", o->hidden[i]);
		fprintf(f, ", %u], ", r->classes);
	}
	fprintf(f, "\"optimizer\": \"adam\", \"seed\": %llu, ", (unsigned long long)o->seed);
	cli_jstr(f, "data", loom_train_data_dir(o), ", ");
	fprintf(f, "\"train_samples\": %u, \"test_samples\": %u},\n", r->train_samples,
		r->test_samples);
	fprintf(f, "  \"device\": {");
	cli_jstr(f, "uri", r->device_uri, ", ");
	cli_jstr(f, "backend", r->backend, "},\n");
	fprintf(f, "  \"epochs\": [");
	for (i = 0; i < r->nepochs; i++) {
		const struct loom_train_epoch *e = &r->epochs[i];

		fprintf(f, "%s\n    {\"epoch\": %u, ", i ? "," : "", e->epoch);
		cli_jnum(f, "train_loss", e->train_loss, ", ");
		cli_jnum(f, "test_loss", e->test_loss, ", ");
		cli_jnum(f, "test_accuracy", e->test_acc, ", ");
		cli_jnum(f, "seconds", e->train_s, ", ");
		cli_jnum(f, "samples_per_s", e->samples_per_s, ", ");
		cli_jnum(f, "energy_j", e->energy_j, ", ");
		cli_jnum(f, "avg_power_w", e->avg_power_w, "}");
	}
	fprintf(f, "\n  ],\n  \"result\": {");
	cli_jnum(f, "test_accuracy", r->test_acc, ", ");
	cli_jnum(f, "test_loss", r->test_loss, ", ");
	cli_jnum(f, "final_train_loss", r->final_loss, ", ");
	fprintf(f, "\"epochs\": %u, \"steps\": %llu, ", r->nepochs, (unsigned long long)r->steps);
	cli_jnum(f, "train_seconds", r->train_s, ", ");
	cli_jnum(f, "samples_per_s", r->samples_per_s, ", ");
	cli_jnum(f, "step_ms", r->step_ms, ", ");
	cli_jnum(f, "total_seconds", r->total_s, "},\n");
	fprintf(f, "  \"telemetry\": {");
	cli_jnum(f, "device_seconds", r->device_s, ", ");
	cli_jnum(f, "energy_j", r->energy_j, ", ");
	cli_jnum(f, "avg_power_w", r->avg_power_w, ", ");
	cli_jnum(f, "peak_power_w", r->peak_power_w, ", ");
	cli_jnum(f, "peak_temp_c", r->peak_temp_c, ", ");
	cli_jnum(f, "mme_gflop", r->gflop, ", ");
	fprintf(f, "\"throttled\": %s, \"samples\": %d,\n", r->throttle_seen ? "true" : "false",
		r->telemetry_samples);
	fprintf(f, "    \"engines\": {");
	for (i = 0; i < LOOM_ENG_COUNT; i++) {
		fprintf(f, "%s\"%s\": {\"instances\": %u, ", i ? ", " : "", names[i],
			r->eng.count[i]);
		cli_jnum(f, "util_pct", r->eng.util_pct[i], ", ");
		cli_jnum(f, "busy_ms_per_step", r->eng.busy_ms_per_step[i], "}");
	}
	fprintf(f, "}}\n}\n");
}

static int cli_write_log(const char *prog, const char *path, const struct loom_train_opts *o,
			 const struct loom_train_result *r)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
		return -errno;
	}
	loom_train_write_json(f, o, r);
	if (fclose(f)) {
		fprintf(stderr, "%s: writing %s: %s\n", prog, path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* ---- Main ---------------------------------------------------------------- */

static int cli_parse(struct cli_state *st, int argc, char **argv)
{
	enum {
		O_EPOCHS = 256, O_BATCH, O_DTYPE, O_LR, O_HIDDEN, O_DEVICE, O_DATA, O_TRAIN_LIMIT,
		O_TEST_LIMIT, O_SEED, O_LOSS_EVERY, O_JSON, O_LOG, O_PLOT, O_OUT, O_PROGRESS,
		O_NO_PROGRESS, O_GRAPH, O_SAVE_GRAPH,
	};
	static const struct option lopts[] = {
		{ "epochs", required_argument, NULL, O_EPOCHS },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "dtype", required_argument, NULL, O_DTYPE },
		{ "lr", required_argument, NULL, O_LR },
		{ "hidden", required_argument, NULL, O_HIDDEN },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "data", required_argument, NULL, O_DATA },
		{ "train-limit", required_argument, NULL, O_TRAIN_LIMIT },
		{ "test-limit", required_argument, NULL, O_TEST_LIMIT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "loss-every", required_argument, NULL, O_LOSS_EVERY },
		{ "json", no_argument, NULL, O_JSON },
		{ "log", required_argument, NULL, O_LOG },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "out", required_argument, NULL, O_OUT },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
		{ "graph", required_argument, NULL, O_GRAPH },
		{ "save-graph", required_argument, NULL, O_SAVE_GRAPH },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = st->cli->prog;
	int opt, bar = -1;
	uint32_t v;
	char err[160], *end;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":qh", lopts, NULL)) != -1) {
		switch (opt) {
		case O_EPOCHS:
			if (cli_uint(prog, "--epochs", optarg, LOOM_TRAIN_MAX_EPOCHS, &st->o.epochs))
				return -EINVAL;
			break;
		case O_BATCH:
			if (cli_uint(prog, "--batch", optarg, 65536, &st->o.batch))
				return -EINVAL;
			break;
		case O_DTYPE:
			if (!strcmp(optarg, "f32") || !strcmp(optarg, "fp32")) {
				st->o.dtype = LOOM_TRAIN_F32;
			} else if (!strcmp(optarg, "bf16")) {
				st->o.dtype = LOOM_TRAIN_BF16;
			} else {
				fprintf(stderr, "%s: --dtype: '%s': f32 or bf16\n", prog, optarg);
				return -EINVAL;
			}
			break;
		case O_LR:
			errno = 0;
			st->o.lr = strtof(optarg, &end);
			if (end == optarg || *end || errno || !(st->o.lr > 0) || st->o.lr > 10) {
				fprintf(stderr, "%s: --lr: '%s': a number in (0, 10]\n", prog, optarg);
				return -EINVAL;
			}
			break;
		case O_HIDDEN:
			if (loom_train_parse_hidden(&st->o, optarg, err, sizeof(err))) {
				fprintf(stderr, "%s: %s\n", prog, err);
				return -EINVAL;
			}
			break;
		case O_DEVICE:
			st->o.device = optarg;
			break;
		case O_DATA:
			st->o.data_dir = optarg;
			break;
		case O_TRAIN_LIMIT:
			if (cli_uint(prog, "--train-limit", optarg, UINT32_MAX, &st->o.train_limit))
				return -EINVAL;
			break;
		case O_TEST_LIMIT:
			if (cli_uint(prog, "--test-limit", optarg, UINT32_MAX, &st->o.test_limit))
				return -EINVAL;
			break;
		case O_SEED:
			if (cli_uint(prog, "--seed", optarg, UINT32_MAX, &v))
				return -EINVAL;
			st->o.seed = v;
			break;
		case O_LOSS_EVERY:
			if (cli_uint(prog, "--loss-every", optarg, 1u << 20, &st->o.loss_every))
				return -EINVAL;
			break;
		case O_JSON:
			st->json = true;
			break;
		case O_LOG:
			st->log_path = optarg;
			break;
		case O_PLOT:
			st->plot_path = optarg;
			break;
		case O_OUT:
			if (!st->cli->demo) {
				fprintf(stderr, "%s: unknown option '--out'\n", prog);
				return -EINVAL;
			}
			st->out_dir = optarg;
			break;
		case O_PROGRESS:
			bar = 1;
			break;
		case O_GRAPH:
			st->o.graph_path = optarg;
			break;
		case O_SAVE_GRAPH:
			st->save_graph = optarg;
			break;
		case O_NO_PROGRESS:
			bar = 0;
			break;
		case 'q':
			st->quiet = true;
			break;
		case 'h':
			cli_usage(st->cli, stdout);
			return 1;
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog, argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return -EINVAL;
	}
	st->bar = bar >= 0 ? bar : st->cli->demo && isatty(STDERR_FILENO);
	if (st->quiet)
		st->bar = false;
	return 0;
}

/*
 * OpenBLAS, the in-process device's MME kernel, keeps its worker threads
 * spinning (sched_yield) for about 2^28 cycles after every GEMM; between
 * the step's GEMMs they take the cores the TPC cores and command
 * processors run on. It reads OPENBLAS_THREAD_TIMEOUT only when it loads,
 * so the job runs itself again with a short timeout (as loomd does),
 * unless the user chose one.
 */
static void cli_blas_reexec(char **argv)
{
	if (getenv("OPENBLAS_THREAD_TIMEOUT"))
		return;
	char self[4096];
	ssize_t n;

	setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
	/* By its own path, so that its name stays its own (ps, loom-smi), not "exe". */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		execv(self, argv);
	}
	execv("/proc/self/exe", argv);
	/* Could not re-execute: carry on with the spinning default. */
}

int loom_train_main(int argc, char **argv, const struct loom_train_cli *cli)
{
	static struct loom_train_result res;	/* large: not on the stack */
	struct cli_state st = { .cli = cli };
	char err[512] = "", log_buf[4096], plot_buf[4096];
	int ret;

	cli_blas_reexec(argv);
	loom_train_opts_default(&st.o);
	ret = cli_parse(&st, argc, argv);
	if (ret > 0)
		return LOOM_TRAIN_EXIT_OK;
	if (ret < 0) {
		fprintf(stderr, "Try '%s --help'.\n", cli->prog);
		return LOOM_TRAIN_EXIT_USAGE;
	}
	st.msg = st.json ? stderr : stdout;
	/* The demo starts its own device unless told otherwise. */
	if (cli->demo && !st.o.device && !getenv("LOOM_DEVICE"))
		st.o.device = "inproc";
	if (cli->demo) {
		const char *dir = st.out_dir ? st.out_dir : ".";

		if (st.out_dir && mkdir(dir, 0777) && errno != EEXIST) {
			fprintf(stderr, "%s: cannot create %s: %s\n", cli->prog, dir, strerror(errno));
			return LOOM_TRAIN_EXIT_FAILED;
		}
		if (!st.log_path) {
			snprintf(log_buf, sizeof(log_buf), "%s/train-log.json", dir);
			st.log_path = log_buf;
		}
		if (!st.plot_path) {
			snprintf(plot_buf, sizeof(plot_buf), "%s/train-plot.png", dir);
			st.plot_path = plot_buf;
		}
	}
	if (st.save_graph) {
		ret = loom_train_save_graph(&st.o, st.save_graph, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "%s: %s\n", cli->prog, err);
			return LOOM_TRAIN_EXIT_FAILED;
		}
		if (!st.quiet)
			fprintf(st.msg, "%s: graph written to %s\n", cli->prog, st.save_graph);
		return LOOM_TRAIN_EXIT_OK;
	}
	if (st.o.graph_path && loom_train_save_graph(&st.o, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		return LOOM_TRAIN_EXIT_FAILED;
	}
	if (!st.quiet && st.o.graph_path) {
		fprintf(st.msg, "%s: graph %s, batch %u, Adam lr %g, %u epochs\n", cli->prog,
			st.o.graph_path, st.o.batch, st.o.lr, st.o.epochs);
	} else if (!st.quiet) {
		uint32_t i;

		fprintf(st.msg, "%s: MLP %u", cli->prog, 784u);
		for (i = 0; i < st.o.nhidden; i++)
			fprintf(st.msg, "-%u", st.o.hidden[i]);
		fprintf(st.msg, "-10, %s, batch %u, Adam lr %g, %u epochs\n",
			st.o.dtype == LOOM_TRAIN_BF16 ? "bf16" : "f32", st.o.batch, st.o.lr,
			st.o.epochs);
	}
	ret = loom_train_run(&st.o, &res, cli_progress, &st, err, sizeof(err));
	cli_bar_clear(&st);
	fflush(st.msg);
	if (ret) {
		fprintf(stderr, "%s: %s\n", cli->prog, err[0] ? err : strerror(-ret));
		if (res.data_error) {
			if (!strcmp(loom_train_data_dir(&st.o), LOOM_FASHION_MNIST_DIR))
				fprintf(stderr, "%s: install the Debian package dataset-fashion-mnist "
					"(scripts/install-deps.sh demo)\n", cli->prog);
			return LOOM_TRAIN_EXIT_NODATA;
		}
		return LOOM_TRAIN_EXIT_FAILED;
	}
	if (!st.quiet)
		cli_report(&st, &res);
	if (st.json)
		loom_train_write_json(stdout, &st.o, &res);
	if (st.log_path) {
		if (cli_write_log(cli->prog, st.log_path, &st.o, &res))
			return LOOM_TRAIN_EXIT_FAILED;
		if (!st.quiet)
			fprintf(st.msg, "log: %s\n", st.log_path);
	}
	if (st.plot_path) {
		ret = loom_train_plot(st.plot_path, &res, err, sizeof(err));
		if (ret == -ENOENT) {
			fprintf(stderr, "%s: gnuplot is not installed (Debian package gnuplot-nox): "
				"no plot\n", cli->prog);
		} else if (ret) {
			fprintf(stderr, "%s: plot: %s\n", cli->prog, err);
			return LOOM_TRAIN_EXIT_FAILED;
		} else if (!st.quiet) {
			fprintf(st.msg, "plot: %s\n", st.plot_path);
		}
	}
	return LOOM_TRAIN_EXIT_OK;
}
