package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.Calls;
import dev.crosschain.liquidation.client.CollateralClient;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.AccountSnapshot;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.AuctionCaps;
import dev.crosschain.liquidation.domain.AuctionStatus;
import dev.crosschain.liquidation.domain.BufferTarget;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Opens an auction for an account margin-service reports in LIQUIDATION, in an order that auctions
 * exactly what the account holds: (1) claim the account with an OPENING auction row (the unique index
 * lets one process claim it); (2) freeze the account at margin-service with that auction id, so it can no
 * longer trade into risk or withdraw; (3) only then snapshot it; (4) open: one conditional update of the
 * OPENING row with the start, the start value and the lot. A failure after the claim leaves the OPENING
 * row, which {@link Recovery} drives on with {@link #drive} on any replica; the conditional updates make
 * concurrent drivers safe (one opens or cancels, the others do nothing).
 */
@ApplicationScoped
public class Breaches {

    private static final Logger LOG = Logger.getLogger(Breaches.class);
    /** margin-service's reason when another auction id holds the account's freeze. */
    static final String ACCOUNT_FROZEN = "ACCOUNT_FROZEN";
    /** Cancel reasons (auction.cancel_reason, Auction.cancel_reason on the wire). */
    static final String NOT_IN_LIQUIDATION = "NOT_IN_LIQUIDATION";
    static final String UNKNOWN_ACCOUNT = "UNKNOWN_ACCOUNT";
    static final String EMPTY_LOT = "EMPTY_LOT";

    private final AuctionStore store;
    private final MarginClient margin;
    private final Settlement settlement;
    private final AuctionEvents events;
    private final Clock clock;
    private final PriceCurve curve;
    /** liquidation.auction.buffer-share, stored with every auction opened. */
    private final BigDecimal bufferShare;
    /** liquidation.auction.buffer-bound.enabled: off, auctions open with no buffer (sold until empty). */
    private final boolean bufferBound;
    /** The collateral line a bid's cash is paid into (liquidation.settlement.*): how margin counts the proceeds. */
    private final String settlementChain;
    private final String settlementAsset;
    private final String fundAccount;
    /** The insurance fund's breach is logged once: margin-service repeats it while the fund stays in LIQUIDATION. */
    private final AtomicBoolean fundBreachReported = new AtomicBoolean();
    /**
     * Accounts in LIQUIDATION not claimed yet: the claim could not be written (the database failed before the
     * OPENING row existed), or the account's last auction still waits for its unfreeze (a claim now would be
     * refused its freeze). Nothing durable remembers them and margin-service sends only changes, so this
     * process retries them every recovery pass, and at once when an unfreeze is recorded. Everything after
     * the claim is driven from the OPENING row by recovery instead.
     */
    private final Set<String> unclaimed = ConcurrentHashMap.newKeySet();
    /** OPENING auctions whose freeze was refused ACCOUNT_FROZEN and logged at ERROR: logged once, not every pass. */
    private final Set<String> reportedHeld = ConcurrentHashMap.newKeySet();
    /** Accounts a halt or a breaker holds back from a new auction, logged once each rather than every pass. */
    private final Set<String> reportedWaiting = ConcurrentHashMap.newKeySet();
    /** See {@link #lockOf}. */
    private final ReentrantLock[] accountLocks = new ReentrantLock[256];
    private final NewAuctionGate gate;
    /** liquidation.caps.*: none by default. */
    private final AuctionCaps caps;
    private final CollateralClient collateral;
    /** liquidation.bucket-auctions.enabled: off, an ISOLATED account is auctioned whole. */
    private final boolean bucketAuctions;
    /** liquidation.insurance-fund.enabled: an insolvent bucket is auctioned alone only with the fund on. */
    private final boolean fundEnabled;

    public Breaches(AuctionStore store, MarginClient margin, Settlement settlement, AuctionEvents events, Clock clock,
                    LiquidationConfig config, NewAuctionGate gate, CollateralClient collateral) {
        this.store = store;
        this.collateral = collateral;
        this.caps = config.caps().validated();
        this.gate = gate;
        this.margin = margin;
        this.settlement = settlement;
        this.events = events;
        this.clock = clock;
        this.curve = config.curve().validated();
        this.bufferShare = config.auction().validatedBufferShare();
        this.bufferBound = config.auction().bufferBound().enabled();
        this.settlementChain = config.settlement().chain();
        this.settlementAsset = config.settlement().asset();
        this.fundAccount = config.insuranceFund().account();
        this.bucketAuctions = config.bucketAuctions().enabled();
        this.fundEnabled = config.insuranceFund().enabled();
        for (int i = 0; i < accountLocks.length; i++) {
            accountLocks[i] = new ReentrantLock();
        }
    }

    /**
     * Creates this bean at start, so a bad {@code liquidation.curve.*} or {@code liquidation.auction.buffer-share} fails
     * the start (see the constructor).
     */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("auctions open with %s, %s, %s", curve, bufferBound ? "buffer share " + bufferShare.toPlainString()
                : "no buffer bound (liquidation.auction.buffer-bound.enabled=false): sold until empty",
                caps.any() ? "caps on the value in auction " + caps : "no caps on the value in auction");
    }

    /** A LIQUIDATION event: claims the account and opens its auction unless one is already active. Never throws. */
    public void onLiquidation(String accountId) {
        if (accountId == null || accountId.isBlank()) {
            return;
        }
        ReentrantLock lock = lockOf(accountId);
        if (!locked(lock, accountId)) {
            return;
        }
        Claim claim;
        try {
            claim = claimLocked(accountId);
        } finally {
            lock.unlock();
        }
        driveClaimed(accountId, claim);
    }

    /** An auction this process just claimed, driven after the account's lock is released; the laps of its opening. */
    private record Claim(String auctionId, OpenLaps laps) {
    }

    /**
     * The bookkeeping of a LIQUIDATION event, under the account's lock: activity, gate, claim, and the waiting set. The
     * claimed auction, or null when there is nothing to drive.
     */
    private Claim claimLocked(String accountId) {
        if (accountId.equals(fundAccount)) {
            // the fund's takeovers may leave it below margin; its positions are managed by operators, never auctioned
            if (fundBreachReported.compareAndSet(false, true)) {
                LOG.errorf("the insurance fund's account %s is in liquidation: not auctioned, operators must act", accountId);
            }
            return null;
        }
        String auctionId;
        OpenLaps laps = OpenLaps.start();
        try {
            // first, as it costs no call: an account with an auction running needs no gate, nor its view read
            AuctionStore.Activity activity = store.activity(accountId);
            laps.lap("activity");
            if (activity == AuctionStore.Activity.NONE) {
                Optional<String> hold = gate.beforeClaim(accountId);
                if (hold.isPresent()) {
                    // waits here: claimed by the retry pass that finds the hold lifted
                    unclaimed.add(accountId);
                    waiting(accountId, hold.get());
                    return null;
                }
            }
            laps.lap("gate");
            auctionId = claim(accountId, activity);
            laps.lap("claim");
        } catch (RuntimeException e) {
            LOG.warnf(e, "cannot claim %s for an auction yet, will retry", accountId);
            unclaimed.add(accountId);
            return null;
        }
        return auctionId == null ? null : new Claim(auctionId, laps);
    }

    /**
     * Drives a claim on without the account's lock: its freeze and view calls may take a client deadline each, and
     * drives are safe to run at once (conditional updates of the OPENING row); only the bookkeeping needs the lock.
     */
    private void driveClaimed(String accountId, Claim claim) {
        if (claim != null) {
            drive(claim.auctionId(), accountId, claim.laps(), true);
        }
    }

    /** An event saying the account is no longer in LIQUIDATION: stop retrying its claim. */
    public void onNotLiquidation(String accountId) {
        ReentrantLock lock = lockOf(accountId);
        if (!locked(lock, accountId)) {
            return;
        }
        try {
            unclaimed.remove(accountId);
            reportedWaiting.remove(accountId);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The lock one account's breach bookkeeping holds (activity, gate, claim, the waiting set; not the drive after a
     * claim): the stream's events, the retries and the release events of one account do it one at a time, so a retry that
     * read the account as waiting cannot put it back after its recovery was handled (its HEALTHY event handled between
     * the read and a hold re-adding it would leave a recovered account to be claimed). Striped: two accounts sharing a
     * stripe wait for each other's bookkeeping only, a few database round trips.
     */
    private ReentrantLock lockOf(String accountId) {
        return accountLocks[Math.floorMod(accountId.hashCode(), accountLocks.length)];
    }

    /**
     * Takes the account's lock, or gives up when the thread is interrupted waiting for it (a shutdown interrupts the
     * openings still running): false then, the interrupt kept, nothing done. What was not done is recoverable: an OPENING
     * row is driven by recovery, an unclaimed account is retried or re-sent by margin-service on the next subscribe.
     */
    private static boolean locked(ReentrantLock lock, String accountId) {
        try {
            lock.lockInterruptibly();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debugf("%s: interrupted waiting for its lock, left as it was", accountId);
            return false;
        }
    }

    private void waiting(String accountId, String why) {
        if (reportedWaiting.add(accountId)) {
            LOG.warnf("%s is in liquidation but no new auction opens for it while %s; it waits", accountId, why);
        }
    }

    /**
     * An unfreeze was recorded: an account whose claim waited for it is claimed now (a stale retry is
     * harmless: the snapshot's status check cancels an auction of an account no longer in liquidation).
     * Asynchronous: the unfreeze may be recorded by a bid's settlement, which must not wait for a claim's
     * margin calls.
     */
    void onReleased(@ObservesAsync AccountReleased released) {
        if (claimedIfStillUnclaimed(released.accountId())) {
            return;
        }
        // a cap cut its last auction to part of the portfolio: the rest may still breach, and margin-service sends only
        // changes; read from the store, so whichever replica records the release looks again (and recovery, should
        // this event be lost: Recovery re-drives every released account whose last auction was partial)
        try {
            if (store.lastClosedWasPartial(released.accountId())) {
                LOG.infof("%s: its last auction sold part of its portfolio (a cap bound); looked at again", released.accountId());
                onLiquidation(released.accountId());
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s released: cannot tell whether its last auction was partial, will retry", released.accountId());
            unclaimed.add(released.accountId());
        }
    }

    /** Retries the claims that could not be written or waited for an unfreeze. */
    public void retryUnclaimed() {
        for (String accountId : Set.copyOf(unclaimed)) {
            claimedIfStillUnclaimed(accountId);
        }
    }

    /**
     * Handles the account as a breach if it still waits to be claimed, looked at under its lock: its recovery may have
     * been handled since the caller saw it waiting, and a claim then would freeze a recovered account. True when it waited,
     * or when the thread was interrupted waiting for the lock (nothing more is to be done then).
     */
    private boolean claimedIfStillUnclaimed(String accountId) {
        ReentrantLock lock = lockOf(accountId);
        if (!locked(lock, accountId)) {
            return true;
        }
        Claim claim;
        try {
            if (!unclaimed.contains(accountId)) {
                return false;
            }
            claim = claimLocked(accountId);
        } finally {
            lock.unlock();
        }
        driveClaimed(accountId, claim);
        return true;
    }

    /** Freezes the account of an open auction (one a release before V3 opened unfrozen); recovery retries. */
    public void freeze(String auctionId, String accountId) {
        try {
            // recorded first, and only while it is still OPEN: never a freeze after its close (see AuctionStore#markUnfrozen)
            if (!store.noteFreezeSent(auctionId, AuctionStatus.OPEN, clock.instant())) {
                return;
            }
            margin.setFreeze(accountId, true, auctionId);
            store.markFrozen(auctionId);
        } catch (DependencyException e) {
            LOG.warnf("freezing %s for auction %s failed, will retry: %s", accountId, auctionId, e.getMessage());
        }
    }

    /**
     * Drives a claimed (OPENING) auction on: freeze, snapshot, then open or cancel. Safe to run again and
     * from several processes at once: the freeze is idempotent for the same auction id, and the open and
     * the cancel are conditional on the row still being OPENING. Any failure leaves the row OPENING for
     * recovery. Never throws. False when margin-service failed transiently (recovery then leaves the other
     * claims to its next pass rather than wait for each one's deadlines).
     */
    public boolean drive(String auctionId, String accountId) {
        return drive(auctionId, accountId, OpenLaps.start(), false);
    }

    /** @param justClaimed the caller claimed it this moment, with the freeze recorded as sent ({@link AuctionStore#claimToFreeze}) */
    private boolean drive(String auctionId, String accountId, OpenLaps laps, boolean justClaimed) {
        try {
            Frozen freeze = frozen(auctionId, accountId, laps, justClaimed);
            if (freeze.step() != Step.GO) {
                return freeze.step() != Step.MARGIN_DOWN;
            }
            AccountSnapshot snapshot;
            try {
                // the view margin-service valued with the freeze: asked for again only when none came with it
                snapshot = freeze.view().orElseGet(() -> margin.accountSnapshot(accountId));
                laps.lap("snapshot");
            } catch (DependencyException e) {
                if (e.code() == Status.Code.NOT_FOUND) {
                    cancel(auctionId, accountId, UNKNOWN_ACCOUNT);
                } else {
                    LOG.warnf("auction %s: no view of %s yet, recovery retries: %s", auctionId, accountId, e.getMessage());
                    return !e.transientFailure();
                }
                return true;
            }
            if (!snapshot.inLiquidation()) {
                cancel(auctionId, accountId, NOT_IN_LIQUIDATION);
                return true;
            }
            Optional<AccountSnapshot.Bucket> bucket = bucketAlone(auctionId, snapshot);
            List<LotItem> lot = bucket.map(snapshot::bucketLot).orElseGet(snapshot::lot);
            if (lot.isEmpty()) {
                // nothing to sell: an open auction would only keep the account frozen until an operator stepped in
                LOG.warnf("auction %s: %s is in liquidation with nothing to auction", auctionId, accountId);
                cancel(auctionId, accountId, EMPTY_LOT);
                return true;
            }
            Optional<String> hold = gate.hold(lot);
            laps.lap("hold");
            if (hold.isPresent()) {
                // claimed before the hold: stays OPENING (and frozen) for recovery to open once it is lifted
                waiting(accountId, hold.get());
                return true;
            }
            if (reportedWaiting.remove(accountId)) {
                LOG.infof("%s is no longer held back from a new auction", accountId);
            }
            BufferTarget buffer = !bufferBound ? null : bucket.isPresent() ? snapshot.bucketTarget(bucket.get(), bufferShare)
                    : snapshot.bufferTarget(bufferShare, settlementChain, settlementAsset);
            BigDecimal value = bucket.map(snapshot::bucketValueUsd).orElseGet(snapshot::markValueUsd);
            AuctionStore.CappedOpen opened = store.open(auctionId, clock.instant(), value, lot, buffer,
                    bucket.isPresent() ? Map.of() : snapshot.collateralValueByAsset(), caps,
                    caps.any() ? decimals() : AssetDecimals.UNKNOWN, bucket.map(AccountSnapshot.Bucket::instrument).orElse(null));
            laps.lap("open");
            switch (opened.status()) {
                case OPENED -> {
                    boolean whole = opened.lotFraction().compareTo(BigDecimal.ONE) == 0;
                    LOG.infof("opened auction %s for %s%s, mark value %s USD, %d lot items, %s%s; in %s", auctionId, accountId,
                            bucket.map(b -> " (its ISOLATED bucket " + b.instrument() + " alone)").orElse(""),
                            value.toPlainString(), lot.size(), buffer != null ? buffer
                                    : "no buffer level (the bound is off, or the view has no equity, IM or MM): sold until empty",
                            whole ? "" : ", a cap on the value in auction cut the lot to " + opened.lotFraction().toPlainString(), laps);
                    events.changed(auctionId);
                }
                // stays OPENING (and frozen) for recovery to open once auctions free up room
                case HELD -> waiting(accountId, "the caps on the value in auction leave no room for the lot of its auction " + auctionId
                        + ", held OPENING (" + caps + ")");
                case GONE -> LOG.debugf("auction %s was opened or cancelled elsewhere", auctionId);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "auction %s for %s not opened yet, recovery retries", auctionId, accountId);
        }
        return true;
    }

    /**
     * The ISOLATED bucket to auction alone, or empty for a whole-account auction: when bucket auctions are off, or the
     * whole book is in liquidation ({@link AccountSnapshot#breachedBucket}), or the bucket cannot be settled alone
     * ({@link AccountSnapshot#wholeAccountInstead}).
     */
    private Optional<AccountSnapshot.Bucket> bucketAlone(String auctionId, AccountSnapshot snapshot) {
        if (!bucketAuctions) {
            return Optional.empty();
        }
        Optional<AccountSnapshot.Bucket> bucket = snapshot.breachedBucket();
        Optional<String> whole = bucket.flatMap(b -> snapshot.wholeAccountInstead(b, settlementChain, settlementAsset, fundEnabled));
        if (whole.isPresent()) {
            LOG.warnf("auction %s: %s's ISOLATED bucket %s is auctioned with the whole account: %s", auctionId,
                    snapshot.accountId(), bucket.get().instrument(), whole.get());
            return Optional.empty();
        }
        return bucket;
    }

    /** Token decimals to cut a lot down by a cap; unknown when collateral-service cannot say (a cut then waits). */
    private AssetDecimals decimals() {
        try {
            return collateral.decimals();
        } catch (DependencyException e) {
            LOG.debugf("token decimals unavailable: %s", e.getMessage());
            return AssetDecimals.UNKNOWN;
        }
    }

    /** How a driver goes on after the freeze. */
    private enum Step {
        /** Frozen with this auction's id: snapshot. */
        GO,
        /** Not frozen; the auction stays OPENING for recovery, or it was opened or cancelled. */
        STOP,
        /** Not frozen: margin-service failed transiently. */
        MARGIN_DOWN
    }

    /** A freeze's outcome: how the driver goes on, and the account's view valued after the freeze when it came with it. */
    private record Frozen(Step step, Optional<AccountSnapshot> view) {
        static Frozen not(Step step) {
            return new Frozen(step, Optional.empty());
        }
    }

    /**
     * Claims the account: the new auction's id, or null when an auction is already active for it, or when
     * its last auction's unfreeze is pending (the account is then retried, see {@link #unclaimed}).
     */
    private String claim(String accountId, AuctionStore.Activity activity) {
        switch (activity) {
            case ACTIVE -> {
                unclaimed.remove(accountId);
                return null;
            }
            case UNFREEZE_PENDING -> {
                LOG.debugf("%s: the unfreeze of its last auction is pending; claimed once it is done", accountId);
                unclaimed.add(accountId);
                return null;
            }
            case NONE -> unclaimed.remove(accountId);
        }
        String auctionId = "auc-" + UUID.randomUUID();
        if (!store.claimToFreeze(auctionId, accountId, clock.instant(), curve)) {
            LOG.debugf("%s already claimed elsewhere", accountId);
            return null;
        }
        if (reportedWaiting.remove(accountId)) {
            LOG.infof("%s is no longer held back from a new auction", accountId);
        }
        // DEBUG: the claim's outcome is logged where it ends (opened, with the claim's time in its laps; cancelled; failed;
        // held by the caps or waiting, at WARN once per account while it waits, not per claim); a second INFO line per
        // breach was a visible share of the open path's CPU
        LOG.debugf("claimed %s for auction %s", accountId, auctionId);
        return auctionId;
    }

    /**
     * Freezes the account with the auction id. GO once margin-service answered (the snapshot may follow, or came
     * with the answer); otherwise the auction stays OPENING for recovery, or was cancelled (unknown account).
     */
    private Frozen frozen(String auctionId, String accountId, OpenLaps laps, boolean justClaimed) {
        // Recorded before the call, and only while the auction is OPENING: a driver that finds it opened or
        // cancelled sends nothing, and the unfreeze of a cancel is recorded done only once every freeze recorded
        // here can no longer land after it (AuctionStore#markUnfrozen): a slow driver's freeze that lands after
        // the cancel's unfreeze is undone by recovery's next unfreeze. A driver that just claimed it recorded it with the claim.
        if (!justClaimed && !store.noteFreezeSent(auctionId, AuctionStatus.OPENING, clock.instant())) {
            LOG.debugf("auction %s was opened or cancelled elsewhere", auctionId);
            return Frozen.not(Step.STOP);
        }
        laps.lap("note-freeze");
        Optional<AccountSnapshot> view;
        try {
            view = margin.freezeWithSnapshot(accountId, auctionId);
            laps.lap("freeze");
        } catch (DependencyException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                cancel(auctionId, accountId, UNKNOWN_ACCOUNT);
            } else if (e.getCause() instanceof StatusRuntimeException s && Calls.reason(s).filter(ACCOUNT_FROZEN::equals).isPresent()) {
                heldByAnother(auctionId, accountId, e);
            } else {
                LOG.warnf("auction %s: freezing %s failed, recovery retries: %s", auctionId, accountId, e.getMessage());
                return Frozen.not(e.transientFailure() ? Step.MARGIN_DOWN : Step.STOP);
            }
            return Frozen.not(Step.STOP);
        }
        // no frozen flag written here: only an OPEN auction's is read (AuctionStore#freezePending), and the open sets it
        reportedHeld.remove(auctionId);
        return new Frozen(Step.GO, view);
    }

    /**
     * Another auction id holds the account's freeze: never snapshot or open on an account this auction did not
     * freeze. The holder is most likely one of the account's closed auctions whose recorded unfreeze did not
     * hold: their unfreezes are marked undone so recovery sends them again, then the next pass freezes this
     * one. Logged at ERROR once per auction (an operator should look if it lasts).
     */
    private void heldByAnother(String auctionId, String accountId, DependencyException e) {
        int again = store.unfreezeOthersAgain(accountId, auctionId);
        if (reportedHeld.add(auctionId)) {
            LOG.errorf("auction %s: %s is frozen by another auction; left OPENING, %d closed auctions of the account get "
                    + "their unfreeze sent again: %s", auctionId, accountId, again, e.getMessage());
        } else {
            LOG.debugf("auction %s: %s still frozen by another auction (%d unfreezes marked again)", auctionId, accountId, again);
        }
    }

    /**
     * Closes the OPENING auction without a lot and lifts its freeze, unless another process opened or
     * cancelled it. True when this call cancelled it.
     */
    private boolean cancel(String auctionId, String accountId, String reason) {
        if (!store.cancel(auctionId, clock.instant(), reason)) {
            LOG.debugf("auction %s was opened or cancelled elsewhere", auctionId);
            return false;
        }
        LOG.infof("auction %s for %s cancelled before it opened: %s", auctionId, accountId, reason);
        settlement.unfreeze(auctionId, accountId);
        return true;
    }
}
