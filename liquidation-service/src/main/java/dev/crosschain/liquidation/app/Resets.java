package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a new epoch for every open auction past its curve's {@code tail} or below its {@code cusp}
 * ({@link Auction#needsReset}): the start value becomes the account's current mark value (read from
 * margin-service as the open does), the start time now, the version is bumped; the lot, the remaining
 * fraction and the bids stay; an auction with a settlement in flight waits (see {@link AuctionStore#reset}).
 * Every {@code liquidation.curve.reset-every}. Each reset is a conditional
 * update on the version the pass read, so with several replicas (or two passes) racing on one auction
 * exactly one starts the epoch; the others find the version moved and do nothing.
 */
@ApplicationScoped
public class Resets {

    private static final Logger LOG = Logger.getLogger(Resets.class);
    private static final int BATCH = 500;

    private final AuctionStore store;
    private final MarginClient margin;
    private final AuctionEvents events;
    private final Clock clock;

    public Resets(AuctionStore store, MarginClient margin, AuctionEvents events, Clock clock) {
        this.store = store;
        this.margin = margin;
        this.events = events;
        this.clock = clock;
    }

    @Scheduled(every = "${liquidation.curve.reset-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.warn("reset pass failed; the next pass retries", e);
        }
    }

    /** One pass over the open auctions; returns the resets this pass made. */
    public List<AuctionStore.Reset> run() {
        List<AuctionStore.Reset> done = new ArrayList<>();
        long afterSeq = 0;
        List<Auction> page;
        do {
            page = store.openHeaders(afterSeq, BATCH);
            for (Auction auction : page) {
                afterSeq = auction.seq();
                Auction.needsReset(auction, clock.instant())
                        .flatMap(reason -> reset(auction, reason))
                        .ifPresent(done::add);
            }
        } while (page.size() == BATCH);
        return done;
    }

    private Optional<AuctionStore.Reset> reset(Auction auction, PriceCurve.ResetReason reason) {
        // The epoch starts before the mark value is read: a settlement ending during the read is then
        // seen by the store (settled at or after the epoch start) and the reset waits for the next pass.
        Instant now = clock.instant();
        BigDecimal value;
        try {
            value = margin.accountSnapshot(auction.accountId()).markValueUsd();
        } catch (RuntimeException e) {
            // DependencyException (margin-service down, account unknown) or a malformed view
            LOG.warnf("auction %s needs a reset (%s) but the mark value of %s is unavailable, will retry: %s",
                    auction.auctionId(), reason, auction.accountId(), e.getMessage());
            return Optional.empty();
        }
        Optional<AuctionStore.Reset> reset = store.reset(auction.auctionId(), auction.version(), now, value, reason);
        if (reset.isPresent()) {
            LOG.infof("auction %s reset (%s): epoch %d from mark value %s USD", auction.auctionId(), reason,
                    reset.get().epoch(), value.toPlainString());
            events.changed(auction.auctionId());
        } else {
            LOG.debugf("auction %s changed or has a settlement in flight; the next pass looks again", auction.auctionId());
        }
        return reset;
    }
}
