package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.AdapterEvents;
import dev.crosschain.collateral.domain.Amounts;
import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.CollateralValuation;
import dev.crosschain.collateral.domain.FinalityRule;
import dev.crosschain.collateral.domain.Haircut;
import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.Chain;
import dev.crosschain.proto.collateral.v1.AssetConfig;
import dev.crosschain.proto.collateral.v1.ChainConfig;
import dev.crosschain.proto.collateral.v1.HaircutTier;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.ChainStatus;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.FieldViolation;
import dev.crosschain.proto.collateral.v1.HaircutBreakdown;
import dev.crosschain.proto.collateral.v1.Rejection;
import dev.crosschain.proto.collateral.v1.Welcome;

import java.math.BigDecimal;

/** Domain -> proto. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static ConnectAdapterResponse welcome(AdapterEvents.Welcome welcome) {
        return ConnectAdapterResponse.newBuilder().setWelcome(Welcome.newBuilder()
                .setChainId(welcome.chain().id())
                .setResumeCursor(welcome.resumeCursor())
                .setConfirmations(welcome.chain().confirmations())
                .setTipHeight(welcome.tip().map(t -> t.height()).orElse(0L))
                .setTipHash(welcome.tip().map(t -> t.hash()).orElse(""))
                .setFinalityRule(finalityRule(welcome.chain().finalityRule()))).build();
    }

    static ConnectAdapterResponse ack(AdapterEvents.Ack ack) {
        Ack.Builder builder = Ack.newBuilder().setCursor(ack.cursor()).setOutcome(switch (ack.outcome()) {
            case APPLIED -> AckOutcome.ACK_OUTCOME_APPLIED;
            case DUPLICATE -> AckOutcome.ACK_OUTCOME_DUPLICATE;
            case REJECTED -> AckOutcome.ACK_OUTCOME_REJECTED;
        });
        if (ack.outcome() == AdapterEvents.Outcome.REJECTED) {
            Rejection.Builder rejection = Rejection.newBuilder().setReason(ack.reason()).setMessage(ack.message());
            ack.violations().forEach(v -> rejection.addFieldViolations(
                    FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
            builder.setRejection(rejection);
        }
        return ConnectAdapterResponse.newBuilder().setAck(builder).build();
    }

    static CollateralView view(CollateralValuation v) {
        CollateralView.Builder view = CollateralView.newBuilder()
                .setAccountId(v.accountId())
                .setMarketValueUsd(usd(v.marketValueUsd()))
                .setValueImUsd(usd(v.valueImUsd()))
                .setValueMmUsd(usd(v.valueMmUsd()))
                .setPriceStale(v.priceStale())
                .setAsOfUnixMs(v.asOf().toEpochMilli())
                .setLedgerVersion(v.ledgerVersion())
                .setWithdrawalsFrozen(v.withdrawalsFrozen())
                .setFrozenReason(v.frozenReason().orElse(""));
        for (CollateralValuation.ChainValuation c : v.chains()) {
            ChainCollateral.Builder chain = ChainCollateral.newBuilder()
                    .setChainId(c.chainId())
                    .setStatus(status(c.condition().status()))
                    .setMarketValueUsd(usd(c.marketValueUsd()))
                    .setValueImUsd(usd(c.valueImUsd()))
                    .setValueMmUsd(usd(c.valueMmUsd()));
            for (CollateralValuation.AssetValuation a : c.assets()) {
                chain.addAssets(AssetCollateral.newBuilder()
                        .setAsset(a.asset())
                        .setCanonicalAsset(a.canonicalAsset())
                        .setPending(Amounts.plain(a.pending()))
                        .setAvailable(Amounts.plain(a.available()))
                        .setLocked(Amounts.plain(a.locked()))
                        .setPriceUsd(Amounts.plain(a.priceUsd()))
                        .setPriceStale(a.priceStale())
                        .setPriceAgeMs(a.priceAgeMs())
                        .setSigmaDaily(a.sigmaDaily())
                        .setCountedUsd(usd(a.countedUsd()))
                        .setMarketValueUsd(usd(a.marketValueUsd()))
                        .setHaircutIm(haircut(a.haircutIm()))
                        .setHaircutMm(haircut(a.haircutMm()))
                        .setValueImUsd(usd(a.valueImUsd()))
                        .setValueMmUsd(usd(a.valueMmUsd())));
            }
            view.addChains(chain);
        }
        return view.build();
    }

    /** The chain's entry and head; the caller sets its status fields. */
    static Chain.Builder chain(ChainSpec spec, long headHeight) {
        return Chain.newBuilder()
                .setChainId(spec.id())
                .setHeadHeight(Math.max(0, headHeight))
                .setConfig(chainConfig(spec));
    }

    static ChainStatus status(dev.crosschain.collateral.domain.ChainStatus status) {
        return switch (status) {
            case HEALTHY -> ChainStatus.CHAIN_STATUS_HEALTHY;
            case DEGRADED -> ChainStatus.CHAIN_STATUS_DEGRADED;
            case HALTED -> ChainStatus.CHAIN_STATUS_HALTED;
        };
    }

    static ChainConfig chainConfig(ChainSpec spec) {
        ChainConfig.Builder chain = ChainConfig.newBuilder()
                .setChainId(spec.id())
                .setFinalityRule(finalityRule(spec.finalityRule()))
                .setConfirmations(spec.confirmations())
                .setBlockTimeMs(spec.blockTime().toMillis())
                .setLiquidationLatencySeconds(spec.liquidationLatency().toSeconds())
                .setPendingWeight(Amounts.plain(spec.pendingWeight()))
                .setDegradedAddon(Amounts.plain(spec.degradedAddon()))
                .setHeartbeatLateAfterMs(spec.heartbeatLateAfter().toMillis())
                .setHeadStallAfterMs(spec.headStallAfter().toMillis())
                .setHaltAfterSilenceMs(spec.haltAfterSilence().toMillis());
        for (AssetSpec a : spec.assets().values()) {
            AssetConfig.Builder asset = AssetConfig.newBuilder()
                    .setAsset(a.symbol())
                    .setCanonicalAsset(a.canonical())
                    .setDecimals(a.decimals())
                    .setWrapped(a.wrapped())
                    .setWrappedAddon(Amounts.plain(a.wrappedAddon()))
                    .setLatencyZIm(a.latencyZIm())
                    .setLatencyZMm(a.latencyZMm())
                    .setMinAnnualVol(a.minAnnualVol())
                    .setAccountCapUsd(a.accountCapUsd().map(Amounts::plain).orElse(""));
            a.im().tiers().forEach(t -> asset.addImTiers(tier(t)));
            a.mm().tiers().forEach(t -> asset.addMmTiers(tier(t)));
            chain.addAssets(asset);
        }
        return chain.build();
    }

    static dev.crosschain.proto.collateral.v1.FinalityRule finalityRule(FinalityRule rule) {
        return rule == FinalityRule.CONFIRMATIONS
                ? dev.crosschain.proto.collateral.v1.FinalityRule.FINALITY_RULE_CONFIRMATIONS
                : dev.crosschain.proto.collateral.v1.FinalityRule.FINALITY_RULE_CHECKPOINT;
    }

    private static HaircutTier tier(dev.crosschain.collateral.domain.HaircutTier t) {
        return HaircutTier.newBuilder().setFromUsd(Amounts.plain(t.fromUsd())).setHaircut(Amounts.plain(t.haircut())).build();
    }

    private static HaircutBreakdown haircut(Haircut h) {
        return HaircutBreakdown.newBuilder()
                .setTier(Amounts.plain(h.tier()))
                .setLatencyAddon(Amounts.plain(h.latencyAddon()))
                .setChainStatusAddon(Amounts.plain(h.chainStatusAddon()))
                .setWrappedAddon(Amounts.plain(h.wrappedAddon()))
                .setStaleAddon(Amounts.plain(h.staleAddon()))
                .setTotal(Amounts.plain(h.total()))
                .build();
    }

    /** USD at scale 8, plain. */
    private static String usd(BigDecimal value) {
        return Amounts.usd(value).toPlainString();
    }
}
