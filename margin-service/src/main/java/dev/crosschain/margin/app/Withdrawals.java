package dev.crosschain.margin.app;

import dev.crosschain.margin.client.DependencyException;
import dev.crosschain.margin.client.WithdrawalClient;
import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.ConflictException;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.NotFoundException;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.store.WithdrawalStore;
import dev.crosschain.margin.store.WithdrawalStore.WithdrawalRecord;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * RequestWithdrawal: a what-if with the withdrawal, then a lock at collateral-service, one at a time
 * per account (across replicas), exactly once per withdrawal id.
 *
 * <p>The lost answer: a CHECKED record is written before the lock is asked. A retry that finds it
 * asks collateral-service whether the lock happened (GetWithdrawal) before anything else: if it did,
 * the first answer is rebuilt from the record; if not, the request is judged anew. A fresh what-if
 * after a lock that did happen would subtract the amount a second time (collateral-service no longer
 * counts it as available), which is why the retry must not start with it.
 *
 * <p>The fence: each lock request carries not_after = margin's clock + the call deadline (the same
 * on every retried attempt, recorded with the CHECKED row before the lock is asked). collateral-service
 * checks, in order: the fields (INVALID_ARGUMENT); with the balance row held, a replay of the id
 * (answered, whatever not_after says); the freeze, halt and balance; last not_after, on its database's
 * clock, refusing LOCK_EXPIRED after it. Any refusal is final only for the attempt it answers: an
 * earlier attempt whose answer was lost (UNAVAILABLE) may still be queued there and lock until
 * not_after. So whenever an attempt's outcome is unknown, margin waits until its clock has passed
 * not_after + {@code margin.withdrawals.clock-skew} (by the wall clock and, for its own fence, by the
 * monotonic time since the fence) and only a GetWithdrawal asked after that which answers NOT_FOUND is taken to mean that
 * nothing was locked and nothing will be. The guarantee holds on one precondition: collateral-service's
 * database clock is within the clock skew of margin-service's clock. collateral-service's GetWithdrawal
 * waits for a lock of the id that judged itself in time and has not committed, so NOT_FOUND is not
 * answered for a lock about to land.
 */
@ApplicationScoped
public class Withdrawals {

    private static final Logger LOG = Logger.getLogger(Withdrawals.class);

    /** A validated request; {@code requestHash} fingerprints its payload (without the id). */
    public record Request(String withdrawalId, String requestHash, String accountId, String chainId, String asset,
                          BigDecimal amount, String destination) {

        WithdrawalClient.Order order() {
            return new WithdrawalClient.Order(withdrawalId, accountId, chainId, asset, amount, destination);
        }
    }

    /** The answer: the figures the what-if found after the withdrawal, when it was locked, and whether it is a replay. */
    public record Result(String withdrawalId, boolean replayed, long lockedAtMs, BigDecimal equityImAfter, BigDecimal imAfter,
                         BigDecimal mmAfter) {

        static Result of(WithdrawalRecord w, boolean replayed) {
            return new Result(w.withdrawalId(), replayed, w.lockedAtMs(), w.equityImAfter(), w.imAfter(), w.mmAfter());
        }
    }

    private final WithdrawalStore store;
    private final WithdrawalClient collateral;
    private final MarginEngine engine;
    private final PendingWithdrawals pending;
    private final dev.crosschain.margin.store.AccountStore accounts;
    private final java.time.Duration clockSkew;

    public Withdrawals(WithdrawalStore store, WithdrawalClient collateral, MarginEngine engine,
                       PendingWithdrawals pending,
                       dev.crosschain.margin.store.AccountStore accounts, MarginConfig config) {
        this.clockSkew = requireClockSkew(config.withdrawals().clockSkew());
        this.accounts = accounts;
        this.pending = pending;
        this.store = store;
        this.collateral = collateral;
        this.engine = engine;
    }

    /** At startup: a bad margin.withdrawals.clock-skew stops the service rather than the first withdrawal. */
    void checkConfig(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        requireClockSkew(clockSkew);
    }

