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

    public PendingWithdrawals(WithdrawalStore store, WithdrawalClient collateral, Calls calls) {
        this.store = store;
        this.collateral = collateral;
        this.calls = calls;
    }

    /**
     * Asks collateral-service about each: locked -> recorded LOCKED; not found and asked longer ago
     * than a lock request can still be committed -> forgotten (nothing was locked). Returns the ids
     * still unresolved (no answer, or not found too soon to be sure).
     */
    public List<String> resolve(String accountId, String exceptId) {
        List<String> unresolved = new ArrayList<>();
        for (WithdrawalStore.Pending p : store.checkedOf(accountId, exceptId)) {
            String id = p.withdrawal().withdrawalId();
            Optional<WithdrawalClient.Locked> there;
            try {
                there = collateral.find(id);
            } catch (DependencyException e) {
                unresolved.add(id);
                continue;
            }
            if (there.isPresent()) {
                store.markLocked(id, there.get().lockedAtMs());
            } else if (p.askedAgoMs() > settledAfter().toMillis()) {
                store.forgetChecked(id);
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

    /** A lock asked longer ago than this cannot be committed any more: its longest call, then the in-doubt window. */
    java.time.Duration settledAfter() {
        return calls.longest().plus(calls.deadline().multipliedBy(2));
    }
}
