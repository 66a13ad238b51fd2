/* SPDX-License-Identifier: MIT */
/*
 * loom-smi: the Loom system management interface, in the spirit of
 * nvidia-smi and hl-smi. It lists the devices this process can open
 * (loom_device_list), opens each one, and shows its static facts
 * (loom_device_info) and the firmware's telemetry (loom_device_telemetry)
 * as a table, as a full per-device report (-q) or as JSON (--json); it can
 * repeat (-l) and drain the devices' event queues (--events). Each view
 * also lists the processes using each device (loom_device_processes):
 * DRAM and host memory held, hardware queues, and their engines' busy
 * share over the last second (over the loop's period with -l; a single
 * run samples twice, a second apart, when some process uses a device).
 * loom-smi's own context is left out.
 *
 * It uses only the public API (include/loom/loom.h). Opening "inproc"
 * creates a private device inside loom-smi itself: such a device is idle and
 * shows none of another process's work, which the output says.
 *
 * Exit status: 0 every selected device was read; 1 usage error; 2 no
 * device could be listed, selected or opened; 3 some devices were shown
 * but at least one failed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loom/loom.h>

#define SMI_MAX_DEVICES	64
#define SMI_MAX_EVENTS	256
#define SMI_MAX_PROCS	64
#define SMI_NUM_UTIL	3	/* dma, mme, tpc */

#define SMI_EXIT_OK		0
#define SMI_EXIT_USAGE		1
#define SMI_EXIT_NODEV		2
#define SMI_EXIT_PARTIAL	3

enum smi_mode { SMI_TABLE, SMI_QUERY, SMI_JSON };

struct smi_opts {
	enum smi_mode mode;
	double loop_s;		/* 0: once */
	int id;			/* -1: all */
	const char *uri;	/* -d, NULL: all */
	bool events;
};

/* One selected device, kept open across loop iterations. */
struct smi_dev {
	int index;		/* in loom_device_list(), -1 if not listed */
	char *uri;
	loom_device *dev;
	int open_err;		/* errno of a failed open, 0 if open */
	bool inproc;
	/* Filled by smi_dev_sample(). */
	int info_err, tel_err;
	struct loom_device_info info;
	struct loom_telemetry tel;
	int nev;
	struct loom_device_event ev[SMI_MAX_EVENTS];
	/* Processes using the device (smi_procs_sample()), and the previous sample. */
	int nproc, proc_err, nprev;
	struct loom_process proc[SMI_MAX_PROCS], prev[SMI_MAX_PROCS];
	double proc_t, prev_t;	/* CLOCK_MONOTONIC seconds of each */
	int util[SMI_MAX_PROCS][SMI_NUM_UTIL];	/* busy %, -1: not known yet */
};

static volatile sig_atomic_t smi_stop;

static void smi_on_signal(int sig)
{
	(void)sig;
	smi_stop = 1;
}

static void smi_usage(FILE *f)
{
	fprintf(f,
		"Usage: loom-smi [OPTION]...\n"
		"Show the Loom devices this process can open, their state and telemetry.\n"
		"\n"
		"  -q, --query          full report per device (every info and telemetry field)\n"
		"      --json           the same data as JSON: one array of device objects\n"
		"                       (with --loop, one array per line and iteration)\n"
		"  -l, --loop SECONDS   repeat every SECONDS (fractions allowed) until Ctrl-C\n"
		"  -i, --id N           only device N (index in the device list)\n"
		"  -d, --device URI     only the device at URI (\"inproc\", \"unix:PATH\")\n"
		"      --events         also print the device events pending for this handle\n"
		"  -h, --help           this help\n"
		"  -V, --version        versions of loom-smi and libloom\n"
		"\n"
		"Devices: LOOM_DEVICE (comma-separated URIs), else the loomd sockets in\n"
		"LOOM_SOCKET_DIR ($XDG_RUNTIME_DIR/loom, /run/loom), else \"inproc\".\n"
		"An \"inproc\" device is created privately inside loom-smi: it is idle and\n"
		"its backend column reads \"inproc\".\n"
		"\n"
		"Exit status:\n"
		"  0  every selected device was read\n"
		"  1  usage error\n"
		"  2  no device could be listed, selected or opened\n"
		"  3  some devices were shown, but at least one could not be opened or read\n");
}

