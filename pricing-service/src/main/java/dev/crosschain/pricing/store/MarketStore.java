package dev.crosschain.pricing.store;

import dev.crosschain.pricing.domain.AssetQuotes;
import dev.crosschain.pricing.domain.ConflictException;
import dev.crosschain.pricing.domain.IndexAggregator;
import dev.crosschain.pricing.domain.IndexLevel;
import dev.crosschain.pricing.domain.SourceQuote;
import dev.crosschain.pricing.domain.SviParameters;
import dev.crosschain.pricing.domain.SviSlice;
import dev.crosschain.pricing.domain.VolSurface;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.sqlclient.DatabaseException;
import jakarta.persistence.PersistenceException;
import org.hibernate.JDBCException;
import org.hibernate.reactive.mutiny.Mutiny;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Index quotes, each asset's write counter and surfaces in PostgreSQL through Hibernate Reactive. Every
 * write takes a transaction-scoped advisory lock on what it changes (so replicas writing the same
 * asset or underlying queue up) and announces itself on {@link ChangeFeed#CHANNEL} in the same
 * transaction, so other replicas hear of it exactly when it commits.
 */
@ApplicationScoped
public class MarketStore {

    private static final String SEPARATOR = ",";

    /** Everything stored: what a replica loads at start-up. */
    public record Stored(List<AssetQuotes> assets, List<VolSurface> surfaces) {
    }

    /** The idempotency key of a quote push and the SHA-256 of its payload. */
    public record QuoteSetKey(String quoteSetId, byte[] payloadSha256) {
    }

    /** A push's surface: the one it stored ({@code created}), or the one an earlier push under its key stored. */
    public record SavedSurface(VolSurface surface, boolean created) {
    }

    static final String QUOTE_SET_ID_REUSED = "QUOTE_SET_ID_REUSED";
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * Applies quotes (a quote older than the stored one of its source is ignored), bumps each
     * touched asset's revision and records its index at {@code now} (for operators: readers derive
     * the index from the quotes), in one transaction. Returns every touched asset as committed.
     */
    public Uni<List<AssetQuotes>> saveQuotes(List<SourceQuote> quotes, Instant now, IndexAggregator aggregator) {
        // Sorted, so two writers touching the same assets take their locks in the same order.
        Map<String, List<SourceQuote>> byAsset = quotes.stream()
                .collect(Collectors.groupingBy(SourceQuote::asset, TreeMap::new, Collectors.toList()));
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> Multi.createFrom()
                .iterable(byAsset.entrySet())
                .onItem().transformToUniAndConcatenate(e -> saveAsset(session, e.getKey(), e.getValue(), now, aggregator))
                .collect().asList()))
                .onFailure(this::isDatabaseFailure).transform(e -> new StoreException("saving index quotes failed", e));
    }

    private Uni<AssetQuotes> saveAsset(Mutiny.Session session, String asset, List<SourceQuote> quotes, Instant now,
                                       IndexAggregator aggregator) {
        return lock(session, "index:" + asset)
                .chain(() -> session.createSelectionQuery("from IndexQuoteEntity where asset = :asset", IndexQuoteEntity.class)
                        .setParameter("asset", asset).getResultList())
                .chain(rows -> {
                    Map<String, IndexQuoteEntity> bySource = new HashMap<>();
                    rows.forEach(r -> bySource.put(r.source, r));
                    List<IndexQuoteEntity> added = new ArrayList<>();
                    for (SourceQuote q : quotes) {
                        IndexQuoteEntity row = bySource.get(q.source());
                        if (row == null) {
                            row = new IndexQuoteEntity();
                            row.asset = asset;
                            row.source = q.source();
                            bySource.put(q.source(), row);
                            added.add(row);
                        } else if (q.observedAt().isBefore(row.observedAt)) {
                            // Delivered late: the source has told us something newer already.
                            continue;
                        }
                        row.price = q.price();
                        row.observedAt = q.observedAt();
                        row.receivedAt = now;
                    }
                    return session.persistAll(added.toArray())
                            .chain(() -> session.find(IndexPriceEntity.class, asset))
                            .chain(previous -> {
                                Map<String, SourceQuote> latest = new HashMap<>();
                                bySource.values().forEach(r -> latest.put(r.source, toQuote(r)));
                                IndexLevel index = aggregator.index(asset, latest.values(), now);
                                IndexPriceEntity row = previous == null ? new IndexPriceEntity() : previous;
                                row.asset = asset;
                                row.price = index.price();
                                row.updatedAt = index.updatedAt();
                                row.sources = String.join(SEPARATOR, index.sources());
                                row.droppedSources = String.join(SEPARATOR, index.droppedSources());
                                row.revision = previous == null ? 1 : previous.revision + 1;
                                AssetQuotes saved = new AssetQuotes(asset, latest, row.revision);
                                Uni<Void> write = previous == null ? session.persist(row) : Uni.createFrom().voidItem();
                                return write.chain(() -> notify(session, ChangeFeed.Change.index(asset, saved.revision())))
                                        .replaceWith(saved);
                            });
                });
    }

    /**
     * The surface an earlier accepted push under this key created; null when the key is not known
     * (never used, or forgotten after the retention); ConflictException QUOTE_SET_ID_REUSED when
     * it was used with a different payload.
     */
    public Uni<VolSurface> replayOf(String underlying, QuoteSetKey key) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> replayOf(session, underlying, key)))
                .onFailure(this::isDatabaseFailure).transform(e -> new StoreException("reading a quote set id failed", e));
    }

    /**
     * Stores a fit as the underlying's next version (one above the highest stored, whatever
     * {@code fitted.version()} says, since another replica may have stored one meanwhile) with the
     * push's key, and forgets the underlying's keys pushed before {@code forgetKeysBefore}. When
     * the key was stored meanwhile (a replay racing its original, here or on another replica),
     * nothing is stored and the surface of the first push is returned, as {@link #replayOf} would.
     */
    public Uni<SavedSurface> saveSurface(VolSurface fitted, QuoteSetKey key, Instant now, Instant forgetKeysBefore) {
        String underlying = fitted.underlying();
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> lock(session, "surface:" + underlying)
                        .chain(() -> replayOf(session, underlying, key))
                        .chain(earlier -> earlier != null ? Uni.createFrom().item(new SavedSurface(earlier, false))
                                : storeSurface(session, fitted, key, now, forgetKeysBefore))))
                // Every writer of the underlying takes its lock, so a duplicate key is only a writer that does not.
                .onFailure(MarketStore::isUniqueViolation).recoverWithUni(() -> replayOf(underlying, key)
                        .map(earlier -> {
                            if (earlier == null) {
                                throw new StoreException("quote set " + key.quoteSetId() + " of " + underlying
                                        + " collided with a key that is no longer stored", null);
                            }
                            return new SavedSurface(earlier, false);
                        }))
                .onFailure(this::isDatabaseFailure).transform(e -> new StoreException("saving a surface failed", e));
    }

    private Uni<SavedSurface> storeSurface(Mutiny.Session session, VolSurface fitted, QuoteSetKey key, Instant now,
                                           Instant forgetKeysBefore) {
        String underlying = fitted.underlying();
        return session.createMutationQuery("delete from QuoteSetEntity where underlying = :underlying and pushedAt < :before")
                .setParameter("underlying", underlying).setParameter("before", forgetKeysBefore).executeUpdate()
                .chain(() -> session.createSelectionQuery(
                                "select max(s.version) from VolSurfaceEntity s where s.underlying = :underlying", Long.class)
                        .setParameter("underlying", underlying).getSingleResultOrNull())
                .chain(highest -> {
                    long version = (highest == null ? 0 : highest) + 1;
                    VolSurfaceEntity surface = new VolSurfaceEntity();
                    surface.underlying = underlying;
                    surface.version = version;
                    surface.fittedAt = fitted.fittedAt();
                    surface.storedAt = now;
                    List<Object> rows = new ArrayList<>();
                    rows.add(surface);
                    fitted.slices().forEach(slice -> rows.add(toRow(underlying, version, slice)));
                    QuoteSetEntity quoteSet = new QuoteSetEntity();
                    quoteSet.underlying = underlying;
                    quoteSet.quoteSetId = key.quoteSetId();
                    quoteSet.payloadSha256 = key.payloadSha256();
                    quoteSet.surfaceVersion = version;
                    quoteSet.pushedAt = now;
                    VolSurface stored = new VolSurface(underlying, version, fitted.fittedAt(), false, fitted.slices());
                    // Surface and slices first: the key refers to the surface.
                    return session.persistAll(rows.toArray())
                            .chain(session::flush)
                            .chain(() -> session.persist(quoteSet))
                            .chain(session::flush)
                            .chain(() -> notify(session, ChangeFeed.Change.surface(underlying, version)))
                            .replaceWith(new SavedSurface(stored, true));
                });
    }

    private Uni<VolSurface> replayOf(Mutiny.Session session, String underlying, QuoteSetKey key) {
        return session.createSelectionQuery("from QuoteSetEntity where underlying = :underlying and quoteSetId = :id",
                        QuoteSetEntity.class)
                .setParameter("underlying", underlying).setParameter("id", key.quoteSetId()).getSingleResultOrNull()
                .chain(row -> {
                    if (row == null) {
                        return Uni.createFrom().nullItem();
                    }
                    if (!MessageDigest.isEqual(row.payloadSha256, key.payloadSha256())) {
                        return Uni.createFrom().failure(new ConflictException(QUOTE_SET_ID_REUSED, "quote_set_id",
                                "quote set " + key.quoteSetId() + " of " + underlying + " was pushed at " + row.pushedAt
                                        + " with a different payload (it created surface version " + row.surfaceVersion
                                        + "): a new quote set needs a new id"));
                    }
                    return loadSurfaceVersion(session, underlying, row.surfaceVersion);
                });
    }

    /** Every asset's quotes and revision, and the newest surface of every underlying. */
    public Uni<Stored> loadAll() {
        return Panache.withSession(() -> Panache.getSession().chain(session -> loadAssets(session, null)
                .chain(assets -> loadSurfaces(session, null).map(surfaces -> new Stored(assets, surfaces)))))
                .onFailure(this::isDatabaseFailure).transform(e -> new StoreException("loading the market failed", e));
    }

    /** One asset as stored, or null if it has never been quoted. */
    public Uni<AssetQuotes> loadAsset(String asset) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> loadAssets(session, asset)))
                .map(assets -> assets.isEmpty() ? null : assets.get(0))
                .onFailure(this::isDatabaseFailure).transform(e -> new StoreException("loading " + asset + " failed", e));
    }

    /** The newest stored surface of an underlying, or null if none was ever accepted. */
    public Uni<VolSurface> loadSurface(String underlying) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> loadSurfaces(session, underlying)))
                .map(surfaces -> surfaces.isEmpty() ? null : surfaces.get(0))
                .onFailure(this::isDatabaseFailure).transform(e -> new StoreException("loading the surface of " + underlying + " failed", e));
    }

    /**
     * Quotes and revisions in one statement, so both come from one snapshot: read apart, a write
     * committing in between would stamp the old quotes with its newer revision, and the reload that
     * revision's notification triggers would then be ignored as not newer, leaving old quotes served.
     */
    private Uni<List<AssetQuotes>> loadAssets(Mutiny.Session session, String onlyAsset) {
        var query = session.createSelectionQuery("select q, p.revision from IndexQuoteEntity q, IndexPriceEntity p "
                + "where p.asset = q.asset" + (onlyAsset == null ? "" : " and q.asset = :asset"), Object[].class);
        if (onlyAsset != null) {
            query.setParameter("asset", onlyAsset);
        }
        return query.getResultList().map(rows -> {
            Map<String, Map<String, SourceQuote>> quotesByAsset = new TreeMap<>();
            Map<String, Long> revisionByAsset = new HashMap<>();
            for (Object[] row : rows) {
                IndexQuoteEntity q = (IndexQuoteEntity) row[0];
                quotesByAsset.computeIfAbsent(q.asset, a -> new HashMap<>()).put(q.source, toQuote(q));
                revisionByAsset.put(q.asset, (Long) row[1]);
            }
            List<AssetQuotes> assets = new ArrayList<>();
            quotesByAsset.forEach((asset, bySource) -> assets.add(new AssetQuotes(asset, bySource, revisionByAsset.get(asset))));
            return assets;
        });
    }

    private Uni<List<VolSurface>> loadSurfaces(Mutiny.Session session, String onlyUnderlying) {
        String newest = "from VolSurfaceEntity s where s.version = "
                + "(select max(t.version) from VolSurfaceEntity t where t.underlying = s.underlying)";
        var query = session.createSelectionQuery(
                onlyUnderlying == null ? newest : newest + " and s.underlying = :underlying", VolSurfaceEntity.class);
        if (onlyUnderlying != null) {
            query.setParameter("underlying", onlyUnderlying);
        }
        return query.getResultList().chain(surfaces -> Multi.createFrom().iterable(surfaces)
                .onItem().transformToUniAndConcatenate(surface -> withSlices(session, surface))
                .collect().asList());
    }

    /** A stored version of a surface (versions are kept). */
    private Uni<VolSurface> loadSurfaceVersion(Mutiny.Session session, String underlying, long version) {
        return session.createSelectionQuery("from VolSurfaceEntity where underlying = :underlying and version = :version",
                        VolSurfaceEntity.class)
                .setParameter("underlying", underlying).setParameter("version", version).getSingleResult()
                .chain(surface -> withSlices(session, surface));
    }

    private static Uni<VolSurface> withSlices(Mutiny.Session session, VolSurfaceEntity surface) {
        return session.createSelectionQuery(
                        "from VolSliceEntity where underlying = :underlying and version = :version order by expiryDate",
                        VolSliceEntity.class)
                .setParameter("underlying", surface.underlying).setParameter("version", surface.version)
                .getResultList()
                .map(slices -> new VolSurface(surface.underlying, surface.version, surface.fittedAt, false,
                        slices.stream().map(MarketStore::toSlice).toList()));
    }

    /** Waits for, then holds until commit, a lock that every writer of {@code key} takes. */
    private static Uni<Void> lock(Mutiny.Session session, String key) {
        return session.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(:key))")
                .setParameter("key", key).executeUpdate().replaceWithVoid();
    }

    private static Uni<Void> notify(Mutiny.Session session, ChangeFeed.Change change) {
        // NOTIFY takes no bind parameters; the payload is built from checked symbols and numbers only.
        return session.createNativeQuery("NOTIFY " + ChangeFeed.CHANNEL + ", '" + change.payload() + "'")
                .executeUpdate().replaceWithVoid();
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JDBCException e && UNIQUE_VIOLATION.equals(e.getSQLState())
                    || t instanceof DatabaseException e2 && UNIQUE_VIOLATION.equals(e2.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /** Failures of the database or the way to it, as opposed to bugs in what we asked of it. */
    private boolean isDatabaseFailure(Throwable failure) {
        return failure instanceof PersistenceException || !(failure instanceof RuntimeException)
                || failure.getClass().getName().startsWith("io.vertx.");
    }

    private static SourceQuote toQuote(IndexQuoteEntity row) {
        return new SourceQuote(row.asset, row.source, row.price, row.observedAt);
    }

    private static VolSliceEntity toRow(String underlying, long version, SviSlice slice) {
        VolSliceEntity row = new VolSliceEntity();
        row.underlying = underlying;
        row.version = version;
        row.expiryDate = slice.expiryDate();
        row.expiry = slice.expiry();
        row.years = slice.years();
        row.forward = slice.forward();
        row.indexAtFit = slice.indexAtFit();
        row.a = slice.params().a();
        row.b = slice.params().b();
        row.rho = slice.params().rho();
        row.m = slice.params().m();
        row.sigma = slice.params().sigma();
        row.rmsVolError = slice.rmsVolError();
        row.quoteCount = slice.quoteCount();
        return row;
    }

    private static SviSlice toSlice(VolSliceEntity row) {
        return new SviSlice(row.expiryDate, row.expiry, row.years, row.forward,
                row.indexAtFit == null ? row.forward : row.indexAtFit,
                new SviParameters(row.a, row.b, row.rho, row.m, row.sigma), row.rmsVolError, row.quoteCount);
    }
}
