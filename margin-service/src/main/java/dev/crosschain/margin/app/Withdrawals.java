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

    public Withdrawals(WithdrawalStore store, WithdrawalClient collateral, MarginEngine engine) {
        this.store = store;
        this.collateral = collateral;
        this.engine = engine;
    }

    public Result request(Request r) {
        Optional<Result> replay = replayOf(store.find(r.withdrawalId()), r);
        if (replay.isPresent()) {
            return replay.get();
        }
        return store.underAccountLock(r.accountId(), () -> requestLocked(r));
    }

    /** The first answer when the id was locked before with this payload; IDEMPOTENCY_CONFLICT for another payload. */
    private static Optional<Result> replayOf(Optional<WithdrawalRecord> known, Request r) {
        if (known.isEmpty()) {
            return Optional.empty();
        }
        if (!known.get().requestHash().equals(r.requestHash())) {
            throw new ConflictException("IDEMPOTENCY_CONFLICT",
                    "withdrawal " + r.withdrawalId() + " was requested before with a different payload");
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
            Optional<WithdrawalClient.Locked> there = collateral.find(r.withdrawalId());
            if (there.isPresent()) {
                if (!there.get().sameAs(r.order())) {
                    throw new ConflictException("IDEMPOTENCY_CONFLICT",
                            "collateral-service holds withdrawal " + r.withdrawalId() + " with another payload");
                }
                store.markLocked(r.withdrawalId(), there.get().lockedAtMs());
                return Result.of(known.get().locked(there.get().lockedAtMs()), true);
            }
        }
        AccountRisk after = check(r);
        WithdrawalRecord checked = new WithdrawalRecord(r.withdrawalId(), r.requestHash(), r.accountId(), r.chainId(), r.asset(),
                r.amount(), r.destination(), WithdrawalStore.State.CHECKED, after.equityIm(), after.initialMargin(),
                after.maintenanceMargin(), 0L);
        if (!store.saveChecked(checked)) {
            throw new ConflictException("IDEMPOTENCY_CONFLICT", "withdrawal " + r.withdrawalId() + " is recorded with another payload");
        }
        WithdrawalClient.Locked locked;
        try {
            locked = collateral.lock(r.order());
        } catch (PreconditionException | InvalidInputException | ConflictException | NotFoundException refused) {
            store.forgetChecked(r.withdrawalId()); // refused: nothing was locked, nothing is kept
            throw refused;
        } catch (DependencyException unknown) {
            // the lock may or may not have happened: the CHECKED record lets a retry find out
            LOG.warnf("withdrawal %s: lock outcome unknown (%s); a retry will ask collateral-service", r.withdrawalId(),
                    unknown.getMessage());
            throw unknown;
        }
        store.markLocked(r.withdrawalId(), locked.lockedAtMs());
        // false even when collateral-service says replayed (a lock that landed after its lost answer): this is
        // margin-service's first answer for the id
        return Result.of(checked.locked(locked.lockedAtMs()), false);
    }

    /** The what-if: refuses a frozen account and one that would not stay healthy; the account after, otherwise. */
    private AccountRisk check(Request r) {
        MarginEngine.WhatIf whatIf = engine.whatIfWithdrawal(r.accountId(), new Collateral.Withdrawal(r.chainId(), r.asset(), r.amount()));
        AccountRisk after = whatIf.after();
        if (after.frozen()) {
            throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + r.accountId(),
                    "account " + r.accountId() + " is frozen by a liquidation auction: no withdrawals");
        }
        HealthCheck.requireHealthy(after, "the withdrawal");
        return after;
    }
}
