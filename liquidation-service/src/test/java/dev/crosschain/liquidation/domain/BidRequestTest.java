package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BidRequestTest {

    @Test
    void parsesAGoodBid() {
        BidRequest r = BidRequest.parse("b-1", "a-1", "bob", "0.25", "1000", 3);
        assertThat(r.fraction()).isEqualByComparingTo("0.25");
        assertThat(r.maxLotPriceUsd()).isEqualByComparingTo("1000");
    }

    @Test
    void reportsEveryBadFieldWithTheFirstReason() {
        assertThatThrownBy(() -> BidRequest.parse("", " ", "bob", "2", "x", 0))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("MISSING_FIELD");
                    assertThat(e.violations()).extracting(Violation::field)
                            .containsExactly("bid_id", "auction_id", "fraction", "max_lot_price_usd");
                });
        for (String fraction : new String[]{"0", "-0.1", "1.0000001", "abc", "1e999999999"}) {
            assertThatThrownBy(() -> BidRequest.parse("b", "a", "bob", fraction, "1", 0))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("INVALID_FRACTION"));
        }
        for (String price : new String[]{"1,5", "five", "1e"}) {
            assertThatThrownBy(() -> BidRequest.parse("b", "a", "bob", "1", price, 0))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("INVALID_PRICE"));
        }
    }

    @Test
    void aLimitAtOrBelowZeroIsABidOnAnInsolventLot() {
        assertThat(BidRequest.parse("b", "a", "bob", "1", "-5", 0).maxLotPriceUsd()).isEqualByComparingTo("-5");
        assertThat(BidRequest.parse("b", "a", "bob", "1", "0", 0).maxLotPriceUsd()).isEqualByComparingTo("0");
    }
}
