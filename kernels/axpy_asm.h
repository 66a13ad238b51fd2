/* SPDX-License-Identifier: MIT */
/*
 * axpy in TPC assembly (the example of docs/isa.md, section 8):
 * y = alpha * x + y over a 1-D index space, one 64-float vector per index
 * point. Shared by the runtime's kernel tests and loom-bench.
 */
#ifndef LOOM_KERNELS_AXPY_ASM_H
#define LOOM_KERNELS_AXPY_ASM_H

static const char loom_axpy_asm[] =
	".kernel axpy\n"
	".tensor x, f32\n"
	".tensor y, f32\n"
	".scalar alpha, f32\n"
	"        movsr   s0, alpha\n"
	"        idxoff  i0\n"
	"        movsr   s1, size0\n"
	"        movsr   s2, off0\n"
	"        shl.i32 s2, s2, 6\n"
	"        iset    i0.0, s2\n"
	"loop:   ldt.f32 v0, x, i0\n"
	"        ldt.f32 v1, y, i0\n"
	"        vfma.f32 v1, v0, s0, v1\n"
	"        stt.f32 y, i0, v1\n"
	"        iadd    i0.0, 64\n"
	"        loop    s1, loop\n"
	"        halt\n";

#endif /* LOOM_KERNELS_AXPY_ASM_H */
