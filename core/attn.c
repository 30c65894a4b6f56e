/* attn.c: configuration, buffers and the forward pass, one function a stage,
 * called in the order of the formula. The arithmetic is in the kernels. */
#include "attn.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backward.h"
#include "kernels.h"

_Static_assert(sizeof(attn_config) == ATTN_CONFIG_FIELDS * sizeof(int), "attn_config is an int array");

static const char *const config_field_names[ATTN_CONFIG_FIELDS] = {
    "embed_dim", "num_heads", "kdim", "vdim", "tgt_len", "src_len", "bias", "add_bias_kv",
    "add_zero_attn", "average_attn_weights", "attn_mask_kind", "attn_mask_per_head",
    "key_padding_mask_kind"};

static const char *const input_names[ATTN_INPUT_COUNT] = {
    "query", "key", "value", "in_proj_weight", "q_proj_weight", "k_proj_weight",
    "v_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias",
    "attn_mask", "key_padding_mask"};

static const char *const stage_names[ATTN_STAGE_COUNT] = {
    "q", "k", "v", "q_scaled", "scores", "weights", "attn_weights", "context", "output"};

/* The four linear layers, each kept packed (see kernels.h) between calls. */
enum { PROJ_Q, PROJ_K, PROJ_V, PROJ_OUT, PROJ_COUNT };

#define ALL_PROJECTIONS ((1u << PROJ_COUNT) - 1)

/* Buffers besides inputs and stages. */
enum {
    SCRATCH_PACKED = 0,          /* PROJ_COUNT packed weights */
    SCRATCH_HEAD = PROJ_COUNT,   /* one head's kᵀ or v, packed */
    SCRATCH_COUNT
};

#define BUFFER_COUNT (ATTN_INPUT_COUNT + ATTN_STAGE_COUNT + SCRATCH_COUNT)

struct attn {
    attn_config cfg;
    int configured;                /* cfg passed attn_configure */
    int computed;                  /* the stages hold a forward pass */
    unsigned stale;                /* bit p (1 << PROJ_*): weight p changed since it was packed */
    float *arena;                  /* every buffer, 16-byte aligned */
    size_t arena_floats;           /* capacity */
    float *buffer[BUFFER_COUNT];   /* inputs, then stages, then scratch; NULL when unused */
    attn_grads *grads;             /* backward.c's buffers; NULL until gradients are asked for */
    char error[160];
};

static int fail(attn *a, int code, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(a->error, sizeof a->error, format, args);
    va_end(args);
    return code;
}

/* ---- shapes ------------------------------------------------------------- */

static int src_len_extended(const attn_config *c) { /* S' */
    return c->src_len + c->add_bias_kv + c->add_zero_attn;
}

static int head_dim(const attn_config *c) { return c->embed_dim / c->num_heads; }

/* kdim = vdim = E: one packed in_proj_weight; otherwise three (as in PyTorch) */
static int packed_in_proj(const attn_config *c) {
    return c->kdim == c->embed_dim && c->vdim == c->embed_dim;
}

static int shape(int dims[3], int d0, int d1, int d2) {
    dims[0] = d0, dims[1] = d1, dims[2] = d2;
    return d2 ? 3 : d1 ? 2 : 1;
}

static int input_shape(const attn_config *c, int input, int dims[3]) {
    int E = c->embed_dim, L = c->tgt_len, S = c->src_len, H = c->num_heads;
    switch (input) {
    case ATTN_QUERY: return shape(dims, L, E, 0);
    case ATTN_KEY: return shape(dims, S, c->kdim, 0);
    case ATTN_VALUE: return shape(dims, S, c->vdim, 0);
    case ATTN_IN_PROJ_WEIGHT: return packed_in_proj(c) ? shape(dims, 3 * E, E, 0) : 0;
    case ATTN_Q_PROJ_WEIGHT: return packed_in_proj(c) ? 0 : shape(dims, E, E, 0);
    case ATTN_K_PROJ_WEIGHT: return packed_in_proj(c) ? 0 : shape(dims, E, c->kdim, 0);
    case ATTN_V_PROJ_WEIGHT: return packed_in_proj(c) ? 0 : shape(dims, E, c->vdim, 0);
    case ATTN_IN_PROJ_BIAS: return c->bias ? shape(dims, 3 * E, 0, 0) : 0;
    case ATTN_BIAS_K:
    case ATTN_BIAS_V: return c->add_bias_kv ? shape(dims, E, 0, 0) : 0;
    case ATTN_OUT_PROJ_WEIGHT: return shape(dims, E, E, 0);
    case ATTN_OUT_PROJ_BIAS: return c->bias ? shape(dims, E, 0, 0) : 0;
    case ATTN_ATTN_MASK:
        if (!c->attn_mask_kind) return 0;
        return c->attn_mask_per_head ? shape(dims, H, L, S) : shape(dims, L, S, 0);
    case ATTN_KEY_PADDING_MASK: return c->key_padding_mask_kind ? shape(dims, S, 0, 0) : 0;
    }
    return 0;
}

