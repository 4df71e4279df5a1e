package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.history.PriceHistory;
import dev.crosschain.margin.store.ReturnHistoryStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The histories behind the ES models: kept only once every shipped underlying is stored, so an underlying missing at
 * the first read is in the model once it is stored; a store that cannot be read leaves ES unavailable (the scenario MM
 * stands) and is read again next time. The store is a stand-in holding the shipped files (no database).
 */
class ShortfallModelsTest {

    /** The shipped histories of {@code present}, answered as the store would, counting reads. */
    static final class Store extends ReturnHistoryStore {
        final Map<String, PriceHistory> stored = new TreeMap<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean failing;

        Store() {
            super(null);
        }

        void put(String underlying) {
            String resource = ReturnHistoryLoader.resourceOf(underlying);
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
                stored.put(underlying, PriceHistory.parse(underlying, resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public List<String> underlyings() {
            reads.incrementAndGet();
            if (failing) {
                throw new IllegalStateException("connection refused (test)");
            }
            return List.copyOf(stored.keySet());
        }

        @Override
        public Optional<PriceHistory> load(String underlying) {
            return Optional.ofNullable(stored.get(underlying));
        }
    }

    static final ExpectedShortfallParameters ES = ExpectedShortfallParameters.PORTFOLIO_DEFAULT;

    @Test
    void aPartialReadIsNotKeptAndAHistoryStoredLaterJoinsTheModel() {
        Store store = new Store();
        store.put("BTC");
        store.put("SOL");
        ShortfallModels models = new ShortfallModels(store);

        AccountShortfall.Plan first = models.of(ES, MarginMode.PORTFOLIO).plan(List.of("BTC", "ETH"));
        assertThat(first.excluded()).containsExactly("ETH");
        assertThat(first.included()).containsExactly("BTC");

        store.put("ETH");
        AccountShortfall.Plan later = models.of(ES, MarginMode.PORTFOLIO).plan(List.of("BTC", "ETH"));
        assertThat(later.excluded()).isEmpty();
        assertThat(later.included()).containsExactly("BTC", "ETH");

        // every shipped underlying read: kept, the store is not read again, the model (and its APC ratios) is shared
        int reads = store.reads.get();
        AccountShortfall kept = models.of(ES, MarginMode.PORTFOLIO);
        assertThat(models.of(ES, MarginMode.PORTFOLIO)).isSameAs(kept);
        assertThat(store.reads.get()).isEqualTo(reads);
    }

    @Test
    void aStoreThatCannotBeReadLeavesEsUnavailableAndIsReadAgain() {
        Store store = new Store();
        ReturnHistoryLoader.SHIPPED.forEach(store::put);
        store.failing = true;
        ShortfallModels models = new ShortfallModels(store);

        AccountShortfall.Plan plan = models.of(ES, MarginMode.PORTFOLIO).plan(List.of("BTC"));
        assertThat(plan.available()).isFalse();
        assertThat(plan.excluded()).containsExactly("BTC");
        assertThat(models.of(ES, MarginMode.PORTFOLIO).result(plan, new double[0]).available()).isFalse();

        store.failing = false;
        assertThat(models.of(ES, MarginMode.PORTFOLIO).plan(List.of("BTC")).included()).containsExactly("BTC");
    }

    @Test
    void aSetWithoutEsHasNoModel() {
        Store store = new Store();
        assertThat(new ShortfallModels(store).of(ExpectedShortfallParameters.NONE, MarginMode.PORTFOLIO)).isNull();
        assertThat(store.reads.get()).isZero();
    }
}
