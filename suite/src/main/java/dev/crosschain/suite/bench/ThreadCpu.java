package dev.crosschain.suite.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of another process's threads, summed by what they do, from Linux's /proc. A service's
 * CPU per call alone hides whether it went to serving calls or to the JIT compiler and the
 * collector, which a short warm-up on a shared machine leaves running well into the measurement.
 * Elsewhere (no /proc) every reading is empty. A thread that ends between two readings takes its
 * time with it: the process total stays the reference figure.
 */
final class ThreadCpu {

    /** Thread name prefixes (as Linux keeps them, cut to 15 characters) of Vert.x, Quarkus and HotSpot; the rest is "other". */
    private static final Map<String, String> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("vert.x-eventloo", "event loop");
        GROUPS.put("executor-thread", "workers");
        GROUPS.put("C2 Compiler", "JIT");
        GROUPS.put("C1 Compiler", "JIT");
        GROUPS.put("VM Thread", "GC+VM");
        GROUPS.put("GC Thread", "GC+VM");
        GROUPS.put("G1 ", "GC+VM");
    }

    private static final long TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Java runs on

    private ThreadCpu() {
    }

    /** Per thread id, its name and CPU time in ticks; empty when /proc cannot be read. */
    static Map<String, long[]> read(long pid) {
        Map<String, long[]> threads = new LinkedHashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                // "tid (name) state ...": the name may hold spaces and parentheses, so split at the last ')'.
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
                threads.put(task.getFileName() + " " + name, new long[] {ticks});
            }
        } catch (IOException | RuntimeException unreadable) {
            return Map.of();
        }
        return threads;
    }

    /** Milliseconds of CPU per group between two readings, groups in a fixed order, "other" last. */
    static Map<String, Double> spent(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, Double> groups = new LinkedHashMap<>();
        GROUPS.values().forEach(g -> groups.put(g, 0.0));
        groups.put("other", 0.0);
        after.forEach((thread, ticks) -> {
            long[] earlier = before.get(thread);
            long delta = ticks[0] - (earlier == null ? 0 : earlier[0]);
            String name = thread.substring(thread.indexOf(' ') + 1);
            String group = GROUPS.entrySet().stream().filter(e -> name.startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse("other");
            groups.merge(group, delta * 1000.0 / TICKS_PER_SECOND, Double::sum);
        });
        return groups;
    }
}
