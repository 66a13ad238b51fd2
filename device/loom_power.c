/* SPDX-License-Identifier: MIT */
/*
 * Loom device model: the power and thermal model, clocks and throttling.
 *
 * The engines report the work they really did (loom_power_account: busy
 * time, floating-point operations, bytes moved) into per-engine atomic
 * counters. Every firmware tick (loom_power_tick) turns the work of the
 * elapsed interval into utilisation and watts: a constant idle floor, each
 * engine class's dynamic power times its utilisation (scaled down with the
 * square of the core clock while throttled) and the DRAM traffic's energy
 * per byte. Energy is the exact integral of that piecewise-constant power.
 * Four first-order RC thermal sensors follow the power. Two governors, one
 * on the average power against the power limit, one on the die temperature
 * against the temperature limit, lower the core clock; the engines slow
 * down by loom_power_slowdown(). docs/power-model.md has every constant and
 * the reasons for it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loom_device.h"

/* Power budget (mW). */
#define PWR_IDLE_MW		60000U
#define PWR_DEFAULT_LIMIT_MW	350000U
#define PWR_MIN_LIMIT_MW	150000U
#define PWR_MAX_LIMIT_MW	450000U
/* Energy per byte of DRAM traffic: pJ/byte; pJ per ns is mW. */
#define PWR_HBM_PJ_PER_BYTE	20U
/* HBM peak bandwidth, bytes per ns (2.4 TB/s): traffic above it waits. */
#define PWR_HBM_BYTES_PER_NS	2400U

/* Dynamic power of each engine class at full use and full clock (mW). */
static const uint32_t pwr_engine_mw[LOOM_FW_NUM_ENGINES] = {
	[LOOM_ENGINE_DMA] = 25000,
	[LOOM_ENGINE_MME] = 220000,
	[LOOM_ENGINE_TPC] = 120000,
	[LOOM_ENGINE_CP] = 5000,
};

/* Instances of each class: utilisation is busy time over tick * count. */
static const uint32_t pwr_engine_count[LOOM_FW_NUM_ENGINES] = {
	[LOOM_ENGINE_DMA] = LOOM_NUM_DMA,
	[LOOM_ENGINE_MME] = LOOM_NUM_MME,
	[LOOM_ENGINE_TPC] = LOOM_NUM_TPC,
	[LOOM_ENGINE_CP] = 1,	/* 32 queues share one busy budget, clamped */
};

/* Clocks (MHz). */
static const uint32_t pwr_clock_max_mhz[LOOM_FW_NUM_CLOCKS] = {
	[LOOM_CLOCK_CORE] = 1800,
	[LOOM_CLOCK_DMA] = 1600,
	[LOOM_CLOCK_HBM] = 1000,
};
#define PWR_CLOCK_FLOOR		0.30	/* lowest core clock, share of max */
#define PWR_CLOCK_RAMP		0.10	/* fastest rise per tick while throttled */

/* Thermal model. */
#define PWR_AMBIENT_MC		30000
#define PWR_TEMP_LIMIT_MC	95000
#define PWR_TEMP_LIMIT_MIN_MC	50000
#define PWR_TEMP_LIMIT_MAX_MC	105000
#define PWR_THERMAL_TARGET_K	1.0	/* the thermal governor aims this far below */
#define PWR_THERMAL_HYST_K	5.0	/* and releases this far below the limit */

struct pwr_sensor {
	double r_k_per_w;	/* thermal resistance to ambient */
	double tau_s;		/* time constant */
};

static const struct pwr_sensor pwr_sensors[LOOM_FW_NUM_SENSORS] = {
	[LOOM_SENSOR_DIE] = { 0.18, 2.0 },
	[LOOM_SENSOR_MME] = { 0.20, 1.5 },
	[LOOM_SENSOR_HBM] = { 0.25, 4.0 },
	[LOOM_SENSOR_BOARD] = { 0.08, 20.0 },
};

/* Power governor: averaging window, set point, release level. */
#define PWR_WINDOW		4
#define PWR_SETPOINT		0.97	/* share of the limit the governor aims at */

/* Engine work not yet turned into utilisation is kept at most this long. */
#define PWR_CARRY_MAX_NS	1000000000ULL

#define NS_PER_S		1000000000.0

struct loom_power {
	/* Work reported since the last tick: atomics, no lock. */
	_Atomic uint64_t acc_busy_ns[LOOM_FW_NUM_ENGINES];
	_Atomic uint64_t acc_flops[LOOM_FW_NUM_ENGINES];
	_Atomic uint64_t acc_bytes[LOOM_FW_NUM_ENGINES];
	/* Current core clock; read without the lock by loom_power_slowdown(). */
	atomic_uint core_mhz;

