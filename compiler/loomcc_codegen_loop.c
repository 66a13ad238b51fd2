/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_loop.c: loop transformations on machine blocks.
 */
#include "loomcc_codegen_int.h"

int cg_loops(struct cg *cg)
{
	return cg->err;
}