static int stage_shape(const attn_config *c, int stage, int dims[3]) {
    int E = c->embed_dim, L = c->tgt_len, H = c->num_heads, S2 = src_len_extended(c);
    switch (stage) {
    case ATTN_Q:
    case ATTN_Q_SCALED:
    case ATTN_CONTEXT:
    case ATTN_OUTPUT: return shape(dims, L, E, 0);
    case ATTN_K:
    case ATTN_V: return shape(dims, S2, E, 0);
    case ATTN_SCORES:
    case ATTN_WEIGHTS: return shape(dims, H, L, S2);
    case ATTN_ATTN_WEIGHTS: return c->average_attn_weights ? shape(dims, L, S2, 0) : shape(dims, H, L, S2);
    }
    return 0;
}

static int projection_in_features(const attn_config *c, int p) {
    return p == PROJ_K ? c->kdim : p == PROJ_V ? c->vdim : c->embed_dim;
}

/* Floats of every buffer under c, in 64 bits: wasm32's size_t would overflow. */
static void buffer_sizes(const attn_config *c, unsigned long long sizes[BUFFER_COUNT]) {
    int dims[3];
    for (int b = 0; b < BUFFER_COUNT; b++) {
        int rank = b < ATTN_INPUT_COUNT ? input_shape(c, b, dims)
                 : b < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT ? stage_shape(c, b - ATTN_INPUT_COUNT, dims)
                 : 0;
        unsigned long long n = rank ? 1 : 0;
        for (int d = 0; d < rank; d++) n *= (unsigned long long)dims[d];
        sizes[b] = n;
    }
    unsigned long long *scratch = sizes + ATTN_INPUT_COUNT + ATTN_STAGE_COUNT;
    int E = c->embed_dim, hd = head_dim(c), S2 = src_len_extended(c);
    for (int p = 0; p < PROJ_COUNT; p++) {
        unsigned long long in = (unsigned long long)projection_in_features(c, p);
        scratch[SCRATCH_PACKED + p] = in * (((unsigned long long)E + ATTN__PANEL - 1) / ATTN__PANEL * ATTN__PANEL);
    }
    unsigned long long key_panels = ((unsigned long long)S2 + ATTN__PANEL - 1) / ATTN__PANEL * ATTN__PANEL;
    unsigned long long value_panels = ((unsigned long long)hd + ATTN__PANEL - 1) / ATTN__PANEL * ATTN__PANEL;
    unsigned long long kt = key_panels * hd, vh = value_panels * S2;
    scratch[SCRATCH_HEAD] = kt > vh ? kt : vh;
}

static unsigned long long aligned4(unsigned long long n) { return (n + 3) & ~3ULL; }

/* ---- configuration ------------------------------------------------------ */

