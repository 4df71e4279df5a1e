#!/usr/bin/env bash
# Builds the pricing math and the benchmarks, then in one JMH run measures the RevalueBook engine alone on the
# issue's book (200 positions on BTC and ETH x 35 scenarios) and one plain Black-76 price over the same option
# inputs, and prints revalue / (positions x scenarios x price) against the goal of 1.5. About 2 minutes
# after the build (SKIP_BUILD=1 skips it); arguments go to JMH.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -o -q -DskipTests package -pl pricing-service,benchmarks -am
fi

out=benchmarks/target
java -cp "$out/benchmarks.jar:$out/lib/*" org.openjdk.jmh.Main -f 2 -wi 4 -w 2s -i 5 -r 2s \
  -rf csv -rff "$out/jmh-revalue.csv" "$@" 'RevalueBookBenchmark'
score() { awk -F, -v name="$1" 'index($1, name) { gsub(/"/, "", $5); print $5 }' "$out/jmh-revalue.csv"; }
revalue_ns=$(score RevalueBookBenchmark.revalue)
price_ns=$(score RevalueBookBenchmark.price)

positions=200 options=192 scenarios=35
echo
echo "== RevalueBook engine ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)) =="
printf 'revalue (200 positions x 35 scenarios): %.0f ns/book = %.2f us\n' "$revalue_ns" "$(awk -v n="$revalue_ns" 'BEGIN { print n / 1000 }')"
printf 'Black-76 price alone:                   %.2f ns/option\n' "$price_ns"
awk -v r="$revalue_ns" -v p="$price_ns" -v n="$positions" -v o="$options" -v s="$scenarios" 'BEGIN {
  printf "revalue / (positions x scenarios x price) = %.3f (goal <= 1.5)\n", r / (n * s * p)
  printf "revalue / (options x scenarios x price)   = %.3f (the 8 linear positions cost next to nothing)\n", r / (o * s * p)
}'
