package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AccountSnapshotTest {

    @Test
    void lotHasNonZeroPositionsAndPositiveCollateralAndValueSumsTheParts() {
        AccountSnapshot snapshot = new AccountSnapshot("alice",
                List.of(new AccountSnapshot.Collateral("ethereum", "USDC", new BigDecimal("1000"), new BigDecimal("1000")),
                        new AccountSnapshot.Collateral("arbitrum", "ETH", BigDecimal.ZERO, BigDecimal.ZERO),
                        new AccountSnapshot.Collateral("solana", "SOL", new BigDecimal("2"), new BigDecimal("300.5"))),
                List.of(new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("-1.5")),
                        new AccountSnapshot.Position("BTC-PERPETUAL", new BigDecimal("0.000"))),
                new BigDecimal("-900.25"), new BigDecimal("10"));
        assertThat(snapshot.lot()).containsExactly(
                LotItem.position("ETH-PERPETUAL", new BigDecimal("-1.5")),
                LotItem.collateral("ethereum", "USDC", new BigDecimal("1000")),
                LotItem.collateral("solana", "SOL", new BigDecimal("2")));
        assertThat(snapshot.markValueUsd()).isEqualByComparingTo("410.25");
    }
}
