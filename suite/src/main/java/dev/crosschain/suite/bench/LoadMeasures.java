package dev.crosschain.suite.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
        return cpuByService().values().stream().reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * CPU time of every service this driver started, by its module (the directory its {@code quarkus-run.jar} is built
     * in): which service a phase's CPU went to.
     */
    static Map<String, Duration> cpuByService() {
        return ProcessHandle.current().children().collect(Collectors.toMap(LoadMeasures::moduleOf,
                p -> p.info().totalCpuDuration().orElse(Duration.ZERO), Duration::plus, TreeMap::new));
    }

    /** The CPU each service used since {@code before}, e.g. "margin-service 12.31 s, pricing-service 1.02 s". */
    static String cpuSince(Map<String, Duration> before) {
        return cpuByService().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(),
                        e.getValue().minus(before.getOrDefault(e.getKey(), Duration.ZERO)).toNanos() / 1e9))
                .collect(Collectors.joining(", "));
    }

    private static String moduleOf(ProcessHandle process) {
        String command = process.info().commandLine().orElse("?");
        int target = command.indexOf("/target/quarkus-app/");
        return target < 0 ? "pid " + process.pid() : command.substring(command.lastIndexOf('/', target - 1) + 1, target);
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
