package dev.crosschain.margin.domain.portfolio;

/**
 * Scenario P&L for tests, in the way pricing-service's RevalueBook computes it: Black-76 with zero
 * rates on a forward equal to the index, the scenario's vol shift scaled by tenor, the skew shift per
 * unit of ln(K/F) at the shocked forward, vols floored at 1%. Only as good as the properties need.
 */
final class ToyPricer {

    private ToyPricer() {
    }

    /** An option: strike USD, expiry in days, its flat base vol. */
    record Option(double strike, double days, boolean call, double vol) {
    }

    /** P&L of {@code quantity} options on an index {@code index} in every scenario of {@code grid}. */
    static double[] optionPnl(ScenarioGrid grid, String underlying, double quantity, double index, Option o) {
        double base = price(index, o.strike(), o.days(), o.vol(), o.call());
        return grid.scenarios().stream().mapToDouble(s -> {
            double forward = index * (1 + s.moveOf(underlying));
            double vol = o.vol() + volShift(s, o.days()) + s.skewShift() * Math.log(o.strike() / forward);
            return quantity * (price(forward, o.strike(), o.days(), Math.max(0.01, vol), o.call()) - base);
        }).toArray();
    }

    /** P&L of {@code quantity} units of a perpetual (or spot) in every scenario. */
    static double[] linearPnl(ScenarioGrid grid, String underlying, double quantity, double index) {
        return grid.scenarios().stream().mapToDouble(s -> quantity * index * s.moveOf(underlying)).toArray();
    }

    static double volShift(Scenario s, double days) {
        if (s.volShiftReferenceDays() <= 0) {
            return s.volShift();
        }
        double scale = Math.pow(s.volShiftReferenceDays() / days, s.volShiftTenorPower());
        return s.volShift() * (s.volShiftMaxScale() > 0 ? Math.min(s.volShiftMaxScale(), scale) : scale);
    }

    static double price(double forward, double strike, double days, double vol, boolean call) {
        double sd = vol * Math.sqrt(days / 365.0);
        double d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
        double d2 = d1 - sd;
        return call
                ? forward * cdf(d1) - strike * cdf(d2)
                : strike * cdf(-d2) - forward * cdf(-d1);
    }

    /** Standard normal CDF (Abramowitz-Stegun 26.2.17, error below 7.5e-8). */
    static double cdf(double x) {
        double t = 1 / (1 + 0.2316419 * Math.abs(x));
        double poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
        double tail = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) * poly;
        return x >= 0 ? 1 - tail : tail;
    }
}
