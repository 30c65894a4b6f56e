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
 *       pack those rows × KC of A on the stack, a tile's rows interleaved
 *       (ap[kk·rows + r] within each group of rows);
 *       for each packed panel of B:
 *         for each group of rows: a tile of C, KC steps of multiply-adds.
 *
 * The tile is 4×8 (4 rows of A × a panel of 8 columns), or in the relaxed
 * build 3×12 where 12 divides N (the projections of a BERT layer: E = 768).
 * V8 loads all of a step's operands before its arithmetic, so a tile's
 * accumulators, B vectors and broadcast A values are live at once and must
 * fit the 15 registers, or they spill:
 *   - 4×8 with a mul then an add: 8 accumulators + 2 B + 4 A + one product =
 *     15 (V8's code for the inner loop, checked with --print-wasm-code: 2
 *     vmovdqu for B, 4 vbroadcastss for A, 8 vmulps, 8 vaddps, two pointer
 *     adds and the loop test);
 *   - 3×12 with an FMA (f32x4.relaxed_madd, one vfmadd231ps where the CPU has
 *     FMA3), which needs no product register: 9 + 3 + 3 = 15.
 * An FMA's 4-cycle latency on 2 pipes (x86 vendors' tables) needs at least
 * 8 chains in flight: the fused 4×8 tile's 8 have no slack, and at the
 * BERT-base layer's projections it measured 0.95× the SIMD tile on an AMD
 * EPYC, the 3×12 one 1.0× (taller 5×8 and 6×8 tiles spill, 17 and 20 live
 * vectors: 0.55-0.65×). A mul then
 * an add is bound only by the add's 3 cycles. Where 12 does not divide N (a
 * head of 64 columns, 128 keys), a 3×12 tile's padding and edges cost more
 * than it gains: those products keep 4×8.
 *
 * Packing A lets one step read its A values from one pointer at offsets 0,
 * 4, 8 (and 12): load32_splat, each a plain broadcast load on x86 (no shuffle
 * port, no address arithmetic per row: emcc passes -disable-lsr, so a pointer
 * per row would cost a lea each a step). The packing is paid once per block
 * for all panels. A panel's KC steps (4-6 KiB) stay in L1 across the tiles
 * that use them, the packed A block (12-16 KiB) in L1/L2, and a block of B
 * (KC × N floats, 384 KiB at N = 768) in L2 across the row blocks. Without
 * the blocking, a 512×512×64 product (the long size's scores) ran at half the
 * speed: each tile's load and store of C and its short k cost more than the
 * tile. Each element of C still sums over k in order, as the scalar kernel.
 *
 * The k loop is not unrolled in C: clang and binaryen then regroup the
 * unrolled loads by accumulator and V8 spills; V8 unrolls it itself and
 * keeps every value in a register. KC and MC were chosen by measurement
 * (128 × 32 at 90-97% of the peak probe on the shapes of a BERT layer;
 * 64 × 64, 160 × 24, 256 × 16 and 256 × 32 within a few % of it; for 3×12,
 * MC of 24, 36 and 48 within 1%).
 *
 * The functions below take the tile's shape (rows, width) as arguments that
 * are constants once inlined: their loops over rows and vectors unroll, and
 * every accumulator is a register. */
#define KC 128          /* steps of k per block */
#define MC(rows) (8 * (rows)) /* rows of A per block: MC × KC packed floats, 12-16 KiB */
#define MAX_ROWS 4
#define MAX_VECTORS (ATTN__WIDE_PANEL / 4)

/* ap[kk·rows + r] = a[r·lda + kk] for kk < kc, for a tile of `rows` rows;
 * its rows past `filled` are zeros. */
static inline __attribute__((always_inline)) void pack_a(int rows, int filled, int kc, const float *a, int lda, float *ap) {
    int kk = 0;
    if (rows == 4 && filled == 4) {
        const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * (size_t)lda, *a3 = a + 3 * (size_t)lda;
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
    } else if (rows == 3 && filled == 3) {
        const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * (size_t)lda;
        for (; kk + 4 <= kc; kk += 4) { /* rows a, b, c: a0 b0 c0 a1 | b1 c1 a2 b2 | c2 a3 b3 c3 */
            v128_t r0 = wasm_v128_load(a0 + kk), r1 = wasm_v128_load(a1 + kk), r2 = wasm_v128_load(a2 + kk);
            v128_t lo = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), hi = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
            v128_t b1c1 = wasm_i32x4_shuffle(lo, r2, 3, 5, 3, 5);
            wasm_v128_store(ap + 3 * kk, wasm_i32x4_shuffle(lo, r2, 0, 1, 4, 2));
            wasm_v128_store(ap + 3 * kk + 4, wasm_i32x4_shuffle(b1c1, hi, 0, 1, 4, 5));
            wasm_v128_store(ap + 3 * kk + 8, wasm_i32x4_shuffle(hi, r2, 6, 2, 3, 7));
        }
    }
    for (; kk < kc; kk++)
        for (int r = 0; r < rows; r++) ap[rows * kk + r] = r < filled ? a[(size_t)r * lda + kk] : 0.0f;
}

