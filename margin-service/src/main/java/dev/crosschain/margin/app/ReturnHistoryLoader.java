package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.history.PriceHistory;
import dev.crosschain.margin.store.ReturnHistoryStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Seeds the return history table from the service's resources at start, for each underlying that has no
 * stored history yet (a fresh database). Idempotent, and safe with several replicas starting at once
 * ({@link ReturnHistoryStore#seedIfEmpty}). A shipped file that does not parse stops the start: it is a
 * build defect, and margin must not run its ES model on a truncated history.
 */
@ApplicationScoped
public class ReturnHistoryLoader {

    private static final Logger LOG = Logger.getLogger(ReturnHistoryLoader.class);

    /** Underlyings shipped in {@code history/<U>-USD.csv} (see history/README.md for the source). */
    static final List<String> SHIPPED = List.of("BTC", "ETH", "SOL");

    private final ReturnHistoryStore store;

    public ReturnHistoryLoader(ReturnHistoryStore store) {
        this.store = store;
    }

    void onStart(@Observes StartupEvent event) {
        seed();
    }

    /** Seeds every shipped underlying that has no history; returns the rows inserted by this call. */
    public int seed() {
        int inserted = 0;
        for (String underlying : SHIPPED) {
            String resource = resourceOf(underlying);
            PriceHistory history = PriceHistory.parse(underlying, resource, read(resource));
            int rows = store.seedIfEmpty(history, resource);
            if (rows > 0) {
                LOG.infof("seeded %d daily closes of %s (%s..%s) from %s", rows, underlying, history.firstDate(),
                        history.lastDate(), resource);
            }
            inserted += rows;
        }
        return inserted;
    }

    static String resourceOf(String underlying) {
        return "history/" + underlying + "-USD.csv";
    }

    private static String read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
