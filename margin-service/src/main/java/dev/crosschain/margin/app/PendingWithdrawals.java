package dev.crosschain.margin.app;

import dev.crosschain.margin.client.Calls;
import dev.crosschain.margin.client.DependencyException;
import dev.crosschain.margin.client.WithdrawalClient;
import dev.crosschain.margin.store.WithdrawalStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An account's withdrawals whose lock was asked but whose outcome margin-service does not know
 * (CHECKED rows of other ids: an answer in doubt, a replica that stopped mid-lock). Call only while
 * holding the account's withdrawal lock: then no live request of this replica set is locking one
 * of them, and what collateral-service answers stays true until the lock is released.
 */
@ApplicationScoped
public class PendingWithdrawals {

    private static final Logger LOG = Logger.getLogger(PendingWithdrawals.class);

    private final WithdrawalStore store;
    private final WithdrawalClient collateral;
    private final Calls calls;
    private final java.time.Duration clockSkew;
    /** Conflicts found (/q/metrics: margin_withdrawal_conflicts_total), for alerting besides the CRITICAL log. */
    private final io.micrometer.core.instrument.Counter conflicts;

    public PendingWithdrawals(WithdrawalStore store, WithdrawalClient collateral, Calls calls, MarginConfig config,
                              io.micrometer.core.instrument.MeterRegistry meters) {
        this.store = store;
        this.collateral = collateral;
        this.calls = calls;
        this.clockSkew = config.withdrawals().clockSkew();
        this.conflicts = io.micrometer.core.instrument.Counter.builder("margin.withdrawal.conflicts")
                .description("withdrawals collateral-service holds with another payload than margin-service recorded")
                .register(meters);
    }

    /** The reason of a retry of an id in CONFLICT (FAILED_PRECONDITION): it is never locked or judged again. */
    public static final String CONFLICT_REASON = "WITHDRAWAL_CONFLICT";

    /**
     * collateral-service holds {@code w}'s id with another payload ({@code there}): records the row CONFLICT
     * (terminal: it no longer blocks the account's other withdrawals, and a retry of the id is refused
     * {@link #CONFLICT_REASON}) with what collateral holds, and raises a CRITICAL alert (an ERROR log with the
     * stable marker "CRITICAL alert WITHDRAWAL_CONFLICT", and the conflicts counter). Not blocking is sound
     * because collateral-service already counts the amount it holds as locked, which none of its collateral
     * values count (CollateralValuer): the account's equity is without it either way.
     */
    public void conflict(WithdrawalStore.WithdrawalRecord w, WithdrawalClient.Locked there) {
        String theirs = "account " + there.accountId() + ", " + there.amount().toPlainString() + " " + there.asset() + " on "
                + there.chainId() + " to " + there.destination() + ", locked at " + there.lockedAtMs();
        if (store.markConflict(w.withdrawalId(), w.lockNotAfterMs(), theirs)) {
            conflicts.increment();
            LOG.errorf("CRITICAL alert WITHDRAWAL_CONFLICT: withdrawal %s of account %s is recorded here as %s %s on %s to %s, "
                            + "but collateral-service holds it as %s; recorded CONFLICT (terminal) for an operator",
                    w.withdrawalId(), w.accountId(), w.amount().toPlainString(), w.asset(), w.chainId(), w.destination(), theirs);
        } else {
            // not CHECKED any more (another request recorded the conflict first, or the row changed): still a payload
            // conflict between the two services, logged without a second alert count
            LOG.errorf("withdrawal %s of account %s: collateral-service holds it as %s, another payload than recorded here; "
                    + "the row was no longer CHECKED (already recorded CONFLICT?)", w.withdrawalId(), w.accountId(), theirs);
        }
    }

    /** The refusal of a request of an id recorded CONFLICT; nothing changes. */
    public static dev.crosschain.margin.domain.PreconditionException conflicted(String withdrawalId, String accountId) {
        return new dev.crosschain.margin.domain.PreconditionException(CONFLICT_REASON, "withdrawals/" + withdrawalId,
                "withdrawal " + withdrawalId + " of account " + accountId + " is held by collateral-service with another payload "
                        + "than margin-service recorded; an operator is alerted, the id will not be locked or judged again");
    }

