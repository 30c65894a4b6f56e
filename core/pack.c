/* pack.c: packing of the right-hand matrix of a product, and the transpose of
 * a left-hand one, shared by the scalar and the SIMD kernels. Layout: see
 * kernels.h. */
#include "kernels.h"

#include <string.h>

size_t attn__packed_size(int k, int n) {
    size_t width = (size_t)attn__panel(n);
    return ((size_t)n + width - 1) / width * (size_t)k * width;
}

/* Each row of a panel is written whole, `width` floats (a constant once
 * inlined), by one loop with a select for the columns past n: a copy and a
 * fill of a variable count would become calls to memcpy and memset, which
 * cost more than those few floats on the small shapes (the lecture's 3×2)
 * where packing is most of the work. */

/* B = Wᵀ: B[kk][j] = W[j][kk], in panels of `width` columns. */
static inline __attribute__((always_inline)) void pack_transposed(int width, const float *w, int ldw, int n, int k,
                                                                  float *packed) {
    for (int j0 = 0; j0 < n; j0 += width) {
        int cols = n - j0 < width ? n - j0 : width;
        float *panel = packed + (size_t)j0 * k; /* panel j0/width starts at j0·k */
        const float *column = w + (size_t)j0 * ldw;
        for (int kk = 0; kk < k; kk++) {
            float *row = panel + (size_t)kk * width;
            for (int jj = 0; jj < width; jj++) row[jj] = jj < cols ? column[(size_t)jj * ldw + kk] : 0.0f;
        }
    }
}

void attn__pack_transposed(const float *w, int ldw, int n, int k, float *packed) {
    if (attn__panel(n) == ATTN__WIDE_PANEL)
        pack_transposed(ATTN__WIDE_PANEL, w, ldw, n, k, packed);
    else
        pack_transposed(ATTN__PANEL, w, ldw, n, k, packed);
}

static inline __attribute__((always_inline)) void pack(int width, const float *b, int ldb, int k, int n, float *packed) {
    for (int j0 = 0; j0 < n; j0 += width) {
        int cols = n - j0 < width ? n - j0 : width;
        float *panel = packed + (size_t)j0 * k;
        for (int kk = 0; kk < k; kk++) {
            float *row = panel + (size_t)kk * width;
            const float *from = b + (size_t)kk * ldb + j0;
            if (cols == width)
                memcpy(row, from, (size_t)width * sizeof(float)); /* a constant size: inlined */
            else
                for (int jj = 0; jj < width; jj++) row[jj] = jj < cols ? from[jj] : 0.0f;
        }
    }
}

void attn__pack(const float *b, int ldb, int k, int n, float *packed) {
    if (attn__panel(n) == ATTN__WIDE_PANEL)
        pack(ATTN__WIDE_PANEL, b, ldb, k, n, packed);
    else
        pack(ATTN__PANEL, b, ldb, k, n, packed);
}

/* In 8×8 blocks, so that the 8 rows read and the 8 rows written of a block
 * stay in cache together. */
void attn__transpose(const float *x, int ldx, int rows, int cols, float *xt) {
    for (int r0 = 0; r0 < rows; r0 += 8) {
        int r_end = rows - r0 < 8 ? rows : r0 + 8;
        for (int c0 = 0; c0 < cols; c0 += 8) {
            int c_end = cols - c0 < 8 ? cols : c0 + 8;
            for (int r = r0; r < r_end; r++)
                for (int c = c0; c < c_end; c++) xt[(size_t)c * rows + r] = x[(size_t)r * ldx + c];
        }
    }
}
