package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.liquidation.store.AuctionStore;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settles an accepted bid exactly once, in steps that can each be replayed: (a) collateral-service
 * Transfer {@code <bid>/collateral} (lot collateral to the bidder, cash to the account, the penalty to the insurance
 * fund, or the fund's payout to the bidder), (b) margin-service
 * TransferPositions {@code <bid>/positions}, (c) the bid marked SETTLED, (d) the account unfrozen when
 * its auction is closed and every bid settled. The caller holds the bid's settlement lease.
 */
@ApplicationScoped
public class Settlement {

    private static final Logger LOG = Logger.getLogger(Settlement.class);

    private final AuctionStore store;
    private final CollateralClient collateral;
    private final MarginClient margin;
    private final AuctionEvents events;
    private final Clock clock;
    private final LiquidationConfig.Settlement config;
    /** The longest a freeze sent to margin-service may still land after it was sent. */
    private final Duration maxInFlight;
    private final Event<AccountReleased> released;

    public Settlement(AuctionStore store, CollateralClient collateral, MarginClient margin, AuctionEvents events,
                      Clock clock, LiquidationConfig config, Event<AccountReleased> released) {
        this.store = store;
        this.collateral = collateral;
        this.margin = margin;
        this.events = events;
        this.clock = clock;
        this.config = config.settlement();
        this.maxInFlight = config.client().maxInFlight();
        this.released = released;
    }

    /**
     * The collateral transfer of a bid: one leg per collateral item to the bidder; then, at a positive price, the cash
     * leg bidder -> account and the penalty leg account -> fund (collateral-service applies legs in order, so the
     * penalty comes out of the cash just received); at a negative price, the fund pays the bidder. A bucket auction's bid
     * nets its cash with the allocation it takes ({@link Bid#allocationUsd()}): one leg, account -> bidder when the
     * allocation is the larger (out of the account's settlement line; a price <= 0 pays the account nothing, so the
     * whole allocation taken goes that way). The fund is the one
     * recorded on the bid when it was accepted, never the configuration now (it may have changed since, or differ on
     * the replica that finishes the settlement).
     */
    public List<CollateralClient.Leg> collateralLegs(Bid bid) {
        List<CollateralClient.Leg> legs = new ArrayList<>();
        for (LotItem item : bid.items()) {
            if (item.kind() == LotItem.Kind.COLLATERAL) {
                legs.add(new CollateralClient.Leg(bid.accountId(), bid.bidderAccountId(), item.chainId(), item.asset(), item.quantity()));
            }
        }
        // a bucket bid's price and the allocation it takes net to one leg: the bidder never needs to hold what it gets back
        BigDecimal cash = bid.paidUsd().max(BigDecimal.ZERO).subtract(bid.allocationUsd());
        if (cash.signum() > 0) {
            legs.add(new CollateralClient.Leg(bid.bidderAccountId(), bid.accountId(), config.chain(), config.asset(), cash));
        } else if (cash.signum() < 0) {
            legs.add(new CollateralClient.Leg(bid.accountId(), bid.bidderAccountId(), config.chain(), config.asset(), cash.negate()));
        }
        if (bid.penaltyUsd().signum() > 0) {
            legs.add(new CollateralClient.Leg(bid.accountId(), bid.fundAccountId(), config.chain(), config.asset(), bid.penaltyUsd()));
        }
        if (bid.payoutUsd().signum() > 0) {
            legs.add(new CollateralClient.Leg(bid.fundAccountId(), bid.bidderAccountId(), config.chain(), config.asset(), bid.payoutUsd()));
        }
        return legs;
    }

    /**
     * Runs the settlement steps of an ACCEPTED bid. Returns the bid SETTLED, or still ACCEPTED when an
     * upstream did not answer (the lease is released so recovery retries at once).
     *
     * @throws PreconditionException INSUFFICIENT_BALANCE: the bidder cannot pay; the bid was undone
     */
    public Bid settle(Bid bid) {
        if (bid.status() == BidStatus.SETTLED) {
            return bid;
        }
        List<CollateralClient.Leg> legs = collateralLegs(bid);
        try {
            if (!legs.isEmpty()) {
                collateral.transfer(bid.bidId() + "/collateral", legs,
                        "liquidation auction " + bid.auctionId() + " bid " + bid.bidId());
            }
        } catch (PreconditionException e) {
            if (store.undo(bid.bidId())) {
                LOG.infof("bid %s undone: %s", bid.bidId(), e.getMessage());
                events.changed(bid.auctionId());
            }
            if (fundLegRefused(bid, legs, e)) {
                // the fund's balance fell after the bid was checked against it
                throw fundShort(bid, e);
            }
            throw e;
        } catch (DependencyException e) {
            return leaveAccepted(bid, e);
        }
        List<LotItem> positions = bid.items().stream().filter(i -> i.kind() == LotItem.Kind.POSITION).toList();
        if (!positions.isEmpty()) {
            try {
                margin.transferPositions(bid.bidId() + "/positions", bid.accountId(), bid.bidderAccountId(), positions,
                        bid.bucketInstrument() == null ? null : bid.bucketDeltaUsd());
            } catch (DependencyException e) {
                return leaveAccepted(bid, e);
            }
        }
        AuctionStore.Settled settled = store.markSettled(bid.bidId(), clock.instant());
        events.changed(bid.auctionId());
        if (settled.auctionDone()) {
            unfreeze(bid.auctionId(), bid.accountId());
        }
        return settled.bid();
    }

    /**
     * Unfreezes the account of a closed, fully settled (or cancelled) auction; recovery retries on failure.
     * An account margin-service does not know (NOT_FOUND) holds no freeze: done. The unfreeze is recorded
     * done only if no freeze of the auction can still land after it ({@link AuctionStore#markUnfrozen}):
     * otherwise recovery sends it again once that freeze can no longer be in flight. True when recorded.
     */
    public boolean unfreeze(String auctionId, String accountId) {
        Instant sent = clock.instant();
        try {
            margin.setFreeze(accountId, false, auctionId);
        } catch (DependencyException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                LOG.warnf("unfreezing %s after auction %s failed, will retry: %s", accountId, auctionId, e.getMessage());
                return false;
            }
            LOG.infof("auction %s: margin-service knows no account %s, nothing to unfreeze", auctionId, accountId);
        }
        if (!store.markUnfrozen(auctionId, sent, maxInFlight)) {
            LOG.infof("auction %s: a freeze of %s sent less than %s before this unfreeze may land after it; sent again later",
                    auctionId, accountId, maxInFlight);
            return false;
        }
        // a breach that came while this unfreeze was pending waits for it (Breaches#onReleased)
        released.fireAsync(new AccountReleased(accountId));
        return true;
    }

    /** Whether the refused leg (named by collateral-service) is the fund's payout; unnamed: not known, so not. */
    private static boolean fundLegRefused(Bid bid, List<CollateralClient.Leg> legs, PreconditionException e) {
        String index = e.metadata().get(CollateralClient.FAILED_LEG);
        if (index == null || bid.fundAccountId() == null) {
            return false;
        }
        int i = Integer.parseInt(index);
        return i < legs.size() && legs.get(i).fromAccountId().equals(bid.fundAccountId());
    }

    /** INSURANCE_FUND_SHORT with the metadata PlaceBid promises; the balance as collateral-service reports it now. */
    private PreconditionException fundShort(Bid bid, PreconditionException refusal) {
        String balance;
        try {
            balance = Money.plain(collateral.available(bid.fundAccountId(), config.chain(), config.asset()));
        } catch (DependencyException unread) {
            balance = "";
        }
        return new PreconditionException("INSURANCE_FUND_SHORT", "accounts/" + bid.fundAccountId(),
                "the insurance fund cannot pay " + Money.plain(bid.payoutUsd()) + " USDC: " + refusal.getMessage(),
                Map.of("fund_account_id", bid.fundAccountId(), "fund_balance_usd", balance,
                        "pending_payouts_usd", Money.plain(store.pendingPayouts()), "payout_usd", Money.plain(bid.payoutUsd())));
    }

    private Bid leaveAccepted(Bid bid, DependencyException e) {
        if (e.transientFailure()) {
            LOG.warnf("settlement of bid %s postponed: %s", bid.bidId(), e.getMessage());
        } else {
            LOG.errorf(e, "settlement of bid %s refused upstream; retried by recovery", bid.bidId());
        }
        store.release(bid.bidId());
        return bid;
    }
}
