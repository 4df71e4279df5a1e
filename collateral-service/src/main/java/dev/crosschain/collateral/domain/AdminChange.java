package dev.crosschain.collateral.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Rules every operator change shares: its idempotency key and the reason given for the record. */
public final class AdminChange {

    /** change_id: 1 to 128 characters of A-Z a-z 0-9 . _ : -. */
    public static final Pattern CHANGE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final int MAX_REASON = 1000;

    private AdminChange() {
    }

    /**
     * INVALID_ARGUMENT unless the change id is well formed and a reason is given: MISSING_FIELD when something is
     * only missing, INVALID_CHANGE (with every violation) otherwise. {@code missing} and {@code invalid} are the
     * request's other violations, reported together.
     */
    public static void require(String changeId, String reason, List<Violation> missing, List<Violation> invalid) {
        List<Violation> violations = new ArrayList<>();
        boolean onlyMissing = true;
        if (changeId == null || changeId.isEmpty()) {
            violations.add(new Violation("change_id", "the change id (idempotency key) is required"));
        } else if (!CHANGE_ID.matcher(changeId).matches()) {
            violations.add(new Violation("change_id", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -"));
            onlyMissing = false;
        }
        if (reason == null || reason.isBlank()) {
            violations.add(new Violation("reason", "a reason is required for the record"));
        } else if (reason.length() > MAX_REASON) {
            violations.add(new Violation("reason", "at most " + MAX_REASON + " characters, got " + reason.length()));
            onlyMissing = false;
        }
        violations.addAll(missing);
        if (!invalid.isEmpty()) {
            violations.addAll(invalid);
            onlyMissing = false;
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(onlyMissing ? "MISSING_FIELD" : "INVALID_CHANGE", violations);
        }
    }
}
