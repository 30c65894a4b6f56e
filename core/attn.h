/* attn.h: one unbatched torch.nn.MultiheadAttention forward pass (eval mode),
 * with every intermediate stage kept for the caller to read, and its backward
 * pass (the gradients, at the end of this file).
 *
 * Usage:
 *     attn *a = attn_new();
 *     attn_config cfg = {.embed_dim = 2, .num_heads = 1, .kdim = 2, .vdim = 2,
 *                        .tgt_len = 3, .src_len = 3, .bias = 1,
 *                        .average_attn_weights = 1};
 *     if (attn_configure(a, &cfg) != ATTN_OK) puts(attn_error(a));
 *     memcpy(attn_input(a, ATTN_QUERY), query, 3 * 2 * sizeof(float));
 *     ... every other input that attn_input() does not return NULL for ...
 *     attn_forward(a);
 *     const float *w = attn_stage(a, ATTN_WEIGHTS);   // H×L×S'
 *     attn_free(a);
 *
 * The object owns every buffer; pointers stay valid until the next
 * attn_configure() that changes the configuration, which also zeroes every
 * input (configuring the same one again keeps them). Inputs stay resident
 * between calls: write only what changed (see attn_input() and
 * attn_input_changed() for how a change is seen). Its memory only grows: it
 * keeps the largest block any configuration needed until attn_free(). Names
 * follow PyTorch's state_dict and forward() arguments. All math is float32;
 * softmax is the max-subtracted form, so large logits do not overflow. There
 * is no global state: several objects may be used at once.
 */
#ifndef ATTN_H
#define ATTN_H

#include <stddef.h>

/* Limits. Larger configurations are rejected with ATTN_ERR_LIMIT. */
#define ATTN_MAX_DIM 4096             /* embed_dim, kdim, vdim, tgt_len, src_len */
#define ATTN_MAX_ELEMENTS (1L << 24)  /* floats in any one buffer, e.g. H×L×S' */
#define ATTN_MAX_BYTES (1L << 29)     /* all buffers of one object together, with the packed
                                         copy of each weight: 512 MiB */

/* Status codes, returned by attn_configure(), attn_forward() and attn_backward(). */
enum {
    ATTN_OK = 0,
    ATTN_ERR_INVALID = 1, /* a configuration that PyTorch would reject */
    ATTN_ERR_LIMIT = 2,   /* past one of the limits above */
    ATTN_ERR_NOMEM = 3,   /* the allocation failed */
    ATTN_ERR_STATE = 4    /* a call out of order, e.g. forward before configure */
};

/* Kinds of mask, for attn_config.attn_mask_kind and .key_padding_mask_kind. */
enum {
    ATTN_MASK_NONE = 0,
    ATTN_MASK_BOOL = 1,  /* non-zero = may not attend (becomes -inf) */
    ATTN_MASK_FLOAT = 2  /* added to the scores */
};

/* The module's options and the input sizes. Every field is an int, so the
 * struct is an int array in this order (the JS binding writes it so, with the
 * names from attn_config_field_name()). */
typedef struct {
    int embed_dim;            /* E */
    int num_heads;            /* H, divides E; head_dim = E / H */
    int kdim;                 /* key features; = E for self-attention */
    int vdim;                 /* value features; = E for self-attention */
    int tgt_len;              /* L, query rows */
    int src_len;              /* S, key and value rows */
    int bias;                 /* 1: in_proj_bias and out_proj.bias are used */
    int add_bias_kv;          /* 1: bias_k and bias_v are appended as a key/value row */
    int add_zero_attn;        /* 1: a zero key/value row is appended */
    int average_attn_weights; /* 1: attn_weights is the mean over heads */
    int attn_mask_kind;       /* ATTN_MASK_* */
    int attn_mask_per_head;   /* 1: attn_mask is H×L×S; 0: L×S */
    int key_padding_mask_kind;/* ATTN_MASK_*; masks merge as in PyTorch 2: each as floats
                                 (bool: -inf where set, else 0), then added */
} attn_config;

