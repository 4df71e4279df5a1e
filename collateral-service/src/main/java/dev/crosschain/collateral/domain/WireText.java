package dev.crosschain.collateral.domain;

/**
 * Rules for text a client sends before the ledger stores it or echoes it. PostgreSQL refuses a NUL byte in TEXT, and
 * a megabyte value must not come back in an error message or a log line.
 */
public final class WireText {

    /** Hashes (transaction, block, parent, checkpoint) and adapter cursors: at most this many characters. */
    public static final int MAX_HASH = 256;
    public static final int MAX_CURSOR = 256;
    /** How much of a client's text an error message or a log line shows. */
    public static final int SHOWN = 64;

    private WireText() {
    }

    /** True when every character is printable ASCII (space to tilde) and there are 1 to {@code max} of them. */
    public static boolean printableAscii(String s, int max) {
        if (s == null || s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Client text for a message or a log: cut to {@link #SHOWN} characters, anything but printable ASCII shown as
     * '?' (no NUL, no line break in a log).
     */
    public static String shown(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() <= SHOWN ? text : text.substring(0, SHOWN);
        StringBuilder out = new StringBuilder(cut.length() + 24);
        for (int i = 0; i < cut.length(); i++) {
            char ch = cut.charAt(i);
            out.append(ch < 0x20 || ch > 0x7e ? '?' : ch);
        }
        if (cut.length() < text.length()) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    /**
     * A required hash: MISSING_FIELD when empty, {@code reason} when not 1 to {@link #MAX_HASH} printable ASCII
     * characters (not echoed).
     */
    public static void requireHash(String value, String field, String reason, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("MISSING_FIELD", field, what + " is required");
        }
        if (!printableAscii(value, MAX_HASH)) {
            throw new InvalidInputException(reason, field, hashRule(value));
        }
    }

    /** The violated hash rule, naming the length given. */
    public static String hashRule(String value) {
        return "must be 1 to " + MAX_HASH + " printable ASCII characters (got " + value.length() + " characters)";
    }

    /**
     * An adapter event's cursor: MISSING_FIELD when empty, INVALID_CURSOR when not 1 to {@link #MAX_CURSOR} printable
     * ASCII characters. A refused cursor cannot be recorded, so the event is refused without recording anything.
     */
    public static InvalidInputException cursorProblem(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return new InvalidInputException("MISSING_FIELD", "cursor", "every event but the hello needs a cursor");
        }
        if (!printableAscii(cursor, MAX_CURSOR)) {
            return new InvalidInputException("INVALID_CURSOR", "cursor", "must be 1 to " + MAX_CURSOR
                    + " printable ASCII characters (got " + cursor.length() + " characters); nothing was recorded");
        }
        return null;
    }
}
