package dev.crosschain.collateral.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Idempotency keys of the wire (withdrawal_id, change_id) and the payload hashes they are matched with. */
public final class IdempotencyKey {

    /** 1 to 128 characters of A-Z a-z 0-9 . _ : - (the proto's rule). */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private IdempotencyKey() {
    }

    /** Null when {@code value} is a valid key, else what is wrong with it (MISSING_FIELD when empty). */
    public static Violation check(String value, String field) {
        if (value == null || value.isEmpty()) {
            return new Violation(field, "the idempotency key is required");
        }
        if (!KEY.matcher(value).matches()) {
            return new Violation(field, "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        return null;
    }

    /** SHA-256 (hex) of the fields joined by NUL: the same payload gives the same hash. */
    public static String hash(String... fields) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String f : fields) {
                sha.update(f.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }
}