	/* Protects every field below (the tick writes, telemetry reads). */
	pthread_mutex_t lock;
	uint64_t last_ns;		/* device time of the last tick */
	uint32_t limit_mw;
	int32_t temp_limit_mc;

	uint64_t carry_busy_ns[LOOM_FW_NUM_ENGINES];
	uint64_t carry_bytes;

	double win_pj[PWR_WINDOW];	/* energy and length of recent ticks */
	uint64_t win_ns[PWR_WINDOW];
	unsigned win_pos;

	uint64_t energy_mj;
	uint64_t energy_rem_pj;		/* < 1 mJ not yet in energy_mj */
	uint32_t power_mw;
	uint32_t power_peak_mw;

	double temp_c[LOOM_FW_NUM_SENSORS];
	int32_t temp_peak_mc;

	uint32_t reasons;		/* LOOM_THROTTLE_* */
	uint64_t thr_start_ns[LOOM_FW_NUM_THROTTLE];
	uint64_t thr_end_ns[LOOM_FW_NUM_THROTTLE];
	uint64_t thr_total_ns[LOOM_FW_NUM_THROTTLE];

	uint32_t util_pct[LOOM_FW_NUM_ENGINES];
	uint64_t busy_ns[LOOM_FW_NUM_ENGINES];
	uint64_t flops;
	uint64_t dma_bytes;
};

static void pwr_temps_idle(struct loom_power *p)
{
	double idle_w = PWR_IDLE_MW / 1000.0;
	double amb = PWR_AMBIENT_MC / 1000.0;

	/* The card has been idling since power-on: steady state. */
	p->temp_c[LOOM_SENSOR_DIE] = amb + idle_w * pwr_sensors[LOOM_SENSOR_DIE].r_k_per_w;
	p->temp_c[LOOM_SENSOR_MME] = amb + idle_w / 4 * pwr_sensors[LOOM_SENSOR_MME].r_k_per_w;
	p->temp_c[LOOM_SENSOR_HBM] = amb + idle_w / 4 * pwr_sensors[LOOM_SENSOR_HBM].r_k_per_w;
	p->temp_c[LOOM_SENSOR_BOARD] = amb + idle_w * pwr_sensors[LOOM_SENSOR_BOARD].r_k_per_w;
	p->temp_peak_mc = (int32_t)lround(p->temp_c[LOOM_SENSOR_DIE] * 1000.0);
}

int loom_power_init(struct loom_dev *dev)
{
	struct loom_power *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = pthread_mutex_init(&p->lock, NULL);
	if (ret) {
		free(p);
		return -ret;
	}
	p->limit_mw = PWR_DEFAULT_LIMIT_MW;
	p->temp_limit_mc = PWR_TEMP_LIMIT_MC;
	p->power_mw = PWR_IDLE_MW;
	p->power_peak_mw = PWR_IDLE_MW;
	atomic_store(&p->core_mhz, pwr_clock_max_mhz[LOOM_CLOCK_CORE]);
	pwr_temps_idle(p);
	dev->power = p;
	return 0;
}

void loom_power_fini(struct loom_dev *dev)
{
	struct loom_power *p = dev->power;

	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
	dev->power = NULL;
}

void loom_power_account(struct loom_dev *dev, unsigned engine, uint32_t asid,
			uint64_t busy_ns, uint64_t flops, uint64_t bytes)
{
	struct loom_power *p = dev->power;

	if (engine >= LOOM_FW_NUM_ENGINES)
		return;
	if (busy_ns && asid && asid < LOOM_NUM_ASIDS)
		__atomic_add_fetch((uint64_t *)(loom_dev_bar(dev) +
						LOOM_REG_ASID_BUSY(asid, engine)),
				   busy_ns, __ATOMIC_RELAXED);
	if (!p)
		return;
	if (busy_ns)
		atomic_fetch_add_explicit(&p->acc_busy_ns[engine], busy_ns, memory_order_relaxed);
	if (flops)
		atomic_fetch_add_explicit(&p->acc_flops[engine], flops, memory_order_relaxed);
	if (bytes)
		atomic_fetch_add_explicit(&p->acc_bytes[engine], bytes, memory_order_relaxed);
}

double loom_power_slowdown(struct loom_dev *dev, unsigned engine)
{
	struct loom_power *p = dev->power;
	unsigned mhz;

	if (!p || engine == LOOM_ENGINE_DMA || engine >= LOOM_FW_NUM_ENGINES)
		return 1.0;
	mhz = atomic_load_explicit(&p->core_mhz, memory_order_relaxed);
	if (!mhz)
		return 1.0;
	return (double)pwr_clock_max_mhz[LOOM_CLOCK_CORE] / mhz;
}

