/* SPDX-License-Identifier: MIT */
/*
 * libloom — the Loom runtime.
 *
 * One header is the whole public API. Conventions:
 *   - Functions returning int return 0 on success or a negative errno.
 *     Functions returning a pointer return NULL and set errno on failure.
 *     Functions that free accept NULL.
 *   - Device memory is addressed by device virtual addresses (uint64_t,
 *     "device pointers"), valid in the device context of the loom_device
 *     they came from. Host memory from loom_host_alloc() ("pinned") has
 *     both a CPU pointer and a device address.
 *   - Work is queued on streams and runs in order within a stream and
 *     concurrently across streams. Errors the device finds while running
 *     work (a page fault, a bad argument it checks, a timeout) make the
 *     stream fail: the call that waits for it returns the error, and every
 *     later call on that stream returns it too (the stream is dead; destroy
 *     it). Other streams and other processes keep working.
 *   - Options structs begin with their size (LOOM_OPTS_INIT); bytes beyond
 *     what this library knows must be zero, else -EINVAL.
 *   - The library never prints and never exits; see loom_set_log().
 *   - Unless a function says otherwise, it is thread-safe for distinct
 *     objects and for one loom_device shared by threads; a stream must not
 *     be used by two threads at once.
 *
 * Environment: LOOM_DEVICE selects the default device ("inproc",
 * "unix:/path/to/loomd.sock", "kernel" or "/dev/accel/accelN"); LOOM_BACKEND
 * names the driver backend for every device ("direct", the userspace
 * driver; "kernel", loom.ko's ioctls; "inproc", the direct backend with an
 * in-process default device); LOOM_DEBUG=mask
 * enables debug log categories (1 core, 2 memory, 4 submission, 8
 * interrupts and events); LOOM_SPIN_US bounds busy-waiting before
 * sleeping (default 50).
 */
#ifndef LOOM_LOOM_H
#define LOOM_LOOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(LOOM_BUILDING_LIB)
#define LOOM_API __attribute__((visibility("default")))
#else
#define LOOM_API
#endif

#define LOOM_VERSION_MAJOR 0
#define LOOM_VERSION_MINOR 1
#define LOOM_VERSION_PATCH 0

/** Library version as "major.minor.patch". */
LOOM_API const char *loom_version(void);

typedef struct loom_device loom_device;
typedef struct loom_stream loom_stream;
typedef struct loom_event_obj loom_event;

/* ---- Logging ------------------------------------------------------------- */
enum loom_log_level { LOOM_LOG_ERROR = 0, LOOM_LOG_WARN, LOOM_LOG_INFO, LOOM_LOG_DEBUG };
typedef void (*loom_log_fn)(enum loom_log_level level, const char *msg, void *arg);
/**
 * Install a log callback (NULL: discard). Messages of level <= max_level
 * are passed on; LOOM_LOG_DEBUG messages only for categories enabled by
 * LOOM_DEBUG. Process-wide; call before opening devices.
 */
LOOM_API void loom_set_log(loom_log_fn fn, void *arg, enum loom_log_level max_level);

/* ---- Devices --------------------------------------------------------------- */
#define LOOM_OPTS_INIT(type) { .sz = sizeof(type) }

struct loom_device_opts {
	size_t sz;		/* sizeof(struct loom_device_opts) */
	uint64_t dram_size;	/* in-process device: DRAM bytes (0: 4 GiB) */
	uint64_t host_pool_size;	/* pinned host memory reservation (0: 16 GiB, sparse) */
};

/**
 * Number of devices this process can open, and their URIs: the entries of
 * LOOM_DEVICE (comma-separated), else every device of the kernel driver
 * ("/dev/accel/accelN") and every loomd socket in the socket directory
 * (LOOM_SOCKET_DIR, else $XDG_RUNTIME_DIR/loom, else /run/loom), else one
 * in-process device ("inproc"). Returns the count (>= 1) or a
 * negative errno; copies up to max URIs into uris (each malloc'ed; free
 * them with free()).
 */
LOOM_API int loom_device_list(char **uris, int max);

