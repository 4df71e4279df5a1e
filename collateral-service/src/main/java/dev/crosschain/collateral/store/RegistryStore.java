package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.ChainDraft;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.ConflictException;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.PreconditionException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The chain registry in the database, the source of truth at run time: one row per revision holding the whole
 * registry, and an append-only audit of the changes. Every change runs in one transaction that reads the latest
 * revision and inserts the next one; two writers (or two replicas applying the registry file at once) collide on
 * the revision's or the change id's unique key and the loser retries on the new state, where it finds its change
 * made (replay) or decides again.
 *
 * <p>Registry changes and deposits (review finding 6). A change of a chain's assets (one added or removed, decimals
 * changed) locks the chain's {@code chain_state} row, the row every adapter batch of the chain locks first
 * ({@code AdapterStore.lockChain}), checks the balances (ASSET_IN_USE) only then, and records the chain's new assets
 * in that row ({@code registry_assets}, e.g. "ETH:18,USDC:6"). So the two serialize: a batch that committed before
 * the change is seen by its balance check (READ COMMITTED: each statement reads what committed before it, after the
 * lock), and a batch after it finds the new assets in the row it locked ({@link #requireChainAssets}). A batch whose
 * deposits were checked against an entry that no longer holds (the in-memory registry of a replica that has not
 * polled the change yet) fails as a whole, nothing committed and nothing acknowledged, with
 * {@link RegistryChangedException}: the stream ends UNAVAILABLE REGISTRY_CHANGED, the replica reloads the registry
 * at once, and the adapter resends from its last acknowledged cursor, judged by the new entry. Chosen over
 * re-validating inside the batch: the batch's events carry the entry they were checked against, and a rare
 * reconnect is simpler and as safe.
 */
@ApplicationScoped
public class RegistryStore {

    public static final String CONFIG_FILE_ACTOR = "config-file";
    public static final String UPSERT_CHAIN = "UPSERT_CHAIN";
    public static final String SET_CHAIN_HALT = "SET_CHAIN_HALT";
    public static final String CONFIG_FILE = "CONFIG_FILE";

    private static final Set<String> RACING_INSERT = Set.of("23505");

    /** Told when a batch met a registry newer than the one it was checked against (the replica reloads it). */
    private static volatile Runnable onStale = () -> { };

    private final AgroalDataSource dataSource;

    public RegistryStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One stored revision: the chains as written, the halted chain ids, the registry file version applied. */
    public record Revision(long revision, List<ChainDraft> chains, Set<String> halted, long fileVersion) {

        static final Revision NONE = new Revision(0, List.of(), Set.of(), 0);

        Map<String, ChainDraft> byId() {
            Map<String, ChainDraft> byId = new TreeMap<>();
            chains.forEach(c -> byId.put(c.chainId(), c));
            return byId;
        }
    }

    /** The revision a change made, and whether this call replayed it. */
    public record Applied(long revision, boolean replayed) {
    }

    /** The outcome of offering the registry file: applied as {@code revision}, or ignored (already at a version). */
    public record FileOutcome(boolean applied, long revision, long storedFileVersion) {
    }

    /** One audited change. */
    public record Change(long revision, String changeId, String actor, Instant changedAt, String kind, String chainId,
                         String reason, Optional<ChainDraft> before, Optional<ChainDraft> after, boolean halted) {
    }

    /** The newest revision number; 0 before the first. Cheap: every replica polls it. */
    public long latestRevision() {
        return Transactions.readCommitted(dataSource, "latest registry revision", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(revision) FROM registry_revision")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** The registry in force; {@link Revision#NONE} before the first. */
    public Revision latest() {
        return Transactions.readCommitted(dataSource, "load registry", RegistryStore::latest);
    }

    /**
     * Applies the registry file as a new revision when its version is greater than the last file version applied;
     * the file replaces every chain (operators' upserts since the last file included). Halts of chains the file
     * keeps stay. A file removing an asset balances hold (or changing its decimals) is refused ASSET_IN_USE.
     */
    public FileOutcome applyFile(long version, List<ChainSpec> chains, String source) {
        List<ChainDraft> drafts = new ArrayList<>();
        chains.forEach(spec -> drafts.add(ChainDraft.of(spec)));
        String json = RegistryJson.chains(drafts);
        String changeId = CONFIG_FILE_ACTOR + ":" + version;
        // READ COMMITTED, not SERIALIZABLE: the balance check must see the batches that committed while this waited
        // for the chains' rows (a serializable snapshot predates the wait). Racing writers collide on the revision.
        return Transactions.readCommitted(dataSource, "apply registry file " + version, RACING_INSERT, c -> {
            Revision latest = latest(c);
            if (latest.fileVersion() >= version) {
                return new FileOutcome(false, latest.revision(), latest.fileVersion());
            }
            Map<String, ChainDraft> before = latest.byId();
            Map<String, String> assets = new TreeMap<>();
            before.forEach((id, old) -> assets.put(id, null));
            chains.forEach(spec -> assets.put(spec.id(), fingerprint(spec)));
            Map<String, String> changed = lockChangedChains(c, before, assets);
            for (ChainSpec spec : chains) {
                requireAssetsNotInUse(c, before.get(spec.id()), spec, "chains");
            }
            for (ChainDraft old : latest.chains()) {
                if (chains.stream().noneMatch(s -> s.id().equals(old.chainId()))) {
                    requireAssetsNotInUse(c, old, null, "chains");
                }
            }
            Set<String> halted = new TreeSet<>(latest.halted());
            halted.removeIf(id -> chains.stream().noneMatch(s -> s.id().equals(id)));
            long revision = latest.revision() + 1;
            insertRevision(c, revision, json, halted, version);
            recordAssets(c, changed);
            insertChange(c, revision, changeId, CONFIG_FILE_ACTOR, CONFIG_FILE, "", "registry file version " + version
                    + " (" + source + ")", null, null, false, hash(CONFIG_FILE, json));
            return new FileOutcome(true, revision, version);
        });
    }

    /**
     * Adds or replaces one chain's entry. Order of checks: a known change id answers its first revision (or
     * IDEMPOTENCY_CONFLICT with another payload), then expected revision (REVISION_MISMATCH), then assets in use.
     */
    public Applied upsertChain(String changeId, String actor, long expectedRevision, ChainSpec chain, String reason) {
        ChainDraft after = ChainDraft.of(chain);
        String afterJson = RegistryJson.chain(after);
        String hash = hash(UPSERT_CHAIN, afterJson, Long.toString(expectedRevision), reason);
        // READ COMMITTED: see applyFile.
        return Transactions.readCommitted(dataSource, "upsert chain " + chain.id(), RACING_INSERT, c -> {
            Optional<Applied> replay = replay(c, changeId, hash);
            if (replay.isPresent()) {
                return replay.get();
            }
            Revision latest = latest(c);
            requireRevision(latest, expectedRevision);
            Map<String, ChainDraft> chains = latest.byId();
            ChainDraft before = chains.get(chain.id());
            Map<String, String> changed = lockChangedChains(c, before == null ? Map.of() : Map.of(chain.id(), before),
                    Map.of(chain.id(), fingerprint(chain)));
            requireAssetsNotInUse(c, before, chain, "chain.assets");
            chains.put(chain.id(), after);
            long revision = latest.revision() + 1;
            insertRevision(c, revision, RegistryJson.chains(new ArrayList<>(chains.values())), latest.halted(), latest.fileVersion());
            recordAssets(c, changed);
            insertChange(c, revision, changeId, actor, UPSERT_CHAIN, chain.id(), reason,
                    before == null ? null : RegistryJson.chain(before), afterJson, latest.halted().contains(chain.id()), hash);
            return new Applied(revision, false);
        });
    }

    /** Halts a chain or lifts the operator halt; an unknown chain is INVALID_ARGUMENT UNKNOWN_CHAIN. */
    public Applied setChainHalt(String changeId, String actor, String chainId, boolean halt, String reason) {
        String hash = hash(SET_CHAIN_HALT, chainId, Boolean.toString(halt), reason);
        return Transactions.serializable(dataSource, "set halt of " + chainId, RACING_INSERT, c -> {
            Optional<Applied> replay = replay(c, changeId, hash);
            if (replay.isPresent()) {
                return replay.get();
            }
            Revision latest = latest(c);
            ChainDraft entry = latest.byId().get(chainId);
            if (entry == null) {
                throw new InvalidInputException("UNKNOWN_CHAIN", "chain_id", "unknown chain: " + chainId);
            }
            Set<String> halted = new TreeSet<>(latest.halted());
            if (halt) {
                halted.add(chainId);
            } else {
                halted.remove(chainId);
            }
            long revision = latest.revision() + 1;
            String json = RegistryJson.chain(entry);
            insertRevision(c, revision, RegistryJson.chains(latest.chains()), halted, latest.fileVersion());
            insertChange(c, revision, changeId, actor, SET_CHAIN_HALT, chainId, reason, json, json, halt, hash);
            return new Applied(revision, false);
        });
    }

    /** Changes with a revision below {@code beforeRevision}, newest first, at most {@code limit}. */
    public List<Change> changes(long beforeRevision, int limit) {
        return Transactions.readCommitted(dataSource, "list registry changes", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT revision, change_id, actor, changed_at, kind, chain_id, reason, before_entry, after_entry, halted
                    FROM registry_change WHERE revision < ? ORDER BY revision DESC LIMIT ?""")) {
                s.setLong(1, beforeRevision);
                s.setInt(2, limit);
                List<Change> changes = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        changes.add(new Change(rs.getLong("revision"), rs.getString("change_id"), rs.getString("actor"),
                                rs.getTimestamp("changed_at").toInstant(), rs.getString("kind"), rs.getString("chain_id"),
                                rs.getString("reason"), entry(rs.getString("before_entry")), entry(rs.getString("after_entry")),
                                rs.getBoolean("halted")));
                    }
                }
                return changes;
            }
        });
    }

    /**
     * Inside an adapter batch's transaction, right after it locked the chain's row: the deposits of the batch were
     * checked against registry entries ({@code DepositWork.chain()}) whose assets must all still be listed with the
     * same decimals (added assets do no harm). {@code stored}: the row's {@code registry_assets} as the batch's lock
     * read it (no extra statement); only a batch with deposits is checked.
     * Throws {@link RegistryChangedException} (nothing of the batch may commit) when an asset was removed or its
     * decimals changed since; the replica then reloads the registry at once.
     */
    public static void requireChainAssets(String chainId, String stored, List<AdapterStore.Queued> events) {
        ChainSpec checked = null;
        List<ChainSpec> others = null;
        for (AdapterStore.Queued event : events) {
            if (event.work() instanceof AdapterStore.DepositWork deposit && deposit.chain() != checked) {
                if (checked == null) {
                    checked = deposit.chain();
                } else {
                    (others == null ? others = new ArrayList<>() : others).add(deposit.chain());
                }
            }
        }
        if (checked == null) {
            return;
        }
        // No value: no registry change of the chain's assets since V7 (each one writes it).
        if (stored == null) {
            return;
        }
        requireListed(chainId, checked, stored);
        if (others != null) {
            for (ChainSpec spec : others) {
                requireListed(chainId, spec, stored);
            }
        }
    }

    /** Registers what to do when a batch met a newer registry than the one its deposits were checked against. */
    public static void onStale(Runnable action) {
        onStale = action == null ? () -> { } : action;
    }

    private static void requireListed(String chainId, ChainSpec checked, String stored) {
        String fingerprint = fingerprint(checked);
        if (fingerprint.equals(stored)) {
            return;
        }
        Set<String> now = stored.isEmpty() ? Set.of() : Set.of(stored.split(","));
        for (String asset : fingerprint.isEmpty() ? new String[0] : fingerprint.split(",")) {
            if (!now.contains(asset)) {
                try {
                    onStale.run();
                } catch (RuntimeException ignored) {
                    // the registry's poll catches up anyway
                }
                throw new RegistryChangedException(chainId, "the assets of chain " + chainId + " changed in the registry "
                        + "after this stream's deposits were checked (" + fingerprint + " then, " + (stored.isEmpty()
                        ? "none" : stored) + " now): nothing of the batch was applied; reconnect and resend from the welcome's cursor");
            }
        }
    }

    /** A chain's assets as they matter to stored amounts: "SYMBOL:decimals", sorted, comma-separated. */
    static String fingerprint(ChainSpec chain) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(chain.assets()).forEach((symbol, asset) -> b.append(b.length() == 0 ? "" : ",").append(symbol)
                .append(':').append(asset.decimals()));
        return b.toString();
    }

    static String fingerprint(ChainDraft chain) {
        TreeMap<String, Long> decimals = new TreeMap<>();
        chain.assets().forEach(a -> decimals.put(a.asset(), a.decimals()));
        StringBuilder b = new StringBuilder();
        decimals.forEach((symbol, d) -> b.append(b.length() == 0 ? "" : ",").append(symbol).append(':').append(d));
        return b.toString();
    }

    /**
     * Locks (FOR UPDATE, in chain id order, creating it if missing) the {@code chain_state} row of every chain whose
     * assets change: {@code after} maps chain ids to their new fingerprint (null: the chain leaves the registry).
     * Waits for the chain's batch in flight; the chain's next batches wait for this change. The changed chains and
     * their new fingerprint ("" when removed).
     */
    private static Map<String, String> lockChangedChains(Connection c, Map<String, ChainDraft> before, Map<String, String> after)
            throws SQLException {
        Map<String, String> changed = new TreeMap<>();
        after.forEach((id, fingerprint) -> {
            ChainDraft old = before.get(id);
            String was = old == null ? null : fingerprint(old);
            String now = fingerprint == null ? "" : fingerprint;
            if (!now.equals(was)) {
                changed.put(id, now);
            }
        });
        for (String id : changed.keySet()) {
            AdapterStore.lockChainRow(c, id);
        }
        return changed;
    }

    /** Records the changed chains' assets in their locked rows, for {@link #requireChainAssets}. */
    private static void recordAssets(Connection c, Map<String, String> changed) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE chain_state SET registry_assets = ? WHERE chain_id = ?")) {
            for (Map.Entry<String, String> e : changed.entrySet()) {
                s.setString(1, e.getValue());
                s.setString(2, e.getKey());
                s.executeUpdate();
            }
        }
    }

    private static Optional<ChainDraft> entry(String json) {
        return json == null ? Optional.empty() : Optional.of(RegistryJson.chain(json));
    }

    private static Revision latest(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT revision, chains, halted_chains, file_version FROM registry_revision ORDER BY revision DESC LIMIT 1""")) {
            if (!rs.next()) {
                return Revision.NONE;
            }
            Array halted = rs.getArray("halted_chains");
            return new Revision(rs.getLong("revision"), RegistryJson.chains(rs.getString("chains")),
                    Set.copyOf(Arrays.asList((String[]) halted.getArray())), rs.getLong("file_version"));
        }
    }

    private static Optional<Applied> replay(Connection c, String changeId, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT revision, request_hash FROM registry_change WHERE change_id = ?")) {
            s.setString(1, changeId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!hash.equals(rs.getString("request_hash"))) {
                    throw new ConflictException("IDEMPOTENCY_CONFLICT", "change " + changeId + " was made before with another payload");
                }
                return Optional.of(new Applied(rs.getLong("revision"), true));
            }
        }
    }

    private static void requireRevision(Revision latest, long expectedRevision) {
        if (expectedRevision != 0 && expectedRevision != latest.revision()) {
            throw new PreconditionException("REVISION_MISMATCH", "expected_revision", "expected revision " + expectedRevision
                    + " but the registry is at revision " + latest.revision());
        }
    }

    /**
     * Refuses to drop an asset of {@code before} that a balance holds, or to change its decimals (that would
     * re-scale the stored amounts). {@code after} null drops the whole chain.
     */
    private static void requireAssetsNotInUse(Connection c, ChainDraft before, ChainSpec after, String subject) throws SQLException {
        if (before == null) {
            return;
        }
        for (ChainDraft.AssetDraft old : before.assets()) {
            Optional<AssetSpec> now = after == null ? Optional.empty() : after.asset(old.asset());
            String change;
            if (now.isEmpty()) {
                change = "removing " + old.asset();
            } else if (now.get().decimals() != old.decimals()) {
                change = "changing the decimals of " + old.asset() + " from " + old.decimals() + " to " + now.get().decimals();
            } else {
                continue;
            }
            if (held(c, before.chainId(), old.asset())) {
                throw new PreconditionException("ASSET_IN_USE", subject, change + " on " + before.chainId()
                        + " is refused: balances hold it");
            }
        }
    }

    private static boolean held(Connection c, String chainId, String asset) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT 1 FROM balance WHERE chain_id = ? AND asset = ? AND (pending <> 0 OR available <> 0 OR locked <> 0)
                LIMIT 1""")) {
            s.setString(1, chainId);
            s.setString(2, asset);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insertRevision(Connection c, long revision, String chainsJson, Set<String> halted, long fileVersion)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO registry_revision (revision, chains, halted_chains, file_version) VALUES (?, ?, ?, ?)")) {
            s.setLong(1, revision);
            s.setString(2, chainsJson);
            s.setArray(3, c.createArrayOf("text", new TreeSet<>(halted).toArray(new String[0])));
            s.setLong(4, fileVersion);
            s.executeUpdate();
        }
    }

    private static void insertChange(Connection c, long revision, String changeId, String actor, String kind, String chainId,
                                     String reason, String before, String after, boolean halted, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO registry_change (revision, change_id, actor, changed_at, kind, chain_id, reason, before_entry,
                                             after_entry, halted, request_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            s.setLong(1, revision);
            s.setString(2, changeId);
            s.setString(3, actor);
            s.setTimestamp(4, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
            s.setString(5, kind);
            s.setString(6, chainId);
            s.setString(7, reason);
            s.setString(8, before);
            s.setString(9, after);
            s.setBoolean(10, halted);
            s.setString(11, hash);
            s.executeUpdate();
        }
    }

    /** SHA-256 of the parts, each length-prefixed so that no two different payloads hash the same text. */
    static String hash(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }
}
