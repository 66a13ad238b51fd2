/* SPDX-License-Identifier: MIT */
/*
 * libloomkernels: Loom's library of TPC kernels for training (elementwise
 * operations and their gradients, reductions, softmax, layernorm, the
 * cross-entropy loss, transpose, casts). The kernels are written in the
 * kernel language (kernels/tpc/NAME.c), compiled by loomcc when Loom is
 * built and embedded into this library; each is loaded onto a device once
 * (with loom_kernel_load), the first time it is used.
 *
 * Conventions (docs/kernels.md has the details, limits and accuracy):
 *   - Data live in device memory and are named by device address. They are
 *     fp32 and packed unless said otherwise (labels int32; casts bf16).
 *   - A 2-D tensor [rows][cols] is row-major: element (r, c) at
 *     addr + (r * cols + c) * 4. "Over rows" means along a row, i.e. over
 *     the last axis (per-row results have rows elements); "over columns"
 *     means over the first axis (cols results).
 *   - Every call only queues work on the stream s (asynchronous); errors
 *     the device finds fail the stream as in libloom. Calls that queue
 *     several launches keep them in order on s.
 *   - Returns 0 or a negative errno: -EINVAL for a NULL stream or library,
 *     a zero or too large size (each size must be below 2^31), a zero or
 *     misaligned address, an unknown operation; -EOPNOTSUPP when the kernel
 *     could not be compiled by this build's loomcc (see
 *     loom_kernels_status()); loom_kernel_load's and loom_launch's errors.
 *   - Outputs may be the same buffer as inputs where a function says so
 *     ("in place"); otherwise buffers must not overlap.
 *   - A loom_kernels may be shared by threads (as the device is); a stream
 *     must not be used by two threads at once (libloom's rule).
 */
#ifndef LOOM_KERNELS_H
#define LOOM_KERNELS_H

#include <stdint.h>

#include <loom/loom.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct loom_kernels loom_kernels;

/** The library's kernels for dev. NULL with errno EINVAL (dev NULL), ENOMEM. */
loom_kernels *loom_kernels_open(loom_device *dev);
/**
 * Free the kernels loaded for dev. Work queued with them must have
 * finished (synchronise the streams first). Close before the device.
 */
void loom_kernels_close(loom_kernels *k);
/**
 * Whether the kernel named name (a file of kernels/tpc/ without ".c", e.g.
 * "softmax", "cast_f32_bf16") is in this build: 0 yes; -EOPNOTSUPP it uses
 * something loomcc could not compile yet (*why, if why is not NULL, gets
 * loomcc's message); -ENOENT no such kernel.
 */
int loom_kernels_status(const char *name, const char **why);

/* ---- Elementwise, over n floats (in place allowed) ---------------------- */
/** out = a + b. */
int loom_k_add(loom_stream *s, loom_kernels *k, uint64_t a, uint64_t b, uint64_t out,
	       uint32_t n);
/** out = a * b. */
int loom_k_mul(loom_stream *s, loom_kernels *k, uint64_t a, uint64_t b, uint64_t out,
	       uint32_t n);
/** y = alpha * x + y (fused multiply-add, one rounding). */
int loom_k_axpy(loom_stream *s, loom_kernels *k, float alpha, uint64_t x, uint64_t y,
		uint32_t n);
/** out = alpha * x. */
int loom_k_scale(loom_stream *s, loom_kernels *k, float alpha, uint64_t x, uint64_t out,
		 uint32_t n);
/** out = max(x, 0) (a NaN stays NaN). */
int loom_k_relu(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t out, uint32_t n);
/** dx = x > 0 ? dy : 0 (x: relu's input). */
int loom_k_relu_grad(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t dy, uint64_t dx,
		     uint32_t n);
/** out = gelu(x), tanh approximation: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
int loom_k_gelu(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t out, uint32_t n);
/** dx = dy * gelu'(x), the derivative of the same approximation. */
int loom_k_gelu_grad(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t dy, uint64_t dx,
		     uint32_t n);
/** out = 1 / (1 + e^-x). */
int loom_k_sigmoid(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t out, uint32_t n);
/** out = tanh(x). */
int loom_k_tanh(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t out, uint32_t n);

