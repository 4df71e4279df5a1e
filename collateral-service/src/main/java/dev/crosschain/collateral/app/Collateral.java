package dev.crosschain.collateral.app;

import dev.crosschain.collateral.client.PricingFeed;
import dev.crosschain.collateral.domain.AccountHoldings;
import dev.crosschain.collateral.domain.CollateralValuation;
import dev.crosschain.collateral.domain.CollateralValuer;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.NotFoundException;
import dev.crosschain.collateral.domain.TransferOrder;
import dev.crosschain.collateral.store.BalanceStore;
import dev.crosschain.collateral.store.TransferStore;
import jakarta.enterprise.context.ApplicationScoped;

import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainRegistry;
import dev.crosschain.collateral.domain.MarketData;
import dev.crosschain.collateral.domain.Violation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Use cases on balances: valued views and internal transfers. Blocking: call from worker threads. */
@ApplicationScoped
public class Collateral {

    private final Registry registry;
    private final BalanceStore balances;
    private final TransferStore transfers;
    private final PricingFeed pricing;
    private final ChainHealth health;
    private final LedgerChanges changes;
    private final CollateralValuer valuer;
    private final Clock clock = Clock.systemUTC();

    public Collateral(Registry registry, BalanceStore balances, TransferStore transfers, PricingFeed pricing,
                      ChainHealth health, LedgerChanges changes, CollateralConfig config) {
        this.registry = registry;
        this.health = health;
        this.valuer = new CollateralValuer(config.valuation().staleAddon());
        this.balances = balances;
        this.transfers = transfers;
        this.pricing = pricing;
        this.changes = changes;
    }

    /**
     * The valued collateral of an account; UNKNOWN_ACCOUNT if it never held any. Prices come from the streamed feed:
     * when pricing-service is down the view is still answered, conservatively (stale prices: stale add-on and a
     * longer latency horizon; missing prices: 0) and flagged price_stale, for margin-service to read.
     */
    public CollateralValuation view(String accountId) {
        requireAccount(accountId);
        AccountHoldings holdings = balances.account(accountId);
        if (holdings.balances().isEmpty()) {
            throw new NotFoundException("UNKNOWN_ACCOUNT", "account " + accountId + " has never held collateral");
        }
        return value(holdings);
    }

    /** Most accounts one {@link #views} call values: a bounded read and answer. */
    public static final int MAX_ACCOUNTS = 1_000;

    /** {@link #views}' answer: the known accounts' views and the unknown ids, each in request order. */
    public record Views(List<CollateralValuation> views, List<String> unknown) {
    }

    /**
     * The valued collateral of up to {@link #MAX_ACCOUNTS} distinct accounts (GetCollaterals): balances read in one
     * transaction, every account valued at the same prices, registry and chain health, each exactly as
     * {@link #view} values it; an account that never held any is listed unknown, not refused.
     */
    public Views views(List<String> accountIds) {
        requireAccounts(accountIds);
        // balances first, then the clock and prices, as view() does: prices never older than the balances they value
        List<AccountHoldings> held = balances.accounts(accountIds);
        Instant now = clock.instant();
        MarketData market = pricing.market(now);
        ChainRegistry chains = registry.current();
        Map<String, ChainCondition> conditions = health.current();
        List<CollateralValuation> views = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (AccountHoldings holdings : held) {
            if (holdings.balances().isEmpty()) {
                unknown.add(holdings.accountId());
            } else {
                views.add(valuer.value(holdings, market, chains, conditions, now));
            }
        }
        return new Views(views, unknown);
    }

    /** INVALID_ARGUMENT for an empty or too long list, blank or repeated ids; the reason is the first violation's. */
    private static void requireAccounts(List<String> accountIds) {
        if (accountIds.isEmpty()) {
            throw new InvalidInputException("MISSING_FIELD", "account_ids", "at least one account id is required");
        }
        if (accountIds.size() > MAX_ACCOUNTS) {
            throw new InvalidInputException("TOO_MANY_ACCOUNTS", "account_ids",
                    accountIds.size() + " account ids; at most " + MAX_ACCOUNTS + " per call");
        }
        List<Violation> violations = new ArrayList<>();
        String reason = null;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < accountIds.size(); i++) {
            String id = accountIds.get(i);
            if (id.isBlank()) {
                reason = reason == null ? "MISSING_FIELD" : reason;
                violations.add(new Violation("account_ids[" + i + "]", "the account id is required"));
            } else if (!seen.add(id)) {
                reason = reason == null ? "DUPLICATE_ACCOUNT" : reason;
                violations.add(new Violation("account_ids[" + i + "]", "account " + id + " is named twice"));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
    }

    /** The view for a watcher: an account without balances gets an empty view. */
    public CollateralValuation watchedView(String accountId) {
        return value(balances.account(accountId));
    }

    private CollateralValuation value(AccountHoldings holdings) {
        Instant now = clock.instant();
        return valuer.value(holdings, pricing.market(now), registry.current(), health.current(), now);
    }

    /** Every account that holds or held collateral. */
    public List<String> accounts() {
        return balances.accounts();
    }

    /** Validates and commits a transfer (or answers its replay), then announces the accounts it moved. */
    public TransferStore.Committed transfer(String transferId, List<TransferOrder.RawLeg> legs, String memo) {
        TransferOrder order = TransferOrder.validate(transferId, legs, memo, registry.current());
        TransferStore.Committed committed = transfers.transfer(order);
        if (!committed.replayed()) {
            Set<String> moved = new java.util.TreeSet<>();
            order.legs().forEach(l -> {
                moved.add(l.fromAccountId());
                moved.add(l.toAccountId());
            });
            changes.publish(moved);
        }
        return committed;
    }

    private static void requireAccount(String accountId) {
        if (accountId == null || accountId.isBlank()) {
            throw new InvalidInputException("MISSING_FIELD", "account_id", "the account id is required");
        }
    }
}
