package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fraction of a lot that fits under the caps, by hand. */
class AuctionCapsTest {

    static final AuctionCaps CAPS = new AuctionCaps(new BigDecimal("1000"), Map.of("arbitrum/USDC", new BigDecimal("1500")));

    private static AuctionCaps.Usage used(String global, String usdc) {
        return new AuctionCaps.Usage(new BigDecimal(global), Map.of("arbitrum/USDC", new BigDecimal(usdc)));
    }

    @Test
    void aLotThatFitsOpensWholeAndNoCapsMeansWhole() {
        assertThat(CAPS.fraction(used("0", "0"), new BigDecimal("1000"), Map.of("arbitrum/USDC", new BigDecimal("1500"))))
                .isEqualByComparingTo("1");
        assertThat(AuctionCaps.NONE.any()).isFalse();
        assertThat(AuctionCaps.NONE.fraction(used("1000000", "1000000"), new BigDecimal("1000"), Map.of()))
                .isEqualByComparingTo("1");
    }

    @Test
    void theTightestCapGivesTheFractionRoundedDown() {
        // global: (1000 - 400) / 1500 = 0.4; arbitrum/USDC: (1500 - 1000) / 900 = 0.5555555555555... -> 0.555555555555
        assertThat(CAPS.fraction(used("400", "1000"), new BigDecimal("1500"), Map.of("arbitrum/USDC", new BigDecimal("900"))))
                .isEqualTo(new BigDecimal("0.400000000000"));
        assertThat(CAPS.fraction(used("0", "1000"), new BigDecimal("800"), Map.of("arbitrum/USDC", new BigDecimal("900"))))
                .isEqualTo(new BigDecimal("0.555555555555"));
        // a lot without the capped asset is bound by the global cap only; 2/3 rounds down, never up
        assertThat(CAPS.fraction(used("0", "1500"), new BigDecimal("1500"), Map.of("ethereum/ETH", new BigDecimal("1500"))))
                .isEqualTo(new BigDecimal("0.666666666666"));
    }

    @Test
    void nothingFitsWhenACapIsFullAndANegativeLotTakesNoRoom() {
        assertThat(CAPS.fraction(used("1000", "0"), new BigDecimal("1"), Map.of())).isEqualByComparingTo("0");
        assertThat(CAPS.fraction(used("1200", "0"), new BigDecimal("1"), Map.of())).as("over: a reset re-valued upwards")
                .isEqualByComparingTo("0");
        assertThat(CAPS.fraction(used("1000", "1500"), new BigDecimal("-300"), Map.of())).isEqualByComparingTo("1");
    }

    @Test
    void badCapsAreRefused() {
        assertThatThrownBy(() -> new AuctionCaps(new BigDecimal("-1"), Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuctionCaps(null, Map.of("arbitrum", BigDecimal.ONE))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuctionCaps(null, Map.of("arbitrum/", BigDecimal.ONE))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuctionCaps(null, Map.of("arbitrum/USDC", new BigDecimal("-0.01"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
