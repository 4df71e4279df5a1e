package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HaltsTest {

    private static Halt halt(String underlying, HaltLevel level) {
        return new Halt(underlying, level, "ops", "why", Instant.EPOCH);
    }

    @Test
    void levelsAreCumulative() {
        assertThat(HaltLevel.NONE.stopsNewAuctions()).isFalse();
        assertThat(HaltLevel.NO_NEW_AUCTIONS.stopsNewAuctions()).isTrue();
        assertThat(HaltLevel.NO_NEW_AUCTIONS.stopsResets()).isFalse();
        assertThat(HaltLevel.NO_RESETS.stopsNewAuctions()).isTrue();
        assertThat(HaltLevel.NO_RESETS.stopsResets()).isTrue();
        assertThat(HaltLevel.NO_RESETS.stopsBids()).isFalse();
        assertThat(HaltLevel.NO_BIDS.stopsNewAuctions()).isTrue();
        assertThat(HaltLevel.NO_BIDS.stopsResets()).isTrue();
        assertThat(HaltLevel.NO_BIDS.stopsBids()).isTrue();
    }

    @Test
    void theStrongestHaltOfTheGlobalScopeAndTheLotsUnderlyingsCovers() {
        Halts halts = Halts.of(List.of(halt("", HaltLevel.NO_NEW_AUCTIONS), halt("ETH", HaltLevel.NO_BIDS),
                halt("BTC", HaltLevel.NO_RESETS), halt("SOL", HaltLevel.NONE)));
        assertThat(halts.covering(Set.of("ETH", "BTC")).map(Halt::underlying)).contains("ETH");
        assertThat(halts.covering(Set.of("BTC")).map(Halt::level)).contains(HaltLevel.NO_RESETS);
        assertThat(halts.covering(Set.of("SOL")).map(Halt::underlying)).as("a lifted scope: the global one").contains("");
        assertThat(halts.covering(Set.of())).map(Halt::level).contains(HaltLevel.NO_NEW_AUCTIONS);
        assertThat(halts.strongest()).isEqualTo(HaltLevel.NO_BIDS);
        assertThat(halts.list()).extracting(Halt::underlying).containsExactly("", "BTC", "ETH");

        Halts scoped = Halts.of(List.of(halt("ETH", HaltLevel.NO_BIDS)));
        assertThat(scoped.covering(Set.of("BTC"))).isEmpty();
        assertThat(scoped.global()).isEqualTo(HaltLevel.NONE);
        assertThat(Halts.NONE.strongest()).isEqualTo(HaltLevel.NONE);
    }

    @Test
    void aLotTouchesItsPositionsUnderlyingsAndItsCollateralTokens() {
        List<LotItem> lot = List.of(LotItem.position("ETH-PERPETUAL", BigDecimal.ONE),
                LotItem.position("BTC-27DEC26-60000-C", BigDecimal.ONE), LotItem.position("SOL-27DEC26", BigDecimal.ONE),
                LotItem.collateral("arbitrum", "USDC", BigDecimal.TEN), LotItem.collateral("ethereum", "ETH", BigDecimal.ONE));
        assertThat(Underlyings.of(lot)).containsExactly("BTC", "ETH", "SOL", "USDC");
        assertThat(Underlyings.of(List.of())).isEmpty();
    }
}