/* First-order RC sensor, exact for power constant over dt. */
static double pwr_sensor_step(double t_c, double p_w, const struct pwr_sensor *s, double dt_s)
{
	double amb = PWR_AMBIENT_MC / 1000.0;
	double t_ss = amb + p_w * s->r_k_per_w;

	return t_ss + (t_c - t_ss) * exp(-dt_s / s->tau_s);
}

/*
 * Clock ratio a governor wants so that the core's dynamic power fits in
 * avail_mw, from the dynamic power core_mw measured at ratio r: dynamic
 * power goes with the square of the clock.
 */
static double pwr_ratio_for(double r, double core_mw, double avail_mw)
{
	if (core_mw <= 0.0)
		return 1.0;
	if (avail_mw <= 0.0)
		return 0.0;
	return r * sqrt(avail_mw / core_mw);
}

static void pwr_throttle_set_locked(struct loom_power *p, unsigned bit, uint64_t now)
{
	unsigned i = (unsigned)__builtin_ctz(bit);

	if (p->reasons & bit)
		return;
	p->reasons |= bit;
	p->thr_start_ns[i] = now;
	p->thr_end_ns[i] = 0;
}

static void pwr_throttle_clear_locked(struct loom_power *p, unsigned bit, uint64_t now)
{
	unsigned i = (unsigned)__builtin_ctz(bit);

	if (!(p->reasons & bit))
		return;
	p->reasons &= ~bit;
	p->thr_end_ns[i] = now;
	p->thr_total_ns[i] += now - p->thr_start_ns[i];
}

