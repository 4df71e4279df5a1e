package dev.crosschain.margin.domain.history;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The real daily histories shipped in the service's resources, parsed once per test JVM. */
final class HistoryFixtures {

    private static final Map<String, PriceHistory> CACHE = new ConcurrentHashMap<>();

    private HistoryFixtures() {
    }

    static PriceHistory btc() {
        return load("BTC");
    }

    static PriceHistory eth() {
        return load("ETH");
    }

    static PriceHistory sol() {
        return load("SOL");
    }

    static PriceHistory load(String underlying) {
        return CACHE.computeIfAbsent(underlying, u -> {
            String resource = "/history/" + u + "-USD.csv";
            try (InputStream in = HistoryFixtures.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("no resource " + resource);
                }
                return PriceHistory.parse(u, resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