static int smi_parse(int argc, char **argv, struct smi_opts *o)
{
	enum { OPT_JSON = 256, OPT_EVENTS };
	static const struct option lopts[] = {
		{ "query", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "loop", required_argument, NULL, 'l' },
		{ "id", required_argument, NULL, 'i' },
		{ "device", required_argument, NULL, 'd' },
		{ "events", no_argument, NULL, OPT_EVENTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->id = -1;
	while ((c = getopt_long(argc, argv, "ql:i:d:hV", lopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->mode = SMI_QUERY;
			break;
		case OPT_JSON:
			o->mode = SMI_JSON;
			break;
		case 'l':
			errno = 0;
			o->loop_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->loop_s > 0) || o->loop_s > 86400) {
				fprintf(stderr, "loom-smi: --loop: '%s' is not a number of seconds in (0, 86400]\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'i': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v >= SMI_MAX_DEVICES) {
				fprintf(stderr, "loom-smi: --id: '%s' is not a device index\n", optarg);
				return -EINVAL;
			}
			o->id = (int)v;
			break;
		}
		case 'd':
			if (!*optarg) {
				fprintf(stderr, "loom-smi: --device: empty URI\n");
				return -EINVAL;
			}
			o->uri = optarg;
			break;
		case OPT_EVENTS:
			o->events = true;
			break;
		case 'h':
			smi_usage(stdout);
			exit(SMI_EXIT_OK);
		case 'V':
			printf("loom-smi %d.%d.%d (libloom %s)\n", LOOM_VERSION_MAJOR,
			       LOOM_VERSION_MINOR, LOOM_VERSION_PATCH, loom_version());
			exit(SMI_EXIT_OK);
		default:
			smi_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "loom-smi: unexpected argument '%s'\n", argv[optind]);
		smi_usage(stderr);
		return -EINVAL;
	}
	if (o->id >= 0 && o->uri) {
		fprintf(stderr, "loom-smi: --id and --device exclude each other\n");
		return -EINVAL;
	}
	return 0;
}

static bool smi_uri_is_inproc(const char *uri)
{
	return uri && strncmp(uri, "inproc", 6) == 0;
}

/*
 * Build the list of selected devices. Returns how many (>= 1) or a
 * negative errno with a message printed.
 */
static int smi_select(const struct smi_opts *o, struct smi_dev *devs)
{
	char *uris[SMI_MAX_DEVICES] = { NULL };
	int n, i, nsel = 0;

	n = loom_device_list(uris, SMI_MAX_DEVICES);
	if (n < 0 && !o->uri) {
		fprintf(stderr, "loom-smi: cannot list devices: %s\n", loom_strerror(n));
		return n;
	}
	if (n > SMI_MAX_DEVICES)
		n = SMI_MAX_DEVICES;

	if (o->uri) {
		devs[0].index = -1;
		for (i = 0; i < n; i++)
			if (uris[i] && strcmp(uris[i], o->uri) == 0)
				devs[0].index = i;
		devs[0].uri = strdup(o->uri);
		nsel = devs[0].uri ? 1 : 0;
	} else if (o->id >= 0) {
		if (o->id >= n) {
			fprintf(stderr, "loom-smi: no device %d (%d listed)\n", o->id, n);
		} else {
			devs[0].index = o->id;
			devs[0].uri = uris[o->id];
			uris[o->id] = NULL;
			nsel = 1;
		}
	} else {
		for (i = 0; i < n; i++) {
			if (!uris[i])
				continue;
			devs[nsel].index = i;
			devs[nsel].uri = uris[i];
			uris[i] = NULL;
			nsel++;
		}
	}
	for (i = 0; i < n; i++)
		free(uris[i]);
	if (!nsel)
		return o->uri ? -ENOMEM : -ENODEV;
	return nsel;
}

static void smi_dev_open(struct smi_dev *d)
{
	d->inproc = smi_uri_is_inproc(d->uri);
	d->dev = loom_device_open(d->uri, NULL);
	d->open_err = d->dev ? 0 : (errno ? errno : EIO);
}

static double smi_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The engines of class e (dma, mme, tpc): a share of 100% is all of them busy. */
static uint32_t smi_engines(const struct smi_dev *d, int e)
{
	uint32_t n = e == LOOM_ENG_DMA ? d->info.num_dma :
		     e == LOOM_ENG_MME ? d->info.num_mme : d->info.num_tpc;

	return n ? n : 1;
}

/*
 * Read the processes using the device (not loom-smi itself), and each one's
 * busy share since the previous sample of the same context.
 */
static void smi_procs_sample(struct smi_dev *d)
{
	struct loom_process all[SMI_MAX_PROCS];
	int r, i, j, e;

	d->nprev = d->nproc;
	memcpy(d->prev, d->proc, sizeof(d->prev));
	d->prev_t = d->proc_t;
	d->nproc = 0;
	d->proc_err = 0;
	if (!d->dev)
		return;
	r = loom_device_processes(d->dev, all, SMI_MAX_PROCS);
	d->proc_t = smi_now_s();
	if (r < 0) {
		d->proc_err = -r;
		return;
	}
	for (i = 0; i < r && i < SMI_MAX_PROCS; i++)
		if (all[i].pid != (uint32_t)getpid())
			d->proc[d->nproc++] = all[i];
	for (i = 0; i < d->nproc; i++) {
		const struct loom_process *p = &d->proc[i], *q = NULL;
		double dt = d->proc_t - d->prev_t;

		for (j = 0; j < d->nprev && !q; j++)
			if (d->prev[j].pid == p->pid && d->prev[j].asid == p->asid)
				q = &d->prev[j];
		for (e = 0; e < SMI_NUM_UTIL; e++) {
			double pct;

			d->util[i][e] = -1;
			if (!q || dt <= 0 || p->busy_ns[e] < q->busy_ns[e])
				continue;
			pct = (p->busy_ns[e] - q->busy_ns[e]) / (dt * 1e9 * smi_engines(d, e)) * 100;
			d->util[i][e] = pct > 100 ? 100 : (int)(pct + 0.5);
		}
	}
}

/* Read info, telemetry and (optionally) events of an open device. */
static void smi_dev_sample(struct smi_dev *d, bool events)
{
	int r;

	d->nev = 0;
	if (!d->dev)
		return;
	memset(&d->info, 0, sizeof(d->info));
	memset(&d->tel, 0, sizeof(d->tel));
	d->info_err = loom_device_info(d->dev, &d->info);
	d->tel_err = loom_device_telemetry(d->dev, &d->tel);
	smi_procs_sample(d);
	if (events) {
		r = loom_device_events(d->dev, d->ev, SMI_MAX_EVENTS);
		d->nev = r > 0 ? r : 0;
	}
}

static bool smi_dev_ok(const struct smi_dev *d)
{
	return d->dev && !d->info_err && !d->tel_err;
}

static const char *smi_backend(const struct smi_dev *d)
{
	if (d->inproc)
		return "inproc";
	return d->info.backend[0] ? d->info.backend : "?";
}

static void smi_throttle_str(uint32_t r, char *buf, size_t len)
{
	if (!r) {
		snprintf(buf, len, "none");
		return;
	}
	snprintf(buf, len, "%s%s%s%s",
		 (r & LOOM_THROTTLE_REASON_POWER) ? "power" : "",
		 (r & LOOM_THROTTLE_REASON_POWER) && (r & LOOM_THROTTLE_REASON_THERMAL) ? "," : "",
		 (r & LOOM_THROTTLE_REASON_THERMAL) ? "thermal" : "",
		 (r & ~(LOOM_THROTTLE_REASON_POWER | LOOM_THROTTLE_REASON_THERMAL)) ? ",other" : "");
}

static const char *smi_time_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static const char *smi_event_name(uint32_t type)
{
	const char *s = loom_event_name(type);

	return s ? s : "unknown";
}

/* ---- Table ----------------------------------------------------------------- */

static void smi_print_events_text(const struct smi_dev *d, const char *indent)
{
	int i;

	for (i = 0; i < d->nev; i++) {
		const struct loom_device_event *e = &d->ev[i];

		printf("%s[%llu.%09llu] %s (type %u)", indent,
		       (unsigned long long)(e->timestamp_ns / 1000000000ULL),
		       (unsigned long long)(e->timestamp_ns % 1000000000ULL),
		       smi_event_name(e->type), e->type);
		if (e->queue != 0xffffffffU)
			printf(" queue %u", e->queue);
		printf(" info %u addr 0x%llx\n", e->info, (unsigned long long)e->addr);
	}
}

/* A busy share, or "-" while not known. */
static const char *smi_pct(int v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d%%", v);
	return buf;
}

static void smi_print_procs_table(struct smi_dev *devs, int n)
{
	char u[SMI_NUM_UTIL][16];
	int i, j, total = 0;

	printf("\nProcesses\n%-3s  %7s  %-16s  %5s  %10s  %10s  %6s  %5s  %5s  %5s\n", "IDX", "PID",
	       "NAME", "ASID", "DRAM MiB", "HOST MiB", "QUEUES", "DMA", "MME", "TPC");
	for (i = 0; i < n; i++) {
		const struct smi_dev *d = &devs[i];

		if (d->proc_err)
			printf("%-3d  (cannot list processes: %s)\n", d->index, strerror(d->proc_err));
		for (j = 0; j < d->nproc; j++) {
			const struct loom_process *p = &d->proc[j];

			printf("%-3d  %7u  %-16s  %5u  %10.1f  %10.1f  %6u  %5s  %5s  %5s\n", d->index,
			       p->pid, p->name[0] ? p->name : "?", p->asid, p->dram_bytes / 1048576.0,
			       p->host_bytes / 1048576.0, p->queues,
			       smi_pct(d->util[j][0], u[0], sizeof(u[0])),
			       smi_pct(d->util[j][1], u[1], sizeof(u[1])),
			       smi_pct(d->util[j][2], u[2], sizeof(u[2])));
			total++;
		}
	}
	if (!total)
		printf("  no process is using the devices shown\n");
}

static void smi_print_table(struct smi_dev *devs, int n, bool events)
{
	char now[64], thr[32], dram[48], pwr[32], util[16], idx[16];
	int i, uw = 3;
	bool any_inproc = false;

	for (i = 0; i < n; i++) {
		int l = (int)strlen(devs[i].uri);

		if (l > uw)
			uw = l;
	}
	if (uw > 48)
		uw = 48;
	printf("loom-smi %d.%d.%d   libloom %s   %s\n", LOOM_VERSION_MAJOR, LOOM_VERSION_MINOR,
	       LOOM_VERSION_PATCH, loom_version(), smi_time_now(now, sizeof(now)));
	printf("%-3s  %-*s  %-7s  %-19s  %-15s  %11s  %8s  %9s  %-7s  %-14s  %s\n",
	       "IDX", uw, "URI", "BACKEND", "DRAM USED/TOTAL MiB", "POWER/LIMIT W",
	       "ENERGY J", "TEMP C", "CORE MHz", "MME/DMA", "THROTTLE", "FW");
	for (i = 0; i < n; i++) {
		struct smi_dev *d = &devs[i];
		const struct loom_telemetry *t = &d->tel;

		if (d->index >= 0)
			snprintf(idx, sizeof(idx), "%d", d->index);
		else
			snprintf(idx, sizeof(idx), "-");
		if (!d->dev) {
			printf("%-3s  %-*s  (cannot open: %s)\n", idx, uw, d->uri,
			       strerror(d->open_err));
			continue;
		}
		if (!smi_dev_ok(d)) {
			printf("%-3s  %-*s  %-7s  (cannot read: %s)\n", idx, uw, d->uri,
			       d->info_err ? "?" : smi_backend(d),
			       loom_strerror(d->info_err ? d->info_err : d->tel_err));
			continue;
		}
		any_inproc |= d->inproc;
		snprintf(dram, sizeof(dram), "%llu / %llu",
			 (unsigned long long)(t->dram_used >> 20),
			 (unsigned long long)(t->dram_total >> 20));
		snprintf(pwr, sizeof(pwr), "%.1f / %.1f", t->power_mw / 1000.0,
			 t->power_limit_mw / 1000.0);
		snprintf(util, sizeof(util), "%u%%/%u%%", t->util_pct[LOOM_ENG_MME],
			 t->util_pct[LOOM_ENG_DMA]);
		smi_throttle_str(t->throttle_reasons, thr, sizeof(thr));
		printf("%-3s  %-*s  %-7s  %-19s  %-15s  %11.3f  %8.1f  %9u  %-7s  %-14s  %u.%u\n",
		       idx, uw, d->uri, smi_backend(d), dram, pwr, t->energy_mj / 1000.0,
		       t->temp_mc[LOOM_TEMP_DIE] / 1000.0, t->clock_mhz[0], util, thr,
		       d->info.fw_version >> 16, d->info.fw_version & 0xffff);
	}
	if (any_inproc)
		printf("inproc: a private device emulated inside loom-smi; it is idle and shows no other process's work.\n");
	smi_print_procs_table(devs, n);
	if (!events)
		return;
	for (i = 0; i < n; i++) {
		if (!devs[i].dev)
			continue;
		printf("events of %s: %d\n", devs[i].uri, devs[i].nev);
		smi_print_events_text(&devs[i], "  ");
	}
}

/* ---- Query report ------------------------------------------------------- */

#define Q(label, fmt, ...) printf("    %-34s: " fmt "\n", label, __VA_ARGS__)

static const char *const smi_sensor_names[4] = { "die", "mme", "hbm", "board" };
static const char *const smi_clock_names[3] = { "core", "dma", "hbm" };
static const char *const smi_engine_names[LOOM_ENG_COUNT] = { "dma", "mme", "tpc", "cp" };
static const char *const smi_throttle_names[2] = { "power", "thermal" };

static void smi_print_query_dev(const struct smi_dev *d, bool events)
{
	const struct loom_device_info *f = &d->info;
	const struct loom_telemetry *t = &d->tel;
	char label[64], thr[32];
	int i;

	if (d->index >= 0)
		printf("Device %d\n", d->index);
	else
		printf("Device (not listed)\n");
	Q("URI", "%s", d->uri);
	if (!d->dev) {
		Q("Status", "cannot open: %s", strerror(d->open_err));
		return;
	}
	if (d->info_err) {
		Q("Status", "cannot read info: %s", loom_strerror(d->info_err));
		return;
	}
	if (d->inproc)
		Q("Backend", "inproc (%s driver; a private device inside loom-smi, idle)",
		  f->backend);
	else
		Q("Backend", "%s", f->backend);
	Q("Opened as", "%s", f->uri);
	Q("Vendor ID", "0x%04x", f->vendor_id);
	Q("Device ID", "0x%04x", f->device_id);
	Q("Revision", "%u", f->revision);
	Q("Firmware version", "%u.%u", f->fw_version >> 16, f->fw_version & 0xffff);
	Q("Firmware build", "%s", f->fw_build);
	Q("DRAM size", "%llu MiB", (unsigned long long)(f->dram_size >> 20));
	Q("Queues", "%u", f->num_queues);
	Q("DMA engines", "%u", f->num_dma);
	Q("MME engines", "%u", f->num_mme);
	Q("TPC cores", "%u", f->num_tpc);
	Q("Sync objects", "%u", f->num_sobs);
	Q("Capabilities", "0x%x%s%s%s", f->caps,
	  (f->caps & LOOM_DEVCAP_BF16) ? " bf16" : "",
	  (f->caps & LOOM_DEVCAP_PAGE_2M) ? " page-2M" : "",
	  (f->caps & LOOM_DEVCAP_TPC) ? " tpc" : "");
	Q("Channel of this handle", "%u", f->channel);
	Q("ASID of this handle", "%u", f->asid);
	Q("Power limit default", "%.3f W", f->power_default_mw / 1000.0);
	Q("Power limit max", "%.3f W", f->power_max_mw / 1000.0);
	Q("Power idle", "%.3f W", f->power_idle_mw / 1000.0);
	Q("Throttling temperature", "%.3f C", f->temp_limit_mc / 1000.0);
	for (i = 0; i < 3; i++) {
		snprintf(label, sizeof(label), "Max clock %s", smi_clock_names[i]);
		Q(label, "%u MHz", f->clock_max_mhz[i]);
	}
	if (d->tel_err) {
		Q("Telemetry", "cannot read: %s", loom_strerror(d->tel_err));
		return;
	}
	printf("  Telemetry\n");
	Q("Device time", "%.6f s", t->timestamp_ns / 1e9);
	Q("Energy since power-on", "%.3f J", t->energy_mj / 1000.0);
	Q("Power", "%.3f W", t->power_mw / 1000.0);
	Q("Power peak", "%.3f W", t->power_peak_mw / 1000.0);
	Q("Power limit", "%.3f W", t->power_limit_mw / 1000.0);
	smi_throttle_str(t->throttle_reasons, thr, sizeof(thr));
	Q("Throttle reasons", "%s (0x%x)", thr, t->throttle_reasons);
	for (i = 0; i < 4; i++) {
		snprintf(label, sizeof(label), "Temperature %s", smi_sensor_names[i]);
		Q(label, "%.3f C", t->temp_mc[i] / 1000.0);
	}
	Q("Temperature die peak", "%.3f C", t->temp_peak_mc / 1000.0);
	for (i = 0; i < 3; i++) {
		snprintf(label, sizeof(label), "Clock %s", smi_clock_names[i]);
		Q(label, "%u MHz", t->clock_mhz[i]);
	}
	for (i = 0; i < LOOM_ENG_COUNT; i++) {
		snprintf(label, sizeof(label), "Utilisation %s", smi_engine_names[i]);
		Q(label, "%u %%", t->util_pct[i]);
	}
	for (i = 0; i < LOOM_ENG_COUNT; i++) {
		snprintf(label, sizeof(label), "Busy time %s", smi_engine_names[i]);
		Q(label, "%.6f s", t->busy_ns[i] / 1e9);
	}
	for (i = 0; i < 2; i++) {
		snprintf(label, sizeof(label), "Throttle %s last start", smi_throttle_names[i]);
		Q(label, "%.6f s", t->throttle_start_ns[i] / 1e9);
		snprintf(label, sizeof(label), "Throttle %s last end", smi_throttle_names[i]);
		Q(label, "%.6f s", t->throttle_end_ns[i] / 1e9);
		snprintf(label, sizeof(label), "Throttle %s total", smi_throttle_names[i]);
		Q(label, "%.6f s", t->throttle_total_ns[i] / 1e9);
	}
	Q("MME work", "%.3f GFLOP", t->flops / 1e9);
	Q("DMA traffic", "%.3f MiB", t->dma_bytes / 1048576.0);
	Q("Heartbeat", "%u", t->heartbeat);
	Q("Resets", "%u", t->reset_count);
	Q("ECC errors correctable", "%u", t->ecc_correctable);
	Q("ECC errors uncorrectable", "%u", t->ecc_uncorrectable);
	Q("DRAM used", "%.3f MiB", t->dram_used / 1048576.0);
	Q("DRAM total", "%.3f MiB", t->dram_total / 1048576.0);
	Q("Drivers attached", "%u", t->drivers);
	if (d->proc_err)
		printf("  Processes: cannot list them: %s\n", strerror(d->proc_err));
	else
		printf("  Processes: %d\n", d->nproc);
	for (int j = 0; j < d->nproc; j++) {
		const struct loom_process *p = &d->proc[j];
		char u[16];

		printf("    Process %u (%s)\n", p->pid, p->name[0] ? p->name : "?");
		Q("  Context (ASID)", "%u", p->asid);
		Q("  DRAM held", "%.3f MiB", p->dram_bytes / 1048576.0);
		Q("  Host memory pinned", "%.3f MiB", p->host_bytes / 1048576.0);
		Q("  Hardware queues", "%u", p->queues);
		for (int e = 0; e < SMI_NUM_UTIL; e++) {
			char label[40];

			snprintf(label, sizeof(label), "  %s busy (total, last interval)",
				 smi_engine_names[e]);
			Q(label, "%.3f ms, %s", p->busy_ns[e] / 1e6, smi_pct(d->util[j][e], u, sizeof(u)));
		}
	}
	if (events) {
		printf("  Events pending: %d\n", d->nev);
		smi_print_events_text(d, "    ");
	}
}

static void smi_print_query(struct smi_dev *devs, int n, bool events)
{
	char now[64];
	int i;

	printf("==== loom-smi query ====\n");
	printf("Timestamp                             : %s\n", smi_time_now(now, sizeof(now)));
	printf("loom-smi version                      : %d.%d.%d\n", LOOM_VERSION_MAJOR,
	       LOOM_VERSION_MINOR, LOOM_VERSION_PATCH);
	printf("libloom version                       : %s\n", loom_version());
	printf("Devices shown                         : %d\n\n", n);
	for (i = 0; i < n; i++) {
		smi_print_query_dev(&devs[i], events);
		printf("\n");
	}
}

/* ---- JSON ------------------------------------------------------------------ */

static void smi_json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			printf("\\n");
		else if (*p == '\t')
			printf("\\t");
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void smi_json_key(const char *k, bool *first)
{
	if (!*first)
		putchar(',');
	*first = false;
	smi_json_str(k);
	putchar(':');
}

static void smi_json_u64(const char *k, uint64_t v, bool *first)
{
	smi_json_key(k, first);
	printf("%llu", (unsigned long long)v);
}

static void smi_json_i64(const char *k, int64_t v, bool *first)
{
	smi_json_key(k, first);
	printf("%lld", (long long)v);
}

static void smi_json_strkv(const char *k, const char *v, bool *first)
{
	smi_json_key(k, first);
	smi_json_str(v);
}

static void smi_json_u64_array(const char *k, const uint64_t *v, int n, bool *first)
{
	int i;

	smi_json_key(k, first);
	putchar('[');
	for (i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)v[i]);
	putchar(']');
}

