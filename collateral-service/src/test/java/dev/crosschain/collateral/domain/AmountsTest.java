package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmountsTest {

    @Test
    void acceptsPositiveAmountsUpToTheTokenDecimals() {
        assertThat(Amounts.tokenAmount("1.5", 18, "f")).isEqualByComparingTo("1.5");
        assertThat(Amounts.tokenAmount("0.000001", 6, "f")).isEqualByComparingTo("0.000001");
        assertThat(Amounts.tokenAmount("100", 0, "f")).isEqualByComparingTo("100");
        assertThat(Amounts.tokenAmount("100", 0, "f").scale()).isZero();
    }

    @Test
    void trailingZerosDoNotCountAsDecimals() {
        assertThat(Amounts.tokenAmount("1.5000000", 6, "f")).isEqualByComparingTo("1.5");
        assertThat(Amounts.tokenAmount("1.500000000", 1, "f")).isEqualByComparingTo("1.5");
    }

    @Test
    void refusesTooManyDecimals() {
        assertInvalid("0.0000001", 6, "at most 6 decimals");
        assertInvalid("1.0000000001", 9, "at most 9 decimals");
    }

    @Test
    void refusesOverlongTextAndTooManyIntegerDigitsWithoutEchoingThem() {
        assertInvalid("1".repeat(140_000), 6, "at most 80 characters");
        assertInvalid("1".repeat(31), 6, "at most 30 digits before the decimal point");
        assertThat(Amounts.tokenAmount("1".repeat(30) + "." + "1".repeat(36), 36, "f")).isEqualByComparingTo("1".repeat(30) + "." + "1".repeat(36));
        assertThat(Amounts.tokenAmount("0." + "0".repeat(35) + "1", 36, "f")).isEqualByComparingTo("1e-36");
        assertThatThrownBy(() -> Amounts.tokenAmount("x".repeat(79), 6, "f"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    @Test
    void refusesZeroNegativeMalformedAndExponents() {
        assertInvalid("0", 6, "positive");
        assertInvalid("0.000", 6, "positive");
        assertInvalid("-1", 6, "positive");
        assertInvalid("abc", 6, "not a decimal");
        assertInvalid("", 6, "required");
        assertInvalid("1e3", 6, "exponent");
        assertInvalid("NaN", 6, "not a decimal");
    }

    @Test
    void formatsPlainWithoutTrailingZeros() {
        assertThat(Amounts.plain(new BigDecimal("1.500"))).isEqualTo("1.5");
        assertThat(Amounts.plain(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(Amounts.plain(new BigDecimal("0.000"))).isEqualTo("0");
        assertThat(Amounts.usd(new BigDecimal("1.000000005")).toPlainString()).isEqualTo("1.00000000");
        assertThat(Amounts.usd(new BigDecimal("1.000000015")).toPlainString()).isEqualTo("1.00000002");
    }

    private static void assertInvalid(String text, int decimals, String message) {
        assertThatThrownBy(() -> Amounts.tokenAmount(text, decimals, "deposit.amount"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_AMOUNT");
                    assertThat(e.violations()).singleElement().satisfies(v -> {
                        assertThat(v.field()).isEqualTo("deposit.amount");
                        assertThat(v.description()).contains(message);
                    });
                });
    }
}
