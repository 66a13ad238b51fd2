// Shared definitions of the kernel library's TPC kernels (kernels/tpc/).
//
// Layout conventions (docs/kernels.md): a 2-D tensor [rows][cols] is
// row-major, dimension 0 the columns (fastest), dimension 1 the rows. A
// per-row result is a [rows][1] tensor (size 1 in dimension 0), so that a
// vector store at (0, r) writes lane 0 only: the other lanes fall outside
// the tensor and are dropped. Elementwise kernels see their data as one
// dimension of n elements, one 64-lane vector per index-space point.
#pragma once

#define VEC 64

// Rows and column vectors are summed in blocks of BLOCK terms per lane,
// then the block sums are added: the error grows with BLOCK + n / BLOCK
// instead of n.
#define BLOCK 64

// The reductions a kernel may be compiled for (-D OP=...).
#define OP_SUM 0
#define OP_MAX 1
#define OP_MEAN 2

// The smaller of two ints.
static inline int min_i(int a, int b)
{
	return a < b ? a : b;
}

// Lanes of the vector at column x that lie inside a row of width columns.
static inline bool64 lanes_in(int x, int width)
{
	return v_lane_id() < width - x;
}
