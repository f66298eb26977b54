#ifndef PATRON_CZLIB_SHIM_H
#define PATRON_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro in zlib.h; Swift cannot call macros. */
static inline int patron_inflate_init_gzip(z_stream *stream) {
    /* 16 + MAX_WBITS: expect a gzip header and trailer. */
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
