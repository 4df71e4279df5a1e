package dev.crosschain.suite.bench;

import java.time.Duration;

/** What the load drivers read of themselves and of the service they started, and how they report latencies. */
final class LoadMeasures {

    private LoadMeasures() {
    }

    /** CPU time of the service: this process's only child, since the suite started it. */
    static Duration serviceCpu() {
        return ProcessHandle.current().children().findFirst().flatMap(p -> p.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /** CPU time of every service this driver started (its children). */
    static Duration servicesCpu() {
        return ProcessHandle.current().children().map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    /** The service's pid, -1 when it is not running. */
    static long servicePid() {
        return ProcessHandle.current().children().findFirst().map(ProcessHandle::pid).orElse(-1L);
    }

    /** CPU time of the driver itself. */
    static Duration driverCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The {@code quantile} of sorted nanosecond latencies, in milliseconds (NaN when there are none). */
    static double ms(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }
}
