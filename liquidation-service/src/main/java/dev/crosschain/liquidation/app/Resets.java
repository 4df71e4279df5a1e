package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.AccountSnapshot;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.domain.BufferTarget;
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
 * fraction and the bids stay, settled or not (see {@link AuctionStore#reset}). With
 * {@code liquidation.curve.rebase-buffer.enabled} (off by default: a replica before V7 would read re-based figures
 * without their base), the buffer target of a bounded auction is re-based on the same view in the same update ({@link AccountSnapshot#rebasedTarget}): the account's equity, MM
 * and IM now, with F and C counted from the reset; kept as it was when a bid's settlement is in flight (the view may
 * show it half done), when the view cannot value what remains of the lot, or when the view says the account is above
 * its level already (re-based, nothing would bound its bids: the old figures keep them bounded).
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
    /** The collateral line a bid's cash is paid into: how a re-based target counts the proceeds. */
    private final String settlementChain;
    private final String settlementAsset;

    private final boolean enabled;
    /** liquidation.curve.rebase-buffer.enabled: off until no replica of a release before V7 runs. */
    private final boolean rebaseBuffer;
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
        this.rebaseBuffer = config.curve().rebaseBuffer().enabled();
        this.settlementChain = config.settlement().chain();
        this.settlementAsset = config.settlement().asset();
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
        if (wholeBookNow(auction, snapshot, now)) {
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
        BufferTarget rebased = rebased(auction, snapshot);
        Optional<AuctionStore.Reset> reset = store.reset(auction.auctionId(), auction.version(), now, value, reason, rebased);
        if (reset.isPresent()) {
            LOG.infof("auction %s reset (%s): epoch %d from lot value %s USD, %s", auction.auctionId(), reason,
                    reset.get().epoch(), value.toPlainString(), rebased == null ? "buffer kept" : "buffer re-based: " + rebased);
            events.changed(auction.auctionId());
        } else {
            LOG.debugf("auction %s changed (a bid, another reset) or closed; the next pass looks again", auction.auctionId());
        }
        return reset;
    }

    /**
     * Closes a bucket auction whose account's fresh view shows the whole book in liquidation (or the pool below zero:
     * {@link AccountSnapshot#breachedBucket} empty), unless a bid is in flight: margin-service sends no new event while
     * the account stays in LIQUIDATION, so only this look sees it. Its release then has the account looked at again,
     * which claims a whole-account auction. True when closed.
     */
    private boolean wholeBookNow(Auction auction, AccountSnapshot snapshot, Instant now) {
        if (auction.bucketInstrument() == null || !snapshot.inLiquidation() || snapshot.breachedBucket().isPresent()
                || auction.bids().stream().anyMatch(b -> b.status() == BidStatus.ACCEPTED)) {
            return false;
        }
        if (!store.supersede(auction.auctionId(), auction.version(), now)) {
            return false;
        }
        LOG.warnf("bucket auction %s closed: the whole book of %s is in liquidation now, it is auctioned whole next",
                auction.auctionId(), auction.accountId());
        events.changed(auction.auctionId());
        return true;
    }

    /**
     * The auction's buffer target re-based on {@code snapshot}, or null to keep the one it has (see the class comment).
     * The store's update is conditional on the version read with the bids, so no bid is accepted between that read and
     * the re-base; every earlier one was settled before the view was read.
     */
    private BufferTarget rebased(Auction auction, AccountSnapshot snapshot) {
        // a bucket's figures would need its own view (the account's equity and margins are not the bucket's): kept
        if (!rebaseBuffer || auction.buffer() == null || auction.bucketInstrument() != null) {
            return null;
        }
        if (auction.bids().stream().anyMatch(b -> b.status() == BidStatus.ACCEPTED)) {
            LOG.infof("auction %s: a bid's settlement is in flight, its buffer keeps its base", auction.auctionId());
            return null;
        }
        BufferTarget target = snapshot.rebasedTarget(auction.buffer().share(), settlementChain, settlementAsset,
                store.remainingLot(auction.auctionId()), auction.remainingFraction(), Bid.totalProceedsUsd(auction.bids()),
                auction.lotFraction());
        if (target == null) {
            LOG.warnf("auction %s: the view of %s lacks its figures or what remains of the lot, its buffer keeps its base",
                    auction.auctionId(), auction.accountId());
            return null;
        }
        if (!target.binds() && target.equityUsd().signum() >= 0) {
            LOG.infof("auction %s: %s is above its buffer level in the view (%s), its buffer keeps its base",
                    auction.auctionId(), auction.accountId(), target);
            return null;
        }
        return target;
    }
}
