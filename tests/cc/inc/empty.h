// For err_pp_include_count.c: an empty header.
