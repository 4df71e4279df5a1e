package dev.crosschain.pricing.store;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hears the writes of every replica (this one included) through PostgreSQL LISTEN on
 * {@value #CHANNEL}; {@link MarketStore} sends a NOTIFY inside each write transaction. The
 * connection reconnects on its own; since notifications sent while it was down are lost, every
 * (re)subscription is reported so the listener can reload everything.
 */
@ApplicationScoped
public class ChangeFeed {

    static final String CHANNEL = "pricing_changes";
    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final long RECONNECT_DELAY_MS = 1_000;
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern PAYLOAD = Pattern.compile("(index|surface):([A-Z][A-Z0-9]{1,9}):(\\d+)");

    /** A committed write: an asset's quotes at a revision, or an underlying's surface at a version. */
    public record Change(Kind kind, String symbol, long revision) {
        public enum Kind { INDEX, SURFACE }

        static Change index(String asset, long revision) {
            return new Change(Kind.INDEX, asset, revision);
        }

        static Change surface(String underlying, long version) {
            return new Change(Kind.SURFACE, underlying, version);
        }

        String payload() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + symbol + ":" + revision;
        }

        static Optional<Change> parse(String payload) {
            Matcher m = PAYLOAD.matcher(payload);
            if (!m.matches()) {
                return Optional.empty();
            }
            Kind kind = m.group(1).equals("index") ? Kind.INDEX : Kind.SURFACE;
            return Optional.of(new Change(kind, m.group(2), Long.parseLong(m.group(3))));
        }
    }

    private final Vertx vertx;
    private final String url;
    private final String user;
    private final Optional<String> password;
    private PgSubscriber subscriber;

    public ChangeFeed(Vertx vertx,
                      @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
                      @ConfigProperty(name = "quarkus.datasource.username") String user,
                      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * Starts listening. {@code onChange} gets each change and {@code onResubscribed} each time
     * the LISTEN is re-established after a lost connection, both on a Vert.x event loop.
     * Completes once the first LISTEN is in place.
     */
    public synchronized Uni<Void> listen(Consumer<Change> onChange, Runnable onResubscribed) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setUser(user).setPassword(password.orElse(""));
        subscriber = PgSubscriber.subscriber(vertx, options)
                // Never give up: a replica that stops hearing others would serve an old market forever.
                .reconnectPolicy(attempts -> RECONNECT_DELAY_MS);
        CompletableFuture<Void> listening = new CompletableFuture<>();
        subscriber.channel(CHANNEL)
                .subscribeHandler(v -> {
                    if (!listening.complete(null)) {
                        onResubscribed.run();
                    }
                })
                .handler(payload -> Change.parse(payload).ifPresentOrElse(onChange,
                        () -> LOG.warnf("ignoring notification %s on %s", payload, CHANNEL)));
        return Uni.createFrom().completionStage(() -> subscriber.connect().toCompletionStage())
                .chain(() -> Uni.createFrom().completionStage(listening))
                .ifNoItem().after(LISTEN_TIMEOUT).failWith(() -> new StoreException("LISTEN " + CHANNEL + " did not start", null));
    }

    public synchronized void close() {
        if (subscriber != null) {
            subscriber.close();
            subscriber = null;
        }
    }
}
