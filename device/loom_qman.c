// SPDX-License-Identifier: MIT
/*
 * Queue managers and command processors (CP).
 *
 * Each of the LOOM_NUM_QUEUES queues has one CP thread. It sleeps on the
 * queue's doorbell eventfd; when rung it consumes the ring (struct
 * loom_ring_entry at RING_BASE, a device PA) from RING_CI up to RING_PI:
 * it checks the entry and the queue's context (ASID), copies the command
 * buffer (CB) out of the context's address space, runs its packets in
 * order (loom_cp_run_cb), publishes RING_CI / DONE and, when asked or on
 * failure, writes a struct loom_cq_entry and raises LOOM_IRQ_COMPLETION.
 * An error halts the queue (STATUS = HALTED | err << 8, ERR_INFO = byte
 * offset of the failing packet) until the driver sets QCTRL_RESET.
 *
 * After draining its ring a CP keeps polling RING_PI for a few tens of
 * microseconds before sleeping: waking a thread on the other CPU costs
 * ~11 us here, a busy-poll ~0.3 us (docs: PERF-NOTES).
 *
 * Lock order: cp->lock, then the sync manager's lock, then the window
 * lock (taken for reading around each packet, never around a WAIT).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loom_device.h"

#define LOOM_CP_SPIN_NS		30000ULL	/* busy-poll RING_PI after draining */
#define LOOM_CP_WAIT_SLICE_MS	20U		/* WAITs re-check QCTRL_RESET this often */

struct loom_cp {
	struct loom_dev *dev;
	unsigned q;
	pthread_t thread;
	bool started;
	atomic_int quit;		/* loom_qman_fini: leave the thread */
	atomic_int abort;		/* loom_qman_reset_queue in progress */

	/* Protects executing; serialises entry processing with queue resets. */
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* signalled when executing drops */
	bool executing;

	uint8_t *cb;			/* fetched CB; used by the CP thread only */
	uint32_t cb_cap;
};

struct loom_qman {
	struct loom_cp cp[LOOM_NUM_QUEUES];
};

static inline uint32_t loom_qreg_read(struct loom_dev *dev, unsigned q, uint32_t r)
{
	return loom_reg_read(dev, LOOM_REG_QUEUE(q, r));
}

static inline void loom_qreg_write(struct loom_dev *dev, unsigned q, uint32_t r, uint32_t v)
{
	loom_reg_write(dev, LOOM_REG_QUEUE(q, r), v);
}

static bool loom_is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* ---- packets ---------------------------------------------------------------- */

static const uint16_t loom_pkt_dwords[] = {
	[LOOM_PKT_NOP] = sizeof(struct loom_pkt_nop) / 4,
	[LOOM_PKT_WREG32] = sizeof(struct loom_pkt_wreg32) / 4,
	[LOOM_PKT_SIGNAL] = sizeof(struct loom_pkt_signal) / 4,
	[LOOM_PKT_WAIT] = sizeof(struct loom_pkt_wait) / 4,
	[LOOM_PKT_LIN_DMA] = sizeof(struct loom_pkt_lin_dma) / 4,
	[LOOM_PKT_MME] = sizeof(struct loom_pkt_mme) / 4,
	[LOOM_PKT_TPC_LAUNCH] = sizeof(struct loom_pkt_tpc_launch) / 4,
	[LOOM_PKT_WRITE64] = sizeof(struct loom_pkt_write64) / 4,
	[LOOM_PKT_TIMESTAMP] = sizeof(struct loom_pkt_timestamp) / 4,
	[LOOM_PKT_STOP] = sizeof(struct loom_pkt_stop) / 4,
};

/* Map an MMU fault to a LOOM_ERR_* and report it (registers + event). */
static int loom_cp_fault(struct loom_dev *dev, unsigned q, struct loom_fault *f, int err)
{
	if (err == LOOM_ERR_PAGE_FAULT || err == LOOM_ERR_PERMISSION) {
		if (!f->cause)
			f->cause = err == LOOM_ERR_PERMISSION ? LOOM_FAULT_WRITE :
							       LOOM_FAULT_NOT_PRESENT;
		loom_mmu_report_fault(dev, f, q);
	}
	return err;
}

