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

    /**
     * The account after a tenth of the lot (-2 ETH-PERPETUAL, 1.5 ETH, 1000 USDC) sold for 139.5 kept, ETH then at
     * 2800: -1.8 ETH-PERPETUAL at PnL -3240, 1.35 ETH (3780 market, 3654 after the MM haircut), 1039.5 USDC; equity
     * 3654 + 1039.5 - 3240 = 1453.5, MM 1350, IM 1890.
     */
    static AccountSnapshot afterATenthAndAPriceMove(BigDecimal equity) {
        return new AccountSnapshot("alice",
                List.of(new AccountSnapshot.Collateral("arbitrum", "ETH", new BigDecimal("1.35"), new BigDecimal("3780"),
                                new BigDecimal("2800"), new BigDecimal("3654")),
                        line("ethereum", "USDC", new BigDecimal("1039.5"), new BigDecimal("1039.5"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-1.8"), new BigDecimal("-3240"))),
                new BigDecimal("-3240"), BigDecimal.ZERO, false, true, equity, new BigDecimal("1890"), new BigDecimal("1350"),
                BigDecimal.ZERO);
    }

    @Test
    void aReBasedTargetTakesTheViewsFiguresAndKeepsWhatLiesOutsideTheRemainingLotUnscaled() {
        List<LotItem> remaining = List.of(LotItem.position("ETH-PERPETUAL", new BigDecimal("-1.8")),
                LotItem.collateral("arbitrum", "ETH", new BigDecimal("1.35")),
                LotItem.collateral("ethereum", "USDC", new BigDecimal("900")),
                LotItem.collateral("solana", "SOL", BigDecimal.ZERO));
        BufferTarget rebased = afterATenthAndAPriceMove(new BigDecimal("1453.5")).rebasedTarget(new BigDecimal("0.5"),
                "ethereum", "USDC", remaining, new BigDecimal("0.9"), new BigDecimal("139.5"), BigDecimal.ONE);
        // what remains of the lot at MM value: -3240 + 3654 + 900 (of the 1039.5 USDC, per unit) = 1314; R = 1453.5 - 1314
        // = 139.5, the cash the first bid left (SOL: none left, skipped)
        assertThat(rebased.equityUsd()).isEqualByComparingTo("1453.5");
        assertThat(rebased.maintenanceMarginUsd()).isEqualByComparingTo("1350");
        assertThat(rebased.initialMarginUsd()).isEqualByComparingTo("1890");
        assertThat(rebased.realizedPnlUsd()).isEqualByComparingTo("139.5");
        assertThat(rebased.cashValueUsd()).isEqualByComparingTo("1");
        assertThat(rebased.levelUsd()).isEqualByComparingTo("1620");
        assertThat(rebased.baseRemaining()).isEqualByComparingTo("0.9");
        assertThat(rebased.baseProceedsUsd()).isEqualByComparingTo("139.5");
        assertThat(rebased.rebased()).isTrue();

        // a view without equity, or without a line of what remains, keeps the base the auction had
        assertThat(afterATenthAndAPriceMove(null).rebasedTarget(new BigDecimal("0.5"), "ethereum", "USDC", remaining,
                new BigDecimal("0.9"), new BigDecimal("139.5"), BigDecimal.ONE)).isNull();
        assertThat(afterATenthAndAPriceMove(new BigDecimal("1453.5")).rebasedTarget(new BigDecimal("0.5"), "ethereum", "USDC",
                List.of(LotItem.collateral("solana", "SOL", BigDecimal.ONE)), new BigDecimal("0.9"), BigDecimal.ZERO, BigDecimal.ONE)).isNull();
    }
}
