/* backward.c: the backward pass (attn.h's gradients), one function a stage,
 * called in the reverse order of the forward pass in attn.c. Each takes the
 * gradient of its stage and gives the gradients of what the stage was made of:
 *
 *   project_out_backward    output        -> context, out_proj.weight, out_proj.bias
 *   attend_backward         context       -> weights, v
 *   average_heads_backward  attn_weights  -> weights (and the loss's own use of weights)
 *   softmax_backward        weights       -> scores
 *   score_backward          scores        -> q_scaled, k
 *   scale_q_backward        q_scaled      -> q
 *   project_kv_backward     k, v          -> key, value, W_k, W_v, b_k, b_v, bias_k, bias_v
 *   project_q_backward      q             -> query, W_q, b_q
 *
 * d_x is dL/dx. Shapes as in attn.h: S' = S + add_bias_kv + add_zero_attn,
 * hd = head_dim = E / H, head h takes columns h·hd .. h·hd + hd - 1.
 * Every product is attn__gemm (C = A·B, B packed); for a product Aᵀ·B, A is
 * transposed into scratch first. The masks are constants: they have no
 * gradient, and a masked score's weight is 0, so its gradient is 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "backward.h"
#include "kernels.h"

struct attn_grads {
    int laid_out;                   /* the buffers fit the object's configuration */
    int computed;                   /* and hold a backward pass */
    float *arena;                   /* every buffer, 16-byte aligned */
    size_t arena_floats;            /* capacity */
    float *stage[ATTN_STAGE_COUNT]; /* dL/d stage; output's and attn_weights' are given */
    float *input[ATTN_INPUT_COUNT]; /* dL/d input; NULL for the masks and unused inputs */
    float *weights_given;           /* the loss's own dL/d weights, H×L×S' */
    float *packed;                  /* scratch: the right operand B of a product, packed */
    float *transposed;              /* scratch: the left operand of a product Aᵀ·B, as Aᵀ */
};

/* The buffers of the block, in order. */
enum {
    BUF_STAGE = 0,                                 /* ATTN_STAGE_COUNT stage gradients */
    BUF_INPUT = ATTN_STAGE_COUNT,                  /* ATTN_INPUT_COUNT input gradients */
    BUF_WEIGHTS_GIVEN = BUF_INPUT + ATTN_INPUT_COUNT,
    BUF_PACKED,
    BUF_TRANSPOSED,
    BUF_COUNT
};

enum { PROJ_Q, PROJ_K, PROJ_V }; /* the in-projections, in in_proj_weight's order */

static int src_len_extended(const attn_config *c) { /* S' */
    return c->src_len + c->add_bias_kv + c->add_zero_attn;
}

static int is_mask(int input) { return input == ATTN_ATTN_MASK || input == ATTN_KEY_PADDING_MASK; }

/* ---- the block of buffers ------------------------------------------------ */

static unsigned long long floats_of(int rank, const int dims[3]) {
    unsigned long long n = rank ? 1 : 0;
    for (int d = 0; d < rank; d++) n *= (unsigned long long)dims[d];
    return n;
}

/* Floats of B (k×n) once packed for attn__gemm, in 64 bits. */
static unsigned long long packed_floats(unsigned long long k, unsigned long long n) {
    return k * ((n + ATTN__PANEL - 1) / ATTN__PANEL * ATTN__PANEL);
}

static unsigned long long largest(const unsigned long long *n, size_t count) {
    unsigned long long max = 0;
    for (size_t i = 0; i < count; i++) max = n[i] > max ? n[i] : max;
    return max;
}