/**
 * Open a device. uri: NULL for the default (the first of
 * loom_device_list()), "inproc" for a private device emulated inside this
 * process, "unix:PATH" (or a path) for loomd, "/dev/accel/accelN" or
 * "kernel" (the first such device) for the kernel driver loom.ko. opts may
 * be NULL (the kernel driver's devices ignore its sizes).
 * Errors (errno): ENOENT/ECONNREFUSED no such device; EBUSY every channel
 * of the device is taken; EINVAL bad opts; ENOMEM; ENODEV not a Loom device,
 * or LOOM_BACKEND names no backend or one that cannot open uri; EPROTO the
 * device speaks another link or uAPI version.
 */
LOOM_API loom_device *loom_device_open(const char *uri, const struct loom_device_opts *opts);
/**
 * Wait for all streams (bounded: 60 s each), then free everything this
 * handle made (memory, streams, events) and detach. Every handle made from
 * dev is invalid afterwards.
 */
LOOM_API void loom_device_close(loom_device *dev);

#define LOOM_DEVCAP_BF16	(1u << 0)
#define LOOM_DEVCAP_PAGE_2M	(1u << 1)
#define LOOM_DEVCAP_TPC		(1u << 2)	/* TPC vector cores (loom_kernel_*) */

struct loom_device_info {
	char uri[128];		/* how it was opened */
	char backend[16];	/* "direct" (userspace driver) or "kernel" */
	uint32_t vendor_id, device_id, revision;
	uint32_t fw_version;	/* major << 16 | minor */
	char fw_build[64];
	uint64_t dram_size;
	uint32_t num_queues, num_dma, num_mme, num_tpc, num_sobs;
	uint32_t caps;		/* LOOM_DEVCAP_* */
	uint32_t channel, asid;	/* this handle's channel and context */
	uint32_t power_default_mw, power_max_mw, power_idle_mw;
	int32_t temp_limit_mc;
	uint32_t clock_max_mhz[3];	/* core, dma, hbm */
};

/** Fill *info (static facts about the device). */
LOOM_API int loom_device_info(loom_device *dev, struct loom_device_info *info);

enum loom_temp_sensor { LOOM_TEMP_DIE = 0, LOOM_TEMP_MME, LOOM_TEMP_HBM, LOOM_TEMP_BOARD };
enum loom_engine { LOOM_ENG_DMA = 0, LOOM_ENG_MME, LOOM_ENG_TPC, LOOM_ENG_CP, LOOM_ENG_COUNT };

#define LOOM_THROTTLE_REASON_POWER	(1u << 0)
#define LOOM_THROTTLE_REASON_THERMAL	(1u << 1)

struct loom_telemetry {
	uint64_t timestamp_ns;		/* device clock */
	uint64_t energy_mj;		/* cumulative since device power-on */
	uint32_t power_mw, power_peak_mw, power_limit_mw;
	uint32_t throttle_reasons;	/* LOOM_THROTTLE_REASON_* active now */
	int32_t temp_mc[4];		/* enum loom_temp_sensor order, millidegrees C */
	int32_t temp_peak_mc;
	uint32_t clock_mhz[3];		/* core, dma, hbm */
	uint32_t util_pct[LOOM_ENG_COUNT];	/* last firmware tick */
	uint64_t busy_ns[LOOM_ENG_COUNT];	/* cumulative */
	uint64_t throttle_start_ns[2], throttle_end_ns[2], throttle_total_ns[2];
	uint64_t flops, dma_bytes;
	uint32_t heartbeat, reset_count;
	uint32_t ecc_correctable, ecc_uncorrectable;
	uint64_t dram_used, dram_total;	/* device-wide */
	uint32_t drivers;		/* drivers attached to the device */
};

/** Read the firmware's telemetry (a mailbox round trip). */
LOOM_API int loom_device_telemetry(loom_device *dev, struct loom_telemetry *t);

/* A process's context on the device (loom_device_processes()). */
struct loom_process {
	uint32_t pid;			/* 0 if not known */
	uint32_t asid;			/* its context (0 if not known: kernel backend) */
	char name[16];			/* the process's command name, "" if not readable */
	uint64_t dram_bytes;		/* device DRAM it holds */
	/*
	 * Host memory it holds for the device: the direct backend's DMA
	 * window (the part with memory behind it); the kernel backend's host
	 * and userptr objects.
	 */
	uint64_t host_bytes;
	uint32_t queues;		/* hardware queues it holds (0 if not known) */
	uint32_t reserved;
	/* Busy time of its context per engine class (CP: 0), cumulative: take differences. */
	uint64_t busy_ns[LOOM_ENG_COUNT];
};

