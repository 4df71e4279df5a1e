package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.client.MarginClient;
import dev.crosschain.liquidation.domain.AccountSnapshot;
import dev.crosschain.liquidation.domain.PriceCurve;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Opens an auction for an account margin-service reports in LIQUIDATION, and freezes the account. */
@ApplicationScoped
public class Breaches {

    private static final Logger LOG = Logger.getLogger(Breaches.class);

    private final AuctionStore store;
    private final MarginClient margin;
    private final AuctionEvents events;
    private final Clock clock;
    private final PriceCurve curve;
    /** Accounts whose auction could not be opened (upstream or database down): recovery retries them. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    public Breaches(AuctionStore store, MarginClient margin, AuctionEvents events, Clock clock, LiquidationConfig config) {
        this.store = store;
        this.margin = margin;
        this.events = events;
        this.clock = clock;
        this.curve = config.curve().validated();
    }

    /** Creates this bean at start, so a bad {@code liquidation.curve.*} fails the start (see the constructor). */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("auctions open with %s", curve);
    }

    /** A LIQUIDATION event: opens the account's auction unless one is already running. Never throws. */
    public void onLiquidation(String accountId) {
        if (accountId == null || accountId.isBlank()) {
            return;
        }
        try {
            open(accountId);
            pending.remove(accountId);
        } catch (DependencyException e) {
            if (e.transientFailure()) {
                LOG.warnf("cannot open auction for %s yet, will retry: %s", accountId, e.getMessage());
                pending.add(accountId);
            } else {
                LOG.errorf(e, "cannot open auction for %s", accountId);
                pending.remove(accountId);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "cannot open auction for %s yet, will retry", accountId);
            pending.add(accountId);
        }
    }

    /** An event saying the account is no longer in LIQUIDATION: stop retrying it. */
    public void onNotLiquidation(String accountId) {
        pending.remove(accountId);
    }

    /** Retries the accounts whose auction could not be opened. */
    public void retryPending() {
        for (String accountId : Set.copyOf(pending)) {
            onLiquidation(accountId);
        }
    }

    /** Freezes the account of an open auction; recovery retries when margin-service does not answer. */
    public void freeze(String auctionId, String accountId) {
        try {
            margin.setFreeze(accountId, true, auctionId);
            store.markFrozen(auctionId);
        } catch (DependencyException e) {
            LOG.warnf("freezing %s for auction %s failed, will retry: %s", accountId, auctionId, e.getMessage());
        }
    }

    private void open(String accountId) {
        if (store.hasActiveAuction(accountId)) {
            return;
        }
        AccountSnapshot snapshot = margin.accountSnapshot(accountId);
        String auctionId = "auc-" + UUID.randomUUID();
        Instant now = clock.instant();
        if (!store.insertAuction(auctionId, accountId, now, snapshot.markValueUsd(), curve, snapshot.lot())) {
            LOG.debugf("auction for %s already opened elsewhere", accountId);
            return;
        }
        LOG.infof("opened auction %s for %s, mark value %s USD, %d lot items", auctionId, accountId,
                snapshot.markValueUsd().toPlainString(), snapshot.lot().size());
        events.changed(auctionId);
        freeze(auctionId, accountId);
    }
}
