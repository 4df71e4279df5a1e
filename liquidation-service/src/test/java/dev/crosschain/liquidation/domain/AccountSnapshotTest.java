package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AccountSnapshotTest {

    /** A collateral line at price 1 and no MM haircut (these tests value lots, not the buffer). */
    private static AccountSnapshot.Collateral line(String chain, String asset, BigDecimal amount, BigDecimal value) {
        return new AccountSnapshot.Collateral(chain, asset, amount, value, BigDecimal.ONE, value);
    }

    @Test
    void lotHasNonZeroPositionsAndPositiveCollateralAndValueSumsTheParts() {
        AccountSnapshot snapshot = new AccountSnapshot("alice",
                List.of(line("ethereum", "USDC", new BigDecimal("1000"), new BigDecimal("1000")),
                        line("arbitrum", "ETH", BigDecimal.ZERO, BigDecimal.ZERO),
                        line("solana", "SOL", new BigDecimal("2"), new BigDecimal("300.5"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-1.5"), new BigDecimal("-910.25")),
                        new AccountSnapshot.Position("BTC-PERPETUAL", new BigDecimal("0.000"), BigDecimal.ZERO)),
                new BigDecimal("-900.25"), new BigDecimal("10"), false, true, null, null, null,
                BigDecimal.ZERO);
        assertThat(snapshot.lot()).containsExactly(
                LotItem.position("ETH-PERPETUAL", new BigDecimal("-1.5")),
                LotItem.collateral("ethereum", "USDC", new BigDecimal("1000")),
                LotItem.collateral("solana", "SOL", new BigDecimal("2")));
        assertThat(snapshot.markValueUsd()).isEqualByComparingTo("410.25");
    }

    static final List<LotItem> LOT = List.of(LotItem.position("ETH-PERPETUAL", new BigDecimal("-2")),
            LotItem.collateral("arbitrum", "ETH", new BigDecimal("1.5")));

    @Test
    void theLotIsValuedAtItsOriginalQuantitiesFromTheAccountsValuePerUnitNow() {
        // Half the lot was sold: the account holds -1 ETH-PERPETUAL (PnL -1500 at today's mark: -1500 per unit)
        // and 0.75 ETH (2400: 3200 per unit), plus the 1000 USDC a bidder paid, which is not part of the lot.
        AccountSnapshot halfSold = new AccountSnapshot("alice",
                List.of(line("arbitrum", "ETH", new BigDecimal("0.75"), new BigDecimal("2400")),
                        line("ethereum", "USDC", new BigDecimal("1000"), new BigDecimal("1000"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-1"), new BigDecimal("-1500"))),
                new BigDecimal("-1500"), BigDecimal.ZERO, false, true, null, null, null,
                BigDecimal.ZERO);
        // the whole lot: -2 x (-1500 / -1) + 1.5 x (2400 / 0.75) = 2 x (-1500) + 1.5 x 3200 = -3000 + 4800 = 1800
        // (the account's mark value, 1900, would count the cash and only half the lot)
        assertThat(halfSold.valueOf(LOT)).isEqualTo(new AccountSnapshot.LotValue.Valued(new BigDecimal("1800.000000000000000000")));
        assertThat(halfSold.markValueUsd()).isEqualByComparingTo("1900");

        // the same quantities as the lot: the values as they are, no division
        AccountSnapshot untouched = new AccountSnapshot("alice",
                List.of(line("arbitrum", "ETH", new BigDecimal("1.5"), new BigDecimal("4800.5"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-2"), new BigDecimal("-3000.25"))),
                new BigDecimal("-3000.25"), BigDecimal.ZERO, false, true, null, null, null,
                BigDecimal.ZERO);
        assertThat(untouched.valueOf(LOT)).isEqualTo(new AccountSnapshot.LotValue.Valued(new BigDecimal("1800.25")));
        // a third of the lot left: 1.5 x (1600.1 / 0.5) = 4800.3 exactly, -2 x (-1000 / -0.6666) =
        // -3000.300030003000300030 (18 decimals, HALF_EVEN); sum 1799.999969996999699970
        AccountSnapshot third = new AccountSnapshot("alice",
                List.of(line("arbitrum", "ETH", new BigDecimal("0.5"), new BigDecimal("1600.1"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-0.6666"), new BigDecimal("-1000"))),
                new BigDecimal("-1000"), BigDecimal.ZERO, false, true, null, null, null,
                BigDecimal.ZERO);
        assertThat(third.valueOf(LOT)).isEqualTo(new AccountSnapshot.LotValue.Valued(new BigDecimal("1799.999969996999699970")));
    }

    @Test
    void anItemTheViewCannotValueLeavesTheLotUnvalued() {
        AccountSnapshot noPosition = new AccountSnapshot("alice",
                List.of(line("arbitrum", "ETH", new BigDecimal("0.75"), new BigDecimal("2400"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", BigDecimal.ZERO, BigDecimal.ZERO)),
                BigDecimal.ZERO, BigDecimal.ZERO, false, true, null, null, null,
                BigDecimal.ZERO);
        assertThat(noPosition.valueOf(LOT)).isInstanceOf(AccountSnapshot.LotValue.Unvalued.class);
        AccountSnapshot noLine = new AccountSnapshot("alice", List.of(),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-1"), new BigDecimal("-1500"))),
                new BigDecimal("-1500"), BigDecimal.ZERO, false, true, null, null, null,
                BigDecimal.ZERO);
        assertThat(noLine.valueOf(LOT)).isInstanceOf(AccountSnapshot.LotValue.Unvalued.class);
        AccountSnapshot flipped = new AccountSnapshot("alice",
                List.of(line("arbitrum", "ETH", new BigDecimal("0.75"), new BigDecimal("2400"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("1"), new BigDecimal("100"))),
                new BigDecimal("100"), BigDecimal.ZERO, false, true, null, null, null,
                BigDecimal.ZERO);
        assertThat(flipped.valueOf(LOT)).isInstanceOf(AccountSnapshot.LotValue.Unvalued.class);
    }
}