/**
 * The contexts using the device now, as nvidia-smi lists processes: up to
 * max of them into out (out may be NULL if max is 0). Returns how many
 * there are (possibly more than max), or a negative errno. The direct
 * backend asks the device (every driver attached to loomd or to the
 * in-process device); the kernel backend reads the DRM usage statistics
 * of /proc/PID/fdinfo (the files of loom.ko for this device that the
 * caller may read: its own user's, every user's as root). One entry per
 * context: a process that opened the device twice appears twice.
 */
LOOM_API int loom_device_processes(loom_device *dev, struct loom_process *out, int max);

/** Set the power limit in mW (0: default). -EINVAL outside [min, max]. */
LOOM_API int loom_device_set_power_limit(loom_device *dev, uint32_t mw);

/* Asynchronous device events (the firmware's event queue). */
enum loom_event_type {
	LOOM_EV_PAGE_FAULT = 1, LOOM_EV_QUEUE_ERROR, LOOM_EV_HANG,
	LOOM_EV_ECC_CORRECTABLE, LOOM_EV_ECC_UNCORRECTABLE, LOOM_EV_THROTTLE,
	LOOM_EV_HEARTBEAT, LOOM_EV_RESET,
};

struct loom_device_event {
	uint32_t type;		/* enum loom_event_type */
	uint32_t queue;		/* hardware queue, or 0xffffffff */
	uint32_t info;		/* fault cause, error code or throttle reasons */
	uint32_t reserved;
	uint64_t addr;		/* faulting VA or PA */
	uint64_t timestamp_ns;
};

/**
 * Take up to max pending events for this handle (oldest first) without
 * blocking. Returns how many were copied. Events are kept in a ring of 256;
 * older ones are dropped when it overflows.
 */
LOOM_API int loom_device_events(loom_device *dev, struct loom_device_event *ev, int max);

/** Human-readable name of a device error (LOOM_ERR_* code) or event. */
LOOM_API const char *loom_event_name(uint32_t type);

/* ---- Memory ---------------------------------------------------------------- */
#define LOOM_MEM_READONLY	(1u << 0)	/* the device may only read it */

/**
 * Allocate size bytes of device DRAM (rounded up to 4 KiB; allocations of
 * 2 MiB or more use 2 MiB pages) and map it into this context.
 * Returns the device address in *va. Errors: -EINVAL size 0 or unknown
 * flags; -ENOMEM no DRAM left, or more than the device has.
 */
LOOM_API int loom_mem_alloc(loom_device *dev, uint64_t size, uint32_t flags, uint64_t *va);
/** Free an allocation by its base address (-EINVAL if va is not one). */
LOOM_API int loom_mem_free(loom_device *dev, uint64_t va);
/**
 * CPU pointer to device memory at va (direct backend: device DRAM is
 * mapped into the process like a BAR). Reads and writes bypass streams: the
 * caller orders them with loom_stream_sync(). NULL (errno EINVAL) if va is
 * not inside an allocation; len bytes must fit in it.
 */
LOOM_API void *loom_mem_host_ptr(loom_device *dev, uint64_t va, uint64_t len);

/**
 * Allocate pinned host memory the device can DMA (rounded up to 4 KiB),
 * mapped into this context. Returns the CPU pointer, and the device
 * address in *va (may be NULL). Copies to and from it are asynchronous.
 */
LOOM_API void *loom_host_alloc(loom_device *dev, uint64_t size, uint64_t *va);
/** Free pinned host memory (ptr as returned by loom_host_alloc). */
LOOM_API int loom_host_free(loom_device *dev, void *ptr);
/** Device address of a CPU pointer inside pinned memory, or 0. */
LOOM_API uint64_t loom_host_va(loom_device *dev, const void *ptr);

/**
 * Export [va, va + size) of a device allocation (page aligned) as a file
 * descriptor another process can pass over a Unix socket and import with
 * loom_mem_import() on the same device. The memory stays allocated while
 * the fd (or any dup of it) is open or any importer still holds it, even
 * after loom_mem_free(). Returns the fd, or a negative errno: -EINVAL
 * unaligned or outside one allocation; -EOPNOTSUPP pinned host memory.
 */
