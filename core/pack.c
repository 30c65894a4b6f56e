/* pack.c: packing of the right-hand matrix of a product, and the transpose of
 * a left-hand one, shared by the scalar and the SIMD kernels. Layout: see
 * kernels.h. */
#include "kernels.h"

#include <string.h>

size_t attn__packed_size(int k, int n) {
    size_t panels = ((size_t)n + ATTN__PANEL - 1) / ATTN__PANEL;
    return panels * (size_t)k * ATTN__PANEL;
}

/* Each row of a panel is written whole, ATTN__PANEL floats, by one loop of
 * that many with a select for the columns past n: a copy and a fill of a
 * variable count would become calls to memcpy and memset, which cost more
 * than those few floats on the small shapes (the lecture's 3×2) where packing
 * is most of the work. */

/* B = Wᵀ: B[kk][j] = W[j][kk]. */
void attn__pack_transposed(const float *w, int ldw, int n, int k, float *packed) {
    for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
        int width = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
        float *panel = packed + (size_t)j0 * k; /* panel j0/ATTN__PANEL starts at j0·k */
        const float *column = w + (size_t)j0 * ldw;
        for (int kk = 0; kk < k; kk++) {
            float *row = panel + (size_t)kk * ATTN__PANEL;
            for (int jj = 0; jj < ATTN__PANEL; jj++) row[jj] = jj < width ? column[(size_t)jj * ldw + kk] : 0.0f;
        }
    }
}

void attn__pack(const float *b, int ldb, int k, int n, float *packed) {
    for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
        int width = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
        float *panel = packed + (size_t)j0 * k;
        for (int kk = 0; kk < k; kk++) {
            float *row = panel + (size_t)kk * ATTN__PANEL;
            const float *from = b + (size_t)kk * ldb + j0;
            if (width == ATTN__PANEL)
                memcpy(row, from, ATTN__PANEL * sizeof(float)); /* a constant size: inlined */
            else
                for (int jj = 0; jj < ATTN__PANEL; jj++) row[jj] = jj < width ? from[jj] : 0.0f;
        }
    }
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