static void smi_json_u32_array(const char *k, const uint32_t *v, int n, bool *first)
{
	uint64_t tmp[8];
	int i;

	for (i = 0; i < n && i < 8; i++)
		tmp[i] = v[i];
	smi_json_u64_array(k, tmp, i, first);
}

static void smi_json_info(const struct smi_dev *d)
{
	const struct loom_device_info *f = &d->info;
	bool first = true;

	putchar('{');
	smi_json_strkv("uri", f->uri, &first);
	smi_json_strkv("backend", f->backend, &first);
	smi_json_u64("vendor_id", f->vendor_id, &first);
	smi_json_u64("device_id", f->device_id, &first);
	smi_json_u64("revision", f->revision, &first);
	smi_json_u64("fw_version", f->fw_version, &first);
	smi_json_strkv("fw_build", f->fw_build, &first);
	smi_json_u64("dram_size", f->dram_size, &first);
	smi_json_u64("num_queues", f->num_queues, &first);
	smi_json_u64("num_dma", f->num_dma, &first);
	smi_json_u64("num_mme", f->num_mme, &first);
	smi_json_u64("num_tpc", f->num_tpc, &first);
	smi_json_u64("num_sobs", f->num_sobs, &first);
	smi_json_u64("caps", f->caps, &first);
	smi_json_u64("channel", f->channel, &first);
	smi_json_u64("asid", f->asid, &first);
	smi_json_u64("power_default_mw", f->power_default_mw, &first);
	smi_json_u64("power_max_mw", f->power_max_mw, &first);
	smi_json_u64("power_idle_mw", f->power_idle_mw, &first);
	smi_json_i64("temp_limit_mc", f->temp_limit_mc, &first);
	smi_json_u32_array("clock_max_mhz", f->clock_max_mhz, 3, &first);
	putchar('}');
}

