// For err_pp_unterminated_header.c.
#ifdef NOT_DEFINED
#define X 1
