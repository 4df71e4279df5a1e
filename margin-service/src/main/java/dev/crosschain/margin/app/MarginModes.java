package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.IsolatedMargin;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.store.AccountStore;
import dev.crosschain.margin.store.WithdrawalStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** SetMarginMode: a what-if in the new mode first, then the switch, once per request id. */
@ApplicationScoped
public class MarginModes {

    /** A validated request; {@code requestHash} fingerprints account and mode. */
    public record Request(String requestId, String requestHash, String accountId, MarginMode mode) {
    }

    private final AccountStore store;
    private final MarginEngine engine;
    private final WithdrawalStore accountLocks;

    public MarginModes(AccountStore store, MarginEngine engine, WithdrawalStore accountLocks) {
        this.store = store;
        this.engine = engine;
        this.accountLocks = accountLocks;
    }

    /**
     * Switches the account to {@code r.mode()} when it stays healthy in it. A switch to the mode it is
     * in changes nothing and is not checked (the figures do not move). A replay answers the first answer.
     */
    public AccountStore.ModeResult set(Request r) {
        Optional<AccountStore.ModeResult> replay = store.modeChange(r.requestId(), r.requestHash());
        if (replay.isPresent()) {
            return replay.get();
        }
        // Under the account lock of withdrawals and liquidation freezes: a withdrawal checked in the old mode cannot
        // lock while the account switches to a mode in which it would not have held, nor a freeze fall between.
        return accountLocks.underAccountLock(r.accountId(), () -> switchLocked(r));
    }

    /**
     * A switch to ISOLATED opens every position's bucket at its opening allocation from the free pool (collateral
     * value with IM haircuts + realized PnL): INSUFFICIENT_MARGIN with free_pool_usd, required_usd and shortfall_usd
     * when the pool cannot cover their sum.
     */
    private static void requirePoolCovers(AccountRisk after) {
        BigDecimal pool = after.collateral().valueIm().add(after.realizedPnl());
        BigDecimal required = after.positions().stream().map(IsolatedMargin::openingAllocation)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        if (required.compareTo(pool) > 0) {
            BigDecimal shortfall = required.subtract(pool);
            throw new PreconditionException("INSUFFICIENT_MARGIN", "accounts/" + after.accountId(),
                    "the switch to ISOLATED needs " + HealthCheck.usd(required) + " USD for the positions' buckets but the free pool "
                            + "(IM haircuts) holds " + HealthCheck.usd(pool) + " USD: short by " + HealthCheck.usd(shortfall) + " USD",
                    Map.of("free_pool_usd", HealthCheck.usd(pool), "required_usd", HealthCheck.usd(required), "shortfall_usd", HealthCheck.usd(shortfall)));
        }
    }

    private AccountStore.ModeResult switchLocked(Request r) {
        MarginEngine.WhatIf whatIf = engine.whatIfMode(r.accountId(), r.mode());
        AccountRisk before = whatIf.before();
        AccountRisk after = whatIf.after();
        if (after.frozen()) {
            throw new PreconditionException("ACCOUNT_FROZEN", "accounts/" + r.accountId(),
                    "account " + r.accountId() + " is frozen by a liquidation auction: its mode cannot change");
        }
        Map<String, BigDecimal> allocations = Map.of();
        if (before.mode() != r.mode()) {
            if (after.isolated() != null) {
                requirePoolCovers(after);
            }
            HealthCheck.requireHealthy(after, "the switch to " + r.mode());
            if (after.isolated() != null) {
                allocations = new LinkedHashMap<>();
                for (var bucket : after.isolated().buckets()) {
                    allocations.put(bucket.instrument(), bucket.allocation().stripTrailingZeros());
                }
            }
        }
        AccountStore.ModeResult result = store.setMode(new AccountStore.ModeCommand(r.requestId(), r.requestHash(), r.accountId(),
                before.mode(), r.mode(), after.equityIm(), after.initialMargin(), allocations));
        if (!result.replayed()) {
            engine.reevaluateSoon(r.accountId());
        }
        return result;
    }
}
