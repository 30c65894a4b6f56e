/* kernels_simd.c: the kernels in 128-bit wasm SIMD. Same functions and
 * results as kernels_scalar.c, up to float32 rounding. The GEMM's
 * multiply-add is ATTN_MADD (simd.h): a mul then an add in the SIMD build,
 * one f32x4.relaxed_madd (an FMA) in the relaxed-SIMD build. */
#include "kernels.h"

#include <math.h>

#include "simd.h"

/* The product C = A·B + bias, blocked for V8 on x86 (15 vector registers),
 * GotoBLAS-style:
 *
 *   for each block of KC steps of k:
 *     for each block of MC rows of A:
 *       pack those rows × KC of A on the stack, 4 rows interleaved
 *       (ap[kk·4 + r] within each group of 4 rows);
 *       for each packed panel of B (8 columns):
 *         for each group of 4 rows: a 4×8 tile of C, KC steps of mul+add.
 *
 * The tile holds 8 accumulators + 2 B vectors + one broadcast A value at a
 * time + one product: nothing spills (V8's code for the inner loop, checked
 * with --print-wasm-code: 2 vmovdqu for B, 4 vbroadcastss for A, 8 vmulps,
 * 8 vaddps, two pointer adds and the loop test). Packing A lets one step
 * read its 4 values of A from one pointer at offsets 0, 4, 8 and 12: 4
 * load32_splat, each a plain broadcast load on x86 (no shuffle port, no
 * address arithmetic per row: emcc passes -disable-lsr, so 4 row pointers
 * would cost 4 lea a step). The packing is paid once per block for all N/8
 * panels. A panel's KC steps (4 KiB) stay in L1 across the MC/4 tiles that
 * use them, the packed A block (16 KiB) in L1/L2, and a block of B (KC × N
 * floats, 384 KiB at N = 768) in L2 across the row blocks. Without the
 * blocking, a 512×512×64 product (the long size's scores) ran at half the
 * speed: each tile's load and store of C and its short k cost more than the
 * tile. Each element of C still sums over k in order, as the scalar kernel.
 *
 * The k loop is not unrolled in C: clang and binaryen then regroup the
 * unrolled loads by accumulator and V8 spills; V8 unrolls it by 2 itself and
 * keeps every value in a register. KC and MC were chosen by measurement
 * (128 × 32 at 90-97% of the peak probe on the shapes of a BERT layer;
 * 64 × 64, 160 × 24, 256 × 16 and 256 × 32 within a few % of it).
 *
 * The relaxed build (ATTN_MADD = f32x4.relaxed_madd, one vfmadd231ps where the
 * CPU has FMA3) runs the same tile. Its fused step needs no product register,
 * but 5×8 and 6×8 tiles (10 and 12 accumulators) measured 0.55-0.65× the 4×8
 * one on an AMD EPYC. */
#define KC 128 /* steps of k per block */
#define MC 32  /* rows of A per block: MC × KC packed floats, 16 KiB of stack */

/* ap[kk·4 + r] = a[r·lda + kk] for kk < kc; rows past `rows` are zeros. */
static void pack_a4(int rows, int kc, const float *a, int lda, float *ap) {
    if (rows == 4) {
        const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * (size_t)lda, *a3 = a + 3 * (size_t)lda;
        int kk = 0;
        for (; kk + 4 <= kc; kk += 4) { /* a 4×4 transpose */
            v128_t r0 = wasm_v128_load(a0 + kk), r1 = wasm_v128_load(a1 + kk);
            v128_t r2 = wasm_v128_load(a2 + kk), r3 = wasm_v128_load(a3 + kk);
            v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
            v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
            wasm_v128_store(ap + 4 * kk, wasm_i64x2_shuffle(t0, t1, 0, 2));
            wasm_v128_store(ap + 4 * kk + 4, wasm_i64x2_shuffle(t0, t1, 1, 3));
            wasm_v128_store(ap + 4 * kk + 8, wasm_i64x2_shuffle(t2, t3, 0, 2));
            wasm_v128_store(ap + 4 * kk + 12, wasm_i64x2_shuffle(t2, t3, 1, 3));
        }
        for (; kk < kc; kk++) {
            ap[4 * kk] = a0[kk], ap[4 * kk + 1] = a1[kk];
            ap[4 * kk + 2] = a2[kk], ap[4 * kk + 3] = a3[kk];
        }
        return;
    }
    for (int kk = 0; kk < kc; kk++)
        for (int r = 0; r < 4; r++) ap[4 * kk + r] = r < rows ? a[(size_t)r * lda + kk] : 0.0f;
}

