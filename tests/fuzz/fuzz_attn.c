/* fuzz_attn.c: a libFuzzer target for the C API in core/attn.h.
 *
 * Build and run: `make fuzz` (FUZZ_SECONDS=N to change the default 60 s).
 * Replay files without fuzzing: build/fuzz-attn FILE... or -runs=0 DIR...
 * The seeds in tests/fuzz/corpus/ are written by tests/fuzz/make-corpus.mjs;
 * every input that once broke the core goes to tests/fuzz/regressions/, and
 * tests/fuzz.test.mjs replays both. FUZZ_ATTN_TRACE=1 traces each operation.
 *
 * The input is a little program of at most MAX_OPS operations on one attn
 * object, read byte by byte until the data ends. Past the end of the data,
 * bytes come from a PRNG seeded by the input's length, so every input is a
 * complete program.
 *
 *     op     := kind:u8 body         kind % 8 picks:
 *       0..2   configure  fields fill  attn_configure(a, cfg); when it succeeds,
 *                                      fill every input and forward
 *       3      forward                 attn_forward() with the inputs as they are
 *       4      refill     fill         new values in every input, then forward
 *       5      configure NULL          attn_configure(a, NULL)
 *       6      configure same          attn_configure() with the current config
 *       7      misc                    out-of-range indices, NULL objects, a
 *                                      fresh object used before configure
 *     fields := 13 × field, in the order num_heads, embed_dim, kdim, vdim,
 *               tgt_len, src_len, bias, add_bias_kv, add_zero_attn,
 *               average_attn_weights, attn_mask_kind, attn_mask_per_head,
 *               key_padding_mask_kind (num_heads first: embed_dim is drawn
 *               as a multiple of it). Each field is sel:u8 [more]:
 *         sel < 192   small    H 1..4, E = H·(1..8), kdim/vdim = E or 1..12,
 *                              L/S 1..12, flags 0/1, kinds 0..2,
 *                              per_head 0/1 where there is a mask
 *         192..239    medium   one more byte: H 1..16, E = H·(1..32),
 *                              kdim/vdim/L/S 1..128; flags and kinds small
 *         240..251    special  a table of edges: 0, -1, 4096, 4097, INT_MAX, ...
 *         252..255    raw      4 more bytes, little-endian int
 *     fill   := per input that attn_input() returns, in index order:
 *               mode:u8 seed:u8, then the values when mode & 0x80:
 *         (mode >> 4) & 7:  0..3 tame     1 byte a value: (int8)b / 16;
 *                                         masks: masked when b < {0,64,128,256}[mode & 3]
 *                           4..5 special  1 byte a value: NaN, ±inf, ±FLT_MAX,
 *                                         denormals, -0, 1e20, ...
 *                           6..7 raw      4 bytes a value: any float bits
 *         mode & 0x80: the value bytes come from the data; otherwise from a
 *         PRNG seeded by seed, the op and the input (so seeds stay small).
 *
 * Every check that fails prints what broke and calls abort(). The checks:
 * the status of attn_configure() against the documented rules; attn_error()
 * "" after a success and non-empty after a failure; a failed configure
 * leaves the configuration, the buffer pointers, the input values and the
 * stages as they were, and forward still gives the same stages; every
 * input/stage shape is the documented one, attn_input() is NULL exactly for
 * the unused inputs, buffers do not overlap; forward does not change the
 * inputs and gives the same bits when repeated and on a fresh object; each
 * weights row sums to 1 or is all NaN, all NaN exactly when its scores row's
 * max is not finite, and, when every input is tame (finite, |x| <= 1e4, with
 * -inf allowed in a float mask) exactly when the row is fully masked; the
 * stages agree with a double reference computed from the previous stage.
 * Large configurations are configured and touched but only computed (and
 * cross-checked) when they are cheap enough; see work().
 *
 * Every forward pass cheap enough for the reference check is followed by a
 * backward pass (attn_backward), its dL/d output, attn_weights and weights
 * drawn from a PRNG seeded by the op and the stages. Its checks: status and
 * error; the gradients' shapes are the documented ones, NULL exactly for the
 * masks and unused inputs (and before a backward), disjoint from every other
 * buffer; backward changes no input, stage or given gradient, gives the same
 * bits when repeated and on a fresh object; a masked score's gradient is 0;
 * a NaN weights row (fully masked) has NaN score gradients; each score row's
 * gradients sum to 0 (softmax); with gentle inputs (finite, |x| <= 16) and no
 * NaN row, every gradient is finite and each product agrees with a double
 * reference computed from the gradients it is made of. A failed configure
 * leaves the gradients as they were.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"

#define MAX_OPS 16
#define TAME_LIMIT 1e4
#define GENTLE_LIMIT 16 /* inputs up to here: no gradient can overflow */
#define WORK_FULL (1ULL << 18)    /* up to here: reference check and a fresh object */
#define WORK_FORWARD (1ULL << 22) /* up to here: forward and the structural checks */

#define CHECK(cond, ...)                                                            \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "fuzz_attn: check failed at line %d: %s\n  ", __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                           \
            fprintf(stderr, "\n");                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* FUZZ_ATTN_TRACE=1 in the environment: one line an operation on stderr, to
 * see what a seed or a crashing input does. */
static int trace = -1;
#define TRACE(...) (trace ? (void)fprintf(stderr, __VA_ARGS__) : (void)0)

/* ---- the byte source ---------------------------------------------------- */

typedef struct {
    const uint8_t *data;
    size_t size;
    uint64_t rng;
} source;

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint8_t next_byte(source *s) {
    if (s->size) {
        s->size--;
        return *s->data++;
    }
    return (uint8_t)(splitmix(&s->rng) >> 56);
}

static uint32_t next_u32(source *s) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)next_byte(s) << (8 * i);
    return v;
}

/* ---- configurations ----------------------------------------------------- */

static const int special_dims[12] = {0, -1, 1, 4096, 4097, 2048, 8, 9, INT_MAX, INT_MIN, -4096, 4095};
static const int special_flags[12] = {2, -1, INT_MAX, INT_MIN, 0, 1, 3, 256, 0, 1, -2, 65536};

enum { F_E, F_H, F_KDIM, F_VDIM, F_L, F_S, F_BIAS, F_BIAS_KV, F_ZERO_ATTN, F_AVERAGE, F_MASK, F_PER_HEAD, F_PAD };

static int read_field(source *s, int field, const attn_config *c) {
    uint8_t sel = next_byte(s);
    if (sel >= 252) return (int)next_u32(s);
    if (sel >= 240) return field <= F_S ? special_dims[sel - 240] : special_flags[sel - 240];
    int medium = sel >= 192;
    unsigned b = medium ? next_byte(s) : sel;
    switch (field) {
    case F_H: return 1 + (int)(medium ? b % 16 : b % 4);
    case F_E: return (c->num_heads > 0 && c->num_heads <= 16 ? c->num_heads : 1) * (1 + (int)(medium ? b % 32 : b % 8));
    case F_KDIM:
    case F_VDIM: return !medium && b < 96 ? c->embed_dim : 1 + (int)(medium ? b % 128 : b % 12);
    case F_L:
    case F_S: return 1 + (int)(medium ? b % 128 : b % 12);
    case F_MASK:
    case F_PAD: return (int)(b % 3);
    case F_PER_HEAD: return (c->attn_mask_kind == 1 || c->attn_mask_kind == 2) ? (int)(b & 1) : 0;
    default: return (int)(b & 1);
    }
}

static void read_config(source *s, attn_config *c) {
    static const int order[13] = {F_H, F_E, F_KDIM, F_VDIM, F_L, F_S, F_BIAS, F_BIAS_KV, F_ZERO_ATTN,
                                  F_AVERAGE, F_MASK, F_PER_HEAD, F_PAD};
    int *fields = (int *)c; /* attn_config is an int array, in the F_ order */
    memset(c, 0, sizeof *c);
    for (int i = 0; i < 13; i++) fields[order[i]] = read_field(s, order[i], c);
}

