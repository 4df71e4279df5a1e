package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Violation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden books worked by hand. */
class PortfolioMarginTest {

    static final PortfolioMargin ENGINE = PortfolioMargin.DEFAULT;

    /**
     * A small grid to work by hand: core -10%, 0, +10% x vol+, vol0, vol-; no skew; extended -50% (w 0.2)
     * and +100% (w 0.1); one group {ETH}; no offset; IM factor 1.5. 11 scenarios.
     */
    static final PortfolioParameters SMALL = new PortfolioParameters("test-small", List.of(-0.10, 0.0, 0.10),
            0.10, -0.05, 30, 0.5, 2,
            List.of(new PortfolioParameters.ExtendedMove(-0.50, 0.2), new PortfolioParameters.ExtendedMove(1.00, 0.1)),
            List.of(), List.of(List.of("ETH")), 0.0, 1.5, 0.01, 0.005, 1.5, 0.10, List.of("USDC"));

    static final List<String> SMALL_IDS = List.of(
            "ETH:-10%/vol+", "ETH:-10%/vol0", "ETH:-10%/vol-",
            "ETH:0%/vol+", "ETH:0%/vol0", "ETH:0%/vol-",
            "ETH:+10%/vol+", "ETH:+10%/vol0", "ETH:+10%/vol-",
            "ETH:-50%/vol+/w0.2", "ETH:+100%/vol+/w0.1");

    /*
     * The P&L vectors of the SMALL goldens are stipulated fixtures in RevalueBook's shape (one USD figure per
     * scenario), not Black-76 prices: round numbers keep the goldens hand-computable, and they keep the shape
     * of their option (a long option loses at most its premium, P&L 0 at the unmoved scenario). The goldens
     * priced with Black-76 are in ExtendedMovesTest and PortfolioMarginPropertiesTest.aDeltaHedgeLowersMm.
     */

    /** Long 1 ETH-27DEC26-3300-C, P&L per SMALL scenario (USD): loses at most its premium (80). */
    static final double[] LONG_CALL = {-45, -62, -70, 25, 0, -12, 180, 150, 138, -80, 2620};
    /** Short 2 ETH-27DEC26-3600-C, P&L per SMALL scenario (USD). */
    static final double[] SHORT_CALLS = {40, 52, 56, -30, 0, 14, -190, -150, -134, 60, -4800};

    static PositionExposure option(String instrument, String qty, String index) {
        return new PositionExposure(instrument, instrument.substring(0, instrument.indexOf('-')), new BigDecimal(qty), true,
                new BigDecimal(index));
    }

    static PositionExposure linear(String instrument, String qty, String index) {
        return new PositionExposure(instrument, instrument.substring(0, instrument.indexOf('-')), new BigDecimal(qty), false,
                new BigDecimal(index));
    }

    static CollateralExposure risky(String chain, String asset, String underlying, String amount, String price, String mmHaircut) {
        return new CollateralExposure(chain, asset, underlying, false, new BigDecimal(amount), new BigDecimal(price),
                new BigDecimal(mmHaircut), new BigDecimal(mmHaircut).add(new BigDecimal("0.05")));
    }

    static CollateralExposure stable(String chain, String asset, String amount, String mmHaircut) {
        return new CollateralExposure(chain, asset, null, true, new BigDecimal(amount), BigDecimal.ONE,
                new BigDecimal(mmHaircut), new BigDecimal(mmHaircut));
    }

    /** A linear position's P&L in every scenario: quantity x index x the move of its underlying. */
    static double[] linearPnl(ScenarioGrid grid, String underlying, double qtyTimesIndex) {
        return grid.scenarios().stream().mapToDouble(s -> qtyTimesIndex * s.moveOf(underlying)).toArray();
    }

    static void assertMoney(BigDecimal actual, String expected) {
        assertThat(actual).isEqualByComparingTo(expected);
        assertThat(actual.scale()).isEqualTo(8);
    }

