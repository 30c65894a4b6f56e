/* kernels_simd.c: the kernels in 128-bit wasm SIMD. Same functions and
 * results as kernels_scalar.c, up to float32 rounding. There is no usable FMA
 * in wasm, so every product is a mul then an add. */
#include "kernels.h"

#include <math.h>
#include <stdint.h>
#include <wasm_simd128.h>

/* Register-blocked tile: C[0..rows)[0..cols) of 4×8 from 4 rows of A and one
 * packed panel of B. 8 accumulators + 2 B vectors + 4 broadcast A values = 14
 * of the 15 vector registers V8 keeps on x86. Missing rows (rows < 4) read row
 * 0 again and are not stored. */
static void gemm_tile_4x8(int rows, int cols, int k, const float *a, int lda,
                          const float *panel, const float *bias, float *c, int ldc) {
    const float *a0 = a;
    const float *a1 = rows > 1 ? a + lda : a;
    const float *a2 = rows > 2 ? a + 2 * (size_t)lda : a;
    const float *a3 = rows > 3 ? a + 3 * (size_t)lda : a;

    v128_t bias_lo = wasm_f32x4_splat(0.0f), bias_hi = wasm_f32x4_splat(0.0f);
    if (bias) {
        float padded[ATTN__PANEL] = {0};
        for (int j = 0; j < cols; j++) padded[j] = bias[j];
        bias_lo = wasm_v128_load(padded);
        bias_hi = wasm_v128_load(padded + 4);
    }
    v128_t c00 = bias_lo, c01 = bias_hi, c10 = bias_lo, c11 = bias_hi;
    v128_t c20 = bias_lo, c21 = bias_hi, c30 = bias_lo, c31 = bias_hi;

    for (int kk = 0; kk < k; kk++) {
        v128_t b_lo = wasm_v128_load(panel);
        v128_t b_hi = wasm_v128_load(panel + 4);
        panel += ATTN__PANEL;
        v128_t x0 = wasm_f32x4_splat(a0[kk]);
        v128_t x1 = wasm_f32x4_splat(a1[kk]);
        v128_t x2 = wasm_f32x4_splat(a2[kk]);
        v128_t x3 = wasm_f32x4_splat(a3[kk]);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x0, b_lo));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x0, b_hi));
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x1, b_lo));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x1, b_hi));
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x2, b_lo));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x2, b_hi));
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x3, b_lo));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x3, b_hi));
    }

    v128_t tile[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
    for (int r = 0; r < rows; r++) {
        float *c_row = c + (size_t)r * ldc;
        if (cols == ATTN__PANEL) {
            wasm_v128_store(c_row, tile[r][0]);
            wasm_v128_store(c_row + 4, tile[r][1]);
        } else {
            float out[ATTN__PANEL];
            wasm_v128_store(out, tile[r][0]);
            wasm_v128_store(out + 4, tile[r][1]);
            for (int j = 0; j < cols; j++) c_row[j] = out[j];
        }
    }
}

void attn__gemm(int m, int n, int k, const float *a, int lda,
                const float *packed_b, const float *bias, float *c, int ldc) {
    for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
        const float *panel = packed_b + (size_t)j0 * k;
        int cols = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
        for (int i0 = 0; i0 < m; i0 += 4) {
            int rows = m - i0 < 4 ? m - i0 : 4;
            gemm_tile_4x8(rows, cols, k, a + (size_t)i0 * lda, lda, panel,
                          bias ? bias + j0 : NULL, c + (size_t)i0 * ldc + j0, ldc);
        }
    }
}

/* exp(x) for x <= 0, 4 lanes, after Cephes' expf: x = n·ln2 + r with |r| <=
 * ln2/2, a degree-7 polynomial for e^r, and 2^n built in the exponent bits.
 * Relative error about 2 ulp. Below ln(FLT_MIN) (and for -inf) it gives 0. */
