package dev.crosschain.pricing.app;

import dev.crosschain.pricing.store.ChangeFeed;
import dev.crosschain.pricing.store.MarketStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Keeps {@link MarketState} in step with the database: loads it at start-up (after LISTEN is in
 * place, so no write falls between the two), reloads what another replica changed when its
 * notification arrives, reloads everything after the notification connection was re-established
 * (notifications sent meanwhile are lost) or a reload failed, and sweeps staleness every second
 * so watchers hear of an index that went stale without a write.
 */
@ApplicationScoped
public class MarketSync {

    private static final Logger LOG = Logger.getLogger(MarketSync.class);
    private static final long SWEEP_PERIOD_MS = 1_000;

    private final MarketState state;
    private final MarketStore store;
    private final ChangeFeed feed;
    private final Vertx vertx;
    private final Clock clock = MarketState.CLOCK;
    private final AtomicBoolean reloadAll = new AtomicBoolean();
    private volatile boolean started;
    private long sweepTimer = -1;

    public MarketSync(MarketState state, MarketStore store, ChangeFeed feed, Vertx vertx) {
        this.state = state;
        this.store = store;
        this.feed = feed;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> feed.listen(this::onChange, this::onResubscribed)
                .chain(store::loadAll).invoke(state::load));
        started = true;
        sweepTimer = vertx.setPeriodic(SWEEP_PERIOD_MS, id -> sweep());
        LOG.info("market loaded from the database; listening for other replicas' writes");
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        feed.close();
    }

    private void onChange(ChangeFeed.Change change) {
        if (change.kind() == ChangeFeed.Change.Kind.INDEX && change.revision() > state.revision(change.symbol())) {
            reload(() -> store.loadAsset(change.symbol()).invoke(asset -> {
                if (asset != null) {
                    state.applyAssets(List.of(asset));
                }
            }));
        } else if (change.kind() == ChangeFeed.Change.Kind.SURFACE && change.revision() > state.surfaceVersion(change.symbol())) {
            reload(() -> store.loadSurface(change.symbol()).invoke(surface -> {
                if (surface != null) {
                    state.applySurface(surface);
                }
            }));
        }
    }

    private void onResubscribed() {
        if (started) {
            reloadAll.set(true);
        }
    }

    private void sweep() {
        if (reloadAll.getAndSet(false)) {
            reload(() -> store.loadAll().invoke(state::load));
        }
        state.sweep(clock.instant());
    }

    /**
     * Runs a load on a new duplicated Vert.x context of its own, marked safe, as Hibernate
     * Reactive wants; on failure everything is reloaded at the next sweep.
     */
    private void reload(Supplier<Uni<?>> load) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(v -> load.get().subscribe().with(done -> {
        }, failure -> {
            LOG.warn("reloading the market failed; retrying with a full reload", failure);
            reloadAll.set(true);
        }));
    }
}
