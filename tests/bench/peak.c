/* peak.c: this machine's wasm simd128 f32x4 multiply-add peaks, for `make bench`.
 *
 * bench_peak(n) runs n rounds of 13 independent chains, each
 * acc = acc·m + a with ATTN_MADD (simd.h), the step a GEMM's inner loop is
 * made of: an f32x4.mul then an f32x4.add in build/attn-bench.wasm (emcc,
 * the mul+add peak), one f32x4.relaxed_madd (an FMA) in
 * build/attn-bench-relaxed.wasm (clang-19 -DATTN_RELAXED_SIMD). A chain's mul
 * and add take ~6 cycles on an x86; 13 chains (26 ops a round) hide that
 * behind the throughput of the multiply and add ports (8, 10 and 12 chains
 * measured lower on an Intel Xeon, 13 the most: 13 accumulators plus m and a
 * fill exactly the 15 vector registers V8 allocates on x86, so nothing
 * touches memory; 14 spill). Flops: n · 13 chains · 4 lanes · 2.
 *
 * The bench wasms also export the SIMD kernels themselves (relaxed or not),
 * so that bench.mjs can time the projection GEMMs on their own. */
#include "simd.h"

#define CHAINS 13

__attribute__((used)) int bench_peak_chains(void) { return CHAINS; }

__attribute__((used)) float bench_peak(int n, float m_scalar, float a_scalar) {
    v128_t m = wasm_f32x4_splat(m_scalar), a = wasm_f32x4_splat(a_scalar);
    v128_t c0 = wasm_f32x4_make(0.0f, 0.1f, 0.2f, 0.3f);
    v128_t c1 = wasm_f32x4_add(c0, a), c2 = wasm_f32x4_add(c1, a), c3 = wasm_f32x4_add(c2, a);
    v128_t c4 = wasm_f32x4_add(c3, a), c5 = wasm_f32x4_add(c4, a), c6 = wasm_f32x4_add(c5, a);
    v128_t c7 = wasm_f32x4_add(c6, a), c8 = wasm_f32x4_add(c7, a), c9 = wasm_f32x4_add(c8, a);
    v128_t c10 = wasm_f32x4_add(c9, a), c11 = wasm_f32x4_add(c10, a), c12 = wasm_f32x4_add(c11, a);
    for (int i = 0; i < n; i++) {
#define STEP(c) c = ATTN_MADD(a, c, m)
        STEP(c0); STEP(c1); STEP(c2); STEP(c3); STEP(c4); STEP(c5);
        STEP(c6); STEP(c7); STEP(c8); STEP(c9); STEP(c10); STEP(c11); STEP(c12);
#undef STEP
    }
    v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c0, c1), wasm_f32x4_add(c2, c3)),
                              wasm_f32x4_add(wasm_f32x4_add(c4, c5), wasm_f32x4_add(c6, c7)));
    s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(c8, c9), wasm_f32x4_add(c10, wasm_f32x4_add(c11, c12))));
    return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) +
           wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}
