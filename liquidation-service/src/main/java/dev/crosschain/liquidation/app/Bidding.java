package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.domain.AssetDecimals;
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
    private final LotUnderlyings underlyings;
    private final FundedAcceptance funds;

    public Bidding(AuctionStore store, Settlement settlement, AuctionEvents events, Clock clock, LiquidationConfig config,
                   CollateralClient collateral, LotUnderlyings underlyings, FundedAcceptance funds) {
        this.store = store;
        this.underlyings = underlyings;
        this.funds = funds;
        this.collateral = collateral;
        this.settlement = settlement;
        this.events = events;
        this.clock = clock;
        this.lease = config.recovery().lease();
    }

    /**
     * @throws DependencyException when the bid would move collateral whose token decimals are unknown
     *                             (ListChains failed): nothing is recorded
     * @throws HaltedException     when a NO_BIDS halt covers the auction (judged in the accepting transaction from the
     *                             halt rows, which a SetHalt's write locks: a bid is either refused or accepted before
     *                             the SetHalt answers; a replay still gets its first answer): nothing is recorded
     */
    public Placed place(BidRequest request) {
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
            accepted = funds.accept(request, decimals, underlyings.canonical());
        } catch (UnknownDecimalsException e) {
            if (registryFailure != null) {
                throw registryFailure;
            }
            // A chain or token added to the registry since it was read: read it again, then try once more.
            try {
                accepted = funds.accept(request, collateral.refreshDecimals(), underlyings.canonical());
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
}