static int is_flag(int v) { return v == 0 || v == 1; }
static int is_kind(int v) { return v >= ATTN_MASK_NONE && v <= ATTN_MASK_FLOAT; }

/* The documented shapes (attn.h), independently of attn.c. */
static int want_input_shape(const attn_config *c, int i, unsigned long long d[3]) {
    unsigned long long E = (unsigned)c->embed_dim, L = (unsigned)c->tgt_len, S = (unsigned)c->src_len,
                       H = (unsigned)c->num_heads, kd = (unsigned)c->kdim, vd = (unsigned)c->vdim;
    int packed = c->kdim == c->embed_dim && c->vdim == c->embed_dim;
    d[0] = d[1] = d[2] = 0;
    switch (i) {
    case ATTN_QUERY: d[0] = L, d[1] = E; return 2;
    case ATTN_KEY: d[0] = S, d[1] = kd; return 2;
    case ATTN_VALUE: d[0] = S, d[1] = vd; return 2;
    case ATTN_IN_PROJ_WEIGHT: if (!packed) return 0; d[0] = 3 * E, d[1] = E; return 2;
    case ATTN_Q_PROJ_WEIGHT: if (packed) return 0; d[0] = E, d[1] = E; return 2;
    case ATTN_K_PROJ_WEIGHT: if (packed) return 0; d[0] = E, d[1] = kd; return 2;
    case ATTN_V_PROJ_WEIGHT: if (packed) return 0; d[0] = E, d[1] = vd; return 2;
    case ATTN_IN_PROJ_BIAS: if (!c->bias) return 0; d[0] = 3 * E; return 1;
    case ATTN_BIAS_K:
    case ATTN_BIAS_V: if (!c->add_bias_kv) return 0; d[0] = E; return 1;
    case ATTN_OUT_PROJ_WEIGHT: d[0] = E, d[1] = E; return 2;
    case ATTN_OUT_PROJ_BIAS: if (!c->bias) return 0; d[0] = E; return 1;
    case ATTN_ATTN_MASK:
        if (!c->attn_mask_kind) return 0;
        if (c->attn_mask_per_head) { d[0] = H, d[1] = L, d[2] = S; return 3; }
        d[0] = L, d[1] = S; return 2;
    case ATTN_KEY_PADDING_MASK: if (!c->key_padding_mask_kind) return 0; d[0] = S; return 1;
    }
    return 0;
}

static unsigned long long src_ext(const attn_config *c) { /* S' */
    return (unsigned long long)(unsigned)c->src_len + (unsigned)c->add_bias_kv + (unsigned)c->add_zero_attn;
}

static int want_stage_shape(const attn_config *c, int s, unsigned long long d[3]) {
    unsigned long long E = (unsigned)c->embed_dim, L = (unsigned)c->tgt_len, H = (unsigned)c->num_heads, S2 = src_ext(c);
    d[0] = d[1] = d[2] = 0;
    switch (s) {
    case ATTN_Q:
    case ATTN_Q_SCALED:
    case ATTN_CONTEXT:
    case ATTN_OUTPUT: d[0] = L, d[1] = E; return 2;
    case ATTN_K:
    case ATTN_V: d[0] = S2, d[1] = E; return 2;
    case ATTN_SCORES:
    case ATTN_WEIGHTS: d[0] = H, d[1] = L, d[2] = S2; return 3;
    case ATTN_ATTN_WEIGHTS:
        if (c->average_attn_weights) { d[0] = L, d[1] = S2; return 2; }
        d[0] = H, d[1] = L, d[2] = S2; return 3;
    }
    return 0;
}

static unsigned long long count(int rank, const unsigned long long d[3]) {
    unsigned long long n = rank ? 1 : 0;
    for (int i = 0; i < rank; i++) n *= d[i];
    return n;
}

/* What attn_configure() may answer, as a bit set of statuses. */
static unsigned allowed_statuses(const attn_config *c) {
    const int dims[6] = {c->embed_dim, c->num_heads, c->kdim, c->vdim, c->tgt_len, c->src_len};
    int too_small = 0, too_big = 0;
    for (int i = 0; i < 6; i++) too_small |= dims[i] < 1, too_big |= dims[i] > ATTN_MAX_DIM;
    int invalid = too_small || (!too_big && c->embed_dim % c->num_heads) ||
                  !is_flag(c->bias) || !is_flag(c->add_bias_kv) || !is_flag(c->add_zero_attn) ||
                  !is_flag(c->average_attn_weights) || !is_flag(c->attn_mask_per_head) ||
                  !is_kind(c->attn_mask_kind) || !is_kind(c->key_padding_mask_kind) ||
                  (c->attn_mask_per_head && !c->attn_mask_kind);
    /* A configuration both invalid and past a limit may be reported either way. */
    if (invalid) return 1u << ATTN_ERR_INVALID | (too_big ? 1u << ATTN_ERR_LIMIT : 0);
    if (too_big) return 1u << ATTN_ERR_LIMIT;
    unsigned long long d[3], total = 0;
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        unsigned long long n = count(i < ATTN_INPUT_COUNT ? want_input_shape(c, i, d) : want_stage_shape(c, i - ATTN_INPUT_COUNT, d), d);
        if (n > (unsigned long long)ATTN_MAX_ELEMENTS) return 1u << ATTN_ERR_LIMIT;
        total += n;
    }
    if (total * sizeof(float) > (unsigned long long)ATTN_MAX_BYTES) return 1u << ATTN_ERR_LIMIT;
    /* Work buffers may still be past a limit, and the allocation may fail. */
    return 1u << ATTN_OK | 1u << ATTN_ERR_LIMIT | 1u << ATTN_ERR_NOMEM;
}

/* A limit error that names a documented buffer ("scores would hold N floats,
 * past the limit ..."): that buffer must be past ATTN_MAX_ELEMENTS. */
static void check_limit_message(const attn_config *c, const char *message) {
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        int is_input = i < ATTN_INPUT_COUNT, k = is_input ? i : i - ATTN_INPUT_COUNT;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s would hold ", is_input ? attn_input_name(k) : attn_stage_name(k));
        if (strncmp(message, prefix, strlen(prefix)) != 0) continue;
        unsigned long long d[3];
        unsigned long long n = count(is_input ? want_input_shape(c, k, d) : want_stage_shape(c, k, d), d);
        CHECK(n > (unsigned long long)ATTN_MAX_ELEMENTS, "\"%s\", but its documented shape holds %llu floats, within the limit of %ld",
              message, n, (long)ATTN_MAX_ELEMENTS);
    }
}

/* Rough operation count of a forward pass (and of filling its inputs). */
static unsigned long long work(const attn_config *c) {
    unsigned long long E = (unsigned)c->embed_dim, L = (unsigned)c->tgt_len, S = (unsigned)c->src_len,
                       H = (unsigned)c->num_heads, kd = (unsigned)c->kdim, vd = (unsigned)c->vdim, S2 = src_ext(c);
    unsigned long long d[3], floats = 0;
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) floats += count(want_input_shape(c, i, d), d);
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) floats += count(want_stage_shape(c, s, d), d);
    return 2 * L * E * E + S * E * (kd + vd) + 2 * H * L * S2 * (E / H) + E * (2 * E + kd + vd) + 2 * floats;
}

/* ---- the model of the object -------------------------------------------- */

typedef struct {
    attn *a;
    int configured;   /* a configure has succeeded */
    int computed;     /* the stages hold a forward pass of the current inputs */
    attn_config cfg;
    unsigned long long work;
    int op;           /* index of the current op, for the value seeds */
    uint64_t stages;  /* hash of the stages of the last forward */
    const float *attn_mask, *key_padding_mask; /* during check_forward */
    int grads;        /* the gradients hold a backward pass (until a configure changes the configuration) */
} model;

static float *input_of(model *m, int i, unsigned long long *n) {
    int dims[3] = {0, 0, 0};
    int rank = attn_input_shape(m->a, i, dims);
    *n = 1;
    for (int d = 0; d < rank; d++) *n *= (unsigned long long)dims[d];
    if (!rank) *n = 0;
    return attn_input(m->a, i);
}