    @Test
    void smallGridIdsInOrder() {
        ScenarioGrid grid = ScenarioGrid.of(SMALL, Set.of("ETH"));
        assertThat(grid.scenarios()).extracting(Scenario::id).containsExactlyElementsOf(SMALL_IDS);
    }

    /**
     * Short 10 ETH-PERPETUAL at 3000 against 10 ETH on arbitrum, MM haircut 10% (value 27,000):
     * <pre>
     *   scenario P&L = -30,000 m + 27,000 m = -3,000 m
     *   core  +16%:           loss 3,000 x 0.16        = 480   (vol+ first of three equal: the driver)
     *   ext   +500% w 0.03:   3,000 x 5 x 0.03         = 450;  +33% w 0.45: 445.5 (all below the core)
     *   linear add-on:        0.005 x 10 x 3,000       = 150
     *   MM = 480 + 150 = 630; IM = 1.3 x 630 = 819
     *   contributions at +16%: perp 30,000 x 0.16 = 4,800; arbitrum -27,000 x 0.16 = -4,320
     * </pre>
     * Without the collateral the same perp needs 4,800 + 150 = 4,950.
     */
    @Test
    void shortPerpHedgedByEthCollateral() {
        ScenarioGrid grid = ScenarioGrid.of(PortfolioParameters.DEFAULT, Set.of("ETH"));
        List<PositionExposure> positions = List.of(linear("ETH-PERPETUAL", "-10", "3000"));
        double[][] pnl = {linearPnl(grid, "ETH", -30_000)};

        PortfolioResult hedged = ENGINE.evaluate(grid, positions, pnl,
                List.of(risky("arbitrum", "WETH", "ETH", "10", "3000", "0.10")), Set.of());

        assertMoney(hedged.maintenanceMargin(), "630");
        assertMoney(hedged.initialMargin(), "819");
        assertMoney(hedged.scanLoss(), "480");
        assertMoney(hedged.groupOffsetCredit(), "0");
        PortfolioResult.GroupResult eth = hedged.groups().get(0);
        assertThat(eth.drivingScenarioId()).isEqualTo("ETH:+16%/vol+");
        assertThat(eth.positions()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("ETH-PERPETUAL");
            assertMoney(c.loss(), "4800");
        });
        assertThat(eth.chains()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("arbitrum");
            assertMoney(c.loss(), "-4320");
        });
        assertThat(hedged.contingencies()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("linear:ETH");
            assertMoney(c.amount(), "150");
        });

        PortfolioResult naked = ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of());
        assertMoney(naked.maintenanceMargin(), "4950");
        assertThat(naked.groups().get(0).chains()).isEmpty();
    }

    /**
     * The two options of SMALL alone and together.
     * <pre>
     * long call alone:   losses 45 62 70 | -25 0 12 | -180 -150 -138 | ext 80x0.2=16, -2620x0.1=-262
     *                    worst 70 at -10%/vol-; net long, no add-on: MM 70, IM 105
     * short calls alone: losses -40 -52 -56 | 30 0 -14 | 190 150 134 | ext -12, 480
     *                    worst 480 at +100%; net short 2 x 3,000 x 0.01 = 60: MM 540, IM 810
     * together:          P&L -5 -10 -14 | -5 0 2 | -10 0 4 | -20 -2180
     *                    weighted losses 5 10 14 | 5 0 -2 | 10 0 -4 | 4 218: worst 218 at +100%
     *                    contributions there: long -262, short +480
     *   + net short (1 - 2) x 3,000 x 0.01         = 30
     *   + USDC on solana 5,000 x 0.98 x 0.10       = 490
     *   MM = 218 + 30 + 490 = 738; IM = 1.5 x 738 = 1,107
     * </pre>
     */
    @Test
    void longAndShortOptionFromTheirPnlVectors() {
        ScenarioGrid grid = ScenarioGrid.of(SMALL, Set.of("ETH"));
        PositionExposure longCall = option("ETH-27DEC26-3300-C", "1", "3000");
        PositionExposure shortCalls = option("ETH-27DEC26-3600-C", "-2", "3000");

        PortfolioResult longOnly = ENGINE.evaluate(grid, List.of(longCall), new double[][]{LONG_CALL}, List.of(), Set.of());
        assertMoney(longOnly.maintenanceMargin(), "70");
        assertMoney(longOnly.initialMargin(), "105");
        assertThat(longOnly.groups().get(0).drivingScenarioId()).isEqualTo("ETH:-10%/vol-");
        assertThat(longOnly.contingencies()).isEmpty();

        PortfolioResult shortOnly = ENGINE.evaluate(grid, List.of(shortCalls), new double[][]{SHORT_CALLS}, List.of(), Set.of());
        assertMoney(shortOnly.maintenanceMargin(), "540");
        assertMoney(shortOnly.initialMargin(), "810");
        assertThat(shortOnly.groups().get(0).drivingScenarioId()).isEqualTo("ETH:+100%/vol+/w0.1");

        PortfolioResult both = ENGINE.evaluate(grid, List.of(longCall, shortCalls), new double[][]{LONG_CALL, SHORT_CALLS},
                List.of(stable("solana", "USDC", "5000", "0.02")), Set.of());
        assertMoney(both.scanLoss(), "218");
        assertMoney(both.contingencyTotal(), "520");
        assertMoney(both.maintenanceMargin(), "738");
        assertMoney(both.initialMargin(), "1107");
        PortfolioResult.GroupResult eth = both.groups().get(0);
        assertThat(eth.drivingScenarioId()).isEqualTo("ETH:+100%/vol+/w0.1");
        assertThat(eth.positions()).extracting(PortfolioResult.Contribution::name)
                .containsExactly("ETH-27DEC26-3300-C", "ETH-27DEC26-3600-C");
        assertMoney(eth.positions().get(0).loss(), "-262");
        assertMoney(eth.positions().get(1).loss(), "480");
        assertThat(both.contingencies()).extracting(PortfolioResult.Contingency::name)
                .containsExactly("net_short_option:ETH", "stablecoin_depeg:solana/USDC");
        assertThat(both.contingencies()).extracting(c -> c.amount().stripTrailingZeros().toPlainString())
                .containsExactly("30", "490");
        assertThat(both.figures()).containsEntry("group[ETH].position[ETH-27DEC26-3600-C]", eth.positions().get(1).loss())
                .containsEntry("contingency[stablecoin_depeg:solana/USDC]", both.contingencies().get(1).amount())
                .containsKeys("mm", "im", "scan_loss", "group_offset_credit", "group[ETH].loss", "contingencies");
    }

    /**
     * Covered call on SMALL: short 1 ETH-11DEC26-3300-C (a 5-day call, premium 40: not the 27DEC26 call of
     * LONG_CALL, premium 80) against 1 ETH on arbitrum, MM haircut 10% (2,700).
     * <pre>
     * call P&L          22   31   35 | -12  0   6 |  -90  -75  -69 |   40  -2720
     * ETH 2,700 x move -270 -270 -270 |   0  0   0 |  270  270  270 | -1350  2700
     * at -50% the ETH (linear, it loses there) is charged to the core edge -10% only:
     *   2,700 x -0.5 - 2,700 x (-0.5 x (1 - 0.1/0.5)) = -1,350 + 1,080 = -270
     * charged         -248 -239 -235 | -12  0   6 |  180  195  201 |  -230   -20
     * weighted loss    248  239  235 |  12  0  -6 | -180 -195 -201 |    46      2
     * worst 248 at -10%/vol+: call -22, arbitrum 270
     * + net short 1 x 3,000 x 0.01 = 30:  MM = 278, IM = 417
     * naked call: worst 0.1 x 2,720 = 272 at +100%, MM = 302: the ETH covers the upside and the
     * driver moves to the core crash, where the ETH itself loses.
     * </pre>
     */
    @Test
    void coveredCallWithEthOnArbitrum() {
        ScenarioGrid grid = ScenarioGrid.of(SMALL, Set.of("ETH"));
        List<PositionExposure> call = List.of(option("ETH-11DEC26-3300-C", "-1", "3000"));
        double[][] pnl = {{22, 31, 35, -12, 0, 6, -90, -75, -69, 40, -2720}};

        PortfolioResult covered = ENGINE.evaluate(grid, call, pnl, List.of(risky("arbitrum", "WETH", "ETH", "1", "3000", "0.10")), Set.of());
        PortfolioResult.GroupResult eth = covered.groups().get(0);
        assertThat(eth.drivingScenarioId()).isEqualTo("ETH:-10%/vol+");
        assertMoney(eth.worstLoss(), "248");
        assertMoney(eth.positions().get(0).loss(), "-22");
        assertMoney(eth.chains().get(0).loss(), "270");
        assertMoney(covered.maintenanceMargin(), "278");
        assertMoney(covered.initialMargin(), "417");

        PortfolioResult naked = ENGINE.evaluate(grid, call, pnl, List.of(), Set.of());
        assertThat(naked.groups().get(0).drivingScenarioId()).isEqualTo("ETH:+100%/vol+/w0.1");
        assertMoney(naked.maintenanceMargin(), "302");
    }

    /**
     * Long 1 BTC-PERPETUAL at 90,000 and long 100 SOL-PERPETUAL at 200 (20,000), DEFAULT parameters:
     * BTC and SOL are in different groups.
     * <pre>
     *   BTC: worst -16% = 14,400 (extended -66% x 0.22 = 13,068 is below)
     *   SOL: worst -16% =  3,200
     *   scan = 14,400 + (1 - 0.20) x 3,200 = 16,960; offset credit 640
     *   linear add-ons 0.005 x 90,000 = 450 and 0.005 x 20,000 = 100
     *   MM = 16,960 + 550 = 17,510; IM = 1.3 x 17,510 = 22,763
     * </pre>
     */
    @Test
    void twoGroupsWithTheOffset() {
        ScenarioGrid grid = ScenarioGrid.of(PortfolioParameters.DEFAULT, List.of("SOL", "BTC"));
        assertThat(grid.groups()).extracting(ScenarioGrid.Group::id).containsExactly("BTC", "SOL");
        List<PositionExposure> positions = List.of(linear("BTC-PERPETUAL", "1", "90000"), linear("SOL-PERPETUAL", "100", "200"));
        double[][] pnl = {linearPnl(grid, "BTC", 90_000), linearPnl(grid, "SOL", 20_000)};

        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of());

        assertThat(r.groups()).extracting(PortfolioResult.GroupResult::drivingScenarioId)
                .containsExactly("BTC:-16%/vol+", "SOL:-16%/vol+");
        assertMoney(r.groups().get(0).worstLoss(), "14400");
        assertMoney(r.groups().get(1).worstLoss(), "3200");
        assertMoney(r.scanLoss(), "16960");
        assertMoney(r.groupOffsetCredit(), "640");
        assertMoney(r.contingencyTotal(), "550");
        assertMoney(r.maintenanceMargin(), "17510");
        assertMoney(r.initialMargin(), "22763");
    }

    /**
     * BTC and ETH share a group by default: one scan, one driver, both perps and both chains in it; the
     * members also move alone. Long 1 BTC perp (90,000) against short 30 ETH perp (90,000), collateral
     * 0.5 BTC at 90,000 MM haircut 5% (42,750), 5 ETH at 3,000 haircut 10% (13,500), 100 USDC:
     * <pre>
     *   joint move m:  (90,000 - 90,000 + 42,750 + 13,500) m = 56,250 m   -> worst at -16%:  9,000
     *   BTC alone m:   (90,000 + 42,750) m = 132,750 m                      -> worst at -16%: 21,240
     *   ETH alone m:   (-90,000 + 13,500) m = -76,500 m                     -> worst at +16%: 12,240
     *   group loss = 21,240, driver BTC,ETH:BTC-16%/vol+ (vol+ first of three equal)
     *   chains: bitcoin 42,750 x 0.16 = 6,840; ethereum 0 (ETH at its index)
     *   MM = 21,240 + linear 0.005 x 180,000 = 900 + de-peg 0.10 x 100 = 10  = 22,150
     * </pre>
     */
    @Test
    void correlatedUnderlyingsMoveTogetherAndAlone() {
        List<PositionExposure> positions = List.of(linear("BTC-PERPETUAL", "1", "90000"), linear("ETH-PERPETUAL", "-30", "3000"));
        List<CollateralExposure> collateral = List.of(risky("bitcoin", "BTC", "BTC", "0.5", "90000", "0.05"),
                risky("ethereum", "ETH", "ETH", "5", "3000", "0.10"), stable("ethereum", "USDC", "100", "0"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, collateral);
        assertThat(grid.groups()).extracting(ScenarioGrid.Group::id).containsExactly("BTC,ETH");
        double[][] pnl = {linearPnl(grid, "BTC", 90_000), linearPnl(grid, "ETH", -90_000)};
        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, collateral, Set.of());
        PortfolioResult.GroupResult g = r.groups().get(0);
        assertThat(g.drivingScenarioId()).isEqualTo("BTC,ETH:BTC-16%/vol+");
        assertMoney(g.worstLoss(), "21240");
        assertThat(g.positions()).extracting(PortfolioResult.Contribution::loss)
                .usingElementComparator(BigDecimal::compareTo).containsExactly(new BigDecimal("14400"), BigDecimal.ZERO);
        assertThat(g.chains()).extracting(PortfolioResult.Contribution::name).containsExactly("bitcoin", "ethereum");
        assertMoney(g.chains().get(0).loss(), "6840");
        assertMoney(g.chains().get(1).loss(), "0");
        assertMoney(r.maintenanceMargin(), "22150");
    }

    /**
     * Review finding: a dollar-neutral BTC/ETH spread had MM 900 (the linear add-on only). Its MM must at
     * least cover its loss at the 99th percentile daily ETH/BTC move, about 10.7%: 90,000 x 0.107 = 9,630.
     * Now: BTC alone -16% loses 90,000 x 0.16 = 14,400; MM = 14,400 + 900 = 15,300.
     */
    @Test
    void dollarNeutralSpreadPaysForTheSpreadMove() {
        List<PositionExposure> positions = List.of(linear("BTC-PERPETUAL", "1", "90000"), linear("ETH-PERPETUAL", "-30", "3000"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, List.of());
        double[][] pnl = {linearPnl(grid, "BTC", 90_000), linearPnl(grid, "ETH", -90_000)};
        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of());
        assertThat(r.maintenanceMargin()).isGreaterThanOrEqualTo(new BigDecimal("9630"));
        assertMoney(r.maintenanceMargin(), "15300");
    }

    /**
     * Review finding: a stale member of a hedged group added nothing. The spread above with BTC's oracle
     * stale: BTC alone is scanned over the core moves x 1.5, vol up, weight 1:
     * <pre>
     *   BTC alone -24%: 90,000 x 0.24 = 21,600 (ETH at its index); the joint scan still nets to 0
     *   MM = 21,600 + linear 900 = 22,500
     * </pre>
     */
    @Test
    void aStaleMemberOfAHedgedGroupIsScannedAloneOverTheWidenedRange() {
        List<PositionExposure> positions = List.of(linear("BTC-PERPETUAL", "1", "90000"), linear("ETH-PERPETUAL", "-30", "3000"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, List.of(), Set.of("BTC"));
        assertThat(grid.staleUnderlyings()).containsExactly("BTC");
        double[][] pnl = {linearPnl(grid, "BTC", 90_000), linearPnl(grid, "ETH", -90_000)};
        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of("BTC"));
        assertThat(r.groups().get(0).drivingScenarioId()).isEqualTo("BTC,ETH:BTC-24%/vol+/stale");
        assertMoney(r.groups().get(0).worstLoss(), "21600");
        assertMoney(r.maintenanceMargin(), "22500");
    }

    /**
     * One stale group among two: long 1 BTC perp (90,000) and long 100 SOL perp at 200 (20,000), SOL stale.
     * <pre>
     *   BTC: worst -16%: 14,400.  SOL: stale -24%: 20,000 x 0.24 = 4,800 (the core -16% gives 3,200)
     *   scan = 14,400 + 0.8 x 4,800 = 18,240; linear 450 + 100 = 550; MM = 18,790
     * </pre>
     * The BTC group is untouched by SOL's staleness.
     */
    @Test
    void oneStaleGroupAmongTwo() {
        List<PositionExposure> positions = List.of(linear("BTC-PERPETUAL", "1", "90000"), linear("SOL-PERPETUAL", "100", "200"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, List.of(), Set.of("SOL", "DOGE"));
        assertThat(grid.staleUnderlyings()).containsExactly("SOL");
        double[][] pnl = {linearPnl(grid, "BTC", 90_000), linearPnl(grid, "SOL", 20_000)};
        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of("SOL", "DOGE"));
        assertThat(r.groups()).extracting(PortfolioResult.GroupResult::drivingScenarioId)
                .containsExactly("BTC:-16%/vol+", "SOL:SOL-24%/vol+/stale");
        assertMoney(r.groups().get(1).worstLoss(), "4800");
        assertMoney(r.scanLoss(), "18240");
        assertMoney(r.maintenanceMargin(), "18790");
    }

    /** A stale underlying whose grid was built without its stale scenarios is refused, never margined optimistically. */
    @Test
    void aGridWithoutTheStaleScenariosIsRefused() {
        List<PositionExposure> positions = List.of(linear("SOL-PERPETUAL", "100", "200"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, List.of());
        double[][] pnl = {linearPnl(grid, "SOL", 20_000)};
        assertThatThrownBy(() -> ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of("SOL")))
                .isInstanceOfSatisfying(InvalidInputException.class, e ->
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("stale_underlyings"));
    }

    /**
     * The linear add-on is on gross notional, never netted: long 10 ETH-PERPETUAL against short 10 ETH-27DEC26
     * future at 3,000 is flat in every scenario (scan loss 0) but carries basis and funding risk on both legs:
     * 0.005 x (30,000 + 30,000) = 300 = MM.
     */
    @Test
    void theLinearAddOnIsOnGrossNotional() {
        List<PositionExposure> positions = List.of(linear("ETH-PERPETUAL", "10", "3000"), linear("ETH-27DEC26", "-10", "3000"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, List.of());
        double[][] pnl = {linearPnl(grid, "ETH", 30_000), linearPnl(grid, "ETH", -30_000)};
        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, List.of(), Set.of());
        assertMoney(r.scanLoss(), "0");
        assertMoney(r.maintenanceMargin(), "300");
    }

    /**
     * ETH collateral does not fully hedge a short BTC perp: short 1 BTC perp (90,000) against 30 ETH at 3,000,
     * haircut 0 (90,000). Joint moves net to 0; BTC alone +16% loses 14,400; MM = 14,400 + 450 = 14,850.
     */
    @Test
    void ethCollateralDoesNotFullyHedgeAShortBtcPerp() {
        List<PositionExposure> positions = List.of(linear("BTC-PERPETUAL", "-1", "90000"));
        List<CollateralExposure> collateral = List.of(risky("arbitrum", "WETH", "ETH", "30", "3000", "0"));
        ScenarioGrid grid = ScenarioGrid.forBook(PortfolioParameters.DEFAULT, positions, collateral);
        double[][] pnl = {linearPnl(grid, "BTC", -90_000)};
        PortfolioResult r = ENGINE.evaluate(grid, positions, pnl, collateral, Set.of());
        assertThat(r.groups().get(0).drivingScenarioId()).isEqualTo("BTC,ETH:BTC+16%/vol+");
        assertMoney(r.maintenanceMargin(), "14850");
    }

    @Test
    void badInputIsRefusedWithEveryViolation() {
        ScenarioGrid grid = ScenarioGrid.of(SMALL, Set.of("ETH"));
        List<PositionExposure> positions = List.of(
                option("ETH-27DEC26-3300-C", "0", "3000"),
                new PositionExposure("BTC-PERPETUAL", "BTC", BigDecimal.ONE, false, new BigDecimal("-1")),
                option("ETH-27DEC26-3300-C", "1", "3000"));
        double[] nan = LONG_CALL.clone();
        nan[3] = Double.NaN;
        double[][] pnl = {LONG_CALL, new double[3], nan};
        List<CollateralExposure> collateral = List.of(
                new CollateralExposure("arbitrum", "WETH", "ETH", false, new BigDecimal("-1"), new BigDecimal("3000"),
                        new BigDecimal("0.2"), new BigDecimal("0.1")),
                new CollateralExposure("", "USDC", "USD", true, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO));

        assertThatThrownBy(() -> ENGINE.evaluate(grid, positions, pnl, collateral, Set.of()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_PORTFOLIO_INPUT");
                    assertThat(e.violations()).extracting(Violation::field).containsExactly(
                            "positions[0].quantity", "positions[1].underlying", "positions[1].index",
                            "positions[2].instrument", "pnl[1]", "pnl[2][3]",
                            "collateral[0].amount", "collateral[0].im_haircut",
                            "collateral[1].chain_id", "collateral[1].underlying", "collateral[1].price");
                });
        assertThatThrownBy(() -> ENGINE.evaluate(grid, positions.subList(0, 1), new double[0][], List.of(), Set.of()))
                .isInstanceOfSatisfying(InvalidInputException.class, e ->
                        assertThat(e.violations()).extracting(Violation::field).contains("pnl"));
    }

    /** A P&L too large to sum safely is refused like a NaN, not turned into an overflow. */
    @Test
    void hugePnlIsRefused() {
        ScenarioGrid grid = ScenarioGrid.of(SMALL, Set.of("ETH"));
        double[] huge = LONG_CALL.clone();
        huge[10] = 1e300;
        assertThatThrownBy(() -> ENGINE.evaluate(grid, List.of(option("ETH-27DEC26-3300-C", "1", "3000")),
                new double[][]{huge}, List.of(), Set.of()))
                .isInstanceOfSatisfying(InvalidInputException.class, e ->
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("pnl[0][10]"));
    }

    /** collateral-service's canonical asset decides: a stablecoin of the parameters, or risky collateral moving with it. */
    @Test
    void collateralLinesByCanonicalAsset() {
        CollateralExposure usdc = CollateralExposure.of(SMALL, "solana", "USDC.e", "USDC", BigDecimal.TEN, BigDecimal.ONE,
                BigDecimal.ZERO, BigDecimal.ZERO);
        assertThat(usdc.stablecoin()).isTrue();
        assertThat(usdc.underlying()).isNull();
        CollateralExposure weth = CollateralExposure.of(SMALL, "arbitrum", "WETH", "ETH", BigDecimal.ONE, new BigDecimal("3000"),
                new BigDecimal("0.1"), new BigDecimal("0.15"));
        assertThat(weth.stablecoin()).isFalse();
        assertThat(weth.underlying()).isEqualTo("ETH");
        assertThat(weth.valueMm()).isCloseTo(2700, org.assertj.core.data.Offset.offset(1e-9));
    }

    /** Only the group's own positions count in its scenarios, whatever P&L pricing reports for the others. */
    @Test
    void otherGroupsPnlIsIgnoredInAGroupsScenarios() {
        ScenarioGrid grid = ScenarioGrid.of(PortfolioParameters.DEFAULT, List.of("BTC", "SOL"));
        List<PositionExposure> positions = List.of(linear("SOL-PERPETUAL", "100", "200"));
        double[] row = linearPnl(grid, "SOL", 20_000);
        for (int s = 0; s < row.length; s++) {
            if (grid.scenarios().get(s).group() == 0) {
                row[s] = -1e6; // e.g. a vol shift in a BTC scenario moving a SOL option: not SOL's scan
            }
        }
        PortfolioResult r = ENGINE.evaluate(grid, positions, new double[][]{row}, List.of(), Set.of());
        assertMoney(r.groups().get(0).worstLoss(), "0");
        assertMoney(r.groups().get(1).worstLoss(), "3200");
    }
}
