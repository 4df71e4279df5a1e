package dev.crosschain.pricing.domain;

import java.util.Map;

/**
 * A market scenario: relative spot moves per underlying (unnamed ones stay), an absolute vol
 * shift (scaled per option by its tenor, {@link TenorScaling}), and a skew shift in vol points per
 * unit of log-moneyness ln(K/F).
 */
public record Scenario(String id, Map<String, Double> spotMoves, double volShift, double skewShift,
                       TenorScaling tenorScaling) {

    public Scenario {
        spotMoves = Map.copyOf(spotMoves);
    }

    /** A scenario whose vol shift is the same for every tenor. */
    public Scenario(String id, Map<String, Double> spotMoves, double volShift, double skewShift) {
        this(id, spotMoves, volShift, skewShift, TenorScaling.NONE);
    }

    public double spotFactor(String underlying) {
        return 1.0 + spotMoves.getOrDefault(underlying, 0.0);
    }

    /**
     * A vol shift beyond this, either way, prices as an infinite vol (a call worth D F, a put D K) or the
     * floor vol for any tenor over a tenth of a second; clamped to it, a scale that overflows to
     * infinity never turns a price into NaN.
     */
    public static final double MAX_VOL_SHIFT = 1e6;

    /**
     * The vol shift, absolute vol, of an option expiring in {@code days} calendar days, within
     * +-{@link #MAX_VOL_SHIFT}. At 0 days (expired) every scale is 1: the shift as given.
     */
    public double volShiftAt(double days) {
        double shift = volShift == 0.0 ? 0.0 : volShift * tenorScaling.scale(days);
        return Math.max(-MAX_VOL_SHIFT, Math.min(MAX_VOL_SHIFT, shift));
    }

    /**
     * How a vol shift grows for short tenors: short-dated vol moves more than long-dated vol in a
     * stress, so an option expiring in T days gets the shift times
     * {@code min(maxScale, (referenceDays / T)^power)} (maxScale 0: no cap). referenceDays 0 turns
     * the scaling off (scale 1 for every tenor); {@link #NONE} is that.
     *
     * @param referenceDays the tenor, in calendar days, whose shift is the scenario's as given
     * @param power         the exponent p, e.g. 0.5 for a square-root term structure of vol moves
     * @param maxScale      the largest scale, reached by short tenors; 0 for no cap
     */
    public record TenorScaling(double referenceDays, double power, double maxScale) {

        public static final TenorScaling NONE = new TenorScaling(0.0, 0.0, 0.0);

        public TenorScaling {
            if (!(referenceDays >= 0 && power >= 0 && maxScale >= 0)
                    || !Double.isFinite(referenceDays) || !Double.isFinite(power) || !Double.isFinite(maxScale)) {
                throw new IllegalArgumentException("tenor scaling must be finite and not negative: " + referenceDays
                        + " days, power " + power + ", max scale " + maxScale);
            }
        }

        public boolean scales() {
            return referenceDays > 0;
        }

        /**
         * The factor on the vol shift for a tenor of {@code days} calendar days. An expired option
         * (0 days) has no time value, so its vol does not matter: it gets 1, never an infinite scale.
         */
        public double scale(double days) {
            if (!scales() || !(days > 0)) {
                return 1.0;
            }
            double scale = Math.pow(referenceDays / days, power);
            return maxScale > 0 ? Math.min(maxScale, scale) : scale;
        }
    }
}
