package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.store.AuctionChangeFeed;
import dev.crosschain.liquidation.store.AuctionStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Tells this replica's watchers ({@link AuctionEvents}) of the auction changes other replicas commit, heard through
 * {@link AuctionChangeFeed}. Whenever the feed (re)starts listening, what it may have missed is sent to them as changed:
 * every OPEN auction, every auction closed since the feed last knew itself caught up and every auction with a bid
 * ACCEPTED or settled since then, so a watcher ends with the current state of each (intermediate versions in the gap
 * are not replayed).
 */
@ApplicationScoped
public class ReplicaChanges {

    private static final Logger LOG = Logger.getLogger(ReplicaChanges.class);

    private final AuctionChangeFeed feed;
    private final AuctionStore store;
    private final AuctionEvents events;

    public ReplicaChanges(AuctionChangeFeed feed, AuctionStore store, AuctionEvents events) {
        this.feed = feed;
        this.store = store;
        this.events = events;
    }

    void onStart(@Observes StartupEvent event) {
        feed.start(events::changed, this::catchUp);
    }

    void onStop(@Observes ShutdownEvent event) {
        feed.stop();
    }

    private void catchUp(Instant since) {
        List<String> ids = store.changedSince(since);
        LOG.debugf("listening for other replicas' auction changes; %d auctions that may have changed since %s sent to watchers again",
                ids.size(), since);
        ids.forEach(events::changed);
    }
}
