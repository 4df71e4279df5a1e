package dev.crosschain.liquidation.app;

/**
 * Where the time of one auction's opening went, step by step (milliseconds since the previous step), for the
 * "opened auction" log line: the breakdown issue 6's open-path benchmark is read from.
 */
final class OpenLaps {

    private final StringBuilder laps = new StringBuilder();
    private final long started;
    private long last;

    private OpenLaps(long now) {
        this.started = now;
        this.last = now;
    }

    static OpenLaps start() {
        return new OpenLaps(System.nanoTime());
    }

    /** Ends the step named {@code step} now. */
    void lap(String step) {
        long now = System.nanoTime();
        laps.append(laps.length() == 0 ? "" : ", ").append(step).append(' ').append(millis(now - last));
        last = now;
    }

    @Override
    public String toString() {
        return millis(last - started) + " ms (" + laps + ")";
    }

    /**
     * Milliseconds to one decimal, rounded half up, by integer arithmetic: String.format's parsing of its pattern cost
     * more CPU than the steps it timed (several times per opening, on the open path's profile).
     */
    private static String millis(long nanos) {
        long tenths = (Math.max(nanos, 0) + 50_000) / 100_000;
        return (tenths / 10) + "." + (tenths % 10);
    }
}
