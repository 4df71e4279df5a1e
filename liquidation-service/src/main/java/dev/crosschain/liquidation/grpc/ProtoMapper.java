package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.CapsInUse;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.AuctionStatus;
import dev.crosschain.liquidation.domain.Bid;
import dev.crosschain.liquidation.domain.BidStatus;
import dev.crosschain.liquidation.domain.BreakerTrip;
import dev.crosschain.liquidation.domain.BufferTarget;
import dev.crosschain.liquidation.domain.Halt;
import dev.crosschain.liquidation.domain.HaltChange;
import dev.crosschain.liquidation.domain.HaltLevel;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.proto.liquidation.v1.AuctionCap;
import dev.crosschain.proto.liquidation.v1.AuctionCloseReason;
import dev.crosschain.proto.liquidation.v1.BreakerKind;
import dev.crosschain.liquidation.domain.FundEvent;
import dev.crosschain.proto.liquidation.v1.InsuranceFundEventKind;
import dev.crosschain.proto.liquidation.v1.LotItemKind;
import dev.crosschain.proto.liquidation.v1.PriceCurve;
import dev.crosschain.proto.liquidation.v1.PriceCurveKind;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/** Domain -> wire. */
final class ProtoMapper {

    private ProtoMapper() {
    }

    /**
     * The auction with its price and bound at {@code now} (a bid paying {@code penaltyRate}) and the strongest halt
     * covering its lot.
     */
    static dev.crosschain.proto.liquidation.v1.Auction auction(Auction a, Instant now, Optional<Halt> covering,
                                                               BigDecimal penaltyRate) {
        HaltLevel halt = covering.map(Halt::level).orElse(HaltLevel.NONE);
        dev.crosschain.proto.liquidation.v1.Auction.Builder b = auction(a, now).toBuilder()
                .setHaltLevel(level(halt)).setHalted(halt.stopsBids());
        if (a.status() == AuctionStatus.OPEN) {
            b.setMaxFractionNow(Money.plain(a.maxFractionAt(now, penaltyRate)));
        }
        a.closeReason().ifPresent(reason -> b.setCloseReason(switch (reason) {
            case SOLD -> AuctionCloseReason.AUCTION_CLOSE_REASON_SOLD;
            case RESTORED -> AuctionCloseReason.AUCTION_CLOSE_REASON_RESTORED;
            case CANCELLED -> AuctionCloseReason.AUCTION_CLOSE_REASON_CANCELLED;
            case SUPERSEDED -> AuctionCloseReason.AUCTION_CLOSE_REASON_SUPERSEDED;
        }));
        if (a.opened()) {
            b.setLotFraction(Money.plain(a.lotFraction()));
        }
        if (a.bucketInstrument() != null) {
            b.setBucketInstrument(a.bucketInstrument());
        }
        BufferTarget buffer = a.buffer();
        if (buffer != null) {
            b.setOpenEquityUsd(Money.plain(buffer.equityUsd()))
                    .setOpenMaintenanceMarginUsd(Money.plain(buffer.maintenanceMarginUsd()))
                    .setOpenInitialMarginUsd(Money.plain(buffer.initialMarginUsd()))
                    .setOpenRealizedPnlUsd(Money.plain(buffer.realizedPnlUsd()))
                    .setOpenCashValueUsd(Money.plain(buffer.cashValueUsd()))
                    .setBufferShare(Money.plain(buffer.share()))
                    .setBufferLevelUsd(Money.plain(buffer.levelUsd()))
                    .setBufferBaseRemainingFraction(Money.plain(buffer.baseRemaining()))
                    .setBufferBaseProceedsUsd(Money.plain(buffer.baseProceedsUsd()));
        }
        return b.build();
    }

