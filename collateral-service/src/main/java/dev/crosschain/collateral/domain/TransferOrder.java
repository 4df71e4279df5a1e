package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A validated transfer: legs that move available balance, applied all together or not at all.
 * Its request hash identifies the payload (legs in order, amounts normalised; not the memo) for idempotency.
 */
public record TransferOrder(String transferId, List<Leg> legs, String memo) {

    public static final String MISSING_FIELD = "MISSING_FIELD";

    public TransferOrder {
        legs = List.copyOf(legs);
    }

    /** One movement of {@code amount} of {@code asset} on {@code chainId} from one account to another. */
    public record Leg(String fromAccountId, String toAccountId, String chainId, String asset, BigDecimal amount) {
    }

    /** A leg as received, not validated. */
    public record RawLeg(String fromAccountId, String toAccountId, String chainId, String asset, String amount) {
    }

    /**
     * Validates every field of every leg; all violations are reported together, under the reason of the first
     * ({@code legs[1].amount} style field paths).
     */
    public static TransferOrder validate(String transferId, List<RawLeg> raw, String memo, ChainRegistry registry) {
        List<Violation> violations = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (transferId == null || transferId.isBlank()) {
            add(violations, reasons, MISSING_FIELD, "transfer_id", "the transfer id is required");
        }
        if (raw.isEmpty()) {
            add(violations, reasons, MISSING_FIELD, "legs", "at least one leg is required");
        }
        List<Leg> legs = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            RawLeg leg = raw.get(i);
            String at = "legs[" + i + "]";
            boolean ok = true;
            for (InvalidInputException bad : new InvalidInputException[] {
                    AccountIds.problem(leg.fromAccountId(), at + ".from_account_id"),
                    AccountIds.problem(leg.toAccountId(), at + ".to_account_id")}) {
                if (bad != null) {
                    Violation v = bad.violations().get(0);
                    ok = add(violations, reasons, bad.reason(), v.field(), v.description());
                }
            }
            if (!blank(leg.fromAccountId()) && leg.fromAccountId().equals(leg.toAccountId())) {
                ok = add(violations, reasons, "SAME_ACCOUNT",
                        at + ".to_account_id", "must differ from from_account_id");
            }
            if (blank(leg.chainId())) {
                ok = add(violations, reasons, MISSING_FIELD, at + ".chain_id", "the chain is required");
                continue;
            }
            ChainSpec chain = registry.chain(leg.chainId()).orElse(null);
            if (chain == null) {
                add(violations, reasons, "UNKNOWN_CHAIN", at + ".chain_id", "unknown chain: " + WireText.shown(leg.chainId()));
                continue;
            }
            if (blank(leg.asset())) {
                add(violations, reasons, MISSING_FIELD, at + ".asset", "the asset is required");
                continue;
            }
            AssetSpec asset = chain.asset(leg.asset()).orElse(null);
            if (asset == null) {
                add(violations, reasons, "UNKNOWN_ASSET", at + ".asset", "asset " + WireText.shown(leg.asset()) + " is not listed on " + chain.id());
                continue;
            }
            try {
                BigDecimal amount = Amounts.tokenAmount(leg.amount(), asset.decimals(), at + ".amount");
                if (ok) {
                    legs.add(new Leg(leg.fromAccountId(), leg.toAccountId(), chain.id(), asset.symbol(), amount));
                }
            } catch (InvalidInputException e) {
                e.violations().forEach(v -> add(violations, reasons, e.reason(), v.field(), v.description()));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reasons.get(0), violations);
        }
        return new TransferOrder(transferId, legs, memo == null ? "" : memo);
    }

    /** SHA-256 (hex) of the legs, amounts normalised, so "1.50" and "1.5" are the same request. */
    public String requestHash() {
        StringBuilder canonical = new StringBuilder();
        for (Leg leg : legs) {
            canonical.append(leg.fromAccountId()).append('\u0000').append(leg.toAccountId()).append('\u0000')
                    .append(leg.chainId()).append('\u0000').append(leg.asset()).append('\u0000')
                    .append(Amounts.plain(leg.amount())).append('\n');
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    private static boolean add(List<Violation> violations, List<String> reasons, String reason, String field, String description) {
        violations.add(new Violation(field, description));
        reasons.add(reason);
        return false;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
