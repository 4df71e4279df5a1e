package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What a bid needs from the insurance fund, checked inside the bid's transaction.
 *
 * @param fundAccountId    the insurance fund's account at collateral-service
 * @param penaltyRate      liquidation penalty rate ({@link Penalty})
 * @param fundAvailableUsd the fund's available USDC on the settlement chain as read from collateral-service just
 *                         before the transaction; null when not read (a bid the fund must pay then asks for it)
 */
public record FundCheck(String fundAccountId, BigDecimal penaltyRate, BigDecimal fundAvailableUsd) {

    public FundCheck withAvailable(BigDecimal available) {
        return new FundCheck(fundAccountId, penaltyRate, available);
    }

    /**
     * Refuses a payout the fund cannot make in full: its balance less the payouts of bids accepted and not settled yet
     * (the balance read does not show them until their transfer commits).
     *
     * @param payoutUsd      what the fund pays the bidder, USDC, positive
     * @param pendingUsd     payouts of ACCEPTED bids not settled yet, USDC
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
