package dev.crosschain.suite.bench;

import dev.crosschain.postgres.PostgresServer;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.HypotheticalFill;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WhatIfRequest;
import dev.crosschain.proto.margin.v1.WhatIfResponse;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import dev.crosschain.suite.DemoScenario;
import dev.crosschain.suite.Endpoints;
import dev.crosschain.suite.Launcher;
import dev.crosschain.suite.ServiceSpec;
import dev.crosschain.suite.Suite;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.crosschain.suite.bench.LoadMeasures.driverCpu;
import static dev.crosschain.suite.bench.LoadMeasures.ms;
import static dev.crosschain.suite.bench.LoadMeasures.servicesCpu;

/**
 * The three margin-service benchmarks of issue 5, against the packaged pricing-, collateral- and margin-service as
 * processes (as the suite runs them; PostgreSQL from {@code CROSSCHAIN_TEST_DB_URL}, else 127.0.0.1:5432, else
 * embedded), BTC and ETH surfaces fitted from pushed quotes (RevalueLoad's market):
 * <ol>
 *   <li><b>portfolio view</b>: GetAccountView of one PORTFOLIO account holding {@code --options} option positions on
 *       BTC and ETH (revalued through pricing-service's RevalueBook on every call), closed loop, one call at a time;</li>
 *   <li><b>what-if</b>: WhatIf (one hypothetical perp fill) on a 20-position account, PORTFOLIO then CROSS, open loop at
 *       {@code --rate} calls/s, latency from each call's scheduled send (no coordinated omission);</li>
 *   <li><b>re-margin</b>: {@code --accounts} accounts of {@code --positions} positions each, PORTFOLIO with probability
 *       {@code --portfolio-share} (default 0) and CROSS otherwise, each funded in collateral-service through the chain
 *       adapter stream first (USDC on ethereum, ETH on arbitrum for every other account; the adapters keep sending a
 *       block and a heartbeat a second, the feed an index tick); the durations of whole re-margin passes read from
 *       margin-service's own timer (/q/metrics {@code margin_remargin_pass_seconds}), with its per-phase page times.</li>
 * </ol>
 * Accounts and positions are written straight into margin-service's database (200,000 ApplyFill calls would each start
 * a re-evaluation and take minutes); the positions are those a fill would leave, from a seeded generator (the seed is
 * printed and {@code --seed} replays it).
 *
 * <pre>
 * java -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.MarginLoad [--options 1000] [--views 500]
 *     [--rate 1000] [--warmup 10] [--seconds 30] [--accounts 10000] [--positions 20] [--passes 3] [--portfolio-share 0]
 *     [--seed N]
 * </pre>
 */
public final class MarginLoad {

    /** Away from the local run, the Quarkus tests, the end-to-end test and the other drivers (30000, 32000). */
    private static final int PORT_BASE = 31000;
    private static final int[] EXPIRY_DAYS = {7, 28, 91, 182};
    private static final Map<String, Double> INDEX = Map.of("BTC", 60_000.0, "ETH", 3_000.0);
    private static final List<String> UNDERLYINGS = List.of("BTC", "ETH");
    private static final Pattern PASS_COUNT = Pattern.compile("(?m)^margin_remargin_pass_seconds_count\\S* ([0-9.E+]+)$");
    private static final Pattern PASS_SUM = Pattern.compile("(?m)^margin_remargin_pass_seconds_sum\\S* ([0-9.E+]+)$");
    /** One client for every /q/metrics poll; bounded so a busy or hung service cannot stall the driver. */
    private static final HttpClient METRICS_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration METRICS_READ_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern ACCOUNTS = Pattern.compile("(?m)^margin_remargin_accounts_total\\S* ([0-9.E+]+)$");

    private MarginLoad() {
    }

