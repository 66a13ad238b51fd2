/* SPDX-License-Identifier: MIT */
/*
 * The training job's plot (loom_train_plot in loom_train_cli.h): the
 * per-epoch training and test loss and the test accuracy, drawn by
 * gnuplot (Debian's gnuplot-nox) into a PNG. The figures go to gnuplot
 * inline in its script, which it reads on its standard input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loom_train_cli.h"

/* Is gnuplot on PATH ($GNUPLOT names another program)? */
static int plot_find(char *buf, size_t len)
{
	const char *env = getenv("GNUPLOT"), *path = getenv("PATH");
	char dir[3072];

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return access(buf, X_OK) ? -ENOENT : 0;
	}
	path = path && *path ? path : "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n < sizeof(dir)) {
			memcpy(dir, path, n);
			dir[n] = 0;
			snprintf(buf, len, "%s/gnuplot", dir);
			if (!access(buf, X_OK))
				return 0;
		}
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

/* A gnuplot single-quoted string: ' doubled. */
static void plot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void plot_block(FILE *f, const struct loom_train_result *r)
{
	uint32_t i;

	for (i = 0; i < r->nepochs; i++) {
		const struct loom_train_epoch *e = &r->epochs[i];

		fprintf(f, "%u %.6g %.6g %.6g\n", e->epoch,
			isfinite(e->train_loss) ? e->train_loss : 0.0,
			isfinite(e->test_loss) ? e->test_loss : 0.0, 100.0 * e->test_acc);
	}
	fprintf(f, "e\n");
}

int loom_train_plot(const char *png, const struct loom_train_result *r, char *err,
		    size_t errlen)
{
	char gp[4096], cmd[4200];
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	FILE *f;
	int status;

	if (!png || !r || !r->nepochs) {
		snprintf(err, errlen, "nothing to plot");
		return -EINVAL;
	}
	if (plot_find(gp, sizeof(gp)))
		return -ENOENT;
	/* gnuplot's messages are of no use here: only its status. */
	snprintf(cmd, sizeof(cmd), "'%s' >/dev/null 2>&1", gp);
	if (strchr(gp, '\'')) {
		snprintf(err, errlen, "gnuplot path contains a quote: %s", gp);
		return -EINVAL;
	}
	/* A gnuplot that dies early must not take this process with it. */
	sigaction(SIGPIPE, &ign, &old);
	f = popen(cmd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot run %s: %s", gp, strerror(errno));
		sigaction(SIGPIPE, &old, NULL);
		return -errno;
	}
	fprintf(f, "set terminal pngcairo size 1100,450 font 'sans,10'\n");
	fprintf(f, "set output ");
	plot_quote(f, png);
	fprintf(f, "\nset multiplot layout 1,2 title 'Loom: MLP on Fashion-MNIST (%u epochs, "
		"%.0f samples/s, test accuracy %.2f%%)'\n",
		r->nepochs, r->samples_per_s, 100.0 * r->test_acc);
	fprintf(f, "set grid\nset xlabel 'epoch'\nset key top right\n");
	fprintf(f, "set xrange [0.5:%u.5]\n", r->nepochs);
	fprintf(f, "set xtics 1\nif (%u > 20) set xtics %u\n", r->nepochs,
		(r->nepochs + 9) / 10);
	fprintf(f, "set ylabel 'loss'\nset title 'loss'\n");
	fprintf(f, "plot '-' using 1:2 with linespoints lw 2 title 'training (mean over the epoch)', "
		"'-' using 1:3 with linespoints lw 2 title 'test'\n");
	plot_block(f, r);
	plot_block(f, r);
	fprintf(f, "set ylabel 'accuracy (%%)'\nset title 'test accuracy'\nset key bottom right\n");
	fprintf(f, "plot '-' using 1:4 with linespoints lw 2 lc rgb '#2ca02c' title 'test accuracy'\n");
	plot_block(f, r);
	fprintf(f, "unset multiplot\nset output\n");
	status = pclose(f);
	sigaction(SIGPIPE, &old, NULL);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "gnuplot failed (status %d) writing %s", status, png);
		return -EIO;
	}
	if (access(png, R_OK)) {
		snprintf(err, errlen, "gnuplot wrote no %s", png);
		return -EIO;
	}
	return 0;
}
