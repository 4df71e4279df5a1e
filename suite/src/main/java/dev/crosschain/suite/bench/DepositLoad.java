package dev.crosschain.suite.bench;

import dev.crosschain.postgres.PostgresServer;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.suite.ChainOwned;
import dev.crosschain.suite.Endpoints;
import dev.crosschain.suite.Launcher;
import dev.crosschain.suite.ServiceSpec;
import dev.crosschain.suite.Suite;
import dev.crosschain.suite.SuiteCredentials;
import io.grpc.stub.StreamObserver;
import org.jboss.logmanager.LogContext;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;

import static dev.crosschain.suite.bench.LoadMeasures.driverCpu;
import static dev.crosschain.suite.bench.LoadMeasures.ms;
import static dev.crosschain.suite.bench.LoadMeasures.serviceCpu;

/**
 * Closed-loop deposit load through the real adapter stream: starts the packaged collateral-service alone (its
 * pricing client connects lazily and is never needed here) on a fresh database of the machine's PostgreSQL,
 * opens one adapter stream per chain of the local registry and, on each, sends a header and then deposits into
 * that block, a new header every {@code --per-block} deposits (so older deposits become final as the chain
 * grows), keeping at most {@code --window} events sent and not yet acknowledged. Every event carries its
 * sequence number as cursor; the ack echoes it, which gives each deposit's latency from its send to its ack.
 *
 * <p>With {@code --rate R} the load is open instead: deposits leave on a fixed schedule, R per second on all
 * chains together (each stream's schedule offset by a fraction of the interval, so the streams do not send in
 * lockstep; a header goes out unscheduled right after every {@code --per-block}-th deposit), the window only
 * bounds what may be in flight, and each latency runs from the deposit's scheduled time, so a sender held up by a
 * full window or a late thread counts against the service rather than hiding it (no coordinated omission). Every
 * deposit scheduled inside the measured window is sent, late if need be, and its latency counted; the driver
 * prints how many were sent late and the largest lag behind the schedule. A real adapter sends
 * deposits as its chain produces them, not as fast as acks come back; this mode asks whether the service keeps
 * up with a given rate and how long each ack takes at that rate.
 *
 * <p>The rate is that of deposits acknowledged APPLIED during the measured window, on all chains together.
 * After the last ack the driver counts, by SQL on the service's database, the deposits held PENDING or
 * CREDITED and the balances: each must equal what the acks said was applied, or the service acknowledged
 * something it had not committed (or committed something it never acknowledged), and the run fails.
 *
 * <pre>
 * java -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.DepositLoad [--window 512] [--rate 0] [--warmup 10] [--seconds 30] [--per-block 100] [--accounts 1000]
 * </pre>
 */
public final class DepositLoad {

    /** Away from the local run (8xxx/9xxx), the Quarkus tests (18xxx/19xxx), the e2e test (20xxx) and RevalueLoad (30xxx). */
    private static final int PORT_BASE = 32000;
    /** Listed on every chain of the local registry. */
    private static final String ASSET = "USDC";
    private static final BigDecimal AMOUNT = new BigDecimal("1.5");
    private static final long DRAIN_SECONDS = 60;

    private DepositLoad() {
    }

    public static void main(String[] args) throws Exception {
        quietClientLogging();
        Options options = Options.parse(args);
        Path root = Launcher.repoRoot();
        boolean passed;
        try (PostgresServer db = PostgresServer.forTests()) {
            String prefix = "deposit_load_" + Long.toString(System.nanoTime() & 0xffffff, 36) + "_";
            String database = prefix + ServiceSpec.COLLATERAL.database();
            try (Suite suite = Suite.start(db, prefix, root, root.resolve("suite/target/deposit-load-logs"), PORT_BASE,
                    List.of(ServiceSpec.COLLATERAL));
                 Endpoints endpoints = suite.endpoints()) {
                System.out.printf(Locale.ROOT, "collateral-service on %s, database %s; chains %s, window %d unacked events per stream,"
                                + " a header every %d deposits, %d accounts; %s%n",
                        db, database, SuiteCredentials.CHAINS, options.window, options.perBlock, options.accounts,
                        options.openLoop() ? "open loop at " + options.rate + " deposits/s (latency from each deposit's scheduled time)"
                                : "closed loop (latency from each deposit's send)");
                passed = run(endpoints, options, db, database);
            } finally {
                db.dropDatabase(database);
            }
        }
        System.exit(passed ? 0 : 1);
    }

