package dev.crosschain.margin.grpc;

import com.google.rpc.ErrorInfo;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.HypotheticalFill;
import dev.crosschain.proto.margin.v1.HypotheticalWithdrawal;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.PortfolioBreakdown;
import dev.crosschain.proto.margin.v1.PortfolioContingency;
import dev.crosschain.proto.margin.v1.PortfolioContribution;
import dev.crosschain.proto.margin.v1.PortfolioGroup;
import dev.crosschain.proto.margin.v1.RequestWithdrawalRequest;
import dev.crosschain.proto.margin.v1.SetMarginModeResponse;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.margin.v1.WatchAccountRequest;
import dev.crosschain.proto.margin.v1.WatchAccountResponse;
import dev.crosschain.proto.margin.v1.WhatIfRequest;
import dev.crosschain.proto.margin.v1.WhatIfResponse;
import dev.crosschain.proto.margin.v1.RiskEvent;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import dev.crosschain.margin.app.MarginEngine;
import jakarta.inject.Inject;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.assertError;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.awaitItem;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.collect;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.detail;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.fill;
import static dev.crosschain.margin.grpc.MarginGrpcServiceTest.view;
import static dev.crosschain.margin.grpc.SetMarginModeGrpcTest.setMode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PORTFOLIO mode end to end through margin-service's gRPC API, with FakeUpstream standing in for
 * collateral-service and for pricing-service's RevalueBook (linear rule: P&L = quantity x index x move).
 * Figures by hand under the parameter set "pm-1" (core moves +-16%, linear add-on 0.5% of notional,
 * stablecoin de-peg 10% of the MM value, IM = 1.3 x MM); cross rules: 1% MM / 2% IM of notional below 1M.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class PortfolioModeGrpcTest {

    /** A future no other test marks: its mark (= index in the fake) stays 3,000. */
    static final String FUT = "ETH-26MAR27";
    static FakeUpstream upstream;

    @Inject
    MarginEngine engine;

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

    /** Short 2 FUT at 3,000 against 2 ETH on arbitrum (haircuts IM 15%, MM 10%: values 5,100 and 5,400). */
    static void hedgedBook(String acc) {
        upstream.collateral.set(acc, false, new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"});
        fill(acc + "-f1", acc, FUT, Side.SIDE_SELL, "2", "3000");
    }

    /**
     * The hedged book. Cross: notional 6,000 -> MM 60, IM 120. Portfolio: the future loses 6,000 m, the ETH
     * collateral gains 5,400 m: worst at +16%, 600 x 0.16 = 96.00; linear add-on 0.5% x 6,000 = 30.00;
     * MM 126.00, IM 163.80. Equity 5,400 (IM haircuts 5,100) in both modes.
     */
    @Test
    void aHedgedBookSwitchesToPortfolioAndEveryAnswerShowsItsFigures() {
        String acc = "pm-hedged";
        hedgedBook(acc);
        AccountView cross = view(acc);
        assertThat(cross.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertThat(cross.getMaintenanceMarginUsd()).isEqualTo("60.00000000");
        assertThat(cross.hasPortfolio()).isFalse();

        SetMarginModeResponse switched = setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO);
        assertThat(switched.getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
        assertThat(switched.getInitialMarginUsd()).isEqualTo("163.80000000");
        assertThat(switched.getEquityImUsd()).isEqualTo("5100.00000000");

        AccountView v = view(acc);
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
        assertThat(v.getMaintenanceMarginUsd()).isEqualTo("126.00000000");
        assertThat(v.getInitialMarginUsd()).isEqualTo("163.80000000");
        assertThat(v.getEquityUsd()).isEqualTo("5400.00000000");
        assertThat(v.getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_HEALTHY);
        assertThat(v.getPositions(0).getMaintenanceMarginUsd()).isEqualTo("0.00000000");
        assertThat(v.getPositions(0).getInitialMarginUsd()).isEqualTo("0.00000000");
        assertThat(v.getPortfolio()).isEqualTo(PortfolioBreakdown.newBuilder().setParametersVersion("pm-1")
                .setScanLossUsd("96.00000000").setGroupOffsetCreditUsd("0.00000000").setContingencyTotalUsd("30.00000000")
                .addGroups(PortfolioGroup.newBuilder().setGroupId("ETH").addUnderlyings("ETH")
                        .setDrivingScenarioId("ETH:+16%/vol+").setWorstLossUsd("96.00000000")
                        .addPositions(PortfolioContribution.newBuilder().setName(FUT).setLossUsd("960.00000000"))
                        .addChains(PortfolioContribution.newBuilder().setName("arbitrum").setLossUsd("-864.00000000")))
                .addContingencies(PortfolioContingency.newBuilder().setKind("linear").setSubject("ETH").setAmountUsd("30.00000000"))
                .build());

        // WhatIf selling 1 more: short 3 -> loses 9,000 m - 5,400 m = 3,600 m: 576.00; add-on 45.00; MM 621.00, IM 807.30
        WhatIfResponse more = MarginGrpcServiceTest.margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                .addFills(HypotheticalFill.newBuilder().setInstrument(FUT).setSide(Side.SIDE_SELL).setQuantity("1")).build());
        assertThat(more.getBefore().getMaintenanceMarginUsd()).isEqualTo("126.00000000");
        assertThat(more.getAfter().getMaintenanceMarginUsd()).isEqualTo("621.00000000");
        assertThat(more.getAfter().getInitialMarginUsd()).isEqualTo("807.30000000");
        assertThat(more.getAfter().getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);

        // WhatIf withdrawing 1.9 ETH: 0.1 ETH left (MM value 270, IM value 255) hedges 270 m: loss (6,000 - 270) x 0.16
        // = 916.80, MM 946.80, IM 1,230.84; equity 270 <= MM: liquidation (cross would ask MM 60, IM 120 only: healthy)
        WhatIfResponse out = MarginGrpcServiceTest.margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc)
                .addWithdrawals(HypotheticalWithdrawal.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("1.9")).build());
        assertThat(out.getAfter().getMaintenanceMarginUsd()).isEqualTo("946.80000000");
        assertThat(out.getAfter().getInitialMarginUsd()).isEqualTo("1230.84000000");
        assertThat(out.getAfter().getStatus()).isEqualTo(AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        // so RequestWithdrawal refuses it with the portfolio figures
        StatusRuntimeException refused = assertError(() -> MarginGrpcServiceTest.margin.requestWithdrawal(
                RequestWithdrawalRequest.newBuilder().setWithdrawalId(acc + "-w1").setAccountId(acc).setChainId("arbitrum")
                        .setAsset("ETH").setAmount("1.9").setDestinationAddress("0xa").build()),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_MARGIN", null);
        assertThat(detail(refused, ErrorInfo.class).getMetadataMap()).containsEntry("initial_margin_after_usd", "1230.84000000");

        // WatchAccount's first view is the portfolio one
        BlockingQueue<Object> views = new LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext watch = io.grpc.Context.current().withCancellation();
        try {
            watch.run(() -> MarginGrpcServiceTest.async.watchAccount(WatchAccountRequest.newBuilder().setAccountId(acc).build(),
                    collect(views)));
            WatchAccountResponse first = awaitItem(views, i -> i instanceof WatchAccountResponse, WatchAccountResponse.class);
            assertThat(first.getView().getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
            assertThat(first.getView().getMaintenanceMarginUsd()).isEqualTo("126.00000000");
        } finally {
            watch.cancel(null);
        }
    }

    /**
     * Long 1 FUT at 3,000 on 700 USDC (haircuts IM 2%, MM 1%: values 686 and 693). Cross: IM 60, healthy.
     * Portfolio: loss 3,000 x 0.16 = 480.00 at -16%, add-ons linear 15.00 and de-peg 10% x 693 = 69.30:
     * MM 564.30, IM 733.59 > 686: the switch is refused and the account stays in CROSS.
     */
    @Test
    void aSwitchThatWouldBreachInPortfolioIsRefused() {
        String acc = "pm-breach";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "700", "1", "0.02", "0.01"});
        fill(acc + "-f1", acc, FUT, Side.SIDE_BUY, "1", "3000");
        StatusRuntimeException e = assertError(() -> setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_MARGIN", null);
        assertThat(detail(e, ErrorInfo.class).getMetadataMap())
                .containsEntry("initial_margin_after_usd", "733.59000000")
                .containsEntry("equity_im_after_usd", "686.00000000")
                .containsEntry("shortfall_usd", "47.59000000");
        AccountView v = view(acc);
        assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
        assertThat(v.getInitialMarginUsd()).isEqualTo("60.00000000");
        assertThat(v.hasPortfolio()).isFalse();
    }

    /**
     * RevalueBook UNAVAILABLE: a switch to PORTFOLIO, WhatIf and RequestWithdrawal of a PORTFOLIO account answer
     * UNAVAILABLE DEPENDENCY_UNAVAILABLE (a change is never judged on a floor); the account's view answers the
     * labelled conservative fallback: MM = max(cross 60, last revalued 126.00) = 126.00, IM = max(120, 163.80),
     * no groups, one contingency revaluation_unavailable/last_portfolio, conservative. Never cross figures
     * labelled portfolio. When RevalueBook is back, the portfolio figures are back.
     */
    @Test
    void revalueBookDownAnswersTheLabelledFallbackNeverCrossFigures() {
        String acc = "pm-down";
        hedgedBook(acc);
        try {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
            assertError(() -> setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO), Status.Code.UNAVAILABLE,
                    "DEPENDENCY_UNAVAILABLE", null);
            assertThat(view(acc).getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);

            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
            assertThat(setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO).getMode())
                    .isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
            engine.reevaluate(acc); // records the revalued 126.00 / 163.80 (the loop may have already)

            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
            AccountView v = view(acc);
            assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
            assertThat(v.getConservative()).isTrue();
            assertThat(v.getMaintenanceMarginUsd()).isEqualTo("126.00000000");
            assertThat(v.getInitialMarginUsd()).isEqualTo("163.80000000");
            assertThat(v.getPortfolio()).isEqualTo(PortfolioBreakdown.newBuilder().setParametersVersion("pm-1")
                    .setScanLossUsd("0.00000000").setGroupOffsetCreditUsd("0.00000000").setContingencyTotalUsd("126.00000000")
                    .addContingencies(PortfolioContingency.newBuilder().setKind("revaluation_unavailable")
                            .setSubject("last_portfolio").setAmountUsd("126.00000000"))
                    .build());
            assertError(() -> MarginGrpcServiceTest.margin.whatIf(WhatIfRequest.newBuilder().setAccountId(acc).build()),
                    Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
            assertError(() -> MarginGrpcServiceTest.margin.requestWithdrawal(RequestWithdrawalRequest.newBuilder()
                            .setWithdrawalId(acc + "-w1").setAccountId(acc).setChainId("arbitrum").setAsset("ETH").setAmount("0.1")
                            .setDestinationAddress("0xa").build()),
                    Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", null);
        } finally {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
        }
        AccountView back = view(acc);
        assertThat(back.getMaintenanceMarginUsd()).isEqualTo("126.00000000");
        assertThat(back.getConservative()).isFalse();
        assertThat(back.getPortfolio().getGroupsCount()).isEqualTo(1);
    }

    /**
     * RevalueBook down during re-margins while the market moves: the re-margin records the fallback's status and
     * WatchRisk reports the breach (before, the re-margin skipped the account and its stored HEALTHY stood).
     * Short 2 FUT2 against 2 ETH (MM value 5,400), revalued at 3,000: MM 126.00, IM 163.80. FUT2 marks 5,640:
     * uPnL -5,280, equity 120, equity IM -180; cross MM 2 x 5,640 x 1% = 112.80 (< 120: cross alone would not
     * liquidate), IM 225.60; fallback MM = max(112.80, 126.00) = 126.00 >= equity: LIQUIDATION, IM 225.60.
     */
    @Test
    void aReMarginDuringARevaluationOutageReportsTheFallbacksBreach() {
        String acc = "pm-outage";
        String fut2 = "ETH-25JUN27";
        upstream.pricing.linear(fut2, "3000", false);
        upstream.collateral.set(acc, false, new Object[]{"arbitrum", "ETH", "2", "3000", "0.15", "0.10"});
        fill(acc + "-f1", acc, fut2, Side.SIDE_SELL, "2", "3000");
        assertThat(setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO).getInitialMarginUsd()).isEqualTo("163.80000000");
        engine.reevaluate(acc);

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext stream = io.grpc.Context.current().withCancellation();
        stream.run(() -> MarginGrpcServiceTest.async.watchRisk(WatchRiskRequest.getDefaultInstance(), collect(events)));
        try {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
            upstream.pricing.linear(fut2, "5640", false);
            RiskEvent event = awaitItem(events, e -> e instanceof WatchRiskResponse r && r.getEvent().getAccountId().equals(acc)
                    && r.getEvent().getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION, WatchRiskResponse.class).getEvent();
            assertThat(event.getEquityUsd()).isEqualTo("120.00000000");
            assertThat(event.getMaintenanceMarginUsd()).isEqualTo("126.00000000");
            assertThat(event.getInitialMarginUsd()).isEqualTo("225.60000000");
        } finally {
            stream.cancel(null);
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
            upstream.pricing.linear(fut2, "3000", false);
        }
    }

    /**
     * RevalueBook down: a PORTFOLIO account can still switch back to CROSS (the switch is judged on the cross
     * figures, MM 60 / IM 120; the before figures are the fallback). Before, the what-if revalued the before
     * figures and the switch answered UNAVAILABLE.
     */
    @Test
    void aPortfolioAccountSwitchesBackToCrossDuringAnOutage() {
        String acc = "pm-back";
        hedgedBook(acc);
        assertThat(setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO).getMode()).isEqualTo(MarginMode.MARGIN_MODE_PORTFOLIO);
        try {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE);
            SetMarginModeResponse back = setMode(acc + "-m2", acc, MarginMode.MARGIN_MODE_CROSS);
            assertThat(back.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
            assertThat(back.getInitialMarginUsd()).isEqualTo("120.00000000");
            AccountView v = view(acc);
            assertThat(v.getMode()).isEqualTo(MarginMode.MARGIN_MODE_CROSS);
            assertThat(v.getMaintenanceMarginUsd()).isEqualTo("60.00000000");
            assertThat(v.hasPortfolio()).isFalse();
        } finally {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
        }
    }

    /** A PORTFOLIO account without positions: no RevalueBook call; no liability, so MM = IM = 0 (no de-peg add-on on its 1,000 USDC). */
    @Test
    void anAccountWithoutPositionsNeedsNoRevaluation() {
        String acc = "pm-empty";
        upstream.collateral.set(acc, false, new Object[]{"ethereum", "USDC", "1000", "1", "0.02", "0.01"});
        try {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.UNAVAILABLE); // any call would fail the switch
            assertThat(setMode(acc + "-m1", acc, MarginMode.MARGIN_MODE_PORTFOLIO).getInitialMarginUsd()).isEqualTo("0.00000000");
            AccountView v = view(acc);
            assertThat(v.getMaintenanceMarginUsd()).isEqualTo("0.00000000");
            assertThat(v.getPortfolio().getContingenciesCount()).isZero();
            assertThat(v.getPortfolio().getGroupsCount()).isZero();
        } finally {
            upstream.pricing.revalueMode.set(FakeUpstream.Mode.OK);
        }
    }
}
