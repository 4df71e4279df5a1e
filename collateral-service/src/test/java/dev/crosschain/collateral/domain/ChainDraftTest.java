package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ChainDraftTest {

    static ChainDraft.AssetDraft asset(String symbol, List<ChainDraft.TierDraft> im, List<ChainDraft.TierDraft> mm) {
        return new ChainDraft.AssetDraft(symbol, symbol, 18, false, "0", im, mm, 2.33, 1.65, 0.5, "");
    }

    static List<ChainDraft.TierDraft> tiers(String... pairs) {
        List<ChainDraft.TierDraft> tiers = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            tiers.add(new ChainDraft.TierDraft(pairs[i], pairs[i + 1]));
        }
        return tiers;
    }

    static ChainDraft chain(List<ChainDraft.AssetDraft> assets) {
        return new ChainDraft("testchain", "CONFIRMATIONS", 3, 12_000, 600, "0", "0.05", 60_000, 120_000, 600_000, assets);
    }

    static ChainDraft good() {
        return chain(List.of(
                asset("ETH", tiers("0", "0.10", "1000000", "0.15", "5000000", "0.25"), tiers("0", "0.05", "1000000", "0.08")),
                new ChainDraft.AssetDraft("USDC.e", "USDC", 6, true, "0.01", tiers("0", "0.03"), tiers("0", "0.015"), 2.33, 1.65, 0.02, "2500000")));
    }

    static InvalidInputException refused(ChainDraft draft) {
        return catchThrowableOfType(InvalidInputException.class, () -> draft.toSpec("chain"));
    }

    static List<String> fields(InvalidInputException e) {
        return e.violations().stream().map(Violation::field).toList();
    }

    @Test
    void aGoodDraftBecomesTheSpecWithItsTiersAndRiskParameters() {
        ChainSpec spec = good().toSpec("chain");

        assertThat(spec.id()).isEqualTo("testchain");
        assertThat(spec.finalityRule()).isEqualTo(FinalityRule.CONFIRMATIONS);
        assertThat(spec.confirmations()).isEqualTo(3);
        assertThat(spec.liquidationLatency()).isEqualTo(Duration.ofSeconds(600));
        AssetSpec eth = spec.asset("ETH").orElseThrow();
        assertThat(eth.im().rateAt(new BigDecimal("999999"))).isEqualByComparingTo("0.10");
        assertThat(eth.im().rateAt(new BigDecimal("1000000"))).isEqualByComparingTo("0.15");
        assertThat(eth.im().rateAt(new BigDecimal("9000000"))).isEqualByComparingTo("0.25");
        assertThat(eth.latencyZIm()).isEqualTo(2.33);
        assertThat(eth.minAnnualVol()).isEqualTo(0.5);
        AssetSpec bridged = spec.asset("USDC.e").orElseThrow();
        assertThat(bridged.wrapped()).isTrue();
        assertThat(bridged.wrappedAddon()).isEqualByComparingTo("0.01");
        assertThat(bridged.accountCapUsd()).contains(new BigDecimal("2500000"));
    }

    @Test
    void aSpecWrittenBackAsADraftReadsAsTheSameSpec() {
        ChainSpec spec = good().toSpec("chain");
        assertThat(ChainDraft.of(spec).toSpec("chain")).isEqualTo(spec);
        ChainDraft fixture = ChainDraft.of(Fixtures.ETHEREUM);
        assertThat(ChainDraft.of(fixture.toSpec("chain"))).isEqualTo(fixture);
    }

    @Test
    void anEmptyDraftNamesEveryRequiredFieldAsMissing() {
        ChainDraft empty = new ChainDraft("", "", 0, 0, 0, "", "", 0, 0, 0,
                List.of(new ChainDraft.AssetDraft("", "", 0, false, "", List.of(), List.of(), 0, 0, 0, "")));

        InvalidInputException e = refused(empty);

        assertThat(e.reason()).isEqualTo("MISSING_FIELD");
        assertThat(fields(e)).containsExactlyInAnyOrder("chain.chain_id", "chain.finality_rule", "chain.block_time_ms",
                "chain.heartbeat_late_after_ms", "chain.head_stall_after_ms", "chain.halt_after_silence_ms",
                "chain.degraded_addon", "chain.assets[0].asset", "chain.assets[0].canonical_asset",
                "chain.assets[0].im_tiers", "chain.assets[0].mm_tiers");
    }

    @Test
    void aBrokenTierIsReportedWithItsFullPath() {
        ChainDraft draft = chain(List.of(
                asset("ETH", tiers("0", "0.10"), tiers("0", "0.05")),
                asset("SOL", tiers("0", "1.5"), tiers("0", "0.10"))));

        InvalidInputException e = refused(draft);

        assertThat(e.reason()).isEqualTo("INVALID_REGISTRY");
        assertThat(fields(e)).containsExactly("chain.assets[1].im_tiers[0].haircut");
        assertThat(e.violations().get(0).description()).contains("[0, 1]");
    }

    @Test
    void tierRulesNameTheTier() {
        assertThat(fields(refused(chain(List.of(asset("ETH", tiers("10", "0.10"), tiers("0", "0.05")))))))
                .containsExactly("chain.assets[0].im_tiers[0].from_usd");
        assertThat(fields(refused(chain(List.of(asset("ETH", tiers("0", "0.10", "0", "0.2"), tiers("0", "0.05")))))))
                .containsExactly("chain.assets[0].im_tiers[1].from_usd");
        assertThat(fields(refused(chain(List.of(asset("ETH", tiers("0", "0.10", "100", "0.05"), tiers("0", "0.05")))))))
                .containsExactly("chain.assets[0].im_tiers[1].haircut");
        assertThat(fields(refused(chain(List.of(asset("ETH", tiers("0", "0.10"), tiers("0", "0.05", "x", "0.06")))))))
                .containsExactly("chain.assets[0].mm_tiers[1].from_usd");
        assertThat(fields(refused(chain(List.of(asset("ETH", tiers("0", "1e-1"), tiers("0", "0.05")))))))
                .containsExactly("chain.assets[0].im_tiers[0].haircut");
    }

    @Test
    void mmAboveImAtSomeSizeIsRefused() {
        ChainDraft draft = chain(List.of(asset("ETH", tiers("0", "0.10", "1000", "0.20"), tiers("0", "0.05", "500", "0.15"))));
        InvalidInputException e = refused(draft);
        assertThat(fields(e)).containsExactly("chain.assets[0].mm_tiers");
        assertThat(e.getMessage()).contains("exceeds the IM schedule");
    }

    @Test
    void assetRulesNameTheirField() {
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 37, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), 0, 0, 0, "")))))).containsExactly("chain.assets[0].decimals");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 18, false, "0.02",
                tiers("0", "0.1"), tiers("0", "0.05"), 0, 0, 0, "")))))).containsExactly("chain.assets[0].wrapped_addon");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 18, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), 1.0, 2.0, 0, "")))))).containsExactly("chain.assets[0].latency_z_mm");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 18, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), 11, 1, 0, "")))))).containsExactly("chain.assets[0].latency_z_im");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 18, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), 0, 0, 6, "")))))).containsExactly("chain.assets[0].min_annual_vol");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 18, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), Double.NaN, 0, 0, "")))))).containsExactly("chain.assets[0].latency_z_im");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("ETH", "ETH", 18, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), 0, 0, 0, "0")))))).containsExactly("chain.assets[0].account_cap_usd");
        assertThat(fields(refused(chain(List.of(new ChainDraft.AssetDraft("E TH", "ETH", 18, false, "0",
                tiers("0", "0.1"), tiers("0", "0.05"), 0, 0, 0, "")))))).containsExactly("chain.assets[0].asset");
        assertThat(fields(refused(chain(List.of(asset("ETH", tiers("0", "0.1"), tiers("0", "0.05")),
                asset("ETH", tiers("0", "0.1"), tiers("0", "0.05"))))))).containsExactly("chain.assets[1].asset");
    }

    @Test
    void chainRulesNameTheirField() {
        List<ChainDraft.AssetDraft> none = List.of();
        assertThat(fields(refused(new ChainDraft("Ethereum", "CONFIRMATIONS", 3, 12_000, 600, "0", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.chain_id");
        assertThat(fields(refused(new ChainDraft("x", "CONFIRMATIONS", 0, 12_000, 600, "0", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.confirmations");
        assertThat(fields(refused(new ChainDraft("x", "CHECKPOINT", 3, 12_000, 600, "0", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.confirmations");
        assertThat(fields(refused(new ChainDraft("x", "SOMETIMES", 3, 12_000, 600, "0", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.finality_rule");
        assertThat(fields(refused(new ChainDraft("x", "CONFIRMATIONS", 3, 12_000, -1, "0", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.liquidation_latency_seconds");
        assertThat(fields(refused(new ChainDraft("x", "CONFIRMATIONS", 3, 12_000, 600, "1.5", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.pending_weight");
        assertThat(fields(refused(new ChainDraft("x", "CONFIRMATIONS", 3, 12_000, 600, "0", "abc", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.degraded_addon");
        assertThat(fields(refused(new ChainDraft("x", "CONFIRMATIONS", 3, 12_000, 600, "0", "0.05", 60_000, 120_000, 90_000, none))))
                .containsExactly("chain.halt_after_silence_ms");
        assertThat(fields(refused(new ChainDraft("x", "CONFIRMATIONS", 3, -5, 600, "0", "0.05", 60_000, 120_000, 600_000, none))))
                .containsExactly("chain.block_time_ms");
    }

    @Test
    void aCheckpointChainNeedsNoConfirmations() {
        ChainSpec spec = new ChainDraft("x", "FINALITY_RULE_CHECKPOINT", 0, 400, 300, "", "0.05", 60_000, 120_000, 600_000, List.of())
                .toSpec("chain");
        assertThat(spec.finalityRule()).isEqualTo(FinalityRule.CHECKPOINT);
        assertThat(spec.pendingWeight()).isEqualByComparingTo("0");
    }

    @Test
    void theRecordsThemselvesKeepTheRulesForCodeThatBuildsThemDirectly() {
        assertThatThrownBy(() -> AssetSpec.flat("ETH", "ETH", 18, new BigDecimal("0.05"), new BigDecimal("0.10")))
                .isInstanceOf(InvalidSpecException.class).extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("mm_tiers");
        assertThatThrownBy(() -> new AssetSpec("ETH", "ETH", 18, false, BigDecimal.ZERO, HaircutSchedule.flat(BigDecimal.ONE),
                HaircutSchedule.flat(BigDecimal.ONE), 0, 0, 0, Optional.of(BigDecimal.ZERO)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRegistryKnowsItsRevisionAndHaltedChains() {
        ChainRegistry registry = new ChainRegistry(7, List.of(Fixtures.ETHEREUM, Fixtures.SOLANA), java.util.Set.of("solana"));
        assertThat(registry.revision()).isEqualTo(7);
        assertThat(registry.halted("solana")).isTrue();
        assertThat(registry.halted("ethereum")).isFalse();
        assertThat(registry.haltedChains()).containsExactly("solana");
        assertThatThrownBy(() -> new ChainRegistry(8, List.of(Fixtures.ETHEREUM), java.util.Set.of("solana")))
                .hasMessageContaining("halted chain solana is not in the registry");
    }
}
