package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.AssetSpec;
import dev.crosschain.collateral.domain.ChainSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry files shipped with the service, and how a bad file is refused. */
class RegistryFileTest {

    static Map<String, ChainSpec> byId(Registry.RegistryFile file) {
        return file.chains().stream().collect(Collectors.toMap(ChainSpec::id, Function.identity()));
    }

    @Test
    void theProductionFileHasTieredHaircutsLatencyZAndVolFloors() {
        Registry.RegistryFile file = Registry.load("classpath:registry/chains.json");

        assertThat(file.version()).isGreaterThanOrEqualTo(1);
        Map<String, ChainSpec> chains = byId(file);
        assertThat(chains).containsOnlyKeys("ethereum", "arbitrum", "solana");
        assertThat(chains.get("ethereum").confirmations()).isEqualTo(3);
        assertThat(chains.get("arbitrum").confirmations()).isEqualTo(2);
        assertThat(chains.get("solana").confirmations()).isEqualTo(32);
        AssetSpec eth = chains.get("ethereum").asset("ETH").orElseThrow();
        assertThat(eth.im().tiers()).extracting(t -> t.fromUsd().toPlainString() + ":" + t.haircut().toPlainString())
                .containsExactly("0:0.1", "1000000:0.15", "5000000:0.25");
        assertThat(eth.latencyZIm()).isEqualTo(2.33);
        assertThat(eth.latencyZMm()).isEqualTo(1.65);
        assertThat(eth.minAnnualVol()).isEqualTo(0.5);
        assertThat(chains.get("solana").asset("SOL").orElseThrow().minAnnualVol()).isEqualTo(0.7);
        assertThat(chains.get("solana").asset("USDC").orElseThrow().wrapped()).isFalse();
        assertThat(chains.get("ethereum").asset("USDC").orElseThrow().minAnnualVol()).isEqualTo(0.02);
    }

    @Test
    void theTestFileIsTheFlatRegistryTheOtherTestsAssume() {
        Map<String, ChainSpec> chains = byId(Registry.load("classpath:registry/test-chains.json"));

        assertThat(chains.get("ethereum").liquidationLatency()).isEqualTo(Duration.ofSeconds(600));
        assertThat(chains.get("arbitrum").liquidationLatency()).isEqualTo(Duration.ofSeconds(900));
        assertThat(chains.get("solana").liquidationLatency()).isEqualTo(Duration.ofSeconds(300));
        assertFlat(chains.get("ethereum"), "ETH", "0.10", "0.05");
        assertFlat(chains.get("ethereum"), "USDC", "0.02", "0.01");
        assertFlat(chains.get("arbitrum"), "ETH", "0.12", "0.06");
        assertFlat(chains.get("arbitrum"), "USDC", "0.03", "0.015");
        assertFlat(chains.get("solana"), "SOL", "0.20", "0.10");
        assertFlat(chains.get("solana"), "USDC", "0.03", "0.015");
        assertThat(chains).containsOnlyKeys("ethereum", "arbitrum", "solana", "testcheckpoint");
        assertThat(chains.get("testcheckpoint").finalityRule()).isEqualTo(dev.crosschain.collateral.domain.FinalityRule.CHECKPOINT);
        assertFlat(chains.get("testcheckpoint"), "USDC", "0.02", "0.01");
    }

    static void assertFlat(ChainSpec chain, String symbol, String im, String mm) {
        AssetSpec asset = chain.asset(symbol).orElseThrow();
        assertThat(asset.decimals()).isEqualTo(symbol.equals("USDC") ? 6 : symbol.equals("SOL") ? 9 : 18);
        assertThat(asset.canonical()).isEqualTo(symbol);
        assertThat(asset.im().tiers()).singleElement().satisfies(t -> {
            assertThat(t.fromUsd()).isZero();
            assertThat(t.haircut()).isEqualByComparingTo(im);
        });
        assertThat(asset.mm().tiers()).singleElement().satisfies(t -> assertThat(t.haircut()).isEqualByComparingTo(mm));
        assertThat(asset.latencyZIm()).isZero();
        assertThat(asset.latencyZMm()).isZero();
        assertThat(asset.minAnnualVol()).isZero();
        assertThat(asset.wrapped()).isFalse();
        assertThat(asset.accountCapUsd()).isEmpty();
    }