LOOM_API int loom_mem_export(loom_device *dev, uint64_t va, uint64_t size);
/**
 * Import an exported region: map it into this context and return its
 * device address in *va and size in *size (may be NULL). Free it with
 * loom_mem_free(). The caller keeps fd. Errors: -EBADF not an export;
 * -EXDEV exported by another device.
 */
LOOM_API int loom_mem_import(loom_device *dev, int fd, uint64_t *va, uint64_t *size);

/* ---- Streams and events -------------------------------------------------- */
/** Create a stream (one hardware queue). NULL with errno EBUSY: none left. */
LOOM_API loom_stream *loom_stream_create(loom_device *dev);
/** Wait for the stream's work (bounded: 60 s) and release its queue. */
LOOM_API void loom_stream_destroy(loom_stream *s);
/**
 * Wait until everything queued on s has finished. timeout_ns < 0 waits
 * forever. Returns 0, -ETIMEDOUT, or the stream's error (-EFAULT page
 * fault, -EACCES write to read-only memory, -EINVAL the device rejected
 * an argument, -ETIME a device wait timed out, -EIO other device error,
 * -ECONNRESET the device went away).
 */
LOOM_API int loom_stream_sync(loom_stream *s, int64_t timeout_ns);
/** 0 if idle, -EBUSY if work is pending, or the stream's error. */
LOOM_API int loom_stream_query(loom_stream *s);
/** The hardware queue index behind s (for tools and tests). */
LOOM_API int loom_stream_queue(loom_stream *s);

/** Create an event (not yet recorded: waiting on it returns at once). */
LOOM_API loom_event *loom_event_create(loom_device *dev);
LOOM_API void loom_event_destroy(loom_event *e);
/** Mark the point in s reached after the work queued so far, and record
 *  the device time at that point. */
LOOM_API int loom_event_record(loom_event *e, loom_stream *s);
/** Wait for the recorded point (timeout_ns < 0: forever). As loom_stream_sync. */
LOOM_API int loom_event_wait(loom_event *e, int64_t timeout_ns);
/** 0 reached, -EBUSY not yet, or the error of the stream it was recorded on. */
LOOM_API int loom_event_query(loom_event *e);
/** Make later work on s wait (on the device) for e. */
LOOM_API int loom_stream_wait_event(loom_stream *s, loom_event *e);
/** Device time between two reached events, in ns (-EBUSY if not reached). */
LOOM_API int loom_event_elapsed_ns(loom_event *start, loom_event *end, uint64_t *ns);

/* ---- Copies ------------------------------------------------------------------ */
/**
 * Queue a copy of size bytes between device addresses (DRAM or pinned
 * host memory). Errors found on the device fail the stream.
 */
LOOM_API int loom_memcpy(loom_stream *s, uint64_t dst, uint64_t src, uint64_t size);
/**
 * Host to device. From pinned memory the copy is queued; from other
 * memory the data is copied into pinned staging blocks (8 MiB at a time)
 * that the stream frees once the device has read them, and src may be
 * reused as soon as the call returns. -ENOMEM: no pinned memory for
 * staging, even after waiting for the stream.
 */
LOOM_API int loom_memcpy_h2d(loom_stream *s, uint64_t dst, const void *src, uint64_t size);
/**
 * Device to host. Into pinned memory the copy is queued; into other memory
 * it goes through two pinned 8 MiB blocks in turn (the device fills one
 * while the CPU empties the other), and the call returns when dst holds
 * the data.
 */
LOOM_API int loom_memcpy_d2h(loom_stream *s, void *dst, uint64_t src, uint64_t size);
/** Fill size bytes (multiple of 4) at dst with a 32-bit pattern. */
LOOM_API int loom_memset32(loom_stream *s, uint64_t dst, uint32_t value, uint64_t size);

/* ---- Matrix engine ------------------------------------------------------- */
enum loom_dtype { LOOM_F32 = 0, LOOM_BF16 = 1 };