static int check_config(attn *a, const attn_config *c) {
    const struct { const char *name; int value; } dims[] = {
        {"embed_dim", c->embed_dim}, {"num_heads", c->num_heads}, {"kdim", c->kdim},
        {"vdim", c->vdim}, {"tgt_len", c->tgt_len}, {"src_len", c->src_len}};
    for (size_t f = 0; f < sizeof dims / sizeof *dims; f++) {
        if (dims[f].value < 1)
            return fail(a, ATTN_ERR_INVALID, "%s must be at least 1, got %d", dims[f].name, dims[f].value);
        if (dims[f].value > ATTN_MAX_DIM)
            return fail(a, ATTN_ERR_LIMIT, "%s is %d, past the limit of %d", dims[f].name, dims[f].value, ATTN_MAX_DIM);
    }
    if (c->embed_dim % c->num_heads)
        return fail(a, ATTN_ERR_INVALID, "embed_dim %d is not divisible by num_heads %d", c->embed_dim, c->num_heads);
    const struct { const char *name; int value; } flags[] = {
        {"bias", c->bias}, {"add_bias_kv", c->add_bias_kv}, {"add_zero_attn", c->add_zero_attn},
        {"average_attn_weights", c->average_attn_weights}, {"attn_mask_per_head", c->attn_mask_per_head}};
    for (size_t f = 0; f < sizeof flags / sizeof *flags; f++)
        if (flags[f].value != 0 && flags[f].value != 1)
            return fail(a, ATTN_ERR_INVALID, "%s must be 0 or 1, got %d", flags[f].name, flags[f].value);
    const struct { const char *name; int value; } kinds[] = {
        {"attn_mask_kind", c->attn_mask_kind}, {"key_padding_mask_kind", c->key_padding_mask_kind}};
    for (size_t f = 0; f < sizeof kinds / sizeof *kinds; f++)
        if (kinds[f].value < ATTN_MASK_NONE || kinds[f].value > ATTN_MASK_FLOAT)
            return fail(a, ATTN_ERR_INVALID, "%s must be 0 (none), 1 (bool) or 2 (float), got %d", kinds[f].name, kinds[f].value);
    if (c->attn_mask_per_head && !c->attn_mask_kind)
        return fail(a, ATTN_ERR_INVALID, "attn_mask_per_head is set but there is no attn_mask");

    unsigned long long sizes[BUFFER_COUNT], total = 0;
    buffer_sizes(c, sizes);
    for (int b = 0; b < BUFFER_COUNT; b++) {
        if (sizes[b] > (unsigned long long)ATTN_MAX_ELEMENTS) {
            const char *name = b < ATTN_INPUT_COUNT ? input_names[b]
                             : b < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT ? stage_names[b - ATTN_INPUT_COUNT]
                             : "a work buffer";
            return fail(a, ATTN_ERR_LIMIT, "%s would hold %llu floats, past the limit of %ld",
                        name, sizes[b], (long)ATTN_MAX_ELEMENTS);
        }
        total += aligned4(sizes[b]);
    }
    if (total * sizeof(float) > (unsigned long long)ATTN_MAX_BYTES)
        return fail(a, ATTN_ERR_LIMIT, "this configuration needs %llu MiB, past the limit of %ld MiB",
                    total * sizeof(float) >> 20, (long)(ATTN_MAX_BYTES >> 20));
    return ATTN_OK;
}

attn *attn_new(void) { return calloc(1, sizeof(attn)); }

void attn_free(attn *a) {
    if (!a) return;
    attn__grads_free(a->grads);
    free(a->arena);
    free(a);
}

int attn_configure(attn *a, const attn_config *c) {
    if (!a) return ATTN_ERR_STATE;
    if (!c) return fail(a, ATTN_ERR_STATE, "attn_configure called without a configuration");
    int status = check_config(a, c);
    if (status != ATTN_OK) return status;
    a->error[0] = 0;
    if (a->configured && memcmp(&a->cfg, c, sizeof *c) == 0) return ATTN_OK;

    unsigned long long sizes[BUFFER_COUNT], total = 0;
    buffer_sizes(c, sizes);
    for (int b = 0; b < BUFFER_COUNT; b++) total += aligned4(sizes[b]);
    if (total > a->arena_floats) { /* grow only: a session that changes sizes stays flat */
        float *arena = aligned_alloc(16, (size_t)total * sizeof(float));
        if (!arena) return fail(a, ATTN_ERR_NOMEM, "out of memory for %llu floats", total);
        free(a->arena);
        a->arena = arena;
        a->arena_floats = (size_t)total;
    }
    memset(a->arena, 0, (size_t)total * sizeof(float)); /* no stale values from another shape */
    float *next = a->arena;
    for (int b = 0; b < BUFFER_COUNT; b++) {
        a->buffer[b] = sizes[b] ? next : NULL;
        next += aligned4(sizes[b]);
    }
    a->cfg = *c;
    a->configured = 1;
    a->computed = 0;
    a->stale = ALL_PROJECTIONS;
    attn__grads_forget(a->grads);
    return ATTN_OK;
}

