package dev.crosschain.collateral.app;

import dev.crosschain.collateral.client.DependencyException;
import dev.crosschain.collateral.client.PricingClient;
import dev.crosschain.collateral.domain.CollateralValuation;
import dev.crosschain.collateral.domain.CollateralValuer;
import dev.crosschain.collateral.domain.IndexQuote;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.NotFoundException;
import dev.crosschain.collateral.domain.TransferOrder;
import dev.crosschain.collateral.store.BalanceStore;
import dev.crosschain.collateral.store.TransferStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Use cases on balances: valued views and internal transfers. Blocking: call from worker threads. */
@ApplicationScoped
public class Collateral {

    private static final Logger LOG = Logger.getLogger(Collateral.class);

    private final Registry registry;
    private final BalanceStore balances;
    private final TransferStore transfers;
    private final PricingClient pricing;
    private final LedgerChanges changes;
    private final Clock clock = Clock.systemUTC();

    public Collateral(Registry registry, BalanceStore balances, TransferStore transfers, PricingClient pricing,
                      LedgerChanges changes) {
        this.registry = registry;
        this.balances = balances;
        this.transfers = transfers;
        this.pricing = pricing;
        this.changes = changes;
    }

    /** The valued collateral of an account; UNKNOWN_ACCOUNT if it never held any; pricing must answer. */
    public CollateralValuation view(String accountId) {
        requireAccount(accountId);
        BalanceStore.AccountLedger ledger = balances.account(accountId);
        if (ledger.balances().isEmpty()) {
            throw new NotFoundException("UNKNOWN_ACCOUNT", "account " + accountId + " has never held collateral");
        }
        return CollateralValuer.DEFAULT.value(accountId, ledger.balances(), pricing.indexPrices(), registry.current(),
                clock.instant(), ledger.ledgerVersion());
    }

    /**
     * The view for a watcher: an account without balances gets an empty view, and when pricing-service does not
     * answer every asset is priced 0 and stale (conservative) instead of ending the stream.
     */
    public CollateralValuation watchedView(String accountId) {
        BalanceStore.AccountLedger ledger = balances.account(accountId);
        Map<String, IndexQuote> prices;
        try {
            prices = ledger.balances().isEmpty() ? Map.of() : pricing.indexPrices();
        } catch (DependencyException e) {
            LOG.warnf("valuing %s for a watcher without prices: %s", accountId, e.getMessage());
            prices = Map.of();
        }
        return CollateralValuer.DEFAULT.value(accountId, ledger.balances(), prices, registry.current(), clock.instant(),
                ledger.ledgerVersion());
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
