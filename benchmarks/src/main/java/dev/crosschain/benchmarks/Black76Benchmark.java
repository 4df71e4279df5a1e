package dev.crosschain.benchmarks;

import dev.crosschain.pricing.domain.Black76;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Price, delta, gamma, vega and theta of one option, over the {@link OptionSet} so that nothing folds to a
 * constant; the five numbers are summed into the result, as the C reference does. Reported per option.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Black76Benchmark {

    private final OptionSet options = new OptionSet();
    private final Black76 model = Black76.DEFAULT;
    private final double[] greeks = new double[5];

    @Benchmark
    @OperationsPerInvocation(OptionSet.SIZE)
    public double priceDeltaGammaVegaTheta() {
        double sum = 0;
        for (int i = 0; i < OptionSet.SIZE; i++) {
            model.writeFirstOrderGreeks(options.type(i), options.forward[i], options.strike[i], options.years[i],
                    options.vol[i], 0.0, greeks, 0);
            sum += greeks[0] + greeks[1] + greeks[2] + greeks[3] + greeks[4];
        }
        return sum;
    }
}