    /** margin.withdrawals.clock-skew as given; refused when negative (it would settle a lock before its not_after). */
    static java.time.Duration requireClockSkew(java.time.Duration skew) {
        if (skew == null || skew.isNegative()) {
            throw new IllegalArgumentException("margin.withdrawals.clock-skew must not be negative, got " + skew
                    + ": it bounds how far collateral-service's database clock may differ from margin-service's");
        }
        return skew;
    }

    public Result request(Request r) {
        return detached(() -> {
            Optional<Result> replay = replayOf(store.find(r.withdrawalId()), r);
            if (replay.isPresent()) {
                return replay.get();
            }
            try {
                return store.underAccountLock(r.accountId(), () -> requestLocked(r));
            } catch (NothingAvailable nothing) {
                // asked once the account lock is released: the registry's pages hold up no other withdrawal
                requireListed(r); // nothing available also of a chain or asset that does not exist: say which
                throw nothing.refusal;
            }
        });
    }

    /** The what-if's INSUFFICIENT_BALANCE, carried out of the account lock to ask the registry there. */
    private static final class NothingAvailable extends RuntimeException {
        final PreconditionException refusal;

        NothingAvailable(PreconditionException refusal) {
            super(null, null, false, false);
            this.refusal = refusal;
        }
    }

    /**
     * Runs {@code work} in a context forked from the caller's gRPC context: same values, but neither
     * its cancellation nor its deadline. A caller that gives up (deadline, cancel) must not cancel the
     * lock call half way: collateral-service may commit it anyway, and the outcome would be unknown
     * while the account lock is released. Each upstream call keeps margin-service's own deadline.
     */
    static <T> T detached(java.util.function.Supplier<T> work) {
        io.grpc.Context forked = io.grpc.Context.current().fork();
        io.grpc.Context previous = forked.attach();
        try {
            return work.get();
        } finally {
            forked.detach(previous);
        }
    }

    /**
     * The first answer when the id was locked before with this payload; IDEMPOTENCY_CONFLICT for another payload;
     * WITHDRAWAL_CONFLICT when collateral-service was found holding the id with another payload (CONFLICT).
     */
    private static Optional<Result> replayOf(Optional<WithdrawalRecord> known, Request r) {
        if (known.isEmpty()) {
            return Optional.empty();
        }
        if (!known.get().requestHash().equals(r.requestHash())) {
            throw new ConflictException("IDEMPOTENCY_CONFLICT",
                    "withdrawal " + r.withdrawalId() + " was requested before with a different payload");
        }
        if (known.get().state() == WithdrawalStore.State.CONFLICT) {
            throw PendingWithdrawals.conflicted(r.withdrawalId(), known.get().accountId());
        }
        return known.get().state() == WithdrawalStore.State.LOCKED ? Optional.of(Result.of(known.get(), true)) : Optional.empty();
    }