    public static void main(String[] args) throws Exception {
        RevalueLoad.quietClientLogging();
        Map<String, Integer> opt = new ConcurrentHashMap<>(Map.of("options", 1000, "views", 500, "rate", 1000, "warmup", 10,
                "seconds", 30, "accounts", 10_000, "positions", 20, "passes", 3));
        long seed = System.nanoTime();
        double portfolioShare = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (name.equals("seed")) {
                seed = Long.parseLong(args[i + 1]);
            } else if (name.equals("portfolio-share")) {
                portfolioShare = Double.parseDouble(args[i + 1]);
                if (!(portfolioShare >= 0 && portfolioShare <= 1)) {
                    throw new IllegalArgumentException("--portfolio-share must be in [0, 1]: " + args[i + 1]);
                }
            } else if (opt.containsKey(name)) {
                opt.put(name, Integer.parseInt(args[i + 1]));
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "seed %d (replay with --seed %d)%n", seed, seed);
        Random random = new Random(seed);
        // the funding's own draws: a --seed's books stay those of a run without funding (the afternoon's, share 0)
        Random fundingRandom = new Random(seed + 1);
        Path root = Launcher.repoRoot();
        List<ServiceSpec> services = List.of(ServiceSpec.PRICING, ServiceSpec.COLLATERAL, ServiceSpec.MARGIN);
        try (PostgresServer db = PostgresServer.forTests()) {
            String prefix = "margin_load_" + Long.toString(System.nanoTime() & 0xffffff, 36) + "_";
            try (Suite suite = Suite.start(db, prefix, root, root.resolve("suite/target/margin-load-logs"), PORT_BASE, services);
                 Suite.StopOnExit stopOnExit = suite.stopOnExit();
                 Endpoints endpoints = suite.endpoints()) {
                ManagedChannel pricing = channel(ServiceSpec.PRICING);
                ManagedChannel margin = channel(ServiceSpec.MARGIN);
                try (Connection sql = DriverManager.getConnection(db.jdbcUrl(prefix + ServiceSpec.MARGIN.database()), db.user(), db.password())) {
                    LocalDate today = LocalDate.now(ZoneOffset.UTC);
                    RevalueLoad.prepareMarket(PricingServiceGrpc.newBlockingStub(pricing), today);
                    List<String> options = optionUniverse(today, opt.get("options"));
                    List<String> small = smallUniverse(today);

                    seed(sql, "pm-options", 1, options.size(), options, 1, random, true);
                    portfolioView(margin, "pm-options-0", opt.get("views"));

                    seed(sql, "wi-portfolio", 1, 20, small, 1, random, false);
                    seed(sql, "wi-cross", 1, 20, small, 0, random, false);
                    for (String account : List.of("wi-portfolio-0", "wi-cross-0")) {
                        whatIf(margin, account, opt.get("rate"), opt.get("warmup"), opt.get("seconds"));
                    }

                    Connection collateralSql = DriverManager.getConnection(db.jdbcUrl(prefix + ServiceSpec.COLLATERAL.database()),
                            db.user(), db.password());
                    try (collateralSql; Funding funding = new Funding(endpoints, collateralSql)) {
                        remargin(sql, funding, opt.get("accounts"), opt.get("positions"), small,
                                portfolioShare, random, fundingRandom, opt.get("passes"));
                    }
                } finally {
                    pricing.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                    margin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            } finally {
                for (ServiceSpec spec : services) {
                    db.dropDatabase(prefix + spec.database());
                }
            }
        }
    }

    private static ManagedChannel channel(ServiceSpec spec) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", spec.grpcPort(PORT_BASE)).usePlaintext().build();
    }

    /** {@code count} distinct options on BTC and ETH: 4 expiries, strikes from 60% to 165% of the index, calls and puts. */
    static List<String> optionUniverse(LocalDate today, int count) {
        int perSide = (int) Math.ceil(count / (2.0 * UNDERLYINGS.size() * EXPIRY_DAYS.length));
        List<String> names = new ArrayList<>();
        for (int j = 0; j < perSide && names.size() < count; j++) {
            for (String u : UNDERLYINGS) {
                for (int days : EXPIRY_DAYS) {
                    long strike = Math.round(INDEX.get(u) * Math.exp(-0.5 + j / (double) Math.max(1, perSide - 1)));
                    for (String type : List.of("C", "P")) {
                        if (names.size() < count) {
                            names.add(RevalueLoad.option(u, today.plusDays(days), strike, type));
                        }
                    }
                }
            }
        }
        return names;
    }

