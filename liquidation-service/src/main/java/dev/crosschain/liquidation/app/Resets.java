package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.AccountSnapshot;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.Halt;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts a new epoch for every open auction past its curve's {@code tail} or below its {@code cusp}
 * ({@link Auction#needsReset}): the start value becomes the lot as snapshotted at the open valued at the
 * account's current marks ({@link AccountSnapshot#valueOf}, from margin-service's view), the start time now, the version is bumped; the lot, the remaining
 * fraction and the bids stay, settled or not (see {@link AuctionStore#reset}).
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

    private final boolean enabled;
    private final OperatorHalts halts;
    /** Auctions whose reset a halt holds back, logged once each rather than every pass. */
    private final Set<String> reportedHalted = ConcurrentHashMap.newKeySet();

    public Resets(AuctionStore store, MarginClient margin, AuctionEvents events, Clock clock, LiquidationConfig config,
                  OperatorHalts halts) {
        this.store = store;
        this.halts = halts;
        this.margin = margin;
        this.events = events;
        this.clock = clock;
        this.enabled = config.curve().resetsEnabled();
        if (!enabled) {
            LOG.warn("liquidation.curve.resets-enabled=false: no auction is reset (rolling upgrade from a release before V2)");
        }
    }

    @Scheduled(every = "${liquidation.curve.reset-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!enabled) {
            return;
        }
        try {
            run();
        } catch (RuntimeException e) {
            LOG.warn("reset pass failed; the next pass retries", e);
        }
    }

    /** One pass over the open auctions; returns the resets this pass made. */
    public List<AuctionStore.Reset> run() {
        List<AuctionStore.Reset> done = new ArrayList<>();
        store.forEachOpenHeader(BATCH, auction -> Auction.needsReset(auction, clock.instant())
                .flatMap(reason -> reset(auction, reason))
                .ifPresent(done::add));
        return done;
    }

    private Optional<AuctionStore.Reset> reset(Auction header, PriceCurve.ResetReason reason) {
        // the lot as snapshotted at the open (the headers carry none)
        Optional<Auction> found = store.find(header.auctionId());
        if (found.isEmpty() || found.get().version() != header.version()) {
            return Optional.empty();
        }
        Auction auction = found.get();
        Optional<Halt> halt = halts.covering(auction.lot()).filter(h -> h.level().stopsResets());
        if (halt.isPresent()) {
            if (reportedHalted.add(auction.auctionId())) {
                LOG.warnf("auction %s needs a reset (%s) but halt %s (%s) holds resets; its bids wait NEEDS_RESET",
                        auction.auctionId(), reason, halt.get().scope(), halt.get().level());
            }
            return Optional.empty();
        }
        reportedHalted.remove(auction.auctionId());
        Instant now = clock.instant();
        AccountSnapshot snapshot;
        try {
            snapshot = margin.accountSnapshot(auction.accountId());
        } catch (RuntimeException e) {
            // DependencyException (margin-service down, account unknown) or a malformed view
            LOG.warnf("auction %s needs a reset (%s) but the view of %s is unavailable, will retry: %s",
                    auction.auctionId(), reason, auction.accountId(), e.getMessage());
            return Optional.empty();
        }
        if (snapshot.conservative()) {
            // stale inputs: margin's figures are made conservative, not the marks a new epoch should start from
            LOG.warnf("auction %s needs a reset (%s) but the view of %s is conservative (stale inputs), will retry",
                    auction.auctionId(), reason, auction.accountId());
            return Optional.empty();
        }
        // The price is a fraction of the whole lot's value (a bid pays fraction x lot price): the new start
        // value is the lot as opened, valued at today's marks, not the account (which also holds the cash
        // bidders paid and no longer the part they took).
        AccountSnapshot.LotValue lotValue = snapshot.valueOf(auction.lot());
        if (lotValue instanceof AccountSnapshot.LotValue.Unvalued unvalued) {
            LOG.warnf("auction %s needs a reset (%s) but its lot cannot be valued from the view of %s, will retry: %s",
                    auction.auctionId(), reason, auction.accountId(), unvalued.why());
            return Optional.empty();
        }
        BigDecimal value = ((AccountSnapshot.LotValue.Valued) lotValue).usd();
        Optional<AuctionStore.Reset> reset = store.reset(auction.auctionId(), auction.version(), now, value, reason);
        if (reset.isPresent()) {
            LOG.infof("auction %s reset (%s): epoch %d from lot value %s USD", auction.auctionId(), reason,
                    reset.get().epoch(), value.toPlainString());
            events.changed(auction.auctionId());
        } else {
            LOG.debugf("auction %s changed (a bid, another reset) or closed; the next pass looks again", auction.auctionId());
        }
        return reset;
    }
}
