package dev.crosschain.margin.app;

import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.history.ShortfallModel;

/** The ES model of a set in a mode: the stored histories' ({@link ShortfallModels}), or a snapshot's recorded plans. */
interface ShortfallSource {

    /** The ES model of {@code parameters} in {@code mode}; null when the set does not apply ES to that mode. */
    ShortfallModel of(ExpectedShortfallParameters parameters, MarginMode mode);
}
