package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What margin-service reports of an account when its auction opens: collateral lines (available
 * amounts and their market value), positions, and the account-level PnL figures, USD.
 */
public record AccountSnapshot(String accountId, List<Collateral> collateral, List<Position> positions,
                              BigDecimal unrealizedPnlUsd, BigDecimal optionValueUsd) {

    public record Collateral(String chainId, String asset, BigDecimal amount, BigDecimal marketValueUsd) {
    }

    public record Position(String instrument, BigDecimal quantity) {
    }

    public AccountSnapshot {
        collateral = List.copyOf(collateral);
        positions = List.copyOf(positions);
    }

    /** The lot: every non-zero position, then every collateral line with a positive amount. */
    public List<LotItem> lot() {
        List<LotItem> items = new ArrayList<>();
        for (Position p : positions) {
            if (p.quantity().signum() != 0) {
                items.add(LotItem.position(p.instrument(), p.quantity()));
            }
        }
        for (Collateral c : collateral) {
            if (c.amount().signum() > 0) {
                items.add(LotItem.collateral(c.chainId(), c.asset(), c.amount()));
            }
        }
        return items;
    }

    /**
     * Mark value V of the whole lot, USD: collateral market value + unrealized PnL + option value.
     * Kept exact; rounded to USD scale when shown.
     */
    public BigDecimal markValueUsd() {
        BigDecimal value = unrealizedPnlUsd.add(optionValueUsd);
        for (Collateral c : collateral) {
            value = value.add(c.marketValueUsd());
        }
        return value;
    }
}