static void smi_json_telemetry(const struct loom_telemetry *t)
{
	bool first = true;
	int i;

	putchar('{');
	smi_json_u64("timestamp_ns", t->timestamp_ns, &first);
	smi_json_u64("energy_mj", t->energy_mj, &first);
	smi_json_u64("power_mw", t->power_mw, &first);
	smi_json_u64("power_peak_mw", t->power_peak_mw, &first);
	smi_json_u64("power_limit_mw", t->power_limit_mw, &first);
	smi_json_u64("throttle_reasons", t->throttle_reasons, &first);
	smi_json_key("temp_mc", &first);
	putchar('[');
	for (i = 0; i < 4; i++)
		printf("%s%d", i ? "," : "", t->temp_mc[i]);
	putchar(']');
	smi_json_i64("temp_peak_mc", t->temp_peak_mc, &first);
	smi_json_u32_array("clock_mhz", t->clock_mhz, 3, &first);
	smi_json_u32_array("util_pct", t->util_pct, LOOM_ENG_COUNT, &first);
	smi_json_u64_array("busy_ns", t->busy_ns, LOOM_ENG_COUNT, &first);
	smi_json_u64_array("throttle_start_ns", t->throttle_start_ns, 2, &first);
	smi_json_u64_array("throttle_end_ns", t->throttle_end_ns, 2, &first);
	smi_json_u64_array("throttle_total_ns", t->throttle_total_ns, 2, &first);
	smi_json_u64("flops", t->flops, &first);
	smi_json_u64("dma_bytes", t->dma_bytes, &first);
	smi_json_u64("heartbeat", t->heartbeat, &first);
	smi_json_u64("reset_count", t->reset_count, &first);
	smi_json_u64("ecc_correctable", t->ecc_correctable, &first);
	smi_json_u64("ecc_uncorrectable", t->ecc_uncorrectable, &first);
	smi_json_u64("dram_used", t->dram_used, &first);
	smi_json_u64("dram_total", t->dram_total, &first);
	smi_json_u64("drivers", t->drivers, &first);
	putchar('}');
}

