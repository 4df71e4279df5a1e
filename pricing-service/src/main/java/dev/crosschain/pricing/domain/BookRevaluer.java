package dev.crosschain.pricing.domain;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full revaluation of a book under scenarios, sticky strike: each option keeps the surface vol at
 * its strike taken once at the current forward; a scenario adds its vol shift plus its skew shift
 * times ln(K / shocked forward), floored at {@link #MIN_VOL}. Everything that does not depend on
 * the scenario (strike, time to expiry, base vol, log strike, shocked forwards per underlying) is
 * worked out once, so a scenario costs one shifted vol and one Black-76 price per option line: the
 * positions of one underlying, expiry and strike are netted first, and since sticky strike gives a
 * call and a put of that strike the same vol, one call price values both (put = call - D (F - K)).
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
        Map<StrikeKey, OptionLine> lines = new LinkedHashMap<>();
        double base = 0.0;
        double[] values = new double[scenarioCount];
        for (BookPosition position : book) {
            Shocks shocks = byUnderlying.computeIfAbsent(position.instrument().underlying(),
                    u -> new Shocks(u, scenarios, market));
            if (position.instrument() instanceof Instrument.Option option) {
                lines.computeIfAbsent(new StrikeKey(option.underlying(), option.expiryDate(), option.strike().doubleValue()),
                        key -> new OptionLine(option, shocks)).add(option.type(), position.quantity());
            } else {
                shocks.linearQuantity += position.quantity();
            }
        }
        for (OptionLine line : lines.values()) {
            base += revalueLine(line, volShifts, skewShifts, market, values);
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

    /** Adds the line's value in each scenario to {@code values}; returns its base value. */
    private double revalueLine(OptionLine line, double[] volShifts, double[] skewShifts, MarketSnapshot market,
                               double[] values) {
        Instrument.Option option = line.option;
        Shocks shocks = line.shocks;
        double strike = option.strike().doubleValue();
        double years = MarkCalculator.yearsUntil(option.expiry(), market.now());
        double baseVol = market.surfaceVol(option, shocks.forward, market.now()).vol();
        double logStrike = Math.log(strike);
        double rate = market.rate();
        // Calls only or puts only: price that type. Both: price the call once for the two, and each put
        // adds -D (F - K) to its call's value.
        OptionType priced = line.callQuantity == 0 ? OptionType.PUT : OptionType.CALL;
        double quantity = line.callQuantity + line.putQuantity;
        double forwardQuantity = priced == OptionType.CALL ? -line.putQuantity * Math.exp(-rate * years) : 0.0;
        for (int s = 0; s < values.length; s++) {
            double vol = Math.max(MIN_VOL, baseVol + volShifts[s] + skewShifts[s] * (logStrike - shocks.logForwards[s]));
            double forward = shocks.forwards[s];
            values[s] += quantity * model.price(priced, forward, strike, years, vol, rate) + forwardQuantity * (forward - strike);
        }
        return quantity * model.price(priced, shocks.forward, strike, years, baseVol, rate)
                + forwardQuantity * (shocks.forward - strike);
    }

    /** Options that share a vol in every scenario. */
    private record StrikeKey(String underlying, LocalDate expiryDate, double strike) {
    }

    /** The net call and put quantity of one underlying, expiry and strike. */
    private static final class OptionLine {
        final Instrument.Option option;
        final Shocks shocks;
        double callQuantity;
        double putQuantity;

        OptionLine(Instrument.Option option, Shocks shocks) {
            this.option = option;
            this.shocks = shocks;
        }

        void add(OptionType type, double quantity) {
            if (type == OptionType.CALL) {
                callQuantity += quantity;
            } else {
                putQuantity += quantity;
            }
        }
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
