#!/usr/bin/env bash
# Builds the four services and the suite, then runs dev.crosschain.suite.bench.LiquidationLoad: the services as
# processes and issue 6's liquidation benchmark against them: N accounts funded through the chain adapter streams, each
# long ETH-PERPETUAL, breach on one ETH index move (3000 -> 2625); the time until every auction is OPEN, until a pool of
# bidder threads has every auction closed and every bid settled, and bids settled per second. The driver prints its
# seed; arguments go to it: --accounts N (1000) --bidders N (8) --buffer-bound on|off (on) --warmup N (200) --seed N.
# Warm-up: a venue's liquidation-service is warm, and a cold one spends much of the opening window compiling the opening
# path, so first --warmup more long accounts go through the whole path (the move down, opened, bid on, settled; one line of
# their figures, not in the measured ones); then the --accounts measured ones hold a SHORT ETH-PERPETUAL sold at 2625 and
# breach on the move back up to 3000 (the same 375). --warmup 0 is the cold run: the long accounts on the move down.
# The driver stops the services it started.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -o -q -DskipTests package -pl pricing-service,collateral-service,margin-service,liquidation-service,suite -am
fi

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg) =="
java -Xmx512m -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.LiquidationLoad "$@"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg) =="
