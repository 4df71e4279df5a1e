package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One movement of the insurance fund's books, recorded when the bid that caused it settled (exactly once).
 *
 * @param seq       insertion order; pages run newest first
 * @param bidId     the bid that settled (the takeover bid for TAKEOVER and BAD_DEBT)
 * @param accountId the liquidated account
 * @param amountUsd USDC, positive: PENALTY paid in, PAYOUT paid out, TAKEOVER the mark value of the lot the fund took
 *                  over (negative or zero: what the fund's holdings lost), BAD_DEBT the shortfall recorded (minus that
 *                  value), REPAYMENT the part of a penalty that repaid outstanding bad debt
 */
public record FundEvent(long seq, Kind kind, String auctionId, String bidId, String accountId, BigDecimal amountUsd,
                        Instant at) {

    public enum Kind { PENALTY, PAYOUT, TAKEOVER, BAD_DEBT, REPAYMENT }
}
