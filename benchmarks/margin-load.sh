#!/usr/bin/env bash
# Builds pricing-, collateral- and margin-service and the suite, then runs dev.crosschain.suite.bench.MarginLoad:
# the three services as processes and issue 5's three margin benchmarks against them: GetAccountView of a PORTFOLIO
# account with 1,000 option positions (closed loop), WhatIf at 1,000 calls/s (open loop, PORTFOLIO then CROSS), and
# the duration of whole re-margin passes over 10,000 accounts of 20 positions, funded through the chain adapter stream
# (margin-service's own timer). The driver prints its seed; arguments go to it: --options N --views N --rate N
# --warmup S --seconds S --accounts N --positions N --passes N --portfolio-share F --seed N. The driver stops the services it started.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -o -q -DskipTests package -pl pricing-service,collateral-service,margin-service,suite -am
fi

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg) =="
java -Xmx512m -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.MarginLoad "$@"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg) =="
