package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.AuctionRules;
import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.domain.HaltedException;
import dev.crosschain.liquidation.domain.UnknownDecimalsException;
import dev.crosschain.liquidation.store.AuctionStore;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;

/** PlaceBid: accept in one transaction, then settle. */
@ApplicationScoped
public class Bidding {

    private static final Logger LOG = Logger.getLogger(Bidding.class);

    /** The bid after the call, and whether the call was a replay of an earlier identical bid. */
    public record Placed(Bid bid, boolean replayed) {
    }

    private final AuctionStore store;
    private final Settlement settlement;
    private final AuctionEvents events;
    private final Clock clock;
    private final Duration lease;
    private final CollateralClient collateral;
    private final OperatorHalts halts;

    public Bidding(AuctionStore store, Settlement settlement, AuctionEvents events, Clock clock, LiquidationConfig config,
                   CollateralClient collateral, OperatorHalts halts) {
        this.store = store;
        this.halts = halts;
        this.collateral = collateral;
        this.settlement = settlement;
        this.events = events;
        this.clock = clock;
        this.lease = config.recovery().lease();
    }

    /**
     * @throws DependencyException when the bid would move collateral whose token decimals are unknown
     *                             (ListChains failed): nothing is recorded
     * @throws HaltedException     when a NO_BIDS halt covers the auction: nothing is recorded
     */
    public Placed place(BidRequest request) {
        refuseIfHalted(request);
        // Read before the transaction (no upstream call while the auction row is locked). A failure only
        // matters to a bid that takes collateral: replays and position-only lots go on without it.
        AssetDecimals decimals;
        DependencyException registryFailure = null;
        try {
            decimals = collateral.decimals();
        } catch (DependencyException e) {
            decimals = AssetDecimals.UNKNOWN;
            registryFailure = e;
        }
        AuctionStore.Accepted accepted;
        try {
            accepted = store.accept(request, clock.instant(), lease, AuctionRules.DEFAULT, decimals);
        } catch (UnknownDecimalsException e) {
            if (registryFailure != null) {
                throw registryFailure;
            }
            // A chain or token added to the registry since it was read: read it again, then try once more.
            try {
                accepted = store.accept(request, clock.instant(), lease, AuctionRules.DEFAULT, collateral.refreshDecimals());
            } catch (UnknownDecimalsException stillUnknown) {
                LOG.warnf("bid %s: %s is not in collateral-service's chain registry", request.bidId(), stillUnknown.getMessage());
                throw new DependencyException("bid " + request.bidId() + ": " + stillUnknown.getMessage(),
                        Status.Code.FAILED_PRECONDITION, stillUnknown);
            }
        }
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

    /**
     * A bid on an auction a NO_BIDS halt covers is refused; a replay of a bid accepted before the halt still gets its
     * first answer. Checked before the accepting transaction against this replica's halts, so a halt set elsewhere
     * binds within {@code liquidation.halt.refresh}; the lot never changes after the open, so reading it outside the
     * transaction is safe. Costs no read while no NO_BIDS halt is in force anywhere.
     */
    private void refuseIfHalted(BidRequest request) {
        var current = halts.current();
        if (!current.strongest().stopsBids() || store.findBid(request.bidId()).isPresent()) {
            return;
        }
        store.find(request.auctionId()).ifPresent(auction -> halts.covering(auction.lot())
                .filter(halt -> halt.level().stopsBids())
                .ifPresent(halt -> {
                    throw new HaltedException(auction.auctionId(), halt);
                }));
    }
}
