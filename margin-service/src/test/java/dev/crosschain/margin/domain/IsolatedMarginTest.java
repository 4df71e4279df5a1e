package dev.crosschain.margin.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ISOLATED golden account, worked by hand (standard rules: perpetual tier 1 IM 2%, MM 1%).
 * <pre>
 * collateral  10,000 USDC at 1, haircut IM 2% / MM 1%      value IM 9,800, value MM 9,900; realized 0
 * ETH-PERPETUAL  long 10 @ 3,000, mark 2,800   notional 28,000  IM 560  MM 280   uPnL -2,000
 * BTC-PERPETUAL  short 1 @ 60,000, mark 59,000 notional 59,000  IM 1,180 MM 590  uPnL +1,000
 * buckets     ETH 2,200: equity 2,200 - 2,000 = 200 &lt;= MM 280      LIQUIDATION
 *             BTC 1,500: equity 1,500 + 1,000 = 2,500 &gt;= IM 1,180  HEALTHY
 * free pool   9,800 - 3,700 = 6,100 (IM haircuts); 9,900 - 3,700 = 6,200 (MM)
 * account     equity 9,900 - 1,000 = 8,900; equity IM 8,800; IM 1,740; MM 870; status LIQUIDATION (worst bucket),
 *             where CROSS would say HEALTHY
 * </pre>
 */
class IsolatedMarginTest {

    static final MarginCalculator CALC = new MarginCalculator(MarginRules.DEFAULT);
    static final long NOW = 1_000_000L;
    static final String ETH = "ETH-PERPETUAL";
    static final String BTC = "BTC-PERPETUAL";
    static final Collateral USDC = new Collateral(List.of(), new BigDecimal("10000"), new BigDecimal("9800"),
            new BigDecimal("9900"), false, NOW);

    static MarketMark mark(String instrument, String underlying, String price) {
        return new MarketMark(instrument, underlying, new BigDecimal(price), new BigDecimal(price), 1, false, NOW - 500);
    }

    static AccountRisk cross(String ethMark) {
        return CALC.evaluate("golden", false, BigDecimal.ZERO,
                List.of(new Position(BTC, new BigDecimal("-1"), new BigDecimal("60000")),
                        new Position(ETH, new BigDecimal("10"), new BigDecimal("3000"))),
                Map.of(ETH, mark(ETH, "ETH", ethMark), BTC, mark(BTC, "BTC", "59000")), USDC, NOW);
    }

    static final Map<String, BigDecimal> ALLOCATIONS = Map.of(ETH, new BigDecimal("2200"), BTC, new BigDecimal("1500"));

    @Test
    void oneBreachedBucketPutsTheAccountInLiquidationAndLeavesTheOtherAsItIs() {
        AccountRisk cross = cross("2800");
        assertThat(cross.status()).isEqualTo(RiskStatus.HEALTHY);
        AccountRisk isolated = IsolatedMargin.evaluate(cross, ALLOCATIONS);

        assertThat(isolated.mode()).isEqualTo(MarginMode.ISOLATED);
        assertThat(isolated.status()).isEqualTo(RiskStatus.LIQUIDATION);
        assertThat(isolated.equity()).isEqualByComparingTo("8900.00");
        assertThat(isolated.equityIm()).isEqualByComparingTo("8800.00");
        assertThat(isolated.initialMargin()).isEqualByComparingTo("1740.00");
        assertThat(isolated.maintenanceMargin()).isEqualByComparingTo("870.00");
        assertThat(isolated.marginRatio()).isEqualTo(870.0 / 8900.0);
        IsolatedResult r = isolated.isolated();
        assertThat(r.freePoolIm()).isEqualByComparingTo("6100.00");
        assertThat(r.freePoolMm()).isEqualByComparingTo("6200.00");
        assertThat(r.breachedInstrument()).isEqualTo(ETH);
        assertBucket(r.bucket(ETH), "2200.00", "200.00", "560.00", "280.00", RiskStatus.LIQUIDATION);
        assertBucket(r.bucket(BTC), "1500.00", "2500.00", "1180.00", "590.00", RiskStatus.HEALTHY);
        assertThat(r.buckets()).extracting(IsolatedBucket::instrument).containsExactly(BTC, ETH);

        // ETH back at its entry: the BTC bucket's figures are the same to the cent, the account healthy
        IsolatedResult calm = IsolatedMargin.evaluate(cross("3000"), ALLOCATIONS).isolated();
        assertThat(calm.bucket(BTC)).isEqualTo(r.bucket(BTC));
        assertThat(calm.breachedInstrument()).isNull();
        assertBucket(calm.bucket(ETH), "2200.00", "2200.00", "600.00", "300.00", RiskStatus.HEALTHY);
    }

