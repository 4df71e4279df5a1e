package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.Halt;
import dev.crosschain.liquidation.domain.HaltChange;
import dev.crosschain.liquidation.domain.HaltLevel;
import dev.crosschain.liquidation.domain.Halts;
import dev.crosschain.liquidation.domain.InvalidInputException;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.Violation;
import dev.crosschain.liquidation.store.HaltStore;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator halts as this replica obeys them: read from the database at start and every
 * {@code liquidation.halt.refresh}, so a SetHalt answered by any replica holds on every one within that bound
 * (and a database read); on the replica that answered it, at once.
 */
@ApplicationScoped
public class OperatorHalts {

    private static final Logger LOG = Logger.getLogger(OperatorHalts.class);
    /**
     * An underlying as instruments name it (ETH) or a canonical asset name as collateral-service's registry allows
     * it (AssetSpec.SYMBOL: 1 to 32 of A-Z a-z 0-9 . _ -); matched exactly, case included.
     */
    private static final Pattern UNDERLYING = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final int MAX_TEXT = 500;

    private final HaltStore store;
    private final Clock clock;
    private final LotUnderlyings underlyings;
    private volatile Halts current = Halts.NONE;

    public OperatorHalts(HaltStore store, Clock clock, LotUnderlyings underlyings) {
        this.store = store;
        this.clock = clock;
        this.underlyings = underlyings;
    }

    void onStart(@Observes StartupEvent event) {
        refresh();
    }

    @Scheduled(every = "${liquidation.halt.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // the last read stays in force: a database outage lifts no halt
            LOG.warnf("halts not refreshed, keeping the last read: %s", e.getMessage());
        }
    }

    /** Reads the halts again now; serialised, so a slower older read never replaces a newer one. */
    public synchronized Halts refresh() {
        Halts read = Halts.of(store.all());
        if (!read.equals(current)) {
            LOG.infof("halts in force: %s", read.list());
        }
        current = read;
        return read;
    }

    public Halts current() {
        return current;
    }

    /** The strongest halt in force covering an auction of this lot. */
    public Optional<Halt> covering(List<LotItem> lot) {
        return current.covering(underlyings.of(lot));
    }

    /**
     * Sets a scope's level.
     *
     * @param level null when the request named no known level
     * @throws InvalidInputException INVALID_LEVEL, INVALID_SCOPE, MISSING_FIELD, INVALID_TEXT (every bad field reported
     *                               at once, the first one's reason)
     */
    public Halt set(String underlying, HaltLevel level, String changedBy, String reason) {
        List<Violation> violations = new ArrayList<>();
        String why = null;
        if (level == null) {
            violations.add(new Violation("level", "must be HALT_LEVEL_NONE, _NO_NEW_AUCTIONS, _NO_RESETS or _NO_BIDS"));
            why = "INVALID_LEVEL";
        }
        String scope = underlying == null ? "" : underlying.trim();
        if (!scope.isEmpty() && !UNDERLYING.matcher(scope).matches()) {
            violations.add(new Violation("underlying", "1 to 32 characters of A-Z a-z 0-9 . _ - (an underlying such as ETH or a canonical asset), or empty for global; got '" + underlying + "'"));
            why = why == null ? "INVALID_SCOPE" : why;
        }
        for (String[] text : new String[][]{{"changed_by", changedBy}, {"reason", reason}}) {
            if (text[1] == null || text[1].isBlank()) {
                violations.add(new Violation(text[0], text[0] + " is required"));
                why = why == null ? "MISSING_FIELD" : why;
            } else if (text[1].length() > MAX_TEXT) {
                violations.add(new Violation(text[0], "at most " + MAX_TEXT + " characters"));
                why = why == null ? "INVALID_TEXT" : why;
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(why, violations);
        }
        Halt halt = new Halt(scope, level, changedBy.trim(), reason.trim(), clock.instant());
        store.set(halt);
        LOG.warnf("halt %s set to %s by %s: %s", halt.scope(), level, halt.changedBy(), halt.reason());
        try {
            refresh();
        } catch (RuntimeException e) {
            // the write is committed: the scheduled refresh installs it; an error here would make the caller retry a done change
            LOG.warnf("halt %s set, but the halts were not read again yet: %s", halt.scope(), e.getMessage());
        }
        return halt;
    }

    /** Changes with a seq below {@code beforeSeq}, newest first. */
    public List<HaltChange> changes(long beforeSeq, int limit) {
        return store.changes(beforeSeq, limit);
    }
}