/* ---- the forward pass, stage by stage ----------------------------------- */

static float *input(const attn *a, int i) { return a->buffer[i]; }
static float *stage(const attn *a, int s) { return a->buffer[ATTN_INPUT_COUNT + s]; }
static float *scratch(const attn *a, int s) { return a->buffer[ATTN_INPUT_COUNT + ATTN_STAGE_COUNT + s]; }

/* The raw weight of linear layer p: out_features E × in_features. */
static const float *projection_weight(const attn *a, int p) {
    int E = a->cfg.embed_dim;
    if (p == PROJ_OUT) return input(a, ATTN_OUT_PROJ_WEIGHT);
    if (packed_in_proj(&a->cfg)) return input(a, ATTN_IN_PROJ_WEIGHT) + (size_t)p * E * E;
    return input(a, ATTN_Q_PROJ_WEIGHT + p);
}

static const float *projection_bias(const attn *a, int p) {
    if (!a->cfg.bias) return NULL;
    if (p == PROJ_OUT) return input(a, ATTN_OUT_PROJ_BIAS);
    return input(a, ATTN_IN_PROJ_BIAS) + (size_t)p * a->cfg.embed_dim;
}

/* The projections packed from input i, as bits 1 << PROJ_*. */
static unsigned projections_of_input(int i) {
    switch (i) {
    case ATTN_IN_PROJ_WEIGHT: return 1u << PROJ_Q | 1u << PROJ_K | 1u << PROJ_V;
    case ATTN_Q_PROJ_WEIGHT: return 1u << PROJ_Q;
    case ATTN_K_PROJ_WEIGHT: return 1u << PROJ_K;
    case ATTN_V_PROJ_WEIGHT: return 1u << PROJ_V;
    case ATTN_OUT_PROJ_WEIGHT: return 1u << PROJ_OUT;
    }
    return 0;
}

/* Weight p packed for attn__gemm; packed again only when it was marked
 * changed (attn_input, attn_input_changed) since it was last packed. */
static const float *packed_weight(attn *a, int p) {
    float *packed = scratch(a, SCRATCH_PACKED + p);
    if (a->stale & 1u << p) {
        int n = a->cfg.embed_dim, k = projection_in_features(&a->cfg, p);
        attn__pack_transposed(projection_weight(a, p), k, n, k, packed);
        a->stale &= ~(1u << p);
    }
    return packed;
}

/* x (rows×in) · Wᵀ + b into out (rows×E): PyTorch's linear(). */
static void linear(attn *a, int p, int rows, const float *x, float *out) {
    int k = projection_in_features(&a->cfg, p);
    attn__gemm(rows, a->cfg.embed_dim, k, x, k, packed_weight(a, p), projection_bias(a, p), out, a->cfg.embed_dim);
}

/* q = query·W_qᵀ + b_q                                           L×E */
static void project_q(attn *a) {
    linear(a, PROJ_Q, a->cfg.tgt_len, input(a, ATTN_QUERY), stage(a, ATTN_Q));
}

/* k = key·W_kᵀ + b_k, then bias_k, then a zero row; same for v    S'×E */
static void project_kv(attn *a) {
    const attn_config *c = &a->cfg;
    size_t E = (size_t)c->embed_dim, S = (size_t)c->src_len;
    float *k = stage(a, ATTN_K), *v = stage(a, ATTN_V);
    linear(a, PROJ_K, c->src_len, input(a, ATTN_KEY), k);
    linear(a, PROJ_V, c->src_len, input(a, ATTN_VALUE), v);
    if (c->add_bias_kv) {
        memcpy(k + S * E, input(a, ATTN_BIAS_K), E * sizeof(float));
        memcpy(v + S * E, input(a, ATTN_BIAS_V), E * sizeof(float));
    }
    if (c->add_zero_attn) {
        size_t row = S + (size_t)c->add_bias_kv;
        memset(k + row * E, 0, E * sizeof(float));
        memset(v + row * E, 0, E * sizeof(float));
    }
}