/* The tile's multiply-add: ATTN_MADD, or with fused = 0 a mul then an add
 * (the same in the SIMD build; see attn__gemm for the relaxed one). */
#define TILE_MADD(acc, x, y) (fused ? ATTN_MADD(acc, x, y) : wasm_f32x4_add((acc), wasm_f32x4_mul((x), (y))))

/* One tile of C, rows × width: c[r·V + v] (row r, columns 4v..4v+3, with V =
 * width/4) plus kc steps of A (packed, `rows` values a step) times B (a
 * panel, `width` values a step). */
static inline __attribute__((always_inline)) void tile(int rows, int width, int kc, const float *x, const float *panel,
                                                       v128_t c[MAX_ROWS * MAX_VECTORS], int fused) {
    const int V = width / 4;
    v128_t acc[MAX_ROWS * MAX_VECTORS];
    for (int i = 0; i < rows * V; i++) acc[i] = c[i];
    for (int kk = 0; kk < kc; kk++) {
        v128_t b[MAX_VECTORS], xs[MAX_ROWS];
        for (int v = 0; v < V; v++) b[v] = wasm_v128_load(panel + 4 * v);
        for (int r = 0; r < rows; r++) xs[r] = wasm_v128_load32_splat(x + r);
        panel += width, x += rows;
        for (int r = 0; r < rows; r++)
            for (int v = 0; v < V; v++) acc[V * r + v] = TILE_MADD(acc[V * r + v], xs[r], b[v]);
    }
    for (int i = 0; i < rows * V; i++) c[i] = acc[i];
}

/* attn__gemm's work in tiles of rows × width, with fused or unfused
 * multiply-adds. (V8's registers for the tile's loop follow from the code
 * around it: small changes here, such as choosing the start of acc[] by a
 * select, made it move the accumulators between registers at each step, 9%
 * slower. Check the loop with --print-wasm-code after a change.) */
