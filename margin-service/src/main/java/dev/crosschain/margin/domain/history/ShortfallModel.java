package dev.crosschain.margin.domain.history;

import java.util.Collection;

/**
 * Where a book's expected-shortfall figure comes from: the plan of historical scenarios (and APC ratios) for the
 * book's underlyings, and the figure from the book's P&L in them. {@link AccountShortfall} makes plans from the
 * stored histories; a replay answers the plan its snapshot recorded, so the figure never depends on the histories
 * of the day it is replayed.
 */
public interface ShortfallModel {

    /** The plan of a book exposed to {@code underlyings}. */
    AccountShortfall.Plan plan(Collection<String> underlyings);

    /** The ES figure of a book from its P&L per scenario of {@code plan} (USD, negative = loss, in the plan's order). */
    ShortfallResult result(AccountShortfall.Plan plan, double[] bookPnl);
}
