/* pack.c: packing of the right-hand matrix of a product, shared by the scalar
 * and the SIMD kernels. Layout: see kernels.h. */
#include "kernels.h"

#include <string.h>

size_t attn__packed_size(int k, int n) {
    size_t panels = ((size_t)n + ATTN__PANEL - 1) / ATTN__PANEL;
    return panels * (size_t)k * ATTN__PANEL;
}

/* B = Wᵀ: B[kk][j] = W[j][kk]. */
void attn__pack_transposed(const float *w, int ldw, int n, int k, float *packed) {
    for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
        int width = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
        float *panel = packed + (size_t)j0 * k; /* panel j0/8 starts at j0·k */
        for (int kk = 0; kk < k; kk++) {
            float *row = panel + (size_t)kk * ATTN__PANEL;
            for (int jj = 0; jj < width; jj++) row[jj] = w[(size_t)(j0 + jj) * ldw + kk];
            for (int jj = width; jj < ATTN__PANEL; jj++) row[jj] = 0.0f;
        }
    }
}

void attn__pack(const float *b, int ldb, int k, int n, float *packed) {
    for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
        int width = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
        float *panel = packed + (size_t)j0 * k;
        for (int kk = 0; kk < k; kk++) {
            float *row = panel + (size_t)kk * ATTN__PANEL;
            memcpy(row, b + (size_t)kk * ldb + j0, (size_t)width * sizeof(float));
            for (int jj = width; jj < ATTN__PANEL; jj++) row[jj] = 0.0f;
        }
    }
}
