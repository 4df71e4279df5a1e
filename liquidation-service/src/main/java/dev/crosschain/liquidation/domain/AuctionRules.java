package dev.crosschain.liquidation.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The rules a bid must pass and what it buys. Stateless. */
public final class AuctionRules {

    public static final AuctionRules DEFAULT = new AuctionRules();

    /**
     * Checks a bid against the auction and prices it at {@code now}.
     *
     * @param requestedVersion the version the bidder saw; 0 means "whatever is current"
     * @param decimals         decimals of the collateral tokens, to round each collateral share down to
     * @param penaltyRate      the penalty rate the bid pays ({@link Penalty}; 0 while the insurance fund is off)
     * @throws PreconditionException    SELF_BID, AUCTION_OPENING, AUCTION_CLOSED, STALE_VERSION, NEEDS_RESET, OVERFILL,
     *                                  PRICE_ABOVE_LIMIT, FRACTION_ABOVE_BOUND (with max_fraction and lot_price_usd in
     *                                  the metadata)
     * @throws UnknownDecimalsException when a collateral item the bid takes part of has no known decimals
     */
    public BidTerms accept(AuctionState auction, String bidder, BigDecimal fraction, BigDecimal maxLotPriceUsd,
                           long requestedVersion, Instant now, AssetDecimals decimals, BigDecimal penaltyRate) {
        String subject = "auctions/" + auction.auctionId();
        if (auction.accountId().equals(bidder)) {
            throw new PreconditionException("SELF_BID", "accounts/" + bidder, "the liquidated account cannot bid on its own lot");
        }
        if (auction.status() == AuctionStatus.OPENING) {
            // no lot and no price yet: the account is being frozen and snapshotted
            throw new PreconditionException("AUCTION_OPENING", subject, "the auction is being opened and has no lot or price yet");
        }
        if (auction.status() != AuctionStatus.OPEN) {
            throw new PreconditionException("AUCTION_CLOSED", subject, "the auction is closed");
        }
        if (requestedVersion != 0 && requestedVersion != auction.version()) {
            throw new PreconditionException("STALE_VERSION", subject,
                    "the bid names version " + requestedVersion + ", the auction is at " + auction.version());
        }
        // Past tail or cusp the price is stale until the resetter starts a new epoch (Maker's "needs-reset").
        PriceCurve.ResetReason reset = auction.curve().resetReason(auction.epochStartedAt(), now).orElse(null);
        if (reset != null) {
            throw new PreconditionException("NEEDS_RESET", subject,
                    "the auction's price curve is past its " + reset.name().toLowerCase(Locale.ROOT)
                            + " and waits for a reset to the current marks");
        }
        if (fraction.compareTo(auction.remainingFraction()) > 0) {
            throw new PreconditionException("OVERFILL", subject,
                    "fraction " + Money.plain(fraction) + " is more than the remaining " + Money.plain(auction.remainingFraction()));
        }
        // An insolvent lot's price is negative (PriceCurve): the insurance fund pays the bidder, checked by the caller.
        BigDecimal lotPrice = auction.lotPriceAt(now);
        if (lotPrice.compareTo(maxLotPriceUsd) > 0) {
            throw new PreconditionException("PRICE_ABOVE_LIMIT", subject,
                    "the lot price is " + lotPrice.toPlainString() + " USD, above the limit " + Money.plain(maxLotPriceUsd));
        }
        // The fraction is exact, like the price limit and the version: a bid above the bound is refused, not cut down,
        // so nobody is filled for less than they asked.
        BigDecimal bound = auction.maxFraction(lotPrice, penaltyRate);
        if (fraction.compareTo(bound) > 0) {
            throw new PreconditionException("FRACTION_ABOVE_BOUND", subject,
                    "fraction " + Money.plain(fraction) + " is more than the " + Money.plain(bound)
                            + " that brings the account back to its buffer margin at the lot price " + lotPrice.toPlainString() + " USD",
                    Map.of("max_fraction", Money.plain(bound), "lot_price_usd", lotPrice.toPlainString()));
        }
        return terms(auction, fraction, lotPrice, decimals, penaltyRate);
    }

