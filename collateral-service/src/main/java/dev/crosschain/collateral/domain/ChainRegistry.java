package dev.crosschain.collateral.domain;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The configured chains, ordered by id. */
public final class ChainRegistry {

    private final Map<String, ChainSpec> chains;

    public ChainRegistry(Collection<ChainSpec> chains) {
        TreeMap<String, ChainSpec> byId = new TreeMap<>();
        for (ChainSpec chain : chains) {
            if (byId.put(chain.id(), chain) != null) {
                throw new IllegalArgumentException("chain " + chain.id() + " configured twice");
            }
        }
        this.chains = Collections.unmodifiableMap(byId);
    }

    public Optional<ChainSpec> chain(String id) {
        return Optional.ofNullable(chains.get(id));
    }

    /** Every chain, ordered by id. */
    public Collection<ChainSpec> chains() {
        return chains.values();
    }

    /** The chain or INVALID_ARGUMENT UNKNOWN_CHAIN naming {@code field}. */
    public ChainSpec require(String id, String field) {
        return chain(id).orElseThrow(() -> new InvalidInputException("UNKNOWN_CHAIN", field, "unknown chain: " + id));
    }
}
