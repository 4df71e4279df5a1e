package dev.crosschain.suite;

import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.ChainStatus;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.Bid;
import dev.crosschain.proto.liquidation.v1.BidStatus;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.ApplyFillRequest;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.Side;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import io.grpc.StatusRuntimeException;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The walking-skeleton story, played against running services: deposits on ethereum and
 * arbitrum (one delivered twice), a leveraged long ETH perpetual, an ETH fall until equity is at
 * or below maintenance margin, a Dutch auction, and a bidder who buys the largest fraction of the portfolio the
 * auction allows (what brings the account back to its buffer level; the rest stays with the account), bidding again
 * while the auction is still open (at most {@value #MAX_BIDS} bids).
 *
 * <p>Account ids carry a run id so that the demo can be replayed against a database that kept an
 * earlier run; block heights grow with the clock for the same reason.
 */
public final class DemoScenario {

    public static final String PERP = "ETH-PERPETUAL";
    public static final BigDecimal PERP_QUANTITY = new BigDecimal("10");
    public static final BigDecimal ENTRY = new BigDecimal("3000");
    /** ETH index path after the fill; the last level puts the account at or below MM. */
    public static final List<String> ETH_FALL = List.of("2900", "2800", "2700", "2650", "2625");
    public static final BigDecimal ALICE_ETHEREUM_USDC = new BigDecimal("1000");
    public static final BigDecimal ALICE_ARBITRUM_USDC = new BigDecimal("500");
    public static final BigDecimal ALICE_ARBITRUM_ETH = new BigDecimal("1");
    public static final BigDecimal BOB_ETHEREUM_USDC = new BigDecimal("10000");
    /** Bids the demo places at most before it gives up on the auction closing. */
    private static final int MAX_BIDS = 5;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final String FEED = "demo-feed";

    private final Endpoints services;
    private final PrintStream out;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final String alice = "alice-" + runId;
    private final String bob = "bob-" + runId;

    public DemoScenario(Endpoints services, PrintStream out) {
        this.services = services;
        this.out = out;
    }

    /** What happened, for the demo's printout and the end-to-end test's assertions. */
    public record Result(String alice, String bob, Ack duplicateAck,
                         Holdings aliceFunded, Holdings bobFunded, AccountView aliceBefore, AccountView aliceAtBreach,
                         AccountView bobBefore, Auction auction, List<Bid> bids,
                         Holdings aliceAfter, Holdings bobAfter, AccountView aliceAfterView, AccountView bobAfterView) {
    }

    public Result play() throws InterruptedException {
        out.printf("Demo run %s: accounts %s (trader) and %s (liquidator)%n", runId, alice, bob);
        pushIndex("ETH", ENTRY.toPlainString(), "USDC", "1");

        Ack duplicateAck = deposit();
        Holdings aliceFunded = awaitHoldings(alice, h -> h.of("ethereum", "USDC").compareTo(ALICE_ETHEREUM_USDC) == 0
                && h.of("arbitrum", "USDC").compareTo(ALICE_ARBITRUM_USDC) == 0
                && h.of("arbitrum", "ETH").compareTo(ALICE_ARBITRUM_ETH) == 0);
        Holdings bobFunded = awaitHoldings(bob, h -> h.of("ethereum", "USDC").compareTo(BOB_ETHEREUM_USDC) == 0);
        out.printf("Deposits final: %s holds %s; %s holds %s%n", alice, aliceFunded, bob, bobFunded);
        awaitChainsHealthy(alice);

        services.margin().applyFill(ApplyFillRequest.newBuilder().setFillId("fill-" + runId + "-1").setAccountId(alice)
                .setInstrument(PERP).setSide(Side.SIDE_BUY).setQuantity(PERP_QUANTITY.toPlainString())
                .setPrice(ENTRY.toPlainString()).build());
        AccountView aliceBefore = view(alice);
        AccountView bobBefore = view(bob);
        ViewPrinter.print(out, "after the fill", aliceBefore);

        AccountView atBreach = null;
        for (String level : ETH_FALL) {
            pushIndex("ETH", level, "USDC", "1");
            atBreach = view(alice);
            out.printf("ETH index %s -> %s equity %s, MM %s, status %s%n", level, alice, atBreach.getEquityUsd(),
                    atBreach.getMaintenanceMarginUsd(), atBreach.getStatus());
        }
        ViewPrinter.print(out, "at the breach", atBreach);

        Auction opened = Await.until("an auction of " + alice, SETTLE, () -> openAuction(alice));
        Auction current = services.liquidation().getAuction(GetAuctionRequest.newBuilder()
                .setAuctionId(opened.getAuctionId()).build()).getAuction();
        out.printf("%nAuction %s opened: lot value %s USD, price now %s USD, lot %d items, buffer level %s USD,"
                        + " largest fraction now %s%n", current.getAuctionId(), current.getStartValueUsd(),
                current.getCurrentPriceUsd(), current.getLotCount(), current.getBufferLevelUsd(), current.getMaxFractionNow());

        // A bid of max_fraction_now restores the account at the price it was computed at; one placed at a lower price
        // (the curve moved on meanwhile) is still allowed but may not: then the auction stays open and Bob bids again.
        Auction settled = current;
        for (int n = 1; n <= MAX_BIDS && settled.getStatus() == AuctionStatus.AUCTION_STATUS_OPEN; n++) {
            Auction seen = settled;
            Bid bid = services.liquidation().placeBid(PlaceBidRequest.newBuilder().setBidId("bid-" + runId + "-" + n)
                    .setAuctionId(seen.getAuctionId()).setBidderAccountId(bob).setFraction(seen.getMaxFractionNow())
                    .setMaxLotPriceUsd(seen.getCurrentPriceUsd()).setAuctionVersion(seen.getVersion()).build()).getBid();
            settled = Await.until("the settlement of " + bid.getBidId(), SETTLE, () -> {
                Auction a = services.liquidation().getAuction(GetAuctionRequest.newBuilder().setAuctionId(seen.getAuctionId()).build()).getAuction();
                return a.getBidsList().stream().allMatch(b -> b.getStatus() == BidStatus.BID_STATUS_SETTLED) ? Optional.of(a) : Optional.empty();
            });
            Bid settledBid = settled.getBidsList().stream().filter(b -> b.getBidId().equals(bid.getBidId())).findFirst().orElseThrow();
            out.printf("%s bought fraction %s for %s USD%n", bob, settledBid.getFraction(), settledBid.getPaidUsd());
        }
        if (settled.getStatus() != AuctionStatus.AUCTION_STATUS_CLOSED) {
            throw new IllegalStateException("auction " + settled.getAuctionId() + " still open after " + MAX_BIDS + " bids");
        }
        out.printf("The auction closed %s with %s of the lot left to %s%n", settled.getCloseReason(),
                settled.getRemainingFraction(), alice);

        AccountView aliceAfter = Await.until(alice + " unfrozen", SETTLE, () -> {
            AccountView v = view(alice);
            return v.getFrozen() ? Optional.empty() : Optional.of(v);
        });
        AccountView bobAfter = view(bob);
        ViewPrinter.print(out, "after settlement", aliceAfter);
        ViewPrinter.print(out, "after settlement", bobAfter);
        return new Result(alice, bob, duplicateAck, aliceFunded, bobFunded, aliceBefore, atBreach, bobBefore, settled,
                settled.getBidsList(), holdings(alice), holdings(bob), aliceAfter, bobAfter);
    }

    /** Funds both accounts on two chains; returns the ack of the deposit delivered a second time. */
    private Ack deposit() throws InterruptedException {
        long height = System.currentTimeMillis() / 1000;
        try (ChainAdapter ethereum = ChainAdapter.connect("ethereum", services);
             ChainAdapter arbitrum = ChainAdapter.connect("arbitrum", services)) {
            String eBlock = block("e", height);
            requireApplied(ethereum.header(height, eBlock));
            requireApplied(ethereum.deposit(deposit(eBlock, "0xe1", 0, alice, "USDC", ALICE_ETHEREUM_USDC)));
            requireApplied(ethereum.deposit(deposit(eBlock, "0xe1", 1, bob, "USDC", BOB_ETHEREUM_USDC)));

            String aBlock = block("a", height);
            requireApplied(arbitrum.header(height, aBlock));
            requireApplied(arbitrum.deposit(deposit(aBlock, "0xa1", 0, alice, "ETH", ALICE_ARBITRUM_ETH)));
            Deposit usdc = deposit(aBlock, "0xa2", 3, alice, "USDC", ALICE_ARBITRUM_USDC);
            requireApplied(arbitrum.deposit(usdc));
            // At-least-once delivery: the adapter sends the same log again.
            Ack duplicate = arbitrum.deposit(usdc);
            out.printf("Second delivery of arbitrum tx %s log %d acked %s%n", usdc.getTxHash(), usdc.getLogIndex(), duplicate.getOutcome());

            for (long h = height + 1; h < height + ethereum.welcome().getConfirmations(); h++) {
                requireApplied(ethereum.header(h, block("e", h)));
            }
            for (long h = height + 1; h < height + arbitrum.welcome().getConfirmations(); h++) {
                requireApplied(arbitrum.header(h, block("a", h)));
            }
            return duplicate;
        }
    }

    private String block(String chain, long height) {
        return "0x" + chain + runId + Long.toHexString(height);
    }

    private Deposit deposit(String block, String tx, int logIndex, String account, String asset, BigDecimal amount) {
        return Deposit.newBuilder().setTxHash(tx + runId).setLogIndex(logIndex).setBlockHash(block)
                .setAccountId(account).setAsset(asset).setAmount(amount.toPlainString()).build();
    }

    private static void requireApplied(Ack ack) {
        if (ack.getOutcome() != AckOutcome.ACK_OUTCOME_APPLIED) {
            throw new IllegalStateException("event " + ack.getCursor() + " not applied: " + ack);
        }
    }

    private void pushIndex(String asset, String price, String asset2, String price2) {
        long now = System.currentTimeMillis();
        services.pricing().pushIndexPrices(PushIndexPricesRequest.newBuilder()
                .addQuotes(IndexQuote.newBuilder().setAsset(asset).setSource(FEED).setPrice(price).setObservedAtUnixMs(now))
                .addQuotes(IndexQuote.newBuilder().setAsset(asset2).setSource(FEED).setPrice(price2).setObservedAtUnixMs(now))
                .build());
    }

    private Holdings awaitHoldings(String account, Predicate<Holdings> funded) throws InterruptedException {
        return Await.until("final deposits of " + account, SETTLE, () -> {
            try {
                Holdings h = holdings(account);
                return funded.test(h) ? Optional.of(h) : Optional.empty();
            } catch (StatusRuntimeException notYetKnown) {
                return Optional.empty();
            }
        });
    }

    /**
     * Chains start HALTED until collateral-service's monitor has seen their adapters on its next tick, and a HALTED
     * chain's collateral counts 0: a fill valued before that would start the account in LIQUIDATION.
     */
    private void awaitChainsHealthy(String account) throws InterruptedException {
        awaitChainsHealthy(services, account);
    }

    /** Waits (at most 30 s) until every chain {@code account} holds collateral on is HEALTHY (see above). */
    public static void awaitChainsHealthy(Endpoints services, String account) throws InterruptedException {
        Await.until("every chain of " + account + " HEALTHY", SETTLE, () -> {
            List<ChainCollateral> chains = services.collateral().getCollateral(GetCollateralRequest.newBuilder()
                    .setAccountId(account).build()).getView().getChainsList();
            return chains.stream().allMatch(c -> c.getStatus() == ChainStatus.CHAIN_STATUS_HEALTHY)
                    ? Optional.of(chains) : Optional.empty();
        });
    }

    public Holdings holdings(String account) {
        return Holdings.of(services.collateral().getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView());
    }

    public AccountView view(String account) {
        return services.margin().getAccountView(GetAccountViewRequest.newBuilder().setAccountId(account).build()).getView();
    }

    private Optional<Auction> openAuction(String account) {
        return services.liquidation().listAuctions(ListAuctionsRequest.newBuilder().setAccountId(account)
                .setStatus(AuctionStatus.AUCTION_STATUS_OPEN).build()).getAuctionsList().stream().findFirst();
    }
}
