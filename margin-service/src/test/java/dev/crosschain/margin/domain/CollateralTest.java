package dev.crosschain.margin.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollateralTest {

    /** 10 ETH at 3,000 of which 8 are locked: market value 30,000, value (IM 15%, MM 10%) of the 2 available only. */
    static final CollateralLine ETH_MOSTLY_LOCKED = new CollateralLine("arbitrum", "ETH", new BigDecimal("2"), new BigDecimal("3000"),
            new BigDecimal("30000"), new BigDecimal("5100"), new BigDecimal("5400"), false, "ETH", new BigDecimal("0.1"), new BigDecimal("0.15"));
    static final CollateralLine USDC = new CollateralLine("ethereum", "USDC", new BigDecimal("1000"), BigDecimal.ONE,
            new BigDecimal("1000"), new BigDecimal("980"), new BigDecimal("990"), false, "USDC", new BigDecimal("0.01"), new BigDecimal("0.02"));

    static Collateral of(CollateralLine... lines) {
        BigDecimal market = BigDecimal.ZERO;
        BigDecimal im = BigDecimal.ZERO;
        BigDecimal mm = BigDecimal.ZERO;
        for (CollateralLine l : lines) {
            market = market.add(l.marketValue());
            im = im.add(l.valueIm());
            mm = mm.add(l.valueMm());
        }
        return new Collateral(List.of(lines), market, im, mm, false, 1L);
    }

    @Test
    void withdrawingTakesTheHaircutValueOfTheAvailableBalanceEvenWhenMuchIsLocked() {
        Collateral after = of(ETH_MOSTLY_LOCKED, USDC).withdraw(new Collateral.Withdrawal("arbitrum", "ETH", BigDecimal.ONE), "amount");
        // 1 ETH = 3,000 USD: IM value falls by 3,000 x 0.85 = 2,550 (not x 5,100/30,000), MM by 2,700
        assertThat(after.valueIm()).isEqualByComparingTo("3530");   // 6,100 - 2,550
        assertThat(after.valueMm()).isEqualByComparingTo("3690");   // 6,390 - 2,700
        assertThat(after.marketValue()).isEqualByComparingTo("28000");
        assertThat(after.lines().get(0).available()).isEqualByComparingTo("1");
        assertThat(after.lines().get(0).valueIm()).isEqualByComparingTo("2550");
        assertThat(after.lines().get(1)).isEqualTo(USDC);
    }

    @Test
    void withdrawingAllTheAvailableLeavesNoValue() {
        Collateral after = of(ETH_MOSTLY_LOCKED).withdraw(new Collateral.Withdrawal("arbitrum", "ETH", new BigDecimal("2")), "amount");
        assertThat(after.valueIm()).isEqualByComparingTo("0");
        assertThat(after.valueMm()).isEqualByComparingTo("0");
    }

    @Test
    void withdrawingMoreThanAvailableOrFromNoLineIsRefused() {
        assertThatThrownBy(() -> of(USDC).withdraw(new Collateral.Withdrawal("ethereum", "USDC", new BigDecimal("1000.01")), "amount"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("amount"));
        assertThatThrownBy(() -> of(USDC).withdraw(new Collateral.Withdrawal("solana", "USDC", BigDecimal.ONE), "amount"))
                .isInstanceOf(InvalidInputException.class);
    }
}
