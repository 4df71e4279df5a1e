package dev.crosschain.suite;

import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.Position;

import java.io.PrintStream;

/** Prints a margin account view as a small table for people watching the demo. */
public final class ViewPrinter {

    private ViewPrinter() {
    }

    public static void print(PrintStream out, String title, AccountView view) {
        out.printf("%n== %s: %s  status=%s%s%s%n", title, view.getAccountId(), view.getStatus().name().replace("ACCOUNT_STATUS_", ""),
                view.getFrozen() ? " FROZEN" : "", view.getConservative() ? " (conservative: stale input)" : "");
        out.printf("   %-10s %-6s %18s %12s %14s %14s%n", "chain", "asset", "amount", "price", "value (MM)", "value (IM)");
        for (CollateralLine line : view.getCollateralList()) {
            out.printf("   %-10s %-6s %18s %12s %14s %14s%n", line.getChainId(), line.getAsset(), line.getAmount(),
                    line.getPriceUsd(), usd(line.getValueMmUsd()), usd(line.getValueImUsd()));
        }
        for (Position p : view.getPositionsList()) {
            out.printf("   position %-16s qty %-8s entry %-10s mark %-10s uPnL %s%n", p.getInstrument(), p.getQuantity(),
                    p.getAverageEntryPrice(), p.getMarkPrice(), usd(p.getUnrealizedPnlUsd()));
        }
        out.printf("   equity %s  IM %s  MM %s  margin ratio %.4f%n", usd(view.getEquityUsd()),
                usd(view.getInitialMarginUsd()), usd(view.getMaintenanceMarginUsd()), view.getMarginRatio());
    }

    private static String usd(String amount) {
        return amount.isEmpty() ? "-" : new java.math.BigDecimal(amount).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }
}
