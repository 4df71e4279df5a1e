package dev.crosschain.collateral.domain;

/**
 * A registry entry breaks a rule of the domain records. {@link #field()} names the offending field relative to the
 * record, in the wire's snake_case (e.g. "confirmations", "im_tiers[1].haircut"), so the registry file loader and
 * the admin RPCs can report the full path of the one rule that was broken.
 */
public class InvalidSpecException extends IllegalArgumentException {

    private final String field;

    public InvalidSpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The same violation seen from one level up: {@code prefix} goes in front of the field. */
    public InvalidSpecException under(String prefix) {
        String path = field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
        return new InvalidSpecException(path, getMessage());
    }
}