    /** What a 20-position account draws from: perps, two futures and options near the money on BTC and ETH. */
    static List<String> smallUniverse(LocalDate today) {
        List<String> names = new ArrayList<>();
        for (String u : UNDERLYINGS) {
            names.add(u + "-PERPETUAL");
            names.add(u + "-" + RevalueLoad.expiryCode(today.plusDays(EXPIRY_DAYS[1])));
            names.add(u + "-" + RevalueLoad.expiryCode(today.plusDays(EXPIRY_DAYS[2])));
            for (int days : EXPIRY_DAYS) {
                for (int j = -3; j <= 3; j++) {
                    long strike = Math.round(INDEX.get(u) * Math.exp(0.08 * j));
                    names.add(RevalueLoad.option(u, today.plusDays(days), strike, "C"));
                    names.add(RevalueLoad.option(u, today.plusDays(days), strike, "P"));
                }
            }
        }
        return names;
    }

    /**
     * Writes {@code accounts} accounts {@code <prefix>-<i>}, each PORTFOLIO with probability {@code portfolioShare}
     * (else CROSS; the generator is drawn for it only when the share is strictly between 0 and 1), each with {@code positions} distinct
     * instruments of {@code universe} (all of them, in order, when {@code whole}), quantity +-1..5 (perps and futures
     * in 0.1 BTC / 1 ETH steps), entry at the index for linear ones and 0 for options (a fill's average price; the
     * figures measured do not depend on it).
     */
    private static void seed(Connection sql, String prefix, int accounts, int positions, List<String> universe,
                                     double portfolioShare, Random random, boolean whole) throws SQLException {
        sql.setAutoCommit(false);
        try (PreparedStatement account = sql.prepareStatement("INSERT INTO account (account_id, margin_mode) VALUES (?, ?)");
             PreparedStatement position = sql.prepareStatement(
                     "INSERT INTO position (account_id, instrument, quantity, avg_entry_price) VALUES (?, ?, ?, ?)")) {
            for (int a = 0; a < accounts; a++) {
                String id = prefix + "-" + a;
                boolean portfolio = portfolioShare >= 1 || portfolioShare > 0 && random.nextDouble() < portfolioShare;
                account.setString(1, id);
                account.setString(2, portfolio ? "PORTFOLIO" : "CROSS");
                account.addBatch();
                List<String> picked = new ArrayList<>(universe);
                if (!whole) {
                    java.util.Collections.shuffle(picked, random);
                }
                for (String instrument : picked.subList(0, Math.min(positions, picked.size()))) {
                    int size = (1 + random.nextInt(5)) * (random.nextBoolean() ? 1 : -1);
                    boolean option = instrument.endsWith("-C") || instrument.endsWith("-P");
                    String underlying = instrument.substring(0, instrument.indexOf('-'));
                    position.setString(1, id);
                    position.setString(2, instrument);
                    position.setBigDecimal(3, option || underlying.equals("ETH")
                            ? java.math.BigDecimal.valueOf(size) : java.math.BigDecimal.valueOf(size, 1));
                    position.setBigDecimal(4, option ? java.math.BigDecimal.ZERO : java.math.BigDecimal.valueOf(INDEX.get(underlying)));
                    position.addBatch();
                }
                if (a % 500 == 499) {
                    account.executeBatch();
                    position.executeBatch();
                }
            }
            account.executeBatch();
            position.executeBatch();
            sql.commit();
        } finally {
            sql.setAutoCommit(true);
        }
    }