static const float *stage_of(const model *m, int s, unsigned long long *n) {
    int dims[3] = {0, 0, 0};
    int rank = attn_stage_shape(m->a, s, dims);
    *n = 1;
    for (int d = 0; d < rank; d++) *n *= (unsigned long long)dims[d];
    if (!rank) *n = 0;
    return attn_stage(m->a, s);
}

static int is_mask(int i) { return i == ATTN_ATTN_MASK || i == ATTN_KEY_PADDING_MASK; }

static const float *grad_of(const model *m, int i, unsigned long long *n) {
    int dims[3] = {0, 0, 0};
    int rank = attn_grad_shape(m->a, i, dims);
    *n = 1;
    for (int d = 0; d < rank; d++) *n *= (unsigned long long)dims[d];
    if (!rank) *n = 0;
    return attn_grad(m->a, i);
}

static const float *stage_grad_of(const model *m, int s, unsigned long long *n) {
    int dims[3] = {0, 0, 0};
    int rank = attn_stage_grad_shape(m->a, s, dims);
    *n = 1;
    for (int d = 0; d < rank; d++) *n *= (unsigned long long)dims[d];
    if (!rank) *n = 0;
    return attn_stage_grad(m->a, s);
}

static void check_error_empty(const model *m, const char *after) {
    const char *e = attn_error(m->a);
    CHECK(e && e[0] == 0, "attn_error is \"%s\" after a successful %s", e ? e : "(null)", after);
}

static void check_error_set(const model *m, const char *after) {
    const char *e = attn_error(m->a);
    CHECK(e && e[0] != 0, "attn_error is empty after a failed %s", after);
}

/* Shapes, NULLs and disjoint buffers under the current state: the inputs'
 * and stages', then their gradients'. */
static void check_shapes(const model *m) {
    struct { const char *lo, *hi; } ranges[2 * (ATTN_INPUT_COUNT + ATTN_STAGE_COUNT)];
    int nranges = 0;
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        int is_input = i < ATTN_INPUT_COUNT, k = is_input ? i : i - ATTN_INPUT_COUNT;
        int dims[3] = {-7, -7, -7};
        unsigned long long want[3];
        int rank = is_input ? attn_input_shape(m->a, k, dims) : attn_stage_shape(m->a, k, dims);
        const void *p = is_input ? (const void *)attn_input(m->a, k) : (const void *)attn_stage(m->a, k);
        const char *name = is_input ? attn_input_name(k) : attn_stage_name(k);
        if (!m->configured) {
            CHECK(rank == 0 && p == NULL, "%s: rank %d, pointer %p before any configure", name, rank, p);
            continue;
        }
        int want_rank = is_input ? want_input_shape(&m->cfg, k, want) : want_stage_shape(&m->cfg, k, want);
        CHECK(rank == want_rank, "%s: rank %d, documented %d", name, rank, want_rank);
        for (int d = 0; d < rank; d++)
            CHECK((unsigned long long)(unsigned)dims[d] == want[d] && dims[d] > 0,
                  "%s: dim %d is %d, documented %llu", name, d, dims[d], want[d]);
        if (is_input) CHECK((p != NULL) == (rank > 0), "%s: pointer %p with rank %d", name, p, rank);
        else CHECK((p != NULL) == m->computed, "%s: pointer %p, computed %d", name, p, m->computed);
        if (p) {
            CHECK(((uintptr_t)p & 3) == 0, "%s: %p is not float-aligned", name, p);
            ranges[nranges].lo = p;
            ranges[nranges].hi = (const char *)p + count(rank, want) * sizeof(float);
            for (int r = 0; r < nranges; r++)
                CHECK(ranges[r].hi <= ranges[nranges].lo || ranges[nranges].hi <= ranges[r].lo,
                      "%s overlaps another buffer", name);
            nranges++;
        }
    }
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        int is_input = i < ATTN_INPUT_COUNT, k = is_input ? i : i - ATTN_INPUT_COUNT;
        int dims[3] = {-7, -7, -7};
        unsigned long long want[3];
        int rank = is_input ? attn_grad_shape(m->a, k, dims) : attn_stage_grad_shape(m->a, k, dims);
        const void *p = is_input ? (const void *)attn_grad(m->a, k) : (const void *)attn_stage_grad(m->a, k);
        const char *name = is_input ? attn_input_name(k) : attn_stage_name(k);
        if (!m->configured) {
            CHECK(rank == 0 && p == NULL, "d %s: rank %d, pointer %p before any configure", name, rank, p);
            continue;
        }
        int want_rank = is_input ? (is_mask(k) ? 0 : want_input_shape(&m->cfg, k, want)) : want_stage_shape(&m->cfg, k, want);
        CHECK(rank == want_rank, "d %s: rank %d, documented %d", name, rank, want_rank);
        for (int d = 0; d < rank; d++)
            CHECK((unsigned long long)(unsigned)dims[d] == want[d] && dims[d] > 0,
                  "d %s: dim %d is %d, documented %llu", name, d, dims[d], want[d]);
        CHECK((p != NULL) == (m->grads && rank > 0), "d %s: pointer %p with rank %d, gradients computed %d", name, p, rank, m->grads);
        if (p) {
            CHECK(((uintptr_t)p & 3) == 0, "d %s: %p is not float-aligned", name, p);
            ranges[nranges].lo = p;
            ranges[nranges].hi = (const char *)p + count(rank, want) * sizeof(float);
            for (int r = 0; r < nranges; r++)
                CHECK(ranges[r].hi <= ranges[nranges].lo || ranges[nranges].hi <= ranges[r].lo,
                      "d %s overlaps another buffer", name);
            nranges++;
        }
    }
}

/* ---- hashing ------------------------------------------------------------ */

/* Every float, or for a huge buffer (only configured, never computed) a sample. */
static uint64_t hash_floats(uint64_t h, const float *p, unsigned long long n) {
    h = (h ^ n) * 0x100000001b3ULL;
    unsigned long long step = n > (1ULL << 22) ? 4093 : 1;
    for (unsigned long long i = 0; i < n; i += step) {
        uint32_t bits;
        memcpy(&bits, p + i, 4);
        h = (h ^ bits) * 0x100000001b3ULL;
    }
    if (n) {
        uint32_t bits;
        memcpy(&bits, p + n - 1, 4);
        h = (h ^ bits) * 0x100000001b3ULL;
    }
    return h;
}

static uint64_t hash_inputs(model *m) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) {
        unsigned long long n;
        float *p = input_of(m, i, &n);
        h = (h ^ (uintptr_t)p) * 0x100000001b3ULL;
        if (p) h = hash_floats(h, p, n);
    }
    return h;
}

static uint64_t hash_stages(const model *m) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) {
        unsigned long long n;
        const float *p = stage_of(m, s, &n);
        h = (h ^ (uintptr_t)p) * 0x100000001b3ULL;
        if (p) h = hash_floats(h, p, n);
    }
    return h;
}

static uint64_t hash_grads(const model *m) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        unsigned long long n;
        const float *p = i < ATTN_INPUT_COUNT ? grad_of(m, i, &n) : stage_grad_of(m, i - ATTN_INPUT_COUNT, &n);
        h = (h ^ (uintptr_t)p) * 0x100000001b3ULL;
        if (p) h = hash_floats(h, p, n);
    }
    return h;
}

/* ---- input values ------------------------------------------------------- */

static const uint32_t special_bits[32] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0xc0000000, 0x7fc00000, 0xffc00000,
    0x7f800000, 0xff800000, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000, 0x00000001, 0x80000001,
    0x000116c2, 0x60ad78ec, 0xe0ad78ec, 0x7149f2ca, 0x7f61b1e6, 0x461c4000, 0xc61c4000, 0x42b16666,
    0xc2b16666, 0x1e3ce508, 0x4b800001, 0x501502f9, 0x477fe000, 0x7f800001, 0x7fbfffff, 0xc0400000};
