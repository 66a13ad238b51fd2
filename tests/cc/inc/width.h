// For cmdline.c, found through -I.
#define HEADER_WIDTH 64
