// Everything CZlib offers is static inline in include/CZlib.h; this file
// exists because SwiftPM wants at least one source file in a C target.
#include "CZlib.h"