static void smi_json_events(const struct smi_dev *d)
{
	int i;

	putchar('[');
	for (i = 0; i < d->nev; i++) {
		const struct loom_device_event *e = &d->ev[i];
		bool first = true;

		printf("%s{", i ? "," : "");
		smi_json_u64("type", e->type, &first);
		smi_json_strkv("name", smi_event_name(e->type), &first);
		if (e->queue == 0xffffffffU) {
			smi_json_key("queue", &first);
			printf("null");
		} else {
			smi_json_u64("queue", e->queue, &first);
		}
		smi_json_u64("info", e->info, &first);
		smi_json_u64("addr", e->addr, &first);
		smi_json_u64("timestamp_ns", e->timestamp_ns, &first);
		putchar('}');
	}
	putchar(']');
}

static void smi_json_procs(const struct smi_dev *d)
{
	putchar('[');
	for (int j = 0; j < d->nproc; j++) {
		const struct loom_process *p = &d->proc[j];
		uint64_t busy[SMI_NUM_UTIL];
		bool first = true;

		printf("%s{", j ? "," : "");
		smi_json_u64("pid", p->pid, &first);
		smi_json_strkv("name", p->name, &first);
		smi_json_u64("asid", p->asid, &first);
		smi_json_u64("dram_bytes", p->dram_bytes, &first);
		smi_json_u64("host_bytes", p->host_bytes, &first);
		smi_json_u64("queues", p->queues, &first);
		for (int e = 0; e < SMI_NUM_UTIL; e++)
			busy[e] = p->busy_ns[e];
		smi_json_u64_array("busy_ns", busy, SMI_NUM_UTIL, &first);
		smi_json_key("util_pct", &first);
		putchar('[');
		for (int e = 0; e < SMI_NUM_UTIL; e++) {
			if (d->util[j][e] < 0)
				printf("%snull", e ? "," : "");
			else
				printf("%s%d", e ? "," : "", d->util[j][e]);
		}
		printf("]}");
	}
	putchar(']');
}

