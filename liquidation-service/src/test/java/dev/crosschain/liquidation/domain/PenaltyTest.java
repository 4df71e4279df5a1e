package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class PenaltyTest {

    static final BigDecimal RATE = new BigDecimal("0.02");

    @Test
    void isTheRateOfTheBidsShareOfTheMarkValueRoundedDown() {
        // 0.02 x 0.4 x 1000 = 8; 0.02 x 0.3333333 x 1234.56 = 8.2303997... -> 8.230399
        assertThat(Penalty.of(RATE, new BigDecimal("0.4"), new BigDecimal("1000"), new BigDecimal("380")).toPlainString())
                .isEqualTo("8.000000");
        assertThat(Penalty.of(RATE, new BigDecimal("0.3333333"), new BigDecimal("1234.56"), new BigDecimal("390")).toPlainString())
                .isEqualTo("8.230399");
    }

    @Test
    void isNeverMoreThanTheProceeds() {
        // the price fell to 1% of the mark value: 0.02 x 1000 = 20 > 10 received
        assertThat(Penalty.of(RATE, BigDecimal.ONE, new BigDecimal("1000"), new BigDecimal("10")).toPlainString()).isEqualTo("10.000000");
    }

    @Test
    void anInsolventLotPaysNone() {
        assertThat(Penalty.of(RATE, BigDecimal.ONE, new BigDecimal("-500"), new BigDecimal("-525"))).isZero();
        assertThat(Penalty.of(RATE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO)).isZero();
        assertThat(Penalty.of(BigDecimal.ZERO, BigDecimal.ONE, new BigDecimal("1000"), new BigDecimal("950"))).isZero();
    }
}