    private static void portfolioView(ManagedChannel margin, String account, int calls) {
        MarginServiceGrpc.MarginServiceBlockingStub stub = MarginServiceGrpc.newBlockingStub(margin);
        GetAccountViewRequest request = GetAccountViewRequest.newBuilder().setAccountId(account).build();
        var first = stub.withDeadlineAfter(30, TimeUnit.SECONDS).getAccountView(request).getView();
        System.out.printf(Locale.ROOT, "%nportfolio view: %s, %d positions, mode %s, conservative %s, MM %s USD, IM %s USD%n",
                account, first.getPositionsCount(), first.getMode(), first.getConservative(), first.getMaintenanceMarginUsd(),
                first.getInitialMarginUsd());
        int warmup = Math.max(50, calls / 5);
        long[] latency = new long[calls];
        Duration cpuBefore = Duration.ZERO;
        Duration driverBefore = Duration.ZERO;
        for (int i = -warmup; i < calls; i++) {
            if (i == 0) {
                cpuBefore = servicesCpu();
                driverBefore = driverCpu();
            }
            long start = System.nanoTime();
            stub.withDeadlineAfter(30, TimeUnit.SECONDS).getAccountView(request);
            if (i >= 0) {
                latency[i] = System.nanoTime() - start;
            }
        }
        Duration cpu = servicesCpu().minus(cpuBefore);
        Duration driver = driverCpu().minus(driverBefore);
        Arrays.sort(latency);
        System.out.printf(Locale.ROOT, "GetAccountView, one call at a time, %d measured after %d warm-up (ms): p50 %.3f  p90 %.3f  p99 %.3f  max %.3f%n",
                calls, warmup, ms(latency, 0.5), ms(latency, 0.9), ms(latency, 0.99), latency[calls - 1] / 1e6);
        System.out.printf(Locale.ROOT, "CPU per call: services %.3f ms, driver %.3f ms%n",
                cpu.toNanos() / 1e6 / calls, driver.toNanos() / 1e6 / calls);
    }

