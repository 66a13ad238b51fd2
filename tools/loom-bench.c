/* SPDX-License-Identifier: MIT */
/* placeholder: not yet written */
#include <stdio.h>
int main(void) { fprintf(stderr, "not yet written\n"); return 1; }