static void buffer_sizes(const attn *a, unsigned long long sizes[BUF_COUNT]) {
    const attn_config *c = attn__config(a);
    int dims[3];
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) sizes[BUF_STAGE + s] = floats_of(attn_stage_grad_shape(a, s, dims), dims);
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) sizes[BUF_INPUT + i] = floats_of(attn_grad_shape(a, i, dims), dims);
    sizes[BUF_WEIGHTS_GIVEN] = sizes[BUF_STAGE + ATTN_WEIGHTS];
    unsigned long long E = (unsigned)c->embed_dim, L = (unsigned)c->tgt_len, S = (unsigned)c->src_len,
                       S2 = (unsigned)src_len_extended(c), hd = (unsigned)(c->embed_dim / c->num_heads),
                       kdim = (unsigned)c->kdim, vdim = (unsigned)c->vdim;
    /* B: each linear layer's W (E×in) and x (rows×in); one head's v_hᵀ,
     * d_context_h, k_h and q_scaled_h */
    const unsigned long long packed[] = {packed_floats(E, E), packed_floats(E, kdim), packed_floats(E, vdim),
                                         packed_floats(L, E), packed_floats(S, kdim), packed_floats(S, vdim),
                                         packed_floats(hd, S2), packed_floats(L, hd), packed_floats(S2, hd)};
    /* Aᵀ: each linear layer's d_yᵀ (E×rows); one head's weightsᵀ and d_scoresᵀ (S'×L) */
    const unsigned long long transposed[] = {E * L, E * S, S2 * L};
    sizes[BUF_PACKED] = largest(packed, sizeof packed / sizeof *packed);
    sizes[BUF_TRANSPOSED] = largest(transposed, sizeof transposed / sizeof *transposed);
}

static unsigned long long aligned4(unsigned long long n) { return (n + 3) & ~3ULL; }

/* The block laid out for the current configuration, zeroed when it is laid
 * out anew: ATTN_OK with *out set, or why it cannot be had. */
static int grads_ready(attn *a, attn_grads **out) {
    attn_grads *g = attn__grads(a);
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g) return attn__fail(a, ATTN_ERR_NOMEM, "out of memory for the gradients");
        attn__set_grads(a, g);
    }
    if (!g->laid_out) {
        unsigned long long sizes[BUF_COUNT], total = 0;
        buffer_sizes(a, sizes);
        for (int b = 0; b < BUF_COUNT; b++) {
            if (sizes[b] > (unsigned long long)ATTN_MAX_ELEMENTS)
                return attn__fail(a, ATTN_ERR_LIMIT, "the gradient of %s would hold %llu floats, past the limit of %ld",
                                  b < BUF_INPUT ? attn_stage_name(b - BUF_STAGE)
                                  : b < BUF_WEIGHTS_GIVEN ? attn_input_name(b - BUF_INPUT) : "a work buffer",
                                  sizes[b], (long)ATTN_MAX_ELEMENTS);
            total += aligned4(sizes[b]);
        }
        unsigned long long forward = attn__buffer_floats(a);
        if ((forward + total) * sizeof(float) > (unsigned long long)ATTN_MAX_BYTES)
            return attn__fail(a, ATTN_ERR_LIMIT, "the gradients need %llu MiB beside the forward pass's %llu MiB, past the limit of %ld MiB",
                              total * sizeof(float) >> 20, forward * sizeof(float) >> 20, (long)(ATTN_MAX_BYTES >> 20));
        if (total > g->arena_floats) { /* grow only, as the forward buffers */
            float *arena = aligned_alloc(16, (size_t)total * sizeof(float));
            if (!arena) return attn__fail(a, ATTN_ERR_NOMEM, "out of memory for %llu floats of gradients", total);
            free(g->arena);
            g->arena = arena;
            g->arena_floats = (size_t)total;
        }
        memset(g->arena, 0, (size_t)total * sizeof(float));
        float *next = g->arena, *buffer[BUF_COUNT];
        for (int b = 0; b < BUF_COUNT; b++) {
            buffer[b] = sizes[b] ? next : NULL;
            next += aligned4(sizes[b]);
        }
        memcpy(g->stage, buffer + BUF_STAGE, sizeof g->stage);
        memcpy(g->input, buffer + BUF_INPUT, sizeof g->input);
        g->weights_given = buffer[BUF_WEIGHTS_GIVEN];
        g->packed = buffer[BUF_PACKED];
        g->transposed = buffer[BUF_TRANSPOSED];
        g->laid_out = 1;
        g->computed = 0;
    }
    *out = g;
    return ATTN_OK;
}

