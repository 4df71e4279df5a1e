package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * A token on one chain and its risk parameters: canonical priced asset, decimals, wrapped/bridged add-on, marginal
 * haircut schedules for IM and MM, the z of the latency add-on for each, a floor of the annualised volatility
 * used in that add-on, and an optional per-account cap on the counted USD value (above it: haircut 1). A broken
 * rule throws {@link InvalidSpecException} naming the field as the wire does ("decimals", "im_tiers[0].haircut").
 */
public record AssetSpec(String symbol, String canonical, int decimals, boolean wrapped, BigDecimal wrappedAddon,
                        HaircutSchedule im, HaircutSchedule mm, double latencyZIm, double latencyZMm,
                        double minAnnualVol, Optional<BigDecimal> accountCapUsd) {

    public static final int MAX_DECIMALS = 36;
    public static final double MAX_Z = 10.0;
    public static final double MAX_ANNUAL_VOL = 5.0;
    /** Token symbols and canonical asset names: 1 to 32 characters of A-Z a-z 0-9 . _ -. */
    public static final java.util.regex.Pattern SYMBOL = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,32}");

    public AssetSpec {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(canonical, "canonical");
        Objects.requireNonNull(im, "im");
        Objects.requireNonNull(mm, "mm");
        accountCapUsd = accountCapUsd == null ? Optional.empty() : accountCapUsd;
        if (!SYMBOL.matcher(symbol).matches()) {
            throw new InvalidSpecException("asset", "asset symbol must be 1 to 32 characters of A-Z a-z 0-9 . _ -, got '" + symbol + "'");
        }
        if (!SYMBOL.matcher(canonical).matches()) {
            throw new InvalidSpecException("canonical_asset", symbol + ": canonical asset must be 1 to 32 characters of A-Z a-z 0-9 . _ -, got '" + canonical + "'");
        }
        if (decimals < 0 || decimals > MAX_DECIMALS) {
            throw new InvalidSpecException("decimals", symbol + ": decimals must be in [0, " + MAX_DECIMALS + "], got " + decimals);
        }
        requireFraction("wrapped_addon", symbol + " wrapped add-on", wrappedAddon);
        if (!wrapped && wrappedAddon.signum() != 0) {
            throw new InvalidSpecException("wrapped_addon", symbol + ": a wrapped add-on needs wrapped = true");
        }
        if (!mm.nowhereAbove(im)) {
            throw new InvalidSpecException("mm_tiers", symbol + ": the MM haircut schedule exceeds the IM schedule at some size");
        }
        if (!(latencyZMm >= 0 && latencyZMm <= latencyZIm && latencyZIm <= MAX_Z)) {
            throw new InvalidSpecException(latencyZMm >= 0 && latencyZMm <= latencyZIm ? "latency_z_im" : "latency_z_mm", symbol + ": latency z must satisfy 0 <= z_mm <= z_im <= " + MAX_Z
                    + ", got z_im " + latencyZIm + ", z_mm " + latencyZMm);
        }
        if (!(minAnnualVol >= 0 && minAnnualVol <= MAX_ANNUAL_VOL)) {
            throw new InvalidSpecException("min_annual_vol", symbol + ": min annual vol must be in [0, " + MAX_ANNUAL_VOL + "], got " + minAnnualVol);
        }
        if (accountCapUsd.isPresent() && accountCapUsd.get().signum() <= 0) {
            throw new InvalidSpecException("account_cap_usd", symbol + ": account cap must be positive, got " + accountCapUsd.get().toPlainString());
        }
    }

    /** An unwrapped asset with flat haircuts and no latency add-on, no vol floor and no cap. */
    public static AssetSpec flat(String symbol, String canonical, int decimals, BigDecimal haircutIm, BigDecimal haircutMm) {
        return new AssetSpec(symbol, canonical, decimals, false, BigDecimal.ZERO, HaircutSchedule.flat(haircutIm),
                HaircutSchedule.flat(haircutMm), 0, 0, 0, Optional.empty());
    }

    static void requireFraction(String field, String what, BigDecimal value) {
        if (value == null) {
            throw new InvalidSpecException(field, what + " is required");
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0) {
            throw new InvalidSpecException(field, what + " must be in [0, 1], got " + value.toPlainString());
        }
    }
}
