package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One part of a lot (or of what a bid bought): a position (instrument, signed quantity) or
 * collateral (chain, asset, token amount).
 */
public record LotItem(Kind kind, String instrument, String chainId, String asset, BigDecimal quantity) {

    public enum Kind { POSITION, COLLATERAL }

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

    public LotItem withQuantity(BigDecimal newQuantity) {
        return new LotItem(kind, instrument, chainId, asset, newQuantity);
    }
}
