package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.liquidation.app.Resets;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionCloseReason;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.LotItem;
import dev.crosschain.proto.liquidation.v1.LotItemKind;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.IsolatedBucket;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.Position;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.crosschain.liquidation.grpc.BufferBoundGrpcTest.HELD;
import static dev.crosschain.liquidation.grpc.BufferBoundGrpcTest.bid;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.BIDDER;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.FUND;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.freeze;
import static dev.crosschain.liquidation.grpc.LiquidationGrpcServiceTest.leg;
import static dev.crosschain.liquidation.grpc.TestSupport.assertError;
import static dev.crosschain.liquidation.grpc.TestSupport.assertInvalid;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auctions of one ISOLATED bucket through the service, margin-service's view from the fake. The account: 10,000 USDC on
 * ethereum (no haircut); long 10 ETH-PERPETUAL entered at 3,000, marked 2,800 (unrealized -2,000); long 1 BTC-PERPETUAL
 * (unrealized 0). Buckets: ETH-PERPETUAL allocation 2,100, equity 100, IM 560, MM 280: LIQUIDATION; BTC-PERPETUAL 1,000,
 * IM 600, MM 300: HEALTHY. The whole book in CROSS terms: equity 8,000 against MM 580, not in liquidation. So the
 * ETH-PERPETUAL bucket is auctioned alone: lot 10 ETH-PERPETUAL and its 2,100 allocation, start value 100 (the bucket's
 * equity), level 280 + 0.5 x 280 = 420. The held curve's price 0.95 x 100 = 95 for a day; penalty 0.02 x 100 = 2 a unit.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class BucketAuctionGrpcTest {

    static final String ETH = "ETH-PERPETUAL";
    static final String BTC = "BTC-PERPETUAL";

    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    Breaches breaches;

    @Inject
    Resets resets;

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    @BeforeEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
    }

    /** The account above, its ETH-PERPETUAL bucket in liquidation; equity and MM of the whole book as given. */
    static AccountView isolatedView(String account, String equity, String maintenanceMargin) {
        return AccountView.newBuilder().setAccountId(account).setMode(MarginMode.MARGIN_MODE_ISOLATED)
                .setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION)
                .addCollateral(CollateralLine.newBuilder().setChainId("ethereum").setAsset("USDC").setAmount("10000")
                        .setPriceUsd("1").setMarketValueUsd("10000").setValueMmUsd("10000"))
                .addPositions(Position.newBuilder().setInstrument(BTC).setQuantity("1").setAverageEntryPrice("60000")
                        .setMarkPrice("60000").setUnrealizedPnlUsd("0").setOptionValueUsd("0"))
                .addPositions(Position.newBuilder().setInstrument(ETH).setQuantity("10").setAverageEntryPrice("3000")
                        .setMarkPrice("2800").setUnrealizedPnlUsd("-2000").setOptionValueUsd("0"))
                .setUnrealizedPnlUsd("-2000").setOptionValueUsd("0").setRealizedPnlUsd("0")
                .setEquityUsd(equity).setMaintenanceMarginUsd(maintenanceMargin).setInitialMarginUsd("1160")
                .addIsolatedBuckets(IsolatedBucket.newBuilder().setInstrument(BTC).setAllocationUsd("1000").setEquityUsd("1000")
                        .setInitialMarginUsd("600").setMaintenanceMarginUsd("300").setStatus(AccountStatus.ACCOUNT_STATUS_HEALTHY))
                .addIsolatedBuckets(IsolatedBucket.newBuilder().setInstrument(ETH).setAllocationUsd("2100").setEquityUsd("100")
                        .setInitialMarginUsd("560").setMaintenanceMarginUsd("280").setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION))
                .setFreePoolUsd("6900").build();
    }

    private Auction open(String auctionId, AccountView view) {
        return open(auctionId, view, HELD);
    }

    private Auction open(String auctionId, AccountView view, PriceCurve curve) {
        upstream.margin.views.put(view.getAccountId(), view);
        assertThat(store.claim(auctionId, view.getAccountId(), Instant.now(), curve)).isTrue();
        breaches.drive(auctionId, view.getAccountId());
        awaitUntil("auction " + auctionId + " open", () -> get(auctionId).getStatus() == AuctionStatus.AUCTION_STATUS_OPEN);
        return get(auctionId);
    }

    @Test
    void aBreachedBucketIsAuctionedAloneAndABidSettlesOnlyItsPositionAndAllocation() {
        String acc = "acc-bucket-one";
        Auction auction = open("auc-bucket-one", isolatedView(acc, "8000", "580"));
        assertThat(auction.getBucketInstrument()).isEqualTo(ETH);
        assertThat(auction.getLotList()).containsExactly(
                LotItem.newBuilder().setKind(LotItemKind.LOT_ITEM_KIND_POSITION).setInstrument(ETH).setQuantity("10").build(),
                LotItem.newBuilder().setKind(LotItemKind.LOT_ITEM_KIND_ALLOCATION).setInstrument(ETH).setQuantity("2100").build());
        assertThat(auction.getStartValueUsd()).isEqualTo("100.00000000");
        assertThat(auction.getCurrentPriceUsd()).isEqualTo("95.00000000");
        assertThat(auction.getOpenEquityUsd()).isEqualTo("100");
        assertThat(auction.getOpenMaintenanceMarginUsd()).isEqualTo("280");
        assertThat(auction.getOpenInitialMarginUsd()).isEqualTo("560");
        assertThat(auction.getOpenRealizedPnlUsd()).isEqualTo("0");
        assertThat(auction.getOpenCashValueUsd()).isEqualTo("1");
        assertThat(auction.getBufferLevelUsd()).isEqualTo("420");
        // the account is frozen as for an account auction (recovery may drive the claim too: the same freeze again)
        assertThat(upstream.margin.freezesOf(acc)).isNotEmpty().containsOnly(freeze(acc, true, auction.getAuctionId()));
        // (420 + 0.000001 - 100) / (95 - 2 + 420 - 100) = 0.7748184043583..., up to 12 places (its cash restores it)
        assertThat(auction.getMaxFractionNow()).isEqualTo("0.774818404359");

        // half the lot: 5 ETH-PERPETUAL and 1,050 of the allocation for 47.5, penalty 1 (0.02 x 0.5 x 100): the account
        // pays the bidder the net 1,002.5 out of its USDC, the fund its penalty; the bucket changes by 46.50 - 1,050
        Bid half = liquidation.placeBid(bid("bid-bucket-one-1", auction, "0.5")).getBid();
        assertThat(half.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(half.getPaidUsd()).isEqualTo("47.500000");
        assertThat(half.getPenaltyUsd()).isEqualTo("1");
        assertThat(upstream.collateral.callsOf("bid-bucket-one-1/collateral")).singleElement().satisfies(t ->
                assertThat(t.getLegsList()).containsExactly(
                        leg(acc, BIDDER, "ethereum", "USDC", "1002.5"),
                        leg(acc, FUND, "ethereum", "USDC", "1")));
        assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getTransferId().equals("bid-bucket-one-1/positions")).toList())
                .containsExactly(TransferPositionsRequest.newBuilder().setTransferId("bid-bucket-one-1/positions")
                        .setFromAccountId(acc).setToAccountId(BIDDER).addPositions(PositionTransfer.newBuilder()
                                .setInstrument(ETH).setQuantity("5").setBucketDeltaUsd("-1003.5")).build());
        Auction afterHalf = get(auction.getAuctionId());
        assertThat(afterHalf.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(afterHalf.getRemainingFraction()).isEqualTo("0.5");
        // the bucket is 50 + 46.5 = 96.5 against a level of 210 now: (210 + 0.000001 - 96.5) / 413 = 0.2748184043583...
        assertThat(afterHalf.getMaxFractionNow()).isEqualTo("0.274818404359");

        // bad bids against the bucket auction are refused as any auction's and change nothing
        assertError(() -> liquidation.placeBid(bid("bid-bucket-one-x", afterHalf, "0.3")), Status.Code.FAILED_PRECONDITION,
                "FRACTION_ABOVE_BOUND");
        assertError(() -> liquidation.placeBid(bid("bid-bucket-one-x", afterHalf, "0.1").toBuilder().setBidderAccountId(acc).build()),
                Status.Code.FAILED_PRECONDITION, "SELF_BID");
        assertError(() -> liquidation.placeBid(bid("bid-bucket-one-x", afterHalf, "0.1").toBuilder().setAuctionVersion(1).build()),
                Status.Code.FAILED_PRECONDITION, "STALE_VERSION");
        assertInvalid(() -> liquidation.placeBid(bid("bid-bucket-one-x", afterHalf, "0")), "INVALID_FRACTION", "fraction");
        assertThat(get(auction.getAuctionId())).isEqualTo(afterHalf);
        assertThat(upstream.collateral.callsOf("bid-bucket-one-x/collateral")).isEmpty();

        // the bid at the bound restores the bucket: the auction closes RESTORED, the rest stays with the account, which is
        // unfrozen; margin-service then says HEALTHY, and the account is looked at again (its last auction sold a bucket)
        upstream.margin.views.put(acc, isolatedView(acc, "8000", "580").toBuilder().setStatus(AccountStatus.ACCOUNT_STATUS_HEALTHY).build());
        Bid restoring = liquidation.placeBid(bid("bid-bucket-one-2", afterHalf, afterHalf.getMaxFractionNow())).getBid();
        assertThat(restoring.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        Auction closed = get(auction.getAuctionId());
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED);
        awaitUntil("the unfreeze of " + acc, () -> upstream.margin.freezesOf(acc).contains(freeze(acc, false, auction.getAuctionId())));
        awaitUntil("a look at " + acc + " after its bucket auction", () -> auctionsOf(acc).stream()
                .anyMatch(a -> a.getCloseReason() == AuctionCloseReason.AUCTION_CLOSE_REASON_CANCELLED
                        && a.getCancelReason().equals("NOT_IN_LIQUIDATION")));
        // nothing of the BTC position or of the collateral beyond the bucket's net ever moved
        assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getFromAccountId().equals(acc))
                .flatMap(t -> t.getPositionsList().stream()).map(PositionTransfer::getInstrument)).containsOnly(ETH);
        assertThat(upstream.collateral.calls.stream().filter(c -> c.getTransferId().startsWith("bid-bucket-one"))
                .flatMap(c -> c.getLegsList().stream()).filter(l -> l.getFromAccountId().equals(acc))
                .map(l -> l.getChainId() + "/" + l.getAsset())).containsOnly("ethereum/USDC");
    }

    @Test
    void anInsolventBucketIsPaidByTheFundNeverByTheFreePool() {
        String acc = "acc-bucket-insolvent";
        // the ETH-PERPETUAL position lost 2,500: the bucket's equity 2,100 - 2,500 = -400, a loss beyond its allocation
        AccountView view = isolatedView(acc, "7500", "580");
        view = view.toBuilder().setPositions(1, view.getPositions(1).toBuilder().setUnrealizedPnlUsd("-2500"))
                .setIsolatedBuckets(1, view.getIsolatedBuckets(1).toBuilder().setEquityUsd("-400")).build();
        Auction auction = open("auc-bucket-insolvent", view);
        assertThat(auction.getBucketInstrument()).isEqualTo(ETH);
        assertThat(auction.getStartValueUsd()).isEqualTo("-400.00000000");
        // -400 x (2 - 0.95): the fund pays the bidder; sold whole, unbounded
        assertThat(auction.getCurrentPriceUsd()).isEqualTo("-420.00000000");
        assertThat(auction.getMaxFractionNow()).isEqualTo("1");
        String fundBalance = upstream.collateral.balance(FUND, "ethereum", "USDC").toPlainString();
        upstream.collateral.setBalance(FUND, "ethereum", "USDC", "100000");
        try {
            Bid all = liquidation.placeBid(bid("bid-bucket-insolvent", auction, "1")).getBid();
            assertThat(all.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
            assertThat(all.getPaidUsd()).isEqualTo("-420.000000");
            // the bidder gets the whole allocation from the account and 420 from the fund; the account pays no more
            assertThat(upstream.collateral.callsOf("bid-bucket-insolvent/collateral")).singleElement().satisfies(t ->
                    assertThat(t.getLegsList()).containsExactly(
                            leg(acc, BIDDER, "ethereum", "USDC", "2100"),
                            leg(FUND, BIDDER, "ethereum", "USDC", "420")));
            assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getTransferId().equals("bid-bucket-insolvent/positions"))
                    .toList()).singleElement().satisfies(t -> assertThat(t.getPositionsList()).containsExactly(PositionTransfer
                            .newBuilder().setInstrument(ETH).setQuantity("10").setBucketDeltaUsd("-2100").build()));
            assertThat(get(auction.getAuctionId()).getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_SOLD);
        } finally {
            upstream.collateral.setBalance(FUND, "ethereum", "USDC", fundBalance);
        }
    }

    @Test
    void aWholeBookBreachOfAnIsolatedAccountStillAuctionsEverything() {
        String acc = "acc-bucket-whole";
        // equity 570 <= MM 580: the whole book is in liquidation in CROSS terms, whatever the buckets say
        Auction auction = open("auc-bucket-whole", isolatedView(acc, "570", "580"));
        assertWholeAccount(auction, "USDC");
    }

    @Test
    void aBucketOfAnAccountWithoutUsdcToPayItsAllocationOutIsAuctionedWithTheWholeAccount() {
        String acc = "acc-bucket-no-usdc";
        // the same account holding 5 WETH (10,000 USD) instead of USDC: a bucket bid pays the allocation it takes out of
        // the account's USDC on the settlement chain, which it has none of
        AccountView view = isolatedView(acc, "8000", "580").toBuilder().setCollateral(0, CollateralLine.newBuilder()
                .setChainId("ethereum").setAsset("WETH").setAmount("5").setPriceUsd("2000").setMarketValueUsd("10000")
                .setValueMmUsd("10000")).build();
        Auction auction = open("auc-bucket-no-usdc", view);
        assertWholeAccount(auction, "WETH");
        // USDC there, but less than the 2,100 allocation: the same
        String short_ = "acc-bucket-short-usdc";
        AccountView shortView = isolatedView(short_, "8000", "580").toBuilder().setCollateral(0, CollateralLine.newBuilder()
                .setChainId("ethereum").setAsset("USDC").setAmount("2099.99").setPriceUsd("1").setMarketValueUsd("2099.99")
                .setValueMmUsd("2099.99")).build();
        assertThat(open("auc-bucket-short-usdc", shortView).getBucketInstrument()).isEmpty();
    }

    @Test
    void aBreachedBucketWithTheFreePoolBelowZeroIsAuctionedWithTheWholeAccount() {
        String acc = "acc-bucket-pool";
        assertWholeAccount(open("auc-bucket-pool", isolatedView(acc, "8000", "580").toBuilder().setFreePoolUsd("-0.01").build()), "USDC");
    }

    @Test
    void aBucketWithoutItsFiguresIsAMalformedViewNotAZero() {
        String acc = "acc-bucket-malformed";
        AccountView whole = isolatedView(acc, "8000", "580");
        upstream.margin.views.put(acc, whole.toBuilder().setIsolatedBuckets(1, whole.getIsolatedBuckets(1).toBuilder().clearEquityUsd()).build());
        assertThat(store.claim("auc-bucket-malformed", acc, Instant.now(), HELD)).isTrue();
        breaches.drive("auc-bucket-malformed", acc);
        // left claimed (OPENING) for recovery, as any malformed view, rather than auctioned with its bucket's equity 0
        assertThat(get("auc-bucket-malformed").getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPENING);
        // recovery opens it once the view is whole
        upstream.margin.views.put(acc, whole);
        awaitUntil("auction auc-bucket-malformed open", () -> get("auc-bucket-malformed").getStatus() == AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(get("auc-bucket-malformed").getBucketInstrument()).isEqualTo(ETH);
        assertThat(get("auc-bucket-malformed").getStartValueUsd()).isEqualTo("100.00000000");
    }

    @Test
    void aWholeBookBreachDuringABucketAuctionClosesItAtItsResetAndTheWholeAccountIsAuctioned() throws Exception {
        String acc = "acc-bucket-superseded";
        // as HELD, but reset after two days (HELD itself never resets)
        PriceCurve resetAfterTwoDays = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofDays(1),
                new BigDecimal("0.97"), Duration.ofDays(2), BigDecimal.ZERO);
        Auction bucket = open("auc-bucket-superseded", isolatedView(acc, "8000", "580"), resetAfterTwoDays);
        assertThat(bucket.getBucketInstrument()).isEqualTo(ETH);
        // the whole book breaches (equity 570 <= MM 580); the account was in LIQUIDATION already, so margin-service
        // sends no event: the bucket auction's next reset (its epoch backdated past its curve's tail) sees it
        upstream.margin.views.put(acc, isolatedView(acc, "570", "580"));
        AuctionResetTest.backdateEpoch(dataSource, bucket.getAuctionId(), Instant.now().minus(Duration.ofDays(3)));
        resets.run();
        awaitUntil("the close of " + bucket.getAuctionId(), () -> get(bucket.getAuctionId()).getStatus() == AuctionStatus.AUCTION_STATUS_CLOSED);
        Auction closed = get(bucket.getAuctionId());
        assertThat(closed.getCloseReason()).isEqualTo(AuctionCloseReason.AUCTION_CLOSE_REASON_SUPERSEDED);
        assertThat(closed.getCancelReason()).isEqualTo("WHOLE_BOOK_IN_LIQUIDATION");
        assertThat(closed.getRemainingFraction()).isEqualTo("1");
        // released, the account is looked at again and auctioned whole
        awaitUntil("a whole-account auction of " + acc, () -> auctionsOf(acc).stream()
                .anyMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN && a.getBucketInstrument().isEmpty()));
        Auction whole = auctionsOf(acc).stream().filter(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN).findFirst().orElseThrow();
        assertThat(upstream.margin.freezesOf(acc)).contains(freeze(acc, false, bucket.getAuctionId()), freeze(acc, true, whole.getAuctionId()));
        assertWholeAccount(whole, "USDC");
    }

    /** An auction of the whole account above (its collateral line in {@code asset}): both positions and the collateral. */
    private static void assertWholeAccount(Auction auction, String asset) {
        assertThat(auction.getBucketInstrument()).isEmpty();
        assertThat(auction.getLotList()).extracting(LotItem::getKind, LotItem::getInstrument, LotItem::getAsset)
                .containsExactly(org.assertj.core.api.Assertions.tuple(LotItemKind.LOT_ITEM_KIND_POSITION, BTC, ""),
                        org.assertj.core.api.Assertions.tuple(LotItemKind.LOT_ITEM_KIND_POSITION, ETH, ""),
                        org.assertj.core.api.Assertions.tuple(LotItemKind.LOT_ITEM_KIND_COLLATERAL, "", asset));
        // collateral 10,000 + unrealized -2,000
        assertThat(auction.getStartValueUsd()).isEqualTo("8000.00000000");
    }

    private List<Auction> auctionsOf(String account) {
        return liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account).build()).getAuctionsList();
    }

    private Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

}
