package dev.crosschain.suite.bench;

import dev.crosschain.postgres.PostgresServer;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.ListAuctionsResponse;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsResponse;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.ApplyFillRequest;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.RiskEvent;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import dev.crosschain.suite.Await;
import dev.crosschain.suite.DemoScenario;
import dev.crosschain.suite.Endpoints;
import dev.crosschain.suite.Launcher;
import dev.crosschain.suite.ServiceSpec;
import dev.crosschain.suite.Suite;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.crosschain.suite.GrpcErrors.answerLost;
import static dev.crosschain.suite.GrpcErrors.reason;
import static dev.crosschain.suite.bench.LoadMeasures.ms;
import static dev.crosschain.suite.bench.LoadMeasures.cpuByService;
import static dev.crosschain.suite.bench.LoadMeasures.cpuSince;
import static dev.crosschain.suite.bench.LoadMeasures.servicesCpu;

/**
 * Issue 6's liquidation benchmark, against the four packaged services as processes (as the suite runs them, with the
 * suite's liquidation settings; PostgreSQL from {@code CROSSCHAIN_TEST_DB_URL}, else 127.0.0.1:5432, else embedded):
 * {@code --accounts} accounts, each funded through the chain adapter streams (USDC on ethereum and arbitrum, ETH on
 * arbitrum: the demo's trader book times a seeded scale of 0.5 to 3) and holding a long ETH-PERPETUAL bought at 3000
 * (ApplyFill, 10 x the scale), all breach maintenance margin on ONE ETH index move 3000 -> 2625 pushed through
 * pricing-service's index feed (12.5 %: the suite starts liquidation-service with the breaker's max-move at 25 %, so it
 * does not trip). Measured:
 * <ol>
 *   <li><b>open</b>: from the push of the move to each account's auction OPEN, two ways: liquidation-service's own open
 *       time (Auction.started_at_unix_ms, ms, same host clock) and the arrival of the auction on a WatchAuctions stream
 *       subscribed before the move (the driver's receipt; it includes the stream's store read). margin-service's
 *       breach (WatchRisk's LIQUIDATION event time, at_unix_ms) is printed too, to split the path;</li>
 *   <li><b>settle</b>: once every auction is open, {@code --bidders} bidder threads (one funded bidder account each) take
 *       the auctions from a seeded shuffle; a bidder reads its auction and bids {@code max_fraction_now} (everything
 *       that remains when the auction is not bounded by a buffer level; see {@code --buffer-bound}) at the current
 *       price with the version read, reads again after STALE_VERSION, waits out NEEDS_RESET, and bids again while the
 *       auction is open; PlaceBid answers after the bid's settlement. Time from the first bid to the last settlement
 *       (Bid.settled_at_unix_ms) and from the move;</li>
 *   <li><b>bids settled per second</b> over that time.</li>
 * </ol>
 * A venue's liquidation-service has opened auctions before; a cold one compiles its opening path during the measured
 * move. So first, unless {@code --warmup 0}, a warm-up round: {@code --warmup} more accounts of the same long book go
 * through the whole path (the move down, their auctions opened, bid on and settled; one line of their figures, not part
 * of (a) to (c)), and the measured accounts then hold a SHORT ETH-PERPETUAL sold at the warm-up's price 2625 and breach
 * on the move back up to 3000 (the same 375, 14.3 %, within the breaker's 25 %; their book holds less USDC than the
 * long one, as an ETH rise lifts their ETH collateral too); the warm-up accounts, long and restored by their auctions,
 * only gain on that move. {@code --warmup 0} is the cold run: the long accounts measured on the move down.
 * The seed is printed; {@code --seed} replays the scales and the bidders' order, of both rounds. The services are
 * stopped and their databases dropped at the end, also on failure.
 *
 * <pre>
 * java -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.LiquidationLoad [--accounts 1000]
 *     [--bidders 8] [--buffer-bound on|off] [--warmup 200] [--seed N]
 * </pre>
 */
public final class LiquidationLoad {

    /** HTTP 24101-24104, gRPC 25101-25104: clear of the local run, the suite's ITs (20000-23604) and the other drivers (30000 up). */
    private static final int PORT_BASE = 24000;
    private static final String PERP = DemoScenario.PERP;
    private static final BigDecimal ENTRY = DemoScenario.ENTRY;
    /** One move from ENTRY: every account of the demo's book, at any scale, is at or below MM there. */
    private static final BigDecimal BREACH = new BigDecimal("2625");
    private static final BigDecimal BIDDER_USDC = new BigDecimal("10000000");
    private static final List<String> CHAINS = List.of("ethereum", "arbitrum");
    private static final Duration PATIENCE = Duration.ofMinutes(10);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final int PAGE = 500;