/* 0, -0, 1, -1, 0.5, -2, NaN, -NaN, inf, -inf, ±FLT_MAX, ±FLT_MIN, ±denorm min, 1e-40, ±1e20, 1e30,
 * 3e38, ±1e4, ±88.7, 1e-20, 2^24+2, 1e10, 65504, signalling NaNs, -3 */

static float float_from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static void fill_input(model *m, source *s, int i, float *p, unsigned long long n) {
    uint8_t mode = next_byte(s), seed = next_byte(s);
    source prng = {NULL, 0, ((uint64_t)seed << 32) ^ ((uint64_t)m->op << 8) ^ (uint64_t)i ^ 0x5eed};
    source *values = mode & 0x80 ? s : &prng;
    int kind = (mode >> 4) & 7;
    static const unsigned thresholds[4] = {0, 64, 128, 256};
    unsigned threshold = thresholds[mode & 3];
    int is_mask = i == ATTN_ATTN_MASK || i == ATTN_KEY_PADDING_MASK;
    int bool_mask = (i == ATTN_ATTN_MASK && m->cfg.attn_mask_kind == ATTN_MASK_BOOL) ||
                    (i == ATTN_KEY_PADDING_MASK && m->cfg.key_padding_mask_kind == ATTN_MASK_BOOL);
    if (m->work > WORK_FORWARD) { /* too big to fill: write the ends, which ASan checks */
        p[0] = float_from_bits(next_u32(values));
        p[n - 1] = float_from_bits(next_u32(values));
        return;
    }
    for (unsigned long long j = 0; j < n; j++) {
        if (kind <= 3) {
            uint8_t b = next_byte(values);
            if (bool_mask) p[j] = b < threshold ? 1.0f : 0.0f;
            else if (is_mask && b < threshold) p[j] = -INFINITY;
            else p[j] = (float)(int8_t)b / 16.0f;
        } else if (kind <= 5) {
            p[j] = float_from_bits(special_bits[next_byte(values) & 31]);
        } else {
            p[j] = float_from_bits(next_u32(values));
        }
    }
}

static void fill(model *m, source *s) {
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) {
        unsigned long long n;
        float *p = input_of(m, i, &n);
        if (p) fill_input(m, s, i, p, n);
    }
}

/* Every input finite and |x| <= TAME_LIMIT (a float mask may hold -inf; a
 * bool mask anything): then no product can overflow, so a weights row can be
 * NaN only where it is fully masked. */
static int inputs_within(model *m, double limit) {
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) {
        unsigned long long n;
        const float *p = input_of(m, i, &n);
        if (!p) continue;
        int float_mask = (i == ATTN_ATTN_MASK && m->cfg.attn_mask_kind == ATTN_MASK_FLOAT) ||
                         (i == ATTN_KEY_PADDING_MASK && m->cfg.key_padding_mask_kind == ATTN_MASK_FLOAT);
        int bool_mask = (i == ATTN_ATTN_MASK || i == ATTN_KEY_PADDING_MASK) && !float_mask;
        if (bool_mask) continue;
        for (unsigned long long j = 0; j < n; j++) {
            if (float_mask && p[j] == -INFINITY) continue;
            if (!(fabsf(p[j]) <= limit)) return 0;
        }
    }
    return 1;
}

static int inputs_tame(model *m) { return inputs_within(m, TAME_LIMIT); }

/* ---- checks of a forward pass ------------------------------------------- */

/* The documented merge of the two masks for score (h, i, j), PyTorch 2's:
 * each mask as floats (a bool one: -inf where non-zero, else 0), then added.
 * -inf means masked. Columns j >= S get 0. */
static double mask_add(const model *m, int h, int i, int j) {
    const attn_config *c = &m->cfg;
    if (j >= c->src_len) return 0.0;
    float attn_mask = 0.0f, key_padding_mask = 0.0f;
    if (c->attn_mask_kind) {
        attn_mask = m->attn_mask[((size_t)(c->attn_mask_per_head ? h : 0) * c->tgt_len + i) * c->src_len + j];
        if (c->attn_mask_kind == ATTN_MASK_BOOL) attn_mask = attn_mask != 0.0f ? -INFINITY : 0.0f;
    }
    if (c->key_padding_mask_kind) {
        key_padding_mask = m->key_padding_mask[j];
        if (c->key_padding_mask_kind == ATTN_MASK_BOOL) key_padding_mask = key_padding_mask != 0.0f ? -INFINITY : 0.0f;
    }
    return (double)attn_mask + (double)key_padding_mask;
}

#define U (1.0 / 16777216.0) /* float32's unit roundoff */

/* |got - want| within the error bound of a float32 sum of n terms whose
 * absolute values add up to abs_sum (plus slack for underflow). */
static void check_close(const char *what, size_t at, float got, double want, double abs_sum, int n) {
    double tol = 1.5 * (n + 2) * U * abs_sum + 1e-35 * (n + 1);
    CHECK(fabs((double)got - want) <= tol, "%s[%zu] is %.9g, reference %.9g (tolerance %.3g)", what, at, got, want, tol);
}

static const float *weight_row(model *m, int p, int o, int *in) {
    unsigned long long n;
    const attn_config *c = &m->cfg;
    int E = c->embed_dim, packed = c->kdim == E && c->vdim == E;
    *in = p == 1 ? c->kdim : p == 2 ? c->vdim : E;
    if (p == 3) return input_of(m, ATTN_OUT_PROJ_WEIGHT, &n) + (size_t)o * E;
    if (packed) return input_of(m, ATTN_IN_PROJ_WEIGHT, &n) + ((size_t)p * E + o) * E;
    return input_of(m, ATTN_Q_PROJ_WEIGHT + p, &n) + (size_t)o * *in;
}

static double bias_of(model *m, int p, int o, double *abs_b) {
    unsigned long long n;
    double b = 0.0;
    if (m->cfg.bias) b = p == 3 ? input_of(m, ATTN_OUT_PROJ_BIAS, &n)[o] : input_of(m, ATTN_IN_PROJ_BIAS, &n)[(size_t)p * m->cfg.embed_dim + o];
    *abs_b = fabs(b);
    return b;
}

/* out (rows×E) = x (rows×in)·W_pᵀ + b_p, within float32's error bound. */
static void check_linear(model *m, const char *what, int p, int rows, const float *x, const float *out) {
    int E = m->cfg.embed_dim;
    for (int r = 0; r < rows; r++) {
        for (int o = 0; o < E; o++) {
            int in;
            const float *w = weight_row(m, p, o, &in);
            double abs_sum, sum = bias_of(m, p, o, &abs_sum);
            for (int k = 0; k < in; k++) {
                double t = (double)x[(size_t)r * in + k] * w[k];
                sum += t, abs_sum += fabs(t);
            }
            check_close(what, (size_t)r * E + o, out[(size_t)r * E + o], sum, abs_sum, in);
        }
    }
}

