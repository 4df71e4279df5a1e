package dev.crosschain.margin.grpc;

import dev.crosschain.margin.app.MarginEngine;
import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.PositionRisk;
import dev.crosschain.margin.store.AccountStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.RiskEvent;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import io.agroal.api.AgroalDataSource;
import io.grpc.Context;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.awaitItem;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.collect;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static dev.crosschain.margin.grpc.SetMarginModeGrpcTest.setMode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batched re-margin pass (MarginEngine.remarginAll): the same figures as GetAccountView, one RiskEvent per status
 * change, no write for an account as stored, nothing stored when a page's upstream fails. The passes are run by the
 * test (remarginAll is one pass at a time, so a scheduled pass never overlaps them); each test's accounts and
 * instruments are its own.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class RemarginPassGrpcTest {

    /** A perpetual only this class marks (others' price moves never touch it). */
    static final String PERP = "AVAX-PERPETUAL";
    /** A future only this class marks, for the PORTFOLIO account (its mark = index 3,000 in the fake). */
    static final String FUT = "ETH-25JUN27";
    static FakeUpstream upstream;

    @Inject
    MarginEngine engine;
    @Inject
    AccountStore store;
    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
        upstream.pricing.linear(FUT, "3000", false);
    }

    @AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    @AfterEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.pricing.mode.set(FakeUpstream.Mode.OK);
    }

    @Test
    void thePassValuesEveryAccountAsGetAccountViewDoes() {
        String prefix = "rp-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String perp = "DOT-PERPETUAL";
        upstream.pricing.linear(perp, "7", false);
        upstream.pricing.linear(MarginGrpcServiceTest.PERP, "3000", false);
        upstream.pricing.option(MarginGrpcServiceTest.CALL, "100", "3000", 0.25);
        String cross = prefix + "cross";
        upstream.collateral.set(cross, false,
                new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"},
                new Object[]{"ethereum", "USDC", "1000", "1", "0.02", "0.01"});
        fill(cross + "-1", cross, MarginGrpcServiceTest.PERP, Side.SIDE_BUY, "2", "2800");
        fill(cross + "-2", cross, MarginGrpcServiceTest.CALL, Side.SIDE_SELL, "1", "100");
        fill(cross + "-3", cross, perp, Side.SIDE_SELL, "100", "7.5");
        String marginOnly = prefix + "margin-only"; // collateral-service never heard of it: zero collateral
        fill(marginOnly + "-1", marginOnly, perp, Side.SIDE_BUY, "10", "7");
        String portfolio = prefix + "portfolio";
        upstream.collateral.set(portfolio, false, new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"});
        fill(portfolio + "-1", portfolio, FUT, Side.SIDE_SELL, "2", "3000");
        assertThat(setMode(portfolio + "-m1", portfolio, MarginMode.MARGIN_MODE_PORTFOLIO).getMode())
                .isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);

        List<AccountStore.Remarginable> page = store.remarginPage(prefix, 1_000).stream()
                .filter(r -> r.state().accountId().startsWith(prefix)).toList();
        assertThat(page).extracting(r -> r.state().accountId()).containsExactly(cross, marginOnly, portfolio);
        Map<String, AccountRisk> pass = engine.passFigures(page);

        assertThat(pass).containsOnlyKeys(cross, marginOnly, portfolio);
        for (String account : List.of(cross, marginOnly, portfolio)) {
            assertSameFigures(pass.get(account), view(account));
        }
        assertThat(pass.get(portfolio).portfolio()).as("valued by the scenario engine, not the fallback").isNotNull();
        assertThat(pass.get(portfolio).portfolio().fallback()).isFalse();
        assertThat(pass.get(portfolio).maintenanceMargin()).isEqualByComparingTo("126.00"); // PortfolioModeGrpcTest's hedged book
        assertThat(pass.get(marginOnly).collateral().lines()).isEmpty();
    }

    @Test
    void aPageOfRandomPortfolioBooksIsValuedAsGetAccountViewValuesEachOfThem() throws Exception {
        long seed = System.nanoTime();
        System.out.println("RemarginPassGrpcTest PORTFOLIO page seed " + seed);
        java.util.Random random = new java.util.Random(seed);
        String prefix = "rp-pm-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        // underlyings of this test only (BNB, XRP and ADA with a future each), so other tests' marks never move them
        List<String> instruments = List.of("BNB-PERPETUAL", "BNB-25JUN27", "XRP-PERPETUAL", "XRP-25JUN27", "ADA-PERPETUAL",
                "ADA-25JUN27");
        for (String instrument : instruments) {
            upstream.pricing.linear(instrument, Integer.toString(50 + random.nextInt(500)), false);
        }
        List<String> accounts = new ArrayList<>();
        for (int a = 0; a < 12; a++) {
            String account = prefix + String.format("%02d", a); // in the page's (account id) order
            accounts.add(account);
            List<Object[]> lines = new ArrayList<>();
            lines.add(new Object[]{"ethereum", "USDC", Integer.toString(1_000 + random.nextInt(50_000)), "1", "0.02", "0.01"});
            if (random.nextBoolean()) { // risky collateral, scanned with the ETH scenarios
                lines.add(new Object[]{"arbitrum", "ETH", Integer.toString(1 + random.nextInt(10)), "3000", "0.15", "0.10"});
            }
            upstream.collateral.set(account, false, lines.toArray(new Object[0][]));
            List<String> held = new ArrayList<>(instruments);
            java.util.Collections.shuffle(held, random);
            Map<String, BigDecimal> book = new LinkedHashMap<>();
            for (String instrument : held.subList(0, 1 + random.nextInt(held.size()))) {
                book.put(instrument, BigDecimal.valueOf((1 + random.nextInt(40)) * (random.nextBoolean() ? 1 : -1), 1));
            }
            portfolioBook(account, book, BigDecimal.valueOf(50 + random.nextInt(500)));
        }

        List<AccountStore.Remarginable> page = store.remarginPage(prefix, 1_000).stream()
                .filter(r -> r.state().accountId().startsWith(prefix)).toList();
        assertThat(page).extracting(r -> r.state().accountId()).containsExactlyElementsOf(accounts);
        CountedPass counted = passFiguresAlone(page, instruments);
        Map<String, AccountRisk> pass = counted.figures();

        assertThat(counted.calls()).as("seed %d: RevalueBook calls of %d books batched", seed, accounts.size())
                .isLessThan(accounts.size());
        counted.callsOf().forEach((instrument, n) -> assertThat(n).as("seed %d: calls holding %s, one per scenario group", seed, instrument)
                .isLessThanOrEqualTo(1));
        assertThat(pass).as("seed %d", seed).containsOnlyKeys(accounts);
        for (String account : accounts) {
            AccountRisk figures = pass.get(account);
            assertThat(figures.portfolio()).as("seed %d: %s valued by the scenario engine", seed, account).isNotNull();
            assertThat(figures.portfolio().fallback()).as("seed %d: %s not the fallback", seed, account).isFalse();
            assertSameFigures(figures, view(account));
        }
    }

    @Test
    void aHolderOfAnInstrumentTheBatchIsRefusedIsValuedAloneAndTheOthersFromTheBatch() throws Exception {
        String prefix = "rp-pm-refused-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        // underlyings of this test only; RevalueBook refuses options (without naming them), so the LTC call fails whole
        String future = "TRX-25JUN27";
        String perpetual = "TRX-PERPETUAL";
        String option = "LTC-25JUN27-100-C";
        upstream.pricing.linear(future, "120", false);
        upstream.pricing.linear(perpetual, "121", false);
        upstream.pricing.option(option, "8", "100", 0.4);
        String holder = prefix + "0-holder";
        upstream.collateral.set(holder, false, new Object[]{"ethereum", "USDC", "20000", "1", "0.02", "0.01"});
        portfolioBook(holder, Map.of(future, new BigDecimal("-3"), option, new BigDecimal("2")), new BigDecimal("110"));
        List<String> others = new ArrayList<>();
        for (int a = 1; a <= 5; a++) {
            String account = prefix + a;
            others.add(account);
            upstream.collateral.set(account, false, new Object[]{"ethereum", "USDC", "20000", "1", "0.02", "0.01"});
            portfolioBook(account, Map.of(future, new BigDecimal(a), perpetual, new BigDecimal(-2 * a)), new BigDecimal("118"));
        }

        List<AccountStore.Remarginable> page = store.remarginPage(prefix, 1_000).stream()
                .filter(r -> r.state().accountId().startsWith(prefix)).toList();
        assertThat(page).hasSize(6);
        CountedPass counted = passFiguresAlone(page, List.of(future, perpetual, option));
        Map<String, AccountRisk> pass = counted.figures();

        assertThat(counted.calls()).as("the others' books batched").isLessThan(page.size());
        assertThat(counted.callsOf().get(perpetual)).as("only the others hold it: the batch's call").isEqualTo(1);
        assertThat(counted.callsOf().get(option)).as("the batch's call, then the holder's own").isEqualTo(2);
        assertThat(pass.get(holder).portfolio().fallback()).as("its own RevalueBook refused too: the labelled fallback").isTrue();
        assertSameFigures(pass.get(holder), view(holder));
        for (String account : others) {
            assertThat(pass.get(account).portfolio().fallback()).as(account + " valued from the batch").isFalse();
            assertSameFigures(pass.get(account), view(account));
        }
    }

    /** A pass's figures, with the RevalueBook calls it made: in all, and those holding each instrument counted. */
    private record CountedPass(Map<String, AccountRisk> figures, int calls, Map<String, Integer> callsOf) {
    }

    /**
     * The pass's figures of {@code page} and its RevalueBook calls, while no scheduled pass runs (it holds the engine's
     * monitor as remarginAll does): a scheduled pass would revalue the same books meanwhile.
     */
    private CountedPass passFiguresAlone(List<AccountStore.Remarginable> page, List<String> counted) {
        synchronized (ClientProxy.unwrap(engine)) {
            int before = upstream.pricing.revalueCalls.get();
            Map<String, Integer> beforeOf = new LinkedHashMap<>();
            counted.forEach(i -> beforeOf.put(i, revalueCallsOf(i)));
            Map<String, AccountRisk> figures = engine.passFigures(page);
            Map<String, Integer> callsOf = new LinkedHashMap<>();
            beforeOf.forEach((i, n) -> callsOf.put(i, revalueCallsOf(i) - n));
            return new CountedPass(figures, upstream.pricing.revalueCalls.get() - before, callsOf);
        }
    }

    private static int revalueCallsOf(String instrument) {
        java.util.concurrent.atomic.AtomicInteger n = upstream.pricing.revalueCallsOf.get(instrument);
        return n == null ? 0 : n.get();
    }

    /** A PORTFOLIO account holding {@code quantities} entered at {@code entry}, written by SQL (see {@link #book}). */
    private void portfolioBook(String account, Map<String, BigDecimal> quantities, BigDecimal entry) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO account (account_id, margin_mode) VALUES (?, 'PORTFOLIO')")) {
                s.setString(1, account);
                s.executeUpdate();
            }
            for (Map.Entry<String, BigDecimal> position : quantities.entrySet()) {
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO position (account_id, instrument, quantity, avg_entry_price) VALUES (?, ?, ?, ?)")) {
                    s.setString(1, account);
                    s.setString(2, position.getKey());
                    s.setBigDecimal(3, position.getValue());
                    s.setBigDecimal(4, entry);
                    s.executeUpdate();
                }
            }
        }
    }

    private static void assertSameFigures(AccountRisk pass, AccountView view) {
        String account = view.getAccountId();
        assertThat(pass.accountId()).isEqualTo(account);
        assertThat(pass.equity()).as(account + " equity").isEqualByComparingTo(view.getEquityUsd());
        assertThat(pass.collateral().valueMm()).as(account + " collateral").isEqualByComparingTo(view.getCollateralValueUsd());
        assertThat(pass.initialMargin()).as(account + " IM").isEqualByComparingTo(view.getInitialMarginUsd());
        assertThat(pass.maintenanceMargin()).as(account + " MM").isEqualByComparingTo(view.getMaintenanceMarginUsd());
        assertThat(pass.marginRatio()).as(account + " ratio").isEqualTo(view.getMarginRatio());
        assertThat(pass.unrealizedPnl()).as(account + " uPnL").isEqualByComparingTo(view.getUnrealizedPnlUsd());
        assertThat(pass.optionValue()).as(account + " option value").isEqualByComparingTo(view.getOptionValueUsd());
        assertThat(pass.realizedPnl()).as(account + " realized").isEqualByComparingTo(view.getRealizedPnlUsd());
        assertThat(pass.status().name()).as(account + " status").isEqualTo(view.getStatus().name().replace("ACCOUNT_STATUS_", ""));
        assertThat(pass.mode().name()).as(account + " mode").isEqualTo(view.getMode().name().replace("MARGIN_MODE_", ""));
        assertThat(pass.conservative()).as(account + " conservative").isEqualTo(view.getConservative());
        assertThat(pass.positions()).hasSameSizeAs(view.getPositionsList());
        for (int i = 0; i < pass.positions().size(); i++) {
            PositionRisk p = pass.positions().get(i);
            dev.crosschain.proto.margin.v1.Position v = view.getPositions(i);
            assertThat(p.position().instrument()).isEqualTo(v.getInstrument());
            assertThat(p.markUsed()).as(account + " " + v.getInstrument() + " mark").isEqualByComparingTo(v.getMarkPrice());
            assertThat(p.initialMargin()).as(account + " " + v.getInstrument() + " IM").isEqualByComparingTo(v.getInitialMarginUsd());
            assertThat(p.maintenanceMargin()).as(account + " " + v.getInstrument() + " MM").isEqualByComparingTo(v.getMaintenanceMarginUsd());
        }
    }

    @Test
    void aStatusChangeInThePassPublishesExactlyOneRiskEventAndAnUnchangedAccountIsNotWritten() throws Exception {
        String acc = "rp-change-" + UUID.randomUUID().toString().substring(0, 8);
        String calm = acc + "-calm"; // stays HEALTHY throughout
        String sentinel = acc + "-sentinel"; // in liquidation throughout, no collateral: its snapshot entry shows the stream is live
        upstream.pricing.linear(PERP, "100", false);
        book(sentinel, PERP, "1", "200");
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "200", "1", "0", "0"});
        upstream.collateral.set(calm, false, new Object[]{"ethereum", "USDC", "100000", "1", "0", "0"});
        book(acc, PERP, "100", "100"); // notional 10,000: IM 200, MM 100
        book(calm, PERP, "1", "100");
        String flip = leveraged(acc + "-flip-", "KSM-PERPETUAL"); // its change, awaited last, follows every event of acc
        engine.remarginAll();
        assertThat(storedStatus(acc)).isEqualTo("HEALTHY");
        assertThat(storedStatus(calm)).isEqualTo("HEALTHY");
        assertThat(storedStatus(sentinel)).isEqualTo("LIQUIDATION");
        long calmVersion = rowVersion(calm);
        long accVersion = rowVersion(acc);

        engine.remarginAll();
        engine.remarginAll();
        assertThat(rowVersion(calm)).as("a HEALTHY account valued as stored is not written").isEqualTo(calmVersion);
        assertThat(rowVersion(acc)).isEqualTo(accVersion);

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        List<RiskEvent> mine = new ArrayList<>();
        Context.CancellableContext stream = Context.current().withCancellation();
        stream.run(() -> MarginGrpcServiceTest.async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(events)));
        try {
            awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(sentinel), WatchRiskResponse.class);
            // mark 99.5: uPnL -50, equity 150 < IM 199, > MM 99.5: margin call
            upstream.pricing.linear(PERP, "99.5", false);
            engine.remarginAll();
            engine.remarginAll();
            RiskEvent call = awaitEventOf(events, acc, mine);
            assertThat(call.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_MARGIN_CALL);
            assertThat(call.getPreviousStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
            assertThat(call.getEquityUsd()).isEqualTo("150.00000000");
            assertThat(storedStatus(acc)).isEqualTo("MARGIN_CALL");
            long marginCallVersion = rowVersion(acc);

            engine.remarginAll();
            assertThat(rowVersion(acc)).as("an unhealthy account whose figures did not move is not written").isEqualTo(marginCallVersion);
            // its figures move (still a margin call): stored for WatchRisk's snapshot, with no event
            upstream.pricing.linear(PERP, "99.4", false);
            engine.remarginAll();
            assertThat(rowVersion(acc)).isNotEqualTo(marginCallVersion);
            assertThat(storedFigure(acc, "last_equity")).isEqualByComparingTo("140");
            assertThat(storedStatus(acc)).isEqualTo("MARGIN_CALL");
            engine.remarginAll();
            // every event of the passes was published before flip's change: once it arrived, the count is final
            upstream.pricing.linear("KSM-PERPETUAL", "98.5", false);
            engine.reevaluate(flip);
            mine.addAll(eventsOfUntil(events, acc, flip));
        } finally {
            stream.cancel(null);
            upstream.pricing.linear("KSM-PERPETUAL", "100", false);
        }
        // the stream was live before the change (no snapshot entry of acc): one status change, one event
        assertThat(mine).hasSize(1);
        assertThat(rowVersion(calm)).isEqualTo(calmVersion);
        upstream.pricing.linear(PERP, "100", false);
    }

    @Test
    void anUpstreamFailureForAPageLeavesStatusesUntouchedAndABadAccountOnlyItself() throws Exception {
        String perp = "ATOM-PERPETUAL";
        String acc = leveraged("rp-fail-", perp);
        engine.remarginAll();
        assertThat(storedStatus(acc)).isEqualTo("HEALTHY");
        long version = rowVersion(acc);

        // mark 98.5: the account is liquidatable, but its page cannot be valued
        upstream.pricing.linear(perp, "98.5", false);
        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        engine.remarginAll();
        assertThat(storedStatus(acc)).as("collateral down: skipped, not marked").isEqualTo("HEALTHY");
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.pricing.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        engine.remarginAll();
        assertThat(storedStatus(acc)).as("pricing down: skipped, not marked").isEqualTo("HEALTHY");
        assertThat(rowVersion(acc)).isEqualTo(version);
        upstream.pricing.mode.set(FakeUpstream.Mode.OK);

        // an account in the same page with an instrument pricing cannot mark fails alone
        String bad = acc + "-bad";
        String unmarked = "NEAR-PERPETUAL";
        upstream.pricing.linear(unmarked, "5", false);
        upstream.collateral.set(bad, false, new Object[]{"ethereum", "USDC", "200", "1", "0", "0"});
        book(bad, unmarked, "1", "5");
        upstream.pricing.marks.remove(unmarked);
        try {
            engine.remarginAll();
            assertThat(storedStatus(acc)).as("valued although a neighbour's instrument has no mark").isEqualTo("LIQUIDATION");
            assertThat(storedStatus(bad)).as("the account that cannot be marked is skipped").isNull();
        } finally {
            upstream.pricing.linear(unmarked, "5", false); // later passes of other classes page over it too
        }
        upstream.pricing.linear(perp, "100", false);
        engine.remarginAll();
        assertThat(storedStatus(acc)).isEqualTo("HEALTHY");
    }

    @Test
    void aCollateralServiceWithoutGetCollateralsIsReadAccountByAccount() throws Exception {
        String perp = "ALGO-PERPETUAL";
        String acc = leveraged("rp-old-", perp);
        upstream.collateral.batchUnimplemented.set(true);
        try {
            int calls = upstream.collateral.batchCalls.get();
            engine.remarginAll();
            assertThat(upstream.collateral.batchCalls.get()).as("the batch was tried").isGreaterThan(calls);
            assertThat(storedStatus(acc)).isEqualTo("HEALTHY");
            upstream.pricing.linear(perp, "98.5", false);
            engine.remarginAll();
            assertThat(storedStatus(acc)).isEqualTo("LIQUIDATION");
        } finally {
            upstream.collateral.batchUnimplemented.set(false);
            upstream.pricing.linear(perp, "100", false);
        }
    }

    /**
     * A HEALTHY leveraged account (100 long of {@code perp} at mark 100, stored HEALTHY by a pass) and the re-margin
     * page read of it; a leveraged account in {@code flipPerp} whose change, caused last, follows any event of the
     * first on the stream; and a live WatchRisk stream into {@code events}.
     */
    private record PageRead(String acc, String flip, List<AccountStore.Remarginable> page, BlockingQueue<Object> events,
                            Context.CancellableContext stream) {
    }

    private PageRead pageReadOfAHealthyAccount(String prefix, String perp, String flipPerp) throws Exception {
        String acc = leveraged(prefix, perp);
        String flip = leveraged(prefix + "flip-", flipPerp);
        String sentinel = acc + "-sentinel"; // in liquidation, no collateral: its snapshot entry shows the stream is live
        book(sentinel, perp, "1", "200");
        engine.remarginAll();
        assertThat(storedStatus(acc)).isEqualTo("HEALTHY");
        List<AccountStore.Remarginable> page = pageOf(acc);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        return new PageRead(acc, flip, page, events, watchRiskLive(events, sentinel));
    }

    @Test
    void aChangeThePageFoundIsNotStoredOverAStatusRecordedSinceThePagesRead() throws Exception {
        String perp = "FIL-PERPETUAL";
        PageRead read = pageReadOfAHealthyAccount("rp-stale-", perp, "ICP-PERPETUAL");
        String acc = read.acc();
        try {
            // after the page was read: the account trebles its position (a fill) and is re-evaluated into liquidation
            // at mark 99.5 (equity 200 - 150 = 50 < MM 298.5)
            upstream.pricing.linear(perp, "99.5", false);
            setQuantity(acc, perp, "300");
            engine.reevaluate(acc);
            assertThat(storedStatus(acc)).isEqualTo("LIQUIDATION");
            // the page's own figures (100 long at 99.5) say MARGIN_CALL, a change from the HEALTHY it read
            assertThat(engine.passFigures(read.page()).get(acc).status().name()).isEqualTo("MARGIN_CALL");
            engine.remargin(read.page());
            assertThat(storedStatus(acc)).as("the newer status kept: its last_at is not the one the page read").isEqualTo("LIQUIDATION");

            upstream.pricing.linear("ICP-PERPETUAL", "98.5", false);
            engine.reevaluate(read.flip());
            List<RiskEvent> mine = eventsOfUntil(read.events(), acc, read.flip());
            assertThat(mine).as("only the fill's change; nothing from the page's stale figures").hasSize(1);
            assertThat(mine.get(0).getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
            assertThat(mine.get(0).getPreviousStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
        } finally {
            read.stream().cancel(null);
            setQuantity(acc, perp, "100");
            upstream.pricing.linear(perp, "100", false);
            upstream.pricing.linear("ICP-PERPETUAL", "100", false);
        }
    }

    @Test
    void aPageChangeIsNotStoredOverABookChangedSinceThePagesRead() throws Exception {
        String perp = "AAVE-PERPETUAL";
        PageRead read = pageReadOfAHealthyAccount("rp-book-", perp, "EGLD-PERPETUAL");
        String acc = read.acc();
        try {
            // after the page was read: a fill trebles the position, its re-evaluation not yet recorded; at mark 99.5
            // the page's 100 long says MARGIN_CALL (a change from the HEALTHY it read), the book now LIQUIDATION
            upstream.pricing.linear(perp, "99.5", false);
            setQuantity(acc, perp, "300");
            assertThat(engine.passFigures(read.page()).get(acc).status().name()).isEqualTo("MARGIN_CALL");
            engine.remargin(read.page());
            assertThat(storedStatus(acc)).as("the page's status of the book before the fill is not stored")
                    .isIn("HEALTHY", "LIQUIDATION"); // LIQUIDATION: a timer pass read the new book meanwhile
            engine.reevaluate(acc); // the fill's re-evaluation
            assertThat(storedStatus(acc)).isEqualTo("LIQUIDATION");

            upstream.pricing.linear("EGLD-PERPETUAL", "98.5", false);
            engine.reevaluate(read.flip());
            List<RiskEvent> mine = eventsOfUntil(read.events(), acc, read.flip());
            assertThat(mine).as("one change, from the new book; none from the page's older one").hasSize(1);
            assertThat(mine.get(0).getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
            assertThat(mine.get(0).getPreviousStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
        } finally {
            read.stream().cancel(null);
            setQuantity(acc, perp, "100");
            upstream.pricing.linear(perp, "100", false);
            upstream.pricing.linear("EGLD-PERPETUAL", "100", false);
        }
    }

    @Test
    void aPagesStatusChangesAreStoredTogetherWithoutReadingEachAccountAgain() throws Exception {
        String perp = "UNI-PERPETUAL";
        String prefix = "rp-many-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            accounts.add(leveraged(prefix + i + "-", perp));
        }
        String flip = leveraged(prefix + "flip-", "SAND-PERPETUAL"); // its change, awaited last, follows every event of theirs
        String sentinel = prefix + "sentinel"; // in liquidation, no collateral: its snapshot entry shows the stream is live
        book(sentinel, perp, "1", "200");
        engine.remarginAll();
        for (String a : accounts) {
            assertThat(storedStatus(a)).isEqualTo("HEALTHY");
        }
        List<AccountStore.Remarginable> page = store.remarginPage(prefix, 1_000).stream()
                .filter(r -> accounts.contains(r.state().accountId())).toList();
        assertThat(page).hasSize(accounts.size());

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Context.CancellableContext stream = watchRiskLive(events, sentinel);
        try {
            upstream.pricing.linear(perp, "98.5", false); // every one liquidatable
            Map<String, AccountRisk> figures = engine.passFigures(page);
            Map<String, Integer> singles = singleCallsOf(accounts);
            engine.remargin(page);
            assertThat(singleCallsOf(accounts)).as("no GetCollateral per changed account").isEqualTo(singles);
            for (String a : accounts) {
                assertThat(storedStatus(a)).isEqualTo("LIQUIDATION");
                assertThat(storedFigure(a, "last_equity")).isEqualByComparingTo(figures.get(a).equity());
                assertThat(storedFigure(a, "last_mm")).isEqualByComparingTo(figures.get(a).maintenanceMargin());
                assertSameFigures(figures.get(a), view(a));
            }
            upstream.pricing.linear("SAND-PERPETUAL", "98.5", false);
            engine.reevaluate(flip);
            Map<String, List<RiskEvent>> byAccount = new java.util.HashMap<>();
            while (true) {
                RiskEvent event = awaitItem(events, e -> e instanceof WatchRiskResponse r
                        && r.getEvent().getAccountId().startsWith(prefix), WatchRiskResponse.class).getEvent();
                if (event.getAccountId().equals(flip)) {
                    break;
                }
                byAccount.computeIfAbsent(event.getAccountId(), k -> new ArrayList<>()).add(event);
            }
            for (String a : accounts) {
                assertThat(byAccount.get(a)).as("one event of " + a).hasSize(1);
                RiskEvent event = byAccount.get(a).get(0);
                assertThat(event.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
                assertThat(event.getPreviousStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
                assertThat(new BigDecimal(event.getEquityUsd())).isEqualByComparingTo(figures.get(a).equity());
            }
        } finally {
            stream.cancel(null);
            upstream.pricing.linear(perp, "100", false);
            upstream.pricing.linear("SAND-PERPETUAL", "100", false);
        }
    }

    @Test
    void pageFiguresDoNotOverwriteNewerFiguresOfTheSameStatus() throws Exception {
        String perp = "XLM-PERPETUAL";
        String acc = leveraged("rp-figures-", perp);
        try {
            upstream.pricing.linear(perp, "99.5", false);
            engine.reevaluate(acc);
            assertThat(storedStatus(acc)).isEqualTo("MARGIN_CALL");
            assertThat(storedFigure(acc, "last_equity")).isEqualByComparingTo("150");
            List<AccountStore.Remarginable> page = store.remarginPage(acc.substring(0, acc.length() - 1), 10).stream()
                    .filter(r -> r.state().accountId().equals(acc)).toList();
            assertThat(page).hasSize(1);

            // after the page was read: 110 long, re-evaluated: equity 200 - 55 = 145, still a margin call
            setQuantity(acc, perp, "110");
            engine.reevaluate(acc);
            assertThat(storedStatus(acc)).isEqualTo("MARGIN_CALL");
            assertThat(storedFigure(acc, "last_equity")).isEqualByComparingTo("145");
            // the page values its 100 long at 99.4: equity 140, a margin call whose figures moved from the 150 it read
            upstream.pricing.linear(perp, "99.4", false);
            assertThat(engine.passFigures(page).get(acc).equity()).isEqualByComparingTo("140");
            engine.remargin(page);
            assertThat(storedFigure(acc, "last_equity")).as("the write made after the page's read wins").isEqualByComparingTo("145");

            engine.remarginAll();
            assertThat(storedFigure(acc, "last_equity")).as("the next pass reads and stores 110 long at 99.4").isEqualByComparingTo("134");
        } finally {
            setQuantity(acc, perp, "100");
            upstream.pricing.linear(perp, "100", false);
        }
    }

    /** A page of the one account {@code acc}, read now (what a pass reads). */
    private List<AccountStore.Remarginable> pageOf(String acc) {
        List<AccountStore.Remarginable> page = store.remarginPage(acc.substring(0, acc.length() - 1), 10).stream()
                .filter(r -> r.state().accountId().equals(acc)).toList();
        assertThat(page).hasSize(1);
        return page;
    }

    /**
     * WatchRisk subscribed into {@code events}, returned once {@code sentinel}'s snapshot entry arrived (the stream is
     * live: every event published from now on is seen); cancel the context to end it.
     */
    private static Context.CancellableContext watchRiskLive(BlockingQueue<Object> events, String sentinel) {
        Context.CancellableContext stream = Context.current().withCancellation();
        stream.run(() -> MarginGrpcServiceTest.async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(events)));
        try {
            awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(sentinel),
                    WatchRiskResponse.class);
        } catch (RuntimeException | AssertionError e) {
            stream.cancel(null);
            throw e;
        }
        return stream;
    }

    /** Sets the account's stored position in {@code instrument}, as a fill would have (no re-evaluation). */
    private void setQuantity(String account, String instrument, String quantity) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE position SET quantity = ? WHERE account_id = ? AND instrument = ?")) {
            s.setBigDecimal(1, new BigDecimal(quantity));
            s.setString(2, account);
            s.setString(3, instrument);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    /**
     * A new account (named from {@code prefix}) long 100 {@code perp} at 100 (marked 100) against 200 USDC: notional
     * 10,000, IM 200, MM 100: a margin call below a mark of 100, liquidation at 99 and below.
     */
    private String leveraged(String prefix, String perp) throws SQLException {
        String acc = prefix + UUID.randomUUID().toString().substring(0, 8);
        upstream.pricing.linear(perp, "100", false);
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "200", "1", "0", "0"});
        book(acc, perp, "100", "100");
        return acc;
    }

    /**
     * An account holding {@code quantity} of {@code instrument} at {@code entry}, written by SQL as the benchmark
     * does: no fill, so no background re-evaluation writes its row behind the test's back.
     */
    private void book(String account, String instrument, String quantity, String entry) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO account (account_id) VALUES (?)")) {
                s.setString(1, account);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO position (account_id, instrument, quantity, avg_entry_price) VALUES (?, ?, ?, ?)")) {
                s.setString(1, account);
                s.setString(2, instrument);
                s.setBigDecimal(3, new BigDecimal(quantity));
                s.setBigDecimal(4, new BigDecimal(entry));
                s.executeUpdate();
            }
        }
    }

    /**
     * The events of {@code account} on the stream until the first event of {@code last} (a change caused after every
     * event looked for was published: the hub delivers in publication order); other accounts' items are passed over.
     */
    private static List<RiskEvent> eventsOfUntil(BlockingQueue<Object> events, String account, String last) {
        List<RiskEvent> seen = new ArrayList<>();
        while (true) {
            RiskEvent event = awaitItem(events, e -> e instanceof WatchRiskResponse r
                    && (r.getEvent().getAccountId().equals(account) || r.getEvent().getAccountId().equals(last)),
                    WatchRiskResponse.class).getEvent();
            if (event.getAccountId().equals(last)) {
                return seen;
            }
            seen.add(event);
        }
    }

    /** The first event of {@code account} on the stream, added to {@code seen}; other accounts' items are passed over. */
    private static RiskEvent awaitEventOf(BlockingQueue<Object> events, String account, List<RiskEvent> seen) {
        RiskEvent event = awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(account),
                WatchRiskResponse.class).getEvent();
        seen.add(event);
        return event;
    }

    private String storedStatus(String account) throws SQLException {
        return stored(account, "last_status");
    }

    private BigDecimal storedFigure(String account, String column) throws SQLException {
        return new BigDecimal(stored(account, column));
    }

    /** The transaction that wrote the account's row last (xmin): changes with every UPDATE of it, and only then. */
    private long rowVersion(String account) throws SQLException {
        return Long.parseLong(stored(account, "xmin::text"));
    }

    /** {@code expression} over the account's stored row, as text (null when SQL NULL). */
    private String stored(String account, String expression) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + expression + "::text FROM account WHERE account_id = ?")) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(account + " stored").isTrue();
                return rs.getString(1);
            }
        }
    }

    /** GetCollateral calls so far for each of {@code accounts}. */
    private Map<String, Integer> singleCallsOf(List<String> accounts) {
        Map<String, Integer> calls = new java.util.HashMap<>();
        for (String a : accounts) {
            java.util.concurrent.atomic.AtomicInteger n = upstream.collateral.singleCallsOf.get(a);
            calls.put(a, n == null ? 0 : n.get());
        }
        return calls;
    }
}
