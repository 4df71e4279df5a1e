package dev.crosschain.collateral.domain;

import java.util.ArrayList;
import java.util.List;

/** A deposit as an adapter reported it, not validated yet. */
public record DepositEvent(String txHash, long logIndex, String blockHash, String accountId, String asset, String amount) {

    /**
     * Field checks that need only the chain's registry entry; the block is checked against the store. Every text is
     * bounded and printable ASCII before it reaches the database (a NUL byte or a 100k-digit amount would fail the
     * transaction, and an adapter re-sending such an event would stall its chain): tx and block hashes 1 to
     * {@link WireText#MAX_HASH}, the account by {@link AccountIds}, the asset a listed symbol, the amount by
     * {@link Amounts#tokenAmount}. All violations are reported under the reason of the first.
     */
    public ValidDeposit validate(ChainSpec chain) {
        List<Violation> violations = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (blank(txHash)) {
            add(violations, reasons, "MISSING_FIELD", new Violation("deposit.tx_hash", "the transaction hash is required"));
        } else if (!WireText.printableAscii(txHash, WireText.MAX_HASH)) {
            add(violations, reasons, "INVALID_TX_HASH", new Violation("deposit.tx_hash", WireText.hashRule(txHash)));
        }
        if (blank(blockHash)) {
            add(violations, reasons, "MISSING_FIELD", new Violation("deposit.block_hash", "the block hash is required"));
        } else if (!WireText.printableAscii(blockHash, WireText.MAX_HASH)) {
            add(violations, reasons, "INVALID_BLOCK_HASH", new Violation("deposit.block_hash", WireText.hashRule(blockHash)));
        }
        InvalidInputException account = AccountIds.problem(accountId, "deposit.account_id");
        if (account != null) {
            add(violations, reasons, account.reason(), account.violations().get(0));
        }
        AssetSpec spec = null;
        if (blank(asset)) {
            add(violations, reasons, "MISSING_FIELD", new Violation("deposit.asset", "the asset is required"));
        } else {
            spec = chain.asset(asset).orElse(null);
            if (spec == null) {
                add(violations, reasons, "UNKNOWN_ASSET", new Violation("deposit.asset",
                        "asset " + WireText.shown(asset) + " is not listed on " + chain.id()));
            }
        }
        java.math.BigDecimal value = null;
        if (spec != null) {
            try {
                value = Amounts.tokenAmount(amount, spec.decimals(), "deposit.amount");
            } catch (InvalidInputException e) {
                e.violations().forEach(v -> add(violations, reasons, e.reason(), v));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reasons.get(0), violations);
        }
        return new ValidDeposit(txHash, logIndex, blockHash, accountId, spec, value);
    }

    private static void add(List<Violation> violations, List<String> reasons, String reason, Violation v) {
        violations.add(v);
        reasons.add(reason);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A deposit whose fields are valid for its chain. */
    public record ValidDeposit(String txHash, long logIndex, String blockHash, String accountId, AssetSpec asset,
                               java.math.BigDecimal amount) {

        /** Same account, asset and amount (numerically) as a stored deposit with the same key. */
        public boolean samePayload(String storedAccount, String storedAsset, java.math.BigDecimal storedAmount) {
            return accountId.equals(storedAccount) && asset.symbol().equals(storedAsset) && amount.compareTo(storedAmount) == 0;
        }

        /**
         * SHA-256 (hex) of account, asset and amount (numerically: "1.50" and "1.5" hash alike): one conflicting
         * payload raises one alert however often it is re-sent, another payload raises another.
         */
        public String payloadHash() {
            String text = accountId + "\n" + asset.symbol() + "\n" + amount.stripTrailingZeros().toPlainString();
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(digest);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is always available", e);
            }
        }
    }
}
