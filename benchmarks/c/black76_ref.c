/*
 * C reference for Black76Benchmark: price, delta, gamma, vega and theta of one option (r = 0, the units of
 * the Java OptionGreeks), the textbook formula on glibc's erfc, exp and log, over the same 1024 options as
 * benchmarks/src/main/java/dev/crosschain/benchmarks/OptionSet.java (same generator, same seed).
 * Build: gcc -O2 black76_ref.c -lm. Prints the mean over timed rounds in ns per option (what JMH's
 * average-time mode reports for the Java side), and the fastest round.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define SIZE 1024
#define SEED 20240603ULL
#define WARMUP_PASSES 2000
#define ROUNDS 20
#define PASSES_PER_ROUND 2000

static int is_call[SIZE];
static double forward[SIZE], strike[SIZE], years[SIZE], vol[SIZE];
volatile double sink;

static uint64_t next(uint64_t state) { return state * 6364136223846793005ULL + 1442695040888963407ULL; }

static double uniform(uint64_t state) { return (double)(state >> 11) * 0x1p-53; }

static void generate(void) {
    uint64_t state = SEED;
    for (int i = 0; i < SIZE; i++) {
        state = next(state);
        is_call[i] = uniform(state) < 0.5;
        state = next(state);
        forward[i] = 1000.0 + 3000.0 * uniform(state);
        state = next(state);
        strike[i] = forward[i] * (0.7 + 0.7 * uniform(state));
        state = next(state);
        years[i] = 7.0 / 365.0 + 2.0 * uniform(state);
        state = next(state);
        vol[i] = 0.2 + 1.3 * uniform(state);
    }
}

static double one_pass(void) {
    const double inv_sqrt_2pi = 0.39894228040143267794;
    double sum = 0;
    for (int i = 0; i < SIZE; i++) {
        double f = forward[i], k = strike[i], sqrt_t = sqrt(years[i]);
        double sd = vol[i] * sqrt_t;
        double d1 = (log(f / k) + 0.5 * sd * sd) / sd;
        double d2 = d1 - sd;
        double density = inv_sqrt_2pi * exp(-0.5 * d1 * d1);
        double price, delta;
        if (is_call[i]) {
            double n1 = 0.5 * erfc(-d1 * M_SQRT1_2), n2 = 0.5 * erfc(-d2 * M_SQRT1_2);
            price = f * n1 - k * n2;
            delta = n1;
        } else {
            double m1 = 0.5 * erfc(d1 * M_SQRT1_2), m2 = 0.5 * erfc(d2 * M_SQRT1_2);
            price = k * m2 - f * m1;
            delta = -m1;
        }
        double gamma = density / (f * sd);
        double vega = f * density * sqrt_t * 0.01;
        double theta = -f * density * vol[i] / (2 * sqrt_t) / 365.0;
        sum += price + delta + gamma + vega + theta;
    }
    return sum;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(void) {
    generate();
    for (int p = 0; p < WARMUP_PASSES; p++) sink += one_pass();
    double best = INFINITY, total = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double start = now_ns();
        for (int p = 0; p < PASSES_PER_ROUND; p++) sink += one_pass();
        double per_option = (now_ns() - start) / ((double)PASSES_PER_ROUND * SIZE);
        total += per_option;
        if (per_option < best) best = per_option;
    }
    printf("C black76 price+delta+gamma+vega+theta: fastest round %.2f ns/option, mean ns/option: %.2f\n", best, total / ROUNDS);
    return 0;
}
