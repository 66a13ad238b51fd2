/* SPDX-License-Identifier: MIT */
/*
 * libloom internals.
 *
 * The runtime is split in two at struct loom_backend_ops:
 *
 *   generic runtime (what the public API does, whatever drives the device)
 *     loom_core.c    devices, logging, errors, the event ring, waiting
 *     loom_mem.c     the allocation table, public memory calls
 *     loom_stream.c  streams, submissions in flight, events
 *     loom_ops.c     copies, fills, GEMM: command buffers of packets
 *     loom_kernel.c  TPC kernels: loading objects, launches
 *     loom_capture.c recordings of a stream's CBs, replayed as one CB
 *   backends (how the device is driven)
 *     loom_direct.c        the userspace driver over the device link:
 *                          attach, interrupts, mailbox, event queue,
 *                          the attached drivers (loom_device_processes)
 *     loom_direct_mem.c    its page tables, DRAM, host pool, export/import
 *     loom_direct_queue.c  its hardware queues: rings, CB area, SOBs
 *     loom_pt.c            range allocator and page-table writer it uses
 *     loom_kmd.c           the kernel backend (ioctls on /dev/accel/accelN,
 *                          loom.ko's uAPI): open, info, telemetry, events
 *     loom_kmd_mem.c       its buffer objects, VM_BIND, export/import
 *     loom_kmd_queue.c     its queues: SUBMIT, WAIT, syncobjs
 *     loom_kmd_procs.c     loom_device_processes() from /proc/PID/fdinfo
 *
 * Both backends implement the same ops.
 * Command buffers are built by the generic layer in the packet format of
 * hw/loom_packets.h; a backend adds what it needs to signal completion and
 * submits them.
 */
#ifndef LOOM_INTERNAL_H
#define LOOM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../include/loom/loom.h"
#include "../hw/loom_fw.h"
#include "../hw/loom_link.h"
#include "../hw/loom_mmu.h"
#include "../hw/loom_packets.h"
#include "../hw/loom_regs.h"

#define LOOM_EVENT_RING		256
#define LOOM_INFLIGHT		256	/* submissions in flight per stream */

/* Debug categories (LOOM_DEBUG bitmask). */
#define LOOM_DBG_CORE		(1u << 0)
#define LOOM_DBG_MEM		(1u << 1)
#define LOOM_DBG_SUBMIT		(1u << 2)
#define LOOM_DBG_IRQ		(1u << 3)