static void check_forward(model *m, int full) {
    const attn_config *c = &m->cfg;
    int E = c->embed_dim, H = c->num_heads, L = c->tgt_len, S = c->src_len, hd = E / H;
    int S2 = (int)src_ext(c);
    unsigned long long n;
    const float *q = stage_of(m, ATTN_Q, &n), *k = stage_of(m, ATTN_K, &n), *v = stage_of(m, ATTN_V, &n);
    const float *qs = stage_of(m, ATTN_Q_SCALED, &n), *scores = stage_of(m, ATTN_SCORES, &n);
    const float *weights = stage_of(m, ATTN_WEIGHTS, &n), *aw = stage_of(m, ATTN_ATTN_WEIGHTS, &n);
    const float *context = stage_of(m, ATTN_CONTEXT, &n), *output = stage_of(m, ATTN_OUTPUT, &n);
    int tame = inputs_tame(m), nan_rows = 0;
    m->attn_mask = input_of(m, ATTN_ATTN_MASK, &n);
    m->key_padding_mask = input_of(m, ATTN_KEY_PADDING_MASK, &n);

    /* the appended key/value rows */
    if (c->add_bias_kv) {
        CHECK(memcmp(k + (size_t)S * E, input_of(m, ATTN_BIAS_K, &n), (size_t)E * 4) == 0, "k's bias_k row is not bias_k");
        CHECK(memcmp(v + (size_t)S * E, input_of(m, ATTN_BIAS_V, &n), (size_t)E * 4) == 0, "v's bias_v row is not bias_v");
    }
    if (c->add_zero_attn)
        for (int e = 0; e < E; e++) {
            size_t at = (size_t)(S2 - 1) * E + e;
            CHECK(k[at] == 0.0f && v[at] == 0.0f, "zero-attention row %d holds %g, %g", e, k[at], v[at]);
        }

    /* q_scaled = q / sqrt(head_dim) */
    for (size_t i = 0; i < (size_t)L * E; i++) {
        double want = (double)q[i] / sqrt((double)hd);
        CHECK(isnan(qs[i]) ? isnan(q[i]) : fabs(qs[i] - want) <= 3 * U * fabs(want) + 1e-44 || (isinf(qs[i]) && isinf(q[i])),
              "q_scaled[%zu] = %g for q %g, head_dim %d", i, qs[i], q[i], hd);
    }

    /* weights: softmax rows */
    for (int h = 0; h < H; h++) {
        for (int i = 0; i < L; i++) {
            size_t row = ((size_t)h * L + i) * S2;
            const float *sc = scores + row, *w = weights + row;
            int nan_count = 0, any_nan_score = 0, fully_masked = 1;
            float max = -INFINITY;
            double sum = 0.0;
            for (int j = 0; j < S2; j++) {
                nan_count += isnan(w[j]) != 0;
                any_nan_score |= isnan(sc[j]) != 0;
                if (sc[j] > max) max = sc[j];
                int masked = mask_add(m, h, i, j) == -INFINITY;
                fully_masked &= masked;
                /* masked: -inf, or NaN when the product itself is NaN or +inf */
                if (masked)
                    CHECK(sc[j] == -INFINITY || isnan(sc[j]), "scores[%d][%d][%d] = %g where masked", h, i, j, sc[j]);
                if (!isnan(w[j])) {
                    CHECK(w[j] >= 0.0f && w[j] <= 1.0f, "weights[%d][%d][%d] = %g", h, i, j, w[j]);
                    sum += w[j];
                }
            }
            int max_finite = !any_nan_score && isfinite(max);
            nan_rows += nan_count == S2;
            CHECK(nan_count == 0 || nan_count == S2, "weights[%d][%d] has %d NaN of %d", h, i, nan_count, S2);
            CHECK((nan_count == S2) == !max_finite, "weights[%d][%d]: %s, but the scores' max is %g (NaN in scores: %d)",
                  h, i, nan_count ? "all NaN" : "finite", max, any_nan_score);
            if (!nan_count) CHECK(fabs(sum - 1.0) <= 1e-3, "weights[%d][%d] sums to %.9g", h, i, sum);
            if (tame)
                CHECK((nan_count == S2) == fully_masked, "weights[%d][%d]: %s with tame inputs, fully masked: %d",
                      h, i, nan_count ? "all NaN" : "finite", fully_masked);
            if (full && nan_count == 0) { /* softmax of the scores, in double */
                double e_sum = 0.0;
                for (int j = 0; j < S2; j++) e_sum += exp((double)sc[j] - max);
                for (int j = 0; j < S2; j++) {
                    double want = exp((double)sc[j] - max) / e_sum;
                    double tol = 1e-6 + 4.0 * (S2 + 100) * U * want;
                    CHECK(fabs(w[j] - want) <= tol, "weights[%d][%d][%d] = %.9g, softmax %.9g", h, i, j, w[j], want);
                }
            }
        }
    }

    TRACE("op %d: checked, work %llu, %s inputs, %d of %d weights rows NaN%s\n", m->op, m->work, tame ? "tame" : "wild",
          nan_rows, H * L, full && tame ? ", against the reference" : "");

    /* attn_weights: the mean over heads, or weights as they are */
    size_t per_head = (size_t)L * S2;
    if (!c->average_attn_weights) {
        CHECK(memcmp(aw, weights, per_head * H * 4) == 0, "attn_weights differ from weights without averaging");
    } else {
        for (size_t i = 0; i < per_head; i++) {
            double sum = 0.0, abs_sum = 0.0;
            int any_nan = 0;
            for (int h = 0; h < H; h++) {
                float w = weights[(size_t)h * per_head + i];
                any_nan |= isnan(w) != 0;
                sum += w, abs_sum += fabs(w);
            }
            if (any_nan) CHECK(isnan(aw[i]), "attn_weights[%zu] = %g where a head is NaN", i, aw[i]);
            else check_close("attn_weights", i, aw[i], sum / H, abs_sum / H, H + 1);
        }
    }

    /* context: a NaN weights row makes its context slice NaN */
    for (int h = 0; h < H; h++)
        for (int i = 0; i < L; i++)
            if (isnan(weights[((size_t)h * L + i) * S2]))
                for (int d = 0; d < hd; d++)
                    CHECK(isnan(context[(size_t)i * E + h * hd + d]), "context[%d][%d] is %g for a NaN weights row", i, h * hd + d,
                          context[(size_t)i * E + h * hd + d]);

    if (!full || !tame) return;

    /* The double reference, each stage from the previous one as computed. */
    check_linear(m, "q", 0, L, input_of(m, ATTN_QUERY, &n), q);
    check_linear(m, "k", 1, S, input_of(m, ATTN_KEY, &n), k);
    check_linear(m, "v", 2, S, input_of(m, ATTN_VALUE, &n), v);
    for (int h = 0; h < H; h++)
        for (int i = 0; i < L; i++)
            for (int j = 0; j < S2; j++) {
                size_t at = ((size_t)h * L + i) * S2 + j;
                double sum = 0.0, abs_sum = 0.0;
                for (int d = 0; d < hd; d++) {
                    double t = (double)qs[(size_t)i * E + h * hd + d] * k[(size_t)j * E + h * hd + d];
                    sum += t, abs_sum += fabs(t);
                }
                double add = mask_add(m, h, i, j);
                if (add == -INFINITY) CHECK(scores[at] == -INFINITY, "scores[%zu] = %g where masked", at, scores[at]);
                else check_close("scores", at, scores[at], sum + add, abs_sum + fabs(add), hd + 1);
            }
    for (int i = 0; i < L; i++)
        for (int h = 0; h < H; h++) {
            const float *w = weights + ((size_t)h * L + i) * S2;
            if (isnan(w[0])) continue;
            for (int d = 0; d < hd; d++) {
                double sum = 0.0, abs_sum = 0.0;
                for (int j = 0; j < S2; j++) {
                    double t = (double)w[j] * v[(size_t)j * E + h * hd + d];
                    sum += t, abs_sum += fabs(t);
                }
                check_close("context", (size_t)i * E + h * hd + d, context[(size_t)i * E + h * hd + d], sum, abs_sum, S2);
            }
        }
    for (int i = 0; i < L; i++) {
        int nan_row = 0;
        for (int e = 0; e < E; e++) nan_row |= isnan(context[(size_t)i * E + e]) != 0;
        if (nan_row) {
            for (int e = 0; e < E; e++) CHECK(isnan(output[(size_t)i * E + e]), "output[%d][%d] is not NaN for a NaN context row", i, e);
        } else {
            check_linear(m, "output", 3, 1, context + (size_t)i * E, output + (size_t)i * E);
        }
    }
}

/* The same configuration and inputs on a new object give the same bits. */
static void check_fresh(model *m) {
    attn *fresh = attn_new();
    CHECK(fresh != NULL, "attn_new failed");
    model f = *m;
    f.a = fresh;
    CHECK(attn_configure(fresh, &m->cfg) == ATTN_OK, "a fresh object rejects the configuration: %s", attn_error(fresh));
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) {
        unsigned long long n, n2;
        float *from = input_of(m, i, &n), *to = input_of(&f, i, &n2);
        CHECK(n == n2 && (from == NULL) == (to == NULL), "a fresh object's input %d differs", i);
        if (from) memcpy(to, from, n * 4);
    }
    CHECK(attn_forward(fresh) == ATTN_OK, "forward on a fresh object failed");
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) {
        unsigned long long n, n2;
        const float *x = stage_of(m, s, &n), *y = stage_of(&f, s, &n2);
        CHECK(n == n2 && memcmp(x, y, n * 4) == 0, "stage %s differs between this object and a fresh one", attn_stage_name(s));
    }
    attn_free(fresh);
}