/* q_scaled = q / sqrt(head_dim): PyTorch scales q before the product. L×E */
static void scale_q(attn *a) {
    size_t n = (size_t)a->cfg.tgt_len * a->cfg.embed_dim;
    float root = sqrtf((float)head_dim(&a->cfg));
    const float *q = stage(a, ATTN_Q);
    float *q_scaled = stage(a, ATTN_Q_SCALED);
    for (size_t i = 0; i < n; i++) q_scaled[i] = q[i] / root;
}

/* What PyTorch 2 adds to score (h, i, j): F._canonical_mask turns each bool
 * mask into floats (true -> -inf, false -> 0), then attn_mask + key_padding_mask.
 * A float key_padding_mask is therefore added beside any attn_mask (PyTorch
 * 1.13 merged it differently: README.md). The bias_k and zero columns
 * (j >= S) get 0: F.pad pads both masks with zeros there. */
static float mask_value(const attn *a, int h, int i, int j) {
    const attn_config *c = &a->cfg;
    if (j >= c->src_len) return 0.0f;
    float attn_mask = 0.0f, key_padding_mask = 0.0f;
    if (c->attn_mask_kind) {
        size_t at = ((size_t)(c->attn_mask_per_head ? h : 0) * c->tgt_len + i) * c->src_len + j;
        attn_mask = input(a, ATTN_ATTN_MASK)[at];
        if (c->attn_mask_kind == ATTN_MASK_BOOL) attn_mask = attn_mask != 0.0f ? -INFINITY : 0.0f;
    }
    if (c->key_padding_mask_kind) {
        key_padding_mask = input(a, ATTN_KEY_PADDING_MASK)[j];
        if (c->key_padding_mask_kind == ATTN_MASK_BOOL) key_padding_mask = key_padding_mask != 0.0f ? -INFINITY : 0.0f;
    }
    if (!c->key_padding_mask_kind) return attn_mask;
    if (!c->attn_mask_kind) return key_padding_mask;
    return attn_mask + key_padding_mask;
}

/* scores = q_scaled·kᵀ per head, plus the mask                   H×L×S' */
static void score(attn *a) {
    const attn_config *c = &a->cfg;
    int L = c->tgt_len, E = c->embed_dim, hd = head_dim(c), S2 = src_len_extended(c);
    float *scores = stage(a, ATTN_SCORES), *k_packed = scratch(a, SCRATCH_HEAD);
    for (int h = 0; h < c->num_heads; h++) {
        float *scores_h = scores + (size_t)h * L * S2;
        attn__pack_transposed(stage(a, ATTN_K) + (size_t)h * hd, E, S2, hd, k_packed);
        attn__gemm(L, S2, hd, stage(a, ATTN_Q_SCALED) + (size_t)h * hd, E, k_packed, NULL, scores_h, S2);
        if (c->attn_mask_kind || c->key_padding_mask_kind)
            for (int i = 0; i < L; i++)
                for (int j = 0; j < S2; j++) scores_h[(size_t)i * S2 + j] += mask_value(a, h, i, j);
    }
}

/* weights = softmax over each row of scores                      H×L×S' */
static void softmax(attn *a) {
    const attn_config *c = &a->cfg;
    attn__softmax_rows(c->num_heads * c->tgt_len, src_len_extended(c), stage(a, ATTN_SCORES), stage(a, ATTN_WEIGHTS));
}

/* attn_weights = sum over heads / H, or weights as they are. PyTorch's order:
 * each element sums from 0, head 0 first, then divides. The loops run head by
 * head, so that the inner one reads and writes contiguous floats (and the
 * SIMD builds vectorise it); each element still adds its heads in order. */
