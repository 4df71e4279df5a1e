package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.IsolatedBucket;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.store.AccountStore;
import dev.crosschain.margin.store.WithdrawalStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/** AdjustIsolatedMargin: moves USD between an ISOLATED account's free pool and one bucket, once per request id. */
@ApplicationScoped
public class IsolatedMargins {

    /** A validated request; {@code delta} in whole cents, positive into the bucket; {@code requestHash} fingerprints the rest. */
    public record Request(String requestId, String requestHash, String accountId, String instrument, BigDecimal delta) {
    }

    private final AccountStore store;
    private final MarginEngine engine;
    private final WithdrawalStore accountLocks;

    public IsolatedMargins(AccountStore store, MarginEngine engine, WithdrawalStore accountLocks) {
        this.store = store;
        this.engine = engine;
        this.accountLocks = accountLocks;
    }

    /**
     * Moves {@code r.delta()} between the free pool and the bucket of {@code r.instrument()}: into it only what the
     * free pool (IM haircuts) holds, out of it only while the bucket's equity stays at or above its IM. A replay
     * answers the first answer; nothing changes on a refusal.
     */
    public AccountStore.AdjustResult adjust(Request r) {
        Optional<AccountStore.AdjustResult> replay = store.adjustment(r.requestId(), r.requestHash());
        if (replay.isPresent()) {
            return replay.get();
        }
        // under the account lock of withdrawals and mode switches: they spend the same free pool
        return accountLocks.underAccountLock(r.accountId(), () -> adjustLocked(r));
    }

    private AccountStore.AdjustResult adjustLocked(Request r) {
        // again: a concurrent duplicate may have been answered while this one waited for the lock
        Optional<AccountStore.AdjustResult> replay = store.adjustment(r.requestId(), r.requestHash());
        if (replay.isPresent()) {
            return replay.get();
        }
        engine.requireAvailable(MarginMode.ISOLATED);
        engine.recordNewBuckets(r.accountId());
        AccountRisk now = engine.view(r.accountId());
        String subject = "accounts/" + r.accountId() + "/buckets/" + r.instrument();
        if (now.mode() != MarginMode.ISOLATED) {
            throw new PreconditionException("NOT_ISOLATED", "accounts/" + r.accountId(),
                    "account " + r.accountId() + " is in " + now.mode() + " mode: only an ISOLATED account has buckets");
        }
        if (now.frozen()) {
            throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + r.accountId(),
                    "account " + r.accountId() + " is frozen by a liquidation auction: its buckets cannot change");
        }
        IsolatedBucket bucket = now.isolated().bucket(r.instrument());
        if (bucket == null) {
            throw new PreconditionException("NO_OPEN_POSITION", subject,
                    "account " + r.accountId() + " has no open position in " + r.instrument());
        }
        BigDecimal pool = now.isolated().freePoolIm();
        BigDecimal after = bucket.allocation().add(r.delta());
        if (r.delta().signum() > 0 && r.delta().compareTo(pool) > 0) {
            BigDecimal shortfall = r.delta().subtract(pool.max(BigDecimal.ZERO));
            throw new PreconditionException("INSUFFICIENT_FREE_POOL", subject,
                    "the free pool (IM haircuts) holds " + HealthCheck.usd(pool) + " USD, less than the " + HealthCheck.usd(r.delta())
                            + " USD asked: short by " + HealthCheck.usd(shortfall) + " USD",
                    Map.of("free_pool_usd", HealthCheck.usd(pool), "requested_usd", HealthCheck.usd(r.delta()),
                            "shortfall_usd", HealthCheck.usd(shortfall)));
        }
        if (r.delta().signum() < 0) {
            BigDecimal equityAfter = bucket.equity().add(r.delta());
            if (after.signum() < 0 || equityAfter.compareTo(bucket.initialMargin()) < 0) {
                BigDecimal shortfall = after.signum() < 0 ? after.negate()
                        : bucket.initialMargin().subtract(equityAfter);
                throw new PreconditionException("BUCKET_BELOW_IM", subject,
                        "taking " + HealthCheck.usd(r.delta().negate()) + " USD out of the bucket of " + r.instrument()
                                + " (allocation " + HealthCheck.usd(bucket.allocation()) + " USD) would leave its equity "
                                + HealthCheck.usd(equityAfter) + " USD below its IM " + HealthCheck.usd(bucket.initialMargin())
                                + " USD or its allocation negative: short by " + HealthCheck.usd(shortfall) + " USD",
                        Map.of("allocation_usd", HealthCheck.usd(bucket.allocation()),
                                "bucket_equity_after_usd", HealthCheck.usd(equityAfter),
                                "initial_margin_usd", HealthCheck.usd(bucket.initialMargin()),
                                "shortfall_usd", HealthCheck.usd(shortfall)));
            }
        }
        BigDecimal before = bucket.recorded() ? bucket.allocation().stripTrailingZeros() : null;
        AccountStore.AdjustResult result = store.adjust(new AccountStore.AdjustCommand(r.requestId(), r.requestHash(),
                r.accountId(), r.instrument(), r.delta(), before, after.stripTrailingZeros(),
                Decimals.usd(pool.subtract(r.delta())), quantity(now, r.instrument()), now.realizedPnl()));
        if (!result.replayed()) {
            engine.reevaluateSoon(r.accountId());
        }
        return result;
    }

    /** The quantity of the open position in {@code instrument} the check judged. */
    private static BigDecimal quantity(AccountRisk now, String instrument) {
        return now.positions().stream().map(p -> p.position()).filter(p -> p.instrument().equals(instrument)).findFirst()
                .orElseThrow().quantity();
    }
}
