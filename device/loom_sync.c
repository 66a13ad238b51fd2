// SPDX-License-Identifier: MIT
/*
 * The sync manager: sync objects (SOBs) and monitors.
 *
 * SOBs are 32-bit counters that live in the register space
 * (LOOM_REG_SOB(i)) so the host can read them at any time; the device
 * updates them atomically, from SIGNAL packets (loom_sob_update) and from
 * WREG32 packets (loom_sync_wreg). Monitors (LOOM_REG_MON) watch one SOB
 * each: once armed, a monitor fires as soon as (int32)(SOB - TARGET) >= 0
 * (at arm time or on a later update of its SOB): it writes its 32-bit
 * payload to a device PA, optionally raises LOOM_IRQ_MONITOR on a channel,
 * and disarms itself.
 *
 * WAIT packets block in loom_sync_wait on a condition variable that every
 * SOB update broadcasts; they spin briefly first, since the signal usually
 * comes from another queue a few microseconds later.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loom_device.h"

#define LOOM_SYNC_SPIN_NS	20000ULL	/* spin before sleeping in a wait */
#define LOOM_MON_WORDS		(LOOM_NUM_MONITORS / 64)

struct loom_sync {
	/* Protects armed, monitor evaluation, and serialises SOB updates with waits. */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* broadcast on every SOB update and kick */
	uint64_t armed[LOOM_MON_WORDS];	/* monitors armed (mirror of MREG_ARM) */
	unsigned waiters;		/* threads sleeping on cond */
};

void loom_sync_init(struct loom_dev *dev)
{
	struct loom_sync *s;
	pthread_condattr_t attr;

	dev->sync = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	if (pthread_mutex_init(&s->lock, NULL)) {
		free(s);
		return;
	}
	if (pthread_condattr_init(&attr)) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return;
	}
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&s->cond, &attr)) {
		pthread_condattr_destroy(&attr);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return;
	}
	pthread_condattr_destroy(&attr);
	dev->sync = s;
}

void loom_sync_fini(struct loom_dev *dev)
{
	struct loom_sync *s = dev->sync;

	if (!s)
		return;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
	dev->sync = NULL;
}

static void loom_sync_clear_locked(struct loom_dev *dev)
{
	struct loom_sync *s = dev->sync;

	for (uint32_t i = 0; i < LOOM_NUM_SOBS; i++)
		loom_reg_write(dev, LOOM_REG_SOB(i), 0);
	for (uint32_t m = 0; m < LOOM_NUM_MONITORS; m++)
		for (uint32_t r = 0; r < LOOM_REG_MON_STRIDE; r += 4)
			loom_reg_write(dev, LOOM_REG_MON(m, r), 0);
	memset(s->armed, 0, sizeof(s->armed));
}

