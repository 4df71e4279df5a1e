package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The fitted smile of one expiry.
 *
 * @param years       time to expiry at the fit, ACT/365, positive (the slice's total variance is for this T)
 * @param forward     forward the log-moneyness k = ln(K/F) was taken against, positive
 * @param indexAtFit  the underlying's index when the slice was fitted, positive: forward / indexAtFit is the
 *                    expiry's basis, which is kept as a ratio so the expiry's forward floats with the index
 * @param rmsVolError root mean square of fitted minus quoted mid vol
 */
public record SviSlice(LocalDate expiryDate, Instant expiry, double years, double forward, double indexAtFit,
                       SviParameters params, double rmsVolError, int quoteCount) {

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
        if (!(indexAtFit > 0) || Double.isInfinite(indexAtFit)) {
            throw new IllegalArgumentException("index at fit must be positive and finite, got " + indexAtFit);
        }
    }

    /** A slice fitted against the index itself (basis 1), as slices stored before bases were kept read. */
    public SviSlice(LocalDate expiryDate, Instant expiry, double years, double forward, SviParameters params,
                    double rmsVolError, int quoteCount) {
        this(expiryDate, expiry, years, forward, forward, params, rmsVolError, quoteCount);
    }

    /** forward / index at fit: what the expiry's forward was over the index at the fit, 1 when none was quoted. */
    public double basis() {
        return forward / indexAtFit;
    }

    /** ln of {@link #basis()}. */
    public double logBasis() {
        return Math.log(forward / indexAtFit);
    }

    /**
     * The expiry's carry rate ln(basis) / years at the fit, per year: seen later, the expiry's log
     * basis is this rate times the time left, so it decays to 0 (forward = index) at the expiry.
     */
    public double carryRate() {
        return logBasis() / years;
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