void attn__grads_forget(attn_grads *g) {
    if (g) g->laid_out = 0, g->computed = 0;
}

void attn__grads_free(attn_grads *g) {
    if (!g) return;
    free(g->arena);
    free(g);
}

/* ---- the backward pass, stage by stage ---------------------------------- */

/* W_q, W_k or W_v (E×in): a block of in_proj_weight, or q/k/v_proj_weight;
 * and where its gradient goes. */
static const float *in_proj_weight(const attn *a, int p) {
    const float *packed = attn__input_read(a, ATTN_IN_PROJ_WEIGHT);
    int E = attn__config(a)->embed_dim;
    return packed ? packed + (size_t)p * E * E : attn__input_read(a, ATTN_Q_PROJ_WEIGHT + p);
}

static float *in_proj_weight_grad(attn *a, attn_grads *g, int p) {
    int E = attn__config(a)->embed_dim;
    return g->input[ATTN_IN_PROJ_WEIGHT] ? g->input[ATTN_IN_PROJ_WEIGHT] + (size_t)p * E * E : g->input[ATTN_Q_PROJ_WEIGHT + p];
}

/* d b_q, d b_k or d b_v: a block of in_proj_bias's gradient; NULL without bias */
static float *in_proj_bias_grad(attn *a, attn_grads *g, int p) {
    int E = attn__config(a)->embed_dim;
    return g->input[ATTN_IN_PROJ_BIAS] ? g->input[ATTN_IN_PROJ_BIAS] + (size_t)p * E : NULL;
}

/* A linear layer y = x·Wᵀ + b (x rows×in, W E×in, b E), backward:
 *     d_x = d_y·W         rows×in
 *     d_W = d_yᵀ·x        E×in
 *     d_b = Σ_rows d_y    E         (skipped when d_b is NULL: no bias) */
static void linear_backward(attn_grads *g, int rows, int in, int E, const float *x, const float *w,
                            const float *d_y, float *d_x, float *d_w, float *d_b) {
    attn__pack(w, in, E, in, g->packed); /* B = W: E×in */
    attn__gemm(rows, in, E, d_y, E, g->packed, NULL, d_x, in);
    attn__transpose(d_y, E, rows, E, g->transposed); /* d_yᵀ: E×rows */
    attn__pack(x, in, rows, in, g->packed);          /* B = x: rows×in */
    attn__gemm(E, in, rows, g->transposed, rows, g->packed, NULL, d_w, in);
    if (!d_b) return;
    for (int e = 0; e < E; e++) d_b[e] = 0.0f;
    for (int r = 0; r < rows; r++)
        for (int e = 0; e < E; e++) d_b[e] += d_y[(size_t)r * E + e];
}

/* output = context·W_oᵀ + b_o (L×E): d_context, d out_proj.weight, d out_proj.bias */
static void project_out_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    linear_backward(g, c->tgt_len, c->embed_dim, c->embed_dim, attn_stage(a, ATTN_CONTEXT), attn__input_read(a, ATTN_OUT_PROJ_WEIGHT),
                    g->stage[ATTN_OUTPUT], g->stage[ATTN_CONTEXT], g->input[ATTN_OUT_PROJ_WEIGHT], g->input[ATTN_OUT_PROJ_BIAS]);
}

/* context_h = weights_h·v_h per head (L×S' · S'×hd):
 *     d_weights_h = d_context_h·v_hᵀ          L×S'
 *     d_v_h       = weights_hᵀ·d_context_h    S'×hd */
static void attend_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    int L = c->tgt_len, E = c->embed_dim, hd = E / c->num_heads, S2 = src_len_extended(c);
    const float *v = attn_stage(a, ATTN_V), *weights = attn_stage(a, ATTN_WEIGHTS);
    for (int h = 0; h < c->num_heads; h++) {
        const float *d_context_h = g->stage[ATTN_CONTEXT] + (size_t)h * hd; /* L×hd, rows of stride E */
        const float *weights_h = weights + (size_t)h * L * S2;
        attn__pack_transposed(v + (size_t)h * hd, E, S2, hd, g->packed); /* B = v_hᵀ: hd×S' */
        attn__gemm(L, S2, hd, d_context_h, E, g->packed, NULL, g->stage[ATTN_WEIGHTS] + (size_t)h * L * S2, S2);
        attn__transpose(weights_h, S2, L, S2, g->transposed); /* weights_hᵀ: S'×L */
        attn__pack(d_context_h, E, L, hd, g->packed);         /* B = d_context_h: L×hd */
        attn__gemm(S2, hd, L, g->transposed, L, g->packed, NULL, g->stage[ATTN_V] + (size_t)h * hd, E);
    }
}