    private LiquidationLoad() {
    }

    public static void main(String[] args) throws Exception {
        RevalueLoad.quietClientLogging();
        int accounts = 1000;
        int bidders = 8;
        boolean bufferBound = true;
        int warmup = 200;
        long seed = System.nanoTime();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--accounts" -> accounts = Integer.parseInt(value);
                case "--bidders" -> bidders = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--buffer-bound" -> bufferBound = switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--buffer-bound takes on or off: " + value);
                };
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("arguments come in pairs (--name value): " + String.join(" ", args));
        }
        if (accounts < 1 || bidders < 1 || warmup < 0) {
            throw new IllegalArgumentException("--accounts and --bidders must be at least 1, --warmup at least 0");
        }
        System.out.printf(Locale.ROOT, "seed %d (replay with --seed %d); %d accounts, %d bidders, buffer bound %s, %s%n",
                seed, seed, accounts, bidders, bufferBound ? "on (the suite's setting)" : "off (whole lots)",
                warmup == 0 ? "no warm-up (a cold liquidation-service)" : "a warm-up round of " + warmup + " accounts first");
        Random random = new Random(seed);
        // the measured scales are drawn first: the same for a seed whatever the warm-up
        Cohort measured = warmup == 0 ? Cohort.LONG : Cohort.SHORT;
        List<Book> books = books("liq-", accounts, measured, random);
        List<Book> warmBooks = books("warm-", warmup, Cohort.LONG, random);
        List<String> bidderIds = new ArrayList<>();
        for (int b = 0; b < bidders; b++) {
            bidderIds.add("bidder-" + b);
        }

        Path root = Launcher.repoRoot();
        List<ServiceSpec> services = List.of(ServiceSpec.values());
        // off: every auction opens unbounded, so max_fraction_now is all that remains and a lot sells whole
        Map<String, String> environment = bufferBound ? Map.of() : Map.of("LIQUIDATION_AUCTION_BUFFER_BOUND_ENABLED", "false");
        try (PostgresServer db = PostgresServer.forTests()) {
            String prefix = "liq_load_" + Long.toString(System.nanoTime() & 0xffffff, 36) + "_";
            try (Suite suite = Suite.start(db, prefix, root, root.resolve("suite/target/liquidation-load-logs"), PORT_BASE,
                    services, environment);
                 Suite.StopOnExit stopOnExit = suite.stopOnExit();
                 Endpoints endpoints = suite.endpoints();
                 Market market = Market.open(endpoints);
                 Connection collateralSql = DriverManager.getConnection(db.jdbcUrl(prefix + ServiceSpec.COLLATERAL.database()),
                         db.user(), db.password())) {
                collateralSql.setReadOnly(true);
                List<Book> everyBook = new ArrayList<>(warmBooks);
                everyBook.addAll(books);
                fund(market, collateralSql, everyBook, bidderIds);
                DemoScenario.awaitChainsHealthy(endpoints, books.get(0).account());
                if (!warmBooks.isEmpty()) {
                    warmUp(market, endpoints, warmBooks, bidderIds, random);
                }
                trade(endpoints, books, measured.side(), market.eth);
                Breach breach = breach(market, endpoints, books, measured.moveTo(), true);
                bid(endpoints, breach, bidderIds, random, true);
                // a tick that failed while the bidders ran stopped the index and the chains' heartbeats: what was
                // printed was not measured on a live market
                market.requireTicking();
            } finally {
                for (ServiceSpec spec : services) {
                    db.dropDatabase(prefix + spec.database());
                }
            }
        }
    }

    /** One liquidated account: its id, its cohort's book and the multiple of it the account holds. */
    private record Book(String account, Cohort cohort, BigDecimal scale) {
    }

    /**
     * A book held by the accounts of one round, per scale 1: USDC on ethereum and arbitrum, ETH on arbitrum, and 10
     * ETH-PERPETUAL on {@code side}, breaching on the move to {@code moveTo}. MM haircuts 1 % (USDC) and 5 % (ETH), MM 1 %
     * of notional: LONG (the demo's trader) bought at 3000, at 2625 equity 228.75 against MM 262.50; SHORT sold at 2625, at
     * 3000 equity 238.50 against MM 300 (before the move 3,632.25 against IM 525).
     */
    private enum Cohort {
        LONG(DemoScenario.ALICE_ETHEREUM_USDC, DemoScenario.ALICE_ARBITRUM_USDC, Side.SIDE_BUY, BREACH),
        SHORT(new BigDecimal("750"), new BigDecimal("400"), Side.SIDE_SELL, ENTRY);

        private final BigDecimal ethereumUsdc;
        private final BigDecimal arbitrumUsdc;
        private final Side side;
        private final BigDecimal moveTo;

        Cohort(BigDecimal ethereumUsdc, BigDecimal arbitrumUsdc, Side side, BigDecimal moveTo) {
            this.ethereumUsdc = ethereumUsdc;
            this.arbitrumUsdc = arbitrumUsdc;
            this.side = side;
            this.moveTo = moveTo;
        }

        Side side() {
            return side;
        }

        BigDecimal moveTo() {
            return moveTo;
        }
    }

    private static List<Book> books(String prefix, int count, Cohort cohort, Random random) {
        List<Book> books = new ArrayList<>();
        for (int a = 0; a < count; a++) {
            books.add(new Book(prefix + a, cohort, BigDecimal.valueOf(1 + random.nextInt(6)).multiply(new BigDecimal("0.5"))));
        }
        return books;
    }

    /**
     * The warm-up round: its accounts buy at ENTRY, breach on the move down, their auctions are bid on and settled, and
     * every one of them is out of liquidation and unfrozen again before the measured accounts trade; one line of figures.
     */
    private static void warmUp(Market market, Endpoints endpoints, List<Book> books, List<String> bidders, Random random)
            throws Exception {
        trade(endpoints, books, Side.SIDE_BUY, ENTRY);
        Breach breach = breach(market, endpoints, books, BREACH, false);
        Settled settled = bid(endpoints, breach, bidders, random, false);
        Await.until("every warm-up account out of liquidation and unfrozen", PATIENCE, () -> {
            for (Book book : books) {
                AccountView view = endpoints.margin().getAccountView(GetAccountViewRequest.newBuilder().setAccountId(book.account())
                        .build()).getView();
                if (view.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION || view.getFrozen()) {
                    return Optional.empty();
                }
            }
            return Optional.of(true);
        });
        System.out.printf(Locale.ROOT, "warm-up (not measured): %d long accounts, ETH %s -> %s: every auction OPEN %.3f s after"
                        + " the move (services' CPU %.2f s); %d bids settled %.3f s after the bidders started (services' CPU"
                        + " %.2f s); every account restored%n", books.size(), ENTRY, BREACH, breach.lastOpenSeconds(),
                breach.cpu().toNanos() / 1e9, settled.bids(), settled.seconds(), settled.cpu().toNanos() / 1e9);
    }

    // ---- setting up ----

    /** The books' collateral and the bidders' USDC, deposited through the adapter streams; awaits every deposit CREDITED. */
    private static void fund(Market market, Connection collateralSql, List<Book> books, List<String> bidders)
            throws InterruptedException {
        long start = System.nanoTime();
        List<Deposit> ethereum = new ArrayList<>();
        List<Deposit> arbitrum = new ArrayList<>();
        for (Book book : books) {
            ethereum.add(AdapterChains.deposit("usdc-" + book.account(), book.account(), "USDC", book.cohort().ethereumUsdc.multiply(book.scale())));
            arbitrum.add(AdapterChains.deposit("usdc-" + book.account(), book.account(), "USDC", book.cohort().arbitrumUsdc.multiply(book.scale())));
            arbitrum.add(AdapterChains.deposit("eth-" + book.account(), book.account(), "ETH", DemoScenario.ALICE_ARBITRUM_ETH.multiply(book.scale())));
        }
        for (String bidder : bidders) {
            ethereum.add(AdapterChains.deposit("usdc-" + bidder, bidder, "USDC", BIDDER_USDC));
        }
        long applied = market.chains.depositFinal("ethereum", ethereum) + market.chains.depositFinal("arbitrum", arbitrum);
        int expected = ethereum.size() + arbitrum.size();
        if (applied != expected) {
            throw new IllegalStateException(applied + " of " + expected + " funding deposits acked APPLIED");
        }
        AdapterChains.awaitCredited(collateralSql, expected, PATIENCE);
        System.out.printf(Locale.ROOT, "funded through the adapter streams: %d deposits on ethereum, %d on arbitrum, credited in %.1f s%n",
                ethereum.size(), arbitrum.size(), (System.nanoTime() - start) / 1e9);
    }

    /** Each account buys or sells its perpetual at {@code price} (ApplyFill, four at a time); then none may be in liquidation yet. */
    private static void trade(Endpoints endpoints, List<Book> books, Side side, BigDecimal price) throws InterruptedException {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fills = new ArrayList<>();
            for (Book book : books) {
                ApplyFillRequest fill = ApplyFillRequest.newBuilder().setFillId("fill-" + book.account()).setAccountId(book.account())
                        .setInstrument(PERP).setSide(side).setQuantity(BigDecimal.TEN.multiply(book.scale()).toPlainString())
                        .setPrice(price.toPlainString()).build();
                fills.add(pool.submit(() -> applyFill(endpoints, fill)));
            }
            for (Future<?> fill : fills) {
                fill.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a fill failed", e);
        } finally {
            pool.shutdownNow();
        }
        Map<AccountStatus, Integer> statuses = new TreeMap<>();
        for (Book book : books) {
            AccountView view = endpoints.margin().getAccountView(GetAccountViewRequest.newBuilder().setAccountId(book.account()).build())
                    .getView();
            if (view.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION || view.getFrozen()) {
                throw new IllegalStateException(book.account() + " is in liquidation before the move: " + view.getStatus()
                        + (view.getFrozen() ? ", frozen" : ""));
            }
            statuses.merge(view.getStatus(), 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "%d fills (%s) of %s at %s in %.1f s; statuses before the move: %s%n", books.size(),
                side == Side.SIDE_BUY ? "buys" : "sells", PERP, price, (System.nanoTime() - start) / 1e9, statuses);
    }

    /**
     * ApplyFill, sent again under the same fill id (idempotent) while the answer is lost or margin-service asks for a
     * retry (UNAVAILABLE: its store ran out of retries of a deadlock or of a racing insert of the same key, or the
     * database is out of reach).
     */
    private static Void applyFill(Endpoints endpoints, ApplyFillRequest fill) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                endpoints.margin().applyFill(fill);
                return null;
            } catch (StatusRuntimeException e) {
                if (!answerLost(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.printf(Locale.ROOT, "  %s: %s, sent again%n", fill.getFillId(), e.getStatus());
            }
            TimeUnit.MILLISECONDS.sleep(100); // a venue's backoff before it reports the same fill again
        }
    }

    // ---- (a) the move and the opens ----

    /** What the move did: when it was pushed, each account's open auction, when the last opened and the services' CPU till then. */
    private record Breach(long movedAtUnixMs, Map<String, Opened> opened, double lastOpenSeconds, Duration cpu) {
    }

    /** An account's auction as first seen OPEN on the stream: its id, its open time and when the driver received it. */
    private record Opened(String auctionId, long startedAtUnixMs, long receivedAtNanos) {
    }

    /**
     * Pushes the move with WatchRisk and WatchAuctions subscribed, awaits every account's auction OPEN (WatchAuctions; a
     * ListAuctions check at the end confirms each account has one) and, when {@code printed}, prints the open latencies.
     */
    private static Breach breach(Market market, Endpoints endpoints, List<Book> books, BigDecimal moveTo, boolean printed)
            throws InterruptedException {
        Map<String, Book> byAccount = new HashMap<>();
        books.forEach(b -> byAccount.put(b.account(), b));
        Map<String, Long> breachedAt = new ConcurrentHashMap<>();
        Map<String, Opened> opened = new ConcurrentHashMap<>();
        AtomicReference<Throwable> streamFailure = new AtomicReference<>();
        ManagedChannel margin = channel(ServiceSpec.MARGIN);
        ManagedChannel liquidation = channel(ServiceSpec.LIQUIDATION);
        Context.CancellableContext streams = Context.current().withCancellation();
        try {
            streams.run(() -> {
                MarginServiceGrpc.newStub(margin).watchRisk(WatchRiskRequest.getDefaultInstance(), observer(streamFailure, "WatchRisk",
                        (WatchRiskResponse r) -> {
                            RiskEvent event = r.getEvent();
                            if (event.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION && byAccount.containsKey(event.getAccountId())) {
                                breachedAt.putIfAbsent(event.getAccountId(), event.getAtUnixMs());
                            }
                        }));
                LiquidationServiceGrpc.newStub(liquidation).watchAuctions(WatchAuctionsRequest.getDefaultInstance(),
                        observer(streamFailure, "WatchAuctions", (WatchAuctionsResponse r) -> {
                            long received = System.nanoTime();
                            Auction auction = r.getAuction();
                            if (auction.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN && byAccount.containsKey(auction.getAccountId())) {
                                opened.putIfAbsent(auction.getAccountId(), new Opened(auction.getAuctionId(),
                                        auction.getStartedAtUnixMs(), received));
                            }
                        }));
            });
            // a unary call on each stream's connection after it: the subscriptions reached the services before the move
            LiquidationServiceGrpc.newBlockingStub(liquidation).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listAuctions(ListAuctionsRequest.newBuilder().setPageSize(1).build());
            MarginServiceGrpc.newBlockingStub(margin).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getAccountView(GetAccountViewRequest.newBuilder().setAccountId(books.get(0).account()).build());
            if (!breachedAt.isEmpty() || !opened.isEmpty()) {
                throw new IllegalStateException("breaches or auctions before the move: " + breachedAt.keySet() + " " + opened.keySet());
            }
            Duration cpuBefore = servicesCpu();
            Map<String, Duration> cpuByServiceBefore = cpuByService();
            BigDecimal moveFrom = market.eth;
            long movedAtUnixMs = System.currentTimeMillis();
            long movedAtNanos = System.nanoTime();
            market.set(moveTo);
            System.out.printf(Locale.ROOT, "%nETH index %s -> %s pushed (one move, %.1f %%) at %d%s%n", moveFrom, moveTo,
                    moveTo.subtract(moveFrom).abs().doubleValue() / moveFrom.doubleValue() * 100, movedAtUnixMs,
                    printed ? "" : " (the warm-up)");
            long deadline = movedAtNanos + PATIENCE.toNanos();
            long report = movedAtNanos + PROGRESS_EVERY.toNanos();
            long lastCount = -1;
            while (opened.size() < books.size()) {
                market.requireTicking();
                if (streamFailure.get() != null) {
                    throw new IllegalStateException("a stream failed before every auction opened", streamFailure.get());
                }
                long now = System.nanoTime();
                if (now > deadline) {
                    List<String> missing = books.stream().map(Book::account).filter(a -> !opened.containsKey(a)).limit(10).toList();
                    throw new IllegalStateException(opened.size() + " of " + books.size() + " auctions open after " + PATIENCE
                            + "; e.g. not open: " + missing);
                }
                if (now > report) {
                    report += PROGRESS_EVERY.toNanos();
                    if (opened.size() != lastCount) {
                        System.out.printf(Locale.ROOT, "  %.0f s: %d breaches reported by margin-service, %d auctions open%n",
                                (now - movedAtNanos) / 1e9, breachedAt.size(), opened.size());
                        lastCount = opened.size();
                    }
                }
                TimeUnit.MILLISECONDS.sleep(5); // the stream's callbacks fill the map: polled, not awaited per item
            }
            Duration cpu = servicesCpu().minus(cpuBefore);
            if (printed) {
                reportOpens(movedAtUnixMs, movedAtNanos, breachedAt, opened, cpu);
                System.out.println("    services' CPU by service meanwhile: " + cpuSince(cpuByServiceBefore));
            }
            requireOneAuctionEach(endpoints, opened);
            double lastOpenSeconds = (opened.values().stream().mapToLong(Opened::startedAtUnixMs).max().orElseThrow() - movedAtUnixMs) / 1e3;
            return new Breach(movedAtUnixMs, Map.copyOf(opened), lastOpenSeconds, cpu);
        } finally {
            streams.cancel(null);
            margin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            liquidation.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void reportOpens(long movedAtUnixMs, long movedAtNanos, Map<String, Long> breachedAt, Map<String, Opened> opened,
                                    Duration cpu) {
        long[] serverOpen = opened.values().stream().mapToLong(o -> (o.startedAtUnixMs() - movedAtUnixMs) * 1_000_000).sorted().toArray();
        long[] received = opened.values().stream().mapToLong(o -> o.receivedAtNanos() - movedAtNanos).sorted().toArray();
        long[] breached = breachedAt.values().stream().mapToLong(at -> (at - movedAtUnixMs) * 1_000_000).sorted().toArray();
        long[] openAfterBreach = opened.entrySet().stream().filter(e -> breachedAt.containsKey(e.getKey()))
                .mapToLong(e -> (e.getValue().startedAtUnixMs() - breachedAt.get(e.getKey())) * 1_000_000).sorted().toArray();
        int n = opened.size();
        System.out.printf(Locale.ROOT, "(a) every auction OPEN after the move: %.3f s by liquidation-service's open times"
                        + " (started_at_unix_ms, 1 ms), %.3f s as received on WatchAuctions; goal < 1 s%n",
                serverOpen[n - 1] / 1e9, received[n - 1] / 1e9);
        System.out.printf(Locale.ROOT, "    per account, open time - move (ms): p50 %.0f  p90 %.0f  p99 %.0f  max %.0f (%d auctions)%n",
                ms(serverOpen, 0.5), ms(serverOpen, 0.9), ms(serverOpen, 0.99), ms(serverOpen, 1), n);
        System.out.printf(Locale.ROOT, "    per account, received on WatchAuctions - move (ms): p50 %.0f  p90 %.0f  p99 %.0f  max %.0f%n",
                ms(received, 0.5), ms(received, 0.9), ms(received, 0.99), ms(received, 1));
        System.out.printf(Locale.ROOT, "    margin-service's breach (WatchRisk LIQUIDATION at_unix_ms) - move (ms): p50 %.0f  p90 %.0f"
                        + "  max %.0f (%d of %d seen on the stream)%n", ms(breached, 0.5), ms(breached, 0.9), ms(breached, 1),
                breached.length, n);
        System.out.printf(Locale.ROOT, "    open - breach per account (ms): p50 %.0f  p90 %.0f  max %.0f; services' CPU %.2f s meanwhile%n",
                ms(openAfterBreach, 0.5), ms(openAfterBreach, 0.9), ms(openAfterBreach, 1), cpu.toNanos() / 1e9);
    }

    /** Each account has exactly the one auction the stream showed (a second open one would be a double liquidation). */
    private static void requireOneAuctionEach(Endpoints endpoints, Map<String, Opened> opened) {
        Map<String, List<String>> openByAccount = new HashMap<>();
        for (Auction auction : allAuctions(endpoints, AuctionStatus.AUCTION_STATUS_OPEN)) {
            openByAccount.computeIfAbsent(auction.getAccountId(), k -> new ArrayList<>()).add(auction.getAuctionId());
        }
        opened.forEach((account, o) -> {
            if (!List.of(o.auctionId()).equals(openByAccount.get(account))) {
                throw new IllegalStateException(account + ": open auctions " + openByAccount.get(account) + ", the stream showed "
                        + o.auctionId());
            }
        });
    }

    // ---- (b), (c) the bidders ----

    /** What one bidder thread did. */
    private static final class BidderStats {
        final List<Long> placeNanos = new ArrayList<>();
        int stale;
        int resets;
    }

    /** What a round's bidders did: bids settled, seconds from the bidders' start to the last settlement, services' CPU. */
    private record Settled(int bids, double seconds, Duration cpu) {
    }

    /** The bidders on the auctions {@code breach} opened, until each is closed and its bids settled; its figures printed when {@code printed}. */
    private static Settled bid(Endpoints endpoints, Breach breach, List<String> bidders, Random random, boolean printed)
            throws Exception {
        // bid ids are the service's idempotency keys: the warm-up's must not be the measured round's
        String bidIdPrefix = printed ? "bid-" : "warm-bid-";
        List<String> auctions = new ArrayList<>(new TreeMap<>(breach.opened()).values().stream().map(Opened::auctionId).toList());
        Collections.shuffle(auctions, random);
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(auctions);
        AtomicLong bidIds = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(bidders.size());
        Duration cpuBefore = servicesCpu();
        Map<String, Duration> cpuByServiceBefore = cpuByService();
        long startedAtUnixMs = System.currentTimeMillis();
        long startedAtNanos = System.nanoTime();
        List<BidderStats> stats = new ArrayList<>();
        try {
            List<Future<BidderStats>> threads = new ArrayList<>();
            for (String bidder : bidders) {
                threads.add(pool.submit(() -> {
                    BidderStats mine = new BidderStats();
                    for (String auctionId = queue.poll(); auctionId != null; auctionId = queue.poll()) {
                        buyOut(endpoints, auctionId, bidder, bidIdPrefix, bidIds, mine);
                    }
                    return mine;
                }));
            }
            for (Future<BidderStats> thread : threads) {
                stats.add(thread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long biddersDoneNanos = System.nanoTime();
        List<Auction> closed = Await.until("every auction closed and its bids settled", PATIENCE, () -> {
            // this round's accounts: a warm-up round's auctions are not the measured round's
            List<Auction> all = allAuctions(endpoints, AuctionStatus.AUCTION_STATUS_UNSPECIFIED).stream()
                    .filter(a -> a.getStartedAtUnixMs() > 0 && breach.opened().containsKey(a.getAccountId())).toList();
            boolean done = all.stream().allMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED
                    && a.getBidsList().stream().allMatch(b -> b.getStatus() == BidStatus.BID_STATUS_SETTLED));
            return done ? Optional.of(all) : Optional.empty();
        });
        Duration cpu = servicesCpu().minus(cpuBefore);
        if (printed) {
            reportSettlement(breach, closed, stats, startedAtUnixMs, (biddersDoneNanos - startedAtNanos) / 1e9, cpu);
            System.out.println("    services' CPU by service meanwhile: " + cpuSince(cpuByServiceBefore));
        }
        List<Bid> bids = closed.stream().flatMap(a -> a.getBidsList().stream()).toList();
        long lastSettled = bids.stream().mapToLong(Bid::getSettledAtUnixMs).max().orElseThrow();
        return new Settled(bids.size(), (lastSettled - startedAtUnixMs) / 1e3, cpu);
    }

    /**
     * One bidder on one auction until it is closed: reads it, bids max_fraction_now at the current price with the version
     * read (a new bid id each time); STALE_VERSION: reads again; NEEDS_RESET: waits for the reset; an answer lost
     * (UNAVAILABLE, DEADLINE_EXCEEDED): the same bid id again. Any other refusal ends the run.
     */
    private static void buyOut(Endpoints endpoints, String auctionId, String bidder, String bidIdPrefix, AtomicLong bidIds,
                               BidderStats stats)
            throws InterruptedException {
        Auction auction = auction(endpoints, auctionId);
        while (auction.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN) {
            if (auction.getNeedsReset()) {
                stats.resets++;
                auction = Await.until(auctionId + " reset", PATIENCE,
                        () -> Optional.of(auction(endpoints, auctionId)).filter(a -> !a.getNeedsReset()));
                continue;
            }
            PlaceBidRequest request = PlaceBidRequest.newBuilder().setBidId(bidIdPrefix + bidIds.incrementAndGet())
                    .setAuctionId(auctionId).setBidderAccountId(bidder).setFraction(auction.getMaxFractionNow())
                    .setMaxLotPriceUsd(auction.getCurrentPriceUsd()).setAuctionVersion(auction.getVersion()).build();
            StatusRuntimeException refused = place(endpoints, request, stats);
            if (refused != null) {
                String reason = reason(refused);
                switch (reason) {
                    case "STALE_VERSION" -> stats.stale++;
                    case "NEEDS_RESET", "AUCTION_CLOSED" -> {
                        // read again below: a reset to await, or nothing left to do
                    }
                    default -> throw new IllegalStateException("bid " + request.getBidId() + " on " + auctionId + " refused "
                            + refused.getStatus() + " " + reason, refused);
                }
            }
            auction = auction(endpoints, auctionId);
        }
    }

    /** PlaceBid, sent again under the same bid id while the answer is lost; null when accepted, else the refusal. */
    private static StatusRuntimeException place(Endpoints endpoints, PlaceBidRequest request, BidderStats stats)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            long start = System.nanoTime();
            try {
                endpoints.liquidation().placeBid(request);
                stats.placeNanos.add(System.nanoTime() - start);
                return null;
            } catch (StatusRuntimeException e) {
                if (!answerLost(e) || System.nanoTime() > deadline) {
                    return e;
                }
            }
            TimeUnit.MILLISECONDS.sleep(100); // a bidder's backoff before it sends the same bid again
        }
    }

    private static void reportSettlement(Breach breach, List<Auction> auctions, List<BidderStats> stats, long startedAtUnixMs,
                                         double biddersSeconds, Duration cpu) {
        List<Bid> bids = auctions.stream().flatMap(a -> a.getBidsList().stream()).toList();
        long firstPlaced = bids.stream().mapToLong(Bid::getPlacedAtUnixMs).min().orElseThrow();
        long lastSettled = bids.stream().mapToLong(Bid::getSettledAtUnixMs).max().orElseThrow();
        long lastClosed = auctions.stream().mapToLong(Auction::getClosedAtUnixMs).max().orElseThrow();
        long[] settle = bids.stream().mapToLong(b -> (b.getSettledAtUnixMs() - b.getPlacedAtUnixMs()) * 1_000_000).sorted().toArray();
        long[] place = stats.stream().flatMap(s -> s.placeNanos.stream()).mapToLong(Long::longValue).sorted().toArray();
        Map<String, Integer> reasons = new TreeMap<>();
        auctions.forEach(a -> reasons.merge(a.getCloseReason().name().replace("AUCTION_CLOSE_REASON_", ""), 1, Integer::sum));
        Map<Integer, Integer> bidsPerAuction = new TreeMap<>();
        auctions.forEach(a -> bidsPerAuction.merge(a.getBidsCount(), 1, Integer::sum));
        int stale = stats.stream().mapToInt(s -> s.stale).sum();
        int resets = stats.stream().mapToInt(s -> s.resets).sum();
        double seconds = (lastSettled - startedAtUnixMs) / 1e3;
        System.out.printf(Locale.ROOT, "%n(b) every auction closed and every bid settled: %.3f s after the bidders started (%d threads),"
                        + " %.3f s after the move; last close at +%.3f s (closed_at_unix_ms / settled_at_unix_ms, 1 ms)%n",
                seconds, stats.size(), (lastSettled - breach.movedAtUnixMs()) / 1e3, (lastClosed - startedAtUnixMs) / 1e3);
        System.out.printf(Locale.ROOT, "    %d auctions closed %s; bids per auction %s; %d STALE_VERSION re-bids, %d resets waited;"
                        + " bidders done in %.3f s%n", auctions.size(), reasons, bidsPerAuction, stale, resets, biddersSeconds);
        System.out.printf(Locale.ROOT, "    PlaceBid (accept + settlement, as the bidder waits) ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f;"
                        + " placed -> settled ms: p50 %.0f  max %.0f%n", ms(place, 0.5), ms(place, 0.9), ms(place, 0.99), ms(place, 1),
                ms(settle, 0.5), ms(settle, 1));
        System.out.printf(Locale.ROOT, "(c) %d bids settled in %.3f s: %.1f bids settled per second (first accepted at +%.3f s);"
                        + " services' CPU %.2f s meanwhile%n", bids.size(), seconds, bids.size() / seconds,
                (firstPlaced - startedAtUnixMs) / 1e3, cpu.toNanos() / 1e9);
    }

    // ---- reading the services ----

    private static Auction auction(Endpoints endpoints, String auctionId) {
        return endpoints.liquidation().getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

    /** Every auction in {@code status} (all when UNSPECIFIED), page by page. */
    private static List<Auction> allAuctions(Endpoints endpoints, AuctionStatus status) {
        List<Auction> all = new ArrayList<>();
        String page = "";
        do {
            ListAuctionsResponse response = endpoints.liquidation().listAuctions(ListAuctionsRequest.newBuilder().setStatus(status)
                    .setPageSize(PAGE).setPageToken(page).build());
            all.addAll(response.getAuctionsList());
            page = response.getNextPageToken();
        } while (!page.isEmpty());
        return all;
    }

    private static ManagedChannel channel(ServiceSpec spec) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", spec.grpcPort(PORT_BASE)).usePlaintext().build();
    }

    private static <T> StreamObserver<T> observer(AtomicReference<Throwable> failure, String name, java.util.function.Consumer<T> onItem) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                onItem.accept(value);
            }

            @Override
            public void onError(Throwable t) {
                if (!(t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.CANCELLED)) {
                    failure.compareAndSet(null, new IllegalStateException(name + " failed", t));
                }
            }

            @Override
            public void onCompleted() {
                failure.compareAndSet(null, new IllegalStateException(name + " ended"));
            }
        };
    }

    /**
     * The market the services see: the ETH index (and USDC at 1) and the two chains' adapters, all ticking once a second
     * from the start, so no index goes stale (margin-service would shock it; the breakers would hold new auctions) and no
     * chain turns DEGRADED however long the run takes. A failed tick stops the ticking; {@link #requireTicking} says so.
     */
    private static final class Market implements AutoCloseable {

        private final Endpoints endpoints;
        private final AdapterChains chains;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final AtomicReference<RuntimeException> tickFailure = new AtomicReference<>();
        private volatile BigDecimal eth = ENTRY;

        private Market(Endpoints endpoints, AdapterChains chains) {
            this.endpoints = endpoints;
            this.chains = chains;
        }

        static Market open(Endpoints endpoints) throws InterruptedException {
            Market market = new Market(endpoints, AdapterChains.connect(endpoints, CHAINS, "liquidation-load"));
            market.push();
            market.timer.scheduleAtFixedRate(market::tick, 1, 1, TimeUnit.SECONDS);
            return market;
        }

        /** Moves the ETH index to {@code level} now; later ticks keep it there. */
        void set(BigDecimal level) {
            eth = level;
            push();
        }

        void requireTicking() {
            if (tickFailure.get() != null) {
                throw new IllegalStateException("the market's tick failed: the figures would not be of a live market", tickFailure.get());
            }
        }

        private void tick() {
            try {
                push();
                chains.tick();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // after a lost ack every later tick of that stream fails: stop here (a throw ends the schedule)
                tickFailure.set(e);
                throw e;
            }
        }

        private synchronized void push() {
            endpoints.pushEthAndUsdc("liquidation-load", eth);
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
            chains.close();
        }
    }
}
