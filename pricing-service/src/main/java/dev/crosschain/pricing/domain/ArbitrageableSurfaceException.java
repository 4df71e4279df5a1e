package dev.crosschain.pricing.domain;

import java.util.List;

/** A fit refused because the surface it gives has arbitrage; the previous surface stays. */
public final class ArbitrageableSurfaceException extends RuntimeException {

    private final List<ArbitrageViolation> violations;

    public ArbitrageableSurfaceException(List<ArbitrageViolation> violations) {
        super("fitted surface has " + violations.size() + " arbitrage violation(s)");
        this.violations = List.copyOf(violations);
    }

    public List<ArbitrageViolation> violations() {
        return violations;
    }
}
