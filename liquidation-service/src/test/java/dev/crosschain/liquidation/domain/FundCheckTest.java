package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FundCheckTest {

    static final BigDecimal RATE = new BigDecimal("0.02");
    static final FundCheck ON = new FundCheck(true, "insurance-fund", RATE, null, null);
    static final FundCheck OFF = new FundCheck(false, "insurance-fund", RATE, null, null);

    @Test
    void withTheFundOffALotPriceAtOrBelowZeroIsRefusedAndNoPenaltyIsTakenAsBeforeTheFund() {
        for (String price : new String[]{"0", "0.00000000", "-525"}) {
            assertThatThrownBy(() -> OFF.requirePriceAllowed("auc-1", new BigDecimal(price)))
                    .isInstanceOfSatisfying(PreconditionException.class, e -> {
                        assertThat(e.reason()).isEqualTo("INSOLVENT_ACCOUNT");
                        assertThat(e.subject()).isEqualTo("auctions/auc-1");
                    });
        }
        assertThatCode(() -> OFF.requirePriceAllowed("auc-1", new BigDecimal("0.01"))).doesNotThrowAnyException();
        assertThat(OFF.effectivePenaltyRate()).isZero();
        // no penalty leg while off, whatever the configured rate
        assertThat(Penalty.of(OFF.effectivePenaltyRate(), new BigDecimal("0.4"), new BigDecimal("1000"), new BigDecimal("380")))
                .isZero();
    }

    @Test
    void withTheFundOnNegativePricesAreAllowedAndThePenaltyRateApplies() {
        assertThatCode(() -> ON.requirePriceAllowed("auc-1", new BigDecimal("-525"))).doesNotThrowAnyException();
        assertThatCode(() -> ON.requirePriceAllowed("auc-1", BigDecimal.ZERO)).doesNotThrowAnyException();
        assertThat(ON.effectivePenaltyRate()).isEqualByComparingTo(RATE);
    }

    @Test
    void theFundNeverBids() {
        for (FundCheck fund : new FundCheck[]{ON, OFF}) {
            assertThatThrownBy(() -> fund.requireNotFund("insurance-fund"))
                    .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.reason()).isEqualTo("FUND_BIDDER"));
            assertThatCode(() -> fund.requireNotFund("liq-1")).doesNotThrowAnyException();
        }
    }

    @Test
    void aPayoutIsCheckedAgainstTheBalanceLessWhatIsPending() {
        assertThatThrownBy(() -> ON.requirePayout(BigDecimal.TEN, BigDecimal.ZERO))
                .isInstanceOf(FundCheck.FundBalanceNeededException.class);
        FundCheck read = ON.withAvailable(new BigDecimal("600"), Instant.EPOCH);
        assertThatCode(() -> read.requirePayout(new BigDecimal("75"), new BigDecimal("525"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> read.requirePayout(new BigDecimal("75.000001"), new BigDecimal("525")))
                .isInstanceOfSatisfying(PreconditionException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INSURANCE_FUND_SHORT");
                    assertThat(e.metadata()).containsEntry("fund_balance_usd", "600").containsEntry("pending_payouts_usd", "525");
                });
    }
}
