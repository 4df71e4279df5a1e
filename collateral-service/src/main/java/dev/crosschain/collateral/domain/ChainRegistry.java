package dev.crosschain.collateral.domain;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configured chains, ordered by id, at one registry revision, with the chains an operator halts. Immutable:
 * a change makes a new registry with a higher revision.
 */
public final class ChainRegistry {

    private final long revision;
    private final Map<String, ChainSpec> chains;
    private final SortedSet<String> halted;

    /** Revision 0, nothing halted (fixtures and tests of the pure domain). */
    public ChainRegistry(Collection<ChainSpec> chains) {
        this(0, chains, Set.of());
    }

    public ChainRegistry(long revision, Collection<ChainSpec> chains, Set<String> halted) {
        if (revision < 0) {
            throw new IllegalArgumentException("revision must be >= 0, got " + revision);
        }
        TreeMap<String, ChainSpec> byId = new TreeMap<>();
        for (ChainSpec chain : chains) {
            if (byId.put(chain.id(), chain) != null) {
                throw new IllegalArgumentException("chain " + chain.id() + " configured twice");
            }
        }
        for (String id : halted) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("halted chain " + id + " is not in the registry");
            }
        }
        this.revision = revision;
        this.chains = Collections.unmodifiableMap(byId);
        this.halted = Collections.unmodifiableSortedSet(new TreeSet<>(halted));
    }

    /** Increases with every change of the registry (chains or halts). */
    public long revision() {
        return revision;
    }

    public Optional<ChainSpec> chain(String id) {
        return Optional.ofNullable(chains.get(id));
    }

    /** Every chain, ordered by id. */
    public Collection<ChainSpec> chains() {
        return chains.values();
    }

    /** True while an operator halts the chain. */
    public boolean halted(String chainId) {
        return halted.contains(chainId);
    }

    /** The chains an operator halts, ordered by id. */
    public SortedSet<String> haltedChains() {
        return halted;
    }

    /** The chain or INVALID_ARGUMENT UNKNOWN_CHAIN naming {@code field}. */
    public ChainSpec require(String id, String field) {
        return chain(id).orElseThrow(() -> new InvalidInputException("UNKNOWN_CHAIN", field, "unknown chain: " + WireText.shown(id)));
    }
}
