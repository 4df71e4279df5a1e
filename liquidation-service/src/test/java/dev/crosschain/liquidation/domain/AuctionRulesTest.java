package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class AuctionRulesTest {

    static final PriceCurve CURVE = PriceCurveTest.DEFAULT_CURVE;
    static final PriceCurve FLAT = new PriceCurve(BigDecimal.ONE, new BigDecimal("0.5"), Duration.ofSeconds(600));
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    static final BigDecimal NO_LIMIT = new BigDecimal("1e12");

    /** As collateral-service's registry lists them. */
    static final AssetDecimals DECIMALS = new AssetDecimals(Map.of("ethereum/ETH", 18, "arbitrum/ETH", 18,
            "ethereum/USDC", 6, "arbitrum/USDC", 6));

    static final LotItem PERP = LotItem.position("ETH-PERPETUAL", new BigDecimal("-3"));
    static final LotItem ARB_ETH = LotItem.collateral("arbitrum", "ETH", new BigDecimal("2.5"));
    static final LotItem ETH_USDC = LotItem.collateral("ethereum", "USDC", new BigDecimal("1000.5"));

    private static AuctionState fresh(BigDecimal value, PriceCurve curve, LotItem... lot) {
        List<AuctionState.ItemState> items = new ArrayList<>();
        for (int i = 0; i < lot.length; i++) {
            items.add(new AuctionState.ItemState(i, lot[i], lot[i].quantity()));
        }
        return new AuctionState("a-1", "alice", AuctionStatus.OPEN, 1, START, value, BigDecimal.ONE, curve, items, null, BigDecimal.ZERO);
    }

    /** The auction after the bid: what a store would write back. */
    private static AuctionState after(AuctionState a, BidTerms terms) {
        List<AuctionState.ItemState> items = new ArrayList<>();
        for (AuctionState.ItemState s : a.items()) {
            BigDecimal taken = terms.items().stream().filter(b -> b.lotIndex() == s.index())
                    .map(b -> b.item().quantity()).findFirst().orElse(BigDecimal.ZERO);
            items.add(new AuctionState.ItemState(s.index(), s.item(), s.remaining().subtract(taken)));
        }
        return new AuctionState(a.auctionId(), a.accountId(), terms.closesAuction() ? AuctionStatus.CLOSED : AuctionStatus.OPEN,
                a.version() + 1, a.epochStartedAt(), a.epochStartValueUsd(), terms.remainingFraction(), a.curve(), items, a.buffer(),
                a.proceedsUsd().add(Bid.proceeds(terms.paidUsd(), terms.penaltyUsd())));
    }

    private static BidTerms bid(AuctionState a, String fraction) {
        return AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal(fraction), NO_LIMIT, 0, START, DECIMALS, BigDecimal.ZERO);
    }

    @Test
    void fullBidTakesTheWholeLotAtTheStartPrice() {
        AuctionState a = fresh(new BigDecimal("10000"), CURVE, PERP, ARB_ETH, ETH_USDC);
        BidTerms terms = bid(a, "1");
        assertThat(terms.lotPriceUsd()).isEqualByComparingTo("9500");
        assertThat(terms.paidUsd().toPlainString()).isEqualTo("9500.000000");
        assertThat(terms.items()).extracting(b -> b.item().quantity().toPlainString()).containsExactly("-3", "2.5", "1000.5");
        assertThat(terms.closesAuction()).isTrue();
    }

    @Test
    void partialBidScalesEveryItemExactly() {
        AuctionState a = fresh(new BigDecimal("10000"), CURVE, PERP, ARB_ETH, ETH_USDC);
        BidTerms terms = bid(a, "0.4");
        assertThat(terms.items()).extracting(b -> b.item().quantity().toPlainString()).containsExactly("-1.2", "1", "400.2");
        assertThat(terms.paidUsd()).isEqualByComparingTo("3800");
        assertThat(terms.remainingFraction()).isEqualByComparingTo("0.6");
        assertThat(terms.closesAuction()).isFalse();
    }

    @Test
    void thirdsLeaveNothingBehind() {
        AuctionState a = fresh(new BigDecimal("10000"), CURVE, LotItem.collateral("ethereum", "USDC", new BigDecimal("100")));
        BidTerms first = bid(a, "0.333333");
        a = after(a, first);
        BidTerms second = bid(a, "0.333333");
        a = after(a, second);
        BidTerms last = bid(a, "0.333334");
        a = after(a, last);
        assertThat(first.items().get(0).item().quantity().toPlainString()).isEqualTo("33.3333");
        assertThat(last.items().get(0).item().quantity().toPlainString()).isEqualTo("33.3334");
        assertThat(a.items().get(0).remaining()).isEqualByComparingTo("0");
        assertThat(a.remainingFraction()).isEqualByComparingTo("0");
        assertThat(a.status()).isEqualTo(AuctionStatus.CLOSED);
    }

    @Test
    void theBidThatEmptiesTheAuctionTakesExactlyWhatIsLeft() {
        // what is left of the item differs from quantity x remaining (e.g. earlier rounding): the last bid takes it all
        AuctionState a = new AuctionState("a-1", "alice", AuctionStatus.OPEN, 3, START, new BigDecimal("100"),
                new BigDecimal("0.5"), CURVE, List.of(new AuctionState.ItemState(0, ARB_ETH, new BigDecimal("1.2500001"))), null, BigDecimal.ZERO);
        assertThat(bid(a, "0.5").items().get(0).item().quantity().toPlainString()).isEqualTo("1.2500001");
        // a smaller bid never takes more than what is left
        AuctionState thin = new AuctionState("a-1", "alice", AuctionStatus.OPEN, 3, START, new BigDecimal("100"),
                new BigDecimal("0.5"), CURVE, List.of(new AuctionState.ItemState(0, ARB_ETH, new BigDecimal("0.9"))), null, BigDecimal.ZERO);
        assertThat(bid(thin, "0.4").items().get(0).item().quantity().toPlainString()).isEqualTo("0.9");
        assertThat(bid(thin, "0.2").items().get(0).item().quantity().toPlainString()).isEqualTo("0.5");
    }

    @Test
    void collateralSharesAreRoundedDownToTheTokenDecimals() {
        AuctionState usdc = fresh(new BigDecimal("10000"), CURVE, LotItem.collateral("ethereum", "USDC", new BigDecimal("500.000001")));
        BidTerms half = bid(usdc, "0.5");
        assertThat(half.items().get(0).item().quantity().toPlainString()).isEqualTo("250");
        // the bid that empties the auction takes the exact rest, rounding included
        BidTerms rest = bid(after(usdc, half), "0.5");
        assertThat(rest.items().get(0).item().quantity().toPlainString()).isEqualTo("250.000001");
        assertThat(rest.closesAuction()).isTrue();

        AuctionState eth = fresh(new BigDecimal("10000"), CURVE, LotItem.collateral("arbitrum", "ETH", BigDecimal.ONE));
        BigDecimal third = BigDecimal.ONE.divide(new BigDecimal("3"), 30, java.math.RoundingMode.DOWN);
        BidTerms first = AuctionRules.DEFAULT.accept(eth, "bob", third, NO_LIMIT, 0, START, DECIMALS, BigDecimal.ZERO);
        assertThat(first.items().get(0).item().quantity().toPlainString()).isEqualTo("0.333333333333333333");
    }

    @Test
    void positionsStayExactAndAZeroShareIsLeftOut() {
        AuctionState a = fresh(new BigDecimal("10000"), CURVE, LotItem.position("ETH-PERPETUAL", new BigDecimal("-0.0000003")),
                LotItem.collateral("ethereum", "USDC", new BigDecimal("0.000001")));
        BidTerms terms = bid(a, "0.5");
        assertThat(terms.items()).extracting(b -> b.item().quantity().toPlainString()).containsExactly("-0.00000015");
        assertThat(terms.items()).extracting(BidTerms.BoughtItem::lotIndex).containsExactly(0);
        BidTerms rest = bid(after(a, terms), "0.5");
        assertThat(rest.items()).extracting(b -> b.item().quantity().toPlainString()).containsExactly("-0.00000015", "0.000001");
    }

    @Test
    void unknownDecimalsRefuseABidTakingCollateral() {
        AuctionState a = fresh(new BigDecimal("10000"), CURVE, PERP, ARB_ETH);
        assertThatThrownBy(() -> AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.5"), NO_LIMIT, 0, START, AssetDecimals.UNKNOWN, BigDecimal.ZERO))
                .isInstanceOfSatisfying(UnknownDecimalsException.class, e -> {
                    assertThat(e.chainId()).isEqualTo("arbitrum");
                    assertThat(e.asset()).isEqualTo("ETH");
                });
        AuctionState positionsOnly = fresh(new BigDecimal("10000"), CURVE, PERP);
        assertThat(AuctionRules.DEFAULT.accept(positionsOnly, "bob", new BigDecimal("0.5"), NO_LIMIT, 0, START, AssetDecimals.UNKNOWN, BigDecimal.ZERO)
                .items()).extracting(b -> b.item().quantity().toPlainString()).containsExactly("-1.5");
    }

    @Test
    void paidIsRoundedHalfEvenToSixDecimals() {
        assertThat(bid(fresh(new BigDecimal("2.000001"), FLAT, ARB_ETH), "0.5").paidUsd().toPlainString()).isEqualTo("1.000000");
        assertThat(bid(fresh(new BigDecimal("2.000003"), FLAT, ARB_ETH), "0.5").paidUsd().toPlainString()).isEqualTo("1.000002");
        assertThat(bid(fresh(new BigDecimal("2.0000015"), FLAT, ARB_ETH), "0.5").paidUsd().toPlainString()).isEqualTo("1.000001");
    }

    @Test
    void refusesTheLiquidatedAccount() {
        AuctionState a = fresh(new BigDecimal("100"), CURVE, ARB_ETH);
        assertReason(() -> AuctionRules.DEFAULT.accept(a, "alice", BigDecimal.ONE, NO_LIMIT, 0, START, DECIMALS, BigDecimal.ZERO), "SELF_BID");
    }

    @Test
    void refusesClosedStaleOverfilledAndTooExpensive() {
        AuctionState open = fresh(new BigDecimal("100"), CURVE, ARB_ETH);
        AuctionState closed = new AuctionState("a-1", "alice", AuctionStatus.CLOSED, 2, START, new BigDecimal("100"),
                BigDecimal.ZERO, CURVE, open.items(), null, BigDecimal.ZERO);
        assertReason(() -> bid(closed, "0.1"), "AUCTION_CLOSED");
        assertReason(() -> AuctionRules.DEFAULT.accept(open, "bob", BigDecimal.ONE, NO_LIMIT, 7, START, DECIMALS, BigDecimal.ZERO), "STALE_VERSION");
        assertThat(AuctionRules.DEFAULT.accept(open, "bob", BigDecimal.ONE, NO_LIMIT, 1, START, DECIMALS, BigDecimal.ZERO).closesAuction()).isTrue();
        AuctionState half = after(open, bid(open, "0.5"));
        assertReason(() -> bid(half, "0.6"), "OVERFILL");
        assertReason(() -> AuctionRules.DEFAULT.accept(open, "bob", BigDecimal.ONE, new BigDecimal("94.99999999"), 0, START, DECIMALS, BigDecimal.ZERO),
                "PRICE_ABOVE_LIMIT");
        assertThat(AuctionRules.DEFAULT.accept(open, "bob", BigDecimal.ONE, new BigDecimal("95"), 0, START, DECIMALS, BigDecimal.ZERO).lotPriceUsd())
                .isEqualByComparingTo("95");
    }

    /** The account of BufferTargetTest (E 900, MM 1000, IM 1400, share 0.5: level 1200), its lot worth 1000, 950 at START. */
    private static AuctionState bounded(LotItem... lot) {
        AuctionState a = fresh(new BigDecimal("1000"), CURVE, lot);
        return new AuctionState(a.auctionId(), a.accountId(), a.status(), a.version(), a.epochStartedAt(), a.epochStartValueUsd(),
                a.remainingFraction(), a.curve(), a.items(), BufferTargetTest.HALF, BigDecimal.ZERO);
    }

    @Test
    void aFractionAboveTheBoundIsRefusedWithTheBoundAndOneAtItRestoresTheAccountAndCloses() {
        AuctionState a = bounded(PERP, ARB_ETH);
        BigDecimal rate = new BigDecimal("0.02");
        PreconditionException refused = catchThrowableOfType(PreconditionException.class,
                () -> AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.25"), NO_LIMIT, 0, START, DECIMALS, rate));
        assertThat(refused.reason()).isEqualTo("FRACTION_ABOVE_BOUND");
        assertThat(refused.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("max_fraction", "0.243902439838",
                "lot_price_usd", "950.00000000"));
        assertReason(() -> AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.2439024398381"), NO_LIMIT, 0, START, DECIMALS,
                rate), "FRACTION_ABOVE_BOUND");

        BidTerms atBound = AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.243902439838"), NO_LIMIT, 0, START, DECIMALS, rate);
        assertThat(atBound.restoresAccount()).isTrue();
        assertThat(atBound.closesAuction()).isTrue();
        assertThat(atBound.remainingFraction()).isEqualByComparingTo("0.756097560162");
        assertThat(atBound.penaltyUsd()).isEqualByComparingTo("4.878048");
        // the bought part is the fraction of each item, the rest stays with the account
        assertThat(atBound.items()).extracting(b -> b.item().quantity().toPlainString())
                .containsExactly("-0.731707319514", "0.609756099595");
    }

    @Test
    void twoBidsAtOnePriceEndWhereOneWouldAndASmallerBidLeavesTheAuctionOpen() {
        AuctionState a = bounded(ARB_ETH);
        BigDecimal rate = new BigDecimal("0.02");
        BidTerms first = AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.1"), NO_LIMIT, 0, START, DECIMALS, rate);
        assertThat(first.restoresAccount()).isFalse();
        assertThat(first.closesAuction()).isFalse();
        AuctionState afterFirst = after(a, first);
        // 95 paid, 2 penalty: 93 kept; (0.9 x 300 - 93 + 0.000001) / (930 + 300) = 0.1439024398373... up to 0.143902439838
        assertThat(afterFirst.proceedsUsd()).isEqualByComparingTo("93");
        assertThat(afterFirst.maxFraction(new BigDecimal("950"), rate).toPlainString()).isEqualTo("0.143902439838");
        BidTerms second = AuctionRules.DEFAULT.accept(afterFirst, "carol", new BigDecimal("0.143902439838"), NO_LIMIT, 0, START,
                DECIMALS, rate);
        assertThat(second.restoresAccount()).isTrue();
        assertThat(after(afterFirst, second).status()).isEqualTo(AuctionStatus.CLOSED);
        assertThat(second.remainingFraction()).isEqualByComparingTo("0.756097560162");
    }

    @Test
    void theInsuranceFundsTakeoverIsNeverBounded() {
        AuctionState a = bounded(ARB_ETH);
        BidTerms takeover = AuctionRules.DEFAULT.takeOver(a, DECIMALS);
        assertThat(takeover.remainingFraction()).isEqualByComparingTo("0");
        assertThat(takeover.items()).extracting(b -> b.item().quantity().toPlainString()).containsExactly("2.5");
    }

    @Test
    void refusesAnAuctionThatIsStillOpening() {
        // claimed, not opened: no start, no start value, no lot (what the store reads for an OPENING row)
        AuctionState opening = new AuctionState("a-1", "alice", AuctionStatus.OPENING, 0, null, null,
                BigDecimal.ONE, CURVE, List.of(), null, BigDecimal.ZERO);
        assertReason(() -> bid(opening, "0.1"), "AUCTION_OPENING");
        assertReason(() -> AuctionRules.DEFAULT.accept(opening, "alice", BigDecimal.ONE, NO_LIMIT, 0, START, DECIMALS, BigDecimal.ZERO), "SELF_BID");
    }

    @Test
    void pricesAnInsolventLotBelowZeroWithinTheBiddersLimit() {
        // V = -50, buf 0.95: -50 - 50 x 0.05 = -52.5; the fund pays the bidder 0.4 x 52.5 = 21
        AuctionState insolvent = fresh(new BigDecimal("-50"), CURVE, ARB_ETH);
        BidTerms terms = bid(insolvent, "0.4");
        assertThat(terms.lotPriceUsd()).isEqualByComparingTo("-52.5");
        assertThat(terms.paidUsd().toPlainString()).isEqualTo("-21.000000");
        assertThat(terms.items()).extracting(t -> t.item().quantity().toPlainString()).containsExactly("1");
        assertThat(bid(fresh(BigDecimal.ZERO, CURVE, ARB_ETH), "1").paidUsd()).isEqualByComparingTo("0");
        // a negative limit: the bidder wants at least 52.5 for the lot
        assertThat(AuctionRules.DEFAULT.accept(insolvent, "bob", BigDecimal.ONE, new BigDecimal("-52.5"), 0, START, DECIMALS, BigDecimal.ZERO)
                .paidUsd()).isEqualByComparingTo("-52.5");
        assertReason(() -> AuctionRules.DEFAULT.accept(insolvent, "bob", BigDecimal.ONE, new BigDecimal("-52.50000001"), 0, START,
                DECIMALS, BigDecimal.ZERO), "PRICE_ABOVE_LIMIT");
    }

    @Test
    void theFundsPayoutRoundsTowardsZero() {
        // 0.0000003 x -52.5 = -0.00001575: half-even would pay 0.000016, the fund pays 0.000015
        AuctionState insolvent = fresh(new BigDecimal("-50"), CURVE, ARB_ETH);
        assertThat(bid(insolvent, "0.0000003").paidUsd().toPlainString()).isEqualTo("-0.000015");
    }

    @Test
    void aTakeoverTakesWhatRemainsAtPriceZero() {
        AuctionState a = fresh(new BigDecimal("-50"), CURVE, PERP, ARB_ETH);
        AuctionState half = after(a, bid(a, "0.5"));
        BidTerms takeover = AuctionRules.DEFAULT.takeOver(half, DECIMALS);
        assertThat(takeover.lotPriceUsd()).isEqualByComparingTo("0");
        assertThat(takeover.paidUsd()).isEqualByComparingTo("0");
        assertThat(takeover.closesAuction()).isTrue();
        assertThat(takeover.items()).extracting(t -> t.item().quantity().toPlainString()).containsExactly("-1.5", "1.25");
        assertReason(() -> AuctionRules.DEFAULT.takeOver(after(half, takeover), DECIMALS), "AUCTION_CLOSED");
    }

    @Test
    void refusesBidsWhileTheCurveWaitsForAReset() {
        // tail 60 s, cusp 0.6: f after 4 steps of 10 s = 0.95 * 0.9^4 = 0.623295 (bids go on), after 5 = 0.5609655
        PriceCurve curve = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofSeconds(10),
                new BigDecimal("0.9"), Duration.ofSeconds(60), new BigDecimal("0.6"));
        AuctionState a = fresh(new BigDecimal("100"), curve, ARB_ETH);
        assertThat(AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.1"), NO_LIMIT, 0, START.plusSeconds(49), DECIMALS, BigDecimal.ZERO)
                .lotPriceUsd()).isEqualByComparingTo("62.3295");
        assertReason(() -> AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.1"), NO_LIMIT, 0, START.plusSeconds(50), DECIMALS, BigDecimal.ZERO),
                "NEEDS_RESET");
        assertReason(() -> AuctionRules.DEFAULT.accept(a, "bob", new BigDecimal("0.1"), NO_LIMIT, 0, START.plusSeconds(60), DECIMALS, BigDecimal.ZERO),
                "NEEDS_RESET");
    }

    private static void assertReason(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
