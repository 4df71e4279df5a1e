package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.domain.ChainDraft;
import dev.crosschain.collateral.domain.ChainRegistry;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.store.RegistryStore;
import dev.crosschain.proto.collateral.v1.AssetConfig;
import dev.crosschain.proto.collateral.v1.ChainConfig;
import dev.crosschain.proto.collateral.v1.FinalityRule;
import dev.crosschain.proto.collateral.v1.GetRegistryResponse;
import dev.crosschain.proto.collateral.v1.HaircutTier;
import dev.crosschain.proto.collateral.v1.RegistryChange;

import java.util.ArrayList;
import java.util.List;

/** Registry entries between the wire (ChainConfig) and the domain's drafts; checking is the draft's job. */
final class RegistryMapper {

    private static final String RULE_PREFIX = "FINALITY_RULE_";

    private RegistryMapper() {
    }

    /** The request's entry as written: nothing checked here (see {@link ChainDraft#toSpec(String)}). */
    static ChainDraft draft(ChainConfig c) {
        List<ChainDraft.AssetDraft> assets = new ArrayList<>();
        for (AssetConfig a : c.getAssetsList()) {
            assets.add(new ChainDraft.AssetDraft(a.getAsset(), a.getCanonicalAsset(), Integer.toUnsignedLong(a.getDecimals()),
                    a.getWrapped(), a.getWrappedAddon(), tiers(a.getImTiersList()), tiers(a.getMmTiersList()),
                    a.getLatencyZIm(), a.getLatencyZMm(), a.getMinAnnualVol(), a.getAccountCapUsd()));
        }
        String rule = c.getFinalityRule() == FinalityRule.UNRECOGNIZED ? "UNRECOGNIZED(" + c.getFinalityRuleValue() + ")"
                : c.getFinalityRule().name();
        return new ChainDraft(c.getChainId(), rule, Integer.toUnsignedLong(c.getConfirmations()), c.getBlockTimeMs(),
                c.getLiquidationLatencySeconds(), c.getPendingWeight(), c.getDegradedAddon(), c.getHeartbeatLateAfterMs(),
                c.getHeadStallAfterMs(), c.getHaltAfterSilenceMs(), assets);
    }

    static ChainConfig config(ChainSpec spec) {
        return config(ChainDraft.of(spec));
    }

    static ChainConfig config(ChainDraft d) {
        ChainConfig.Builder chain = ChainConfig.newBuilder()
                .setChainId(d.chainId())
                .setFinalityRule(rule(d.finalityRule()))
                .setConfirmations((int) d.confirmations())
                .setBlockTimeMs(d.blockTimeMs())
                .setLiquidationLatencySeconds(d.liquidationLatencySeconds())
                .setPendingWeight(d.pendingWeight())
                .setDegradedAddon(d.degradedAddon())
                .setHeartbeatLateAfterMs(d.heartbeatLateAfterMs())
                .setHeadStallAfterMs(d.headStallAfterMs())
                .setHaltAfterSilenceMs(d.haltAfterSilenceMs());
        for (ChainDraft.AssetDraft a : d.assets()) {
            AssetConfig.Builder asset = AssetConfig.newBuilder()
                    .setAsset(a.asset())
                    .setCanonicalAsset(a.canonicalAsset())
                    .setDecimals((int) a.decimals())
                    .setWrapped(a.wrapped())
                    .setWrappedAddon(a.wrappedAddon())
                    .setLatencyZIm(a.latencyZIm())
                    .setLatencyZMm(a.latencyZMm())
                    .setMinAnnualVol(a.minAnnualVol())
                    .setAccountCapUsd(a.accountCapUsd());
            a.imTiers().forEach(t -> asset.addImTiers(HaircutTier.newBuilder().setFromUsd(t.fromUsd()).setHaircut(t.haircut())));
            a.mmTiers().forEach(t -> asset.addMmTiers(HaircutTier.newBuilder().setFromUsd(t.fromUsd()).setHaircut(t.haircut())));
            chain.addAssets(asset);
        }
        return chain.build();
    }

    static GetRegistryResponse registry(ChainRegistry registry) {
        GetRegistryResponse.Builder response = GetRegistryResponse.newBuilder().setRevision(registry.revision());
        registry.chains().forEach(c -> response.addChains(config(c)));
        response.addAllHaltedChains(registry.haltedChains());
        return response.build();
    }

    static RegistryChange change(RegistryStore.Change c) {
        RegistryChange.Builder change = RegistryChange.newBuilder()
                .setRevision(c.revision())
                .setChangeId(c.changeId())
                .setActor(c.actor())
                .setChangedAtUnixMs(c.changedAt().toEpochMilli())
                .setKind(c.kind())
                .setChainId(c.chainId())
                .setReason(c.reason())
                .setHalted(c.halted());
        c.before().ifPresent(b -> change.setBefore(config(b)));
        c.after().ifPresent(a -> change.setAfter(config(a)));
        return change.build();
    }

    private static FinalityRule rule(String name) {
        try {
            return FinalityRule.valueOf(name.startsWith(RULE_PREFIX) ? name : RULE_PREFIX + name);
        } catch (IllegalArgumentException e) {
            return FinalityRule.FINALITY_RULE_UNSPECIFIED;
        }
    }

    private static List<ChainDraft.TierDraft> tiers(List<HaircutTier> tiers) {
        List<ChainDraft.TierDraft> drafts = new ArrayList<>();
        tiers.forEach(t -> drafts.add(new ChainDraft.TierDraft(t.getFromUsd(), t.getHaircut())));
        return drafts;
    }
}
