package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The fitted smile of one expiry.
 *
 * @param years       time to expiry at the fit, ACT/365, positive (the slice's total variance is for this T)
 * @param forward     forward the log-moneyness k = ln(K/F) was taken against, positive
 * @param rmsVolError root mean square of fitted minus quoted mid vol
 */
public record SviSlice(LocalDate expiryDate, Instant expiry, double years, double forward, SviParameters params,
                       double rmsVolError, int quoteCount) {

    public SviSlice {
        if (expiryDate == null || expiry == null || params == null) {
            throw new IllegalArgumentException("expiry date, expiry and parameters are required");
        }
        // Every vol of the slice is w / years: a zero or negative T has no smile.
        if (!(years > 0) || Double.isInfinite(years)) {
            throw new IllegalArgumentException("years at fit must be positive and finite, got " + years);
        }
        if (!(forward > 0) || Double.isInfinite(forward)) {
            throw new IllegalArgumentException("forward must be positive and finite, got " + forward);
        }
    }

    /** Implied vol at log-moneyness k as of the fit: sqrt(w(k) / years). */
    public double vol(double k) {
        return Math.sqrt(params.totalVariance(k) / years);
    }

    /** Implied vol at the money (k = 0) as of the fit. */
    public double atmVol() {
        return vol(0);
    }

    /** Deribit expiry code, e.g. "27DEC26". */
    public String expiryCode() {
        return Instrument.Expiry.format(expiryDate);
    }
}