static void smi_print_json(struct smi_dev *devs, int n, bool events)
{
	int i;

	putchar('[');
	for (i = 0; i < n; i++) {
		const struct smi_dev *d = &devs[i];
		bool first = true;

		printf("%s{", i ? "," : "");
		smi_json_key("index", &first);
		if (d->index >= 0)
			printf("%d", d->index);
		else
			printf("null");
		smi_json_strkv("uri", d->uri, &first);
		if (!d->dev) {
			smi_json_strkv("error", strerror(d->open_err), &first);
			putchar('}');
			continue;
		}
		smi_json_strkv("backend", d->info_err ? "?" : smi_backend(d), &first);
		smi_json_key("private", &first);
		printf("%s", d->inproc ? "true" : "false");
		if (d->info_err) {
			smi_json_strkv("error", loom_strerror(d->info_err), &first);
			putchar('}');
			continue;
		}
		smi_json_key("info", &first);
		smi_json_info(d);
		if (d->tel_err) {
			smi_json_strkv("error", loom_strerror(d->tel_err), &first);
		} else {
			smi_json_key("telemetry", &first);
			smi_json_telemetry(&d->tel);
		}
		if (d->proc_err) {
			smi_json_strkv("processes_error", strerror(d->proc_err), &first);
		} else {
			smi_json_key("processes", &first);
			smi_json_procs(d);
		}
		if (events) {
			smi_json_key("events", &first);
			smi_json_events(d);
		}
		putchar('}');
	}
	printf("]\n");
}

