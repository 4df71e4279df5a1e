package dev.crosschain.liquidation.app;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ids of auctions that changed in this process (opened, bid on, closed, bid undone). WatchAuctions
 * re-reads the auction for each. Changes made by other replicas are not seen (see the report).
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
