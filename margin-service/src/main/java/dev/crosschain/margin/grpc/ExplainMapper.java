package dev.crosschain.margin.grpc;

import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.Explanation;
import dev.crosschain.margin.domain.InputSnapshot;
import dev.crosschain.proto.margin.v1.ChainCollateralValue;
import dev.crosschain.proto.margin.v1.Contributor;
import dev.crosschain.proto.margin.v1.PositionRequirement;
import dev.crosschain.proto.margin.v1.SnapshotFigures;

import java.math.BigDecimal;

/** Explain's and ReplaySnapshot's domain -> proto; USD at scale 8 as {@link ProtoMapper}, rates and marks plain. */
final class ExplainMapper {

    private ExplainMapper() {
    }

    static dev.crosschain.proto.margin.v1.Explanation explanation(Explanation e) {
        dev.crosschain.proto.margin.v1.Explanation.Builder out = dev.crosschain.proto.margin.v1.Explanation.newBuilder();
        for (Explanation.PositionRule p : e.positions()) {
            out.addPositions(PositionRequirement.newBuilder().setInstrument(p.instrument()).setRule(p.rule()).setTier(p.tier())
                    .setNotionalUsd(ProtoMapper.usd(p.notional())).setImRate(plain(p.imRate())).setMmRate(plain(p.mmRate()))
                    .setMarkUsed(Decimals.plain(p.markUsed())).setInitialMarginUsd(ProtoMapper.usd(p.initialMargin()))
                    .setMaintenanceMarginUsd(ProtoMapper.usd(p.maintenanceMargin())));
        }
        for (Explanation.ChainValue c : e.chains()) {
            out.addChains(ChainCollateralValue.newBuilder().setChainId(c.chainId()).setMarketValueUsd(ProtoMapper.usd(c.marketValue()))
                    .setValueImUsd(ProtoMapper.usd(c.valueIm())).setValueMmUsd(ProtoMapper.usd(c.valueMm())));
        }
        if (e.largest() != null) {
            out.setLargestContributor(Contributor.newBuilder().setKind(e.largest().kind()).setName(e.largest().name())
                    .setAmountUsd(ProtoMapper.usd(e.largest().amount())));
        }
        return out.build();
    }

    static SnapshotFigures figures(InputSnapshot.Figures f) {
        return SnapshotFigures.newBuilder().setEquityUsd(ProtoMapper.usd(f.equity()))
                .setInitialMarginUsd(ProtoMapper.usd(f.initialMargin())).setMaintenanceMarginUsd(ProtoMapper.usd(f.maintenanceMargin()))
                .setMarginRatio(f.marginRatio()).setStatus(ProtoMapper.status(f.status())).build();
    }

    private static String plain(BigDecimal value) {
        return value == null ? "" : Decimals.plain(value);
    }
}
