#!/usr/bin/env bash
# Issue 4's deposit benchmark. In one run on the same PostgreSQL (127.0.0.1:5432, user postgres):
#  1. the reference: `pgbench -i` on a scratch database, then `pgbench -c 8 -j 2 -T 30 -N` (TPS);
#  2. dev.crosschain.suite.bench.DepositLoad: the packaged collateral-service alone on a fresh database, one
#     adapter stream per chain (ethereum, arbitrum, solana), deposits pipelined with a bounded window of unacked
#     events per stream and headers interleaved; deposits/s acked APPLIED and ack latency (send -> ack; in the open
#     loop, scheduled time -> ack), then a check by SQL that the ledger holds exactly the deposits acked.
# Prints the ratio deposit rate / pgbench TPS and whether the goal (>= 2x, p99 ack < 50 ms) is met. Both
# scratch databases are dropped at the end. Arguments go to the driver: --window N --warmup S --seconds S
# --per-block N --accounts N --rate N. PGBENCH_SECONDS changes the reference's -T (default 30, as the issue says).
# RATE_X_PGBENCH=2 runs the driver open loop (--rate) at that multiple of the TPS pgbench just measured: deposits
# leave on a schedule and each ack's latency runs from its deposit's scheduled time.
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST=127.0.0.1
PGUSER=postgres
PGBENCH=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
PGBENCH_SECONDS=${PGBENCH_SECONDS:-30}
SCRATCH="deposits_pgbench_$$"
DRIVER_OUT=$(mktemp)

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -o -q -DskipTests package -pl collateral-service,suite -am
fi

drop_scratch() { psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)" >/dev/null 2>&1 || true; }
trap 'drop_scratch; rm -f "$DRIVER_OUT"' EXIT

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)," \
     "$(psql -h "$PGHOST" -U "$PGUSER" -d postgres -Atc 'SHOW server_version'); load before: $(cut -d' ' -f1-3 /proc/loadavg) =="
echo "== git $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (dirty)') =="

psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "CREATE DATABASE $SCRATCH" >/dev/null
"$PGBENCH" -h "$PGHOST" -U "$PGUSER" -i -q "$SCRATCH" 2>&1 | tail -1
echo "== reference: pgbench -c 8 -j 2 -T $PGBENCH_SECONDS -N =="
pgbench_out=$("$PGBENCH" -h "$PGHOST" -U "$PGUSER" -c 8 -j 2 -T "$PGBENCH_SECONDS" -N "$SCRATCH" 2>&1)
echo "$pgbench_out" | grep -E 'latency average|tps ='
tps=$(echo "$pgbench_out" | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p')
drop_scratch
echo "== load before the driver: $(cut -d' ' -f1-3 /proc/loadavg) =="

rate_args=()
if [[ -n "${RATE_X_PGBENCH:-}" ]]; then
  if [[ -z "$tps" ]]; then
    echo "pgbench printed no TPS: no open-loop rate to derive"
    exit 1
  fi
  rate_args=(--rate "$(awk -v tps="$tps" -v x="$RATE_X_PGBENCH" 'BEGIN { printf "%d", tps * x + 0.999 }')")
  echo "== open loop: ${rate_args[1]} deposits/s = ${RATE_X_PGBENCH} x pgbench TPS, rounded up =="
fi

set +e
java -Xmx256m -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp 'suite/target/suite.jar:suite/target/lib/*' \
  dev.crosschain.suite.bench.DepositLoad "${rate_args[@]}" "$@" 2>&1 | tee "$DRIVER_OUT"
driver_rc=${PIPESTATUS[0]}
set -e
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg) =="
result=$(grep '^RESULT ' "$DRIVER_OUT" || true)
if [[ -z "$result" || -z "$tps" ]]; then
  echo "no result (driver exit $driver_rc, pgbench tps '${tps}')"
  exit 1
fi
rate=$(echo "$result" | sed -n 's/.*deposits_per_s=\([0-9.]*\).*/\1/p')
offered=$(echo "$result" | sed -n 's/.*offered_per_s=\([0-9]*\).*/\1/p')
p99=$(echo "$result" | sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p')
# In the open loop the service must also have kept up with the schedule (acked >= 99% of the offered rate).
awk -v rate="$rate" -v tps="$tps" -v p99="$p99" -v rc="$driver_rc" -v offered="${offered:-0}" 'BEGIN {
  ratio = rate / tps
  printf "deposits/s %.1f, pgbench TPS %.1f: ratio %.3f (goal >= 2: %s); p99 ack %.3f ms (goal < 50: %s); ledger check: %s\n",
    rate, tps, ratio, ratio >= 2 ? "met" : "NOT met", p99, p99 < 50 ? "met" : "NOT met", rc == 0 ? "counts match" : "FAILED"
  if (offered > 0) {
    printf "open loop: %.1f of %d deposits/s offered acked in the window (%.1f%%): %s\n", rate, offered, 100 * rate / offered,
      rate >= 0.99 * offered ? "kept up" : "did NOT keep up"
  }
}'
exit "$driver_rc"
