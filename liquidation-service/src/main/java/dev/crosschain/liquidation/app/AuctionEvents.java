package dev.crosschain.liquidation.app;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ids of auctions that changed (opened, bid on, closed, reset, bid settled, bid undone), told here by this process when it makes the
 * change and by {@link ReplicaChanges} when another replica made it. WatchAuctions re-reads the auction for each.
 */
@ApplicationScoped
public class AuctionEvents {

    private final BroadcastProcessor<String> changes = BroadcastProcessor.create();

    public void changed(String auctionId) {
        synchronized (changes) {
            changes.onNext(auctionId);
        }
    }

    /** A hot stream of changed auction ids; nothing is replayed. */
    public Multi<String> changes() {
        return changes;
    }
}
