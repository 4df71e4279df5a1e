package dev.crosschain.liquidation.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Hears the auction changes every replica commits through PostgreSQL LISTEN on {@value #CHANNEL}: {@link AuctionStore}
 * sends a NOTIFY (payload: the sending process's {@link #ORIGIN}, a space, the auction id) inside each transaction that
 * opens, bids on, closes, resets, settles a bid of or undoes a bid of an auction, so it is heard only once that change is committed. The
 * notifications this process sent itself are skipped: it told its own watchers when it made the change.
 *
 * <p>One connection of its own (not from the pool, which would take it back), on a daemon thread. Notifications sent
 * while it is down are lost, so each time LISTEN is in place (the first time too) the caller is told since when it may
 * have missed changes, and re-reads them.
 */
@ApplicationScoped
public class AuctionChangeFeed {

    static final String CHANNEL = "auction_changes";
    /** How the feed's connection names itself in pg_stat_activity. */
    public static final String APPLICATION_NAME = "liquidation-auction-feed";
    /** This process; a fresh one per start. */
    static final String ORIGIN = UUID.randomUUID().toString();
    private static final Logger LOG = Logger.getLogger(AuctionChangeFeed.class);
    /** How long one wait for notifications lasts; a silent connection is then checked, so a dead one is found. */
    private static final int POLL_MILLIS = 5_000;
    private static final int CHECK_SECONDS = 5;
    private static final Duration BACKOFF_MIN = Duration.ofMillis(100);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(5);
    /**
     * Taken off the moment the feed last knew itself caught up when it says since when changes may be missed: the close
     * and settlement times it is compared with come from other replicas' clocks, read before their transaction (a reset
     * takes its time before calls to margin-service that may be retried), so they may lag the commit by a lot. Wide,
     * because sending a watcher an auction again is cheap and missing one is not.
     */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    private final String url;
    private final String user;
    private final Optional<String> password;
    private final Clock clock = Clock.systemUTC();
    private volatile boolean stopped;
    private Thread thread;
    /** The feed's connection while it has one: {@link #stop} closes it, since a read blocked on its socket ignores interrupts. */
    private volatile Connection connection;

    public AuctionChangeFeed(@ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                             @ConfigProperty(name = "quarkus.datasource.username") String user,
                             @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Sends the notification of a change of {@code auctionId}, delivered when {@code c}'s transaction commits. */
    static void notify(Connection c, String auctionId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            s.setString(1, CHANNEL);
            s.setString(2, ORIGIN + " " + auctionId);
            s.executeQuery().close();
        }
    }

    /**
     * Starts listening on a daemon thread, until {@link #stop}. {@code onChange} gets the id of each auction another
     * process changed; {@code onListening} gets, each time LISTEN is in place, the moment since which changes may have
     * been missed (an exception it throws counts as a lost connection: it is called again after the next LISTEN).
     */
    public synchronized void start(Consumer<String> onChange, Consumer<Instant> onListening) {
        if (thread != null) {
            return;
        }
        stopped = false;
        thread = new Thread(() -> run(onChange, onListening), "auction-change-feed");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debugf("closing the LISTEN connection on stop: %s", e.getMessage());
            }
        }
    }

    private void run(Consumer<String> onChange, Consumer<Instant> onListening) {
        Instant caughtUp = clock.instant();
        Duration backoff = BACKOFF_MIN;
        while (!stopped) {
            try (Connection c = connect()) {
                connection = c;
                if (stopped) {
                    return; // stop() ran before the connection was kept, so it could not close it
                }
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                Instant listening = clock.instant();
                onListening.accept(caughtUp.minus(CLOCK_SLACK));
                caughtUp = listening;
                backoff = BACKOFF_MIN;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!stopped) {
                    Instant polled = clock.instant();
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications == null || notifications.length == 0) {
                        if (!c.isValid(CHECK_SECONDS)) {
                            throw new SQLException("the connection does not answer");
                        }
                    } else {
                        for (PGNotification n : notifications) {
                            LOG.debugf("heard %s", n.getParameter());
                            fromAnotherProcess(n.getParameter()).ifPresent(onChange);
                        }
                    }
                    caughtUp = polled;
                }
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                LOG.warnf("LISTEN %s lost (%s); listening again in %d ms, then re-reading what changed since %s", CHANNEL,
                        e.getMessage(), backoff.toMillis(), caughtUp.minus(CLOCK_SLACK));
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : backoff.multipliedBy(2);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("ApplicationName", APPLICATION_NAME);
        Connection c = new Driver().connect(url, properties);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL: " + url);
        }
        return c;
    }

    /** The auction id of a notification another process sent; empty for this process's own and for a malformed one. */
    static Optional<String> fromAnotherProcess(String payload) {
        int space = payload.indexOf(' ');
        if (space <= 0 || space == payload.length() - 1) {
            LOG.warnf("ignoring notification '%s' on %s", payload, CHANNEL);
            return Optional.empty();
        }
        return payload.substring(0, space).equals(ORIGIN) ? Optional.empty() : Optional.of(payload.substring(space + 1));
    }
}
