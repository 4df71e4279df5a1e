package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.AuctionCaps;
import dev.crosschain.liquidation.store.AuctionStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The caps on the value in auction ({@code liquidation.caps.*}) and how much of each is used now, for operators. */
@ApplicationScoped
public class CapsInUse {

    /**
     * One cap and the value in auction it counts.
     *
     * @param scope "" for the global cap, else "chain/asset"
     */
    public record Line(String scope, BigDecimal capUsd, BigDecimal inAuctionUsd) {
    }

    private final AuctionStore store;
    private final AuctionCaps caps;

    public CapsInUse(AuctionStore store, LiquidationConfig config) {
        this.store = store;
        this.caps = config.caps().validated();
    }

    /** Every cap set, the global one first, then by chain/asset; empty (and nothing read) when none is set. */
    public List<Line> lines() {
        if (!caps.any()) {
            return List.of();
        }
        AuctionCaps.Usage used = store.usage();
        List<Line> lines = new ArrayList<>();
        if (caps.globalUsd() != null) {
            lines.add(new Line("", caps.globalUsd(), used.globalUsd()));
        }
        for (Map.Entry<String, BigDecimal> cap : caps.perAssetUsd().entrySet()) {
            lines.add(new Line(cap.getKey(), cap.getValue(), used.of(cap.getKey())));
        }
        return lines;
    }
}
