package dev.crosschain.margin.client;

import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** margin-service's reads of pricing-service. */
@ApplicationScoped
public class PricingClient {

    @GrpcClient("pricing")
    PricingServiceGrpc.PricingServiceBlockingStub blocking;

    @Inject
    Calls calls;

    /**
     * Marks of the named instruments, by name; no call when there are none.
     *
     * @throws DependencyException when pricing-service does not answer in time, or cannot mark an instrument
     */
    public Map<String, MarketMark> marks(Collection<String> instruments) {
        if (instruments.isEmpty()) {
            return Map.of();
        }
        List<String> names = List.copyOf(instruments);
        GetMarksRequest request = GetMarksRequest.newBuilder().addAllInstruments(names).build();
        List<Mark> marks;
        try {
            marks = calls.idempotent("GetMarks " + instruments, () -> blocking
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getMarks(request)).getMarksList();
        } catch (StatusRuntimeException e) {
            throw new DependencyException("GetMarks " + instruments + ": pricing-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        }
        if (marks.size() != names.size()) {
            throw new DependencyException("pricing-service sent " + marks.size() + " marks for " + names.size() + " instruments",
                    Status.Code.INTERNAL, null);
        }
        Map<String, MarketMark> result = new HashMap<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                Mark m = marks.get(i); // one mark per instrument, in order: keyed by the name we asked for
                double delta = m.getKind() == dev.crosschain.proto.pricing.v1.InstrumentKind.INSTRUMENT_KIND_OPTION
                        ? m.getGreeks().getDelta() : 1.0;
                result.put(names.get(i), new MarketMark(names.get(i), m.getUnderlying(), new BigDecimal(m.getMarkPrice()),
                        new BigDecimal(m.getIndexPrice()), delta, m.getStale(), m.getAsOfUnixMs()));
            }
        } catch (RuntimeException e) {
            throw new DependencyException("pricing-service sent a malformed mark: " + e.getMessage(), Status.Code.INTERNAL, e);
        }
        return result;
    }
}