/* Result of loom_mmu_read/write: nonzero means a fault described by *f. */
static int loom_cp_mmu_err(struct loom_dev *dev, unsigned q, int ret, struct loom_fault *f)
{
	if (!ret)
		return LOOM_ERR_NONE;
	return loom_cp_fault(dev, q, f, f->cause == LOOM_FAULT_WRITE ?
				       LOOM_ERR_PERMISSION : LOOM_ERR_PAGE_FAULT);
}

static bool loom_cp_should_abort(struct loom_dev *dev, struct loom_cp *cp)
{
	return atomic_load(&cp->abort) || atomic_load(&dev->stopping) ||
	       (loom_qreg_read(dev, cp->q, LOOM_QREG_CTRL) & LOOM_QCTRL_RESET);
}

bool loom_cp_aborting(struct loom_dev *dev, unsigned q)
{
	if (q >= LOOM_NUM_QUEUES || !dev->qman)
		return atomic_load(&dev->stopping);
	return loom_cp_should_abort(dev, &dev->qman->cp[q]);
}

static int loom_cp_wait(struct loom_dev *dev, struct loom_cp *cp,
			const struct loom_pkt_wait *p)
{
	uint32_t timeout_ms = p->timeout_ms;
	uint64_t deadline = 0, now;
	int ret;

	if (p->sob >= LOOM_NUM_SOBS)
		return LOOM_ERR_BAD_ARG;
	if (!timeout_ms)
		timeout_ms = loom_reg_read(dev, LOOM_REG_QUEUE_TIMEOUT_MS);
	if (timeout_ms)
		deadline = loom_now_ns() + (uint64_t)timeout_ms * 1000000ULL;

	/* Slices, so that a QCTRL_RESET written meanwhile ends the wait. */
	for (;;) {
		uint32_t slice = LOOM_CP_WAIT_SLICE_MS;

		if (deadline) {
			now = loom_now_ns();
			if (now >= deadline)
				return LOOM_ERR_TIMEOUT;
			if (deadline - now < (uint64_t)slice * 1000000ULL)
				slice = (uint32_t)((deadline - now + 999999ULL) / 1000000ULL);
		}
		ret = loom_sync_wait(dev, p->sob, p->target, slice, &cp->abort);
		if (ret != LOOM_ERR_TIMEOUT)
			return ret;
		if (loom_cp_should_abort(dev, cp))
			return LOOM_ERR_ABORTED;
	}
}

static int loom_cp_lin_dma(struct loom_dev *dev, unsigned q, unsigned asid,
			   const struct loom_pkt_lin_dma *p)
{
	struct loom_fault f = { 0 };
	int ret;

	if (p->flags & ~LOOM_DMA_F_MEMSET)
		return LOOM_ERR_BAD_PACKET;
	if (p->flags & LOOM_DMA_F_MEMSET)
		ret = loom_dma_fill(dev, asid, p->dst, (uint32_t)p->src, p->size, &f);
	else
		ret = loom_dma_copy(dev, asid, p->dst, p->src, p->size, &f);
	return loom_cp_fault(dev, q, &f, ret);
}

static int loom_cp_write64(struct loom_dev *dev, unsigned q, unsigned asid,
			   uint64_t addr, uint64_t value)
{
	struct loom_fault f = { 0 };
	int ret;

	if (addr & 7)
		return LOOM_ERR_BAD_ARG;
	ret = loom_mmu_write(dev, asid, addr, &value, sizeof(value), &f);
	return loom_cp_mmu_err(dev, q, ret, &f);
}

