/* stages.c: attn_forward()'s stages one by one, for `make bench`.
 *
 * The core itself (attn.c, whose stages are static functions) compiled with
 * one more export, bench_stages(a, mask): the stages whose bit is set in
 * mask, in attn_forward()'s order, on the inputs and stages the core holds
 * (after one attn_forward(), so that every stage's input is there). bench.mjs
 * loads build/attn-stages-simd.wasm and build/attn-stages-relaxed.wasm in
 * place of the SIMD and relaxed builds, times the projections and the rest
 * (scores, softmax, context, ...) in the same turns as forward(), and each
 * stage alone at the BERT-base layer. The same code as the builds: the C of
 * the rest is timed where it runs, not found by subtracting GEMMs timed
 * elsewhere. */
#include "attn.c"

int bench_stages(attn *a, unsigned mask);

__attribute__((used)) int bench_stages(attn *a, unsigned mask) {
    if (!a || !a->computed) return ATTN_ERR_STATE;
    void (*const stages[])(attn *) = {project_q, project_kv, scale_q, score, softmax, average_heads, attend, project_out};
    for (unsigned s = 0; s < sizeof stages / sizeof *stages; s++)
        if (mask & 1u << s) stages[s](a);
    return ATTN_OK;
}
