package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainSpec;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.TreeMap;

/** The status of every registered chain now. (Placeholder: every chain HEALTHY until the status rules land.) */
@ApplicationScoped
public class ChainHealth {

    private final Registry registry;

    public ChainHealth(Registry registry) {
        this.registry = registry;
    }

    /** Condition per chain id, for every chain of the registry. */
    public Map<String, ChainCondition> current() {
        Map<String, ChainCondition> conditions = new TreeMap<>();
        for (ChainSpec chain : registry.current().chains()) {
            conditions.put(chain.id(), ChainCondition.HEALTHY);
        }
        return conditions;
    }
}
