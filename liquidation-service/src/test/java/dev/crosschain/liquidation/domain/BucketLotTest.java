package dev.crosschain.liquidation.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which ISOLATED bucket an account's view auctions alone, its lot and value, and what a bid changes the bucket by. */
class BucketLotTest {

    private static final AccountSnapshot.Bucket ETH_BREACHED = new AccountSnapshot.Bucket("ETH-PERPETUAL",
            new BigDecimal("2100"), new BigDecimal("100"), new BigDecimal("560"), new BigDecimal("280"), true);
    private static final AccountSnapshot.Bucket BTC_BREACHED = new AccountSnapshot.Bucket("BTC-PERPETUAL",
            new BigDecimal("0"), new BigDecimal("-5"), new BigDecimal("600"), new BigDecimal("300"), true);
    private static final AccountSnapshot.Bucket BTC_HEALTHY = new AccountSnapshot.Bucket("BTC-PERPETUAL",
            new BigDecimal("1000"), new BigDecimal("1000"), new BigDecimal("600"), new BigDecimal("300"), false);

    private static AccountSnapshot view(String equity, String mm, List<AccountSnapshot.Bucket> buckets) {
        return view(equity, mm, buckets, "6900");
    }

    private static AccountSnapshot view(String equity, String mm, List<AccountSnapshot.Bucket> buckets, String freePool) {
        return new AccountSnapshot("alice",
                List.of(new AccountSnapshot.Collateral("ethereum", "USDC", new BigDecimal("10000"), new BigDecimal("10000"),
                        BigDecimal.ONE, new BigDecimal("10000"))),
                List.of(new AccountSnapshot.Position("BTC-PERPETUAL", new BigDecimal("1"), new BigDecimal("-5")),
                        new AccountSnapshot.Position("ETH-PERPETUAL", new BigDecimal("10"), new BigDecimal("-2000"))),
                new BigDecimal("-2005"), BigDecimal.ZERO, false, true, equity == null ? null : new BigDecimal(equity),
                new BigDecimal("1160"), mm == null ? null : new BigDecimal(mm), BigDecimal.ZERO, buckets,
                freePool == null ? null : new BigDecimal(freePool));
    }

    @Test
    void theFirstBreachedBucketByNameIsAuctionedWithItsAllocationAtItsEquity() {
        AccountSnapshot one = view("8000", "580", List.of(BTC_HEALTHY, ETH_BREACHED));
        assertThat(one.breachedBucket()).contains(ETH_BREACHED);
        assertThat(one.bucketLot(ETH_BREACHED)).containsExactly(LotItem.position("ETH-PERPETUAL", new BigDecimal("10")),
                LotItem.allocation("ETH-PERPETUAL", new BigDecimal("2100")));
        assertThat(one.bucketValueUsd(ETH_BREACHED)).isEqualByComparingTo("100");
        BufferTarget target = one.bucketTarget(ETH_BREACHED, new BigDecimal("0.5"));
        assertThat(target.levelUsd()).isEqualByComparingTo("420");
        assertThat(target.realizedPnlUsd()).isZero();
        assertThat(target.cashValueUsd()).isEqualByComparingTo("1");
        assertThat(target.binds()).isTrue();
        // two breached: the first by name, as margin-service's breached_instrument; an empty bucket lots no allocation
        AccountSnapshot two = view("8000", "580", List.of(ETH_BREACHED, BTC_BREACHED));
        assertThat(two.breachedBucket()).contains(BTC_BREACHED);
        assertThat(two.bucketLot(BTC_BREACHED)).containsExactly(LotItem.position("BTC-PERPETUAL", BigDecimal.ONE));
        // the allocation is worth its amount whatever the marks: the lot as opened, valued now
        assertThat(one.valueOf(one.bucketLot(ETH_BREACHED))).isEqualTo(new AccountSnapshot.LotValue.Valued(new BigDecimal("100")));
    }

