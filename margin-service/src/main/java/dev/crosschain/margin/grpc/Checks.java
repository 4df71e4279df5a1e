package dev.crosschain.margin.grpc;

import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.Side;
import dev.crosschain.margin.domain.Violation;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Collects every violation of a request before failing it; the ErrorInfo reason is the first
 * violation's reason, the BadRequest lists them all.
 */
final class Checks {

    private record Found(String reason, Violation violation) {
    }

    private final List<Found> found = new ArrayList<>();

    String required(String value, String field) {
        if (value == null || value.isBlank()) {
            add("MISSING_FIELD", field, field + " is required");
            return null;
        }
        return value.trim();
    }

    /** An idempotency key: 1 to 128 characters of A-Z a-z 0-9 . _ : - (collateral-service's rule too). */
    String id(String value, String field) {
        String id = required(value, field);
        if (id != null && !id.matches("[A-Za-z0-9._:-]{1,128}")) {
            add("INVALID_ID", field, "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
            return null;
        }
        return id;
    }

    /**
     * A name echoed into messages, keys and upstream calls (account, chain, asset): 1 to 128
     * printable ASCII characters (collateral-service's bound too), so no echo is unbounded.
     */
    String name(String value, String field, String reason) {
        String name = required(value, field);
        if (name != null && !name.matches("[\\x20-\\x7E]{1,128}")) {
            add(reason, field, "must be 1 to 128 printable ASCII characters (got " + name.length() + ")");
            return null;
        }
        return name;
    }

    /** A destination address: 1 to 128 printable ASCII characters. */
    String destination(String value, String field) {
        String address = required(value, field);
        if (address != null && !address.matches("[\\x20-\\x7E]{1,128}")) {
            add("INVALID_DESTINATION", field, "must be 1 to 128 printable ASCII characters");
            return null;
        }
        return address;
    }

    /** An id Explain returned: a UUID (INVALID_SNAPSHOT_ID otherwise). */
    java.util.UUID snapshotId(String value, String field) {
        String id = required(value, field);
        if (id == null) {
            return null;
        }
        try {
            java.util.UUID uuid = java.util.UUID.fromString(id);
            // fromString accepts shortened groups ("1-1-1-1-1"); only the canonical form is an id Explain gave
            if (uuid.toString().equalsIgnoreCase(id)) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        add("INVALID_SNAPSHOT_ID", field, "must be a snapshot id from ExplainResponse (a UUID)");
        return null;
    }

    Instrument instrument(String value, String field) {
        try {
            return Instrument.parse(value, field);
        } catch (InvalidInputException e) {
            found(e);
            return null;
        }
    }

    Side side(dev.crosschain.proto.margin.v1.Side side, String field) {
        switch (side) {
            case SIDE_BUY:
                return Side.BUY;
            case SIDE_SELL:
                return Side.SELL;
            default:
                add("MISSING_FIELD", field, "side must be SIDE_BUY or SIDE_SELL");
                return null;
        }
    }

    /** A margin mode other than UNSPECIFIED. */
    dev.crosschain.margin.domain.MarginMode mode(dev.crosschain.proto.margin.v1.MarginMode mode, String field) {
        switch (mode) {
            case MARGIN_MODE_ISOLATED:
                return dev.crosschain.margin.domain.MarginMode.ISOLATED;
            case MARGIN_MODE_CROSS:
                return dev.crosschain.margin.domain.MarginMode.CROSS;
            case MARGIN_MODE_PORTFOLIO:
                return dev.crosschain.margin.domain.MarginMode.PORTFOLIO;
            default:
                add("MISSING_FIELD", field, "mode must be MARGIN_MODE_ISOLATED, MARGIN_MODE_CROSS or MARGIN_MODE_PORTFOLIO");
                return null;
        }
    }

    /** A risk-parameter set, every bad field reported under {@code field} (INVALID_RISK_PARAMETERS). */
    dev.crosschain.margin.domain.RiskParameters riskParameters(dev.crosschain.proto.margin.v1.RiskParameters value, String field) {
        try {
            return RiskParametersMapper.toDomain(value, field);
        } catch (InvalidInputException e) {
            found(e);
            return null;
        }
    }

    BigDecimal positive(String value, String field, String reason) {
        try {
            return Decimals.positive(value, field, reason);
        } catch (InvalidInputException e) {
            found(e);
            return null;
        }
    }

    /** A non-zero USD amount in whole cents (INVALID_DELTA otherwise). */
    BigDecimal cents(String value, String field) {
        BigDecimal amount = nonZero(value, field, "INVALID_DELTA");
        if (amount != null && !dev.crosschain.margin.domain.IsolatedMargin.inCents(amount)) {
            add("INVALID_DELTA", field, "must be whole cents (at most 2 decimals), got " + value);
            return null;
        }
        return amount;
    }

    BigDecimal nonZero(String value, String field, String reason) {
        try {
            return Decimals.nonZero(value, field, reason);
        } catch (InvalidInputException e) {
            found(e);
            return null;
        }
    }

    void add(String reason, String field, String description) {
        found.add(new Found(reason, new Violation(field, description)));
    }

    private void found(InvalidInputException e) {
        e.violations().forEach(v -> found.add(new Found(e.reason(), v)));
    }

    /** Throws INVALID_ARGUMENT when anything was found. */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidInputException(found.get(0).reason(), found.stream().map(Found::violation).toList());
        }
    }

    /** SHA-256 of a canonical payload: the idempotency fingerprint of a request. */
    static String hash(String canonical) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
