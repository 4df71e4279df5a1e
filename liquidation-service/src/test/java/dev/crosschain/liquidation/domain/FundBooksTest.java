package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class FundBooksTest {

    @Test
    void aPenaltyRepaysOutstandingBadDebtFirst() {
        FundBooks books = new FundBooks(new BigDecimal("3"), BigDecimal.ZERO, new BigDecimal("500"), new BigDecimal("490"));
        assertThat(books.outstandingBadDebtUsd()).isEqualByComparingTo("10");
        assertThat(books.repaymentFrom(new BigDecimal("8"))).isEqualByComparingTo("8");
        assertThat(books.repaymentFrom(new BigDecimal("12"))).isEqualByComparingTo("10");
        FundBooks clean = new FundBooks(BigDecimal.ONE, BigDecimal.ZERO, new BigDecimal("5"), new BigDecimal("5"));
        assertThat(clean.repaymentFrom(new BigDecimal("8"))).isZero();
    }
}
