package dev.crosschain.margin.domain;

import java.math.BigDecimal;

/** Health of an account. */
public enum RiskStatus {
    /** Equity (IM haircuts) >= IM. */
    HEALTHY,
    /** Equity (IM haircuts) < IM but not in liquidation: reduce-only, no withdrawals. */
    MARGIN_CALL,
    /** MM > 0 and equity (MM haircuts) <= MM. */
    LIQUIDATION;

    /** The status of an account from its equities and requirements (USD). */
    public static RiskStatus of(BigDecimal equityMm, BigDecimal equityIm, BigDecimal im, BigDecimal mm) {
        if (mm.signum() > 0 && equityMm.compareTo(mm) <= 0) {
            return LIQUIDATION;
        }
        if (equityIm.compareTo(im) < 0) {
            return MARGIN_CALL;
        }
        return HEALTHY;
    }

    /**
     * MM / equity: 0 when MM is 0; {@code +Infinity} when equity <= 0 with MM > 0 (the proto's
     * documented sentinel: such an account is past liquidation whatever its size).
     */
    public static double marginRatio(BigDecimal mm, BigDecimal equity) {
        if (mm.signum() == 0) {
            return 0.0;
        }
        if (equity.signum() <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        return mm.doubleValue() / equity.doubleValue();
    }
}
