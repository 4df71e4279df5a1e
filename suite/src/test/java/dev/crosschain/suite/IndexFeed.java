package dev.crosschain.suite;


import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The index feeder of a liquidation IT's run: pushes the ETH level (and USDC at 1) now and every {@link #FEED_EVERY}, so
 * that no index goes stale (margin-service would shock it; the breakers would hold new auctions) however long the run
 * takes.
 */
final class IndexFeed implements AutoCloseable {

    private static final Duration FEED_EVERY = Duration.ofSeconds(5);

    private final Endpoints services;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private volatile BigDecimal eth;

    IndexFeed(Endpoints services, BigDecimal eth) {
        this.services = services;
        set(eth);
        timer.scheduleAtFixedRate(this::pushOrSayWhy, FEED_EVERY.toMillis(), FEED_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void set(BigDecimal level) {
        eth = level;
        push();
    }

    /** A failed tick is told, not thrown: a thrown one would end the schedule; the next tick pushes again. */
    private void pushOrSayWhy() {
        try {
            push();
        } catch (RuntimeException e) {
            System.out.printf("IndexFeed: index push failed, next in %s: %s%n", FEED_EVERY, e);
        }
    }

    private synchronized void push() {
        services.pushEthAndUsdc("liquidation-it-feed", eth);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
