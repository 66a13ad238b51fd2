// For err_pp_endif_header.c: this #endif belongs to no #if of this file.
#endif