/* One packet other than WAIT; the caller holds loom_dev_access_begin(). */
static int loom_cp_exec(struct loom_dev *dev, unsigned q, unsigned asid, uint32_t op,
			const void *pkt)
{
	switch (op) {
	case LOOM_PKT_NOP: {
		const struct loom_pkt_nop *p = pkt;

		return p->reserved ? LOOM_ERR_BAD_PACKET : LOOM_ERR_NONE;
	}
	case LOOM_PKT_WREG32: {
		const struct loom_pkt_wreg32 *p = pkt;

		if (p->reserved)
			return LOOM_ERR_BAD_PACKET;
		return loom_sync_wreg(dev, p->reg, p->value);
	}
	case LOOM_PKT_SIGNAL: {
		const struct loom_pkt_signal *p = pkt;

		return loom_sob_update(dev, p->sob, p->op, p->value);
	}
	case LOOM_PKT_LIN_DMA:
		return loom_cp_lin_dma(dev, q, asid, pkt);
	case LOOM_PKT_MME: {
		const struct loom_pkt_mme *p = pkt;
		struct loom_fault f = { 0 };

		if (p->ctrl & ~LOOM_MME_CTRL_MASK)
			return LOOM_ERR_BAD_PACKET;
		return loom_cp_fault(dev, q, &f, loom_mme_exec(dev, asid, p, &f));
	}
	case LOOM_PKT_TPC_LAUNCH: {
		struct loom_fault f = { 0 };

		return loom_cp_fault(dev, q, &f, loom_tpc_launch(dev, q, asid, pkt, &f));
	}
	case LOOM_PKT_WRITE64: {
		const struct loom_pkt_write64 *p = pkt;

		if (p->reserved)
			return LOOM_ERR_BAD_PACKET;
		return loom_cp_write64(dev, q, asid, p->addr, p->value);
	}
	case LOOM_PKT_TIMESTAMP: {
		const struct loom_pkt_timestamp *p = pkt;

		if (p->reserved)
			return LOOM_ERR_BAD_PACKET;
		return loom_cp_write64(dev, q, asid, p->addr, loom_dev_time_ns(dev));
	}
	case LOOM_PKT_STOP: {
		const struct loom_pkt_stop *p = pkt;

		return p->reserved ? LOOM_ERR_BAD_PACKET : LOOM_ERR_STOPPED;
	}
	default:
		return LOOM_ERR_BAD_PACKET;
	}
}

int loom_cp_run_cb(struct loom_dev *dev, unsigned q, unsigned asid,
		   const uint8_t *cb, uint32_t size, uint32_t *err_off)
{
	union {
		uint32_t header;
		struct loom_pkt_mme mme;
		struct loom_pkt_tpc_launch tpc;	/* the largest packet */
		uint64_t align;
	} pkt;
	struct loom_cp *cp;
	uint64_t busy_ns = 0, t0;
	uint32_t off = 0;
	int ret = LOOM_ERR_NONE;

	*err_off = 0;
	if (q >= LOOM_NUM_QUEUES || !dev->qman)
		return LOOM_ERR_BAD_ARG;
	cp = &dev->qman->cp[q];

	while (off < size) {
		uint32_t hdr, op, len;

		*err_off = off;
		if (loom_cp_should_abort(dev, cp)) {
			ret = LOOM_ERR_ABORTED;
			break;
		}
		if (size - off < 4) {
			ret = LOOM_ERR_BAD_PACKET;
			break;
		}
		memcpy(&hdr, cb + off, 4);
		op = LOOM_PKT_OPCODE(hdr);
		len = LOOM_PKT_DWORDS(hdr) * 4;
		if (op >= sizeof(loom_pkt_dwords) / sizeof(loom_pkt_dwords[0]) ||
		    !loom_pkt_dwords[op] || LOOM_PKT_DWORDS(hdr) != loom_pkt_dwords[op] ||
		    LOOM_PKT_FLAGS(hdr) || len > size - off) {
			ret = LOOM_ERR_BAD_PACKET;
			break;
		}
		memcpy(&pkt, cb + off, len);

		if (op == LOOM_PKT_WAIT) {
			ret = loom_cp_wait(dev, cp, (const struct loom_pkt_wait *)&pkt);
		} else {
			t0 = loom_now_ns();
			loom_dev_access_begin(dev);
			ret = loom_cp_exec(dev, q, asid, op, &pkt);
			loom_dev_access_end(dev);
			if (op != LOOM_PKT_LIN_DMA && op != LOOM_PKT_MME)
				busy_ns += loom_now_ns() - t0;
		}
		if (ret != LOOM_ERR_NONE)
			break;
		off += len;
	}
	if (ret == LOOM_ERR_NONE)
		*err_off = 0;
	if (busy_ns)
		loom_power_account(dev, LOOM_ENGINE_CP, asid, busy_ns, 0, 0);
	return ret;
}