    /**
     * The insurance fund's takeover of what remains of an OPEN auction's lot at price 0 (the bad-debt rule: the fund
     * takes the lot nobody would take for what the fund can pay). No version, limit or reset check: it is not a
     * bidder's offer but the end of the auction.
     *
     * @throws PreconditionException    AUCTION_CLOSED when the auction is not OPEN
     * @throws UnknownDecimalsException when a collateral item has no known decimals
     */
    public BidTerms takeOver(AuctionState auction, AssetDecimals decimals) {
        if (auction.status() != AuctionStatus.OPEN) {
            throw new PreconditionException("AUCTION_CLOSED", "auctions/" + auction.auctionId(), "the auction is not open");
        }
        return terms(auction, auction.remainingFraction(), BigDecimal.ZERO.setScale(Money.USD_SCALE), decimals, BigDecimal.ZERO);
    }

    /**
     * What a fraction of the lot costs at the lot price, USDC scale 6: HALF_EVEN, but the fund's payout (a negative
     * price) rounds towards zero, never in the bidder's favour against the fund.
     */
    public static BigDecimal paid(BigDecimal fraction, BigDecimal lotPrice) {
        BigDecimal exact = fraction.multiply(lotPrice);
        return exact.signum() < 0 ? exact.setScale(Money.USDC_SCALE, RoundingMode.DOWN)
                : exact.setScale(Money.USDC_SCALE, Money.ROUNDING);
    }

    private static BidTerms terms(AuctionState auction, BigDecimal fraction, BigDecimal lotPrice, AssetDecimals decimals,
                                  BigDecimal penaltyRate) {
        BigDecimal paid = paid(fraction, lotPrice);
        BigDecimal penalty = Penalty.of(penaltyRate, fraction, auction.epochStartValueUsd(), paid);
        List<BidTerms.BoughtItem> bought = new ArrayList<>();
        for (AuctionState.ItemState state : auction.items()) {
            if (state.remaining().signum() == 0) {
                continue;
            }
            LotItem item = state.item();
            BigDecimal amount;
            if (item.kind() == LotItem.Kind.COLLATERAL) {
                int scale = decimals.of(item.chainId(), item.asset())
                        .orElseThrow(() -> new UnknownDecimalsException(item.chainId(), item.asset()));
                amount = scaleCollateral(item.quantity(), state.remaining(), fraction, auction.remainingFraction(), scale);
            } else if (item.kind() == LotItem.Kind.ALLOCATION) {
                // cents, as margin-service keeps the bucket: rounded down like a token amount
                amount = scaleCollateral(item.quantity(), state.remaining(), fraction, auction.remainingFraction(),
                        LotItem.ALLOCATION_DECIMALS);
            } else {
                amount = scale(item.quantity(), state.remaining(), fraction, auction.remainingFraction());
            }
            // A share rounded down to zero moves nothing (collateral-service refuses non-positive amounts).
            if (amount.signum() != 0) {
                bought.add(new BidTerms.BoughtItem(state.index(), state.item().withQuantity(amount)));
            }
        }
        return new BidTerms(lotPrice, paid, bought, auction.remainingFraction().subtract(fraction), penalty,
                auction.restoredBy(fraction, paid, penalty));
    }

    /**
     * The part of one lot item a fraction buys: the exact product {@code quantity * fraction} (trailing
     * zeros stripped), never more than what is left; the bid that empties the auction takes exactly
     * what is left, so nothing remains from rounding.
     */
    public static BigDecimal scale(BigDecimal quantity, BigDecimal itemRemaining, BigDecimal fraction,
                                   BigDecimal remainingFraction) {
        if (fraction.compareTo(remainingFraction) >= 0) {
            return strip(itemRemaining);
        }
        BigDecimal amount = strip(quantity.multiply(fraction));
        if (amount.abs().compareTo(itemRemaining.abs()) > 0) {
            return strip(itemRemaining);
        }
        return amount;
    }

    /**
     * The part of one collateral item a fraction buys: {@code quantity * fraction} rounded DOWN to the
     * token's decimals (the bidder gets at most its fraction, and collateral-service refuses amounts with
     * more decimals), never more than what is left; the bid that empties the auction takes exactly what
     * is left, so the rounding leaves nothing behind.
     */
    public static BigDecimal scaleCollateral(BigDecimal quantity, BigDecimal itemRemaining, BigDecimal fraction,
                                             BigDecimal remainingFraction, int decimals) {
        if (fraction.compareTo(remainingFraction) >= 0) {
            return strip(itemRemaining);
        }
        BigDecimal amount = strip(quantity.multiply(fraction).setScale(decimals, RoundingMode.DOWN));
        if (amount.abs().compareTo(itemRemaining.abs()) > 0) {
            return strip(itemRemaining);
        }
        return amount;
    }

    private static BigDecimal strip(BigDecimal value) {
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }
}