/* ---- checks of a backward pass ------------------------------------------ */

/* out (rows×cols, row stride ldo) = A·B within float32's error bound, where
 * A[r][t] = a[r·ar + t·at] and B[t][c] = b[t·bt + c·bc], t < inner. */
static void check_product(const char *what, int rows, int cols, int inner, const float *a, size_t ar, size_t at,
                          const float *b, size_t bt, size_t bc, const float *out, size_t ldo) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            double sum = 0.0, abs_sum = 0.0;
            for (int t = 0; t < inner; t++) {
                double x = (double)a[r * ar + t * at] * b[t * bt + c * bc];
                sum += x, abs_sum += fabs(x);
            }
            check_close(what, r * ldo + c, out[r * ldo + c], sum, abs_sum, inner);
        }
}

/* d_b[o] = Σ_r d_y[r][o] (rows×E) */
static void check_column_sums(const char *what, int rows, int E, const float *d_y, const float *d_b) {
    for (int o = 0; o < E; o++) {
        double sum = 0.0, abs_sum = 0.0;
        for (int r = 0; r < rows; r++) sum += d_y[(size_t)r * E + o], abs_sum += fabs(d_y[(size_t)r * E + o]);
        check_close(what, o, d_b[o], sum, abs_sum, rows);
    }
}

/* A linear layer's backward (y = x·Wᵀ + b; x rows×in, W E×in), from d_y as computed. */
static void check_linear_backward(model *m, const char *name, int p, int rows, const float *x, const float *d_y,
                                  int input, int weight_input, const float *d_b) {
    unsigned long long n;
    int E = m->cfg.embed_dim, in;
    const float *w = weight_row(m, p, 0, &in);
    const float *d_w = grad_of(m, weight_input, &n);
    if (weight_input == ATTN_IN_PROJ_WEIGHT) d_w += (size_t)p * E * E;
    check_product(name, rows, in, E, d_y, E, 1, w, in, 1, grad_of(m, input, &n), in);
    check_product("d W", E, in, rows, d_y, 1, E, x, in, 1, d_w, in);
    if (d_b) check_column_sums("d b", rows, E, d_y, d_b);
}

static void check_backward(model *m, const float *given_weights) {
    const attn_config *c = &m->cfg;
    int E = c->embed_dim, H = c->num_heads, L = c->tgt_len, S = c->src_len, hd = E / H, S2 = (int)src_ext(c);
    int packed = c->kdim == E && c->vdim == E;
    unsigned long long n;
    const float *k = stage_of(m, ATTN_K, &n), *v = stage_of(m, ATTN_V, &n), *qs = stage_of(m, ATTN_Q_SCALED, &n);
    const float *weights = stage_of(m, ATTN_WEIGHTS, &n), *context = stage_of(m, ATTN_CONTEXT, &n);
    const float *d_out = stage_grad_of(m, ATTN_OUTPUT, &n), *d_aw = stage_grad_of(m, ATTN_ATTN_WEIGHTS, &n);
    const float *d_context = stage_grad_of(m, ATTN_CONTEXT, &n), *d_weights = stage_grad_of(m, ATTN_WEIGHTS, &n);
    const float *d_scores = stage_grad_of(m, ATTN_SCORES, &n), *d_qs = stage_grad_of(m, ATTN_Q_SCALED, &n);
    const float *d_q = stage_grad_of(m, ATTN_Q, &n), *d_k = stage_grad_of(m, ATTN_K, &n), *d_v = stage_grad_of(m, ATTN_V, &n);
    m->attn_mask = input_of(m, ATTN_ATTN_MASK, &n);
    m->key_padding_mask = input_of(m, ATTN_KEY_PADDING_MASK, &n);

    /* masking: 0 at a masked score (where the row's d weights are finite),
     * NaN through a fully masked (NaN) row;
     * softmax: each row of score gradients sums to 0 */
    int nan_rows = 0;
    for (int h = 0; h < H; h++)
        for (int i = 0; i < L; i++) {
            size_t row = ((size_t)h * L + i) * S2;
            if (isnan(weights[row])) {
                nan_rows++;
                for (int j = 0; j < S2; j++) CHECK(isnan(d_scores[row + j]), "d scores[%d][%d][%d] = %g in a NaN weights row", h, i, j, d_scores[row + j]);
                continue;
            }
            double sum = 0.0, abs_sum = 0.0;
            /* d weights finite, and Σ w·d weights far from overflowing: else
             * 0 · ∞ at a masked score is NaN, in autograd too */
            double weighted = 0.0;
            for (int j = 0; j < S2; j++) weighted += fabs((double)weights[row + j] * d_weights[row + j]);
            int finite_row = weighted <= 1e37;
            for (int j = 0; j < S2; j++) finite_row &= isfinite(d_weights[row + j]) != 0;
            for (int j = 0; j < S2; j++) {
                if (finite_row && mask_add(m, h, i, j) == -INFINITY)
                    CHECK(d_scores[row + j] == 0.0f, "d scores[%d][%d][%d] = %g at a masked score", h, i, j, d_scores[row + j]);
                sum += d_scores[row + j];
                abs_sum += fabs((double)weights[row + j] * d_weights[row + j]);
            }
            if (finite_row) CHECK(fabs(sum) <= 8.0 * (S2 + 4) * U * abs_sum + 1e-30, "d scores[%d][%d] sums to %g, not 0 (scale %g)", h, i, sum, abs_sum);
        }
    /* the row of bias_k and bias_v: their gradients as they are */
    if (c->add_bias_kv) {
        CHECK(memcmp(grad_of(m, ATTN_BIAS_K, &n), d_k + (size_t)S * E, (size_t)E * 4) == 0, "d bias_k is not d k's bias_k row");
        CHECK(memcmp(grad_of(m, ATTN_BIAS_V, &n), d_v + (size_t)S * E, (size_t)E * 4) == 0, "d bias_v is not d v's bias_v row");
    }
    if (nan_rows || !inputs_within(m, GENTLE_LIMIT)) return;

    /* gentle inputs, no NaN row: every gradient finite */
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        const float *p = i < ATTN_INPUT_COUNT ? grad_of(m, i, &n) : stage_grad_of(m, i - ATTN_INPUT_COUNT, &n);
        for (unsigned long long j = 0; p && j < n; j++)
            CHECK(isfinite(p[j]), "d %s[%llu] = %g with gentle inputs and no fully masked row",
                  i < ATTN_INPUT_COUNT ? attn_input_name(i) : attn_stage_name(i - ATTN_INPUT_COUNT), j, p[j]);
    }

    /* each product against a double reference from the gradients it is made of */
    int in;
    check_product("d context", L, E, E, d_out, E, 1, weight_row(m, 3, 0, &in), E, 1, d_context, E);
    check_product("d out_proj.weight", E, E, L, d_out, 1, E, context, E, 1, grad_of(m, ATTN_OUT_PROJ_WEIGHT, &n), E);
    if (c->bias) check_column_sums("d out_proj.bias", L, E, d_out, grad_of(m, ATTN_OUT_PROJ_BIAS, &n));
    for (int h = 0; h < H; h++) {
        size_t head = (size_t)h * L * S2;
        for (int i = 0; i < L; i++)
            for (int j = 0; j < S2; j++) { /* d_context_h·v_hᵀ, then attn_weights' and the given */
                size_t at = head + (size_t)i * S2 + j;
                double sum = 0.0, abs_sum = 0.0;
                for (int d = 0; d < hd; d++) {
                    double x = (double)d_context[(size_t)i * E + h * hd + d] * v[(size_t)j * E + h * hd + d];
                    sum += x, abs_sum += fabs(x);
                }
                double from_aw = c->average_attn_weights ? (double)d_aw[(size_t)i * S2 + j] / H : d_aw[at];
                sum += from_aw + given_weights[at], abs_sum += fabs(from_aw) + fabs(given_weights[at]);
                check_close("d weights", at, d_weights[at], sum, abs_sum, hd + 2);
            }
        for (int i = 0; i < L; i++) { /* softmax */
            size_t row = head + (size_t)i * S2;
            double dot = 0.0, abs_dot = 0.0;
            for (int j = 0; j < S2; j++) dot += (double)weights[row + j] * d_weights[row + j], abs_dot += fabs((double)weights[row + j] * d_weights[row + j]);
            for (int j = 0; j < S2; j++)
                check_close("d scores", row + j, d_scores[row + j], weights[row + j] * (d_weights[row + j] - dot),
                            fabs(weights[row + j]) * (fabs(d_weights[row + j]) + abs_dot), S2 + 2);
        }
        check_product("d v", S2, hd, L, weights + head, 1, S2, d_context + h * hd, E, 1, d_v + h * hd, E);
        check_product("d q_scaled", L, hd, S2, d_scores + head, S2, 1, k + h * hd, E, 1, d_qs + h * hd, E);
        check_product("d k", S2, hd, L, d_scores + head, 1, S2, qs + h * hd, E, 1, d_k + h * hd, E);
    }
    for (size_t i = 0; i < (size_t)L * E; i++)
        check_close("d q", i, d_q[i], (double)d_qs[i] / sqrt((double)hd), fabs(d_qs[i]) / sqrt((double)hd), 2);
    const float *d_b = c->bias ? grad_of(m, ATTN_IN_PROJ_BIAS, &n) : NULL;
    check_linear_backward(m, "d query", 0, L, input_of(m, ATTN_QUERY, &n), d_q, ATTN_QUERY,
                          packed ? ATTN_IN_PROJ_WEIGHT : ATTN_Q_PROJ_WEIGHT, d_b);
    check_linear_backward(m, "d key", 1, S, input_of(m, ATTN_KEY, &n), d_k, ATTN_KEY,
                          packed ? ATTN_IN_PROJ_WEIGHT : ATTN_K_PROJ_WEIGHT, d_b ? d_b + E : NULL);
    check_linear_backward(m, "d value", 2, S, input_of(m, ATTN_VALUE, &n), d_v, ATTN_VALUE,
                          packed ? ATTN_IN_PROJ_WEIGHT : ATTN_V_PROJ_WEIGHT, d_b ? d_b + 2 * E : NULL);
}

