package dev.crosschain.pricing.domain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Full revaluation of a book under scenarios, sticky strike: each option keeps the surface vol at
 * its strike taken once at the current forward; a scenario adds its vol shift plus its skew shift
 * times ln(K / shocked forward), floored at {@link #MIN_VOL}. Everything that does not depend on
 * the scenario (strike, time to expiry, base vol, log strike, shocked forwards per underlying) is
 * worked out once, so a scenario costs one shifted vol and one Black-76 price per option.
 * Spot, perpetuals and futures move with their underlying's spot factor. Stateless.
 */
public final class BookRevaluer {

    public static final BookRevaluer DEFAULT = new BookRevaluer(Black76.DEFAULT);
    /** A shifted vol never goes below this: a zero vol would price intrinsic only. */
    public static final double MIN_VOL = 0.01;

    private final Black76 model;

    public BookRevaluer(Black76 model) {
        this.model = model;
    }

    public BookValuation revalue(List<BookPosition> book, List<Scenario> scenarios, MarketSnapshot market) {
        int scenarioCount = scenarios.size();
        double[] volShifts = new double[scenarioCount];
        double[] skewShifts = new double[scenarioCount];
        for (int s = 0; s < scenarioCount; s++) {
            volShifts[s] = scenarios.get(s).volShift();
            skewShifts[s] = scenarios.get(s).skewShift();
        }
        Map<String, Shocks> byUnderlying = new HashMap<>();
        double base = 0.0;
        double[] values = new double[scenarioCount];
        for (BookPosition position : book) {
            Shocks shocks = byUnderlying.computeIfAbsent(position.instrument().underlying(),
                    u -> new Shocks(u, scenarios, market));
            if (position.instrument() instanceof Instrument.Option option) {
                base += revalueOption(option, position.quantity(), shocks, volShifts, skewShifts, market, values);
            } else {
                shocks.linearQuantity += position.quantity();
            }
        }
        boolean stale = false;
        for (Shocks shocks : byUnderlying.values()) {
            stale |= shocks.stale;
            // Spot, perpetuals and futures are quantity x forward: one term per underlying.
            double exposure = shocks.linearQuantity * shocks.forward;
            base += exposure;
            for (int s = 0; s < scenarioCount; s++) {
                values[s] += exposure * shocks.factors[s];
            }
        }
        return new BookValuation(base, values, stale);
    }

    /** Adds the option's value in each scenario to {@code values}; returns its base value. */
    private double revalueOption(Instrument.Option option, double quantity, Shocks shocks, double[] volShifts,
                                 double[] skewShifts, MarketSnapshot market, double[] values) {
        OptionType type = option.type();
        double strike = option.strike().doubleValue();
        double years = MarkCalculator.yearsUntil(option.expiry(), market.now());
        double baseVol = market.surfaceVol(option, shocks.forward, market.now()).vol();
        double logStrike = Math.log(strike);
        double rate = market.rate();
        for (int s = 0; s < values.length; s++) {
            double vol = Math.max(MIN_VOL, baseVol + volShifts[s] + skewShifts[s] * (logStrike - shocks.logForwards[s]));
            values[s] += quantity * model.price(type, shocks.forwards[s], strike, years, vol, rate);
        }
        return quantity * model.price(type, shocks.forward, strike, years, baseVol, rate);
    }

    /** One underlying's forward now and under each scenario. */
    private static final class Shocks {
        final double forward;
        final boolean stale;
        final double[] factors;
        final double[] forwards;
        final double[] logForwards;
        double linearQuantity;

        Shocks(String underlying, List<Scenario> scenarios, MarketSnapshot market) {
            IndexLevel index = market.index(underlying);
            forward = index.price().doubleValue();
            stale = index.stale();
            factors = new double[scenarios.size()];
            forwards = new double[scenarios.size()];
            logForwards = new double[scenarios.size()];
            for (int s = 0; s < factors.length; s++) {
                factors[s] = scenarios.get(s).spotFactor(underlying);
                forwards[s] = forward * factors[s];
                logForwards[s] = Math.log(forwards[s]);
            }
        }
    }
}