    @Test
    void aBucketBetweenMmAndImIsAMarginCall() {
        // ETH bucket of 2,550: equity 550 < IM 560, > MM 280
        AccountRisk isolated = IsolatedMargin.evaluate(cross("2800"), Map.of(ETH, new BigDecimal("2550"), BTC, new BigDecimal("1500")));
        assertThat(isolated.status()).isEqualTo(RiskStatus.MARGIN_CALL);
        assertThat(isolated.isolated().breachedInstrument()).isEqualTo(ETH);
        assertThat(isolated.isolated().bucket(ETH).status()).isEqualTo(RiskStatus.MARGIN_CALL);
    }

    @Test
    void unrecordedBucketsOpenAtImLessTheirValueFromWhatThePoolHasLeft() {
        // ETH at 3,000 (uPnL 0) opens at its IM 600; BTC (uPnL +1,000) at its IM less its gain, 1,180 - 1,000 = 180
        AccountRisk opened = IsolatedMargin.evaluate(cross("3000"), Map.of());
        assertBucket(opened.isolated().bucket(ETH), "600.00", "600.00", "600.00", "300.00", RiskStatus.HEALTHY);
        assertBucket(opened.isolated().bucket(BTC), "180.00", "1180.00", "1180.00", "590.00", RiskStatus.HEALTHY);
        assertThat(opened.isolated().bucket(ETH).recorded()).isFalse();
        assertThat(opened.isolated().freePoolIm()).isEqualByComparingTo("9020.00"); // 9,800 - 600 - 180
        assertThat(opened.status()).isEqualTo(RiskStatus.HEALTHY);

        // a pool of 500 (IM value 490): BTC (first by name) takes its 180, ETH what is left, 310 of its 600
        Collateral small = new Collateral(List.of(), new BigDecimal("500"), new BigDecimal("490"), new BigDecimal("495"), false, NOW);
        AccountRisk cross = CALC.evaluate("small", false, BigDecimal.ZERO, cross("3000").positions().stream().map(PositionRisk::position).toList(),
                Map.of(ETH, mark(ETH, "ETH", "3000"), BTC, mark(BTC, "BTC", "59000")), small, NOW);
        AccountRisk isolated = IsolatedMargin.evaluate(cross, Map.of());
        assertThat(isolated.isolated().bucket(BTC).allocation()).isEqualByComparingTo("180");
        assertThat(isolated.isolated().bucket(ETH).allocation()).isEqualByComparingTo("310");
        assertThat(isolated.isolated().freePoolIm()).isEqualByComparingTo("0");
        assertThat(isolated.status()).isEqualTo(RiskStatus.MARGIN_CALL); // ETH: 310 < IM 600, > MM 300
    }

    @Test
    void aNegativeFreePoolIsAMarginCallWithoutABreachedBucket() {
        // collateral fell to 3,000 (IM value 2,940) under buckets of 3,700
        Collateral fallen = new Collateral(List.of(), new BigDecimal("3000"), new BigDecimal("2940"), new BigDecimal("2970"), false, NOW);
        AccountRisk cross = CALC.evaluate("fallen", false, BigDecimal.ZERO, cross("3000").positions().stream().map(PositionRisk::position).toList(),
                Map.of(ETH, mark(ETH, "ETH", "3000"), BTC, mark(BTC, "BTC", "59000")), fallen, NOW);
        AccountRisk isolated = IsolatedMargin.evaluate(cross, ALLOCATIONS);
        assertThat(isolated.isolated().freePoolIm()).isEqualByComparingTo("-760.00");
        assertThat(isolated.status()).isEqualTo(RiskStatus.MARGIN_CALL);
        assertThat(isolated.isolated().breachedInstrument()).isNull();
    }

    /**
     * Buckets at their IM (ETH 10 @ 3,000: IM 600, MM 300; BTC -1 @ 60,000 at 60,000: IM 1,200, MM 600) hold 1,800 of
     * a collateral that then falls to 800 USDC (value IM 784, MM 792): every bucket still HEALTHY, the free pool
     * 784 - 1,800 = -1,016, and the whole book in CROSS: equity 792 <= MM 900, LIQUIDATION. So is the account.
     */
    @Test
    void aCollateralCrashLiquidatesTheAccountAsCrossWouldThoughEveryBucketIsHealthy() {
        Collateral crashed = new Collateral(List.of(), new BigDecimal("800"), new BigDecimal("784"), new BigDecimal("792"), false, NOW);
        AccountRisk cross = atEntry(BigDecimal.ZERO, crashed);
        assertThat(cross.status()).isEqualTo(RiskStatus.LIQUIDATION);
        AccountRisk isolated = IsolatedMargin.evaluate(cross, AT_IM);
        assertBucket(isolated.isolated().bucket(ETH), "600.00", "600.00", "600.00", "300.00", RiskStatus.HEALTHY);
        assertBucket(isolated.isolated().bucket(BTC), "1200.00", "1200.00", "1200.00", "600.00", RiskStatus.HEALTHY);
        assertThat(isolated.isolated().freePoolIm()).isEqualByComparingTo("-1016.00");
        assertThat(isolated.isolated().crossStatus()).isEqualTo(RiskStatus.LIQUIDATION);
        assertThat(isolated.status()).isEqualTo(RiskStatus.LIQUIDATION);
        assertThat(isolated.isolated().breachedInstrument()).isNull();

        // before the crash (10,000 USDC) the same buckets are healthy and so is the account
        assertThat(IsolatedMargin.evaluate(atEntry(BigDecimal.ZERO, USDC), AT_IM).status()).isEqualTo(RiskStatus.HEALTHY);
    }

