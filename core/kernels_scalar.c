/* kernels_scalar.c: the plain C kernels. The reference for the SIMD ones,
 * and what the native build and the scalar wasm build run. */
#include "kernels.h"

#include <math.h>

void attn__gemm(int m, int n, int k, const float *a, int lda,
                const float *packed_b, const float *bias, float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        const float *a_row = a + (size_t)i * lda;
        for (int j0 = 0; j0 < n; j0 += ATTN__PANEL) {
            const float *panel = packed_b + (size_t)j0 * k;
            int width = n - j0 < ATTN__PANEL ? n - j0 : ATTN__PANEL;
            float acc[ATTN__PANEL];
            for (int jj = 0; jj < ATTN__PANEL; jj++) acc[jj] = bias && jj < width ? bias[j0 + jj] : 0.0f;
            for (int kk = 0; kk < k; kk++) {
                float a_ik = a_row[kk];
                const float *b_row = panel + (size_t)kk * ATTN__PANEL;
                for (int jj = 0; jj < ATTN__PANEL; jj++) acc[jj] += a_ik * b_row[jj];
            }
            for (int jj = 0; jj < width; jj++) c[(size_t)i * ldc + j0 + jj] = acc[jj];
        }
    }
}

void attn__softmax_rows(int rows, int cols, const float *x, float *y) {
    for (int r = 0; r < rows; r++) {
        const float *in = x + (size_t)r * cols;
        float *out = y + (size_t)r * cols;
        float max = in[0];
        for (int j = 1; j < cols; j++) max = (in[j] > max || isnan(in[j])) ? in[j] : max;
        if (!isfinite(max)) {
            for (int j = 0; j < cols; j++) out[j] = NAN;
            continue;
        }
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) sum += out[j] = expf(in[j] - max);
        float scale = 1.0f / sum; /* times 1/sum, as PyTorch's softmax does */
        for (int j = 0; j < cols; j++) out[j] *= scale;
    }
}
