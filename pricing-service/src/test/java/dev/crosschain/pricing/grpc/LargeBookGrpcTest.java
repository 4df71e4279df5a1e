package dev.crosschain.pricing.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.EXACT_TOL;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.assertInvalid;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.position;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.push;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.quote;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.revalue;
import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.scenario;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * RevalueBook of a book too large for the event loop ({@link PricingGrpcService#MAX_EVENT_LOOP_PAIRS})
 * goes to the worker pool: the same values and the same errors as a small book on the event loop.
 * Where each ran is seen by {@link RevalueThreads}.
 */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class LargeBookGrpcTest {

    static final double ETH = 2000.0;
    static final int SCENARIOS = 10;
    /** Just over the event loop's share with SCENARIOS scenarios. */
    static final int LARGE_BOOK = positionsOverTheEventLoopShare(SCENARIOS);

    static int positionsOverTheEventLoopShare(int scenarios) {
        return (int) (PricingGrpcService.MAX_EVENT_LOOP_PAIRS / (scenarios + PricingGrpcService.PAIRS_PER_POSITION)) + 1;
    }

    @Test
    void aLargeBookIsValuedAsTheSumOfItsPositions() {
        push(quote("ETH", "coinbase", Double.toString(ETH)));
        List<Scenario> scenarios = new ArrayList<>();
        for (int s = 0; s < SCENARIOS; s++) {
            scenarios.add(scenario("s" + s, "ETH", -0.05 * s));
        }
        RevalueBookResponse one = revalue(List.of(position("ETH-PERPETUAL", "1")), scenarios);
        assertThat(RevalueThreads.lastOnEventLoop()).as("a one-position book runs on the event loop").isTrue();
        RevalueBookResponse large = revalue(Collections.nCopies(LARGE_BOOK, position("ETH-PERPETUAL", "1")), scenarios);
        assertThat(RevalueThreads.lastOnEventLoop()).as("a large book runs on a worker").isFalse();

        assertThat(one.getBaseValueUsd()).isCloseTo(ETH, within(EXACT_TOL));
        assertThat(large.getBaseValueUsd()).isCloseTo(LARGE_BOOK * ETH, within(LARGE_BOOK * EXACT_TOL));
        assertThat(large.getValuesList()).hasSize(SCENARIOS);
        for (int s = 0; s < SCENARIOS; s++) {
            assertThat(large.getValues(s).getScenarioId()).isEqualTo("s" + s);
            assertThat(large.getValues(s).getPnlUsd()).isCloseTo(LARGE_BOOK * one.getValues(s).getPnlUsd(), within(LARGE_BOOK * EXACT_TOL));
        }
    }

    @Test
    void manyPositionsWithOneScenarioGoToAWorker() {
        push(quote("ETH", "coinbase", Double.toString(ETH)));
        List<Scenario> one = List.of(scenario("down", "ETH", -0.1));
        int justFits = positionsOverTheEventLoopShare(1) - 1;
        RevalueBookResponse fits = revalue(Collections.nCopies(justFits, position("ETH-PERPETUAL", "1")), one);
        assertThat(RevalueThreads.lastOnEventLoop()).as("%s positions x 1 scenario", justFits).isTrue();
        RevalueBookResponse many = revalue(Collections.nCopies(PricingGrpcService.MAX_BATCH, position("ETH-PERPETUAL", "1")), one);
        assertThat(RevalueThreads.lastOnEventLoop()).as("%s positions x 1 scenario", PricingGrpcService.MAX_BATCH).isFalse();

        assertThat(fits.getValues(0).getPnlUsd()).isCloseTo(-0.1 * ETH * justFits, within(justFits * EXACT_TOL));
        assertThat(many.getValues(0).getPnlUsd()).isCloseTo(-0.1 * ETH * PricingGrpcService.MAX_BATCH,
                within(PricingGrpcService.MAX_BATCH * EXACT_TOL));
    }

    @Test
    void aBadPositionInALargeBookIsInvalidWithItsField() {
        push(quote("ETH", "coinbase", Double.toString(ETH)));
        List<BookPosition> book = new ArrayList<>(Collections.nCopies(LARGE_BOOK, position("ETH-PERPETUAL", "1")));
        book.set(LARGE_BOOK - 1, position("ETH-PERP", "1"));
        book.set(3, position("ETH-PERPETUAL", "one"));
        List<Scenario> scenarios = new ArrayList<>();
        for (int s = 0; s < SCENARIOS; s++) {
            scenarios.add(scenario("s" + s, "ETH", -0.01));
        }
        assertInvalid(() -> revalue(book, scenarios), "INVALID_SCENARIO",
                "positions[3].quantity", "positions[" + (LARGE_BOOK - 1) + "].instrument");
    }
}