    /** As in RevalueLoad: outside Quarkus every logger of the classpath's log manager is at ALL. */
    private static void quietClientLogging() {
        LogContext.getLogContext().getLogger("").setLevel(Level.INFO);
    }

    private static boolean run(Endpoints endpoints, Options options, PostgresServer db, String database) throws Exception {
        List<AdapterStream> streams = new ArrayList<>();
        for (String chain : SuiteCredentials.CHAINS) {
            streams.add(AdapterStream.open(chain, endpoints, options));
        }
        long start = System.nanoTime();
        long measuredFrom = start + TimeUnit.SECONDS.toNanos(options.warmupSeconds);
        long measuredTo = measuredFrom + TimeUnit.SECONDS.toNanos(options.seconds);
        System.out.printf(Locale.ROOT, "sending: %d s warm-up, then %d s measured%n", options.warmupSeconds, options.seconds);
        Duration serviceCpuBefore = Duration.ZERO;
        Duration driverCpuBefore = Duration.ZERO;
        List<Thread> senders = new ArrayList<>();
        for (AdapterStream stream : streams) {
            stream.window(measuredFrom, measuredTo);
            long interval = options.openLoop() ? Math.round(1e9 * streams.size() / options.rate) : 0;
            long offset = interval * senders.size() / streams.size();
            Thread sender = new Thread(() -> stream.sendUntil(start + offset, interval, measuredTo), "send-" + stream.chain);
            sender.start();
            senders.add(sender);
        }
        DatabaseWork databaseWork;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.user(), db.password())) {
            parkUntil(measuredFrom);
            serviceCpuBefore = serviceCpu();
            driverCpuBefore = driverCpu();
            DatabaseWork before = DatabaseWork.read(c, database);
            parkUntil(measuredTo);
            databaseWork = DatabaseWork.read(c, database).minus(before);
        }
        Duration serviceCpuUsed = serviceCpu().minus(serviceCpuBefore);
        Duration driverCpuUsed = driverCpu().minus(driverCpuBefore);
        for (Thread sender : senders) {
            sender.join();
        }
        boolean drained = true;
        for (AdapterStream stream : streams) {
            drained &= stream.drain(DRAIN_SECONDS);
        }
        for (AdapterStream stream : streams) {
            stream.close();
        }

        long measuredApplied = 0;
        List<long[]> latencies = new ArrayList<>();
        for (AdapterStream stream : streams) {
            measuredApplied += stream.measuredApplied.get();
            latencies.add(stream.latencies.toArray());
            System.out.printf(Locale.ROOT, "%-9s deposits acked: %d applied, %d duplicate, %d rejected %s; headers: %d applied, %d not;"
                            + " %.0f deposits/s measured%s%n",
                    stream.chain, stream.depositsApplied.get(), stream.depositsDuplicate.get(), stream.depositsRejected.get(),
                    stream.rejections, stream.headersApplied.get(), stream.headersNotApplied.get(),
                    stream.measuredApplied.get() / (double) options.seconds,
                    stream.failure.get() == null ? "" : ", stream failed: " + stream.failure.get());
        }
        long[] measured = merge(latencies);
        long late = streams.stream().mapToLong(s -> s.late.get()).sum();
        long maxLagNs = streams.stream().mapToLong(s -> s.maxLagNs.get()).max().orElse(0);
        if (options.openLoop()) {
            System.out.printf(Locale.ROOT, "schedule: %d deposits/s offered; %d of the deposits sent went out over 1 ms behind their"
                    + " schedule, the largest lag %.3f ms%n", options.rate, late, maxLagNs / 1e6);
        }
        double rate = measuredApplied / (double) options.seconds;
        System.out.printf(Locale.ROOT, "measured: %d deposits acked APPLIED in %d s on %d streams = %.1f deposits/s%n",
                measuredApplied, options.seconds, streams.size(), rate);
        System.out.printf(Locale.ROOT, "ack latency from %s (ms), %d deposits sent in the window: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                options.openLoop() ? "schedule" : "send", measured.length, ms(measured, 0.50), ms(measured, 0.90), ms(measured, 0.99), ms(measured, 0.999),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e6);
        System.out.printf(Locale.ROOT, "CPU per deposit while measured: service %.3f ms, load driver %.3f ms (%.2f + %.2f cores)%n",
                serviceCpuUsed.toNanos() / 1e6 / Math.max(1, measuredApplied), driverCpuUsed.toNanos() / 1e6 / Math.max(1, measuredApplied),
                serviceCpuUsed.toNanos() / 1e9 / options.seconds, driverCpuUsed.toNanos() / 1e9 / options.seconds);
        System.out.printf(Locale.ROOT, "database work per deposit while measured: CPU of the service's PostgreSQL backends %.3f ms"
                        + " (%.2f cores), WAL %.0f bytes, %.1f commits per 100 deposits%n",
                databaseWork.backendCpu().toNanos() / 1e6 / Math.max(1, measuredApplied),
                databaseWork.backendCpu().toNanos() / 1e9 / options.seconds,
                (double) databaseWork.walBytes() / Math.max(1, measuredApplied),
                100.0 * databaseWork.commits() / Math.max(1, measuredApplied));
        boolean countsMatch = verify(streams, db, database);
        boolean healthy = drained && streams.stream().allMatch(s -> s.failure.get() == null);
        System.out.printf(Locale.ROOT, "RESULT mode=%s offered_per_s=%d deposits_per_s=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
                        + " late=%d max_lag_ms=%.3f counts=%s streams=%s%n",
                options.openLoop() ? "open" : "closed", options.rate, rate, ms(measured, 0.50), ms(measured, 0.99), ms(measured, 0.999),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e6, late, maxLagNs / 1e6,
                countsMatch ? "match" : "MISMATCH", healthy ? "ok" : "FAILED");
        return countsMatch && healthy;
    }

    /**
     * Every deposit acked APPLIED must be in the ledger, PENDING or CREDITED, and nothing else: per chain, the
     * number of deposits and the sum of pending + available balances against the acks (all of them, warm-up
     * included). Read after the last ack, so a commit that lagged its ack would show here.
     */
    private static boolean verify(List<AdapterStream> streams, PostgresServer db, String database) throws SQLException {
        Map<String, long[]> deposits = new TreeMap<>();
        Map<String, BigDecimal> balances = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(database), db.user(), db.password());
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT chain_id, count(*) FILTER (WHERE status IN ('PENDING', 'CREDITED')),"
                    + " count(*) FILTER (WHERE status = 'CREDITED') FROM deposit GROUP BY chain_id")) {
                while (rs.next()) {
                    deposits.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT chain_id, sum(pending + available + locked) FROM balance GROUP BY chain_id")) {
                while (rs.next()) {
                    balances.put(rs.getString(1), rs.getBigDecimal(2));
                }
            }
        }
        boolean match = true;
        for (AdapterStream stream : streams) {
            long acked = stream.depositsApplied.get();
            long[] held = deposits.getOrDefault(stream.chain, new long[2]);
            BigDecimal expected = AMOUNT.multiply(BigDecimal.valueOf(acked));
            BigDecimal balance = balances.getOrDefault(stream.chain, BigDecimal.ZERO);
            boolean ok = held[0] == acked && balance.compareTo(expected) == 0;
            match &= ok;
            System.out.printf(Locale.ROOT, "verify %-9s acked APPLIED %d, in the ledger %d (%d credited, %d pending), balances %s of %s %s: %s%n",
                    stream.chain, acked, held[0], held[1], held[0] - held[1], balance.stripTrailingZeros().toPlainString(),
                    expected.stripTrailingZeros().toPlainString(), ASSET, ok ? "match" : "MISMATCH");
        }
        return match;
    }

    /** One adapter stream: a sender thread and the gRPC callbacks (serialized per call) that take the acks. */
    private static final class AdapterStream {

        private final String chain;
        private final Options options;
        private final Semaphore unacked;
        /** Send time and kind (header or deposit) of each unacked event, by sequence number modulo the window. */
        private final AtomicLongArray sentAt;
        private final AtomicLongArray isDeposit;
        private final CompletableFuture<ConnectAdapterResponse> welcome = new CompletableFuture<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicLong depositsApplied = new AtomicLong();
        private final AtomicLong depositsDuplicate = new AtomicLong();
        private final AtomicLong depositsRejected = new AtomicLong();
        private final AtomicLong headersApplied = new AtomicLong();
        private final AtomicLong headersNotApplied = new AtomicLong();
        private final AtomicLong measuredApplied = new AtomicLong();
        private final Map<String, Long> rejections = new ConcurrentHashMap<>();
        private final LongList latencies = new LongList();
        /** Open loop: deposits sent over 1 ms after their scheduled time, and the largest such lag. */
        private final AtomicLong late = new AtomicLong();
        private final AtomicLong maxLagNs = new AtomicLong();
        private volatile long measuredFrom;
        /** Set when the driver ends the stream: the service's end of it is then expected, not a failure. */
        private volatile boolean closing;
        private volatile long measuredTo;
        private StreamObserver<ConnectAdapterRequest> requests;
        private long sequence;
        private long height;
        private String blockHash;

        private AdapterStream(String chain, Options options) {
            this.chain = chain;
            this.options = options;
            this.unacked = new Semaphore(options.window);
            this.sentAt = new AtomicLongArray(options.window);
            this.isDeposit = new AtomicLongArray(options.window);
        }

        /**
         * A stream welcomed on the chain; a hello refused CHAIN_OWNED (the chain's lease still held, e.g. by a stream
         * of a driver that died) is retried on a new stream for at most {@link ChainOwned#PATIENCE}.
         */
        static AdapterStream open(String chain, Endpoints endpoints, Options options) throws Exception {
            return ChainOwned.retrying(chain, ChainOwned.PATIENCE, () -> openOnce(chain, endpoints, options));
        }

        private static AdapterStream openOnce(String chain, Endpoints endpoints, Options options) throws Exception {
            AdapterStream stream = new AdapterStream(chain, options);
            stream.requests = endpoints.collateralStreams().connectAdapter(stream.new Answers());
            stream.requests.onNext(ConnectAdapterRequest.newBuilder().setHello(AdapterHello.newBuilder().setChainId(chain)
                    .setAdapterId("deposit-load-" + chain).setCredential(endpoints.credentials().adapter(chain))).build());
            ConnectAdapterResponse first = stream.welcome.get(30, TimeUnit.SECONDS);
            if (!first.hasWelcome()) {
                throw new IllegalStateException(chain + ": expected a welcome, got " + first);
            }
            // A fresh database: the chain starts at the stored tip if any (none expected).
            stream.height = first.getWelcome().getTipHeight();
            stream.blockHash = first.getWelcome().getTipHash().isEmpty() ? null : first.getWelcome().getTipHash();
            return stream;
        }

        void window(long from, long to) {
            measuredFrom = from;
            measuredTo = to;
        }

        /**
         * Sends until the end of the measured window (or a failure): as fast as the window allows when
         * {@code interval} is 0, else one deposit every {@code interval} ns from {@code start}, each timed from
         * its scheduled instant; then every deposit scheduled before {@code end} is sent, however late.
         */
        void sendUntil(long start, long interval, long end) {
            boolean open = interval > 0;
            // The open loop may still be sending its backlog after the window; it gives up only with the drain.
            long giveUp = open ? end + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS) : end;
            long depositsInBlock = options.perBlock;
            long scheduled = start;
            try {
                while (failure.get() == null && (open ? scheduled + interval < end : System.nanoTime() < end)) {
                    boolean deposit = depositsInBlock < options.perBlock;
                    if (open && deposit) {
                        scheduled += interval;
                        parkUntil(scheduled);
                    }
                    if (!acquireSlot(giveUp)) {
                        return;
                    }
                    long seq = sequence++;
                    ConnectAdapterRequest.Builder event = ConnectAdapterRequest.newBuilder().setCursor(Long.toString(seq));
                    if (deposit) {
                        depositsInBlock++;
                        event.setDeposit(Deposit.newBuilder().setTxHash(chain + "-tx-" + seq).setLogIndex(0).setBlockHash(blockHash)
                                .setAccountId("bench-" + (seq % options.accounts)).setAsset(ASSET).setAmount(AMOUNT.toPlainString()));
                    } else {
                        depositsInBlock = 0;
                        height++;
                        String hash = chain + "-block-" + height;
                        event.setHeader(BlockHeader.newBuilder().setHeight(height).setHash(hash)
                                .setParentHash(blockHash == null ? chain + "-genesis" : blockHash)
                                .setTimestampUnixMs(System.currentTimeMillis()));
                        blockHash = hash;
                    }
                    int slot = (int) (seq % options.window);
                    isDeposit.set(slot, deposit ? 1 : 0);
                    long now = System.nanoTime();
                    sentAt.set(slot, open ? scheduled : now);
                    if (open && deposit && now - scheduled > TimeUnit.MILLISECONDS.toNanos(1)) {
                        late.incrementAndGet();
                        maxLagNs.accumulateAndGet(now - scheduled, Math::max);
                    }
                    requests.onNext(event.build());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        /** A free slot in the window; false when the run ended or the stream failed while waiting for one. */
        private boolean acquireSlot(long end) throws InterruptedException {
            while (!unacked.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (failure.get() != null || System.nanoTime() >= end) {
                    return false;
                }
            }
            return true;
        }

        /** Waits until every sent event is acked. */
        boolean drain(long seconds) throws InterruptedException {
            if (unacked.tryAcquire(options.window, seconds, TimeUnit.SECONDS)) {
                return true;
            }
            System.out.printf(Locale.ROOT, "%s: %d events still unacked %d s after the last send%n",
                    chain, options.window - unacked.availablePermits(), seconds);
            return false;
        }

        void close() {
            closing = true;
            requests.onCompleted();
        }

        private void acked(Ack ack, long now) {
            long seq = Long.parseLong(ack.getCursor());
            int slot = (int) (seq % options.window);
            long sent = sentAt.get(slot);
            boolean deposit = isDeposit.get(slot) == 1;
            unacked.release();
            if (!deposit) {
                (ack.getOutcome() == AckOutcome.ACK_OUTCOME_APPLIED ? headersApplied : headersNotApplied).incrementAndGet();
                if (ack.getOutcome() == AckOutcome.ACK_OUTCOME_REJECTED) {
                    rejections.merge("header " + ack.getRejection().getReason(), 1L, Long::sum);
                }
                return;
            }
            switch (ack.getOutcome()) {
                case ACK_OUTCOME_APPLIED -> {
                    depositsApplied.incrementAndGet();
                    if (now >= measuredFrom && now < measuredTo) {
                        measuredApplied.incrementAndGet();
                    }
                }
                case ACK_OUTCOME_DUPLICATE -> depositsDuplicate.incrementAndGet();
                default -> {
                    depositsRejected.incrementAndGet();
                    rejections.merge(ack.getRejection().getReason(), 1L, Long::sum);
                }
            }
            if (sent >= measuredFrom && sent < measuredTo) {
                latencies.add(now - sent);
            }
        }

        private final class Answers implements StreamObserver<ConnectAdapterResponse> {
            @Override
            public void onNext(ConnectAdapterResponse response) {
                long now = System.nanoTime();
                if (response.hasAck()) {
                    acked(response.getAck(), now);
                } else if (!welcome.isDone()) {
                    welcome.complete(response);
                }
            }

            @Override
            public void onError(Throwable t) {
                if (closing) {
                    return;
                }
                failure.compareAndSet(null, t);
                welcome.completeExceptionally(t);
                unacked.release(options.window);
            }

            @Override
            public void onCompleted() {
                if (closing) {
                    return;
                }
                failure.compareAndSet(null, new IllegalStateException("collateral-service closed the " + chain + " stream"));
                welcome.completeExceptionally(failure.get());
                unacked.release(options.window);
            }
        }
    }

    /** A growable array of longs, written by one thread at a time (the stream's callbacks). */
    /**
     * What the service's database did so far: CPU of the backends connected to it (read from /proc like the
     * service's), WAL written by the whole server, commits in the database.
     */
    private record DatabaseWork(Duration backendCpu, long walBytes, long commits) {

        static DatabaseWork read(Connection c, String database) throws SQLException {
            Duration cpu = Duration.ZERO;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                s.setString(1, database);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        cpu = cpu.plus(ProcessHandle.of(rs.getLong(1)).flatMap(p -> p.info().totalCpuDuration())
                                .orElse(Duration.ZERO));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT pg_current_wal_lsn() - '0/0'::pg_lsn,
                        (SELECT xact_commit FROM pg_stat_database WHERE datname = ?)""")) {
                s.setString(1, database);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new DatabaseWork(cpu, rs.getLong(1), rs.getLong(2));
                }
            }
        }

        DatabaseWork minus(DatabaseWork before) {
            return new DatabaseWork(backendCpu.minus(before.backendCpu), walBytes - before.walBytes,
                    commits - before.commits);
        }
    }

    private static final class LongList {
        private long[] values = new long[1 << 16];
        private int size;

        synchronized void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        synchronized long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** {@code rate} 0 is the closed loop; otherwise deposits per second on all streams together. */
    private record Options(int window, int rate, int warmupSeconds, int seconds, int perBlock, int accounts) {

        boolean openLoop() {
            return rate > 0;
        }

        static Options parse(String[] args) {
            Map<String, Integer> values = new LinkedHashMap<>(Map.of("--window", 512, "--rate", 0, "--warmup", 10,
                    "--seconds", 30, "--per-block", 100, "--accounts", 1000));
            for (int i = 0; i < args.length; i += 2) {
                if (!values.containsKey(args[i]) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("unknown argument or missing value: " + args[i] + "; known: " + values.keySet());
                }
                values.put(args[i], Integer.parseInt(args[i + 1]));
                boolean zeroAllowed = args[i].equals("--warmup") || args[i].equals("--rate");
                if (values.get(args[i]) < 0 || values.get(args[i]) == 0 && !zeroAllowed) {
                    throw new IllegalArgumentException(args[i] + " must be positive");
                }
            }
            return new Options(values.get("--window"), values.get("--rate"), values.get("--warmup"), values.get("--seconds"),
                    values.get("--per-block"), values.get("--accounts"));
        }
    }

    private static long[] merge(List<long[]> parts) {
        long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return all;
    }

    /** Parks until then: a timed park overshoots by tens of microseconds, far below a deposit's interval. */
    private static void parkUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