void loom_log(enum loom_log_level level, unsigned cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define loom_err(...)		loom_log(LOOM_LOG_ERROR, 0, __VA_ARGS__)
#define loom_warn(...)		loom_log(LOOM_LOG_WARN, 0, __VA_ARGS__)
#define loom_dbg(cat, ...)	loom_log(LOOM_LOG_DEBUG, (cat), __VA_ARGS__)

/* A device allocation: DRAM of this handle, or an imported range. */
enum loom_alloc_kind { LOOM_ALLOC_DRAM, LOOM_ALLOC_IMPORT };
struct loom_alloc {
	uint64_t va, size;		/* device address, mapped size */
	uint8_t *cpu;			/* CPU mapping, or NULL */
	enum loom_alloc_kind kind;
	uint32_t flags;			/* LOOM_MEM_* */
	uint64_t be[2];			/* backend's own (direct: PA, VA reserved) */
};

struct loom_submit {
	uint32_t seq;			/* the stream's count once it has finished */
	uint32_t be_cookie;		/* backend's own (direct: CB area offset) */
	void *staging;			/* pinned memory freed once finished */
};

struct loom_backend_ops;

struct loom_device {
	const struct loom_backend_ops *be;
	void *drv;			/* the backend's state */
	char uri[128];
	unsigned spin_us;		/* busy-wait before sleeping */

	bool dead;			/* the device went away (atomic) */

	/* Protects everything below; cond wakes waiters on interrupts. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct loom_alloc *allocs;	/* sorted by va */
	unsigned nallocs, cap_allocs;
	struct loom_device_event events[LOOM_EVENT_RING];
	unsigned ev_head, ev_count;
	struct loom_stream **streams;	/* live streams */
	unsigned nstreams, cap_streams;
	struct loom_event_obj **evobjs;	/* live events */
	unsigned nevobjs, cap_evobjs;
	struct loom_cmdbuf **cmdbufs;	/* live recordings */
	unsigned ncmdbufs, cap_cmdbufs;
};

struct loom_stream {
	loom_device *dev;
	void *q;			/* the backend's queue */
	uint32_t hw_queue;		/* its hardware queue index (set by the backend) */
	unsigned refs;			/* under dev->lock: creator + recorded events */
	uint32_t seq;			/* submissions so far */
	struct loom_submit inflight[LOOM_INFLIGHT];
	unsigned if_head, if_count;
	int error;			/* sticky: negative errno */
	bool destroyed;
	uint8_t *cb_buf;		/* the CB being built */
	uint32_t cb_len, cb_cap;
	struct loom_cmdbuf *capture;	/* recording instead of submitting, or NULL */
};

struct loom_event_obj {
	loom_device *dev;
	loom_stream *stream;		/* holds a reference while recorded */
	uint32_t target;		/* stream count that reaches the event */
	uint64_t *ts;			/* pinned slot for the device timestamp */
	bool recorded;
};

/*
 * What a backend provides. Unless said otherwise, functions return 0 or a
 * negative errno and are called without dev->lock. A backend wakes
 * dev->cond (under dev->lock) whenever queue progress or an event may have
 * happened, and sets dev->dead if the device goes away.
 */
/* /proc/PID/comm without its newline into name ("" if unreadable). */
void loom_proc_comm(uint32_t pid, char *name, size_t size);

struct loom_backend_ops {
	const char *name;
	int (*open)(loom_device *dev, const struct loom_device_opts *opts);
	void (*close)(loom_device *dev);	/* after every stream is gone */
	int (*info)(loom_device *dev, struct loom_device_info *info);
	int (*telemetry)(loom_device *dev, struct loom_telemetry *t);
	/* loom_device_processes(): the count, up to max filled in (zeroed). */
	int (*processes)(loom_device *dev, struct loom_process *out, int max);
	int (*set_power_limit)(loom_device *dev, uint32_t mw);
	/* dev->lock held: append pending device events to dev->events. */
	void (*events_poll)(loom_device *dev);

	/* Device memory: fill a->va, a->cpu, a->be from a->size, a->flags. */
	int (*mem_alloc)(loom_device *dev, struct loom_alloc *a);
	void (*mem_free)(loom_device *dev, struct loom_alloc *a);
	/*
	 * Returns a file descriptor. a == NULL: offset is a device address
	 * outside every allocation; -EOPNOTSUPP if it is pinned host memory,
	 * else -EINVAL. The mem_* functions are called with dev->lock held.
	 */
	int (*mem_export)(loom_device *dev, const struct loom_alloc *a, uint64_t offset,
			  uint64_t size);
	int (*mem_import)(loom_device *dev, int fd, struct loom_alloc *a);

	/* Pinned host memory (CPU pointer + device address). */
	void *(*host_alloc)(loom_device *dev, uint64_t size, uint64_t *va);
	int (*host_free)(loom_device *dev, void *ptr);
	uint64_t (*host_va)(loom_device *dev, const void *ptr);

	/* Queues: s->q is the backend's. */
	int (*queue_create)(loom_stream *s);
	void (*queue_destroy)(loom_stream *s);	/* the queue is idle or failed */
	/*
	 * Submit s->cb_buf[0, s->cb_len) as submission s->seq + 1; *cookie
	 * is kept with it. oldest is the cookie of the oldest submission
	 * still in flight, or NULL. -EAGAIN: no room until that one finishes.
	 */
	int (*submit)(loom_stream *s, const uint32_t *oldest, uint32_t *cookie);
	uint32_t (*done)(loom_stream *s);	/* finished submissions (mod 2^32) */
	int (*status)(loom_stream *s);		/* 0, or the queue's failure */
	/* Fill *w with a device-side wait for other's count target. */
	void (*wait_pkt)(loom_stream *other, uint32_t target, struct loom_pkt_wait *w);
	/* Largest CB (bytes) submit accepts, before what the backend appends. */
	uint32_t cb_max;
};

extern const struct loom_backend_ops loom_direct_ops;
#ifdef LOOM_KMD_BACKEND
/* loom_kmd*.c: the kernel backend (ioctls of loom.ko on /dev/accel/accelN). */
extern const struct loom_backend_ops loom_kmd_ops;
int loom_kmd_list(char **names, int max);	/* Loom accel nodes, malloc'ed */
bool loom_kmd_uri(const char *uri);		/* "kernel" or /dev/accel/... */
#endif

/* ---- generic helpers ------------------------------------------------------- */
uint64_t loom_time_ns(void);
/* Wait (dev->lock held) until cond_fn(arg) != 1: spin, then sleep on dev->cond. */
int loom_wait_locked(loom_device *dev, int (*cond_fn)(void *), void *arg, int64_t timeout_ns);
void loom_device_mark_dead(loom_device *dev);
/* Append one event to the device's ring (dev->lock held). */
void loom_event_push_locked(loom_device *dev, const struct loom_device_event *e);

/* loom_stream.c */
void loom_streams_fini(loom_device *dev);
void loom_events_fini(loom_device *dev);
void *loom_cb_add(loom_stream *s, uint32_t bytes);	/* zeroed packet space */
void loom_cb_reset(loom_stream *s);
/* Submit the CB built so far; staging (pinned) is freed once it finished. */
int loom_cb_submit(loom_stream *s, void *staging);
int loom_stream_usable(loom_stream *s);
/* Wait until the stream has finished its submission number seq. */
int loom_stream_wait_seq(loom_stream *s, uint32_t seq, int64_t timeout_ns);
/* 0: s has finished submission target; 1: not yet; < 0: s failed. */
int loom_stream_reached(loom_stream *s, uint32_t target);
/* References keeping a stream's struct alive (dev->lock held). */
void loom_stream_get_locked(loom_stream *s);
void loom_stream_put_locked(loom_stream *s);
/* Mark e recorded at s's last submission (e holds a reference to s). */
void loom_event_bind(loom_event *e, loom_stream *s);

/* loom_capture.c: recordings (streams between capture begin and end). */
/* Append the CB built so far to s's recording; staging is the recording's now. */
int loom_capture_add(loom_stream *s, void *staging);
int loom_capture_record(loom_event *e, loom_stream *s);
int loom_capture_wait(loom_stream *s, loom_event *e);
void loom_capture_abort(loom_stream *s);	/* s is destroyed while recording */
void loom_cmdbufs_forget_event(loom_event *e);	/* dev->lock held */
void loom_cmdbufs_fini(loom_device *dev);	/* device close, after the streams */

/* ---- loom_pt.c: ranges and page tables (direct backend) --------------------- */
struct loom_range { uint64_t start, size; };
struct loom_ranges {
	struct loom_range *free;	/* sorted by start, coalesced */
	unsigned nfree, cap;
};
int loom_ranges_init(struct loom_ranges *r, uint64_t base, uint64_t size);
void loom_ranges_fini(struct loom_ranges *r);
int loom_ranges_alloc(struct loom_ranges *r, uint64_t size, uint64_t align, uint64_t *start);
void loom_ranges_free(struct loom_ranges *r, uint64_t start, uint64_t size);

#endif /* LOOM_INTERNAL_H */
