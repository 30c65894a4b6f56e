/* simd.h: the multiply-add of the SIMD kernels, private to core/. The relaxed
 * build (-mrelaxed-simd -DATTN_RELAXED_SIMD) fuses it (f32x4.relaxed_madd, an
 * FMA on x86 and ARM); the SIMD build multiplies, then adds. */
#ifndef ATTN_SIMD_H
#define ATTN_SIMD_H

#include <wasm_simd128.h>

#ifdef ATTN_RELAXED_SIMD
#define ATTN_MADD(acc, x, y) wasm_f32x4_relaxed_madd((x), (y), (acc))
#else
#define ATTN_MADD(acc, x, y) wasm_f32x4_add((acc), wasm_f32x4_mul((x), (y)))
#endif

#endif
