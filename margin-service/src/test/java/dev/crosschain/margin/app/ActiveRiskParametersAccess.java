package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.store.RiskParameterStore;

/** Opens ActiveRiskParameters' start rule to tests of other packages. */
public final class ActiveRiskParametersAccess {

    private ActiveRiskParametersAccess() {
    }

    public static RiskParameterStore.Change seed(RiskParameterStore store, RiskParameters configured) {
        return ActiveRiskParameters.seed(store, configured);
    }
}