#define ATTN_CONFIG_FIELDS 13

/* Inputs. Shapes: S' = S + add_bias_kv + add_zero_attn. in_proj_weight is
 * used when kdim = vdim = E; q/k/v_proj_weight otherwise (as in PyTorch). */
enum {
    ATTN_QUERY,            /* L×E */
    ATTN_KEY,              /* S×kdim */
    ATTN_VALUE,            /* S×vdim */
    ATTN_IN_PROJ_WEIGHT,   /* 3E×E, rows W_q, W_k, W_v */
    ATTN_Q_PROJ_WEIGHT,    /* E×E */
    ATTN_K_PROJ_WEIGHT,    /* E×kdim */
    ATTN_V_PROJ_WEIGHT,    /* E×vdim */
    ATTN_IN_PROJ_BIAS,     /* 3E, b_q, b_k, b_v; with bias */
    ATTN_BIAS_K,           /* E; with add_bias_kv */
    ATTN_BIAS_V,           /* E; with add_bias_kv */
    ATTN_OUT_PROJ_WEIGHT,  /* E×E */
    ATTN_OUT_PROJ_BIAS,    /* E; with bias */
    ATTN_ATTN_MASK,        /* L×S or H×L×S, as floats (bool: 0 or 1) */
    ATTN_KEY_PADDING_MASK, /* S, as floats (bool: 0 or 1) */
    ATTN_INPUT_COUNT
};

/* Stages, in the order they are computed. */
enum {
    ATTN_Q,            /* L×E    query·W_qᵀ + b_q */
    ATTN_K,            /* S'×E   key·W_kᵀ + b_k, then bias_k, then a zero row */
    ATTN_V,            /* S'×E   value·W_vᵀ + b_v, then bias_v, then a zero row */
    ATTN_Q_SCALED,     /* L×E    q / sqrt(head_dim) */
    ATTN_SCORES,       /* H×L×S' q_scaled·kᵀ per head, plus the mask (-inf where masked) */
    ATTN_WEIGHTS,      /* H×L×S' softmax of each score row (NaN for a fully masked row) */
    ATTN_ATTN_WEIGHTS, /* L×S' (mean over heads) or H×L×S' */
    ATTN_CONTEXT,      /* L×E    per head weights·v, heads side by side */
    ATTN_OUTPUT,       /* L×E    context·W_oᵀ + b_o */
    ATTN_STAGE_COUNT
};

typedef struct attn attn;

attn *attn_new(void);     /* NULL when out of memory */
void attn_free(attn *a);  /* NULL is fine */

/* Validates cfg and sizes the buffers. On failure the previous configuration,
 * its buffers and their contents stay as they were. */
int attn_configure(attn *a, const attn_config *cfg);

/* The buffer to write an input into; NULL when this configuration does not
 * use that input. Inputs keep their values across attn_forward() calls.
 *
 * Change tracking: the core keeps each weight packed for its kernels and
 * packs it again only when the weight is marked changed; it never compares
 * values. attn_input() marks the input it returns as changed, so writing
 * through the pointer it has just returned needs nothing more. A caller that
 * keeps the pointer and writes through it later (the JS binding does) calls
 * attn_input_changed() after writing, before the next attn_forward(). */
float *attn_input(attn *a, int input);
void attn_input_changed(attn *a, int input);

/* Computes every stage from the inputs. */
int attn_forward(attn *a);

/* A stage's values, valid after attn_forward(); NULL before. */
const float *attn_stage(const attn *a, int stage);

/* Shape of an input or a stage under the current configuration: writes up
 * to 3 dims and returns the rank, or 0 when it is unused or unknown. */
int attn_input_shape(const attn *a, int input, int dims[3]);
int attn_stage_shape(const attn *a, int stage, int dims[3]);

