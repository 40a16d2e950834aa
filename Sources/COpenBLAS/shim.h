#ifndef COPENBLAS_SHIM_H
#define COPENBLAS_SHIM_H
// pkg-config's "openblas" puts OpenBLAS's own include directory first, so this is OpenBLAS's cblas.h
// (Debian: /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h).
#include <cblas.h>

// Declared by OpenBLAS's cblas.h; repeated so the module still builds if another CBLAS header wins.
void openblas_set_num_threads(int num_threads);
#endif