/**
 * Batched GEMM on the MME, row-major, fp32 accumulation:
 *   D[i] = alpha * op(A[i]) x op(B[i]) + beta * C[i]    for i < batch
 * op(A) is m x k (A is k x m when trans_a), op(B) is k x n, C and D m x n.
 * Leading dimensions in elements (0: the packed default); strides in
 * elements between batch items (0 with batch > 1: packed). C may be 0 when
 * beta is 0, and may equal D.
 *
 * The MME's output stage (flags): LOOM_GEMM_BIAS_ROW makes C a single row
 * of n elements (per batch item; ldc unused, stride_c 0 means n) added
 * times beta to every row of the product, i.e. a bias:
 *   D[i][r][j] = alpha * (op(A[i]) x op(B[i]))[r][j] + beta * C[i][j];
 * LOOM_GEMM_RELU then replaces every element x of D by (x > 0 ? x : 0),
 * before rounding to out_dtype. LOOM_GEMM_RELU_MASK reads C (m x n, ldc)
 * as a mask instead of adding it: D[i][r][j] = C[i][r][j] > 0 ?
 * alpha * (op(A[i]) x op(B[i]))[r][j] : 0, the gradient through a ReLU
 * whose output is C; it needs c, beta 0 and no LOOM_GEMM_BIAS_ROW.
 * Unknown flags or a bad combination: -EINVAL.
 */
#define LOOM_GEMM_BIAS_ROW	(1u << 0)
#define LOOM_GEMM_RELU		(1u << 1)
#define LOOM_GEMM_RELU_MASK	(1u << 2)

struct loom_gemm {
	size_t sz;		/* sizeof(struct loom_gemm) */
	enum loom_dtype in_dtype;	/* A and B */
	enum loom_dtype out_dtype;	/* C and D */
	int trans_a, trans_b;
	uint32_t m, n, k, batch;	/* batch 0 means 1 */
	uint64_t a, b, c, d;	/* device addresses */
	uint32_t lda, ldb, ldc, ldd;
	uint64_t stride_a, stride_b, stride_c, stride_d;
	float alpha, beta;
	uint32_t flags;		/* LOOM_GEMM_* (absent from a shorter sz: 0) */
};

/**
 * Queue a GEMM. -EINVAL for sizes that cannot describe a matrix, among
 * them an operand whose batch (its stride in bytes times batch - 1, plus
 * the matrix) would run past the device's 48-bit VA space from its base.
 */
LOOM_API int loom_gemm(loom_stream *s, const struct loom_gemm *g);

/* ---- TPC kernels ------------------------------------------------------------ */
typedef struct loom_kernel loom_kernel;

/**
 * Load a TPC kernel object (as written by loom-as or loomcc: a
 * struct loom_tpc_obj_hdr image, see docs/isa.md) into device memory.
 * The object is checked and copied; obj may be freed afterwards. NULL with
 * errno: EINVAL not a valid kernel object (bad magic, version, bounds);
 * EOPNOTSUPP the device has no TPC cores; ENOMEM.
 */
LOOM_API loom_kernel *loom_kernel_load(loom_device *dev, const void *obj, size_t size);
/** Same, reading the object from a file (errno from open/read too). */
LOOM_API loom_kernel *loom_kernel_load_file(loom_device *dev, const char *path);
/** Free a kernel. Work already queued with it must have finished. */
LOOM_API void loom_kernel_free(loom_kernel *k);
/** The kernel's name as recorded in the object. */
LOOM_API const char *loom_kernel_name(const loom_kernel *k);

enum loom_tensor_dtype { LOOM_T_F32 = 0, LOOM_T_BF16 = 1, LOOM_T_I32 = 2, LOOM_T_U32 = 3 };
#define LOOM_TENSOR_STRICT	(1u << 0)	/* out-of-bounds access fails the launch */

/**
 * A tensor argument: up to 5 dimensions, dimension 0 the fastest. Strides
 * in elements (all 0: packed). Out-of-bounds loads read pad (the value's
 * bits in the tensor's type), out-of-bounds stores are dropped, unless
 * LOOM_TENSOR_STRICT.
 */
struct loom_tensor {
	uint64_t addr;		/* device address of element 0 */
	enum loom_tensor_dtype dtype;
	uint32_t ndims;		/* 1..5 */
	uint32_t size[5];
	uint64_t stride[5];
	uint32_t pad;
	uint32_t flags;		/* LOOM_TENSOR_* */
};

