// CZlib: the system zlib (Debian: zlib1g-dev) for Swift.
//
// Swift imports zlib's functions directly, but not its function-like macros
// (deflateInit2, inflateInit2 pass sizeof(z_stream) and the version string),
// so those are wrapped here as static inline functions prefixed CZlib_.
#ifndef CZLIB_H
#define CZLIB_H

#include <zlib.h>

static inline int CZlib_deflateInit2(z_streamp strm, int level, int method,
                                     int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

static inline int CZlib_deflateInit(z_streamp strm, int level) {
    return deflateInit(strm, level);
}

static inline int CZlib_inflateInit(z_streamp strm) {
    return inflateInit(strm);
}

#endif
