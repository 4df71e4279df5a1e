package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.AuctionStatus;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bad-debt rule. An open auction whose lot price is negative while the insurance fund cannot pay for what remains
 * (its balance less pending payouts is below minus the price of the remaining fraction) is recorded as short; once it
 * has been short for {@code liquidation.insurance-fund.takeover-after}, the fund takes the rest of the lot over at
 * price 0: a bid {@code <auction>/takeover} with the fund as bidder, settled by the same exactly-once steps as any bid
 * (collateral and positions to the fund), and minus the mark value of that part at the epoch start recorded as bad
 * debt when it settles. The bid id is the auction's, so two replicas or a restart take over once; an unfinished
 * takeover settlement is finished by {@link Recovery} like any ACCEPTED bid.
 */
@ApplicationScoped
public class Takeovers {

    private static final Logger LOG = Logger.getLogger(Takeovers.class);
    private static final int BATCH = 200;

    private final AuctionStore store;
    private final FundedAcceptance funds;
    private final CollateralClient collateral;
    private final Settlement settlement;
    private final AuctionEvents events;
    private final Clock clock;
    private final Duration after;
    private final Duration lease;
    private final AtomicBoolean running = new AtomicBoolean();
    /**
     * Auctions whose takeover collateral-service refused (the bid was undone), and when to try again: the refusal
     * (an account's collateral moved, say) rarely clears by itself, so each one doubles the wait, from
     * {@link #FIRST_BACKOFF} up to {@link #MAX_BACKOFF}. This replica's memory only: a restart tries again at once.
     */
    private final Map<String, Backoff> refused = new ConcurrentHashMap<>();

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    private record Backoff(int refusals, Instant until) {
        Backoff next(Instant now) {
            Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(refusals, 20));
            return new Backoff(refusals + 1, now.plus(wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait));
        }
    }

    public Takeovers(AuctionStore store, FundedAcceptance funds, CollateralClient collateral, Settlement settlement,
                     AuctionEvents events, Clock clock, LiquidationConfig config) {
        this.store = store;
        this.funds = funds;
        this.collateral = collateral;
        this.settlement = settlement;
        this.events = events;
        this.clock = clock;
        this.after = config.insuranceFund().takeoverAfter();
        this.lease = config.recovery().lease();
    }

    @Scheduled(every = "${liquidation.insurance-fund.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run();
    }

    /** One pass over the open auctions; returns at once if another pass is running. */
    public void run() {
        if (!funds.enabled() || !running.compareAndSet(false, true)) {
            return;
        }
        // judged before any page is read: a shortfall another replica records after this instant is never cleared by
        // this pass's older view of the auction
        Instant judgedFrom = clock.instant();
        List<String> notOwed = new ArrayList<>();
        try {
            BigDecimal[] free = {null};
            store.forEachOpenHeader(BATCH, auction -> {
                if (owedAt(auction, clock.instant()).signum() <= 0) {
                    notOwed.add(auction.auctionId());
                    if (notOwed.size() == BATCH) {
                        store.clearFundShort(notOwed, judgedFrom);
                        notOwed.clear();
                    }
                    return;
                }
                if (free[0] == null) {
                    // read once per pass: bids settled meanwhile only make the fund look poorer (pending payouts)
                    free[0] = funds.fundAvailable().subtract(store.pendingPayouts());
                }
                decide(auction, free[0]);
            });
        } catch (DependencyException e) {
            LOG.warnf("takeover pass: the insurance fund's balance cannot be read, next pass retries: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("takeover pass failed; next pass retries", e);
        } finally {
            clearQueued(notOwed, judgedFrom);
            running.set(false);
        }
    }

    /**
     * The clears a pass queued, even when it failed on a later auction: one left behind keeps an old shortfall start, so
     * a later shortfall of that auction would be taken over without its grace period.
     */
    private void clearQueued(List<String> notOwed, Instant judgedFrom) {
        try {
            store.clearFundShort(notOwed, judgedFrom);
        } catch (RuntimeException e) {
            LOG.warn("takeover pass: clearing the fund shortfall of " + notOwed.size() + " auctions failed; next pass retries", e);
        }
    }

    /**
     * Checks one auction as a pass does. True when the fund took it over now.
     *
     * @throws DependencyException when the fund's balance cannot be read
     */
    public boolean check(String auctionId) {
        if (!funds.enabled()) {
            return false;
        }
        Optional<Auction> auction = store.find(auctionId).filter(a -> a.status() == AuctionStatus.OPEN);
        if (auction.isEmpty()) {
            return false;
        }
        return decide(auction.get(), funds.fundAvailable().subtract(store.pendingPayouts()));
    }

    /** What the fund would pay for the rest of the lot now, USDC; not positive unless the price is negative. */
    private static BigDecimal owedAt(Auction auction, Instant now) {
        return auction.remainingFraction().multiply(auction.lotPriceAt(now)).negate().setScale(Money.USDC_SCALE, Money.ROUNDING);
    }

    private boolean decide(Auction auction, BigDecimal free) {
        Instant now = clock.instant();
        BigDecimal owed = owedAt(auction, now);
        if (owed.signum() <= 0 || owed.compareTo(free) <= 0) {
            store.clearFundShort(auction.auctionId(), now);
            refused.remove(auction.auctionId());
            return false;
        }
        Optional<Instant> since = store.noteFundShort(auction.auctionId(), now);
        if (since.isEmpty() || since.get().plus(after).isAfter(now)) {
            return false;
        }
        Backoff backoff = refused.get(auction.auctionId());
        if (backoff != null && now.isBefore(backoff.until())) {
            return false;
        }
        return takeOver(auction.auctionId(), auction.version());
    }

    /**
     * The fund's takeover of what remains of the auction, accepted and settled (or left to recovery). True when accepted
     * now; not when the auction changed since this pass read it at {@code seenVersion} (a bid or a reset) or is no longer
     * insolvent: the next pass decides again.
     */
    private boolean takeOver(String auctionId, long seenVersion) {
        String bidId = auctionId + "/takeover";
        Optional<AuctionStore.Accepted> accepted = store.takeOver(auctionId, seenVersion, bidId, funds.fundAccount(), clock.instant(), lease,
                collateral.decimals());
        if (accepted.isEmpty() || accepted.get().replayed()) {
            return false;
        }
        LOG.infof("auction %s: the insurance fund takes over fraction %s, bad debt %s USDC", auctionId,
                Money.plain(accepted.get().bid().fraction()), Money.plain(accepted.get().bid().badDebtUsd()));
        events.changed(auctionId);
        try {
            if (accepted.get().bid().status() == BidStatus.ACCEPTED) {
                settlement.settle(accepted.get().bid());
            }
            refused.remove(auctionId);
        } catch (PreconditionException e) {
            Backoff next = refused.compute(auctionId, (id, was) -> (was == null ? new Backoff(0, Instant.MIN) : was).next(clock.instant()));
            LOG.warnf("auction %s: takeover refused by collateral-service (%s, %d in a row), tried again after %s", auctionId,
                    e.reason(), next.refusals(), next.until());
        }
        return true;
    }
}