/* The tile's multiply-add: ATTN_MADD, or with fused = 0 a mul then an add
 * (the same in the SIMD build; see attn__gemm for the relaxed one). */
#define TILE_MADD(acc, x, y) (fused ? ATTN_MADD(acc, x, y) : wasm_f32x4_add((acc), wasm_f32x4_mul((x), (y))))

/* One 4×8 tile of C: c[8] (rows 0..3 × the two halves of the panel) plus
 * kc steps of A (packed, 4 values a step) times B (a panel, 8 values a step). */
static inline __attribute__((always_inline)) void tile_4x8(int kc, const float *x, const float *panel, v128_t c[8], int fused) {
    v128_t c00 = c[0], c01 = c[1], c10 = c[2], c11 = c[3], c20 = c[4], c21 = c[5], c30 = c[6], c31 = c[7];
    for (int kk = 0; kk < kc; kk++) {
        v128_t b_lo = wasm_v128_load(panel), b_hi = wasm_v128_load(panel + 4);
        v128_t x0 = wasm_v128_load32_splat(x), x1 = wasm_v128_load32_splat(x + 1);
        v128_t x2 = wasm_v128_load32_splat(x + 2), x3 = wasm_v128_load32_splat(x + 3);
        panel += ATTN__PANEL, x += 4;
        c00 = TILE_MADD(c00, x0, b_lo);
        c01 = TILE_MADD(c01, x0, b_hi);
        c10 = TILE_MADD(c10, x1, b_lo);
        c11 = TILE_MADD(c11, x1, b_hi);
        c20 = TILE_MADD(c20, x2, b_lo);
        c21 = TILE_MADD(c21, x2, b_hi);
        c30 = TILE_MADD(c30, x3, b_lo);
        c31 = TILE_MADD(c31, x3, b_hi);
    }
    c[0] = c00, c[1] = c01, c[2] = c10, c[3] = c11, c[4] = c20, c[5] = c21, c[6] = c30, c[7] = c31;
}

/* attn__gemm's work, with fused or unfused multiply-adds. */
static inline __attribute__((always_inline)) void gemm(int m, int n, int k, const float *a, int lda,
                                                       const float *packed_b, const float *bias, float *c, int ldc,
                                                       int fused) {
    float ap[MC * KC] __attribute__((aligned(16)));
    const v128_t zero = wasm_f32x4_splat(0.0f);
    if (k <= 0) { /* no steps: C is the bias */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] = bias ? bias[j] : 0.0f;
        return;
    }
    for (int k0 = 0; k0 < k; k0 += KC) {
        int kc = k - k0 < KC ? k - k0 : KC;
        for (int i00 = 0; i00 < m; i00 += MC) {
            int mc = m - i00 < MC ? m - i00 : MC;
            for (int i0 = 0; i0 < mc; i0 += 4)
                pack_a4(mc - i0 < 4 ? mc - i0 : 4, kc, a + (size_t)(i00 + i0) * lda + k0, lda, ap + (size_t)i0 * kc);
            for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
                int cols = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
                const float *panel = packed_b + (size_t)j0 * k + (size_t)k0 * ATTN__PANEL;
                /* the tiles' start on the first block of k: the bias, or 0 */
                v128_t bias_lo = zero, bias_hi = zero;
                if (k0 == 0 && bias && cols == ATTN__PANEL) {
                    bias_lo = wasm_v128_load(bias + j0), bias_hi = wasm_v128_load(bias + j0 + 4);
                } else if (k0 == 0 && bias) {
                    float padded[ATTN__PANEL] __attribute__((aligned(16)));
                    wasm_v128_store(padded, zero), wasm_v128_store(padded + 4, zero);
                    for (int j = 0; j < cols; j++) padded[j] = bias[j0 + j];
                    bias_lo = wasm_v128_load(padded), bias_hi = wasm_v128_load(padded + 4);
                }
                for (int i0 = 0; i0 < mc; i0 += 4) {
                    int rows = mc - i0 < 4 ? mc - i0 : 4;
                    float *c_tile = c + (size_t)(i00 + i0) * ldc + j0;
                    v128_t acc[8];
                    if (rows == 4 && cols == ATTN__PANEL) {
                        if (k0 == 0)
                            for (int r = 0; r < 4; r++) acc[2 * r] = bias_lo, acc[2 * r + 1] = bias_hi;
                        else
                            for (int r = 0; r < 4; r++) {
                                acc[2 * r] = wasm_v128_load(c_tile + (size_t)r * ldc);
                                acc[2 * r + 1] = wasm_v128_load(c_tile + (size_t)r * ldc + 4);
                            }
                        tile_4x8(kc, ap + (size_t)i0 * kc, panel, acc, fused);
                        for (int r = 0; r < 4; r++) {
                            wasm_v128_store(c_tile + (size_t)r * ldc, acc[2 * r]);
                            wasm_v128_store(c_tile + (size_t)r * ldc + 4, acc[2 * r + 1]);
                        }
                    } else { /* an edge tile, through a full one on the stack */
                        float edge[4][ATTN__PANEL] __attribute__((aligned(16)));
                        if (k0 == 0) {
                            for (int r = 0; r < 4; r++) acc[2 * r] = bias_lo, acc[2 * r + 1] = bias_hi;
                        } else {
                            for (int r = 0; r < 4; r++) wasm_v128_store(edge[r], zero), wasm_v128_store(edge[r] + 4, zero);
                            for (int r = 0; r < rows; r++)
                                for (int j = 0; j < cols; j++) edge[r][j] = c_tile[(size_t)r * ldc + j];
                            for (int r = 0; r < 4; r++) acc[2 * r] = wasm_v128_load(edge[r]), acc[2 * r + 1] = wasm_v128_load(edge[r] + 4);
                        }
                        tile_4x8(kc, ap + (size_t)i0 * kc, panel, acc, fused);
                        for (int r = 0; r < 4; r++) {
                            wasm_v128_store(edge[r], acc[2 * r]);
                            wasm_v128_store(edge[r] + 4, acc[2 * r + 1]);
                        }
                        for (int r = 0; r < rows; r++)
                            for (int j = 0; j < cols; j++) c_tile[(size_t)r * ldc + j] = edge[r][j];
                    }
                }
            }
        }
    }
}

