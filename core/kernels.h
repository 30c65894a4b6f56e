/* kernels.h: the hot loops of the forward and backward passes, private to core/.
 *
 * Two implementations with the same functions: kernels_scalar.c (portable C,
 * used by the native build and the scalar wasm build) and kernels_simd.c
 * (<wasm_simd128.h>, the SIMD and relaxed-SIMD wasm builds). pack.c is shared by both.
 *
 * Matrix products use one packed layout for the right-hand matrix B (K×N):
 * ceil(N/P) panels, each K×P floats, panel p holding columns P·p..P·p+P-1 row
 * by row and zeros past N. A tile of C then reads P contiguous floats of B
 * per step of k. P = attn__panel(N): 8 for a 4×8 tile, or in the relaxed
 * build 12 when N is a multiple of 12, for its 3×12 tile (kernels_simd.c says
 * why). k·ceil(n/8)·8 floats hold B packed either way.
 */
#ifndef ATTN_KERNELS_H
#define ATTN_KERNELS_H

#include <stddef.h>

#define ATTN__PANEL 8       /* columns of B per packed panel */
#define ATTN__WIDE_PANEL 12 /* the relaxed build's, where they divide N */

/* The panel width of a product with n columns. */
static inline int attn__panel(int n) {
#ifdef ATTN_RELAXED_SIMD
    return n % ATTN__WIDE_PANEL == 0 ? ATTN__WIDE_PANEL : ATTN__PANEL;
#else
    (void)n;
    return ATTN__PANEL;
#endif
}

/* Floats taken by B (K×N) once packed. */
size_t attn__packed_size(int k, int n);

/* Packs B = Wᵀ, with W N×K in rows of stride ldw (a linear layer's weight). */
void attn__pack_transposed(const float *w, int ldw, int n, int k, float *packed);

/* Packs B, K×N in rows of stride ldb. */
void attn__pack(const float *b, int ldb, int k, int n, float *packed);

/* xt (cols×rows, contiguous) = xᵀ, with x rows×cols in rows of stride ldx:
 * the left operand of a product Aᵀ·B (the backward pass's). */
void attn__transpose(const float *x, int ldx, int rows, int cols, float *xt);

/* C (M×N, row stride ldc) = A (M×K, row stride lda) · B (packed) + bias
 * (N floats, or NULL for none). */
void attn__gemm(int m, int n, int k, const float *a, int lda,
                const float *packed_b, const float *bias, float *c, int ldc);

/* Softmax of each row of x (rows×cols, contiguous) into y: exp(x - max) ·
 * (1 / sum), as PyTorch computes it. A row whose max is not finite (all
 * -inf, or holding NaN or +inf) is NaN throughout, as PyTorch gives. */
void attn__softmax_rows(int rows, int cols, const float *x, float *y);

#endif
