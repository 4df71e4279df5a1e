package dev.crosschain.pricing.grpc;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Fixed latency buckets on the gRPC server's call timer, so /q/metrics answers "what share of calls
 * took over 2 ms" per method: the count, sum and max it has by default say nothing about the tail,
 * and a venue alerts on the tail (margin-service calls RevalueBook on every tick).
 */
@Singleton
public class CallLatencyBuckets {

    static final String SERVER_CALL_TIMER = "grpc.server.processing.duration";
    private static final double[] BUCKETS_MS = {0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250, 1000};

    @Produces
    @Singleton
    MeterFilter serverCallBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!SERVER_CALL_TIMER.equals(id.getName())) {
                    return config;
                }
                // a timer's buckets are in nanoseconds
                double[] nanos = new double[BUCKETS_MS.length];
                for (int i = 0; i < nanos.length; i++) {
                    nanos[i] = BUCKETS_MS[i] * 1e6;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
