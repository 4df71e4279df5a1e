#!/usr/bin/env bash
# Builds pricing-service and the suite, then runs dev.crosschain.suite.bench.RevalueLoad: the packaged
# pricing-service as its own process, BTC and ETH surfaces fitted from pushed quotes, and RevalueBook with
# the issue's book (200 positions x 35 scenarios) sent open-loop at 500 calls/s over loopback. Prints the
# achieved rate, latency percentiles from each call's scheduled send time, errors, and the CPU per call of the
# service and the driver; the service's share split by thread (event loop, workers, JIT, GC) tells whether the
# warm-up was long enough (JIT well above 0.05 ms per call: it was not). The driver stops the service it
# started. Arguments go to the driver: --rate N --warmup S --seconds S.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -o -q -DskipTests package -pl pricing-service,suite -am
fi

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg) =="
java -Xmx256m -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.RevalueLoad "$@"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg) =="
