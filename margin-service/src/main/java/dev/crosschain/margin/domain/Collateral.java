package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** An account's collateral: lines and totals (USD) as collateral-service valued them. */
public record Collateral(List<CollateralLine> lines, BigDecimal marketValue, BigDecimal valueIm, BigDecimal valueMm,
                         boolean stale, long asOfMs) {

    public Collateral {
        lines = List.copyOf(lines);
    }

    /** No collateral at all (the account never deposited). */
    public static Collateral none(long nowMs) {
        return new Collateral(List.of(), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, false, nowMs);
    }

    /** Whether {@code other} holds and values the same lines and totals; when either was valued is left out. */
    public boolean sameValuation(Collateral other) {
        return lines.equals(other.lines) && marketValue.compareTo(other.marketValue) == 0 && valueIm.compareTo(other.valueIm) == 0
                && valueMm.compareTo(other.valueMm) == 0 && stale == other.stale;
    }

    /** A requested hypothetical withdrawal. */
    public record Withdrawal(String chainId, String asset, BigDecimal amount) {
    }

    /**
     * The collateral after taking {@code w.amount()} out of its line: market value falls by
     * amount x price, and each haircut value by the same times the line's value per USD of available
     * balance (1 - the average haircut, at most 1). Not per USD of market value: collateral-service's
     * market value includes locked amounts, which its haircut values never count, so that ratio
     * would shrink with every lock and a withdrawal would seem to cost less than it does. (The
     * average haircut is conservative for marginal tiers: a withdrawal leaves the top tier, whose
     * haircut is the highest, so the value really lost is no more than this.) An
     * {@link InvalidInputException} INVALID_QUANTITY on {@code field} when the line does not hold
     * that much available.
     */
    public Collateral withdraw(Withdrawal w, String field) {
        List<CollateralLine> out = new ArrayList<>();
        boolean found = false;
        BigDecimal dMarket = BigDecimal.ZERO;
        BigDecimal dIm = BigDecimal.ZERO;
        BigDecimal dMm = BigDecimal.ZERO;
        for (CollateralLine line : lines) {
            if (!found && line.chainId().equals(w.chainId()) && line.asset().equals(w.asset())) {
                found = true;
                if (w.amount().compareTo(line.available()) > 0) {
                    throw new InvalidInputException("INVALID_QUANTITY", field,
                            "withdrawal of " + Decimals.plain(w.amount()) + " exceeds the available " + Decimals.plain(line.available()));
                }
                BigDecimal gross = w.amount().multiply(line.price());
                dMarket = Decimals.usd(gross);
                BigDecimal availableUsd = line.available().multiply(line.price());
                dIm = Decimals.usd(gross.multiply(ratio(line.valueIm(), availableUsd)));
                dMm = Decimals.usd(gross.multiply(ratio(line.valueMm(), availableUsd)));
                out.add(line.withdrawn(w.amount(), dMarket, dIm, dMm));
            } else {
                out.add(line);
            }
        }
        if (!found) {
            throw new InvalidInputException("INVALID_QUANTITY", field,
                    "no available " + w.asset() + " on " + w.chainId() + " to withdraw");
        }
        return new Collateral(out, marketValue.subtract(dMarket), valueIm.subtract(dIm), valueMm.subtract(dMm), stale, asOfMs);
    }

    /** Value per USD of {@code base}, in [0, 1]; 0 when the base is not positive. */
    private static BigDecimal ratio(BigDecimal value, BigDecimal base) {
        if (base.signum() <= 0) {
            return BigDecimal.ZERO;
        }
        return value.divide(base, 16, RoundingMode.HALF_EVEN).min(BigDecimal.ONE).max(BigDecimal.ZERO);
    }
}
