/* driver.c: a native front end to the core, for the tests and the benchmark.
 *
 * Reads whitespace-separated commands from stdin:
 *     config E H kdim vdim L S bias add_bias_kv add_zero_attn average_attn_weights
 *            attn_mask_kind attn_mask_per_head key_padding_mask_kind
 *     input NAME v1 v2 ...        as many values as the input's shape holds
 *     forward                     prints every stage:  stage NAME RANK D0 D1 D2 v1 v2 ...
 *     grad_input STAGE v1 v2 ...  dL/d STAGE (output, attn_weights or weights) for backward
 *     backward                    prints every gradient, the inputs' then the stages':
 *                                     grad NAME RANK D0 D1 D2 v1 v2 ...
 *     time N                      runs forward N times, prints: time MEDIAN_MS MIN_MS
 *     time_backward N             runs backward N times, prints the same
 * Values are printed with %.9g (nan, inf, -inf for the non-finite ones).
 * A failure of the core prints "error CODE REASON" and the driver goes on; a
 * malformed command exits 2.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attn.h"

static void die(const char *what, const char *word) {
    fprintf(stderr, "driver: %s%s%s\n", what, word ? ": " : "", word ? word : "");
    exit(2);
}

static int read_int(void) {
    int value;
    if (scanf("%d", &value) != 1) die("expected an integer", NULL);
    return value;
}

static int find_stage(const char *name) {
    for (int s = 0; s < ATTN_STAGE_COUNT; s++)
        if (strcmp(attn_stage_name(s), name) == 0) return s;
    die("unknown stage", name);
    return -1;
}

static int find_input(const char *name) {
    for (int i = 0; i < ATTN_INPUT_COUNT; i++)
        if (strcmp(attn_input_name(i), name) == 0) return i;
    die("unknown input", name);
    return -1;
}

static size_t count_of(int rank, const int dims[3]) {
    size_t n = rank ? 1 : 0;
    for (int d = 0; d < rank; d++) n *= (size_t)dims[d];
    return n;
}


static void print_values(const char *kind, const char *name, int rank, const int dims[3], const float *data) {
    printf("%s %s %d %d %d %d", kind, name, rank, dims[0], rank > 1 ? dims[1] : 0, rank > 2 ? dims[2] : 0);
    for (size_t i = 0, n = count_of(rank, dims); i < n; i++) printf(" %.9g", data[i]);
    putchar('\n');
}

static void print_stages(const attn *a) {
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) {
        int dims[3] = {0, 0, 0};
        int rank = attn_stage_shape(a, s, dims);
        print_values("stage", attn_stage_name(s), rank, dims, attn_stage(a, s));
    }
}

static void print_grads(const attn *a) {
    for (int i = 0; i < ATTN_INPUT_COUNT; i++) {
        int dims[3] = {0, 0, 0};
        int rank = attn_grad_shape(a, i, dims);
        if (rank) print_values("grad", attn_input_name(i), rank, dims, attn_grad(a, i));
    }
    for (int s = 0; s < ATTN_STAGE_COUNT; s++) {
        int dims[3] = {0, 0, 0};
        int rank = attn_stage_grad_shape(a, s, dims);
        print_values("grad", attn_stage_name(s), rank, dims, attn_stage_grad(a, s));
    }
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare_doubles(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* pass: attn_forward or attn_backward */
static void time_pass(attn *a, int (*pass)(attn *), int runs) {
    if (runs < 1) die("time needs at least one run", NULL);
    double *ms = malloc(sizeof(double) * (size_t)runs);
    if (!ms) die("out of memory", NULL);
    for (int r = 0; r < runs; r++) {
        double start = now_ms();
        int status = pass(a);
        ms[r] = now_ms() - start;
        if (status != ATTN_OK) die("the timed pass failed", attn_error(a));
    }
    qsort(ms, (size_t)runs, sizeof *ms, compare_doubles);
    printf("time %.6f %.6f\n", ms[runs / 2], ms[0]);
    free(ms);
}

int main(void) {
    attn *a = attn_new();
    if (!a) die("out of memory", NULL);
    char word[64];
    while (scanf("%63s", word) == 1) {
        if (strcmp(word, "config") == 0) {
            int fields[ATTN_CONFIG_FIELDS];
            for (int f = 0; f < ATTN_CONFIG_FIELDS; f++) fields[f] = read_int();
            attn_config cfg;
            memcpy(&cfg, fields, sizeof cfg);
            int status = attn_configure(a, &cfg);
            if (status != ATTN_OK) printf("error %d %s\n", status, attn_error(a));
        } else if (strcmp(word, "input") == 0) {
            if (scanf("%63s", word) != 1) die("expected an input name", NULL);
            int input = find_input(word), dims[3];
            float *data = attn_input(a, input);
            size_t n = count_of(attn_input_shape(a, input, dims), dims);
            if (!data) die("input not used by this configuration", word);
            for (size_t i = 0; i < n; i++)
                if (scanf("%f", &data[i]) != 1) die("expected a number in input", word);
        } else if (strcmp(word, "forward") == 0) {
            int status = attn_forward(a);
            if (status != ATTN_OK) printf("error %d %s\n", status, attn_error(a));
            else print_stages(a);
        } else if (strcmp(word, "grad_input") == 0) {
            if (scanf("%63s", word) != 1) die("expected a stage name", NULL);
            int stage = find_stage(word), dims[3];
            float *data = attn_grad_input(a, stage);
            if (!data) die(attn_error(a)[0] ? attn_error(a) : "no gradient input for this stage", word);
            size_t n = count_of(attn_stage_grad_shape(a, stage, dims), dims);
            for (size_t i = 0; i < n; i++)
                if (scanf("%f", &data[i]) != 1) die("expected a number in grad_input", word);
        } else if (strcmp(word, "backward") == 0) {
            int status = attn_backward(a);
            if (status != ATTN_OK) printf("error %d %s\n", status, attn_error(a));
            else print_grads(a);
        } else if (strcmp(word, "time") == 0) {
            time_pass(a, attn_forward, read_int());
        } else if (strcmp(word, "time_backward") == 0) {
            time_pass(a, attn_backward, read_int());
        } else {
            die("unknown command", word);
        }
        fflush(stdout);
    }
    attn_free(a);
    return 0;
}
