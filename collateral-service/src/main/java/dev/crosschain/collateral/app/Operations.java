package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.Caller;
import dev.crosschain.collateral.domain.IdempotencyKey;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.Violation;
import dev.crosschain.collateral.domain.AccountIds;
import dev.crosschain.collateral.store.OperatorStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Operators' use cases outside the registry: reading alerts, listing and lifting withdrawal freezes. Blocking. */
@ApplicationScoped
public class Operations {

    private static final Logger LOG = Logger.getLogger(Operations.class);
    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 1000;
    public static final int MAX_REASON = 1024;

    private final OperatorStore store;
    private final LedgerChanges changes;
    private final Withdrawals withdrawals;

    public Operations(OperatorStore store, LedgerChanges changes, Withdrawals withdrawals) {
        this.store = store;
        this.changes = changes;
        this.withdrawals = withdrawals;
    }

    /** One page of alerts and the token of the next (empty on the last page). */
    public record AlertPage(List<OperatorStore.StoredAlert> alerts, String nextPageToken) {
    }

    /**
     * Alerts newest first: {@code pageSize} 0 means 100, more than 1000 is cut to 1000, negative is INVALID_PAGE_SIZE;
     * the token is the id below which the next page starts.
     */
    public AlertPage alerts(int pageSize, String pageToken, boolean criticalOnly) {
        if (pageSize < 0) {
            throw new InvalidInputException("INVALID_PAGE_SIZE", "page_size", "must be >= 0, got " + pageSize);
        }
        int size = pageSize == 0 ? DEFAULT_PAGE : Math.min(pageSize, MAX_PAGE);
        long before = Long.MAX_VALUE;
        if (!pageToken.isEmpty()) {
            try {
                before = Long.parseLong(pageToken);
            } catch (NumberFormatException e) {
                before = -1;
            }
            if (before <= 0) {
                throw new InvalidInputException("INVALID_PAGE_TOKEN", "page_token", "not a token from a previous page");
            }
        }
        // One more than the page tells whether there is a next page.
        List<OperatorStore.StoredAlert> found = store.alerts(size + 1, before, criticalOnly);
        if (found.size() <= size) {
            return new AlertPage(found, "");
        }
        List<OperatorStore.StoredAlert> page = found.subList(0, size);
        return new AlertPage(page, Long.toString(page.get(size - 1).id()));
    }

    /**
     * Lifts one withdrawal freeze of the account ({@code freezeId}, from {@link #freezes}), recorded under the
     * operator's name; idempotent by change id. When it was the account's last open freeze, the account's held
     * withdrawal instructions are released at once to this replica's adapter streams (other replicas' streams find
     * them at their next poll).
     */
    public OperatorStore.Unfrozen unfreeze(Caller operator, String changeId, String accountId, long freezeId, String reason) {
        List<Violation> violations = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Violation key = IdempotencyKey.check(changeId, "change_id");
        if (key != null) {
            violations.add(key);
            reasons.add(changeId == null || changeId.isEmpty() ? "MISSING_FIELD" : "INVALID_ID");
        }
        InvalidInputException account = AccountIds.problem(accountId, "account_id");
        if (account != null) {
            violations.addAll(account.violations());
            reasons.add(account.reason());
        }
        if (freezeId == 0) {
            violations.add(new Violation("freeze_id", "the freeze to lift is required (ListFreezes names the account's freezes)"));
            reasons.add("MISSING_FIELD");
        } else if (freezeId < 0) {
            violations.add(new Violation("freeze_id", "must be > 0, got " + freezeId));
            reasons.add("INVALID_ID");
        }
        if (reason == null || reason.isBlank()) {
            violations.add(new Violation("reason", "why, for the record, is required"));
            reasons.add("MISSING_FIELD");
        } else if (reason.length() > MAX_REASON) {
            violations.add(new Violation("reason", "at most " + MAX_REASON + " characters"));
            reasons.add("INVALID_REASON");
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reasons.get(0), violations);
        }
        OperatorStore.Unfrozen unfrozen = store.unfreeze(changeId,
                IdempotencyKey.hash("UNFREEZE_ACCOUNT", accountId, Long.toString(freezeId), reason),
                accountId, freezeId, reason, operator.name());
        if (!unfrozen.replayed()) {
            LOG.infof("operator %s lifted freeze %d of account %s (still frozen: %s, change %s): %s", operator.name(),
                    freezeId, accountId, unfrozen.stillFrozen(), changeId, reason);
            // Views carry the frozen reason: watchers get a new one.
            changes.publish(Set.of(accountId));
            if (!unfrozen.stillFrozen()) {
                withdrawals.release(Withdrawals.ALL_CHAINS);
            }
        }
        return unfrozen;
    }

    /** The account's freezes: open ones, then (if asked) lifted ones, newest first in each. */
    public List<OperatorStore.StoredFreeze> freezes(String accountId, boolean includeLifted) {
        InvalidInputException account = AccountIds.problem(accountId, "account_id");
        if (account != null) {
            throw account;
        }
        return store.freezes(accountId, includeLifted);
    }
}
