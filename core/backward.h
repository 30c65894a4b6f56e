/* backward.h: what attn.c and backward.c share, private to core/.
 *
 * backward.c keeps the gradients in a block of buffers of its own
 * (attn_grads), which the attn object holds and attn.c never reads: attn.c
 * frees it with the object and tells it when the configuration changes. */
#ifndef ATTN_BACKWARD_H
#define ATTN_BACKWARD_H

#include <stddef.h>

#include "attn.h"

typedef struct attn_grads attn_grads;

/* backward.c, for attn.c */
void attn__grads_free(attn_grads *g);   /* NULL is fine */
void attn__grads_forget(attn_grads *g); /* the configuration changed: lay out and zero again at the next use; NULL is fine */

/* attn.c, for backward.c */
const attn_config *attn__config(const attn *a); /* NULL before a successful configure */
const float *attn__input_read(const attn *a, int input); /* attn_input() for reading: marks nothing changed */
attn_grads *attn__grads(const attn *a);         /* NULL until attn__set_grads() */
void attn__set_grads(attn *a, attn_grads *g);
size_t attn__buffer_floats(const attn *a);      /* floats the forward pass's buffers take */
int attn__fail(attn *a, int code, const char *format, ...); /* sets attn_error(), "" with ATTN_OK; returns code */

#endif
