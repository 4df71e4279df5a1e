package dev.crosschain.liquidation.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.ListAuctionsResponse;
import dev.crosschain.proto.liquidation.v1.LotItem;
import dev.crosschain.proto.liquidation.v1.LotItemKind;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidResponse;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsResponse;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.Position;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeRequest;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static dev.crosschain.liquidation.grpc.TestSupport.PATIENCE;
import static dev.crosschain.liquidation.grpc.TestSupport.assertError;
import static dev.crosschain.liquidation.grpc.TestSupport.assertInvalid;
import static dev.crosschain.liquidation.grpc.TestSupport.preconditionTypes;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static dev.crosschain.liquidation.grpc.TestSupport.detail;
import static dev.crosschain.liquidation.grpc.TestSupport.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class LiquidationGrpcServiceTest {

    static final String NO_LIMIT = "1000000000";
    static final String BIDDER = "bob";
    static final String FUND = "insurance-fund";

    static ManagedChannel channel;
    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;
    static FakeUpstream upstream;

    @Inject
    AuctionStore store;

    @Inject
    CollateralClient collateralClient;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        channel = TestSupport.channel();
        liquidation = LiquidationServiceGrpc.newBlockingStub(channel);
    }

    @BeforeEach
    void upstreamHealthyAndSubscribed() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        awaitUntil("the service subscribes to WatchRisk", () -> !upstream.margin.watchers.isEmpty());
    }

    @AfterEach
    void upstreamHealthy() {
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        upstream.collateral.chainsMode.set(FakeUpstream.Mode.OK);
    }

    // ---- breach detection ----

    @Test
    void breachOpensOneAuctionWithTheLotAndFreezesTheAccount() {
        Auction auction = breach("acc-breach", view("acc-breach", "-4000"));
        assertThat(auction.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(auction.getVersion()).isEqualTo(1);
        assertThat(auction.getStartValueUsd()).isEqualTo("1500.00000000");
        assertThat(auction.getRemainingFraction()).isEqualTo("1");
        assertThat(auction.getClosedAtUnixMs()).isZero();
        // the configured default curve, stored with the auction
        assertThat(auction.getCurve()).isEqualTo(dev.crosschain.proto.liquidation.v1.PriceCurve.newBuilder()
                .setKind(dev.crosschain.proto.liquidation.v1.PriceCurveKind.PRICE_CURVE_KIND_STAIR_STEP)
                .setBuf("0.95").setFloor("0.5").setStepSeconds(30).setCut("0.97").setTailSeconds(600).setCusp("0.6").build());
        assertThat(auction.getEpoch()).isZero();
        assertThat(auction.getEpochStartedAtUnixMs()).isEqualTo(auction.getStartedAtUnixMs());
        assertThat(auction.getEpochStartValueUsd()).isEqualTo("1500.00000000");
        // 1500 x 0.95 for the first 30 s, then 1500 x 0.95 x 0.97, ...
        Instant epochStart = Instant.ofEpochMilli(auction.getEpochStartedAtUnixMs());
        assertThat(configuredPrice(auction, epochStart).toPlainString()).isEqualTo("1425.00000000");
        assertThat(configuredPrice(auction, epochStart.plusSeconds(30)).toPlainString()).isEqualTo("1382.25000000");
        // the price when GetAuction answered: a step reached between the open and now (however slow the machine)
        List<String> reached = LongStream.rangeClosed(0, Duration.between(epochStart, Instant.now()).toSeconds() / 30)
                .mapToObj(n -> configuredPrice(auction, epochStart.plusSeconds(30 * n)).toPlainString()).toList();
        assertThat(auction.getCurrentPriceUsd()).isIn(reached);
        assertThat(auction.getLotList()).containsExactly(
                LotItem.newBuilder().setKind(LotItemKind.LOT_ITEM_KIND_POSITION).setInstrument("ETH-PERPETUAL").setQuantity("-2").build(),
                LotItem.newBuilder().setKind(LotItemKind.LOT_ITEM_KIND_COLLATERAL).setChainId("arbitrum").setAsset("ETH").setQuantity("1.5").build(),
                LotItem.newBuilder().setKind(LotItemKind.LOT_ITEM_KIND_COLLATERAL).setChainId("ethereum").setAsset("USDC").setQuantity("1000").build());
        assertThat(upstream.margin.freezesOf("acc-breach")).containsExactly(freeze("acc-breach", true, auction.getAuctionId()));

        // the same account again (and again after a change of status): no second auction
        upstream.margin.push("acc-breach", AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        upstream.margin.push("acc-breach", AccountStatus.ACCOUNT_STATUS_MARGIN_CALL);
        upstream.margin.push("acc-breach", AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        // events are handled in order: once a later account's auction exists, the repeats were handled
        breach("acc-breach-later", view("acc-breach-later", "-4000"));
        assertThat(auctionsOf("acc-breach")).extracting(Auction::getAuctionId).containsExactly(auction.getAuctionId());
        assertThat(upstream.margin.freezesOf("acc-breach")).hasSize(1);
    }

    @Test
    void theDatabaseAllowsOneOpenAuctionPerAccountWhateverTheReplica() {
        Auction auction = breach("acc-replicas", view("acc-replicas", "-4000"));
        // another replica racing past the "no open auction" check loses on the unique partial index
        boolean inserted = store.insertAuction("auc-other-replica", "acc-replicas", Instant.now(), BigDecimal.TEN,
                new PriceCurve(new BigDecimal("0.95"), new BigDecimal("0.5"), Duration.ofMinutes(10)),
                List.of());
        assertThat(inserted).isFalse();
        assertThat(auctionsOf("acc-replicas")).extracting(Auction::getAuctionId).containsExactly(auction.getAuctionId());
    }

    @Test
    void aReconnectedStreamDoesNotOpenASecondAuction() {
        Auction auction = breach("acc-reconnect", view("acc-reconnect", "-4000"));
        upstream.margin.dropWatchers();
        // on re-subscribe the fake replays every non-healthy account, acc-reconnect included
        awaitUntil("the service re-subscribes", () -> !upstream.margin.watchers.isEmpty());
        breach("acc-reconnect-later", view("acc-reconnect-later", "-4000"));
        assertThat(auctionsOf("acc-reconnect")).extracting(Auction::getAuctionId).containsExactly(auction.getAuctionId());
    }

    // ---- bidding and settlement ----

    @Test
    void fullBidSettlesBothTransfersOnceWithTheExactLegsAndUnfreezes() {
        Auction auction = breach("acc-full", view("acc-full", "-4000"));
        PlaceBidResponse response = liquidation.placeBid(bid("bid-full", auction, "1", auction.getVersion()));
        Bid bid = response.getBid();
        assertThat(response.getReplayed()).isFalse();
        assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(bid.getSettledAtUnixMs()).isGreaterThanOrEqualTo(bid.getPlacedAtUnixMs());
        assertThat(bid.getFraction()).isEqualTo("1");
        BigDecimal lotPrice = new BigDecimal(bid.getLotPriceUsd());
        // the curve's price when the bid was placed (1425 within the first 30 s)
        assertThat(lotPrice).isEqualByComparingTo(configuredPrice(auction, Instant.ofEpochMilli(bid.getPlacedAtUnixMs())));
        assertThat(bid.getPaidUsd()).isEqualTo(lotPrice.setScale(6, RoundingMode.HALF_EVEN).toPlainString());

        assertThat(upstream.collateral.callsOf("bid-full/collateral")).containsExactly(transfer("bid-full/collateral",
                leg("acc-full", BIDDER, "arbitrum", "ETH", "1.5"),
                leg("acc-full", BIDDER, "ethereum", "USDC", "1000"),
                leg(BIDDER, "acc-full", "ethereum", "USDC", bid.getPaidUsd()),
                // the penalty: 0.02 x 1 x 1500 (the lot's mark value), from what the account just received
                leg("acc-full", FUND, "ethereum", "USDC", "30")));
        assertThat(bid.getPenaltyUsd()).isEqualTo("30");
        assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getTransferId().equals("bid-full/positions")).toList())
                .containsExactly(positions("bid-full/positions", "acc-full", position("ETH-PERPETUAL", "-2")));

        Auction after = get(auction.getAuctionId());
        assertThat(after.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(after.getRemainingFraction()).isEqualTo("0");
        assertThat(after.getVersion()).isEqualTo(auction.getVersion() + 1);
        assertThat(after.getClosedAtUnixMs()).isPositive();
        assertThat(after.getBidsList()).containsExactly(bid);
        assertThat(upstream.margin.freezesOf("acc-full")).containsExactly(
                freeze("acc-full", true, auction.getAuctionId()), freeze("acc-full", false, auction.getAuctionId()));
    }

    @Test
    void partialBidsThenTheRemainderCloseTheAuctionAndUnfreeze() {
        Auction auction = breach("acc-partial", view("acc-partial", "-4000"));
        Bid first = liquidation.placeBid(bid("bid-partial-1", auction, "0.25", auction.getVersion())).getBid();
        assertThat(first.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        Auction middle = get(auction.getAuctionId());
        assertThat(middle.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(middle.getRemainingFraction()).isEqualTo("0.75");
        assertThat(middle.getVersion()).isEqualTo(2);
        assertThat(upstream.margin.freezesOf("acc-partial")).hasSize(1);

        Bid second = liquidation.placeBid(PlaceBidRequest.newBuilder().setBidId("bid-partial-2").setAuctionId(auction.getAuctionId())
                .setBidderAccountId("carol").setFraction("0.75").setMaxLotPriceUsd(NO_LIMIT).setAuctionVersion(2).build()).getBid();
        assertThat(second.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);

        assertThat(upstream.collateral.callsOf("bid-partial-1/collateral")).containsExactly(transfer("bid-partial-1/collateral",
                leg("acc-partial", BIDDER, "arbitrum", "ETH", "0.375"),
                leg("acc-partial", BIDDER, "ethereum", "USDC", "250"),
                leg(BIDDER, "acc-partial", "ethereum", "USDC", first.getPaidUsd()),
                leg("acc-partial", FUND, "ethereum", "USDC", "7.5")));
        assertThat(upstream.collateral.callsOf("bid-partial-2/collateral")).containsExactly(transfer("bid-partial-2/collateral",
                leg("acc-partial", "carol", "arbitrum", "ETH", "1.125"),
                leg("acc-partial", "carol", "ethereum", "USDC", "750"),
                leg("carol", "acc-partial", "ethereum", "USDC", second.getPaidUsd()),
                leg("acc-partial", FUND, "ethereum", "USDC", "22.5")));
        assertThat(upstream.margin.transfers.get("bid-partial-1/positions").getPositionsList())
                .containsExactly(position("ETH-PERPETUAL", "-0.5"));
        assertThat(upstream.margin.transfers.get("bid-partial-2/positions").getPositionsList())
                .containsExactly(position("ETH-PERPETUAL", "-1.5"));
        assertThat(upstream.margin.transfers.get("bid-partial-2/positions").getToAccountId()).isEqualTo("carol");

        Auction closed = get(auction.getAuctionId());
        assertThat(closed.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(closed.getRemainingFraction()).isEqualTo("0");
        assertThat(closed.getVersion()).isEqualTo(3);
        assertThat(closed.getBidsList()).extracting(Bid::getBidId).containsExactly("bid-partial-1", "bid-partial-2");
        assertThat(upstream.margin.freezesOf("acc-partial")).containsExactly(
                freeze("acc-partial", true, auction.getAuctionId()), freeze("acc-partial", false, auction.getAuctionId()));
    }

    @Test
    void everyReadDuringRacingBidsSeesTheAuctionAndItsBidsAsOfOneMoment() throws Exception {
        // GetAuction and ListAuctions read the header, the lot and the bids in separate statements: a bid committing
        // between them showed a remaining fraction that did not match the bids listed, or failed the read (INTERNAL)
        Auction auction = breach("acc-reads", view("acc-reads", "-4000"));
        int bidders = 4;
        int bidsEach = 5; // 20 bids of 0.05 sell the whole lot
        ExecutorService pool = Executors.newFixedThreadPool(bidders + 2);
        AtomicBoolean bidding = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        try {
            List<Future<?>> bids = new ArrayList<>();
            for (int b = 0; b < bidders; b++) {
                int bidder = b;
                bids.add(pool.submit(() -> {
                    for (int n = 0; n < bidsEach; n++) {
                        placeOnTheLatestVersion("bid-reads-" + bidder + "-" + n, auction.getAuctionId(), "0.05");
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            readers.add(pool.submit(() -> {
                while (bidding.get()) {
                    assertOneMoment(get(auction.getAuctionId()));
                    reads.incrementAndGet();
                }
                return null;
            }));
            readers.add(pool.submit(() -> {
                while (bidding.get()) {
                    auctionsOf("acc-reads").forEach(LiquidationGrpcServiceTest::assertOneMoment);
                    reads.incrementAndGet();
                }
                return null;
            }));
            try {
                for (Future<?> bid : bids) {
                    bid.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                }
            } finally {
                bidding.set(false);
            }
            for (Future<?> reader : readers) {
                reader.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Auction after = get(auction.getAuctionId());
        assertOneMoment(after);
        assertThat(after.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(after.getBidsCount()).isEqualTo(bidders * bidsEach);
        assertThat(reads.get()).as("reads made while the bids were placed").isPositive();
    }

    /** Bids on the version it reads, reading again after STALE_VERSION (another bidder's bid came first). */
    private void placeOnTheLatestVersion(String bidId, String auctionId, String fraction) {
        while (true) {
            Auction now = get(auctionId);
            try {
                assertThat(liquidation.placeBid(bid(bidId, now, fraction, now.getVersion())).getBid().getStatus())
                        .isEqualTo(BidStatus.BID_STATUS_SETTLED);
                return;
            } catch (StatusRuntimeException e) {
                assertThat(errorInfo(e).getReason()).as("refusal of %s", bidId).isEqualTo("STALE_VERSION");
            }
        }
    }

    /** The remaining fraction is what the listed bids left and the version counts them (one per bid since the open). */
    private static void assertOneMoment(Auction read) {
        BigDecimal sold = read.getBidsList().stream().map(b -> new BigDecimal(b.getFraction())).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(new BigDecimal(read.getRemainingFraction()).add(sold)).as("remaining + bids of %s", read)
                .isEqualByComparingTo(BigDecimal.ONE);
        assertThat(read.getVersion()).as("version of %s", read).isEqualTo(1 + read.getBidsCount());
    }

    @Test
    void partialBidsRoundCollateralDownToTheTokenDecimalsAndTheRemainderTakesTheRest() {
        AccountView view = AccountView.newBuilder().setAccountId("acc-dust").setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION)
                .addCollateral(CollateralLine.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("1")
                        .setPriceUsd("3000").setMarketValueUsd("3000"))
                .addCollateral(CollateralLine.newBuilder().setChainId("ethereum").setAsset("USDC").setAmount("500.000001")
                        .setPriceUsd("1").setMarketValueUsd("500.000001"))
                .addPositions(Position.newBuilder().setInstrument("ETH-PERPETUAL").setQuantity("-1").setAverageEntryPrice("1000")
                        .setMarkPrice("3000").setUnrealizedPnlUsd("-2000").setOptionValueUsd("0"))
                .setUnrealizedPnlUsd("-2000").setOptionValueUsd("0").build();
        Auction auction = breach("acc-dust", view);

        Bid first = liquidation.placeBid(bid("bid-dust-1", auction, "0.5", auction.getVersion())).getBid();
        assertThat(first.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(upstream.collateral.applied.get("bid-dust-1/collateral").getLegsList()).containsExactly(
                leg("acc-dust", BIDDER, "arbitrum", "ETH", "0.5"),
                leg("acc-dust", BIDDER, "ethereum", "USDC", "250"),
                leg(BIDDER, "acc-dust", "ethereum", "USDC", first.getPaidUsd()),
                // 0.02 x 0.5 x 1500.000001 = 15.00000001, rounded down to USDC's 6 decimals
                leg("acc-dust", FUND, "ethereum", "USDC", "15"));
        assertThat(upstream.margin.transfers.get("bid-dust-1/positions").getPositionsList())
                .containsExactly(position("ETH-PERPETUAL", "-0.5"));
        assertThat(get(auction.getAuctionId()).getRemainingFraction()).isEqualTo("0.5");

        Bid rest = liquidation.placeBid(bid("bid-dust-2", auction, "0.5", auction.getVersion() + 1)).getBid();
        assertThat(rest.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(upstream.collateral.applied.get("bid-dust-2/collateral").getLegsList()).containsExactly(
                leg("acc-dust", BIDDER, "arbitrum", "ETH", "0.5"),
                leg("acc-dust", BIDDER, "ethereum", "USDC", "250.000001"),
                leg(BIDDER, "acc-dust", "ethereum", "USDC", rest.getPaidUsd()),
                leg("acc-dust", FUND, "ethereum", "USDC", "15"));
        Auction closed = get(auction.getAuctionId());
        assertThat(closed.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(closed.getRemainingFraction()).isEqualTo("0");
        assertThat(closed.getBidsList()).extracting(Bid::getStatus)
                .containsExactly(BidStatus.BID_STATUS_SETTLED, BidStatus.BID_STATUS_SETTLED);
        assertThat(upstream.margin.freezesOf("acc-dust")).containsExactly(
                freeze("acc-dust", true, auction.getAuctionId()), freeze("acc-dust", false, auction.getAuctionId()));
    }

    @Test
    void unknownTokenDecimalsRefuseTheBidAndRecordNothing() {
        Auction auction = breach("acc-nochains", view("acc-nochains", "-4000"));
        upstream.collateral.chainsMode.set(FakeUpstream.Mode.UNAVAILABLE);
        collateralClient.forgetDecimals();
        try {
            assertError(() -> liquidation.placeBid(bid("bid-nochains", auction, "0.5", auction.getVersion())),
                    Status.Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE");
            assertUnchanged(auction);
            assertThat(upstream.collateral.callsOf("bid-nochains/collateral")).isEmpty();
        } finally {
            upstream.collateral.chainsMode.set(FakeUpstream.Mode.OK);
        }
        // once the registry answers, the same bid id is accepted as new
        Bid bid = liquidation.placeBid(bid("bid-nochains", auction, "0.5", auction.getVersion())).getBid();
        assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
    }

    @Test
    void aChainAddedToTheRegistryAtRunTimeIsReadForTheBidThatMeetsIt() {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        collateralClient.useTicker(nanos::get);
        try {
            collateralClient.forgetDecimals();
            assertThat(collateralClient.decimals().of("base", "ETH")).isEmpty(); // read before the chain exists
            upstream.collateral.added.put("base", Map.of("ETH", 18)); // an operator's UpsertChain
            AccountView view = view("acc-newchain", "-4000").toBuilder()
                    .addCollateral(CollateralLine.newBuilder().setChainId("base").setAsset("ETH").setAmount("2")
                            .setPriceUsd("3000").setMarketValueUsd("6000")).build();
            Auction auction = breach("acc-newchain", view);
            nanos.addAndGet(SECOND_NANOS); // past the forced-refresh floor, well within the refresh interval
            int reads = upstream.collateral.listChainsCalls.size();

            Bid bid = liquidation.placeBid(bid("bid-newchain", auction, "0.5", auction.getVersion())).getBid();
            assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
            assertThat(upstream.collateral.applied.get("bid-newchain/collateral").getLegsList())
                    .contains(leg("acc-newchain", BIDDER, "base", "ETH", "1"));
            assertThat(upstream.collateral.listChainsCalls).as("one read of the registry for the unknown chain").hasSize(reads + 1);
        } finally {
            upstream.collateral.added.clear();
            collateralClient.useTicker(System::nanoTime);
            collateralClient.forgetDecimals();
        }
    }

    @Test
    void theRegistryIsReadAgainAfterTheRefreshIntervalAndKeptWhenThatFails() {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        collateralClient.useTicker(nanos::get);
        try {
            upstream.collateral.added.put("base", Map.of("USDC", 6));
            collateralClient.forgetDecimals();
            assertThat(collateralClient.decimals().of("base", "USDC")).hasValue(6);
            upstream.collateral.added.put("base", Map.of("USDC", 2)); // changed by an operator

            int reads = upstream.collateral.listChainsCalls.size();
            nanos.addAndGet(59 * SECOND_NANOS); // test profile: registry-refresh 60 s (the default)
            assertThat(collateralClient.decimals().of("base", "USDC")).as("within the interval: cached").hasValue(6);
            assertThat(upstream.collateral.listChainsCalls).hasSize(reads);
            nanos.addAndGet(2 * SECOND_NANOS);
            assertThat(collateralClient.decimals().of("base", "USDC")).as("after it: read again").hasValue(2);

            upstream.collateral.chainsMode.set(FakeUpstream.Mode.UNAVAILABLE);
            nanos.addAndGet(61 * SECOND_NANOS);
            assertThat(collateralClient.decimals().of("base", "USDC")).as("collateral-service down: the last read").hasValue(2);
        } finally {
            upstream.collateral.chainsMode.set(FakeUpstream.Mode.OK);
            upstream.collateral.added.clear();
            collateralClient.useTicker(System::nanoTime);
            collateralClient.forgetDecimals();
        }
    }

    /** A second on the registry's ticker. */
    static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void aReplayedBidReturnsTheFirstAnswerAndMovesNothingTwice() {
        Auction auction = breach("acc-replay", view("acc-replay", "-4000"));
        PlaceBidRequest request = bid("bid-replay", auction, "0.5", auction.getVersion());
        PlaceBidResponse first = liquidation.placeBid(request);
        PlaceBidResponse again = liquidation.placeBid(request);
        assertThat(first.getReplayed()).isFalse();
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.getBid()).isEqualTo(first.getBid());
        assertThat(upstream.collateral.callsOf("bid-replay/collateral")).hasSize(1);
        assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getTransferId().equals("bid-replay/positions"))).hasSize(1);
        Auction after = get(auction.getAuctionId());
        assertThat(after.getVersion()).isEqualTo(2);
        assertThat(after.getRemainingFraction()).isEqualTo("0.5");

        // the same id with another payload is a conflict and changes nothing
        assertError(() -> liquidation.placeBid(request.toBuilder().setFraction("0.4").build()),
                Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT");
        assertUnchanged(after);
        assertThat(upstream.collateral.callsOf("bid-replay/collateral")).hasSize(1);
    }

    @Test
    void anUnavailableCollateralServiceLeavesTheBidAcceptedUntilRecoverySettlesIt() {
        Auction auction = breach("acc-outage", view("acc-outage", "-4000"));
        upstream.collateral.mode.set(FakeUpstream.Mode.UNAVAILABLE);
        PlaceBidResponse response = liquidation.placeBid(bid("bid-outage", auction, "1", auction.getVersion()));
        assertThat(response.getBid().getStatus()).isEqualTo(BidStatus.BID_STATUS_ACCEPTED);
        assertThat(response.getBid().getSettledAtUnixMs()).isZero();
        assertThat(upstream.collateral.callsOf("bid-outage/collateral")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(upstream.collateral.applied).doesNotContainKey("bid-outage/collateral");
        assertThat(upstream.margin.transfers).doesNotContainKey("bid-outage/positions");
        Auction accepted = get(auction.getAuctionId());
        assertThat(accepted.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_CLOSED);
        assertThat(accepted.getBids(0).getStatus()).isEqualTo(BidStatus.BID_STATUS_ACCEPTED);
        assertThat(upstream.margin.freezesOf("acc-outage")).hasSize(1);

        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        awaitUntil("recovery settles the bid",
                () -> get(auction.getAuctionId()).getBids(0).getStatus() == BidStatus.BID_STATUS_SETTLED);
        assertThat(upstream.collateral.applied.get("bid-outage/collateral").getLegsList()).containsExactly(
                leg("acc-outage", BIDDER, "arbitrum", "ETH", "1.5"),
                leg("acc-outage", BIDDER, "ethereum", "USDC", "1000"),
                leg(BIDDER, "acc-outage", "ethereum", "USDC", response.getBid().getPaidUsd()),
                leg("acc-outage", FUND, "ethereum", "USDC", "30"));
        assertThat(upstream.margin.transfers.get("bid-outage/positions").getPositionsList())
                .containsExactly(position("ETH-PERPETUAL", "-2"));
        awaitUntil("the account is unfrozen", () -> upstream.margin.freezesOf("acc-outage").size() == 2);
        assertThat(upstream.margin.freezesOf("acc-outage").get(1)).isEqualTo(freeze("acc-outage", false, auction.getAuctionId()));
        // a replay now answers the settled bid without moving anything again
        int calls = upstream.collateral.callsOf("bid-outage/collateral").size();
        PlaceBidResponse replay = liquidation.placeBid(bid("bid-outage", auction, "1", auction.getVersion()));
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getBid().getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        assertThat(upstream.collateral.callsOf("bid-outage/collateral")).hasSize(calls);
    }

    @Test
    void anInsufficientBalanceUndoesTheBid() {
        Auction auction = breach("acc-broke", view("acc-broke", "-4000"));
        upstream.collateral.mode.set(FakeUpstream.Mode.INSUFFICIENT_BALANCE);
        StatusRuntimeException e = assertError(() -> liquidation.placeBid(bid("bid-broke", auction, "1", auction.getVersion())),
                Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_BALANCE");
        assertThat(preconditionTypes(e)).containsExactly("INSUFFICIENT_BALANCE");
        Auction after = get(auction.getAuctionId());
        assertThat(after.getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(after.getRemainingFraction()).isEqualTo("1");
        assertThat(after.getBidsList()).isEmpty();
        assertThat(after.getClosedAtUnixMs()).isZero();
        assertThat(after.getVersion()).isEqualTo(auction.getVersion() + 2);
        assertThat(upstream.margin.transferCalls.stream().filter(t -> t.getTransferId().startsWith("bid-broke"))).isEmpty();
        assertThat(upstream.margin.freezesOf("acc-broke")).hasSize(1);

        // with funds, the whole lot sells again, at the current version
        upstream.collateral.mode.set(FakeUpstream.Mode.OK);
        Bid bid = liquidation.placeBid(bid("bid-broke-2", auction, "1", after.getVersion())).getBid();
        assertThat(bid.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        // two collateral legs, the cash leg and the penalty leg
        assertThat(upstream.collateral.applied.get("bid-broke-2/collateral").getLegsList()).hasSize(4);
    }

    // ---- bad input and refused bids ----

    @Test
    void badBidsAreRefusedWithDetailsAndChangeNothing() {
        Auction auction = breach("acc-bad", view("acc-bad", "-4000"));
        String id = auction.getAuctionId();
        PlaceBidRequest good = bid("bid-bad", auction, "0.5", auction.getVersion());

        assertInvalid(() -> liquidation.placeBid(good.toBuilder().setBidId("").build()), "MISSING_FIELD", "bid_id");
        assertInvalid(() -> liquidation.placeBid(good.toBuilder().setAuctionId("").build()), "MISSING_FIELD", "auction_id");
        assertInvalid(() -> liquidation.placeBid(good.toBuilder().setBidderAccountId(" ").build()), "MISSING_FIELD", "bidder_account_id");
        assertInvalid(() -> liquidation.placeBid(good.toBuilder().setFraction("").build()), "MISSING_FIELD", "fraction");
        for (String fraction : List.of("0", "-0.5", "1.5", "half", "1e3")) {
            assertInvalid(() -> liquidation.placeBid(good.toBuilder().setFraction(fraction).build()), "INVALID_FRACTION", "fraction");
        }
        // any decimal is a limit (zero or negative: a bid on an insolvent lot), so only non-decimals are invalid
        for (String price : List.of("abc", "1,5", "1e")) {
            assertInvalid(() -> liquidation.placeBid(good.toBuilder().setMaxLotPriceUsd(price).build()), "INVALID_PRICE", "max_lot_price_usd");
        }
        assertInvalid(() -> liquidation.placeBid(PlaceBidRequest.getDefaultInstance()), "MISSING_FIELD",
                "bid_id", "auction_id", "bidder_account_id", "fraction", "max_lot_price_usd");
        assertError(() -> liquidation.placeBid(good.toBuilder().setAuctionId("auc-nope").build()), Status.Code.NOT_FOUND, "UNKNOWN_AUCTION");
        StatusRuntimeException self = assertError(() -> liquidation.placeBid(good.toBuilder().setBidderAccountId("acc-bad").build()),
                Status.Code.FAILED_PRECONDITION, "SELF_BID");
        assertThat(preconditionTypes(self)).containsExactly("SELF_BID");
        assertError(() -> liquidation.placeBid(good.toBuilder().setAuctionVersion(auction.getVersion() + 5).build()),
                Status.Code.FAILED_PRECONDITION, "STALE_VERSION");
        assertError(() -> liquidation.placeBid(good.toBuilder().setMaxLotPriceUsd("1").build()),
                Status.Code.FAILED_PRECONDITION, "PRICE_ABOVE_LIMIT");

        assertUnchanged(auction);
        assertThat(upstream.collateral.callsOf("bid-bad/collateral")).isEmpty();

        // a refused bid id is free to use afterwards; version 0 means "current"
        Bid half = liquidation.placeBid(good.toBuilder().setAuctionVersion(0).build()).getBid();
        assertThat(half.getStatus()).isEqualTo(BidStatus.BID_STATUS_SETTLED);
        Auction halfSold = get(id);
        assertError(() -> liquidation.placeBid(bid("bid-bad-over", halfSold, "0.6", halfSold.getVersion())),
                Status.Code.FAILED_PRECONDITION, "OVERFILL");
        assertError(() -> liquidation.placeBid(bid("bid-bad-stale", halfSold, "0.1", auction.getVersion())),
                Status.Code.FAILED_PRECONDITION, "STALE_VERSION");
        assertUnchanged(halfSold);
        liquidation.placeBid(bid("bid-bad-rest", halfSold, "0.5", halfSold.getVersion()));
        Auction closed = get(id);
        assertError(() -> liquidation.placeBid(bid("bid-bad-late", closed, "0.1", 0)), Status.Code.FAILED_PRECONDITION, "AUCTION_CLOSED");
        assertUnchanged(closed);
        assertThat(upstream.collateral.calls.stream().filter(c -> c.getTransferId().startsWith("bid-bad-over")
                || c.getTransferId().startsWith("bid-bad-stale") || c.getTransferId().startsWith("bid-bad-late"))).isEmpty();
    }

    @Test
    void anInsolventAccountIsAuctionedAndABidTheFundCannotPayIsRefused() {
        upstream.collateral.setBalance("insurance-fund", "ethereum", "USDC", "0");
        Auction auction = breach("acc-insolvent", view("acc-insolvent", "-6000"));
        assertThat(auction.getStartValueUsd()).isEqualTo("-500.00000000");
        assertThat(new BigDecimal(auction.getCurrentPriceUsd())).isNegative();
        StatusRuntimeException e = assertError(() -> liquidation.placeBid(bid("bid-insolvent", auction, "1", 0)),
                Status.Code.FAILED_PRECONDITION, "INSURANCE_FUND_SHORT");
        assertThat(preconditionTypes(e)).containsExactly("INSURANCE_FUND_SHORT");
        assertThat(errorInfo(e).getMetadataMap()).containsEntry("fund_balance_usd", "0");
        assertUnchanged(auction);
        assertThat(upstream.collateral.callsOf("bid-insolvent/collateral")).isEmpty();
    }

    @Test
    void badReadsAreRefusedWithDetails() {
        assertInvalid(() -> liquidation.getAuction(GetAuctionRequest.getDefaultInstance()), "MISSING_FIELD", "auction_id");
        assertError(() -> liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId("auc-missing").build()),
                Status.Code.NOT_FOUND, "UNKNOWN_AUCTION");
        assertInvalid(() -> liquidation.listAuctions(ListAuctionsRequest.newBuilder().setPageSize(501).build()),
                "INVALID_PAGE_SIZE", "page_size");
        assertInvalid(() -> liquidation.listAuctions(ListAuctionsRequest.newBuilder().setPageSize(-1).build()),
                "INVALID_PAGE_SIZE", "page_size");
        assertInvalid(() -> liquidation.listAuctions(ListAuctionsRequest.newBuilder().setPageToken("not-a-token!").build()),
                "INVALID_PAGE_TOKEN", "page_token");
        assertInvalid(() -> liquidation.listAuctions(ListAuctionsRequest.newBuilder().setStatusValue(42).build()),
                "INVALID_STATUS", "status");
    }

    // ---- reading ----

    @Test
    void listPagesNewestFirstAndFilters() {
        breach("acc-list-1", view("acc-list-1", "-4000"));
        Auction second = breach("acc-list-2", view("acc-list-2", "-4000"));
        liquidation.placeBid(bid("bid-list-2", second, "1", 0));

        List<String> all = new ArrayList<>();
        String token = "";
        do {
            ListAuctionsResponse page = liquidation.listAuctions(ListAuctionsRequest.newBuilder().setPageSize(1).setPageToken(token).build());
            assertThat(page.getAuctionsCount()).isLessThanOrEqualTo(1);
            page.getAuctionsList().forEach(a -> all.add(a.getAuctionId()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        ListAuctionsResponse everything = liquidation.listAuctions(ListAuctionsRequest.newBuilder().setPageSize(500).build());
        assertThat(all).isEqualTo(everything.getAuctionsList().stream().map(Auction::getAuctionId).toList());
        assertThat(new HashSet<>(all)).hasSize(all.size());
        // newest claim first: an auction claimed earlier may open later (its freeze failed, recovery opened it),
        // and one that never opened has no start. Claim times checked only for this test's two, claimed one after the
        // other: claims made at the same moment (other tests', or two replicas') are listed in insertion order, which
        // their clock readings taken just before the insert need not follow
        assertThat(everything.getAuctionsList()).extracting(Auction::getAccountId).containsSubsequence("acc-list-2", "acc-list-1");
        List<Long> claims = everything.getAuctionsList().stream()
                .filter(a -> a.getAccountId().equals("acc-list-1") || a.getAccountId().equals("acc-list-2"))
                .map(Auction::getClaimedAtUnixMs).toList();
        assertThat(claims).hasSize(2).isSortedAccordingTo((x, y) -> Long.compare(y, x));

        ListAuctionsResponse open = liquidation.listAuctions(ListAuctionsRequest.newBuilder()
                .setStatus(AuctionStatus.AUCTION_STATUS_OPEN).build());
        assertThat(open.getAuctionsList()).allMatch(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN);
        assertThat(open.getAuctionsList()).extracting(Auction::getAccountId).contains("acc-list-1").doesNotContain("acc-list-2");
        ListAuctionsResponse closed = liquidation.listAuctions(ListAuctionsRequest.newBuilder()
                .setStatus(AuctionStatus.AUCTION_STATUS_CLOSED).setAccountId("acc-list-2").build());
        assertThat(closed.getAuctionsList()).extracting(Auction::getAuctionId).containsExactly(second.getAuctionId());
        assertThat(closed.getAuctions(0).getBidsList()).extracting(Bid::getBidId).containsExactly("bid-list-2");
    }

    @Test
    void watchSendsEveryOpenAuctionThenEveryChange() throws Exception {
        Auction auction = breach("acc-watch", view("acc-watch", "-4000"));
        Set<String> open = new HashSet<>();
        liquidation.listAuctions(ListAuctionsRequest.newBuilder().setStatus(AuctionStatus.AUCTION_STATUS_OPEN).setPageSize(500).build())
                .getAuctionsList().forEach(a -> open.add(a.getAuctionId()));

        BlockingQueue<WatchAuctionsResponse> received = new LinkedBlockingQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            context.run(() -> LiquidationServiceGrpc.newStub(channel).watchAuctions(WatchAuctionsRequest.getDefaultInstance(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(WatchAuctionsResponse value) {
                            received.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            failure.set(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    }));
            Set<String> snapshot = new HashSet<>();
            for (int i = 0; i < open.size(); i++) {
                WatchAuctionsResponse item = received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertThat(item).as("snapshot item %d (failure %s)", i, failure.get()).isNotNull();
                snapshot.add(item.getAuction().getAuctionId());
                assertThat(item.getAuction().getStatus()).isEqualTo(AuctionStatus.AUCTION_STATUS_OPEN);
            }
            assertThat(snapshot).isEqualTo(open);

            liquidation.placeBid(bid("bid-watch", auction, "0.5", auction.getVersion()));
            Auction changed = null;
            while (changed == null || changed.getBidsCount() == 0
                    || changed.getBids(0).getStatus() != BidStatus.BID_STATUS_SETTLED) {
                WatchAuctionsResponse item = received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertThat(item).as("a change of acc-watch (failure %s)", failure.get()).isNotNull();
                if (item.getAuction().getAuctionId().equals(auction.getAuctionId())) {
                    changed = item.getAuction();
                }
            }
            assertThat(changed.getVersion()).isEqualTo(2);
            assertThat(changed.getRemainingFraction()).isEqualTo("0.5");
        } finally {
            context.cancel(null);
        }
    }

    // ---- helpers ----

    /** Makes the fake report the account in LIQUIDATION and waits for its (only) open auction and freeze. */
    private Auction breach(String account, AccountView view) {
        upstream.margin.views.put(account, view);
        upstream.margin.push(account, AccountStatus.ACCOUNT_STATUS_LIQUIDATION);
        AtomicReference<Auction> found = new AtomicReference<>();
        awaitUntil("an auction for " + account, () -> {
            List<Auction> auctions = auctionsOf(account);
            auctions.stream().filter(a -> a.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        awaitUntil("the freeze of " + account, () -> !upstream.margin.freezesOf(account).isEmpty());
        return found.get();
    }

    private List<Auction> auctionsOf(String account) {
        return liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account).build()).getAuctionsList();
    }

    private Auction get(String auctionId) {
        return liquidation.getAuction(GetAuctionRequest.newBuilder().setAuctionId(auctionId).build()).getAuction();
    }

    /** The auction is as it was, but for its live price. */
    private void assertUnchanged(Auction before) {
        Auction now = get(before.getAuctionId());
        assertThat(now).isEqualTo(withPrice(before, now));
    }

    private static Auction withPrice(Auction auction, Auction priceFrom) {
        return auction.toBuilder().setCurrentPriceUsd(priceFrom.getCurrentPriceUsd()).build();
    }

    /** The configured default curve, stored with every auction these tests open through a breach. */
    static final PriceCurve CONFIGURED = PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"),
            Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ofSeconds(600), new BigDecimal("0.60"));

    /** What the service quotes for the whole lot of an auction with the configured curve at {@code at}. */
    static BigDecimal configuredPrice(Auction auction, Instant at) {
        return CONFIGURED.lotPrice(new BigDecimal(auction.getEpochStartValueUsd()),
                Instant.ofEpochMilli(auction.getEpochStartedAtUnixMs()), at);
    }

    static AccountView view(String account, String unrealizedPnl) {
        return AccountView.newBuilder().setAccountId(account).setStatus(AccountStatus.ACCOUNT_STATUS_LIQUIDATION).setFrozen(false)
                .addCollateral(CollateralLine.newBuilder().setChainId("arbitrum").setAsset("ETH").setAmount("1.5")
                        .setPriceUsd("3000").setMarketValueUsd("4500"))
                .addCollateral(CollateralLine.newBuilder().setChainId("ethereum").setAsset("USDC").setAmount("1000.000000")
                        .setPriceUsd("1").setMarketValueUsd("1000"))
                .addCollateral(CollateralLine.newBuilder().setChainId("solana").setAsset("SOL").setAmount("0")
                        .setPriceUsd("150").setMarketValueUsd("0"))
                .addPositions(Position.newBuilder().setInstrument("ETH-PERPETUAL").setQuantity("-2").setAverageEntryPrice("1000")
                        .setMarkPrice("3000").setUnrealizedPnlUsd(unrealizedPnl).setOptionValueUsd("0"))
                .addPositions(Position.newBuilder().setInstrument("BTC-PERPETUAL").setQuantity("0").setUnrealizedPnlUsd("0"))
                .setUnrealizedPnlUsd(unrealizedPnl).setOptionValueUsd("0").build();
    }

    private static PlaceBidRequest bid(String bidId, Auction auction, String fraction, long version) {
        return PlaceBidRequest.newBuilder().setBidId(bidId).setAuctionId(auction.getAuctionId()).setBidderAccountId(BIDDER)
                .setFraction(fraction).setMaxLotPriceUsd(NO_LIMIT).setAuctionVersion(version).build();
    }

    private static TransferRequest transfer(String transferId, TransferLeg... legs) {
        TransferRequest.Builder b = TransferRequest.newBuilder().setTransferId(transferId);
        for (TransferLeg leg : legs) {
            b.addLegs(leg);
        }
        TransferRequest recorded = upstream.collateral.callsOf(transferId).stream().findFirst().orElse(null);
        return b.setMemo(recorded == null ? "" : recorded.getMemo()).build();
    }

    static TransferLeg leg(String from, String to, String chain, String asset, String amount) {
        return TransferLeg.newBuilder().setFromAccountId(from).setToAccountId(to).setChainId(chain).setAsset(asset)
                .setAmount(new BigDecimal(amount).stripTrailingZeros().toPlainString()).build();
    }

    private static TransferPositionsRequest positions(String transferId, String from, PositionTransfer... items) {
        TransferPositionsRequest.Builder b = TransferPositionsRequest.newBuilder().setTransferId(transferId)
                .setFromAccountId(from).setToAccountId(BIDDER);
        for (PositionTransfer p : items) {
            b.addPositions(p);
        }
        return b.build();
    }

    private static PositionTransfer position(String instrument, String quantity) {
        return PositionTransfer.newBuilder().setInstrument(instrument).setQuantity(quantity).build();
    }

    /** The freeze or unfreeze a driver sends: the freeze of an opening auction asks for the view (return_view). */
    static SetLiquidationFreezeRequest freeze(String account, boolean frozen, String auctionId) {
        return SetLiquidationFreezeRequest.newBuilder().setAccountId(account).setFrozen(frozen).setAuctionId(auctionId)
                .setReturnView(frozen).build();
    }
}
