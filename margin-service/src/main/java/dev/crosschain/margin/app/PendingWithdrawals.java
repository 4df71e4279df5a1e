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

    public PendingWithdrawals(WithdrawalStore store, WithdrawalClient collateral, Calls calls, MarginConfig config) {
        this.store = store;
        this.collateral = collateral;
        this.calls = calls;
        this.clockSkew = config.withdrawals().clockSkew();
    }

    /**
     * Asks collateral-service about each: locked with the recorded payload -> recorded LOCKED; not
     * found once the lock can no longer land ({@link #settled}) -> forgotten (nothing was locked).
     * Returns the ids still unresolved: no answer, not found too soon to be sure, or held by
     * collateral-service with another payload (an IDEMPOTENCY conflict, logged as an error and left
     * CHECKED for an operator: never taken for this withdrawal's lock).
     */
    public List<String> resolve(String accountId, String exceptId) {
        List<String> unresolved = new ArrayList<>();
        for (WithdrawalStore.Pending p : store.checkedOf(accountId, exceptId)) {
            WithdrawalStore.WithdrawalRecord w = p.withdrawal();
            String id = w.withdrawalId();
            // judged before asking: a NOT_FOUND read before the fence settled may arrive after it, while a
            // lock queued behind that read still lands in time
            boolean settledBeforeAsking = settled(p);
            Optional<WithdrawalClient.Locked> there;
            try {
                there = collateral.find(id);
            } catch (DependencyException e) {
                unresolved.add(id);
                continue;
            }
            if (there.isPresent()) {
                WithdrawalClient.Order recorded = new WithdrawalClient.Order(id, w.accountId(), w.chainId(), w.asset(),
                        w.amount(), w.destination());
                if (there.get().sameAs(recorded)) {
                    store.markLocked(id, there.get().lockedAtMs());
                } else {
                    LOG.errorf("IDEMPOTENCY conflict: withdrawal %s of account %s is recorded CHECKED here as %s %s on %s to %s, "
                                    + "but collateral-service holds it as account %s, %s %s on %s to %s; left unresolved for an operator",
                            id, accountId, w.amount().toPlainString(), w.asset(), w.chainId(), w.destination(),
                            there.get().accountId(), there.get().amount().toPlainString(), there.get().asset(),
                            there.get().chainId(), there.get().destination());
                    unresolved.add(id);
                }
            } else if (settledBeforeAsking) {
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