static v128_t exp_nonpositive(v128_t x) {
    const v128_t underflow = wasm_f32x4_lt(x, wasm_f32x4_splat(-87.33654475f));
    x = wasm_f32x4_max(x, wasm_f32x4_splat(-87.33654475f));
    v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
    /* r = x - n·ln2, with ln2 split in two for precision */
    v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
    r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
    v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
    p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r);
    p = wasm_f32x4_add(p, wasm_f32x4_splat(1.0f));
    /* 2^n: n in [-126, 0] here, so (n + 127) << 23 is a normal float */
    v128_t pow2n = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
    v128_t result = wasm_f32x4_mul(p, pow2n);
    return wasm_v128_andnot(result, underflow);
}

static float horizontal_max(v128_t v) {
    v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
}

static float horizontal_sum(v128_t v) {
    v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
}

/* The last cols % 4 floats of a row as one vector, the other lanes filled. */
static v128_t load_tail(const float *x, int count, float fill) {
    float lanes[4] = {fill, fill, fill, fill};
    for (int j = 0; j < count; j++) lanes[j] = x[j];
    return wasm_v128_load(lanes);
}

static void store_tail(float *y, int count, v128_t v) {
    float lanes[4];
    wasm_v128_store(lanes, v);
    for (int j = 0; j < count; j++) y[j] = lanes[j];
}

void attn__softmax_rows(int rows, int cols, const float *x, float *y) {
    int body = cols & ~3, tail = cols - body; /* 4 columns at a time, then the tail */
    for (int r = 0; r < rows; r++) {
        const float *in = x + (size_t)r * cols;
        float *out = y + (size_t)r * cols;

        /* f32x4.max propagates NaN, so a NaN anywhere makes max NaN */
        v128_t max4 = load_tail(in + body, tail, -INFINITY);
        for (int j = 0; j < body; j += 4) max4 = wasm_f32x4_max(max4, wasm_v128_load(in + j));
        float max = horizontal_max(max4);
        if (!isfinite(max)) { /* all -inf, or a NaN or +inf: NaN, as in PyTorch */
            for (int j = 0; j < cols; j++) out[j] = NAN;
            continue;
        }

        v128_t max_v = wasm_f32x4_splat(max);
        v128_t sum4 = wasm_f32x4_splat(0.0f);
        for (int j = 0; j < body; j += 4) {
            v128_t e = exp_nonpositive(wasm_f32x4_sub(wasm_v128_load(in + j), max_v));
            wasm_v128_store(out + j, e);
            sum4 = wasm_f32x4_add(sum4, e);
        }
        if (tail) { /* the filler lanes are -inf - max, whose exp is 0 */
            v128_t e = exp_nonpositive(wasm_f32x4_sub(load_tail(in + body, tail, -INFINITY), max_v));
            store_tail(out + body, tail, e);
            sum4 = wasm_f32x4_add(sum4, e);
        }

        v128_t sum_v = wasm_f32x4_splat(horizontal_sum(sum4));
        for (int j = 0; j < body; j += 4) wasm_v128_store(out + j, wasm_f32x4_div(wasm_v128_load(out + j), sum_v));
        if (tail) store_tail(out + body, tail, wasm_f32x4_div(load_tail(out + body, tail, 0.0f), sum_v));
    }
}

int attn__same_bits(const float *a, const float *b, size_t n) {
    size_t i = 0;
    v128_t differ = wasm_i32x4_splat(0);
    for (; i + 4 <= n; i += 4) differ = wasm_v128_or(differ, wasm_v128_xor(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    if (wasm_v128_any_true(differ)) return 0;
    for (; i < n; i++) {
        uint32_t bits_a, bits_b;
        __builtin_memcpy(&bits_a, a + i, 4);
        __builtin_memcpy(&bits_b, b + i, 4);
        if (bits_a != bits_b) return 0;
    }
    return 1;
}