    /**
     * The same buckets (1,800) and 10,000 USDC (value IM 9,800, MM 9,900), after a position closed at a realized loss
     * of 9,500: the free pool 9,800 - 9,500 - 1,800 = -1,500; CROSS equity 9,900 - 9,500 = 400 <= MM 900: LIQUIDATION.
     */
    @Test
    void aBigRealizedLossLiquidatesTheAccountAsCrossWould() {
        AccountRisk isolated = IsolatedMargin.evaluate(atEntry(new BigDecimal("-9500"), USDC), AT_IM);
        assertThat(isolated.isolated().freePoolIm()).isEqualByComparingTo("-1500.00");
        assertThat(isolated.isolated().buckets()).extracting(IsolatedBucket::status).containsOnly(RiskStatus.HEALTHY);
        assertThat(isolated.status()).isEqualTo(RiskStatus.LIQUIDATION);
    }

    @Test
    void theWorstBucketIsNamedWhileThePoolIsNegative() {
        // collateral 3,000 (IM value 2,940) under buckets of 4,050: pool -1,110; ETH's 2,550 - 2,000 = 550 < IM 560
        Collateral fallen = new Collateral(List.of(), new BigDecimal("3000"), new BigDecimal("2940"), new BigDecimal("2970"), false, NOW);
        AccountRisk cross = CALC.evaluate("fallen", false, BigDecimal.ZERO, cross("2800").positions().stream().map(PositionRisk::position).toList(),
                Map.of(ETH, mark(ETH, "ETH", "2800"), BTC, mark(BTC, "BTC", "59000")), fallen, NOW);
        AccountRisk isolated = IsolatedMargin.evaluate(cross, Map.of(ETH, new BigDecimal("2550"), BTC, new BigDecimal("1500")));
        assertThat(isolated.isolated().freePoolIm()).isEqualByComparingTo("-1110.00");
        assertThat(isolated.status()).isEqualTo(RiskStatus.MARGIN_CALL);
        assertThat(isolated.isolated().breachedInstrument()).isEqualTo(ETH);
    }

    static final Map<String, BigDecimal> AT_IM = Map.of(ETH, new BigDecimal("600"), BTC, new BigDecimal("1200"));

    /** ETH long 10 and BTC short 1, both marked at their entry (no unrealized PnL). */
    static AccountRisk atEntry(BigDecimal realized, Collateral collateral) {
        return CALC.evaluate("entry", false, realized,
                List.of(new Position(BTC, new BigDecimal("-1"), new BigDecimal("60000")),
                        new Position(ETH, new BigDecimal("10"), new BigDecimal("3000"))),
                Map.of(ETH, mark(ETH, "ETH", "3000"), BTC, mark(BTC, "BTC", "60000")), collateral, NOW);
    }

    @Test
    void aShortOptionsBucketOpensWithItsMarkValueOnTopOfItsIm() {
        // Deribit rule at S = 3,000, short 1 call 3500 at mark 100: IM = max(0.15 - 500/3000, 0.10) x 3000 + 100 = 400;
        // its value -100 is in the bucket, so it opens at 500 and its equity is its IM
        MarketMark call = new MarketMark("ETH-27DEC26-3500-C", "ETH", new BigDecimal("100"), new BigDecimal("3000"), 0.25, false, NOW);
        PositionRisk p = CALC.position(Instrument.parse(call.instrument(), "i"),
                new Position(call.instrument(), new BigDecimal("-1"), new BigDecimal("100")), call);
        assertThat(IsolatedMargin.openingAllocation(p)).isEqualByComparingTo("500");
        assertThat(IsolatedMargin.bucket(p, new BigDecimal("500"), true).equity()).isEqualByComparingTo("400");
        assertThat(IsolatedMargin.bucket(p, new BigDecimal("500"), true).status()).isEqualTo(RiskStatus.HEALTHY);
    }

    static void assertBucket(IsolatedBucket b, String allocation, String equity, String im, String mm, RiskStatus status) {
        assertThat(b.allocation()).as("allocation of " + b).isEqualByComparingTo(allocation);
        assertThat(b.equity()).as("equity of " + b).isEqualByComparingTo(equity);
        assertThat(b.initialMargin()).as("IM of " + b).isEqualByComparingTo(im);
        assertThat(b.maintenanceMargin()).as("MM of " + b).isEqualByComparingTo(mm);
        assertThat(b.status()).as("status of " + b).isEqualTo(status);
    }
}