/* ---- ring and completion queue ---------------------------------------------- */

static void loom_cp_post(struct loom_dev *dev, unsigned q, uint32_t type, uint32_t asid,
			 uint32_t info, uint64_t addr)
{
	struct loom_event ev = {
		.type = type,
		.asid = (asid > 0 && asid < LOOM_NUM_ASIDS) ? asid : LOOM_EVENT_ASID_NONE,
		.queue = q,
		.info = info,
		.addr = addr,
		.timestamp_ns = loom_dev_time_ns(dev),
	};

	loom_fw_post_event(dev, &ev);
}

/* Copy ring entry ci out of the ring; false if the ring is misconfigured. */
static bool loom_cp_ring_entry(struct loom_dev *dev, unsigned q, uint32_t ci,
			       struct loom_ring_entry *e)
{
	uint64_t base = loom_reg_read64(dev, LOOM_REG_QUEUE(q, LOOM_QREG_RING_BASE_LO));
	uint32_t n = loom_qreg_read(dev, q, LOOM_QREG_RING_SIZE);
	const void *p;

	if (!loom_is_pow2(n) || n < 2 || n > 65536)
		return false;
	loom_dev_access_begin(dev);
	p = loom_dev_pa_ptr(dev, base + (uint64_t)(ci & (n - 1)) * sizeof(*e), sizeof(*e));
	if (p)
		memcpy(e, p, sizeof(*e));
	loom_dev_access_end(dev);
	return p != NULL;
}

static int loom_cp_check_entry(const struct loom_ring_entry *e)
{
	if ((e->flags & ~LOOM_RING_F_MASK) || e->reserved || !e->cb_size ||
	    e->cb_size % 4 || e->cb_size > LOOM_CB_MAX_SIZE || e->cb_addr & 7)
		return LOOM_ERR_BAD_CB;
	return LOOM_ERR_NONE;
}

static bool loom_asid_enabled(struct loom_dev *dev, uint32_t asid)
{
	return asid > 0 && asid < LOOM_NUM_ASIDS &&
	       (loom_reg_read(dev, LOOM_REG_ASID(asid, LOOM_AREG_CTRL)) & 1);
}

static int loom_cp_fetch(struct loom_dev *dev, struct loom_cp *cp, uint32_t asid,
			 const struct loom_ring_entry *e)
{
	struct loom_fault f = { 0 };
	int ret;

	if (e->cb_size > cp->cb_cap) {
		uint32_t cap = cp->cb_cap ? cp->cb_cap : 4096;
		uint8_t *nb;

		while (cap < e->cb_size)
			cap *= 2;
		nb = realloc(cp->cb, cap);
		if (!nb)
			return LOOM_ERR_BAD_CB;
		cp->cb = nb;
		cp->cb_cap = cap;
	}
	loom_dev_access_begin(dev);
	ret = loom_mmu_read(dev, asid, e->cb_addr, cp->cb, e->cb_size, &f);
	loom_dev_access_end(dev);
	if (ret) {
		if (!f.cause)
			f.cause = LOOM_FAULT_NOT_PRESENT;
		loom_mmu_report_fault(dev, &f, cp->q);
		return LOOM_ERR_PAGE_FAULT;
	}
	return LOOM_ERR_NONE;
}

/* Write a CQ entry and raise the completion interrupt; false if the CQ is unusable. */
static bool loom_cp_complete(struct loom_dev *dev, unsigned q, uint64_t tag, int status,
			     uint32_t err_off)
{
	uint64_t base = loom_reg_read64(dev, LOOM_REG_QUEUE(q, LOOM_QREG_CQ_BASE_LO));
	uint32_t n = loom_qreg_read(dev, q, LOOM_QREG_CQ_SIZE);
	uint32_t pi = loom_qreg_read(dev, q, LOOM_QREG_CQ_PI);
	struct loom_cq_entry ce = {
		.tag = tag,
		.status = (uint32_t)status,
		.queue = q,
		.err_offset = err_off,
		.timestamp_ns = loom_dev_time_ns(dev),
	};
	void *p;

	if (!loom_is_pow2(n))
		return false;
	loom_dev_access_begin(dev);
	p = loom_dev_pa_ptr(dev, base + (uint64_t)(pi & (n - 1)) * sizeof(ce), sizeof(ce));
	if (p)
		memcpy(p, &ce, sizeof(ce));
	loom_dev_access_end(dev);
	if (!p)
		return false;
	loom_qreg_write(dev, q, LOOM_QREG_CQ_PI, pi + 1);
	loom_dev_raise_irq(dev, loom_qreg_read(dev, q, LOOM_QREG_CHANNEL), LOOM_IRQ_COMPLETION);
	return true;
}