/**
 * A launch: tensors and 32-bit scalar arguments in the kernel's parameter
 * order (a float argument is passed as its bits: see loom_f32_bits()), and
 * the index space the device splits over its TPC cores along part_dim in
 * work items of grain points (0: the device chooses).
 */
struct loom_launch {
	size_t sz;		/* sizeof(struct loom_launch) */
	const struct loom_tensor *tensors;
	uint32_t num_tensors;
	const uint32_t *scalars;
	uint32_t num_scalars;
	uint32_t index[5];	/* index-space size per dimension (0 means 1) */
	uint32_t part_dim;
	uint32_t grain;
	uint32_t timeout_ms;	/* watchdog for this launch; 0: the device's */
};

/**
 * Queue a launch of k on s. Checked here: the counts and types of the
 * arguments against the kernel's, tensor shapes and alignment, the index
 * space (-EINVAL). Found on the device and failing the stream: an illegal
 * instruction or an out-of-bounds access (-EIO; the device event says
 * which), a page fault (-EFAULT), the watchdog (-ETIME).
 */
LOOM_API int loom_launch(loom_stream *s, loom_kernel *k, const struct loom_launch *l);

/** The bits of a float, for scalar arguments. */
LOOM_API uint32_t loom_f32_bits(float f);

/* ---- Command-buffer capture ---------------------------------------------- */
typedef struct loom_cmdbuf loom_cmdbuf;

/**
 * Start recording s: until loom_capture_end(), the work queued on s
 * (loom_memcpy, loom_memset32, loom_gemm, loom_launch, copies between
 * pinned memory and the device, loom_event_record, loom_stream_wait_event)
 * is checked as usual and appended to a recording instead of being
 * submitted; nothing runs. Calls that need the host during the work fail
 * with -EINVAL and record nothing: copies from or to memory that is not
 * pinned, loom_stream_sync(s), loom_cmdbuf_launch() on s. A call that fails
 * leaves the recording as it was. -E2BIG: the recording would outgrow one
 * command buffer of the backend (direct: about 1 MiB, kernel: 64 KiB).
 * Errors: -EINVAL s is NULL; -EBUSY s is already recording; the stream's
 * error; -ENOMEM.
 */
LOOM_API int loom_capture_begin(loom_stream *s);
/**
 * Stop recording s and return the recording in *out (it may be empty).
 * s queues work normally again. -EINVAL: s is not recording, out NULL.
 */
LOOM_API int loom_capture_end(loom_stream *s, loom_cmdbuf **out);
/**
 * Queue the whole recording on s as one submission (any stream of the
 * recording's device, not only the one it was recorded on; s itself must
 * not be recording). Each launch runs the same work on the same addresses.
 *   - A loom_stream_wait_event() in the recording is resolved at each
 *     launch against the event's most recent record at that moment, as
 *     if loom_stream_wait_event() were called then: to wait for a
 *     producer recording of another stream, launch the producer first.
 *     If that record's stream has failed, the launch returns its error.
 *   - An event recorded in the recording is recorded on s by each launch:
 *     it is reached when the launch has finished (a launch completes as a
 *     whole), and its timestamp is the device time at its point in the
 *     recording.
 * Device errors fail s as for work queued directly. Returns 0, -EINVAL
 * (cb NULL, destroyed, still recording, empty, or of another device), or
 * the stream's error. A recording must not be launched by two threads at
 * once.
 */
LOOM_API int loom_cmdbuf_launch(loom_stream *s, loom_cmdbuf *cb);
/** Bytes of device commands in the recording (0 for NULL). */
LOOM_API uint32_t loom_cmdbuf_size(const loom_cmdbuf *cb);
/**
 * Free a recording: waits (bounded: 60 s) for the launches still running,
 * then frees its memory. Kernels and memory it uses must outlive its
 * launches, not the recording.
 */
LOOM_API void loom_cmdbuf_destroy(loom_cmdbuf *cb);

/* ---- bf16 helpers ---------------------------------------------------------- */
/** fp32 -> bf16 with round-to-nearest-even (NaN stays NaN). */
LOOM_API uint16_t loom_f32_to_bf16(float f);
LOOM_API float loom_bf16_to_f32(uint16_t h);

/** Message for a negative errno returned by this library (strerror style). */
LOOM_API const char *loom_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_LOOM_H */