/* Names: PyTorch's ("in_proj_weight", "out_proj.bias", ...) and DESIGN.md's
 * ("q_scaled", "attn_weights", ...). NULL past the end. */
const char *attn_input_name(int input);
const char *attn_stage_name(int stage);
const char *attn_config_field_name(int field);

/* The reason for the last failure of this object, "" after a success. */
const char *attn_error(const attn *a);

/* ---- gradients (backward.c) ---------------------------------------------
 * For a loss L of the results, attn_backward() computes dL/d every stage and
 * dL/d every input but the masks, from what the caller gives: dL/d output, and
 * when L also reads them, dL/d attn_weights and dL/d weights.
 *
 *     attn_forward(a);
 *     float *d_output = attn_grad_input(a, ATTN_OUTPUT);   // L×E, zeros at first
 *     if (!d_output) puts(attn_error(a));
 *     d_output[0 * E + 1] = 1.0f;                           // L = output[0][1]
 *     attn_backward(a);
 *     const float *d_w = attn_grad(a, ATTN_IN_PROJ_WEIGHT); // 3E×E: ∂output[0][1]/∂in_proj_weight
 *     const float *d_s = attn_stage_grad(a, ATTN_SCORES);   // H×L×S'
 *
 * Each stage's backward is one function, called in the reverse order of the
 * forward pass. Gradients have the shape of what they are the gradient of;
 * they are exact to float32 rounding, as torch.autograd gives them: a masked
 * score's gradient is 0, and a fully masked row (NaN weights) makes NaN
 * gradients wherever it reaches, as in PyTorch.
 *
 * The inputs are separate tensors here. In self-attention the caller passes
 * one tensor as query, key and value: its gradient is then the sum
 * attn_grad(QUERY) + attn_grad(KEY) + attn_grad(VALUE), which is what
 * autograd gives for one tensor used three times (the JS binding adds them).
 *
 * The gradient buffers are a block of their own, owned by the object: the
 * first attn_grad_input() or attn_backward() after a configure that changed
 * the configuration allocates (or reuses) and zeroes it, so an object that is
 * never asked for gradients never holds it. With it, all of an object's
 * buffers together stay within ATTN_MAX_BYTES (else ATTN_ERR_LIMIT). */

/* Where dL/d stage goes for attn_backward() to read, for ATTN_OUTPUT (L×E),
 * ATTN_ATTN_WEIGHTS (its stage's shape) and ATTN_WEIGHTS (H×L×S': the loss's
 * own use of weights, besides what reaches them through attn_weights and
 * context). Zero after a configure; values are kept across calls, so leave
 * at zero the ones the loss does not use. NULL for other stages, before a
 * successful configure, or when the gradient buffers cannot be had (past a
 * limit, out of memory: attn_error() says which). */
float *attn_grad_input(attn *a, int stage);

/* Computes every gradient from the stages of the last attn_forward() and the
 * inputs as they are (so change no input in between); it only reads them and
 * marks none changed, so the next attn_forward() packs no weight again because
 * of it. ATTN_ERR_STATE before
 * an attn_forward() of the current configuration; ATTN_ERR_LIMIT or
 * ATTN_ERR_NOMEM when the gradient buffers cannot be had. */
int attn_backward(attn *a);

/* dL/d input (query, key, value, the weights and biases; NULL for the masks
 * and unused inputs) and dL/d stage (every stage; for output and
 * attn_weights, what was given), valid after attn_backward() until the next
 * configure that changes the configuration; NULL before. */
const float *attn_grad(const attn *a, int input);
const float *attn_stage_grad(const attn *a, int stage);

/* Shapes of those gradients, as attn_input_shape() and attn_stage_shape();
 * 0 for the masks and unused inputs. */
int attn_grad_shape(const attn *a, int input, int dims[3]);
int attn_stage_grad_shape(const attn *a, int stage, int dims[3]);

#endif
