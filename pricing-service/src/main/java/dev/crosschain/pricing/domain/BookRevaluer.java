package dev.crosschain.pricing.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full revaluation of a book under scenarios, sticky strike: each option keeps the surface vol at
 * its strike taken once at the current forward of its expiry; a scenario adds its vol shift plus
 * its skew shift times ln(K / shocked forward), floored at {@link #MIN_VOL} and capped at {@link #MAX_VOL}. A scenario shocks the
 * index; every expiry's forward is the shocked index times that expiry's basis
 * ({@link MarketSnapshot#basis}), so options and futures move with their forward, spot and
 * perpetuals with the index. Everything that does not depend on the scenario (strike, time to
 * expiry, basis, base vol, log strike, shocked indices per underlying) is worked out once, so a
 * scenario costs one shifted vol and one Black-76 price per option line: the positions of one
 * underlying, expiry and strike are netted first, and since sticky strike gives a call and a put
 * of that strike the same vol, one call price values both (put = call - D (F - K)). A scenario may
 * scale its vol shift by tenor ({@link Scenario.TenorScaling}): the scaled shift is worked out once
 * per expiry. Stateless.
 */
public final class BookRevaluer {

    public static final BookRevaluer DEFAULT = new BookRevaluer(Black76.DEFAULT);
    /** A shifted vol never goes below this: a zero vol would price intrinsic only. */
    public static final double MIN_VOL = 0.01;
    /**
     * A shifted vol never goes above this: it already prices as an infinite vol (see
     * {@link Scenario#MAX_VOL_SHIFT}), and a huge finite skew shift times a log-moneyness overflows to
     * an infinite vol, which Black-76 turns into NaN.
     */
    public static final double MAX_VOL = Scenario.MAX_VOL_SHIFT;

    private final Black76 model;

    public BookRevaluer(Black76 model) {
        this.model = model;
    }

    /** The book's value now and under each scenario, without per-position figures. */
    public BookValuation revalue(List<BookPosition> book, List<Scenario> scenarios, MarketSnapshot market) {
        return revalue(book, scenarios, market, false);
    }

    /**
     * The book's value now and under each scenario and, when {@code perPosition}, each position's
     * too. Per-position values reuse the netted work: a position of a line is its quantity times the
     * line's price per unit (a put valued from the call price also takes its -D (F - K)), a linear
     * position its units of index times the shocked index, so asking for them costs no extra
     * Black-76 price.
     */
    public BookValuation revalue(List<BookPosition> book, List<Scenario> scenarios, MarketSnapshot market,
                                 boolean perPosition) {
        int scenarioCount = scenarios.size();
        double[] skewShifts = new double[scenarioCount];
        for (int s = 0; s < scenarioCount; s++) {
            skewShifts[s] = scenarios.get(s).skewShift();
        }
        VolShifts volShifts = new VolShifts(scenarios, market.now());
        Map<String, Shocks> byUnderlying = new HashMap<>();
        Map<StrikeKey, OptionLine> lines = new LinkedHashMap<>();
        // Per position, when asked: its option line, or its underlying and units of index per unit held.
        OptionLine[] lineOf = perPosition ? new OptionLine[book.size()] : null;
        Shocks[] shocksOf = perPosition ? new Shocks[book.size()] : null;
        double[] indexUnits = perPosition ? new double[book.size()] : null;
        double base = 0.0;
        double[] values = new double[scenarioCount];
        for (int p = 0; p < book.size(); p++) {
            BookPosition position = book.get(p);
            // get, then put when missing, rather than computeIfAbsent: its capturing lambdas were allocated
            // for every position of every call (a tenth of RevalueBook's garbage, whose GC pauses are its tail)
            String underlying = position.instrument().underlying();
            Shocks shocks = byUnderlying.get(underlying);
            if (shocks == null) {
                shocks = new Shocks(underlying, scenarios, market);
                byUnderlying.put(underlying, shocks);
            }
            if (position.instrument() instanceof Instrument.Option option) {
                StrikeKey key = new StrikeKey(option.underlying(), option.expiryDate(), option.strike().doubleValue());
                OptionLine line = lines.get(key);
                if (line == null) {
                    line = new OptionLine(option, shocks);
                    lines.put(key, line);
                }
                line.add(option.type(), position.quantity());
                if (perPosition) {
                    lineOf[p] = line;
                }
                continue;
            }
            // A future is worth its forward, index x basis: so many units of index.
            double units = position.instrument() instanceof Instrument.Future future
                    ? market.basis(future.underlying(), future.expiry(), market.now()) : 1.0;
            shocks.linearQuantity += position.quantity() * units;
            if (perPosition) {
                shocksOf[p] = shocks;
                indexUnits[p] = units;
            }
        }
        for (OptionLine line : lines.values()) {
            base += revalueLine(line, volShifts.forExpiry(line.option.expiry()), skewShifts, market, values, perPosition);
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
        if (!perPosition) {
            return new BookValuation(base, values, stale);
        }
        double[] positionBase = new double[book.size()];
        double[][] positionValues = new double[book.size()][];
        for (int p = 0; p < book.size(); p++) {
            BookPosition position = book.get(p);
            double[] positionScenarios = new double[scenarioCount];
            if (lineOf[p] != null) {
                positionBase[p] = lineOf[p].positionValues(position, positionScenarios);
            } else {
                double exposure = position.quantity() * indexUnits[p] * shocksOf[p].index;
                positionBase[p] = exposure;
                for (int s = 0; s < scenarioCount; s++) {
                    positionScenarios[s] = exposure * shocksOf[p].factors[s];
                }
            }
            positionValues[p] = positionScenarios;
        }
        return new BookValuation(base, values, stale, positionBase, positionValues);
    }

    /**
     * Adds the line's value in each scenario to {@code values}; returns its base value. With
     * {@code keepUnitPrices}, the line keeps its price per unit in each scenario for its positions.
     */
    private double revalueLine(OptionLine line, double[] volShifts, double[] skewShifts, MarketSnapshot market,
                               double[] values, boolean keepUnitPrices) {
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
        double discount = Math.exp(-rate * years);
        double forwardQuantity = priced == OptionType.CALL ? -line.putQuantity * discount : 0.0;
        double[] unitPrices = keepUnitPrices ? new double[values.length] : null;
        for (int s = 0; s < values.length; s++) {
            double vol = Math.min(MAX_VOL, Math.max(MIN_VOL, baseVol + volShifts[s]
                    + skewShifts[s] * (logStrike - shocks.logIndices[s] - logBasis)));
            double forward = shocks.indices[s] * basis;
            double unitPrice = model.price(priced, forward, strike, years, vol, rate);
            values[s] += quantity * unitPrice + forwardQuantity * (forward - strike);
            if (unitPrices != null) {
                unitPrices[s] = unitPrice;
            }
        }
        double baseUnitPrice = model.price(priced, baseForward, strike, years, baseVol, rate);
        if (keepUnitPrices) {
            line.keep(priced, basis, discount, baseUnitPrice, unitPrices);
        }
        return quantity * baseUnitPrice + forwardQuantity * (baseForward - strike);
    }

    /**
     * Each scenario's vol shift per expiry: the same for every expiry unless a scenario scales its
     * shift by tenor, then worked out once per expiry (not per option line) since a pow costs about
     * what a Black-76 price does.
     */
    private static final class VolShifts {
        final List<Scenario> scenarios;
        final Instant now;
        final double[] unscaled;
        final boolean anyScaled;
        final Map<Instant, double[]> byExpiry = new HashMap<>();

        VolShifts(List<Scenario> scenarios, Instant now) {
            this.scenarios = scenarios;
            this.now = now;
            unscaled = new double[scenarios.size()];
            boolean scaled = false;
            for (int s = 0; s < unscaled.length; s++) {
                // At 0 days every scale is 1: the shift as given (clamped), used for every expiry when none scales.
                unscaled[s] = scenarios.get(s).volShiftAt(0.0);
                scaled |= scenarios.get(s).tenorScaling().scales();
            }
            anyScaled = scaled;
        }

        double[] forExpiry(Instant expiry) {
            if (!anyScaled) {
                return unscaled;
            }
            return byExpiry.computeIfAbsent(expiry, e -> {
                // Calendar days to expiry, the ACT/365 years of MarkCalculator.yearsUntil times 365.
                double days = MarkCalculator.yearsUntil(e, now) * 365.0;
                double[] shifts = new double[scenarios.size()];
                for (int s = 0; s < shifts.length; s++) {
                    shifts[s] = scenarios.get(s).volShiftAt(days);
                }
                return shifts;
            });
        }
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
        // Kept for per-position values only (see keep).
        OptionType priced;
        double basis;
        double discount;
        double baseUnitPrice;
        double[] unitPrices;

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

        void keep(OptionType priced, double basis, double discount, double baseUnitPrice, double[] unitPrices) {
            this.priced = priced;
            this.basis = basis;
            this.discount = discount;
            this.baseUnitPrice = baseUnitPrice;
            this.unitPrices = unitPrices;
        }

        /**
         * One position of this line: fills its value in each scenario and returns its base value. A
         * put of a line priced by its call is the call minus D (F - K), as in the line's own sum.
         */
        double positionValues(BookPosition position, double[] scenarioValues) {
            double quantity = position.quantity();
            double strike = option.strike().doubleValue();
            boolean putFromCall = ((Instrument.Option) position.instrument()).type() != priced;
            double forwardQuantity = putFromCall ? -quantity * discount : 0.0;
            for (int s = 0; s < scenarioValues.length; s++) {
                double forward = shocks.indices[s] * basis;
                scenarioValues[s] = quantity * unitPrices[s] + forwardQuantity * (forward - strike);
            }
            return quantity * baseUnitPrice + forwardQuantity * (shocks.index * basis - strike);
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
