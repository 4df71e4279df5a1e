package dev.crosschain.benchmarks;

import dev.crosschain.pricing.domain.Black76;
import dev.crosschain.pricing.domain.BookPosition;
import dev.crosschain.pricing.domain.BookRevaluer;
import dev.crosschain.pricing.domain.BookValuation;
import dev.crosschain.pricing.domain.Decimals;
import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.MarkCalculator;
import dev.crosschain.pricing.domain.OptionType;
import dev.crosschain.pricing.domain.Scenario;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The revaluation engine alone on the book ({@link RevalueBookFixture}: 200 positions x 35 scenarios),
 * and, as its reference in the same run, one plain Black-76 price over exactly the option inputs the engine
 * prices: every option of the book under every scenario (shocked forward, sticky-strike shifted vol).
 * benchmarks/revalue.sh reports revalue / (positions x scenarios x price).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RevalueBookBenchmark {

    static final int OPTION_SCENARIO_PAIRS = RevalueBookFixture.OPTIONS * RevalueBookFixture.SCENARIOS;

    private final RevalueBookFixture fixture = new RevalueBookFixture();
    private final BookRevaluer revaluer = BookRevaluer.DEFAULT;
    private final Black76 model = Black76.DEFAULT;

    private final OptionType[] type = new OptionType[OPTION_SCENARIO_PAIRS];
    private final double[] forward = new double[OPTION_SCENARIO_PAIRS];
    private final double[] strike = new double[OPTION_SCENARIO_PAIRS];
    private final double[] years = new double[OPTION_SCENARIO_PAIRS];
    private final double[] vol = new double[OPTION_SCENARIO_PAIRS];
    private final String[] names = fixture.book.stream().map(p -> p.instrument().name()).toArray(String[]::new);
    private final String[] quantities = fixture.book.stream().map(p -> Long.toString((long) p.quantity())).toArray(String[]::new);

    public RevalueBookBenchmark() {
        List<double[]> inputs = new ArrayList<>();
        int n = 0;
        for (BookPosition position : fixture.book) {
            if (!(position.instrument() instanceof Instrument.Option option)) {
                continue;
            }
            double index = fixture.market.index(option.underlying()).price().doubleValue();
            double baseVol = fixture.market.surfaceVol(option, index, fixture.market.now()).vol();
            double k = option.strike().doubleValue();
            double t = MarkCalculator.yearsUntil(option.expiry(), fixture.market.now());
            for (Scenario scenario : fixture.scenarios) {
                double shocked = index * scenario.spotFactor(option.underlying());
                type[n] = option.type();
                forward[n] = shocked;
                strike[n] = k;
                years[n] = t;
                vol[n] = Math.max(BookRevaluer.MIN_VOL, baseVol + scenario.volShift() + scenario.skewShift() * Math.log(k / shocked));
                n++;
            }
        }
        if (n != OPTION_SCENARIO_PAIRS || fixture.book.size() != 200 || fixture.scenarios.size() != RevalueBookFixture.SCENARIOS) {
            throw new IllegalStateException("the fixture is not the issue's 200 x 35 book: " + n + " option prices");
        }
    }

    /** One whole book under all scenarios, per call. */
    @Benchmark
    public BookValuation revalue() {
        return revaluer.revalue(fixture.book, fixture.scenarios, fixture.market);
    }

    /** Parsing the book's names and quantities, as the gRPC adapter does before revaluing: per book. */
    @Benchmark
    public double parseBook() {
        double sum = 0;
        for (int i = 0; i < names.length; i++) {
            Instrument instrument = Instrument.parse(names[i], "positions[" + i + "].instrument");
            sum += Decimals.parse(quantities[i], "positions[" + i + "].quantity", "INVALID_SCENARIO").doubleValue()
                    + instrument.underlying().length();
        }
        return sum;
    }

    /** Black-76 price alone, per option. */
    @Benchmark
    @OperationsPerInvocation(OPTION_SCENARIO_PAIRS)
    public double price() {
        double sum = 0;
        for (int i = 0; i < OPTION_SCENARIO_PAIRS; i++) {
            sum += model.price(type[i], forward[i], strike[i], years[i], vol[i], 0.0);
        }
        return sum;
    }
}
