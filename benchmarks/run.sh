#!/usr/bin/env bash
# Builds the pricing math and the benchmarks, runs the C reference and the JMH benchmarks, and prints
# Java and C ns per option (price + delta + gamma + vega + theta), their ratio, ns per implied-vol solve,
# and the worst implied-vol round-trip error over the issue's grid. About 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -o -q -DskipTests package -pl pricing-service,benchmarks -am

out=benchmarks/target
gcc -O2 -o "$out/black76_ref" benchmarks/c/black76_ref.c -lm
c_line=$("$out/black76_ref")
echo "$c_line"
c_ns=$(echo "$c_line" | awk '{print $NF}')

classpath="$out/benchmarks.jar:$out/lib/*"
java -cp "$classpath" org.openjdk.jmh.Main -f 1 -wi 3 -w 2s -i 5 -r 2s -rf csv -rff "$out/jmh.csv" \
  'Black76Benchmark|ImpliedVolatilityBenchmark'
score() { awk -F, -v name="$1" 'index($1, name) { print $5 }' "$out/jmh.csv"; }
java_ns=$(score Black76Benchmark.priceDeltaGammaVegaTheta)
iv_ns=$(score ImpliedVolatilityBenchmark.solve)

report=$(java -cp "$classpath" dev.crosschain.benchmarks.RoundTripReport)

echo
echo "== summary ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)) =="
printf 'Java price+delta+gamma+vega+theta: %.2f ns/option\n' "$java_ns"
printf 'C    price+delta+gamma+vega+theta: %.2f ns/option\n' "$c_ns"
awk -v j="$java_ns" -v c="$c_ns" 'BEGIN { printf "Java / C: %.2fx (goal <= 1.0x)\n", j / c }'
printf 'implied vol: %.1f ns/solve (goal < 400)\n' "$iv_ns"
echo "$report"
