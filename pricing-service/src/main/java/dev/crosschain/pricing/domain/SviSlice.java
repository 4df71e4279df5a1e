package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The fitted smile of one expiry.
 *
 * @param years       time to expiry at the fit, ACT/365 (the slice's total variance is for this T)
 * @param forward     forward the log-moneyness k = ln(K/F) was taken against
 * @param rmsVolError root mean square of fitted minus quoted mid vol
 */
public record SviSlice(LocalDate expiryDate, Instant expiry, double years, double forward, SviParameters params,
                       double rmsVolError, int quoteCount) {
}
