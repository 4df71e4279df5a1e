package dev.crosschain.pricing.domain;

import java.util.List;

/**
 * Full revaluation of a book under scenarios. Per-position work that does not depend on the
 * scenario (instrument parsing, strike, time to expiry, base vol) is done once.
 */
public final class BookRevaluer {

    public static final BookRevaluer DEFAULT = new BookRevaluer(MarkCalculator.DEFAULT);
    /** A shifted vol never goes below this: a zero vol would price intrinsic only. */
    private static final double MIN_VOL = 0.01;

    private final MarkCalculator marks;

    public BookRevaluer(MarkCalculator marks) {
        this.marks = marks;
    }

    public BookValuation revalue(List<BookPosition> book, List<Scenario> scenarios, MarketSnapshot market) {
        double base = 0.0;
        double[] values = new double[scenarios.size()];
        boolean stale = false;
        for (BookPosition position : book) {
            String underlying = position.instrument().underlying();
            double spot = market.index(underlying).price().doubleValue();
            stale |= market.isStale(underlying);
            if (position.instrument() instanceof Instrument.Option option) {
                double vol = market.vols().of(underlying);
                base += position.quantity() * marks.optionPrice(option, spot, vol, market.now(), market.rate());
                for (int s = 0; s < values.length; s++) {
                    Scenario scenario = scenarios.get(s);
                    double shockedSpot = spot * scenario.spotFactor(underlying);
                    double shockedVol = Math.max(MIN_VOL, vol + scenario.volShift()
                            + scenario.skewShift() * Math.log(option.strike().doubleValue() / shockedSpot));
                    values[s] += position.quantity() * marks.optionPrice(option, shockedSpot, shockedVol, market.now(), market.rate());
                }
            } else {
                base += position.quantity() * spot;
                for (int s = 0; s < values.length; s++) {
                    values[s] += position.quantity() * spot * scenarios.get(s).spotFactor(underlying);
                }
            }
        }
        return new BookValuation(base, values, stale);
    }
}