static void pwr_tick_locked(struct loom_power *p, uint64_t now)
{
	uint64_t dt = now - p->last_ns;
	double dt_s = dt / NS_PER_S;
	double util[LOOM_FW_NUM_ENGINES];
	double r = (double)atomic_load(&p->core_mhz) / pwr_clock_max_mhz[LOOM_CLOCK_CORE];
	double core_mw, other_mw, hbm_mw, dma_mw, total_mw, avg_mw, die_c, r_new;
	uint64_t bytes = 0, hbm_cap, win_ns = 0;
	double win_pj = 0.0;
	unsigned __int128 pj;
	unsigned e, s;

	p->last_ns = now;

	/* Work done in the interval -> utilisation per engine class. */
	for (e = 0; e < LOOM_FW_NUM_ENGINES; e++) {
		uint64_t busy = atomic_exchange(&p->acc_busy_ns[e], 0);
		uint64_t flops = atomic_exchange(&p->acc_flops[e], 0);
		uint64_t b = atomic_exchange(&p->acc_bytes[e], 0);
		uint64_t cap = dt * pwr_engine_count[e], used, carry_max;

		p->busy_ns[e] += busy;
		p->flops += flops;
		bytes += b;
		if (e == LOOM_ENGINE_DMA)
			p->dma_bytes += b;

		/* Work reported in one lump spreads over the following ticks. */
		busy += p->carry_busy_ns[e];
		used = busy < cap ? busy : cap;
		carry_max = PWR_CARRY_MAX_NS * pwr_engine_count[e];
		p->carry_busy_ns[e] = busy - used < carry_max ? busy - used : carry_max;
		util[e] = cap ? (double)used / cap : 0.0;
		if (util[e] > 1.0)
			util[e] = 1.0;
		p->util_pct[e] = (uint32_t)lround(util[e] * 100.0);
	}
	bytes += p->carry_bytes;
	hbm_cap = dt < UINT64_MAX / PWR_HBM_BYTES_PER_NS ? dt * PWR_HBM_BYTES_PER_NS : UINT64_MAX;
	if (bytes > hbm_cap) {
		p->carry_bytes = bytes - hbm_cap;
		if (p->carry_bytes > PWR_CARRY_MAX_NS * PWR_HBM_BYTES_PER_NS)
			p->carry_bytes = PWR_CARRY_MAX_NS * PWR_HBM_BYTES_PER_NS;
		bytes = hbm_cap;
	} else {
		p->carry_bytes = 0;
	}

	/* Power over the interval, at the clock that was in force. */
	core_mw = r * r * (pwr_engine_mw[LOOM_ENGINE_MME] * util[LOOM_ENGINE_MME] +
			   pwr_engine_mw[LOOM_ENGINE_TPC] * util[LOOM_ENGINE_TPC] +
			   pwr_engine_mw[LOOM_ENGINE_CP] * util[LOOM_ENGINE_CP]);
	dma_mw = pwr_engine_mw[LOOM_ENGINE_DMA] * util[LOOM_ENGINE_DMA];
	hbm_mw = dt ? (double)bytes * PWR_HBM_PJ_PER_BYTE / dt : 0.0;
	other_mw = PWR_IDLE_MW + dma_mw + hbm_mw;
	total_mw = other_mw + core_mw;

	p->power_mw = (uint32_t)lround(total_mw);
	if (p->power_mw > p->power_peak_mw)
		p->power_peak_mw = p->power_mw;

	/* Energy: the exact integral of the reported power, in pJ. */
	pj = (unsigned __int128)p->power_mw * dt + p->energy_rem_pj;
	p->energy_mj += (uint64_t)(pj / 1000000000U);
	p->energy_rem_pj = (uint64_t)(pj % 1000000000U);

	p->win_pj[p->win_pos] = (double)p->power_mw * dt;
	p->win_ns[p->win_pos] = dt;
	p->win_pos = (p->win_pos + 1) % PWR_WINDOW;
	for (s = 0; s < PWR_WINDOW; s++) {
		win_pj += p->win_pj[s];
		win_ns += p->win_ns[s];
	}
	avg_mw = win_ns ? win_pj / win_ns : total_mw;

	/* Temperatures. */
	p->temp_c[LOOM_SENSOR_DIE] = pwr_sensor_step(p->temp_c[LOOM_SENSOR_DIE], total_mw / 1000.0,
						     &pwr_sensors[LOOM_SENSOR_DIE], dt_s);
	p->temp_c[LOOM_SENSOR_MME] = pwr_sensor_step(p->temp_c[LOOM_SENSOR_MME],
		(r * r * pwr_engine_mw[LOOM_ENGINE_MME] * util[LOOM_ENGINE_MME] +
		 PWR_IDLE_MW / 4.0) / 1000.0, &pwr_sensors[LOOM_SENSOR_MME], dt_s);
	p->temp_c[LOOM_SENSOR_HBM] = pwr_sensor_step(p->temp_c[LOOM_SENSOR_HBM],
		(dma_mw + hbm_mw + PWR_IDLE_MW / 4.0) / 1000.0, &pwr_sensors[LOOM_SENSOR_HBM], dt_s);
	p->temp_c[LOOM_SENSOR_BOARD] = pwr_sensor_step(p->temp_c[LOOM_SENSOR_BOARD],
		total_mw / 1000.0, &pwr_sensors[LOOM_SENSOR_BOARD], dt_s);
	die_c = p->temp_c[LOOM_SENSOR_DIE];
	if (lround(die_c * 1000.0) > p->temp_peak_mc)
		p->temp_peak_mc = (int32_t)lround(die_c * 1000.0);

	/* Governors: each proposes a core clock ratio; the lowest wins. */
	r_new = 1.0;
	if (avg_mw > p->limit_mw)
		pwr_throttle_set_locked(p, LOOM_THROTTLE_POWER, now);
	if (p->reasons & LOOM_THROTTLE_POWER) {
		double rp = pwr_ratio_for(r, core_mw, PWR_SETPOINT * p->limit_mw - other_mw);

		if (rp >= 1.0 && avg_mw <= p->limit_mw)
			pwr_throttle_clear_locked(p, LOOM_THROTTLE_POWER, now);
		else if (rp < r_new)
			r_new = rp;
	}
	if (die_c * 1000.0 > p->temp_limit_mc)
		pwr_throttle_set_locked(p, LOOM_THROTTLE_THERMAL, now);
	if (p->reasons & LOOM_THROTTLE_THERMAL) {
		double lim_c = p->temp_limit_mc / 1000.0;
		double budget_mw = (lim_c - PWR_THERMAL_TARGET_K - PWR_AMBIENT_MC / 1000.0) /
				   pwr_sensors[LOOM_SENSOR_DIE].r_k_per_w * 1000.0;
		double rt = pwr_ratio_for(r, core_mw, budget_mw - other_mw);

		if (rt >= 1.0 && die_c < lim_c - PWR_THERMAL_HYST_K)
			pwr_throttle_clear_locked(p, LOOM_THROTTLE_THERMAL, now);
		else if (rt < r_new)
			r_new = rt;
	}
	/* While a reason holds, the clock climbs back gradually. */
	if (p->reasons && r_new > r + PWR_CLOCK_RAMP)
		r_new = r + PWR_CLOCK_RAMP;
	if (r_new > 1.0)
		r_new = 1.0;
	if (r_new < PWR_CLOCK_FLOOR)
		r_new = PWR_CLOCK_FLOOR;
	atomic_store(&p->core_mhz, (unsigned)lround(r_new * pwr_clock_max_mhz[LOOM_CLOCK_CORE]));
}