    private Result requestLocked(Request r) {
        Optional<WithdrawalRecord> known = store.find(r.withdrawalId()); // again: a racing request may have finished it
        Optional<Result> replay = replayOf(known, r);
        if (replay.isPresent()) {
            return replay.get();
        }
        if (known.isPresent()) { // CHECKED: the answer of the lock was lost
            WithdrawalClient.Lookup first = collateral.lookup(r.withdrawalId());
            if (first.locked().isPresent()) {
                return recordFound(r, known.get(), first.locked().get());
            }
            // the request that wrote the record may have left before its lock's outcome was settled
            // (a replica that stopped, an interrupt): until its not_after + the skew, its lock may land
            boolean settling = false;
            if (known.get().lockNotAfterMs() > 0) {
                Instant earlier = Instant.ofEpochMilli(known.get().lockNotAfterMs());
                settling = !Instant.now().isAfter(settledAt(earlier));
                if (settling) {
                    if (collateral.fence(Instant.now()).plus(clockSkew).isBefore(earlier)) {
                        // later than a fence any replica would set now, its clock within the skew of this one's
                        // (written by a clock that had jumped forward): not waited for under the account lock
                        LOG.warnf("withdrawal %s: its recorded lock fence %s is later than a fence set now + the clock skew; "
                                + "kept CHECKED, answered in doubt", r.withdrawalId(), earlier);
                        throw new DependencyException("withdrawal " + r.withdrawalId() + ": an earlier lock of this id may still "
                                + "land until " + settledAt(earlier) + "; retry with the same withdrawal_id",
                                io.grpc.Status.Code.UNAVAILABLE, null, "WITHDRAWAL_IN_DOUBT");
                    }
                    // fenced by another request (maybe another replica): margin's wall clock alone
                    Optional<WithdrawalClient.Locked> landed = pollUntilSettled(r, known.get(), Settle.recorded(earlier, clockSkew));
                    if (landed.isPresent()) {
                        return recordFound(r, known.get(), landed.get());
                    }
                }
            }
            if (!settling) {
                // its fence passed: a new lock (below) only once this NOT_FOUND says the earlier one cannot land
                requireNothingLocked(r, known.get(), first);
            }
        }
        // the freeze first, read under the account lock: a frozen account is told so, not of a
        // balance or an upstream failure the what-if would meet first
        if (accounts.load(r.accountId()).map(dev.crosschain.margin.store.AccountStore.AccountState::frozen).orElse(false)) {
            throw frozen(r);
        }
        pending.requireNoneInDoubt(r.accountId(), r.withdrawalId());
        AccountRisk after;
        try {
            after = check(r);
        } catch (PreconditionException refusal) {
            if (known.isPresent()) {
                // an earlier lock of this id may have landed since GetWithdrawal answered: then the
                // refusal would judge an account the amount already left, and deny a locked withdrawal
                Optional<Result> late = lockedThere(r, known.get());
                if (late.isPresent()) {
                    return late.get();
                }
            }
            if (INSUFFICIENT_BALANCE.equals(refusal.reason())) {
                throw new NothingAvailable(refusal); // the registry is asked after the account lock (request)
            }
            throw refusal;
        }
        Instant fencedAt = Instant.now();
        Settle settle = Settle.fenced(collateral.fence(fencedAt), fencedAt, clockSkew); // once: every attempt carries it
        Instant notAfter = settle.notAfter();
        // recorded with the CHECKED row before the lock is asked: whoever finds the row later knows
        // until when this lock may land, even if this request never learns its outcome
        WithdrawalRecord checked = new WithdrawalRecord(r.withdrawalId(), r.requestHash(), r.accountId(), r.chainId(), r.asset(),
                r.amount(), r.destination(), WithdrawalStore.State.CHECKED, after.equityIm(), after.initialMargin(),
                after.maintenanceMargin(), 0L, notAfter.toEpochMilli());
        if (!store.saveChecked(checked)) {
            throw new ConflictException("IDEMPOTENCY_CONFLICT", "withdrawal " + r.withdrawalId() + " is recorded with another payload");
        }
        WithdrawalClient.Locked locked;
        try {
            locked = collateral.lock(r.order(), notAfter);
        } catch (WithdrawalClient.RefusedInDoubt refusedLate) {
            // the last attempt was refused, but an earlier one went unanswered and may still land before
            // not_after: the refusal is the answer only once nothing is locked past not_after + the skew
            locked = awaitOutcome(r, checked, settle, refusedLate.refusal());
        } catch (PreconditionException | InvalidInputException refused) {
            // collateral-service may refuse a duplicate of an id that did lock (a request of the same id
            // that locked while this one waited): only GetWithdrawal tells that nothing was locked
            Optional<Result> there = lockedAfterRefusal(r, checked, refused);
            if (there.isPresent()) {
                return there.get();
            }
            store.forgetChecked(r.withdrawalId(), checked.lockNotAfterMs()); // refused: nothing was locked, nothing is kept
            throw refused;
        } catch (ConflictException | NotFoundException refused) {
            // ALREADY_EXISTS: collateral holds the id, maybe with another payload (then CONFLICT, alerted); NOT_FOUND:
            // as any refusal, only GetWithdrawal tells that nothing was locked
            Optional<Result> there = lockedAfterRefusal(r, checked, refused);
            if (there.isPresent()) {
                LOG.errorf("withdrawal %s: collateral-service refused the lock (%s) but holds the id with this payload; "
                        + "recorded LOCKED", r.withdrawalId(), refused.getMessage());
                return there.get();
            }
            if (refused instanceof ConflictException) {
                LOG.errorf("withdrawal %s: collateral-service refused the lock IDEMPOTENCY_CONFLICT but GetWithdrawal finds "
                        + "no lock of the id; nothing kept", r.withdrawalId());
            }
            store.forgetChecked(r.withdrawalId(), checked.lockNotAfterMs()); // refused: nothing was locked, nothing is kept
            throw refused;
        } catch (dev.crosschain.margin.client.MisconfiguredException refused) {
            // margin's credential was refused: no lock was judged; GetWithdrawal would be refused the same way
            store.forgetChecked(r.withdrawalId(), checked.lockNotAfterMs());
            throw refused;
        } catch (DependencyException unknown) {
            // still holding the account lock: no other withdrawal and no freeze may go ahead while this
            // lock may yet land. LOCK_EXPIRED (a LockExpired) too: the attempt it answers locked nothing,
            // but an earlier attempt of this request whose answer was lost (UNAVAILABLE, retried) may still
            // be queued at a collateral replica whose clock lags, until not_after + the skew; awaitOutcome
            // then answers it UNAVAILABLE LOCK_EXPIRED with the CHECKED record forgotten
            locked = awaitOutcome(r, checked, settle, unknown);
        }
        store.markLocked(r.withdrawalId(), locked.lockedAtMs());
        // replayed (proto: "answers a replay of an earlier identical request") when an earlier request of
        // the id left its CHECKED record, as on the GetWithdrawal path above; not from collateral's flag,
        // which is also true when only this request's own retried attempt landed first
        return Result.of(checked.locked(locked.lockedAtMs()), known.isPresent());
    }

