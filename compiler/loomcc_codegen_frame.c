/* SPDX-License-Identifier: MIT */
/*
 * loomcc_codegen_frame.c: the kernel's use of local memory.
 *
 * __local__ arrays of scalars are laid out in scalar local memory (SLM,
 * 4 bytes an element) and arrays of vectors in vector local memory (VLM,
 * 256 bytes an element), in declaration order from address 0; registers
 * that register allocation spills get slots after them (4 bytes in SLM
 * for a scalar, 256 in VLM for a vector). The object declares the total
 * of each (slm_size, vlm_size), which the device zeroes at the start of
 * a launch (docs/isa.md, section 1) - as the language requires of
 * __local__ arrays.
 */
#include <errno.h>
#include <stdlib.h>

#include "loomcc_codegen_int.h"

int cg_frame_locals(struct cg *cg)
{
	const struct lcc_ir_func *fn = cg->fn;
	uint64_t slm = 0, vlm = 0;

	cg->local_off = calloc((size_t)fn->nlocals + 1, sizeof(*cg->local_off));
	if (!cg->local_off)
		return cg->err = -ENOMEM;
	for (int i = 0; i < fn->nlocals; i++) {
		const struct lcc_irparam *l = &fn->locals[i];
		uint64_t n = l->len > 0 ? (uint64_t)l->len : 0;

		if (lcc_irtype_is_vector(l->elem)) {
			cg->local_off[i] = (uint32_t)vlm;
			vlm += n * LOOM_TPC_VBYTES;
		} else {
			cg->local_off[i] = (uint32_t)slm;
			slm += n * 4;
		}
		if (slm > LOOM_TPC_SLM_SIZE || vlm > LOOM_TPC_VLM_SIZE)
			return cg_fail(cg, "loomcc: __local__ arrays exceed the core's local memory\n");
	}
	cg->slm_size = (uint32_t)slm;
	cg->vlm_size = (uint32_t)vlm;
	return 0;
}

/* A spill slot for a register of class cls (CG_S or CG_V): its address. */
int cg_frame_spill_slot(struct cg *cg, enum cg_class cls, int *addr)
{
	if (cls == CG_S) {
		if (cg->slm_size + 4 > LOOM_TPC_SLM_SIZE)
			return cg_fail(cg, "loomcc: kernel too large for the register file "
				       "(spilled scalars exceed scalar local memory)\n");
		*addr = (int)cg->slm_size;
		cg->slm_size += 4;
		return 0;
	}
	if (cg->vlm_size + LOOM_TPC_VBYTES > LOOM_TPC_VLM_SIZE)
		return cg_fail(cg, "loomcc: kernel too large for the register file "
			       "(spilled vectors exceed vector local memory)\n");
	*addr = (int)cg->vlm_size;
	cg->vlm_size += LOOM_TPC_VBYTES;
	return 0;
}
