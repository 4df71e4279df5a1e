package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated withdrawal lock: move {@code amount} of {@code asset} on {@code chainId} from the account's available
 * to its locked balance, to be sent to {@code destination}, not after {@code notAfterUnixMs} (Unix milliseconds of
 * this service's clock; 0: no limit). Its request hash identifies the payload for idempotency (amount normalised, so
 * "1.50" and "1.5" are the same request); the not-after instant is no part of it: each retry of a caller may carry
 * its own, and a replay is answered whatever it says.
 */
public record WithdrawalOrder(String withdrawalId, String accountId, String chainId, String asset, BigDecimal amount,
                              String destination, long notAfterUnixMs) {

    public static final int MAX_DESTINATION = 128;
    public static final int MAX_ACCOUNT = AccountIds.MAX;

    /**
     * A lock as received, not validated; {@code notAfterUnixMs} 0 when the caller set no limit. No constructor
     * defaults it: production code must pass the request's fence on, never drop it.
     */
    public record Raw(String withdrawalId, String accountId, String chainId, String asset, String amount,
                      String destination, long notAfterUnixMs) {
    }

    /**
     * Validates every field; all violations are reported together under the reason of the first (field paths are
     * the request's field names).
     */
    public static WithdrawalOrder validate(Raw raw, ChainRegistry registry) {
        List<Violation> violations = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Violation id = IdempotencyKey.check(raw.withdrawalId(), "withdrawal_id");
        if (id != null) {
            add(violations, reasons, blank(raw.withdrawalId()) ? "MISSING_FIELD" : "INVALID_ID", id);
        }
        InvalidInputException account = AccountIds.problem(raw.accountId(), "account_id");
        if (account != null) {
            add(violations, reasons, account.reason(), account.violations().get(0));
        }
        if (blank(raw.destination())) {
            add(violations, reasons, "MISSING_FIELD", new Violation("destination_address", "the destination address is required"));
        } else if (!printableAscii(raw.destination(), MAX_DESTINATION)) {
            add(violations, reasons, "INVALID_DESTINATION", new Violation("destination_address",
                    "must be 1 to " + MAX_DESTINATION + " printable ASCII characters"));
        }
        if (raw.notAfterUnixMs() < 0) {
            add(violations, reasons, "INVALID_NOT_AFTER", new Violation("not_after_unix_ms",
                    "must be Unix milliseconds, or 0 for no limit; got " + raw.notAfterUnixMs()));
        }
        BigDecimal amount = null;
        AssetSpec asset = null;
        if (blank(raw.chainId())) {
            add(violations, reasons, "MISSING_FIELD", new Violation("chain_id", "the chain is required"));
        } else {
            ChainSpec chain = registry.chain(raw.chainId()).orElse(null);
            if (chain == null) {
                add(violations, reasons, "UNKNOWN_CHAIN", new Violation("chain_id", "unknown chain: " + shown(raw.chainId())));
            } else if (blank(raw.asset())) {
                add(violations, reasons, "MISSING_FIELD", new Violation("asset", "the asset is required"));
            } else {
                asset = chain.asset(raw.asset()).orElse(null);
                if (asset == null) {
                    add(violations, reasons, "UNKNOWN_ASSET", new Violation("asset",
                            "asset " + shown(raw.asset()) + " is not listed on " + chain.id()));
                } else {
                    try {
                        amount = Amounts.tokenAmount(raw.amount(), asset.decimals(), "amount");
                    } catch (InvalidInputException e) {
                        e.violations().forEach(v -> add(violations, reasons, e.reason(), v));
                    }
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reasons.get(0), violations);
        }
        return new WithdrawalOrder(raw.withdrawalId(), raw.accountId(), raw.chainId(), asset.symbol(), amount, raw.destination(),
                raw.notAfterUnixMs());
    }

    /** SHA-256 (hex) of the payload, the id and the not-after instant aside. */
    public String requestHash() {
        return IdempotencyKey.hash(accountId, chainId, asset, Amounts.plain(amount), destination);
    }

    /**
     * Refuses FAILED_PRECONDITION LOCK_EXPIRED a lock judged after its not-after instant: {@code now} (this service's
     * clock, read by the caller) later than it. A lock without a limit, or judged at the instant itself, may proceed.
     */
    public void requireNotExpiredAt(Instant now) {
        if (notAfterUnixMs > 0 && now.isAfter(Instant.ofEpochMilli(notAfterUnixMs))) { // to the clock's precision, not the ms
            throw new PreconditionException("LOCK_EXPIRED", "not_after_unix_ms", "withdrawal " + withdrawalId
                    + " was to be locked not after " + Instant.ofEpochMilli(notAfterUnixMs) + " (" + notAfterUnixMs
                    + " ms), and it is " + now + " (" + now.toEpochMilli() + " ms) at collateral-service: nothing was locked");
        }
    }

    /** Client text for an error message, cut to 64 characters: a megabyte name must not come back in the trailers. */
    public static String shown(String text) {
        return WireText.shown(text);
    }

    /** True when every character is printable ASCII (space to tilde) and there are 1 to {@code max} of them. */
    public static boolean printableAscii(String s, int max) {
        return WireText.printableAscii(s, max);
    }

    private static void add(List<Violation> violations, List<String> reasons, String reason, Violation v) {
        violations.add(v);
        reasons.add(reason);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
