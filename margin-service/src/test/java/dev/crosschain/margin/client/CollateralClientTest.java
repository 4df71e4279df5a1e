package dev.crosschain.margin.client;

import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.ChainStatus;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.HaircutBreakdown;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** collateral-service's lines as margin's: canonical asset and haircut totals, HALTED chains at haircut 1. */
class CollateralClientTest {

    static AssetCollateral.Builder weth(String mm, String im) {
        return AssetCollateral.newBuilder().setAsset("WETH").setCanonicalAsset("ETH").setAvailable("2").setPriceUsd("3000")
                .setMarketValueUsd("6000").setValueImUsd("5100").setValueMmUsd("5400")
                .setHaircutMm(HaircutBreakdown.newBuilder().setTotal(mm)).setHaircutIm(HaircutBreakdown.newBuilder().setTotal(im));
    }

    static CollateralLine only(ChainStatus status, AssetCollateral.Builder asset) {
        Collateral c = CollateralClient.map(CollateralView.newBuilder().addChains(ChainCollateral.newBuilder()
                .setChainId("arbitrum").setStatus(status).addAssets(asset)).build());
        return c.lines().get(0);
    }

    @Test
    void aLineCarriesItsCanonicalAssetAndHaircutTotals() {
        CollateralLine line = only(ChainStatus.CHAIN_STATUS_HEALTHY, weth("0.1", "0.15"));
        assertThat(line.canonicalAsset()).isEqualTo("ETH");
        assertThat(line.mmHaircut()).isEqualByComparingTo("0.1");
        assertThat(line.imHaircut()).isEqualByComparingTo("0.15");
    }

    /** A blank canonical_asset is a malformed view (GetCollateral's caller wraps it as DependencyException INTERNAL), never the token's symbol. */
    @Test
    void aBlankCanonicalAssetIsMalformed() {
        assertThatThrownBy(() -> only(ChainStatus.CHAIN_STATUS_HEALTHY, weth("0.1", "0.15").setCanonicalAsset("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("canonical_asset");
        assertThatThrownBy(() -> only(ChainStatus.CHAIN_STATUS_HEALTHY, weth("0.1", "0.15").setCanonicalAsset("  ")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHaltedChainsLineTakesHaircutsOfOne() {
        CollateralLine line = only(ChainStatus.CHAIN_STATUS_HALTED, weth("0.1", "0.15"));
        assertThat(line.mmHaircut()).isEqualByComparingTo("1");
        assertThat(line.imHaircut()).isEqualByComparingTo("1");
    }

    @Test
    void aHaircutOutsideZeroToOneIsMalformed() {
        assertThatThrownBy(() -> only(ChainStatus.CHAIN_STATUS_HEALTHY, weth("1.2", "0.15")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