    /**
     * Asks collateral-service about each: locked with the recorded payload -> recorded LOCKED; not
     * found once the lock can no longer land ({@link #settled}), by a collateral-service that enforces
     * not_after -> forgotten (nothing was locked).
     * Held by collateral-service with another payload -> recorded CONFLICT ({@link #conflict}: never
     * taken for this withdrawal's lock, no longer in doubt). Returns the ids still unresolved: no
     * answer, or not found too soon to be sure.
     */
    public List<String> resolve(String accountId, String exceptId) {
        List<String> unresolved = new ArrayList<>();
        for (WithdrawalStore.Pending p : store.checkedOf(accountId, exceptId)) {
            WithdrawalStore.WithdrawalRecord w = p.withdrawal();
            String id = w.withdrawalId();
            // judged before asking: a NOT_FOUND read before the fence settled may arrive after it, while a
            // lock queued behind that read still lands in time
            boolean settledBeforeAsking = settled(p);
            WithdrawalClient.Lookup found;
            try {
                found = collateral.lookup(id);
            } catch (DependencyException e) {
                unresolved.add(id);
                continue;
            }
            Optional<WithdrawalClient.Locked> there = found.locked();
            if (there.isPresent()) {
                WithdrawalClient.Order recorded = new WithdrawalClient.Order(id, w.accountId(), w.chainId(), w.asset(),
                        w.amount(), w.destination());
                if (there.get().sameAs(recorded)) {
                    store.markLocked(id, there.get().lockedAtMs());
                } else {
                    conflict(w, there.get());
                }
            } else if (settledBeforeAsking && found.nothingLockedOnceSettled(id)) {
                store.forgetChecked(id, w.lockNotAfterMs());
            } else {
                unresolved.add(id);
            }
        }
        return unresolved;
    }

    /**
     * Before a what-if: UNAVAILABLE WITHDRAWAL_IN_DOUBT (retryable) when another withdrawal of the
     * account may still lock, since a judgement without it could let both leave.
     */
    public void requireNoneInDoubt(String accountId, String exceptId) {
        List<String> unresolved = resolve(accountId, exceptId);
        if (!unresolved.isEmpty()) {
            throw new DependencyException("account " + accountId + " has withdrawals whose lock collateral-service has not confirmed or denied "
                    + unresolved + "; retry shortly", io.grpc.Status.Code.UNAVAILABLE, null, "WITHDRAWAL_IN_DOUBT");
        }
    }

    /** For a liquidation freeze, which no withdrawal may block: resolves what it can and logs the rest. */
    public void resolveForFreeze(String accountId) {
        try {
            List<String> unresolved = resolve(accountId, null);
            if (!unresolved.isEmpty()) {
                LOG.errorf("account %s frozen with withdrawals whose lock is unknown %s: they may still be locked at "
                        + "collateral-service during the auction", accountId, unresolved);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "account %s frozen without resolving its withdrawals in doubt", accountId);
        }
    }

    /**
     * True when the pending lock can no longer land: margin's clock is past its recorded not_after +
     * the clock skew (collateral-service refuses to lock after not_after by the database clock, within
     * the skew of margin's). A row without a recorded not_after (written before V6) is judged by how
     * long ago it was asked (margin's database clock): longer than {@link #legacySettledAfter()}.
     */
    boolean settled(WithdrawalStore.Pending p) {
        long notAfter = p.withdrawal().lockNotAfterMs();
        if (notAfter > 0) {
            return System.currentTimeMillis() > notAfter + clockSkew.toMillis();
        }
        return p.askedAgoMs() > legacySettledAfter().toMillis();
    }

    /**
     * For a row without a recorded not_after: its longest call then the former in-doubt window, and
     * never less than one deadline (the not_after it carried) + the skew.
     */
    java.time.Duration legacySettledAfter() {
        java.time.Duration former = calls.longest().plus(calls.deadline().multipliedBy(2));
        java.time.Duration fenced = calls.deadline().plus(clockSkew);
        return former.compareTo(fenced) >= 0 ? former : fenced;
    }
}