    /** The lock collateral-service holds for this CHECKED id, recorded and answered as a replay; empty when none. */
    private Optional<Result> lockedThere(Request r, WithdrawalRecord known) {
        return collateral.find(r.withdrawalId()).map(there -> recordFound(r, known, there));
    }

    /**
     * After collateral-service refused this request's lock: the lock it holds for the id all the same (recorded;
     * {@link #conflictWith} when its payload differs), or empty when GetWithdrawal answers NOT_FOUND with the
     * not_after_enforced mark (the refusal stands, nothing was locked). No answer, or a NOT_FOUND without the mark:
     * UNAVAILABLE WITHDRAWAL_IN_DOUBT with the CHECKED record kept.
     */
    private Optional<Result> lockedAfterRefusal(Request r, WithdrawalRecord checked, RuntimeException refused) {
        WithdrawalClient.Lookup found;
        try {
            found = collateral.lookup(r.withdrawalId());
        } catch (DependencyException unknown) {
            throw new DependencyException("withdrawal " + r.withdrawalId() + ": collateral-service refused ("
                    + refused.getMessage() + ") but cannot tell whether the id is locked; retry with the same withdrawal_id",
                    io.grpc.Status.Code.UNAVAILABLE, unknown, IN_DOUBT);
        }
        if (found.locked().isPresent()) {
            return Optional.of(recordFound(r, checked, found.locked().get()));
        }
        requireNothingLocked(r, checked, found);
        return Optional.empty();
    }

    /**
     * A NOT_FOUND of a CHECKED id whose fence has passed means nothing was locked and nothing will be only from a
     * collateral-service that enforces not_after (its mark, fleet-wide: collateral's V8) and for a record that has
     * a fence; otherwise UNAVAILABLE WITHDRAWAL_IN_DOUBT (WARN), the CHECKED record kept for a later retry.
     */
    private void requireNothingLocked(Request r, WithdrawalRecord checked, WithdrawalClient.Lookup notFound) {
        if (checked.lockNotAfterMs() == 0) {
            LOG.warnf("withdrawal %s: its CHECKED record has no lock fence (not_after), so an earlier lock may still land at "
                    + "any time; kept CHECKED, answered in doubt", r.withdrawalId());
            throw new DependencyException("withdrawal " + r.withdrawalId() + ": an earlier lock of this id carried no not_after "
                    + "and may still land; retry with the same withdrawal_id", io.grpc.Status.Code.UNAVAILABLE, null, IN_DOUBT);
        }
        if (!notFound.nothingLockedOnceSettled(r.withdrawalId())) { // WARNs
            throw new DependencyException("withdrawal " + r.withdrawalId() + ": collateral-service does not enforce "
                    + "the lock's not_after, so its NOT_FOUND does not tell whether the amount will be locked; "
                    + "retry with the same withdrawal_id", io.grpc.Status.Code.UNAVAILABLE, null, IN_DOUBT);
        }
    }

