package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * What a bid needs from the insurance fund, checked inside the bid's transaction.
 *
 * @param enabled          whether the insurance fund is on ({@code liquidation.insurance-fund.enabled}); off, a bid is
 *                         accepted exactly as by the release before it: no penalty, a lot price <= 0 refused
 * @param fundAccountId    the insurance fund's account at collateral-service
 * @param penaltyRate      liquidation penalty rate ({@link Penalty})
 * @param fundAvailableUsd the fund's available USDC on the settlement chain as read from collateral-service just
 *                         before the transaction; null when not read (a bid the fund must pay then asks for it)
 * @param settledSince     payouts settled at or after this count as pending too: the read may not show them (the
 *                         time before the read, less the longest a transfer may take and the clock skew); null when
 *                         not read
 */
public record FundCheck(boolean enabled, String fundAccountId, BigDecimal penaltyRate, BigDecimal fundAvailableUsd,
                        Instant settledSince) {

    public FundCheck withAvailable(BigDecimal available, Instant settledSince) {
        return new FundCheck(enabled, fundAccountId, penaltyRate, available, settledSince);
    }

    /** The rate a bid pays: 0 while the fund is off (the release before it took none). */
    public BigDecimal effectivePenaltyRate() {
        return enabled ? penaltyRate : BigDecimal.ZERO;
    }

    /**
     * The fund never bids: its positions are managed by operators, and a bid of its own would move its collateral
     * outside the fund's books.
     *
     * @throws PreconditionException FUND_BIDDER
     */
    public void requireNotFund(String bidderAccountId) {
        if (fundAccountId.equals(bidderAccountId)) {
            throw new PreconditionException("FUND_BIDDER", "accounts/" + bidderAccountId,
                    "the insurance fund's account does not bid; its positions are managed by operators");
        }
    }

    /**
     * While the fund is off, a lot price <= 0 is refused as before it existed (a replica of that release would settle
     * such a bid without the fund's leg).
     *
     * @throws PreconditionException INSOLVENT_ACCOUNT
     */
    public void requirePriceAllowed(String auctionId, BigDecimal lotPriceUsd) {
        if (!enabled && lotPriceUsd.signum() <= 0) {
            throw new PreconditionException("INSOLVENT_ACCOUNT", "auctions/" + auctionId,
                    "the lot price is " + lotPriceUsd.toPlainString() + " USD: bids on an insolvent account need the insurance fund");
        }
    }

    /**
     * Refuses a payout the fund cannot make in full: its balance less the payouts of bids the balance read may not
     * show (accepted and not settled, or settled since {@link #settledSince}).
     *
     * @param payoutUsd  what the fund pays the bidder, USDC, positive
     * @param pendingUsd payouts the balance read may not show, USDC
     * @throws FundBalanceNeededException when the balance was not read
     * @throws PreconditionException      INSURANCE_FUND_SHORT, with the balance in the details
     */
    public void requirePayout(BigDecimal payoutUsd, BigDecimal pendingUsd) {
        if (fundAvailableUsd == null) {
            throw new FundBalanceNeededException();
        }
        BigDecimal free = fundAvailableUsd.subtract(pendingUsd);
        if (payoutUsd.compareTo(free) > 0) {
            throw new PreconditionException("INSURANCE_FUND_SHORT", "accounts/" + fundAccountId,
                    "the insurance fund cannot pay " + Money.plain(payoutUsd) + " USDC: balance " + Money.plain(fundAvailableUsd)
                            + ", payouts pending " + Money.plain(pendingUsd),
                    Map.of("fund_account_id", fundAccountId, "fund_balance_usd", Money.plain(fundAvailableUsd),
                            "pending_payouts_usd", Money.plain(pendingUsd), "payout_usd", Money.plain(payoutUsd)));
        }
    }

    /** The bid is paid by the insurance fund and its balance was not read: read it and try again. */
    public static final class FundBalanceNeededException extends RuntimeException {
        public FundBalanceNeededException() {
            super("the insurance fund's balance is needed", null, false, false);
        }
    }
}