static void average_heads(attn *a) {
    const attn_config *c = &a->cfg;
    size_t per_head = (size_t)c->tgt_len * src_len_extended(c);
    const float *weights = stage(a, ATTN_WEIGHTS);
    float *out = stage(a, ATTN_ATTN_WEIGHTS);
    if (!c->average_attn_weights) {
        memcpy(out, weights, per_head * c->num_heads * sizeof(float));
        return;
    }
    for (size_t i = 0; i < per_head; i++) out[i] = 0.0f;
    for (int h = 0; h < c->num_heads; h++) {
        const float *head = weights + (size_t)h * per_head;
        for (size_t i = 0; i < per_head; i++) out[i] += head[i];
    }
    for (size_t i = 0; i < per_head; i++) out[i] /= (float)c->num_heads;
}

/* context = weights·v per head, the heads side by side            L×E */
static void attend(attn *a) {
    const attn_config *c = &a->cfg;
    int L = c->tgt_len, E = c->embed_dim, hd = head_dim(c), S2 = src_len_extended(c);
    float *v_packed = scratch(a, SCRATCH_HEAD);
    for (int h = 0; h < c->num_heads; h++) {
        attn__pack(stage(a, ATTN_V) + (size_t)h * hd, E, S2, hd, v_packed);
        attn__gemm(L, hd, S2, stage(a, ATTN_WEIGHTS) + (size_t)h * L * S2, S2, v_packed, NULL,
                   stage(a, ATTN_CONTEXT) + (size_t)h * hd, E);
    }
}

/* output = context·W_oᵀ + b_o                                     L×E */
static void project_out(attn *a) {
    linear(a, PROJ_OUT, a->cfg.tgt_len, stage(a, ATTN_CONTEXT), stage(a, ATTN_OUTPUT));
}

int attn_forward(attn *a) {
    if (!a) return ATTN_ERR_STATE;
    if (!a->configured) return fail(a, ATTN_ERR_STATE, "attn_forward called before a successful attn_configure");
    project_q(a);
    project_kv(a);
    scale_q(a);
    score(a);
    softmax(a);
    average_heads(a);
    attend(a);
    project_out(a);
    a->computed = 1;
    a->error[0] = 0;
    return ATTN_OK;
}

/* ---- access ------------------------------------------------------------- */

float *attn_input(attn *a, int i) {
    if (!a || !a->configured || i < 0 || i >= ATTN_INPUT_COUNT) return NULL;
    attn_input_changed(a, i);
    return input(a, i);
}

void attn_input_changed(attn *a, int i) {
    if (a && a->configured && i >= 0 && i < ATTN_INPUT_COUNT && input(a, i)) a->stale |= projections_of_input(i);
}

const float *attn_stage(const attn *a, int s) {
    return a && a->computed && s >= 0 && s < ATTN_STAGE_COUNT ? stage(a, s) : NULL;
}

int attn_input_shape(const attn *a, int i, int dims[3]) {
    return a && a->configured && i >= 0 && i < ATTN_INPUT_COUNT ? input_shape(&a->cfg, i, dims) : 0;
}

int attn_stage_shape(const attn *a, int s, int dims[3]) {
    return a && a->configured && s >= 0 && s < ATTN_STAGE_COUNT ? stage_shape(&a->cfg, s, dims) : 0;
}

const char *attn_input_name(int i) { return i >= 0 && i < ATTN_INPUT_COUNT ? input_names[i] : NULL; }
const char *attn_stage_name(int s) { return s >= 0 && s < ATTN_STAGE_COUNT ? stage_names[s] : NULL; }
const char *attn_config_field_name(int f) { return f >= 0 && f < ATTN_CONFIG_FIELDS ? config_field_names[f] : NULL; }
const char *attn_error(const attn *a) { return a ? a->error : "no attn object"; }

/* ---- for backward.c (backward.h) ---------------------------------------- */

const attn_config *attn__config(const attn *a) { return a->configured ? &a->cfg : NULL; }
const float *attn__input_read(const attn *a, int i) {
    return a->configured && i >= 0 && i < ATTN_INPUT_COUNT ? input(a, i) : NULL;
}
attn_grads *attn__grads(const attn *a) { return a->grads; }
void attn__set_grads(attn *a, attn_grads *g) { a->grads = g; }
size_t attn__buffer_floats(const attn *a) { return a->arena_floats; }

int attn__fail(attn *a, int code, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(a->error, sizeof a->error, format, args);
    va_end(args);
    return code;
}