/* attn_weights = Σ_h weights_h / H (L×S'), or weights as they are (H×L×S'):
 *     d_weights += d_attn_weights / H   (or d_attn_weights)
 * and the loss's own use of weights adds its dL/d weights. */
static void average_heads_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    size_t per_head = (size_t)c->tgt_len * src_len_extended(c);
    const float *d_attn_weights = g->stage[ATTN_ATTN_WEIGHTS], *given = g->weights_given;
    float *d_weights = g->stage[ATTN_WEIGHTS];
    for (int h = 0; h < c->num_heads; h++)
        for (size_t i = 0; i < per_head; i++) {
            size_t at = (size_t)h * per_head + i;
            float from_attn_weights = c->average_attn_weights ? d_attn_weights[i] / (float)c->num_heads : d_attn_weights[at];
            d_weights[at] += from_attn_weights + given[at];
        }
}

/* weights = softmax of each row of scores (H×L×S'):
 *     d_scores_j = w_j · (d_weights_j − Σ_k w_k · d_weights_k)
 * A masked score (w_j = 0) gets 0; a fully masked row (w NaN) gets NaN, as
 * autograd gives. */
static void softmax_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    int rows = c->num_heads * c->tgt_len, cols = src_len_extended(c);
    const float *weights = attn_stage(a, ATTN_WEIGHTS), *d_weights = g->stage[ATTN_WEIGHTS];
    float *d_scores = g->stage[ATTN_SCORES];
    for (int r = 0; r < rows; r++) {
        const float *w = weights + (size_t)r * cols, *d_w = d_weights + (size_t)r * cols;
        float *d_s = d_scores + (size_t)r * cols;
        float dot = 0.0f;
        for (int j = 0; j < cols; j++) dot += w[j] * d_w[j];
        for (int j = 0; j < cols; j++) d_s[j] = w[j] * (d_w[j] - dot);
    }
}

/* scores_h = q_scaled_h·k_hᵀ per head, plus the mask (a constant):
 *     d_q_scaled_h = d_scores_h·k_h           L×hd
 *     d_k_h        = d_scores_hᵀ·q_scaled_h   S'×hd */
static void score_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    int L = c->tgt_len, E = c->embed_dim, hd = E / c->num_heads, S2 = src_len_extended(c);
    const float *k = attn_stage(a, ATTN_K), *q_scaled = attn_stage(a, ATTN_Q_SCALED);
    for (int h = 0; h < c->num_heads; h++) {
        const float *d_scores_h = g->stage[ATTN_SCORES] + (size_t)h * L * S2;
        attn__pack(k + (size_t)h * hd, E, S2, hd, g->packed); /* B = k_h: S'×hd */
        attn__gemm(L, hd, S2, d_scores_h, S2, g->packed, NULL, g->stage[ATTN_Q_SCALED] + (size_t)h * hd, E);
        attn__transpose(d_scores_h, S2, L, S2, g->transposed);       /* d_scores_hᵀ: S'×L */
        attn__pack(q_scaled + (size_t)h * hd, E, L, hd, g->packed); /* B = q_scaled_h: L×hd */
        attn__gemm(S2, hd, L, g->transposed, L, g->packed, NULL, g->stage[ATTN_K] + (size_t)h * hd, E);
    }
}