    @Test
    void theWholeAccountIsAuctionedWhenItsBookIsInLiquidationOrItsFiguresAreMissingOrNoBucketBreached() {
        assertThat(view("580", "580", List.of(ETH_BREACHED)).breachedBucket()).isEmpty();
        assertThat(view("-1", "0", List.of(ETH_BREACHED)).breachedBucket()).contains(ETH_BREACHED);
        assertThat(view(null, "580", List.of(ETH_BREACHED)).breachedBucket()).isEmpty();
        assertThat(view("8000", null, List.of(ETH_BREACHED)).breachedBucket()).isEmpty();
        assertThat(view("8000", "580", List.of(BTC_HEALTHY)).breachedBucket()).isEmpty();
        assertThat(view("8000", "580", List.of()).breachedBucket()).isEmpty();
        // the pool below zero (or left out): the rest of the book is not backed either
        assertThat(view("8000", "580", List.of(ETH_BREACHED), "-0.01").breachedBucket()).isEmpty();
        assertThat(view("8000", "580", List.of(ETH_BREACHED), null).breachedBucket()).isEmpty();
        assertThat(view("8000", "580", List.of(ETH_BREACHED), "0").breachedBucket()).contains(ETH_BREACHED);
    }

    @Test
    void aBucketIsAuctionedWithTheWholeAccountWhenItCannotBeSettledAlone() {
        AccountSnapshot view = view("8000", "580", List.of(ETH_BREACHED));
        assertThat(view.wholeAccountInstead(ETH_BREACHED, "ethereum", "USDC", true)).isEmpty();
        assertThat(view.wholeAccountInstead(ETH_BREACHED, "ethereum", "USDC", false)).isEmpty();
        // not enough USDC on the settlement line to pay the allocation out
        assertThat(view.wholeAccountInstead(ETH_BREACHED, "polygon", "USDC", true)).isPresent();
        assertThat(view.wholeAccountInstead(new AccountSnapshot.Bucket("ETH-PERPETUAL", new BigDecimal("10000.01"),
                new BigDecimal("100"), new BigDecimal("560"), new BigDecimal("280"), true), "ethereum", "USDC", true)).isPresent();
        // an insolvent (or zero) bucket sells only at a price <= 0: alone only with the insurance fund on
        assertThat(view.wholeAccountInstead(BTC_BREACHED, "ethereum", "USDC", true)).isEmpty();
        assertThat(view.wholeAccountInstead(BTC_BREACHED, "ethereum", "USDC", false)).isPresent();
        AccountSnapshot.Bucket zero = new AccountSnapshot.Bucket("ETH-PERPETUAL", new BigDecimal("2100"), BigDecimal.ZERO,
                new BigDecimal("560"), new BigDecimal("280"), true);
        assertThat(view.wholeAccountInstead(zero, "ethereum", "USDC", false)).isPresent();
    }

    private static Bid bid(String paid, String penalty, LotItem... items) {
        return new Bid("b", "a", "alice", "bob", new BigDecimal("0.5"), BigDecimal.TEN, 0, BigDecimal.TEN, new BigDecimal(paid),
                BidStatus.ACCEPTED, Instant.EPOCH, null, List.of(items), new BigDecimal(penalty), false, BigDecimal.ZERO, "fund",
                "ETH-PERPETUAL");
    }

    @Test
    void aBidChangesItsBucketByItsProceedsDownToTheCentLessTheAllocationItTakes() {
        LotItem half = LotItem.allocation("ETH-PERPETUAL", new BigDecimal("1050"));
        assertThat(bid("47.5", "1", half).bucketDeltaUsd()).isEqualByComparingTo("-1003.50");
        // the sub-cent rest stays in the free pool: never more into the bucket than was paid in
        assertThat(bid("47.509999", "0.000001", half).bucketDeltaUsd()).isEqualByComparingTo("-1002.50");
        // at a price <= 0 the account receives nothing: only the allocation taken leaves the bucket
        assertThat(bid("-420", "0", half).bucketDeltaUsd()).isEqualByComparingTo("-1050");
        assertThat(bid("-420", "0", half).allocationUsd()).isEqualByComparingTo("1050");
        // no allocation left: the proceeds alone
        assertThat(bid("12.345678", "0.2").bucketDeltaUsd()).isEqualByComparingTo("12.14");
    }
}