/* ---- Main -------------------------------------------------------------------- */

static void smi_sleep(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	/* A signal interrupts the sleep (no SA_RESTART); smi_stop says why. */
	while (!smi_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static struct smi_dev devs[SMI_MAX_DEVICES];
	struct sigaction sa;
	struct smi_opts o;
	int n, i, nopen = 0, nok, ret;

	if (smi_parse(argc, argv, &o))
		return SMI_EXIT_USAGE;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = smi_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	n = smi_select(&o, devs);
	if (n < 0)
		return SMI_EXIT_NODEV;
	for (i = 0; i < n; i++) {
		smi_dev_open(&devs[i]);
		nopen += devs[i].dev != NULL;
	}

	/* A single run: busy shares over the last second, if anyone is busy. */
	if (o.loop_s == 0) {
		bool any = false;

		for (i = 0; i < n; i++) {
			if (devs[i].dev && !devs[i].inproc) {
				/* The first sample has no shares: no engine counts needed. */
				smi_procs_sample(&devs[i]);
				any |= devs[i].nproc > 0;
			}
		}
		if (any)
			smi_sleep(1.0);
	}

	do {
		nok = 0;
		for (i = 0; i < n; i++) {
			/* In a loop, a device that could not be read is opened again. */
			if (!devs[i].dev && o.loop_s > 0)
				smi_dev_open(&devs[i]);
			smi_dev_sample(&devs[i], o.events);
			nok += smi_dev_ok(&devs[i]);
		}
		if (smi_stop)
			break;
		switch (o.mode) {
		case SMI_TABLE:
			smi_print_table(devs, n, o.events);
			break;
		case SMI_QUERY:
			smi_print_query(devs, n, o.events);
			break;
		case SMI_JSON:
			smi_print_json(devs, n, o.events);
			break;
		}
		fflush(stdout);
		for (i = 0; i < n && o.loop_s > 0; i++) {
			if (devs[i].dev && !smi_dev_ok(&devs[i])) {
				loom_device_close(devs[i].dev);
				devs[i].dev = NULL;
			}
		}
		if (o.loop_s > 0 && !smi_stop) {
			smi_sleep(o.loop_s);
			if (o.mode != SMI_JSON && !smi_stop)
				printf("\n");
		}
	} while (o.loop_s > 0 && !smi_stop);

	if (!nopen || !nok)
		ret = SMI_EXIT_NODEV;
	else if (nok < n)
		ret = SMI_EXIT_PARTIAL;
	else
		ret = SMI_EXIT_OK;
	for (i = 0; i < n; i++) {
		loom_device_close(devs[i].dev);
		free(devs[i].uri);
	}
	return ret;
}