/* q_scaled = q / sqrt(head_dim):  d_q = d_q_scaled / sqrt(head_dim)   L×E */
static void scale_q_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    size_t n = (size_t)c->tgt_len * c->embed_dim;
    float root = sqrtf((float)(c->embed_dim / c->num_heads));
    const float *d_q_scaled = g->stage[ATTN_Q_SCALED];
    float *d_q = g->stage[ATTN_Q];
    for (size_t i = 0; i < n; i++) d_q[i] = d_q_scaled[i] / root;
}

/* k = key·W_kᵀ + b_k, then the bias_k row, then a zero row (S'×E); the same
 * for v. The first S rows of d_k go back through the projection, row S is
 * d bias_k, and the zero row is made of nothing. */
static void project_kv_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    int S = c->src_len, E = c->embed_dim;
    linear_backward(g, S, c->kdim, E, attn__input_read(a, ATTN_KEY), in_proj_weight(a, PROJ_K), g->stage[ATTN_K],
                    g->input[ATTN_KEY], in_proj_weight_grad(a, g, PROJ_K), in_proj_bias_grad(a, g, PROJ_K));
    linear_backward(g, S, c->vdim, E, attn__input_read(a, ATTN_VALUE), in_proj_weight(a, PROJ_V), g->stage[ATTN_V],
                    g->input[ATTN_VALUE], in_proj_weight_grad(a, g, PROJ_V), in_proj_bias_grad(a, g, PROJ_V));
    if (c->add_bias_kv) {
        memcpy(g->input[ATTN_BIAS_K], g->stage[ATTN_K] + (size_t)S * E, (size_t)E * sizeof(float));
        memcpy(g->input[ATTN_BIAS_V], g->stage[ATTN_V] + (size_t)S * E, (size_t)E * sizeof(float));
    }
}

/* q = query·W_qᵀ + b_q (L×E): d_query, d W_q, d b_q */
static void project_q_backward(attn *a, attn_grads *g) {
    const attn_config *c = attn__config(a);
    linear_backward(g, c->tgt_len, c->embed_dim, c->embed_dim, attn__input_read(a, ATTN_QUERY), in_proj_weight(a, PROJ_Q),
                    g->stage[ATTN_Q], g->input[ATTN_QUERY], in_proj_weight_grad(a, g, PROJ_Q), in_proj_bias_grad(a, g, PROJ_Q));
}

int attn_backward(attn *a) {
    if (!a) return ATTN_ERR_STATE;
    if (!attn_stage(a, ATTN_OUTPUT))
        return attn__fail(a, ATTN_ERR_STATE, "attn_backward called before attn_forward");
    attn_grads *g;
    int status = grads_ready(a, &g);
    if (status != ATTN_OK) return status;
    project_out_backward(a, g);
    attend_backward(a, g);
    average_heads_backward(a, g);
    softmax_backward(a, g);
    score_backward(a, g);
    scale_q_backward(a, g);
    project_kv_backward(a, g);
    project_q_backward(a, g);
    g->computed = 1;
    return attn__fail(a, ATTN_OK, "");
}

/* ---- access ------------------------------------------------------------- */

float *attn_grad_input(attn *a, int stage) {
    if (!a || !attn__config(a) || (stage != ATTN_OUTPUT && stage != ATTN_ATTN_WEIGHTS && stage != ATTN_WEIGHTS)) return NULL;
    attn_grads *g;
    if (grads_ready(a, &g) != ATTN_OK) return NULL;
    return stage == ATTN_WEIGHTS ? g->weights_given : g->stage[stage];
}

const float *attn_grad(const attn *a, int input) {
    const attn_grads *g = a ? attn__grads(a) : NULL;
    return g && g->computed && input >= 0 && input < ATTN_INPUT_COUNT ? g->input[input] : NULL;
}

const float *attn_stage_grad(const attn *a, int stage) {
    const attn_grads *g = a ? attn__grads(a) : NULL;
    return g && g->computed && stage >= 0 && stage < ATTN_STAGE_COUNT ? g->stage[stage] : NULL;
}

int attn_grad_shape(const attn *a, int input, int dims[3]) {
    return is_mask(input) ? 0 : attn_input_shape(a, input, dims);
}

int attn_stage_grad_shape(const attn *a, int stage, int dims[3]) { return attn_stage_shape(a, stage, dims); }