#ifdef ATTN_RELAXED_SIMD
/* 1 when every element of C (M×N, row stride ldc) is finite. */
static int all_finite(int m, int n, const float *c, int ldc) {
    v128_t nan = wasm_i32x4_splat(0);
    for (int i = 0; i < m; i++) {
        const float *row = c + (size_t)i * ldc;
        int j = 0;
        for (; j + 4 <= n; j += 4) { /* x - x is 0, or NaN when x is ±inf or NaN */
            v128_t x = wasm_v128_load(row + j), d = wasm_f32x4_sub(x, x);
            nan = wasm_v128_or(nan, wasm_f32x4_ne(d, d));
        }
        for (; j < n; j++)
            if (!isfinite(row[j])) return 0;
    }
    return !wasm_v128_any_true(nan);
}
#endif

void attn__gemm(int m, int n, int k, const float *a, int lda,
                const float *packed_b, const float *bias, float *c, int ldc) {
    gemm(m, n, k, a, lda, packed_b, bias, c, ldc, 1);
#ifdef ATTN_RELAXED_SIMD
    /* A fused multiply-add does not round the product: where one overflows
     * float32, a sum can come out +inf where a mul then an add (the SIMD
     * build, and PyTorch) meets -inf and gives NaN. Where the fused product
     * is not finite, it is made again unfused, so that its infinities and
     * NaNs are the SIMD build's. (Left different: a product past float32
     * that later terms bring back in range, finite here, inf or NaN there.) */
    if (!all_finite(m, n, c, ldc)) gemm(m, n, k, a, lda, packed_b, bias, c, ldc, 0);
#endif
}

/* exp(x) for x <= 0, 4 lanes, after Cephes' expf: x = n·ln2 + r with |r| <=
 * ln2/2, a degree-7 polynomial for e^r, and 2^n built in the exponent bits.
 * Relative error about 2 ulp. Below -87 (and for -inf) it gives 0, a change
 * of less than 1.7e-38: clamping at -87 rather than at ln(FLT_MIN) = -87.34
 * keeps every intermediate a normal float (n = -126 only with r > 0.33), as a
 * denormal product costs a microcode assist of ~100 cycles on x86, and -inf
 * (masked scores, the filler lanes of a row's tail) would hit it every time. */
#define EXP_FLOOR (-87.0f)
static v128_t exp_nonpositive(v128_t x) { /* x is not NaN */
    const v128_t floor = wasm_f32x4_splat(EXP_FLOOR);
    const v128_t underflow = wasm_f32x4_lt(x, floor);
    x = wasm_f32x4_pmax(x, floor); /* one maxps; f32x4.max's NaN rules cost 8 */
    v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
    /* r = x - n·ln2, with ln2 split in two for precision */
    v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
    r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
    v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
    p = ATTN_MADD(wasm_f32x4_splat(1.3981999507e-3f), p, r);
    p = ATTN_MADD(wasm_f32x4_splat(8.3334519073e-3f), p, r);
    p = ATTN_MADD(wasm_f32x4_splat(4.1665795894e-2f), p, r);
    p = ATTN_MADD(wasm_f32x4_splat(1.6666665459e-1f), p, r);
    p = ATTN_MADD(wasm_f32x4_splat(5.0000001201e-1f), p, r);
    p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r);
    p = wasm_f32x4_add(p, wasm_f32x4_splat(1.0f));
    /* 2^n: n is an integer in [-126, 0], so n + (2^23 + 127) is exact and
     * holds n + 127 in its low mantissa bits; << 23 moves them to the
     * exponent (and the rest out): a normal float. Two instructions, where
     * i32x4.trunc_sat_f32x4_s costs V8 six. */
    v128_t pow2n = wasm_i32x4_shl(wasm_f32x4_add(n, wasm_f32x4_splat(8388735.0f)), 23);
    v128_t result = wasm_f32x4_mul(p, pow2n);
    return wasm_v128_andnot(result, underflow);
}

