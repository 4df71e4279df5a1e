package dev.crosschain.collateral.app;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;

/** In-process news of accounts whose ledger changed, published after the change committed. */
@ApplicationScoped
public class LedgerChanges {

    private final BroadcastProcessor<String> processor = BroadcastProcessor.create();

    /** Announces committed changes of these accounts. */
    public synchronized void publish(Collection<String> accountIds) {
        for (String account : accountIds) {
            processor.onNext(account);
        }
    }

    /** Account ids as their ledger changes (hot: only changes after subscription). */
    public Multi<String> changes() {
        return processor;
    }
}
