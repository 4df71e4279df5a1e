package dev.crosschain.margin.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.HypotheticalFill;
import dev.crosschain.proto.margin.v1.LiquidationPrice;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WatchAccountRequest;
import dev.crosschain.proto.margin.v1.WatchAccountResponse;
import dev.crosschain.proto.margin.v1.WhatIfRequest;
import dev.crosschain.proto.margin.v1.WhatIfResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.awaitItem;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.collect;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * AccountView.liquidation_prices end to end through margin-service's gRPC API. Pricing is FakeUpstream, the
 * stand-in every margin gRPC test uses (its RevalueBook applies pricing-service's rule for a perpetual:
 * P&L = quantity x index x move). Cross rules: perpetual MM 1% of notional below 1M.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class LiquidationPriceGrpcTest {

    /** Perpetuals no other test marks. */
    static final String PERP = "AVAX-PERPETUAL";
    static final String STALE_PERP = "DOT-PERPETUAL";
    static FakeUpstream upstream;

    @BeforeAll
    static void connect() {
        MarginGrpcServiceTest.connect();
        upstream = FakeUpstream.get();
        upstream.pricing.linear(PERP, "30", false);
        upstream.pricing.linear(STALE_PERP, "5", true);
    }

    @AfterAll
    static void disconnect() {
        MarginGrpcServiceTest.disconnect();
    }

    /** GetAccountView with include_liquidation_prices. */
    static AccountView view(String acc) {
        return MarginGrpcServiceTest.margin.getAccountView(GetAccountViewRequest.newBuilder().setAccountId(acc)
                .setIncludeLiquidationPrices(true).build()).getView();
    }

    /** {@code v} is the view {@code up} (which had prices) without them: the same figures, answered. */
    static void sameFiguresWithoutPrices(AccountView v, AccountView up) {
        assertThat(up.getLiquidationPricesCount()).isEqualTo(1);
        assertThat(v.getLiquidationPricesList()).isEmpty();
        assertThat(v.getEquityUsd()).isEqualTo(up.getEquityUsd());
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo(up.getMaintenanceMarginUsd());
        assertThat(v.getStatus()).isEqualTo(up.getStatus());
    }

    static WhatIfRequest.Builder whatIf(String acc) {
        return WhatIfRequest.newBuilder().setAccountId(acc).setIncludeLiquidationPrices(true);
    }

    /** Long 100 AVAX perps at 30 against 300 USDC (no haircut): equity 300, MM 30. */
    static void longBook(String acc) {
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "300", "1", "0", "0"});
        fill(acc + "-f1", acc, PERP, Side.SIDE_BUY, "100", "30");
    }

    /**
     * 300 + 100 (S - 30) = 0.01 x 100 S -> 99 S = 2,700 -> S = 27.2727... -> "27.2728" (6 significant digits, up toward the index; the
     * ladder interval -9% .. -9.5% is straight for a perpetual in one tier: exact to that rounding). Nothing above.
     * WhatIf buying 100 more at the mark: 300 + 200 (S - 30) = 2 S -> S = 5,700 / 198 = 28.78787... -> "28.7879"; and
     * WatchAccount shows the same once that fill is made.
     */
    @Test
    void theViewOfALongPerpetualCarriesItsLiquidationPriceBelow() {
        String acc = "liq-long";
        longBook(acc);
        LiquidationPrice expected = LiquidationPrice.newBuilder().setUnderlying("AVAX").setIndexUsd("30")
                .setBelowUsd("27.2728").setAboveUsd("").setApproximate(false)
                .setMethod("cross: MM recomputed by the standard rules at each ladder node; linear interpolation between nodes")
                .build();
        AccountView v = view(acc);
        assertThat(v.getEquityUsd()).isEqualTo("300.00000000");
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo("30.00000000");
        assertThat(v.getLiquidationPricesList()).containsExactly(expected);

        WhatIfResponse more = MarginGrpcServiceTest.margin.whatIf(whatIf(acc)
                .addFills(HypotheticalFill.newBuilder().setInstrument(PERP).setSide(Side.SIDE_BUY).setQuantity("100")).build());
        assertThat(more.getBefore().getLiquidationPricesList()).as("the after view only").isEmpty();
        assertThat(more.getAfter().getLiquidationPricesList()).containsExactly(expected.toBuilder().setBelowUsd("28.7879").build());

        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext watch = io.grpc.Context.current().withCancellation();
        try {
            watch.run(() -> MarginGrpcServiceTest.async.watchAccount(WatchAccountRequest.newBuilder().setAccountId(acc)
                    .setIncludeLiquidationPrices(true).build(), collect(views)));
            // the core figures at once, without prices; then the same view with them
            WatchAccountResponse first = awaitItem(views, o -> o instanceof WatchAccountResponse, WatchAccountResponse.class);
            assertThat(first.getView().getLiquidationPricesList()).isEmpty();
            WatchAccountResponse priced = awaitItem(views, o -> o instanceof WatchAccountResponse, WatchAccountResponse.class);
            assertThat(priced.getView().getLiquidationPricesList()).containsExactly(expected);
            assertThat(priced.getView().toBuilder().clearLiquidationPrices().build()).isEqualTo(first.getView());
            // the re-margin after a fill publishes the view; at most once per interval the stream sends it priced
            fill(acc + "-f2", acc, PERP, Side.SIDE_BUY, "100", "30");
            WatchAccountResponse after = awaitItem(views, o -> o instanceof WatchAccountResponse r
                    && r.getView().getPositionsCount() == 1 && r.getView().getPositions(0).getQuantity().equals("200")
                    && r.getView().getLiquidationPricesCount() > 0, WatchAccountResponse.class);
            assertThat(after.getView().getLiquidationPricesList()).containsExactly(expected.toBuilder().setBelowUsd("28.7879").build());
        } finally {
            watch.cancel(null);
        }
    }

    /** RevalueBook down: the view is answered, the same figures, without liquidation prices (never a guess). */
    @Test
    void failedRevaluationOmitsThemAndTheViewIsAnswered() {
        String acc = "liq-down";
        longBook(acc);
        AccountView up = view(acc);
        try {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
            sameFiguresWithoutPrices(view(acc), up);
            WhatIfResponse whatIf = MarginGrpcServiceTest.margin.whatIf(whatIf(acc).build());
            assertThat(whatIf.getAfter().getLiquidationPricesList()).isEmpty();
            assertThat(whatIf.getAfter().getEquityUsd()).isEqualTo(up.getEquityUsd());
        } finally {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
        }
        assertThat(view(acc).getLiquidationPricesList()).isEqualTo(up.getLiquidationPricesList());
    }

    /**
     * RevalueBook slower (1.5 s) than margin.liquidation-prices.deadline (250 ms): the view is answered within the
     * budget (well before the slow answer), the same figures, without prices.
     */
    @Test
    void slowPricingAnswersTheViewWithinTheBudgetWithoutThem() {
        String acc = "liq-slow";
        longBook(acc);
        AccountView up = view(acc);
        try {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.SLOW);
            long start = System.nanoTime();
            AccountView slow = view(acc);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            sameFiguresWithoutPrices(slow, up);
            assertThat(tookMs).as("answered in %d ms", tookMs).isLessThan(1_000);
        } finally {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
        }
    }

    /** Without include_liquidation_prices (the default, liquidation-service's calls): none, and no RevalueBook call. */
    @Test
    void withoutTheFlagNoRevalueBookCall() {
        String acc = "liq-optin";
        longBook(acc);
        assertThat(view(acc).getLiquidationPricesCount()).as("the same account with the flag").isEqualTo(1);
        int before = upstream.pricing.revalueCallsOf.get(PERP).get();
        AccountView bare = MarginGrpcServiceTest.view(acc);
        WhatIfResponse whatIf = MarginGrpcServiceTest.margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc).build());
        assertThat(bare.getLiquidationPricesList()).isEmpty();
        assertThat(whatIf.getBefore().getLiquidationPricesList()).isEmpty();
        assertThat(whatIf.getAfter().getLiquidationPricesList()).isEmpty();
        assertThat(upstream.pricing.revalueCallsOf.get(PERP).get()).isEqualTo(before);
    }

    /**
     * A stale index makes the view conservative (shocked marks): no liquidation prices from such figures. The same
     * account with the index fresh gets its price first (so the omission is the staleness, not a failure).
     */
    @Test
    void staleIndexOmitsThem() {
        String acc = "liq-stale";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "300", "1", "0", "0"});
        try {
            upstream.pricing.linear(STALE_PERP, "5", false);
            fill(acc + "-f1", acc, STALE_PERP, Side.SIDE_BUY, "100", "5");
            AccountView fresh = view(acc);
            assertThat(fresh.getConservative()).isFalse();
            assertThat(fresh.getLiquidationPricesList()).extracting(LiquidationPrice::getUnderlying).containsExactly("DOT");
        } finally {
            upstream.pricing.linear(STALE_PERP, "5", true);
        }
        AccountView v = view(acc);
        assertThat(v.getConservative()).isTrue();
        assertThat(v.getLiquidationPricesList()).isEmpty();
    }

    /**
     * Collateral alone, no position: nothing to liquidate, no prices. The same account once it holds a position gets
     * them (for the perpetual's underlying and for its ETH collateral).
     */
    @Test
    void noPositionNoPrices() {
        String acc = "liq-none";
        upstream.collateral.set(acc, false, new Object[]{"arbitrum", "ETH", "1", "3000", "0.15", "0.10"});
        assertThat(view(acc).getLiquidationPricesList()).isEmpty();
        fill(acc + "-f1", acc, PERP, Side.SIDE_BUY, "10", "30");
        assertThat(view(acc).getLiquidationPricesList()).extracting(LiquidationPrice::getUnderlying).containsExactly("AVAX", "ETH");
    }
}
