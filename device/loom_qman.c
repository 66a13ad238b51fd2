/* SPDX-License-Identifier: MIT */
/* placeholder: not yet written */