    private static dev.crosschain.proto.liquidation.v1.Auction auction(Auction a, Instant now) {
        dev.crosschain.proto.liquidation.v1.Auction.Builder b = dev.crosschain.proto.liquidation.v1.Auction.newBuilder()
                .setAuctionId(a.auctionId())
                .setAccountId(a.accountId())
                .setStatus(status(a.status()))
                .setVersion(a.version())
                .setRemainingFraction(Money.plain(a.remainingFraction()))
                .setCurve(curve(a.curve()))
                .setClosedAtUnixMs(a.closedAt() == null ? 0 : a.closedAt().toEpochMilli())
                .setEpoch(a.epoch())
                .setNeedsReset(Auction.needsReset(a, now).isPresent())
                .setClaimedAtUnixMs(a.claimedAt().toEpochMilli());
        if (a.opened()) {
            // an OPENING or cancelled auction has no start and no price: those fields stay empty
            b.setStartedAtUnixMs(a.startedAt().toEpochMilli())
                    .setStartValueUsd(Money.usd(a.startValueUsd()))
                    .setCurrentPriceUsd(a.lotPriceAt(now).toPlainString())
                    .setEpochStartedAtUnixMs(a.epochStartedAt().toEpochMilli())
                    .setEpochStartValueUsd(Money.usd(a.epochStartValueUsd()));
        }
        if (a.cancelReason() != null) {
            b.setCancelReason(a.cancelReason());
        }
        a.lot().forEach(item -> b.addLot(lotItem(item)));
        a.bids().forEach(bid -> b.addBids(bid(bid)));
        return b.build();
    }

    static PriceCurve curve(dev.crosschain.liquidation.domain.PriceCurve curve) {
        PriceCurve.Builder b = PriceCurve.newBuilder()
                .setKind(switch (curve.kind()) {
                    case LINEAR -> PriceCurveKind.PRICE_CURVE_KIND_LINEAR;
                    case STAIR_STEP -> PriceCurveKind.PRICE_CURVE_KIND_STAIR_STEP;
                    case EXPONENTIAL -> PriceCurveKind.PRICE_CURVE_KIND_EXPONENTIAL;
                })
                .setBuf(Money.plain(curve.buf()))
                .setFloor(Money.plain(curve.floor()))
                .setTailSeconds(curve.tail().toSeconds())
                .setCusp(Money.plain(curve.cusp()));
        if (curve.duration() != null) {
            b.setDurationSeconds(curve.duration().toSeconds());
        }
        if (curve.step() != null) {
            b.setStepSeconds(curve.step().toSeconds()).setCut(Money.plain(curve.cut()));
        }
        return b.build();
    }

    static dev.crosschain.proto.liquidation.v1.Bid bid(Bid bid) {
        return dev.crosschain.proto.liquidation.v1.Bid.newBuilder()
                .setBidId(bid.bidId())
                .setAuctionId(bid.auctionId())
                .setBidderAccountId(bid.bidderAccountId())
                .setFraction(Money.plain(bid.fraction()))
                .setLotPriceUsd(Money.usd(bid.lotPriceUsd()))
                .setPaidUsd(bid.paidUsd().setScale(Money.USDC_SCALE, Money.ROUNDING).toPlainString())
                .setStatus(bid.status() == BidStatus.SETTLED ? dev.crosschain.proto.liquidation.v1.BidStatus.BID_STATUS_SETTLED
                        : dev.crosschain.proto.liquidation.v1.BidStatus.BID_STATUS_ACCEPTED)
                .setPlacedAtUnixMs(bid.placedAt().toEpochMilli())
                .setSettledAtUnixMs(bid.settledAt() == null ? 0 : bid.settledAt().toEpochMilli())
                .setPenaltyUsd(Money.plain(bid.penaltyUsd()))
                .setTakeover(bid.takeover())
                .setBadDebtUsd(Money.plain(bid.badDebtUsd()))
                .build();
    }

    static dev.crosschain.proto.liquidation.v1.InsuranceFundEvent fundEvent(FundEvent e) {
        return dev.crosschain.proto.liquidation.v1.InsuranceFundEvent.newBuilder()
                .setKind(switch (e.kind()) {
                    case PENALTY -> InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PENALTY;
                    case PAYOUT -> InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_PAYOUT;
                    case TAKEOVER -> InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_TAKEOVER;
                    case BAD_DEBT -> InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_BAD_DEBT;
                    case REPAYMENT -> InsuranceFundEventKind.INSURANCE_FUND_EVENT_KIND_REPAYMENT;
                })
                .setAuctionId(e.auctionId())
                .setBidId(e.bidId())
                .setAccountId(e.accountId())
                .setAmountUsd(Money.plain(e.amountUsd()))
                .setAtUnixMs(e.at().toEpochMilli())
                .build();
    }

