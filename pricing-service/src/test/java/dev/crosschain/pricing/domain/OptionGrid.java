package dev.crosschain.pricing.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * The test grid: deep in and out of the money, T from one hour to five years, vol from 1% to 500%,
 * calls and puts, on a forward of 3000 USD.
 */
final class OptionGrid {

    static final double FORWARD = 3000.0;
    static final double[] MONEYNESS = {0.01, 0.05, 0.2, 0.5, 0.8, 0.9, 0.97, 0.99, 0.999, 1.0, 1.001, 1.01, 1.03,
            1.1, 1.25, 2.0, 5.0, 20.0, 100.0};
    static final double HOUR = 1.0 / (365 * 24);
    static final double[] YEARS = {HOUR, 1.0 / 365, 7.0 / 365, 30.0 / 365, 90.0 / 365, 0.5, 1.0, 2.0, 5.0};
    static final double[] VOLS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0};

    record Point(OptionType type, double forward, double strike, double years, double vol) {
        @Override
        public String toString() {
            return type + " F=" + forward + " K=" + strike + " T=" + years + " vol=" + vol;
        }
    }

    private OptionGrid() {
    }

    static List<Point> points() {
        List<Point> points = new ArrayList<>();
        for (OptionType type : OptionType.values()) {
            for (double m : MONEYNESS) {
                for (double years : YEARS) {
                    for (double vol : VOLS) {
                        points.add(new Point(type, FORWARD, FORWARD * m, years, vol));
                    }
                }
            }
        }
        return points;
    }
}
