package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.store.AuctionStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;

/** PlaceBid: accept in one transaction, then settle. */
@ApplicationScoped
public class Bidding {

    /** The bid after the call, and whether the call was a replay of an earlier identical bid. */
    public record Placed(Bid bid, boolean replayed) {
    }

    private final AuctionStore store;
    private final Settlement settlement;
    private final AuctionEvents events;
    private final Clock clock;
    private final Duration lease;

    public Bidding(AuctionStore store, Settlement settlement, AuctionEvents events, Clock clock, LiquidationConfig config) {
        this.store = store;
        this.settlement = settlement;
        this.events = events;
        this.clock = clock;
        this.lease = config.recovery().lease();
    }

    public Placed place(BidRequest request) {
        AuctionStore.Accepted accepted = store.accept(request, clock.instant(), lease, AuctionRules.DEFAULT);
        Bid bid = accepted.bid();
        if (accepted.replayed()) {
            // A replay of a bid whose settlement is unfinished and unowned finishes it now.
            if (bid.status() == BidStatus.ACCEPTED && store.claim(bid.bidId(), clock.instant(), lease)) {
                bid = settlement.settle(bid);
            }
            return new Placed(bid, true);
        }
        events.changed(bid.auctionId());
        return new Placed(settlement.settle(bid), false);
    }
}
