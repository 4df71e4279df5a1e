package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finishes what a crash or an upstream outage left half done: ACCEPTED bids whose lease expired are
 * settled by replaying their steps with the same transfer ids; auctions claimed but not opened (OPENING
 * past the grace period) are driven on (freeze, snapshot, open or cancel); freezes and unfreezes that did
 * not get through are sent again; breaches whose claim could not be written are retried; accounts whose last auction
 * sold part of their portfolio (a cap bound) and was released are looked at again (the release event that does it is
 * in memory only: a crash or a failed read would otherwise leave the rest in LIQUIDATION with no auction). At startup and every
 * {@code liquidation.recovery.every}; one run at a time per process, bids owned through leases across
 * replicas.
 */
@ApplicationScoped
public class Recovery {

    private static final Logger LOG = Logger.getLogger(Recovery.class);
    public static final int BATCH = 100;

    private final AuctionStore store;
    private final Settlement settlement;
    private final Breaches breaches;
    private final Clock clock;
    private final Duration lease;
    private final Duration grace;
    private final Duration maxInFlight;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Passes run to their end (or their failure) since the start. */
    private final AtomicLong passes = new AtomicLong();
    private volatile int batch = BATCH;
    /**
     * Where the next pass reads OPENING claims on from: a claim a halt or a breaker holds stays OPENING, and a pass
     * that always began at the oldest would, with a page of held claims, never reach the ones behind them.
     */
    private long openingAfterSeq;

    public Recovery(AuctionStore store, Settlement settlement, Breaches breaches, Clock clock, LiquidationConfig config) {
        this.store = store;
        this.settlement = settlement;
        this.breaches = breaches;
        this.clock = clock;
        this.lease = config.recovery().lease();
        this.grace = config.recovery().grace();
        this.maxInFlight = config.client().maxInFlight();
    }

    void onStart(@Observes StartupEvent event) {
        Infrastructure.getDefaultWorkerPool().execute(this::run);
    }

    @Scheduled(every = "${liquidation.recovery.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run();
    }

    /** One recovery pass; returns at once if another pass is running. */
    public void run() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            breaches.retryUnclaimed();
            for (String accountId : store.releasedAfterPartialLot(batch)) {
                breaches.onLiquidation(accountId);
            }
            Instant now = clock.instant();
            for (String bidId : store.claimExpired(now, lease, batch)) {
                finish(bidId);
            }
            Instant settled = clock.instant().minus(grace);
            // claims a failure or a crash left OPENING: freeze (again), snapshot, open or cancel
            driveOpening(settled);
            for (AuctionStore.AuctionRef ref : store.freezePending(settled)) {
                breaches.freeze(ref.auctionId(), ref.accountId());
            }
            // each unfreeze is recorded only if no freeze can land after it: the row is re-checked in that update
            for (AuctionStore.AuctionRef ref : store.unfreezePending(settled, clock.instant(), maxInFlight)) {
                settlement.unfreeze(ref.auctionId(), ref.accountId());
            }
        } catch (RuntimeException e) {
            LOG.warn("recovery pass failed; next pass retries", e);
        } finally {
            passes.incrementAndGet();
            running.set(false);
        }
    }

    /** Passes run to their end since the start: tests await a whole pass begun after some moment (two more ended). */
    public long passes() {
        return passes.get();
    }

    /** One page of OPENING claims from the cursor on; after the last page the next pass starts from the oldest. */
    private void driveOpening(Instant settled) {
        List<AuctionStore.Opening> page = store.openingPending(settled, openingAfterSeq, batch);
        openingAfterSeq = page.size() < batch ? 0 : page.get(page.size() - 1).seq();
        for (AuctionStore.Opening opening : page) {
            if (!breaches.drive(opening.ref().auctionId(), opening.ref().accountId())) {
                LOG.debug("recovery: margin-service does not answer; the other OPENING claims wait for the next pass");
                // resumes at this claim
                openingAfterSeq = opening.seq() - 1;
                break;
            }
        }
    }

    /** Tests: how many bids and OPENING claims a pass takes up at most ({@value #BATCH} otherwise). */
    public void useBatch(int batch) {
        this.batch = batch;
    }

    private void finish(String bidId) {
        Optional<Bid> bid = store.findBid(bidId);
        if (bid.isEmpty()) {
            return;
        }
        try {
            Bid after = settlement.settle(bid.get());
            LOG.infof("recovery: bid %s is %s", bidId, after.status());
        } catch (PreconditionException e) {
            LOG.infof("recovery: bid %s undone (%s)", bidId, e.reason());
        } catch (RuntimeException e) {
            LOG.warnf(e, "recovery: bid %s not settled yet", bidId);
            store.release(bidId);
        }
    }
}
