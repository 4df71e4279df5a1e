package dev.crosschain.pricing.domain;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full revaluation of a book under scenarios, sticky strike: each option keeps the surface vol at
 * its strike taken once at the current forward of its expiry; a scenario adds its vol shift plus
 * its skew shift times ln(K / shocked forward), floored at {@link #MIN_VOL}. A scenario shocks the
 * index; every expiry's forward is the shocked index times that expiry's basis
 * ({@link MarketSnapshot#basis}), so options and futures move with their forward, spot and
 * perpetuals with the index. Everything that does not depend on the scenario (strike, time to
 * expiry, basis, base vol, log strike, shocked indices per underlying) is worked out once, so a
 * scenario costs one shifted vol and one Black-76 price per option line: the positions of one
 * underlying, expiry and strike are netted first, and since sticky strike gives a call and a put
 * of that strike the same vol, one call price values both (put = call - D (F - K)). Stateless.
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
            } else if (position.instrument() instanceof Instrument.Future future) {
                // A future is worth its forward, index x basis: so many units of index.
                shocks.linearQuantity += position.quantity() * market.basis(future.underlying(), future.expiry(), market.now());
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
            // Spot, perpetuals and futures are (basis-weighted) quantity x index: one term per underlying.
            double exposure = shocks.linearQuantity * shocks.index;
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
        double basis = market.basis(option.underlying(), option.expiry(), market.now());
        double logBasis = Math.log(basis);
        double baseForward = shocks.index * basis;
        double baseVol = market.surfaceVol(option, baseForward, market.now()).vol();
        double logStrike = Math.log(strike);
        double rate = market.rate();
        // Calls only or puts only: price that type. Both: price the call once for the two, and each put
        // adds -D (F - K) to its call's value.
        OptionType priced = line.callQuantity == 0 ? OptionType.PUT : OptionType.CALL;
        double quantity = line.callQuantity + line.putQuantity;
        double forwardQuantity = priced == OptionType.CALL ? -line.putQuantity * Math.exp(-rate * years) : 0.0;
        for (int s = 0; s < values.length; s++) {
            double vol = Math.max(MIN_VOL, baseVol + volShifts[s]
                    + skewShifts[s] * (logStrike - shocks.logIndices[s] - logBasis));
            double forward = shocks.indices[s] * basis;
            values[s] += quantity * model.price(priced, forward, strike, years, vol, rate) + forwardQuantity * (forward - strike);
        }
        return quantity * model.price(priced, baseForward, strike, years, baseVol, rate)
                + forwardQuantity * (baseForward - strike);
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

    /** One underlying's index now and under each scenario. */
    private static final class Shocks {
        final double index;
        final boolean stale;
        final double[] factors;
        final double[] indices;
        final double[] logIndices;
        /** Units of index: spot and perpetuals count 1 each, futures their basis. */
        double linearQuantity;

        Shocks(String underlying, List<Scenario> scenarios, MarketSnapshot market) {
            IndexLevel level = market.index(underlying);
            index = level.price().doubleValue();
            stale = level.stale();
            factors = new double[scenarios.size()];
            indices = new double[scenarios.size()];
            logIndices = new double[scenarios.size()];
            for (int s = 0; s < factors.length; s++) {
                factors[s] = scenarios.get(s).spotFactor(underlying);
                indices[s] = index * factors[s];
                logIndices[s] = Math.log(indices[s]);
            }
        }
    }
}