void loom_power_tick(struct loom_dev *dev, uint64_t now_ns)
{
	struct loom_power *p = dev->power;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (now_ns > p->last_ns)
		pwr_tick_locked(p, now_ns);
	pthread_mutex_unlock(&p->lock);
}

void loom_power_telemetry(struct loom_dev *dev, struct loom_fw_telemetry *t)
{
	struct loom_power *p = dev->power;
	unsigned i;

	memset(t, 0, sizeof(*t));
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	t->timestamp_ns = p->last_ns;
	t->energy_mj = p->energy_mj;
	t->power_mw = p->power_mw;
	t->power_peak_mw = p->power_peak_mw;
	t->power_limit_mw = p->limit_mw;
	t->throttle_reasons = p->reasons;
	for (i = 0; i < LOOM_FW_NUM_SENSORS; i++)
		t->temp_mc[i] = (int32_t)lround(p->temp_c[i] * 1000.0);
	t->temp_peak_mc = p->temp_peak_mc;
	t->clock_mhz[LOOM_CLOCK_CORE] = atomic_load(&p->core_mhz);
	t->clock_mhz[LOOM_CLOCK_DMA] = pwr_clock_max_mhz[LOOM_CLOCK_DMA];
	t->clock_mhz[LOOM_CLOCK_HBM] = pwr_clock_max_mhz[LOOM_CLOCK_HBM];
	/* Cumulative counters are live: add the work not yet ticked. */
	t->flops = p->flops;
	t->dma_bytes = p->dma_bytes + atomic_load(&p->acc_bytes[LOOM_ENGINE_DMA]);
	for (i = 0; i < LOOM_FW_NUM_ENGINES; i++) {
		t->util_pct[i] = p->util_pct[i];
		t->busy_ns[i] = p->busy_ns[i] + atomic_load(&p->acc_busy_ns[i]);
		t->flops += atomic_load(&p->acc_flops[i]);
	}
	for (i = 0; i < LOOM_FW_NUM_THROTTLE; i++) {
		t->throttle_start_ns[i] = p->thr_start_ns[i];
		t->throttle_end_ns[i] = p->thr_end_ns[i];
		t->throttle_total_ns[i] = p->thr_total_ns[i];
		/* An active period counts up to the last tick. */
		if (p->reasons & (1U << i))
			t->throttle_total_ns[i] += p->last_ns - p->thr_start_ns[i];
	}
	pthread_mutex_unlock(&p->lock);
}

void loom_power_info(struct loom_dev *dev, struct loom_fw_info *info)
{
	unsigned i;

	info->power_default_mw = PWR_DEFAULT_LIMIT_MW;
	info->power_min_mw = PWR_MIN_LIMIT_MW;
	info->power_max_mw = PWR_MAX_LIMIT_MW;
	info->power_idle_mw = PWR_IDLE_MW;
	info->temp_limit_mc = PWR_TEMP_LIMIT_MC;
	if (dev->power) {
		pthread_mutex_lock(&dev->power->lock);
		info->temp_limit_mc = dev->power->temp_limit_mc;
		pthread_mutex_unlock(&dev->power->lock);
	}
	info->temp_ambient_mc = PWR_AMBIENT_MC;
	for (i = 0; i < LOOM_FW_NUM_CLOCKS; i++)
		info->clock_max_mhz[i] = pwr_clock_max_mhz[i];
}

int loom_power_set_limit(struct loom_dev *dev, uint32_t mw)
{
	struct loom_power *p = dev->power;

	if (!p)
		return -ENODEV;
	if (!mw)
		mw = PWR_DEFAULT_LIMIT_MW;
	if (mw < PWR_MIN_LIMIT_MW || mw > PWR_MAX_LIMIT_MW)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	p->limit_mw = mw;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int loom_power_set_temp_limit(struct loom_dev *dev, int32_t mc)
{
	struct loom_power *p = dev->power;

	if (!p)
		return -ENODEV;
	if (!mc)
		mc = PWR_TEMP_LIMIT_MC;
	if (mc < PWR_TEMP_LIMIT_MIN_MC || mc > PWR_TEMP_LIMIT_MAX_MC)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	p->temp_limit_mc = mc;
	pthread_mutex_unlock(&p->lock);
	return 0;
}
