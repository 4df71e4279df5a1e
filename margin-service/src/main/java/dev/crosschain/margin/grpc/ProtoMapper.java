package dev.crosschain.margin.grpc;

import dev.crosschain.margin.app.MarginEngine;
import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.InputAge;
import dev.crosschain.margin.domain.PositionRisk;
import dev.crosschain.margin.domain.RiskStatus;
import dev.crosschain.margin.domain.history.ShortfallResult;
import dev.crosschain.margin.domain.portfolio.PortfolioResult;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.IsolatedBucket;
import dev.crosschain.proto.margin.v1.LiquidationPrice;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.PortfolioBreakdown;
import dev.crosschain.proto.margin.v1.PortfolioContingency;
import dev.crosschain.proto.margin.v1.PortfolioContribution;
import dev.crosschain.proto.margin.v1.PortfolioGroup;
import dev.crosschain.proto.margin.v1.Position;
import dev.crosschain.proto.margin.v1.RiskEvent;

import java.math.BigDecimal;

/** Domain -> proto. USD figures go out at scale 8; quantities and prices as plain decimals. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static AccountView view(AccountRisk r) {
        AccountView.Builder v = AccountView.newBuilder()
                .setAccountId(r.accountId())
                .setMode(mode(r.mode()))
                .setStatus(status(r.status()))
                .setFrozen(r.frozen())
                .setCollateralValueUsd(usd(r.collateral().valueMm()))
                .setUnrealizedPnlUsd(usd(r.unrealizedPnl()))
                .setRealizedPnlUsd(usd(r.realizedPnl()))
                .setOptionValueUsd(usd(r.optionValue()))
                .setEquityUsd(usd(r.equity()))
                .setInitialMarginUsd(usd(r.initialMargin()))
                .setMaintenanceMarginUsd(usd(r.maintenanceMargin()))
                .setMarginRatio(r.marginRatio())
                .setConservative(r.conservative())
                .setAsOfUnixMs(r.asOfMs())
                .setParametersVersion(r.parametersVersion());
        for (CollateralLine line : r.collateral().lines()) {
            v.addCollateral(dev.crosschain.proto.margin.v1.CollateralLine.newBuilder()
                    .setChainId(line.chainId()).setAsset(line.asset())
                    .setAmount(Decimals.plain(line.available()))
                    .setPriceUsd(Decimals.plain(line.price()))
                    .setMarketValueUsd(usd(line.marketValue()))
                    .setValueImUsd(usd(line.valueIm()))
                    .setValueMmUsd(usd(line.valueMm())));
        }
        for (PositionRisk p : r.positions()) {
            v.addPositions(position(p.position())
                    .setMarkPrice(Decimals.plain(p.markUsed()))
                    .setUnrealizedPnlUsd(usd(p.unrealizedPnl()))
                    .setOptionValueUsd(usd(p.optionValue()))
                    .setInitialMarginUsd(usd(p.initialMargin()))
                    .setMaintenanceMarginUsd(usd(p.maintenanceMargin()))
                    .setDelta(p.delta()));
        }
        for (InputAge age : r.inputAges()) {
            v.addInputAges(dev.crosschain.proto.margin.v1.InputAge.newBuilder()
                    .setInput(age.input()).setAgeMs(age.ageMs()).setStale(age.stale()));
        }
        if (r.portfolio() != null) {
            v.setPortfolio(portfolio(r.portfolio()));
        }
        r.liquidationPrices().forEach(p -> v.addLiquidationPrices(liquidationPrice(p)));
        if (r.isolated() != null) {
            v.setFreePoolUsd(usd(r.isolated().freePoolIm()));
            r.isolated().buckets().forEach(b -> v.addIsolatedBuckets(IsolatedBucket.newBuilder()
                    .setInstrument(b.instrument()).setAllocationUsd(usd(b.allocation())).setEquityUsd(usd(b.equity()))
                    .setInitialMarginUsd(usd(b.initialMargin())).setMaintenanceMarginUsd(usd(b.maintenanceMargin()))
                    .setStatus(status(b.status()))));
        }
        return v.build();
    }

    /** Prices as plain decimals (rounded by the domain), "" for a side without one. */
    static LiquidationPrice liquidationPrice(dev.crosschain.margin.domain.LiquidationPrice p) {
        return LiquidationPrice.newBuilder().setUnderlying(p.underlying()).setIndexUsd(Decimals.plain(p.index()))
                .setBelowUsd(p.below() == null ? "" : Decimals.plain(p.below()))
                .setAboveUsd(p.above() == null ? "" : Decimals.plain(p.above()))
                .setApproximate(p.approximate()).setMethod(p.method()).build();
    }

    /** The scenario engine's explanation of a PORTFOLIO account's requirements. */
    static PortfolioBreakdown portfolio(PortfolioResult r) {
        PortfolioBreakdown.Builder b = PortfolioBreakdown.newBuilder()
                .setParametersVersion(r.parametersVersion())
                .setScanLossUsd(usd(r.scanLoss()))
                .setGroupOffsetCreditUsd(usd(r.groupOffsetCredit()))
                .setContingencyTotalUsd(usd(r.contingencyTotal()));
        for (PortfolioResult.GroupResult g : r.groups()) {
            PortfolioGroup.Builder group = PortfolioGroup.newBuilder().setGroupId(g.groupId()).addAllUnderlyings(g.underlyings())
                    .setDrivingScenarioId(g.drivingScenarioId()).setWorstLossUsd(usd(g.worstLoss()));
            g.positions().forEach(c -> group.addPositions(contribution(c)));
            g.chains().forEach(c -> group.addChains(contribution(c)));
            b.addGroups(group);
        }
        for (PortfolioResult.Contingency c : r.contingencies()) {
            b.addContingencies(PortfolioContingency.newBuilder().setKind(c.kind()).setSubject(c.subject())
                    .setAmountUsd(usd(c.amount())));
        }
        ShortfallResult es = r.expectedShortfall();
        if (es != null) {
            // only where the set has a second model: without one there is nothing to choose between
            b.setDrivingModel(r.drivingModel()).addAllEsExcludedUnderlyings(es.excluded());
            if (es.available()) {
                b.setEsLossUsd(usd(es.loss())).setEsAsOf(es.asOf().toString()).setEsApcRatio(es.apcRatio());
            }
        }
        return b.build();
    }

    private static PortfolioContribution contribution(PortfolioResult.Contribution c) {
        return PortfolioContribution.newBuilder().setName(c.name()).setLossUsd(usd(c.loss())).build();
    }

    /** A position without marks (ApplyFill's answer). */
    static Position.Builder position(dev.crosschain.margin.domain.Position p) {
        return Position.newBuilder().setInstrument(p.instrument())
                .setQuantity(Decimals.plain(p.quantity()))
                .setAverageEntryPrice(Decimals.plain(p.averageEntryPrice()));
    }

    static RiskEvent event(MarginEngine.RiskEvent e) {
        return RiskEvent.newBuilder().setAccountId(e.accountId()).setStatus(status(e.status()))
                .setPreviousStatus(e.previous() == null ? AccountStatus.ACCOUNT_STATUS_UNSPECIFIED : status(e.previous()))
                .setEquityUsd(usd(e.equity())).setInitialMarginUsd(usd(e.initialMargin()))
                .setMaintenanceMarginUsd(usd(e.maintenanceMargin())).setMarginRatio(e.marginRatio())
                .setAtUnixMs(e.atMs()).setBreachedInstrument(e.breachedInstrument() == null ? "" : e.breachedInstrument())
                .build();
    }

    static AccountStatus status(RiskStatus s) {
        switch (s) {
            case HEALTHY:
                return AccountStatus.ACCOUNT_STATUS_HEALTHY;
            case MARGIN_CALL:
                return AccountStatus.ACCOUNT_STATUS_MARGIN_CALL;
            default:
                return AccountStatus.ACCOUNT_STATUS_LIQUIDATION;
        }
    }

    static MarginMode mode(dev.crosschain.margin.domain.MarginMode m) {
        switch (m) {
            case ISOLATED:
                return MarginMode.MARGIN_MODE_ISOLATED;
            case PORTFOLIO:
                return MarginMode.MARGIN_MODE_PORTFOLIO;
            default:
                return MarginMode.MARGIN_MODE_CROSS;
        }
    }

    static String usd(BigDecimal value) {
        return value == null ? "" : Decimals.usd(value).toPlainString();
    }
}
