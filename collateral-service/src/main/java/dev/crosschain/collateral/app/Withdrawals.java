package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainStatus;
import dev.crosschain.collateral.domain.IdempotencyKey;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.NotFoundException;
import dev.crosschain.collateral.domain.Violation;
import dev.crosschain.collateral.domain.Withdrawal;
import dev.crosschain.collateral.domain.WithdrawalOrder;
import dev.crosschain.collateral.store.WithdrawalStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;

/** Use cases of withdrawals for margin-service: lock and look up. Blocking: call from worker threads. */
@ApplicationScoped
public class Withdrawals {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Withdrawals.class);

    private final Registry registry;
    private final ChainHealth health;
    private final WithdrawalStore store;
    private final LedgerChanges changes;
    /** What {@link #newLocks()} emits when instructions of every chain may have been released (a lifted freeze). */
    public static final String ALL_CHAINS = "*";

    /**
     * Chain ids with a new lock, or instructions a lifted halt or freeze released, in this replica ({@link #ALL_CHAINS}
     * for every chain), so its adapter streams send the instructions at once.
     */
    private final BroadcastProcessor<String> locks = BroadcastProcessor.create();

    /** collateral.withdrawals.get-lock-wait: GetWithdrawal's longest wait for a lock transaction of the id. */
    private final java.time.Duration getLockWait;

    public Withdrawals(Registry registry, ChainHealth health, WithdrawalStore store, LedgerChanges changes, CollateralConfig config) {
        this.getLockWait = config.withdrawals().getLockWait();
        this.registry = registry;
        this.health = health;
        this.store = store;
        this.changes = changes;
    }

    /**
     * Validates and locks (or answers the replay of) a withdrawal; refused FAILED_PRECONDITION ACCOUNT_FROZEN,
     * CHAIN_HALTED, INSUFFICIENT_BALANCE or LOCK_EXPIRED (judged in the lock transaction against the database's clock,
     * see {@link WithdrawalStore#lock}). A new lock is announced to watchers and to the chain's adapter streams.
     * The order is checked against this replica's registry, which may lag a change of the chain's assets (review
     * finding 6); unlike a deposit, a lock creates no holding: it needs an available balance of the asset, and a
     * registry change removing the asset or changing its decimals is refused ASSET_IN_USE while any balance holds it
     * (checked after the chain's in-flight deposit batch, see RegistryStore). So a lock checked against a lagging
     * registry can only meet a zero balance (INSUFFICIENT_BALANCE); transfers likewise only move existing holdings.
     */
    public WithdrawalStore.Locked lock(WithdrawalOrder.Raw raw) {
        WithdrawalOrder order = WithdrawalOrder.validate(raw, registry.current());
        WithdrawalStore.Locked locked;
        try {
            locked = store.lock(order, haltedReason(order.chainId()));
        } catch (dev.crosschain.collateral.domain.PreconditionException e) {
            if ("LOCK_EXPIRED".equals(e.reason())) {
                // each one: a caller's clock running behind the database's (or a lock queued past its fence);
                // a clock that leads every caller's by their deadline refuses every lock
                LOG.warnf("LOCK_EXPIRED: %s", e.getMessage());
            }
            throw e;
        }
        if (!locked.replayed()) {
            changes.publish(Set.of(order.accountId()));
            release(order.chainId());
        }
        return locked;
    }

    /**
     * Wakes this replica's adapter streams of the chain ({@link #ALL_CHAINS}: of every chain) to look for deliverable
     * instructions now rather than at their next poll: after a new lock, a lifted freeze, a lifted halt.
     */
    public void release(String chainId) {
        synchronized (locks) {
            locks.onNext(chainId);
        }
    }

    /**
     * Why the withdrawal's instruction is held (not sent to its adapter) now: its account's withdrawals are frozen,
     * its chain is halted, or both; empty when it is not held, and for a resolved withdrawal.
     */
    public String heldReason(Withdrawal w) {
        if (w.status() != Withdrawal.Status.LOCKED) {
            return "";
        }
        List<String> reasons = new java.util.ArrayList<>(2);
        String frozen = store.frozenReason(w.accountId());
        if (frozen != null) {
            reasons.add("account " + w.accountId() + " is frozen: " + frozen);
        }
        String halted = haltedReason(w.chainId());
        if (halted != null) {
            reasons.add("chain " + w.chainId() + " is halted: " + halted);
        }
        return String.join("; ", reasons);
    }

    public Withdrawal get(String withdrawalId) {
        if (withdrawalId == null || withdrawalId.isEmpty()) {
            throw new InvalidInputException("MISSING_FIELD", "withdrawal_id", "the withdrawal id is required");
        }
        Violation malformed = IdempotencyKey.check(withdrawalId, "withdrawal_id");
        if (malformed != null) {
            throw new InvalidInputException("INVALID_ID", List.of(malformed));
        }
        return store.get(withdrawalId, getLockWait).orElseThrow(() -> new NotFoundException("UNKNOWN_WITHDRAWAL",
                "no withdrawal " + withdrawalId + " was locked"));
    }

    /**
     * The instructions the chain's adapter may be sent now, oldest first: its withdrawals without a result, but
     * none while the chain is halted (by an operator, or HALTED by its status) and none of an account whose
     * withdrawals are frozen. The held ones stay LOCKED (their amount stays locked) and are delivered once the
     * halt or freeze is lifted. An instruction the adapter received before cannot be recalled: its EXECUTED result
     * is still applied (see {@link WithdrawalStore#applyResult}).
     */
    public List<Withdrawal> deliverableOn(String chainId) {
        if (haltedReason(chainId) != null) {
            return List.of();
        }
        return store.deliverableOn(chainId);
    }

    /**
     * Chain ids ({@link #ALL_CHAINS}: every chain) of new locks and of instructions released by a lifted freeze or
     * halt in this replica (hot). Other replicas' locks and lifts are found by polling {@link #deliverableOn}.
     */
    public Multi<String> newLocks() {
        return locks;
    }

    /** Why the chain refuses withdrawals now, or null: an operator halted it, or its status is HALTED. */
    private String haltedReason(String chainId) {
        if (registry.current().halted(chainId)) {
            return "halted by an operator";
        }
        ChainCondition condition = health.current().get(chainId);
        if (condition != null && condition.status() == ChainStatus.HALTED) {
            // The cached view may predate the chain's first events: confirm on a fresh read.
            condition = health.fresh().get(chainId);
        }
        if (condition != null && condition.status() == ChainStatus.HALTED) {
            return condition.reason() == null || condition.reason().isEmpty() ? "HALTED" : condition.reason();
        }
        return null;
    }
}