    private static final String IN_DOUBT = "WITHDRAWAL_IN_DOUBT";

    /** Records a lock collateral-service holds for a CHECKED id ({@link #conflictWith} if its payload differs). */
    private Result recordFound(Request r, WithdrawalRecord known, WithdrawalClient.Locked there) {
        if (!there.sameAs(r.order())) {
            throw conflictWith(known, there);
        }
        store.markLocked(r.withdrawalId(), there.lockedAtMs());
        return Result.of(known.locked(there.lockedAtMs()), true);
    }

    /**
     * After a lock call whose outcome is unknown (no answer, LOCK_EXPIRED, or a refusal of the last
     * attempt after an earlier one went unanswered): {@link #pollUntilSettled}. Found: the lock.
     * Not found by a GetWithdrawal asked once margin's clock has passed not_after + the clock skew:
     * nothing was locked and, provided collateral-service's database clock is within the skew of
     * margin's, nothing will be; the CHECKED record is forgotten and {@code unknown} answered (the
     * lost answer's failure: retry; or the last attempt's refusal, which then stands). Otherwise
     * UNAVAILABLE WITHDRAWAL_IN_DOUBT, the CHECKED record kept for the retry to resolve.
     */
    private WithdrawalClient.Locked awaitOutcome(Request r, WithdrawalRecord checked, Settle settle, RuntimeException unknown) {
        Optional<WithdrawalClient.Locked> there = pollUntilSettled(r, checked, settle);
        if (there.isEmpty()) {
            store.forgetChecked(r.withdrawalId(), settle.notAfter().toEpochMilli());
            throw unknown;
        }
        return there.get();
    }

    /**
     * Asks collateral-service (GetWithdrawal) for a lock fenced by {@code notAfter} until it shows
     * (returned; {@link #conflictWith} if its payload differs from {@code recorded}) or margin's clock has passed
     * {@link #settledAt not_after + the clock skew}: empty when a GetWithdrawal asked after that
     * answers NOT_FOUND with collateral's mark that it enforces not_after (nothing was locked and
     * nothing will be). UNAVAILABLE WITHDRAWAL_IN_DOUBT when collateral-service still does not answer
     * then, or answers NOT_FOUND without that mark (a release that ignores not_after).
     */
    private Optional<WithdrawalClient.Locked> pollUntilSettled(Request r, WithdrawalRecord recorded, Settle settle) {
        Instant notAfter = settle.notAfter();
        while (true) {
            boolean last = settle.passed();
            WithdrawalClient.Lookup found;
            try {
                found = collateral.lookup(r.withdrawalId());
            } catch (DependencyException stillUnknown) {
                if (last) {
                    LOG.warnf("withdrawal %s: lock outcome unknown at %s, past its not_after %s + %s (%s); kept CHECKED for a retry",
                            r.withdrawalId(), Instant.now(), notAfter, clockSkew, stillUnknown.getMessage());
                    throw new DependencyException("withdrawal " + r.withdrawalId()
                            + ": collateral-service did not tell whether it locked the amount; retry with the same withdrawal_id",
                            io.grpc.Status.Code.UNAVAILABLE, stillUnknown, "WITHDRAWAL_IN_DOUBT");
                }
                pause(Math.max(1, Math.min(POLL_MS, settle.millisLeft() + 1)));
                continue;
            }
            Optional<WithdrawalClient.Locked> there = found.locked();
            if (there.isPresent()) {
                if (!there.get().sameAs(r.order())) {
                    throw conflictWith(recorded, there.get());
                }
                return there;
            }
            if (last) {
                // an older collateral-service ignores not_after: its lock may still be queued there
                requireNothingLocked(r, recorded, found);
                return Optional.empty();
            }
            pause(Math.max(1, Math.min(POLL_MS, settle.millisLeft() + 1)));
        }
    }

