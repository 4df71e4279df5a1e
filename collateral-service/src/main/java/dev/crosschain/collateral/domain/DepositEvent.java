package dev.crosschain.collateral.domain;

import java.util.ArrayList;
import java.util.List;

/** A deposit as an adapter reported it, not validated yet. */
public record DepositEvent(String txHash, long logIndex, String blockHash, String accountId, String asset, String amount) {

    /** Field checks that need only the chain's registry entry; the block is checked against the store. */
    public ValidDeposit validate(ChainSpec chain) {
        List<Violation> missing = new ArrayList<>();
        if (blank(txHash)) {
            missing.add(new Violation("deposit.tx_hash", "the transaction hash is required"));
        }
        if (blank(blockHash)) {
            missing.add(new Violation("deposit.block_hash", "the block hash is required"));
        }
        if (blank(accountId)) {
            missing.add(new Violation("deposit.account_id", "the account is required"));
        }
        if (blank(asset)) {
            missing.add(new Violation("deposit.asset", "the asset is required"));
        }
        if (!missing.isEmpty()) {
            throw new InvalidInputException("MISSING_FIELD", missing);
        }
        AssetSpec spec = chain.asset(asset).orElseThrow(() -> new InvalidInputException("UNKNOWN_ASSET", "deposit.asset",
                "asset " + asset + " is not listed on " + chain.id()));
        return new ValidDeposit(txHash, logIndex, blockHash, accountId, spec,
                Amounts.tokenAmount(amount, spec.decimals(), "deposit.amount"));
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