static void loom_cp_halt(struct loom_dev *dev, unsigned q, int err, uint32_t err_off)
{
	loom_qreg_write(dev, q, LOOM_QREG_ERR_INFO, err_off);
	loom_qreg_write(dev, q, LOOM_QREG_STATUS, LOOM_QSTATUS_HALTED | ((uint32_t)err << 8));
}

/* Report a queue error by event (faults were reported by the MMU already). */
static void loom_cp_error_event(struct loom_dev *dev, unsigned q, uint32_t asid, int err,
				uint64_t addr)
{
	if (err == LOOM_ERR_PAGE_FAULT || err == LOOM_ERR_PERMISSION)
		return;
	if (err == LOOM_ERR_TIMEOUT)
		loom_cp_post(dev, q, LOOM_EVENT_HANG, asid, (uint32_t)err, addr);
	else
		loom_cp_post(dev, q, LOOM_EVENT_QUEUE_ERROR, asid, (uint32_t)err, addr);
}

/* Process ring entry ci; the caller has set cp->executing. */
static void loom_cp_process(struct loom_dev *dev, struct loom_cp *cp, uint32_t ci)
{
	unsigned q = cp->q;
	struct loom_ring_entry e;
	uint32_t asid = loom_qreg_read(dev, q, LOOM_QREG_ASID);
	uint32_t err_off = 0;
	uint64_t t0 = loom_now_ns();
	int err;

	if (!loom_cp_ring_entry(dev, q, ci, &e)) {
		loom_cp_halt(dev, q, LOOM_ERR_BAD_CB, 0);
		loom_cp_error_event(dev, q, asid, LOOM_ERR_BAD_CB, 0);
		return;
	}

	err = loom_cp_check_entry(&e);
	if (!err && !loom_asid_enabled(dev, asid))
		err = LOOM_ERR_BAD_ASID;
	if (!err)
		err = loom_cp_fetch(dev, cp, asid, &e);
	if (!err) {
		loom_power_account(dev, LOOM_ENGINE_CP, asid, loom_now_ns() - t0, 0, 0);
		err = loom_cp_run_cb(dev, q, asid, cp->cb, e.cb_size, &err_off);
	}

	/* A reset of the whole queue is under way: it owns the registers now. */
	if (atomic_load(&cp->abort) || atomic_load(&dev->stopping))
		return;

	if (err && err != LOOM_ERR_ABORTED) {
		loom_cp_halt(dev, q, err, err_off);
		/* Before the completion: whoever sees the failed entry finds its event. */
		loom_cp_error_event(dev, q, asid, err, e.cb_addr + err_off);
	}
	loom_qreg_write(dev, q, LOOM_QREG_RING_CI, ci + 1);
	loom_reg_write64(dev, LOOM_REG_QUEUE(q, LOOM_QREG_DONE_LO), e.tag);
	if (((e.flags & LOOM_RING_F_COMPLETION) || err) &&
	    !loom_cp_complete(dev, q, e.tag, err, err_off) && !err) {
		/* Completion asked for but the CQ is unusable. */
		err = LOOM_ERR_BAD_CB;
		loom_cp_halt(dev, q, err, 0);
		loom_cp_error_event(dev, q, asid, err, e.cb_addr);
	}
}

/* ---- queue state ------------------------------------------------------------ */

