package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One part of a lot (or of what a bid bought): a position (instrument, signed quantity), collateral (chain, asset,
 * token amount), or the USD allocation of an ISOLATED bucket backing the position of {@code instrument} (whole cents;
 * only in the lot of a bucket auction, paid out of the account's settlement line).
 */
public record LotItem(Kind kind, String instrument, String chainId, String asset, BigDecimal quantity) {

    public enum Kind { POSITION, COLLATERAL, ALLOCATION }

    /** Decimals of an {@link Kind#ALLOCATION} item: margin-service keeps a bucket in whole cents. */
    public static final int ALLOCATION_DECIMALS = 2;

    public LotItem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(quantity, "quantity");
        instrument = instrument == null ? "" : instrument;
        chainId = chainId == null ? "" : chainId;
        asset = asset == null ? "" : asset;
    }

    public static LotItem position(String instrument, BigDecimal quantity) {
        return new LotItem(Kind.POSITION, instrument, "", "", quantity);
    }

    public static LotItem collateral(String chainId, String asset, BigDecimal amount) {
        return new LotItem(Kind.COLLATERAL, "", chainId, asset, amount);
    }

    /** The bucket allocation backing the position of {@code instrument}, USD. */
    public static LotItem allocation(String instrument, BigDecimal usd) {
        return new LotItem(Kind.ALLOCATION, instrument, "", "", usd);
    }

    public LotItem withQuantity(BigDecimal newQuantity) {
        return new LotItem(kind, instrument, chainId, asset, newQuantity);
    }
}