/* Writes dL/d output, attn_weights and weights from a PRNG: multiples of
 * 1/64 in [-1, 1), each of the last two zero half of the time. */
static void seed_gradients(model *m, attn *a, uint64_t seed) {
    static const int stages[3] = {ATTN_OUTPUT, ATTN_ATTN_WEIGHTS, ATTN_WEIGHTS};
    for (int s = 0; s < 3; s++) {
        float *p = attn_grad_input(a, stages[s]);
        CHECK(p != NULL, "attn_grad_input(%s) is NULL: %s", attn_stage_name(stages[s]), attn_error(a));
        unsigned long long d[3], n = count(want_stage_shape(&m->cfg, stages[s], d), d);
        int used = s == 0 || (splitmix(&seed) & 1);
        for (unsigned long long j = 0; j < n; j++) p[j] = used ? (float)((int)(splitmix(&seed) >> 57) - 64) / 64.0f : 0.0f;
    }
}

/* After a forward pass: a backward pass and its checks. */
static void backward(model *m, uint64_t stages) {
    uint64_t seed = stages ^ ((uint64_t)m->op << 40) ^ 0x6a09e667f3bcc909ULL;
    seed_gradients(m, m->a, seed);
    uint64_t inputs = hash_inputs(m);
    const float *given_weights = attn_grad_input(m->a, ATTN_WEIGHTS);
    unsigned long long weights_count = (unsigned long long)(unsigned)m->cfg.num_heads * (unsigned)m->cfg.tgt_len * src_ext(&m->cfg);
    uint64_t given = hash_floats(0, given_weights, weights_count);
    int status = attn_backward(m->a);
    TRACE("op %d: backward -> %d %s\n", m->op, status, attn_error(m->a));
    CHECK(status == ATTN_OK, "backward returned %d: %s", status, attn_error(m->a));
    check_error_empty(m, "backward");
    m->grads = 1;
    CHECK(hash_inputs(m) == inputs && hash_stages(m) == stages, "backward changed an input or a stage");
    check_shapes(m);
    check_backward(m, given_weights);
    uint64_t grads = hash_grads(m);
    CHECK(attn_backward(m->a) == ATTN_OK && hash_grads(m) == grads, "a second backward gave other gradients");
    CHECK(hash_floats(0, given_weights, weights_count) == given, "backward changed the given dL/d weights");

    /* a fresh object, the same inputs and dL/d: the same bits */
    attn *fresh = attn_new();
    CHECK(fresh != NULL, "attn_new failed");
    model f = *m;
    f.a = fresh;
    CHECK(attn_configure(fresh, &m->cfg) == ATTN_OK, "a fresh object rejects the configuration: %s", attn_error(fresh));
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) {
        unsigned long long count_m, count_f;
        float *from = input_of(m, i, &count_m), *to = input_of(&f, i, &count_f);
        if (from) memcpy(to, from, count_m * 4);
    }
    CHECK(attn_forward(fresh) == ATTN_OK, "forward on a fresh object failed");
    seed_gradients(&f, fresh, seed);
    CHECK(attn_backward(fresh) == ATTN_OK, "backward on a fresh object failed: %s", attn_error(fresh));
    for (int i = 0; i < ATTN_INPUT_COUNT + ATTN_STAGE_COUNT; i++) {
        int is_input = i < ATTN_INPUT_COUNT, k = is_input ? i : i - ATTN_INPUT_COUNT;
        unsigned long long count_m, count_f;
        const float *x = is_input ? grad_of(m, k, &count_m) : stage_grad_of(m, k, &count_m);
        const float *y = is_input ? grad_of(&f, k, &count_f) : stage_grad_of(&f, k, &count_f);
        CHECK(count_m == count_f && (x == NULL) == (y == NULL) && (!x || memcmp(x, y, count_m * 4) == 0),
              "d %s differs between this object and a fresh one", is_input ? attn_input_name(k) : attn_stage_name(k));
    }
    attn_free(fresh);
}

static void forward(model *m) {
    if (m->configured && m->work > WORK_FORWARD) { /* too slow to run */
        TRACE("op %d: forward skipped, work %llu\n", m->op, m->work);
        return;
    }
    uint64_t inputs = m->configured ? hash_inputs(m) : 0;
    int status = attn_forward(m->a);
    TRACE("op %d: forward -> %d %s\n", m->op, status, attn_error(m->a));
    if (!m->configured) {
        CHECK(status == ATTN_ERR_STATE, "forward before configure returned %d", status);
        check_error_set(m, "forward before configure");
        check_shapes(m);
        return;
    }
    CHECK(status == ATTN_OK, "forward returned %d: %s", status, attn_error(m->a));
    check_error_empty(m, "forward");
    m->computed = 1;
    CHECK(hash_inputs(m) == inputs, "forward changed an input");
    check_shapes(m);
    uint64_t stages = hash_stages(m);
    /* every stage read in full, so ASan sees every read */
    int full = m->work <= WORK_FULL;
    check_forward(m, full);
    CHECK(attn_forward(m->a) == ATTN_OK && hash_stages(m) == stages, "a second forward gave other stages");
    if (full) check_fresh(m);
    if (full) backward(m, stages);
    m->stages = stages;
}