    /**
     * collateral-service holds the id of {@code recorded} (CHECKED) with another payload: recorded CONFLICT with a
     * CRITICAL alert ({@link PendingWithdrawals#conflict}); the refusal to answer, FAILED_PRECONDITION
     * WITHDRAWAL_CONFLICT, as every later request of the id is answered.
     */
    private RuntimeException conflictWith(WithdrawalRecord recorded, WithdrawalClient.Locked there) {
        pending.conflict(recorded, there);
        return PendingWithdrawals.conflicted(recorded.withdrawalId(), recorded.accountId());
    }

    private static final String INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE";

    /**
     * INVALID_ARGUMENT UNKNOWN_CHAIN or UNKNOWN_ASSET when collateral-service's registry does not list the request's
     * chain and asset (asked only once the what-if found nothing available, so a healthy withdrawal costs no call).
     * When the registry cannot be read the refusal at hand stands (still true: nothing is available there).
     */
    private void requireListed(Request r) {
        try {
            collateral.requireListed(r.chainId(), r.asset());
        } catch (DependencyException unread) {
            LOG.warnf("withdrawal %s: could not tell whether chain %s and asset %s exist (%s); answered by the what-if",
                    r.withdrawalId(), r.chainId(), r.asset(), unread.getMessage());
        }
    }

    /** Pause between two GetWithdrawal of an outcome in doubt. */
    private static final long POLL_MS = 100;

    /**
     * When a lock fenced by {@code notAfter} can no longer land: margin's wall clock past not_after +
     * the clock skew (collateral-service refuses it once its database's clock, within the skew of
     * margin's, has passed not_after) and, for a fence this request took, also the monotonic time
     * since the fence at least (not_after - the fence's wall time) + the skew, so a wall clock that
     * jumps forward does not settle the lock early. {@code fencedNanos} is meaningless when
     * {@code spanNanos} is negative (a fence recorded by another request: the wall clock alone).
     */
    record Settle(Instant notAfter, Instant at, long fencedNanos, long spanNanos) {

        static Settle fenced(Instant notAfter, Instant fencedAt, java.time.Duration skew) {
            long nanos = System.nanoTime(); // after the wall reading: the monotonic span is never short
            return new Settle(notAfter, notAfter.plus(skew), nanos, java.time.Duration.between(fencedAt, notAfter).plus(skew).toNanos());
        }

        static Settle recorded(Instant notAfter, java.time.Duration skew) {
            return new Settle(notAfter, notAfter.plus(skew), 0L, -1L);
        }

        boolean passed() {
            return Instant.now().isAfter(at) && (spanNanos < 0 || System.nanoTime() - fencedNanos > spanNanos);
        }

        /** Milliseconds until {@link #passed()} may turn true (0 or less: it may now). */
        long millisLeft() {
            long wall = at.toEpochMilli() - System.currentTimeMillis();
            long mono = spanNanos < 0 ? 0 : java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(spanNanos - (System.nanoTime() - fencedNanos));
            return Math.max(wall, mono);
        }
    }

    /**
     * The instant of margin's clock after which a lock fenced by {@code notAfter} can no longer land:
     * collateral-service refuses it once its database's clock, within the clock skew of margin's,
     * has passed not_after.
     */
    private Instant settledAt(Instant notAfter) {
        return notAfter.plus(clockSkew);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // a poll interval, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException("interrupted while asking for a withdrawal's lock", io.grpc.Status.Code.CANCELLED, e,
                    "WITHDRAWAL_IN_DOUBT");
        }
    }

    private static PreconditionException frozen(Request r) {
        return new PreconditionException("ACCOUNT_FROZEN", "accounts/" + r.accountId(),
                "account " + r.accountId() + " is frozen by a liquidation auction: no withdrawals");
    }

    /** The what-if: refuses a frozen account and one that would not stay healthy; the account after, otherwise. */
    private AccountRisk check(Request r) {
        engine.recordNewBuckets(r.accountId());
        MarginEngine.WhatIf whatIf = engine.whatIfWithdrawal(r.accountId(), new Collateral.Withdrawal(r.chainId(), r.asset(), r.amount()));
        AccountRisk after = whatIf.after();
        if (after.frozen()) {
            throw frozen(r);
        }
        HealthCheck.requireHealthy(after, "the withdrawal");
        return after;
    }
}