/* pmax is one maxps; a NaN here is harmless: attn__softmax_rows checks for
 * NaN before it uses the maximum */
static float horizontal_max(v128_t v) {
    v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
}

static float horizontal_sum(v128_t v) {
    v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
}

/* The last count (< 4) floats of a row as one vector, the other lanes fill. */
static v128_t load_tail(const float *x, int count, float fill) {
    v128_t v = wasm_f32x4_splat(fill);
    if (count > 0) v = wasm_f32x4_replace_lane(v, 0, x[0]);
    if (count > 1) v = wasm_f32x4_replace_lane(v, 1, x[1]);
    if (count > 2) v = wasm_f32x4_replace_lane(v, 2, x[2]);
    return v;
}

static void store_tail(float *y, int count, v128_t v) {
    if (count > 0) y[0] = wasm_f32x4_extract_lane(v, 0);
    if (count > 1) y[1] = wasm_f32x4_extract_lane(v, 1);
    if (count > 2) y[2] = wasm_f32x4_extract_lane(v, 2);
}

void attn__softmax_rows(int rows, int cols, const float *x, float *y) {
    int body = cols & ~3, tail = cols - body; /* 4 columns at a time, then the tail */
    for (int r = 0; r < rows; r++) {
        const float *in = x + (size_t)r * cols;
        float *out = y + (size_t)r * cols;

        /* the max in two chains of pmax (one maxps each, which skips NaN),
         * and the NaNs on the side (x != x) */
        v128_t max_a = load_tail(in + body, tail, -INFINITY), max_b = max_a;
        v128_t nan = wasm_f32x4_ne(max_a, max_a);
        int j = 0;
        for (; j + 8 <= body; j += 8) {
            v128_t u = wasm_v128_load(in + j), v = wasm_v128_load(in + j + 4);
            max_a = wasm_f32x4_pmax(max_a, u), max_b = wasm_f32x4_pmax(max_b, v);
            nan = wasm_v128_or(nan, wasm_v128_or(wasm_f32x4_ne(u, u), wasm_f32x4_ne(v, v)));
        }
        if (j < body) {
            v128_t u = wasm_v128_load(in + j);
            max_a = wasm_f32x4_pmax(max_a, u);
            nan = wasm_v128_or(nan, wasm_f32x4_ne(u, u));
        }
        float max = horizontal_max(wasm_f32x4_pmax(max_a, max_b));
        if (wasm_v128_any_true(nan) || !isfinite(max)) { /* a NaN or +inf, or all -inf: NaN, as in PyTorch */
            for (int k = 0; k < cols; k++) out[k] = NAN;
            continue;
        }

        v128_t max_v = wasm_f32x4_splat(max);
        v128_t sum4 = wasm_f32x4_splat(0.0f);
        for (j = 0; j < body; j += 4) {
            v128_t e = exp_nonpositive(wasm_f32x4_sub(wasm_v128_load(in + j), max_v));
            wasm_v128_store(out + j, e);
            sum4 = wasm_f32x4_add(sum4, e);
        }
        if (tail) { /* the filler lanes are -inf - max, whose exp is 0 */
            v128_t e = exp_nonpositive(wasm_f32x4_sub(load_tail(in + body, tail, -INFINITY), max_v));
            store_tail(out + body, tail, e);
            sum4 = wasm_f32x4_add(sum4, e);
        }

        /* times 1/sum, as PyTorch's softmax does (and a mul is cheaper than a div) */
        v128_t scale = wasm_f32x4_splat(1.0f / horizontal_sum(sum4));
        for (j = 0; j < body; j += 4) wasm_v128_store(out + j, wasm_f32x4_mul(wasm_v128_load(out + j), scale));
        if (tail) store_tail(out + body, tail, wasm_f32x4_mul(load_tail(out + body, tail, 0.0f), scale));
    }
}