/* ---- Rows and columns of a [rows][cols] tensor -------------------------- */
/** out[r][c] = in[r][c] + bias[c]; bias has cols floats. In place allowed. */
int loom_k_bias_add(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t bias,
		    uint64_t out, uint32_t rows, uint32_t cols);
/** bias_add's gradient: dbias[c] = sum over r of dy[r][c] (cols floats). */
int loom_k_bias_grad(loom_stream *s, loom_kernels *k, uint64_t dy, uint64_t dbias,
		     uint32_t rows, uint32_t cols);

enum loom_k_reduce { LOOM_K_SUM = 0, LOOM_K_MAX = 1, LOOM_K_MEAN = 2 };

/** Over the last axis: out[r] = op over c of in[r][c] (rows floats). */
int loom_k_reduce_rows(loom_stream *s, loom_kernels *k, enum loom_k_reduce op, uint64_t in,
		       uint64_t out, uint32_t rows, uint32_t cols);
/** Over the first axis: out[c] = op over r of in[r][c] (cols floats). */
int loom_k_reduce_cols(loom_stream *s, loom_kernels *k, enum loom_k_reduce op, uint64_t in,
		       uint64_t out, uint32_t rows, uint32_t cols);

/** Softmax of each row (max-subtracted). In place allowed. */
int loom_k_softmax(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t out, uint32_t rows,
		   uint32_t cols);
/**
 * softmax's gradient from its output y and the output gradient dy:
 * dx = y * (dy - sum_c y dy) per row. dx may be y or dy.
 */
int loom_k_softmax_grad(loom_stream *s, loom_kernels *k, uint64_t y, uint64_t dy, uint64_t dx,
			uint32_t rows, uint32_t cols);
/** log(softmax) of each row: x - max - log(sum e^(x - max)). In place allowed. */
int loom_k_log_softmax(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t out,
		       uint32_t rows, uint32_t cols);

/**
 * Layer normalisation of each row: out = (x - mean) / sqrt(var + eps) *
 * gamma + beta, var the biased variance, gamma and beta cols floats. When
 * mean and rstd are non-zero (both or neither), each gets rows floats:
 * the row's mean and 1 / sqrt(var + eps), for loom_k_layernorm_grad.
 * eps must be finite and >= 0. out may be in.
 */
int loom_k_layernorm(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t gamma,
		     uint64_t beta, uint64_t out, uint64_t mean, uint64_t rstd, uint32_t rows,
		     uint32_t cols, float eps);
/**
 * Layer normalisation's gradients from its input x, the output gradient
 * dy, gamma and the saved mean and rstd: dx ([rows][cols]; may be dy),
 * and, when dgamma and dbeta are non-zero (both or neither), dgamma[c] =
 * sum_r dy * xhat and dbeta[c] = sum_r dy (cols floats).
 */
int loom_k_layernorm_grad(loom_stream *s, loom_kernels *k, uint64_t x, uint64_t dy,
			  uint64_t gamma, uint64_t mean, uint64_t rstd, uint64_t dx,
			  uint64_t dgamma, uint64_t dbeta, uint32_t rows, uint32_t cols);

/**
 * Softmax cross-entropy of logits [rows][cols] against int32 labels
 * (rows of them): loss[r] = logsumexp(x[r]) - x[r][label[r]] (rows floats),
 * and when loss_mean is non-zero, loss_mean[0] = sum_r loss[r] / rows. A
 * label outside [0, cols) marks an ignored row (loss 0; still counted in
 * rows).
 */
int loom_k_xent(loom_stream *s, loom_kernels *k, uint64_t logits, uint64_t labels,
		uint64_t loss, uint64_t loss_mean, uint32_t rows, uint32_t cols);
/**
 * The gradient of the mean loss above: dx[r][c] = (softmax(x[r])[c] -
 * (c == label[r])) / rows; 0 for the rows of ignored labels. dx may be
 * logits.
 */
int loom_k_xent_grad(loom_stream *s, loom_kernels *k, uint64_t logits, uint64_t labels,
		     uint64_t dx, uint32_t rows, uint32_t cols);