void loom_sync_reset(struct loom_dev *dev)
{
	struct loom_sync *s = dev->sync;

	pthread_mutex_lock(&s->lock);
	loom_sync_clear_locked(dev);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

uint32_t loom_sob_read(struct loom_dev *dev, uint32_t sob)
{
	if (sob >= LOOM_NUM_SOBS)
		return 0;
	return loom_reg_read(dev, LOOM_REG_SOB(sob));
}

static bool loom_sob_reached(uint32_t value, uint32_t target)
{
	return (int32_t)(value - target) >= 0;
}

/* Fire monitor m: payload write, interrupt, disarm. */
static void loom_mon_fire_locked(struct loom_dev *dev, uint32_t m)
{
	struct loom_sync *s = dev->sync;
	uint64_t pa = loom_reg_read64(dev, LOOM_REG_MON(m, LOOM_MREG_PAYLOAD_ADDR_LO));
	uint32_t payload = loom_reg_read(dev, LOOM_REG_MON(m, LOOM_MREG_PAYLOAD));
	uint32_t irq = loom_reg_read(dev, LOOM_REG_MON(m, LOOM_MREG_IRQ));
	void *p;

	s->armed[m / 64] &= ~(1ULL << (m % 64));
	loom_reg_write(dev, LOOM_REG_MON(m, LOOM_MREG_ARM), 0);

	loom_dev_access_begin(dev);
	p = loom_dev_pa_ptr(dev, pa, sizeof(payload));
	if (p) {
		if (((uintptr_t)p & 3) == 0)
			__atomic_store_n((uint32_t *)p, payload, __ATOMIC_RELEASE);
		else
			memcpy(p, &payload, sizeof(payload));
	}
	loom_dev_access_end(dev);

	if (irq & (1U << 31))
		loom_dev_raise_irq(dev, irq & 0xffU, LOOM_IRQ_MONITOR);
}

static void loom_mon_check_locked(struct loom_dev *dev, uint32_t m)
{
	uint32_t sob = loom_reg_read(dev, LOOM_REG_MON(m, LOOM_MREG_SOB));
	uint32_t target = loom_reg_read(dev, LOOM_REG_MON(m, LOOM_MREG_TARGET));

	if (sob < LOOM_NUM_SOBS &&
	    loom_sob_reached(loom_reg_read(dev, LOOM_REG_SOB(sob)), target))
		loom_mon_fire_locked(dev, m);
}

/* Evaluate the armed monitors that watch sob. */
static void loom_mon_eval_locked(struct loom_dev *dev, uint32_t sob)
{
	struct loom_sync *s = dev->sync;

	for (uint32_t w = 0; w < LOOM_MON_WORDS; w++) {
		uint64_t bits = s->armed[w];

		while (bits) {
			uint32_t m = w * 64 + (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (loom_reg_read(dev, LOOM_REG_MON(m, LOOM_MREG_SOB)) == sob)
				loom_mon_check_locked(dev, m);
		}
	}
}

static void loom_sob_update_locked(struct loom_dev *dev, uint32_t sob, uint32_t op,
				   uint32_t value)
{
	uint32_t *p = (uint32_t *)(loom_dev_bar(dev) + LOOM_REG_SOB(sob));

	if (op == LOOM_SIGNAL_OP_ADD)
		__atomic_add_fetch(p, value, __ATOMIC_ACQ_REL);
	else
		__atomic_store_n(p, value, __ATOMIC_RELEASE);
	loom_mon_eval_locked(dev, sob);
	if (dev->sync->waiters)
		pthread_cond_broadcast(&dev->sync->cond);
}

int loom_sob_update(struct loom_dev *dev, uint32_t sob, uint32_t op, uint32_t value)
{
	struct loom_sync *s = dev->sync;

	if (sob >= LOOM_NUM_SOBS ||
	    (op != LOOM_SIGNAL_OP_ADD && op != LOOM_SIGNAL_OP_SET))
		return LOOM_ERR_BAD_ARG;
	pthread_mutex_lock(&s->lock);
	loom_sob_update_locked(dev, sob, op, value);
	pthread_mutex_unlock(&s->lock);
	return LOOM_ERR_NONE;
}

static int loom_mon_write_locked(struct loom_dev *dev, uint32_t reg, uint32_t value)
{
	struct loom_sync *s = dev->sync;
	uint32_t m = (reg - LOOM_REG_MON_BASE) / LOOM_REG_MON_STRIDE;
	uint32_t r = (reg - LOOM_REG_MON_BASE) % LOOM_REG_MON_STRIDE;

	if (r != LOOM_MREG_ARM) {
		loom_reg_write(dev, reg, value);
		return LOOM_ERR_NONE;
	}
	if (!(value & 1)) {
		s->armed[m / 64] &= ~(1ULL << (m % 64));
		loom_reg_write(dev, reg, 0);
		return LOOM_ERR_NONE;
	}
	if (loom_reg_read(dev, LOOM_REG_MON(m, LOOM_MREG_SOB)) >= LOOM_NUM_SOBS)
		return LOOM_ERR_BAD_ARG;
	s->armed[m / 64] |= 1ULL << (m % 64);
	loom_reg_write(dev, reg, 1);
	loom_mon_check_locked(dev, m);
	return LOOM_ERR_NONE;
}

int loom_sync_wreg(struct loom_dev *dev, uint32_t reg, uint32_t value)
{
	struct loom_sync *s = dev->sync;
	int ret;

	if (reg & 3)
		return LOOM_ERR_PRIV;
	if (reg >= LOOM_REG_SOB(0) && reg < LOOM_REG_SOB(LOOM_NUM_SOBS)) {
		pthread_mutex_lock(&s->lock);
		loom_sob_update_locked(dev, (reg - LOOM_REG_SOB_BASE) / 4,
				       LOOM_SIGNAL_OP_SET, value);
		pthread_mutex_unlock(&s->lock);
		return LOOM_ERR_NONE;
	}
	if (reg >= LOOM_REG_MON_BASE && reg < LOOM_REG_MON(LOOM_NUM_MONITORS, 0)) {
		pthread_mutex_lock(&s->lock);
		ret = loom_mon_write_locked(dev, reg, value);
		pthread_mutex_unlock(&s->lock);
		return ret;
	}
	return LOOM_ERR_PRIV;
}

void loom_sync_kick(struct loom_dev *dev)
{
	struct loom_sync *s = dev->sync;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int loom_sync_wait(struct loom_dev *dev, uint32_t sob, uint32_t target,
		   uint32_t timeout_ms, const atomic_int *abort)
{
	struct loom_sync *s = dev->sync;
	uint64_t start, deadline = 0, now;
	struct timespec ts;
	int ret = LOOM_ERR_NONE;

	if (sob >= LOOM_NUM_SOBS)
		return LOOM_ERR_BAD_ARG;
	if (loom_sob_reached(loom_sob_read(dev, sob), target))
		return LOOM_ERR_NONE;

	start = loom_now_ns();
	if (timeout_ms)
		deadline = start + (uint64_t)timeout_ms * 1000000ULL;

	/* Short spin: the producer is usually another queue, microseconds away. */
	for (unsigned i = 0;; i++) {
		if (loom_sob_reached(loom_sob_read(dev, sob), target))
			return LOOM_ERR_NONE;
		if (abort && atomic_load(abort))
			return LOOM_ERR_ABORTED;
		loom_cpu_relax();
		if ((i & 63) == 63 && loom_now_ns() - start >= LOOM_SYNC_SPIN_NS)
			break;
	}

	if (deadline) {
		ts.tv_sec = (time_t)(deadline / 1000000000ULL);
		ts.tv_nsec = (long)(deadline % 1000000000ULL);
	}
	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (loom_sob_reached(loom_sob_read(dev, sob), target))
			break;
		if (abort && atomic_load(abort)) {
			ret = LOOM_ERR_ABORTED;
			break;
		}
		if (deadline) {
			now = loom_now_ns();
			if (now >= deadline) {
				ret = LOOM_ERR_TIMEOUT;
				break;
			}
		}
		s->waiters++;
		if (deadline)
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		else
			pthread_cond_wait(&s->cond, &s->lock);
		s->waiters--;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}