    static dev.crosschain.proto.liquidation.v1.LotItem lotItem(LotItem item) {
        return dev.crosschain.proto.liquidation.v1.LotItem.newBuilder()
                .setKind(switch (item.kind()) {
                    case POSITION -> LotItemKind.LOT_ITEM_KIND_POSITION;
                    case COLLATERAL -> LotItemKind.LOT_ITEM_KIND_COLLATERAL;
                    case ALLOCATION -> LotItemKind.LOT_ITEM_KIND_ALLOCATION;
                })
                .setInstrument(item.instrument())
                .setChainId(item.chainId())
                .setAsset(item.asset())
                .setQuantity(Money.plain(item.quantity()))
                .build();
    }

    static dev.crosschain.proto.liquidation.v1.Halt halt(Halt halt) {
        return dev.crosschain.proto.liquidation.v1.Halt.newBuilder().setUnderlying(halt.underlying()).setLevel(level(halt.level()))
                .setChangedBy(halt.changedBy()).setReason(halt.reason()).setChangedAtUnixMs(halt.changedAt().toEpochMilli()).build();
    }

    static dev.crosschain.proto.liquidation.v1.BreakerTrip breaker(BreakerTrip trip) {
        return dev.crosschain.proto.liquidation.v1.BreakerTrip.newBuilder().setUnderlying(trip.underlying())
                .setKind(trip.kind() == BreakerTrip.Kind.STALE ? BreakerKind.BREAKER_KIND_STALE : BreakerKind.BREAKER_KIND_MOVED)
                .setDetail(trip.detail()).build();
    }

    static AuctionCap cap(CapsInUse.Line line) {
        return AuctionCap.newBuilder().setScope(line.scope()).setCapUsd(Money.plain(line.capUsd()))
                .setInAuctionUsd(Money.plain(line.inAuctionUsd())).build();
    }

    static dev.crosschain.proto.liquidation.v1.HaltChange haltChange(HaltChange change) {
        return dev.crosschain.proto.liquidation.v1.HaltChange.newBuilder().setUnderlying(change.underlying())
                .setLevel(level(change.level())).setPreviousLevel(level(change.previousLevel()))
                .setChangedBy(change.changedBy()).setReason(change.reason())
                .setChangedAtUnixMs(change.changedAt().toEpochMilli()).build();
    }

    static dev.crosschain.proto.liquidation.v1.HaltLevel level(HaltLevel level) {
        return switch (level) {
            case NONE -> dev.crosschain.proto.liquidation.v1.HaltLevel.HALT_LEVEL_NONE;
            case NO_NEW_AUCTIONS -> dev.crosschain.proto.liquidation.v1.HaltLevel.HALT_LEVEL_NO_NEW_AUCTIONS;
            case NO_RESETS -> dev.crosschain.proto.liquidation.v1.HaltLevel.HALT_LEVEL_NO_RESETS;
            case NO_BIDS -> dev.crosschain.proto.liquidation.v1.HaltLevel.HALT_LEVEL_NO_BIDS;
        };
    }

    /** Wire -> domain; null for UNSPECIFIED or a value this release does not know. */
    static HaltLevel level(dev.crosschain.proto.liquidation.v1.HaltLevel level) {
        return switch (level) {
            case HALT_LEVEL_NONE -> HaltLevel.NONE;
            case HALT_LEVEL_NO_NEW_AUCTIONS -> HaltLevel.NO_NEW_AUCTIONS;
            case HALT_LEVEL_NO_RESETS -> HaltLevel.NO_RESETS;
            case HALT_LEVEL_NO_BIDS -> HaltLevel.NO_BIDS;
            default -> null;
        };
    }

    static dev.crosschain.proto.liquidation.v1.AuctionStatus status(AuctionStatus status) {
        return switch (status) {
            case OPENING -> dev.crosschain.proto.liquidation.v1.AuctionStatus.AUCTION_STATUS_OPENING;
            case OPEN -> dev.crosschain.proto.liquidation.v1.AuctionStatus.AUCTION_STATUS_OPEN;
            case CLOSED -> dev.crosschain.proto.liquidation.v1.AuctionStatus.AUCTION_STATUS_CLOSED;
        };
    }
}