/**
 * loom_k_xent() and loom_k_xent_grad() in one pass over the logits (each
 * exponential computed once): the loss at the root of a backward pass.
 * dx may be logits; loss_mean may be 0. Two launches with a mean, one
 * without.
 */
int loom_k_xent_fused(loom_stream *s, loom_kernels *k, uint64_t logits, uint64_t labels,
		      uint64_t loss, uint64_t loss_mean, uint64_t dx, uint32_t rows,
		      uint32_t cols);

/** out[c][r] = in[r][c]: in is [rows][cols], out [cols][rows]; not in place. */
int loom_k_transpose(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t out,
		     uint32_t rows, uint32_t cols);

/* ---- Casts over n elements (need bf16 code generation in loomcc) -------- */
/** out (bf16) = in (fp32) rounded to nearest even; NaN stays NaN. */
int loom_k_cast_f32_bf16(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t out,
			 uint32_t n);
/** out (fp32) = in (bf16), exactly. */
int loom_k_cast_bf16_f32(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t out,
			 uint32_t n);

/* ---- For the graph layer (graph/): fused forms, gradients, optimisers ---- */
/** out[r][c] = max(in[r][c] + bias[c], 0) (bias_add then relu). In place allowed. */
int loom_k_bias_relu(loom_stream *s, loom_kernels *k, uint64_t in, uint64_t bias,
		     uint64_t out, uint32_t rows, uint32_t cols);
/** dx = dy y (1 - y), y sigmoid's output, over n floats (in place allowed). */
int loom_k_sigmoid_grad(loom_stream *s, loom_kernels *k, uint64_t y, uint64_t dy, uint64_t dx,
			uint32_t n);
/** dx = dy (1 - y^2), y tanh's output, over n floats (in place allowed). */
int loom_k_tanh_grad(loom_stream *s, loom_kernels *k, uint64_t y, uint64_t dy, uint64_t dx,
		     uint32_t n);
/** log_softmax's gradient from its output y: dx = dy - e^y sum_c dy per row. dx may be dy. */
int loom_k_log_softmax_grad(loom_stream *s, loom_kernels *k, uint64_t y, uint64_t dy,
			    uint64_t dx, uint32_t rows, uint32_t cols);
/**
 * Broadcast and scale into out [rows][cols]: axis 1: out[r][c] = alpha
 * in[r] (in has rows floats); axis 0: out[r][c] = alpha in[c] (cols
 * floats). The gradient of a row or column reduction. Not in place.
 */
int loom_k_bcast_scale(loom_stream *s, loom_kernels *k, float alpha, uint64_t in, int axis,
		       uint64_t out, uint32_t rows, uint32_t cols);
/**
 * One Adam step (PyTorch's update, L2 weight decay wd) over n floats, in
 * place on w, m and v: g = grad + wd w, m = beta1 m + (1 - beta1) g, v =
 * beta2 v + (1 - beta2) g^2, w -= hyper[0] m / (sqrt(v) hyper[1] + eps),
 * with hyper (2 floats, on the device) as loom_k_adam_tick writes it.
 */
int loom_k_adam(loom_stream *s, loom_kernels *k, uint64_t w, uint64_t grad, uint64_t m,
		uint64_t v, uint64_t hyper, float beta1, float beta2, float eps, float wd,
		uint32_t n);
/**
 * Adam's per-step counter on the device: state is 5 floats [beta1^t,
 * beta2^t, lr, h0, h1] (start with [1, 1, lr, 0, 0]); each call multiplies
 * the powers by beta1 and beta2 and sets h0 = lr / (1 - beta1^t), h1 =
 * 1 / sqrt(1 - beta2^t): loom_k_adam's hyper is state + 12 bytes.
 */
int loom_k_adam_tick(loom_stream *s, loom_kernels *k, uint64_t state, float beta1,
		     float beta2);
/**
 * One SGD step with momentum over n floats (PyTorch's, no dampening), in
 * place on w and buf: g = grad + wd w, buf = momentum buf + g, w -= lr
 * buf, lr = hyper[0] (one float on the device).
 */
int loom_k_sgd_momentum(loom_stream *s, loom_kernels *k, uint64_t w, uint64_t grad,
			uint64_t buf, uint64_t hyper, float momentum, float wd, uint32_t n);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_KERNELS_H */
