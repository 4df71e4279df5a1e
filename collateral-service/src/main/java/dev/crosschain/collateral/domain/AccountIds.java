package dev.crosschain.collateral.domain;

/**
 * The one rule for account ids wherever a client names one (deposits, withdrawal locks, unfreezes, transfers): 1 to
 * {@link #MAX} printable ASCII characters. PostgreSQL refuses a NUL byte, and an account id is shown in alerts and
 * logs.
 */
public final class AccountIds {

    public static final int MAX = 128;
    public static final String INVALID_ACCOUNT = "INVALID_ACCOUNT";

    private AccountIds() {
    }

    /** Null when {@code accountId} is valid; else MISSING_FIELD (blank) or INVALID_ACCOUNT naming {@code field}. */
    public static InvalidInputException problem(String accountId, String field) {
        if (accountId == null || accountId.isBlank()) {
            return new InvalidInputException("MISSING_FIELD", field, "the account id is required");
        }
        if (!WireText.printableAscii(accountId, MAX)) {
            return new InvalidInputException(INVALID_ACCOUNT, field, "must be 1 to " + MAX
                    + " printable ASCII characters (at most " + MAX + " characters, got " + accountId.length() + ")");
        }
        return null;
    }
}