/* QCTRL_RESET: drop pending entries, clear the error. */
static void loom_cp_reset_locked(struct loom_dev *dev, unsigned q)
{
	uint32_t *ctrl = (uint32_t *)(loom_dev_bar(dev) + LOOM_REG_QUEUE(q, LOOM_QREG_CTRL));

	loom_qreg_write(dev, q, LOOM_QREG_RING_CI, loom_qreg_read(dev, q, LOOM_QREG_RING_PI));
	loom_qreg_write(dev, q, LOOM_QREG_ERR_INFO, 0);
	loom_qreg_write(dev, q, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE);
	__atomic_fetch_and(ctrl, ~LOOM_QCTRL_RESET, __ATOMIC_ACQ_REL);
}

void loom_qman_reset_queue(struct loom_dev *dev, unsigned q)
{
	struct loom_cp *cp;
	static const uint32_t clear[] = {
		LOOM_QREG_RING_BASE_LO, LOOM_QREG_RING_BASE_HI, LOOM_QREG_RING_SIZE,
		LOOM_QREG_RING_PI, LOOM_QREG_RING_CI, LOOM_QREG_CQ_BASE_LO,
		LOOM_QREG_CQ_BASE_HI, LOOM_QREG_CQ_SIZE, LOOM_QREG_CQ_PI,
		LOOM_QREG_ERR_INFO, LOOM_QREG_DONE_LO, LOOM_QREG_DONE_HI,
	};

	if (q >= LOOM_NUM_QUEUES || !dev->qman)
		return;
	cp = &dev->qman->cp[q];

	atomic_store(&cp->abort, 1);
	loom_sync_kick(dev);
	pthread_mutex_lock(&cp->lock);
	while (cp->executing)
		pthread_cond_wait(&cp->idle, &cp->lock);
	loom_qreg_write(dev, q, LOOM_QREG_CTRL, 0);
	for (unsigned i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
		loom_qreg_write(dev, q, clear[i], 0);
	loom_qreg_write(dev, q, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE);
	atomic_store(&cp->abort, 0);
	pthread_mutex_unlock(&cp->lock);
}

/*
 * Take the next step on the queue: handle a reset request or run one ring
 * entry. Returns false when there is nothing to do.
 */
static bool loom_cp_step(struct loom_dev *dev, struct loom_cp *cp)
{
	unsigned q = cp->q;
	uint32_t ctrl, status, ci, pi;

	pthread_mutex_lock(&cp->lock);
	if (atomic_load(&cp->abort) || atomic_load(&cp->quit)) {
		pthread_mutex_unlock(&cp->lock);
		return false;
	}
	ctrl = loom_qreg_read(dev, q, LOOM_QREG_CTRL);
	if (ctrl & LOOM_QCTRL_RESET) {
		loom_cp_reset_locked(dev, q);
		pthread_mutex_unlock(&cp->lock);
		return true;
	}
	status = loom_qreg_read(dev, q, LOOM_QREG_STATUS);
	if (!(ctrl & LOOM_QCTRL_ENABLE) ||
	    LOOM_QSTATUS_STATE(status) == LOOM_QSTATUS_HALTED) {
		pthread_mutex_unlock(&cp->lock);
		return false;
	}
	ci = loom_qreg_read(dev, q, LOOM_QREG_RING_CI);
	pi = loom_qreg_read(dev, q, LOOM_QREG_RING_PI);
	if (ci == pi) {
		if (status != LOOM_QSTATUS_IDLE)
			loom_qreg_write(dev, q, LOOM_QREG_STATUS, LOOM_QSTATUS_IDLE);
		pthread_mutex_unlock(&cp->lock);
		return false;
	}
	if (status != LOOM_QSTATUS_BUSY)
		loom_qreg_write(dev, q, LOOM_QREG_STATUS, LOOM_QSTATUS_BUSY);
	cp->executing = true;
	pthread_mutex_unlock(&cp->lock);

	loom_cp_process(dev, cp, ci);

	pthread_mutex_lock(&cp->lock);
	cp->executing = false;
	pthread_cond_broadcast(&cp->idle);
	pthread_mutex_unlock(&cp->lock);
	return true;
}

/* Busy-poll for new work for a short while; true if some arrived. */
static bool loom_cp_spin(struct loom_dev *dev, struct loom_cp *cp)
{
	unsigned q = cp->q;
	uint64_t start = loom_now_ns();

	for (unsigned i = 0;; i++) {
		uint32_t ctrl = loom_qreg_read(dev, q, LOOM_QREG_CTRL);

		if (atomic_load(&cp->quit) || atomic_load(&dev->stopping))
			return false;
		if (ctrl & LOOM_QCTRL_RESET)
			return true;
		if ((ctrl & LOOM_QCTRL_ENABLE) &&
		    loom_qreg_read(dev, q, LOOM_QREG_RING_PI) !=
		    loom_qreg_read(dev, q, LOOM_QREG_RING_CI) &&
		    LOOM_QSTATUS_STATE(loom_qreg_read(dev, q, LOOM_QREG_STATUS)) !=
		    LOOM_QSTATUS_HALTED)
			return true;
		loom_cpu_relax();
		if ((i & 31) == 31 && loom_now_ns() - start >= LOOM_CP_SPIN_NS)
			return false;
	}
}

static void *loom_cp_thread(void *arg)
{
	struct loom_cp *cp = arg;
	struct loom_dev *dev = cp->dev;
	int fd = loom_dev_doorbell_fd(dev, cp->q);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t cnt;

	for (;;) {
		if (atomic_load(&cp->quit) || atomic_load(&dev->stopping))
			break;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		if (read(fd, &cnt, sizeof(cnt)) < 0) {
			/* EAGAIN: spurious wake-up */
		}
		if (atomic_load(&cp->quit) || atomic_load(&dev->stopping))
			break;
		do {
			while (loom_cp_step(dev, cp))
				if (atomic_load(&cp->quit))
					break;
		} while (loom_cp_spin(dev, cp));
	}
	return NULL;
}

/* ---- lifecycle -------------------------------------------------------------- */

static void loom_qman_stop(struct loom_dev *dev, struct loom_qman *qm)
{
	uint64_t one = 1;

	for (unsigned q = 0; q < LOOM_NUM_QUEUES; q++) {
		atomic_store(&qm->cp[q].quit, 1);
		atomic_store(&qm->cp[q].abort, 1);
	}
	loom_sync_kick(dev);
	for (unsigned q = 0; q < LOOM_NUM_QUEUES; q++) {
		struct loom_cp *cp = &qm->cp[q];

		if (!cp->started)
			continue;
		if (write(loom_dev_doorbell_fd(dev, q), &one, sizeof(one)) < 0) {
			/* EAGAIN: already pending */
		}
		pthread_join(cp->thread, NULL);
		cp->started = false;
	}
	for (unsigned q = 0; q < LOOM_NUM_QUEUES; q++) {
		struct loom_cp *cp = &qm->cp[q];

		pthread_cond_destroy(&cp->idle);
		pthread_mutex_destroy(&cp->lock);
		free(cp->cb);
	}
}

int loom_qman_init(struct loom_dev *dev)
{
	struct loom_qman *qm;
	unsigned q;
	int ret = 0;

	qm = calloc(1, sizeof(*qm));
	if (!qm)
		return -ENOMEM;
	for (q = 0; q < LOOM_NUM_QUEUES; q++) {
		struct loom_cp *cp = &qm->cp[q];

		cp->dev = dev;
		cp->q = q;
		atomic_init(&cp->quit, 0);
		atomic_init(&cp->abort, 0);
		pthread_mutex_init(&cp->lock, NULL);
		pthread_cond_init(&cp->idle, NULL);
	}
	dev->qman = qm;
	for (q = 0; q < LOOM_NUM_QUEUES; q++) {
		ret = pthread_create(&qm->cp[q].thread, NULL, loom_cp_thread, &qm->cp[q]);
		if (ret)
			break;
		qm->cp[q].started = true;
	}
	if (ret) {
		loom_qman_stop(dev, qm);
		dev->qman = NULL;
		free(qm);
		return -ret;
	}
	return 0;
}

void loom_qman_fini(struct loom_dev *dev)
{
	struct loom_qman *qm = dev->qman;

	if (!qm)
		return;
	loom_qman_stop(dev, qm);
	dev->qman = NULL;
	free(qm);
}