    @Test
    void aFileOnTheFileSystemIsRead() throws Exception {
        Path file = Files.createTempFile("registry", ".json");
        try {
            Files.writeString(file, """
                    {"version": 4, "chains": [{"chain_id": "base", "finality_rule": "CONFIRMATIONS", "confirmations": 5,
                      "block_time_ms": 2000, "liquidation_latency_seconds": 900, "degraded_addon": "0.05",
                      "heartbeat_late_after_ms": 60000, "head_stall_after_ms": 120000, "halt_after_silence_ms": 600000,
                      "assets": [{"asset": "USDbC", "canonical_asset": "USDC", "decimals": 6, "wrapped": true,
                        "wrapped_addon": "0.02", "im_tiers": [{"from_usd": "0", "haircut": "0.03"}],
                        "mm_tiers": [{"from_usd": "0", "haircut": "0.015"}], "latency_z_im": 2.33, "latency_z_mm": 1.65,
                        "min_annual_vol": 0.02}]}]}""");
            Registry.RegistryFile registry = Registry.load(file.toString());
            assertThat(registry.version()).isEqualTo(4);
            AssetSpec bridged = registry.chains().get(0).asset("USDbC").orElseThrow();
            assertThat(bridged.wrapped()).isTrue();
            assertThat(bridged.wrappedAddon()).isEqualByComparingTo("0.02");
            assertThat(registry.chains().get(0).pendingWeight()).isEqualByComparingTo("0");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aMissingFileIsRefusedNamingIt() {
        assertThatThrownBy(() -> Registry.load("classpath:registry/nope.json"))
                .hasMessageContaining("registry file classpath:registry/nope.json cannot be read");
        assertThatThrownBy(() -> Registry.load("/no/such/registry.json"))
                .hasMessageContaining("/no/such/registry.json");
    }

    @Test
    void badFilesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> Registry.parse("f.json", "{ not json"))
                .hasMessageStartingWith("registry file f.json is not a registry:");
        assertThatThrownBy(() -> Registry.parse("f.json", "{\"chains\": []}"))
                .hasMessageContaining("\"version\" is required");
        assertThatThrownBy(() -> Registry.parse("f.json", "{\"version\": 0, \"chains\": []}"))
                .hasMessageContaining("version must be >= 1");
        assertThatThrownBy(() -> Registry.parse("f.json", "{\"version\": 1}"))
                .hasMessageContaining("\"chains\" is required");
        // A typo must not fall back to a default silently.
        assertThatThrownBy(() -> Registry.parse("f.json", "{\"version\": 1, \"chains\": [{\"chain_id\": \"x\", \"confirmation\": 3}]}"))
                .hasMessageContaining("confirmation");
    }

    @Test
    void aBrokenEntryIsRefusedNamingEveryBadFieldByPath() {
        String text = """
                {"version": 2, "chains": [
                  {"chain_id": "ethereum", "finality_rule": "CONFIRMATIONS", "confirmations": 3, "block_time_ms": 12000,
                   "liquidation_latency_seconds": 600, "degraded_addon": "0.05", "heartbeat_late_after_ms": 60000,
                   "head_stall_after_ms": 120000, "halt_after_silence_ms": 600000,
                   "assets": [{"asset": "ETH", "canonical_asset": "ETH", "decimals": 18,
                     "im_tiers": [{"from_usd": "0", "haircut": "0.1"}], "mm_tiers": [{"from_usd": "0", "haircut": "0.05"}]},
                     {"asset": "USDC", "canonical_asset": "USDC", "decimals": 6,
                     "im_tiers": [{"from_usd": "0", "haircut": "1.2"}], "mm_tiers": [{"from_usd": "0", "haircut": "0.01"}]}]},
                  {"chain_id": "ethereum", "finality_rule": "CONFIRMATIONS", "confirmations": 0, "block_time_ms": 12000,
                   "liquidation_latency_seconds": 600, "degraded_addon": "0.05", "heartbeat_late_after_ms": 60000,
                   "head_stall_after_ms": 120000, "halt_after_silence_ms": 600000, "assets": []}]}""";

        assertThatThrownBy(() -> Registry.parse("f.json", text))
                .hasMessageStartingWith("registry file f.json is refused:")
                .hasMessageContaining("chains[0].assets[1].im_tiers[0].haircut: ")
                .hasMessageContaining("chains[1].confirmations: ");
    }

    @Test
    void aChainListedTwiceIsRefused() {
        String chain = """
                {"chain_id": "ethereum", "finality_rule": "CONFIRMATIONS", "confirmations": 3, "block_time_ms": 12000,
                 "liquidation_latency_seconds": 600, "degraded_addon": "0.05", "heartbeat_late_after_ms": 60000,
                 "head_stall_after_ms": 120000, "halt_after_silence_ms": 600000, "assets": []}""";
        assertThatThrownBy(() -> Registry.parse("f.json", "{\"version\": 1, \"chains\": [" + chain + "," + chain + "]}"))
                .hasMessageContaining("chains[1].chain_id: ethereum is listed twice");
    }
}
