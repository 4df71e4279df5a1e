package dev.crosschain.benchmarks;

import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.ImpliedVolatility;
import dev.crosschain.pricing.domain.OptionType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One implied-vol solve per option of the {@link OptionSet}, from the Black-76 price of its out-of-the-money
 * side (the quoted one: an in-the-money price is intrinsic plus a time value that can be below its last bit).
 * Reported per solve.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ImpliedVolatilityBenchmark {

    private final OptionSet options = new OptionSet();
    private final OptionType[] types = new OptionType[OptionSet.SIZE];
    private final double[] prices = new double[OptionSet.SIZE];
    private final ImpliedVolatility solver = ImpliedVolatility.DEFAULT;

    public ImpliedVolatilityBenchmark() {
        for (int i = 0; i < OptionSet.SIZE; i++) {
            types[i] = options.forward[i] < options.strike[i] ? OptionType.CALL : OptionType.PUT;
            prices[i] = Black76.DEFAULT.price(types[i], options.forward[i], options.strike[i], options.years[i],
                    options.vol[i], 0.0);
        }
    }

    @Benchmark
    @OperationsPerInvocation(OptionSet.SIZE)
    public double solve() {
        double sum = 0;
        for (int i = 0; i < OptionSet.SIZE; i++) {
            sum += solver.solve(types[i], options.forward[i], options.strike[i], options.years[i], prices[i]);
        }
        return sum;
    }
}