static int configure(model *m, const attn_config *c) {
    int was_computed = m->computed;
    uint64_t inputs = hash_inputs(m), stages = hash_stages(m), grads = hash_grads(m);
    float *pointers[ATTN_INPUT_COUNT];
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) pointers[i] = attn_input(m->a, i);
    int same = c && m->configured && memcmp(c, &m->cfg, sizeof *c) == 0;

    int status = attn_configure(m->a, c);
    if (c)
        TRACE("op %d: configure {E %d H %d kdim %d vdim %d L %d S %d bias %d bias_kv %d zero_attn %d average %d mask %d per_head %d "
              "padding %d} -> %d %s\n", m->op, c->embed_dim, c->num_heads, c->kdim, c->vdim, c->tgt_len, c->src_len, c->bias,
              c->add_bias_kv, c->add_zero_attn, c->average_attn_weights, c->attn_mask_kind, c->attn_mask_per_head,
              c->key_padding_mask_kind, status, attn_error(m->a));
    else
        TRACE("op %d: configure NULL -> %d %s\n", m->op, status, attn_error(m->a));

    if (c) {
        unsigned allowed = allowed_statuses(c);
        CHECK(status >= 0 && status < 32 && (allowed >> status & 1),
              "configure {%d %d %d %d %d %d %d %d %d %d %d %d %d} returned %d (%s), allowed set 0x%x",
              c->embed_dim, c->num_heads, c->kdim, c->vdim, c->tgt_len, c->src_len, c->bias, c->add_bias_kv,
              c->add_zero_attn, c->average_attn_weights, c->attn_mask_kind, c->attn_mask_per_head,
              c->key_padding_mask_kind, status, attn_error(m->a), allowed);
        if (status == ATTN_ERR_LIMIT) check_limit_message(c, attn_error(m->a));
    } else {
        CHECK(status == ATTN_ERR_STATE, "configure(NULL) returned %d", status);
    }
    if (status != ATTN_OK) {
        check_error_set(m, c ? "configure" : "configure(NULL)");
        CHECK(hash_inputs(m) == inputs, "a failed configure changed the inputs");
        CHECK(hash_stages(m) == stages, "a failed configure changed the stages");
        CHECK(hash_grads(m) == grads, "a failed configure changed the gradients");
        for (int i = 0; i < ATTN_INPUT_COUNT; i++)
            CHECK(attn_input(m->a, i) == pointers[i], "a failed configure moved input %s", attn_input_name(i));
        check_shapes(m);
        /* the previous configuration still works, with the same result */
        if (!m->configured || was_computed) {
            forward(m);
            if (was_computed) /* (it was computed, so it is small enough to run) */
                CHECK(hash_stages(m) == stages, "after a failed configure, forward gives other stages");
        }
        return status;
    }
    check_error_empty(m, "configure");
    if (same) {
        for (int i = 0; i < ATTN_INPUT_COUNT; i++)
            CHECK(attn_input(m->a, i) == pointers[i], "configuring the same configuration moved input %s", attn_input_name(i));
    } else {
        m->computed = 0;
        m->grads = 0;
    }
    m->configured = 1;
    m->cfg = *c;
    m->work = work(c);
    check_shapes(m);
    return status;
}

/* Calls that must fail or answer nothing, whatever the state. */
static void misc(model *m) {
    int dims[3];
    attn_config c = m->cfg;
    CHECK(attn_input(m->a, -1) == NULL && attn_input(m->a, ATTN_INPUT_COUNT) == NULL, "attn_input out of range");
    CHECK(attn_stage(m->a, -1) == NULL && attn_stage(m->a, ATTN_STAGE_COUNT) == NULL, "attn_stage out of range");
    CHECK(attn_input_shape(m->a, -1, dims) == 0 && attn_input_shape(m->a, INT_MAX, dims) == 0, "attn_input_shape out of range");
    CHECK(attn_stage_shape(m->a, INT_MIN, dims) == 0 && attn_stage_shape(m->a, ATTN_STAGE_COUNT, dims) == 0, "attn_stage_shape out of range");
    CHECK(attn_input_name(ATTN_INPUT_COUNT) == NULL && attn_stage_name(-1) == NULL &&
          attn_config_field_name(ATTN_CONFIG_FIELDS) == NULL, "names out of range");
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) CHECK(attn_input_name(i) && attn_input_name(i)[0], "input %d has no name", i);
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) CHECK(attn_stage_name(s) && attn_stage_name(s)[0], "stage %d has no name", s);
    for (int f = 0; f < ATTN_CONFIG_FIELDS; f++) CHECK(attn_config_field_name(f) && attn_config_field_name(f)[0], "field %d has no name", f);
    CHECK(attn_input(NULL, 0) == NULL && attn_stage(NULL, 0) == NULL, "NULL object gives a buffer");
    CHECK(attn_input_shape(NULL, 0, dims) == 0 && attn_stage_shape(NULL, 0, dims) == 0, "NULL object has shapes");
    CHECK(attn_forward(NULL) != ATTN_OK && attn_configure(NULL, &c) != ATTN_OK, "NULL object accepted");
    CHECK(attn_error(NULL) != NULL, "attn_error(NULL) is NULL");
    CHECK(attn_grad(m->a, -1) == NULL && attn_grad(m->a, ATTN_INPUT_COUNT) == NULL && attn_stage_grad(m->a, -1) == NULL &&
          attn_stage_grad(m->a, ATTN_STAGE_COUNT) == NULL, "attn_grad / attn_stage_grad out of range");
    CHECK(attn_grad_shape(m->a, INT_MIN, dims) == 0 && attn_stage_grad_shape(m->a, ATTN_STAGE_COUNT, dims) == 0, "gradient shapes out of range");
    CHECK(attn_grad_input(m->a, ATTN_Q) == NULL && attn_grad_input(m->a, -1) == NULL && attn_grad_input(m->a, ATTN_STAGE_COUNT) == NULL,
          "attn_grad_input for a stage that takes no gradient");
    CHECK(attn_grad(NULL, 0) == NULL && attn_stage_grad(NULL, 0) == NULL && attn_grad_input(NULL, ATTN_OUTPUT) == NULL &&
          attn_grad_shape(NULL, 0, dims) == 0 && attn_backward(NULL) != ATTN_OK, "NULL object has gradients");
    attn_free(NULL);
    attn *fresh = attn_new();
    CHECK(fresh != NULL, "attn_new failed");
    CHECK(attn_forward(fresh) == ATTN_ERR_STATE && attn_error(fresh)[0], "forward on a fresh object");
    CHECK(attn_backward(fresh) == ATTN_ERR_STATE && attn_error(fresh)[0], "backward on a fresh object");
    CHECK(attn_grad_input(fresh, ATTN_OUTPUT) == NULL && attn_grad(fresh, 0) == NULL, "a fresh object has gradient buffers");
    CHECK(attn_stage(fresh, 0) == NULL && attn_input(fresh, 0) == NULL, "a fresh object has buffers");
    attn_free(fresh);
    check_shapes(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (trace < 0) trace = getenv("FUZZ_ATTN_TRACE") && getenv("FUZZ_ATTN_TRACE")[0] == '1';
    source s = {data, size, 0x243f6a8885a308d3ULL ^ (uint64_t)size};
    model m;
    memset(&m, 0, sizeof m);
    m.a = attn_new();
    CHECK(m.a != NULL, "attn_new failed");
    CHECK(attn_error(m.a) && attn_error(m.a)[0] == 0, "a new object has an error");
    check_shapes(&m);
    for (m.op = 0; m.op < MAX_OPS && s.size; m.op++) {
        attn_config c;
        switch (next_byte(&s) % 8) {
        case 0:
        case 1:
        case 2:
            read_config(&s, &c);
            if (configure(&m, &c) == ATTN_OK) {
                fill(&m, &s);
                forward(&m);
            }
            break;
        case 3: {
            int was_computed = m.computed;
            uint64_t before = m.stages;
            forward(&m);
            if (was_computed) CHECK(m.stages == before, "forward without new inputs changed the stages");
            break;
        }
        case 4:
            if (!m.configured) break;
            fill(&m, &s);
            forward(&m);
            break;
        case 5: configure(&m, NULL); break;
        case 6: if (m.configured) configure(&m, &m.cfg); break;
        case 7: misc(&m); TRACE("op %d: misc\n", m.op); break;
        }
    }
    attn_free(m.a);
    return 0;
}