static inline __attribute__((always_inline)) void gemm(int rows, int width, int m, int n, int k, const float *a, int lda,
                                                       const float *packed_b, const float *bias, float *c, int ldc,
                                                       int fused) {
    const int R = rows, V = width / 4;
    float ap[MC(MAX_ROWS) * KC] __attribute__((aligned(16)));
    const v128_t zero = wasm_f32x4_splat(0.0f);
    if (k <= 0) { /* no steps: C is the bias */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] = bias ? bias[j] : 0.0f;
        return;
    }
    for (int k0 = 0; k0 < k; k0 += KC) {
        int kc = k - k0 < KC ? k - k0 : KC;
        for (int i00 = 0; i00 < m; i00 += MC(R)) {
            int mc = m - i00 < MC(R) ? m - i00 : MC(R);
            for (int i0 = 0; i0 < mc; i0 += R)
                pack_a(R, mc - i0 < R ? mc - i0 : R, kc, a + (size_t)(i00 + i0) * lda + k0, lda, ap + (size_t)i0 * kc);
            for (int j0 = 0; j0 < n; j0 += width) {
                int cols = n - j0 < width ? n - j0 : width;
                const float *panel = packed_b + (size_t)j0 * k + (size_t)k0 * width;
                /* the tiles' start on the first block of k: the bias, or 0 */
                v128_t start[MAX_VECTORS];
                for (int v = 0; v < V; v++) start[v] = zero;
                if (k0 == 0 && bias && cols == width) {
                    for (int v = 0; v < V; v++) start[v] = wasm_v128_load(bias + j0 + 4 * v);
                } else if (k0 == 0 && bias) {
                    float padded[ATTN__WIDE_PANEL] __attribute__((aligned(16)));
                    for (int v = 0; v < V; v++) wasm_v128_store(padded + 4 * v, zero);
                    for (int j = 0; j < cols; j++) padded[j] = bias[j0 + j];
                    for (int v = 0; v < V; v++) start[v] = wasm_v128_load(padded + 4 * v);
                }
                for (int i0 = 0; i0 < mc; i0 += R) {
                    int filled = mc - i0 < R ? mc - i0 : R;
                    float *c_tile = c + (size_t)(i00 + i0) * ldc + j0;
                    v128_t acc[MAX_ROWS * MAX_VECTORS];
                    if (filled == R && cols == width) {
                        if (k0 == 0)
                            for (int r = 0; r < R; r++)
                                for (int v = 0; v < V; v++) acc[V * r + v] = start[v];
                        else
                            for (int r = 0; r < R; r++)
                                for (int v = 0; v < V; v++) acc[V * r + v] = wasm_v128_load(c_tile + (size_t)r * ldc + 4 * v);
                        tile(R, width, kc, ap + (size_t)i0 * kc, panel, acc, fused);
                        for (int r = 0; r < R; r++)
                            for (int v = 0; v < V; v++) wasm_v128_store(c_tile + (size_t)r * ldc + 4 * v, acc[V * r + v]);
                    } else { /* an edge tile, through a full one on the stack */
                        float edge[MAX_ROWS][ATTN__WIDE_PANEL] __attribute__((aligned(16)));
                        if (k0 == 0) {
                            for (int r = 0; r < R; r++)
                                for (int v = 0; v < V; v++) acc[V * r + v] = start[v];
                        } else {
                            for (int r = 0; r < R; r++)
                                for (int v = 0; v < V; v++) wasm_v128_store(edge[r] + 4 * v, zero);
                            for (int r = 0; r < filled; r++)
                                for (int j = 0; j < cols; j++) edge[r][j] = c_tile[(size_t)r * ldc + j];
                            for (int r = 0; r < R; r++)
                                for (int v = 0; v < V; v++) acc[V * r + v] = wasm_v128_load(edge[r] + 4 * v);
                        }
                        tile(R, width, kc, ap + (size_t)i0 * kc, panel, acc, fused);
                        for (int r = 0; r < R; r++)
                            for (int v = 0; v < V; v++) wasm_v128_store(edge[r] + 4 * v, acc[V * r + v]);
                        for (int r = 0; r < filled; r++)
                            for (int j = 0; j < cols; j++) c_tile[(size_t)r * ldc + j] = edge[r][j];
                    }
                }
            }
        }
    }
}

/* gemm() in the tiles of B's layout: 3×12 on panels of 12, else 4×8. */
static inline __attribute__((always_inline)) void gemm_in_panels(int m, int n, int k, const float *a, int lda,
                                                                 const float *packed_b, const float *bias, float *c,
                                                                 int ldc, int fused) {
    if (attn__panel(n) == ATTN__WIDE_PANEL)
        gemm(3, ATTN__WIDE_PANEL, m, n, k, a, lda, packed_b, bias, c, ldc, fused);
    else
        gemm(4, ATTN__PANEL, m, n, k, a, lda, packed_b, bias, c, ldc, fused);
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
    gemm_in_panels(m, n, k, a, lda, packed_b, bias, c, ldc, 1);
#ifdef ATTN_RELAXED_SIMD
    /* A fused multiply-add does not round the product: where one overflows
     * float32, a sum can come out +inf where a mul then an add (the SIMD
     * build, and PyTorch) meets -inf and gives NaN. Where the fused product
     * is not finite, it is made again unfused, so that its infinities and
     * NaNs are the SIMD build's. (Left different: a product past float32
     * that later terms bring back in range, finite here, inf or NaN there.) */
    if (!all_finite(m, n, c, ldc)) gemm_in_panels(m, n, k, a, lda, packed_b, bias, c, ldc, 0);
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