    private static void whatIf(ManagedChannel margin, String account, int rate, int warmupSeconds, int seconds)
            throws InterruptedException {
        MarginServiceGrpc.MarginServiceStub stub = MarginServiceGrpc.newStub(margin);
        WhatIfRequest request = WhatIfRequest.newBuilder().setAccountId(account)
                .addFills(HypotheticalFill.newBuilder().setInstrument("BTC-PERPETUAL").setSide(Side.SIDE_BUY).setQuantity("0.1"))
                .build();
        WhatIfResponse check = MarginServiceGrpc.newBlockingStub(margin).withDeadlineAfter(30, TimeUnit.SECONDS).whatIf(request);
        System.out.printf(Locale.ROOT, "%nwhat-if: %s, mode %s, %d positions, MM %s -> %s USD; %d calls/s, %d s warm-up, %d s measured%n",
                account, check.getBefore().getMode(), check.getBefore().getPositionsCount(),
                check.getBefore().getMaintenanceMarginUsd(), check.getAfter().getMaintenanceMarginUsd(), rate, warmupSeconds, seconds);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        int warmupCalls = warmupSeconds * rate;
        int calls = warmupCalls + seconds * rate;
        long[] latency = new long[calls];
        Arrays.fill(latency, -1);
        Map<Status.Code, AtomicInteger> errors = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(calls);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long sendLateMax = 0;
        Duration cpuBefore = null;
        Duration driverBefore = null;
        for (int i = 0; i < calls; i++) {
            long scheduled = start + i * interval;
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (i == warmupCalls) {
                cpuBefore = servicesCpu();
                driverBefore = driverCpu();
            }
            sendLateMax = i >= warmupCalls ? Math.max(sendLateMax, System.nanoTime() - scheduled) : sendLateMax;
            int call = i;
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).whatIf(request, new StreamObserver<>() {
                @Override
                public void onNext(WhatIfResponse response) {
                }

                @Override
                public void onError(Throwable t) {
                    errors.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new AtomicInteger()).incrementAndGet();
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    latency[call] = System.nanoTime() - scheduled;
                    done.countDown();
                }
            });
        }
        if (!done.await(30, TimeUnit.SECONDS)) {
            System.out.println("not every call finished within 30 s of the last send: " + done.getCount() + " outstanding");
        }
        Duration cpu = servicesCpu().minus(cpuBefore);
        Duration driver = driverCpu().minus(driverBefore);
        long[] measured = Arrays.stream(latency, warmupCalls, calls).filter(l -> l >= 0).sorted().toArray();
        int measuredCalls = calls - warmupCalls;
        System.out.printf(Locale.ROOT, "measured: %d calls scheduled, %d answered, errors %s%n", measuredCalls, measured.length, errors);
        System.out.printf(Locale.ROOT, "latency from scheduled send (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f; latest send %.3f ms%n",
                ms(measured, 0.50), ms(measured, 0.90), ms(measured, 0.99), ms(measured, 0.999),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e6, sendLateMax / 1e6);
        System.out.printf(Locale.ROOT, "CPU per call: services %.3f ms, driver %.3f ms (%.2f + %.2f cores)%n",
                cpu.toNanos() / 1e6 / measuredCalls, driver.toNanos() / 1e6 / measuredCalls,
                cpu.toNanos() / 1e9 / seconds, driver.toNanos() / 1e9 / seconds);
    }

    private static void remargin(Connection sql, Funding funding, int accounts, int positions, List<String> universe,
                                 double portfolioShare, Random random, Random fundingRandom, int passes)
            throws SQLException, InterruptedException {
        // funded first: the first pass values them funded (no mass of status changes from an unfunded start)
        System.out.println();
        funding.fund(java.util.stream.IntStream.range(0, accounts).mapToObj(i -> "bulk-" + i).toList(), fundingRandom);
        long seeding = System.nanoTime();
        seed(sql, "bulk", accounts, positions, universe, portfolioShare, random, false);
        int portfolio = count(sql, "SELECT count(*) FROM account WHERE account_id LIKE 'bulk-%' AND margin_mode = 'PORTFOLIO'");
        System.out.printf(Locale.ROOT, "re-margin: %d accounts (%d CROSS, %d PORTFOLIO) x %d positions written in %.1f s;"
                        + " waiting for a pass that starts after%n",
                accounts, accounts - portfolio, portfolio, positions, (System.nanoTime() - seeding) / 1e9);
        // a tick a second: marks, collateral prices and the chains stay fresh and HEALTHY through the passes
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        Thread measuring = Thread.currentThread();
        AtomicReference<RuntimeException> tickFailure = new AtomicReference<>();
        ticks.scheduleAtFixedRate(() -> {
            try {
                funding.tick();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (ticks.isShutdown()) {
                    return; // cut off by the end of the passes (shutdownNow interrupts a call in flight): not a failure
                }
                // no retry: after a lost ack every later tick fails, the chains go DEGRADED and the passes would
                // measure a flood of status changes, not the pass: the run stops here (throwing ends the ticks)
                tickFailure.set(e);
                measuring.interrupt();
                throw e;
            }
        }, 0, 1, TimeUnit.SECONDS);
        try {
            timePasses(passes);
        } catch (InterruptedException e) {
            if (tickFailure.get() == null) {
                throw e;
            }
        } finally {
            ticks.shutdownNow();
            boolean interrupted = Thread.interrupted(); // the tick's interrupt, when it came outside a wait
            ticks.awaitTermination(5, TimeUnit.SECONDS);
            if (interrupted && tickFailure.get() == null) {
                Thread.currentThread().interrupt();
            }
        }
        if (tickFailure.get() != null) {
            throw new IllegalStateException("a tick failed during the passes; measurement aborted (figures would not be"
                    + " of the pass): " + tickFailure.get().getMessage(), tickFailure.get());
        }
    }

    private static void timePasses(int passes) throws InterruptedException {
        // the pass running while the rows were written saw some of them: wait for it to end, then time whole passes
        double[] at = passMetrics().orElseThrow(() -> new IllegalStateException("margin-service's /q/metrics did not answer in time"));
        at = awaitNextPass(at);
        Map<String, Double> phasesBefore = phaseSeconds();
        Duration cpuBefore = servicesCpu();
        List<String> lines = new ArrayList<>();
        double total = 0;
        double worst = 0;
        for (int p = 0; p < passes; p++) {
            double[] next = awaitNextPass(at);
            double seconds = next[1] - at[1];
            double valued = next[2] - at[2];
            total += seconds;
            worst = Math.max(worst, seconds);
            lines.add(String.format(Locale.ROOT, "%.3f s (%.0f accounts)", seconds, valued));
            at = next;
        }
        Duration cpu = servicesCpu().minus(cpuBefore);
        Map<String, Double> phases = new java.util.TreeMap<>(phaseSeconds());
        phases.replaceAll((phase, seconds) -> seconds - phasesBefore.getOrDefault(phase, 0.0));
        System.out.printf(Locale.ROOT, "re-margin passes (margin-service's own timer): %s%n", String.join(", ", lines));
        StringBuilder perPhase = new StringBuilder();
        phases.forEach((phase, seconds) -> perPhase.append(String.format(Locale.ROOT, " %s %.3f s", phase, seconds / passes)));
        System.out.printf(Locale.ROOT, "page time per pass, summed over the pages (margin_remargin_page_seconds):%s%n", perPhase);
        System.out.printf(Locale.ROOT, "mean %.3f s, worst %.3f s per pass; services' CPU %.2f s over %d passes (%.2f cores while they ran)%n",
                total / passes, worst, cpu.toNanos() / 1e9, passes, cpu.toNanos() / 1e9 / total);
    }

    private static int count(Connection sql, String query) throws SQLException {
        try (PreparedStatement s = sql.prepareStatement(query); java.sql.ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Funds accounts in collateral-service through the real adapter stream, as a chain adapter would: USDC on ethereum
     * for every account and ETH on arbitrum for every other one (risky collateral, which PORTFOLIO scans), all in one
     * block per chain followed by the chain's confirmations; then awaits every deposit CREDITED and the chains
     * HEALTHY, so the passes value funded accounts (GetCollaterals with balances, not "unknown"). The adapters stay
     * connected: {@link #tick} gives each chain a block and a heartbeat (a chain silent for a minute turns DEGRADED,
     * and every account's collateral with it).
     */
    private static final class Funding implements AutoCloseable {

        private static final List<String> CHAINS = List.of("ethereum", "arbitrum");

        private final Endpoints endpoints;
        private final Connection collateralSql;
        /** Connected by {@link #fund}. */
        private AdapterChains chains;

        Funding(Endpoints endpoints, Connection collateralSql) {
            this.endpoints = endpoints;
            this.collateralSql = collateralSql;
        }

        Endpoints endpoints() {
            return endpoints;
        }

        /**
         * Enough USDC that nearly every account starts HEALTHY: a first status other than HEALTHY is a change, which
         * the pass re-values one account at a time, and the first pass would measure thousands of those instead of a
         * tick's pass (a mass of changes is its own case: see BENCHMARKS.md).
         */
        void fund(List<String> accounts, Random random) throws InterruptedException {
            long start = System.nanoTime();
            endpoints.pricing().pushIndexPrices(indexNow());
            List<Deposit> usdc = new ArrayList<>();
            List<Deposit> eth = new ArrayList<>();
            for (int i = 0; i < accounts.size(); i++) {
                usdc.add(AdapterChains.deposit("usdc-" + i, accounts.get(i), "USDC", java.math.BigDecimal.valueOf(500_000 + random.nextInt(2_000_001))));
                if (i % 2 == 0) {
                    eth.add(AdapterChains.deposit("eth-" + i, accounts.get(i), "ETH", java.math.BigDecimal.valueOf(1 + random.nextInt(20))));
                }
            }
            chains = AdapterChains.connect(endpoints, CHAINS, "funding");
            long applied = chains.depositFinal("ethereum", usdc) + chains.depositFinal("arbitrum", eth);
            int expected = usdc.size() + eth.size();
            if (applied != expected) {
                throw new IllegalStateException(applied + " of " + expected + " funding deposits acked APPLIED");
            }
            AdapterChains.awaitCredited(collateralSql, expected, Duration.ofMinutes(2));
            DemoScenario.awaitChainsHealthy(endpoints, accounts.get(0));
            System.out.printf(Locale.ROOT, "funded through the adapter streams: %d USDC deposits on ethereum, %d ETH deposits on"
                    + " arbitrum, credited and the chains HEALTHY in %.1f s%n", usdc.size(), eth.size(), (System.nanoTime() - start) / 1e9);
        }

        /** A price tick, and on each chain a new block and a heartbeat, as the venue's feeds and adapters send them. */
        void tick() throws InterruptedException {
            endpoints.pricing().pushIndexPrices(indexNow());
            chains.tick();
        }

        @Override
        public void close() {
            if (chains != null) {
                chains.close();
            }
        }
    }

    /** The index levels of the market (and USDC at 1) observed now: pushed before the funding and on every tick. */
    private static PushIndexPricesRequest indexNow() {
        long now = System.currentTimeMillis();
        PushIndexPricesRequest.Builder push = PushIndexPricesRequest.newBuilder();
        INDEX.forEach((asset, level) -> push.addQuotes(IndexQuote.newBuilder().setAsset(asset).setSource("bench")
                .setPrice(Long.toString(level.longValue())).setObservedAtUnixMs(now)));
        push.addQuotes(IndexQuote.newBuilder().setAsset("USDC").setSource("bench").setPrice("1").setObservedAtUnixMs(now));
        return push.build();
    }

    /** Awaits one more completed pass than {@code before} shows (count, sum seconds, accounts), polling /q/metrics. */
    private static double[] awaitNextPass(double[] before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        long report = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<double[]> read = passMetrics();
            if (read.isEmpty()) {
                continue; // a missed poll (the service busy past the timeout): poll again until the deadline
            }
            double[] now = read.get();
            if (System.nanoTime() > report) {
                report += TimeUnit.SECONDS.toNanos(60);
                System.out.printf(Locale.ROOT, "  still waiting: %.0f passes, %.0f accounts valued so far%n", now[0], now[2]);
            }
            if (now[0] > before[0]) {
                if (now[0] > before[0] + 1) {
                    System.out.println("more than one pass ended between two reads; the polling is too slow for these passes");
                }
                return now;
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling an outside process's counter: nothing to await on
        }
        throw new IllegalStateException("no re-margin pass completed within 30 minutes");
    }

    /** Margin-service's pass count, pass seconds and accounts valued; empty when the read timed out. */
    private static Optional<double[]> passMetrics() {
        try {
            URI metrics = URI.create("http://127.0.0.1:" + ServiceSpec.MARGIN.httpPort(PORT_BASE) + "/q/metrics");
            String text = METRICS_HTTP.send(HttpRequest.newBuilder(metrics).timeout(METRICS_READ_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return Optional.of(new double[] {number(PASS_COUNT, text), number(PASS_SUM, text), number(ACCOUNTS, text)});
        } catch (HttpTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("could not read margin-service's metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern PHASE = Pattern.compile("(?m)^margin_remargin_page_seconds_sum\\{[^}]*phase=\"(\\w+)\"[^}]*} ([0-9.E+-]+)$");

    /** Margin-service's re-margin page seconds so far, by phase; empty when the read timed out. */
    private static Map<String, Double> phaseSeconds() {
        try {
            URI metrics = URI.create("http://127.0.0.1:" + ServiceSpec.MARGIN.httpPort(PORT_BASE) + "/q/metrics");
            String text = METRICS_HTTP.send(HttpRequest.newBuilder(metrics).timeout(METRICS_READ_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> out = new java.util.HashMap<>();
            Matcher m = PHASE.matcher(text);
            while (m.find()) {
                out.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            return out;
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double number(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
