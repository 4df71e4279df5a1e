package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.AuctionEvents;
import dev.crosschain.liquidation.app.Bidding;
import dev.crosschain.liquidation.app.CapsInUse;
import dev.crosschain.liquidation.app.IndexBreakers;
import dev.crosschain.liquidation.app.OperatorHalts;
import dev.crosschain.liquidation.domain.Halt;
import dev.crosschain.liquidation.domain.HaltChange;
import dev.crosschain.liquidation.domain.HaltLevel;
import dev.crosschain.liquidation.app.FundedAcceptance;
import dev.crosschain.liquidation.domain.FundBooks;
import dev.crosschain.liquidation.domain.FundEvent;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.liquidation.domain.Auction;
import dev.crosschain.liquidation.domain.AuctionStatus;
import dev.crosschain.liquidation.domain.BidRequest;
import dev.crosschain.liquidation.domain.InvalidInputException;
import dev.crosschain.liquidation.domain.NotFoundException;
import dev.crosschain.liquidation.domain.Violation;
import dev.crosschain.liquidation.store.AuctionStore;
import dev.crosschain.proto.liquidation.v1.GetAuctionRequest;
import dev.crosschain.proto.liquidation.v1.GetAuctionResponse;
import dev.crosschain.proto.liquidation.v1.GetHaltsRequest;
import dev.crosschain.proto.liquidation.v1.GetHaltsResponse;
import dev.crosschain.proto.liquidation.v1.ListHaltChangesRequest;
import dev.crosschain.proto.liquidation.v1.ListHaltChangesResponse;
import dev.crosschain.proto.liquidation.v1.SetHaltRequest;
import dev.crosschain.proto.liquidation.v1.SetHaltResponse;
import dev.crosschain.proto.liquidation.v1.GetInsuranceFundRequest;
import dev.crosschain.proto.liquidation.v1.GetInsuranceFundResponse;
import dev.crosschain.proto.liquidation.v1.ListInsuranceFundEventsRequest;
import dev.crosschain.proto.liquidation.v1.ListInsuranceFundEventsResponse;
import dev.crosschain.proto.liquidation.v1.LiquidationService;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.ListAuctionsResponse;
import dev.crosschain.proto.liquidation.v1.PlaceBidRequest;
import dev.crosschain.proto.liquidation.v1.PlaceBidResponse;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsRequest;
import dev.crosschain.proto.liquidation.v1.WatchAuctionsResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** gRPC adapter: parses requests into the domain, answers from the use cases. */
@GrpcService
public class LiquidationGrpcService implements LiquidationService {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 500;
    private static final String TOKEN_PREFIX = "seq:";
    /** Halt changes page on their own seq: a ListAuctions token is refused here rather than read as one. */
    private static final String HALT_CHANGE_TOKEN_PREFIX = "halt-change:";

    private final AuctionStore store;
    private final Bidding bidding;
    private final AuctionEvents events;
    private final Clock clock;
    private final OperatorHalts halts;
    private final AdminToken admin;
    private final IndexBreakers breakers;
    private final CapsInUse caps;
    private final FundedAcceptance funds;

    public LiquidationGrpcService(AuctionStore store, Bidding bidding, AuctionEvents events, Clock clock, OperatorHalts halts,
                                  AdminToken admin, IndexBreakers breakers, FundedAcceptance funds, CapsInUse caps) {
        this.breakers = breakers;
        this.caps = caps;
        this.store = store;
        this.funds = funds;
        this.bidding = bidding;
        this.events = events;
        this.clock = clock;
        this.halts = halts;
        this.admin = admin;
    }

    @Override
    @Blocking
    public Uni<ListAuctionsResponse> listAuctions(ListAuctionsRequest request) {
        List<Violation> violations = new ArrayList<>();
        String reason = null;
        AuctionStatus status = null;
        switch (request.getStatus()) {
            case AUCTION_STATUS_UNSPECIFIED -> status = null;
            case AUCTION_STATUS_OPENING -> status = AuctionStatus.OPENING;
            case AUCTION_STATUS_OPEN -> status = AuctionStatus.OPEN;
            case AUCTION_STATUS_CLOSED -> status = AuctionStatus.CLOSED;
            default -> {
                violations.add(new Violation("status", "unknown status " + request.getStatusValue()));
                reason = "INVALID_STATUS";
            }
        }
        int size = request.getPageSize();
        Optional<Long> before = decodeToken(request.getPageToken());
        reason = checkPage(size, before, violations, reason);
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
        int limit = size == 0 ? DEFAULT_PAGE_SIZE : size;
        String account = request.getAccountId().isBlank() ? null : request.getAccountId().trim();
        List<Auction> page = store.list(status, account, before.get(), limit + 1);
        ListAuctionsResponse.Builder response = ListAuctionsResponse.newBuilder();
        var now = clock.instant();
        for (int i = 0; i < Math.min(limit, page.size()); i++) {
            response.addAuctions(ProtoMapper.auction(page.get(i), now, halts.covering(page.get(i).lot()), funds.penaltyRate()));
        }
        if (page.size() > limit) {
            response.setNextPageToken(encodeToken(page.get(limit - 1).seq()));
        }
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<GetAuctionResponse> getAuction(GetAuctionRequest request) {
        if (request.getAuctionId().isBlank()) {
            throw new InvalidInputException("MISSING_FIELD", "auction_id", "auction_id is required");
        }
        Auction auction = store.find(request.getAuctionId().trim())
                .orElseThrow(() -> new NotFoundException("UNKNOWN_AUCTION", "no auction " + request.getAuctionId()));
        return Uni.createFrom().item(GetAuctionResponse.newBuilder().setAuction(
                ProtoMapper.auction(auction, clock.instant(), halts.covering(auction.lot()), funds.penaltyRate())).build());
    }

    @Override
    public Multi<WatchAuctionsResponse> watchAuctions(WatchAuctionsRequest request) {
        return Multi.createFrom().deferred(() -> {
            // Listen before reading the snapshot so that no change falls between the two.
            UnicastProcessor<String> live = UnicastProcessor.create();
            Cancellable listening = events.changes().subscribe().with(live::onNext, live::onError, live::onComplete);
            Multi<String> snapshot = Multi.createFrom().deferred(() -> Multi.createFrom().iterable(store.openAuctionIds()))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            return Multi.createBy().concatenating().streams(snapshot, live)
                    .onItem().transformToUniAndConcatenate(id -> Uni.createFrom().item(() -> store.find(id))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                    .filter(Optional::isPresent)
                    .map(found -> WatchAuctionsResponse.newBuilder()
                            .setAuction(ProtoMapper.auction(found.get(), clock.instant(), halts.covering(found.get().lot()),
                                    funds.penaltyRate())).build())
                    .onTermination().invoke(listening::cancel);
        });
    }

    @Override
    @Blocking
    public Uni<PlaceBidResponse> placeBid(PlaceBidRequest request) {
        BidRequest bid = BidRequest.parse(request.getBidId(), request.getAuctionId(), request.getBidderAccountId(),
                request.getFraction(), request.getMaxLotPriceUsd(), request.getAuctionVersion());
        Bidding.Placed placed = bidding.place(bid);
        return Uni.createFrom().item(PlaceBidResponse.newBuilder().setBid(ProtoMapper.bid(placed.bid()))
                .setReplayed(placed.replayed()).build());
    }

    @Override
    @Blocking
    public Uni<SetHaltResponse> setHalt(SetHaltRequest request) {
        admin.require("SetHalt");
        // null (an unknown level) is reported by set with the other bad fields
        HaltLevel level = ProtoMapper.level(request.getLevel());
        Halt halt = halts.set(request.getUnderlying(), level, request.getChangedBy(), request.getReason());
        return Uni.createFrom().item(SetHaltResponse.newBuilder().setHalt(ProtoMapper.halt(halt)).build());
    }

    @Override
    @Blocking
    public Uni<GetHaltsResponse> getHalts(GetHaltsRequest request) {
        GetHaltsResponse.Builder response = GetHaltsResponse.newBuilder();
        halts.current().list().forEach(h -> response.addHalts(ProtoMapper.halt(h)));
        breakers.trips().forEach(t -> response.addBreakers(ProtoMapper.breaker(t)));
        caps.lines().forEach(c -> response.addCaps(ProtoMapper.cap(c)));
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<ListHaltChangesResponse> listHaltChanges(ListHaltChangesRequest request) {
        List<Violation> violations = new ArrayList<>();
        Optional<Long> before = decodeToken(HALT_CHANGE_TOKEN_PREFIX, request.getPageToken());
        String reason = checkPage(request.getPageSize(), before, violations, null);
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
        int limit = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
        List<HaltChange> page = halts.changes(before.get(), limit + 1);
        ListHaltChangesResponse.Builder response = ListHaltChangesResponse.newBuilder();
        page.stream().limit(limit).forEach(c -> response.addChanges(ProtoMapper.haltChange(c)));
        if (page.size() > limit) {
            response.setNextPageToken(encodeToken(HALT_CHANGE_TOKEN_PREFIX, page.get(limit - 1).seq()));
        }
        return Uni.createFrom().item(response.build());
    }

    @Override
    @Blocking
    public Uni<GetInsuranceFundResponse> getInsuranceFund(GetInsuranceFundRequest request) {
        FundBooks books = store.fundBooks();
        BigDecimal balance = funds.fundAvailable();
        return Uni.createFrom().item(GetInsuranceFundResponse.newBuilder()
                .setAccountId(funds.fundAccount())
                .setBalanceUsd(Money.plain(balance))
                .setOutstandingBadDebtUsd(Money.plain(books.outstandingBadDebtUsd()))
                .setPenaltiesUsd(Money.plain(books.penaltiesUsd()))
                .setPayoutsUsd(Money.plain(books.payoutsUsd()))
                .setBadDebtUsd(Money.plain(books.badDebtUsd()))
                .setRepaidUsd(Money.plain(books.repaidUsd()))
                .build());
    }

    @Override
    @Blocking
    public Uni<ListInsuranceFundEventsResponse> listInsuranceFundEvents(ListInsuranceFundEventsRequest request) {
        List<Violation> violations = new ArrayList<>();
        Optional<Long> before = decodeToken(request.getPageToken());
        String reason = checkPage(request.getPageSize(), before, violations, null);
        if (!violations.isEmpty()) {
            throw new InvalidInputException(reason, violations);
        }
        int limit = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
        List<FundEvent> page = store.fundEvents(before.get(), limit + 1);
        ListInsuranceFundEventsResponse.Builder response = ListInsuranceFundEventsResponse.newBuilder();
        page.stream().limit(limit).forEach(e -> response.addEvents(ProtoMapper.fundEvent(e)));
        if (page.size() > limit) {
            response.setNextPageToken(encodeToken(page.get(limit - 1).seq()));
        }
        return Uni.createFrom().item(response.build());
    }

    /** Adds the violations of a page request; the first reason (the given one if already set). */
    private static String checkPage(int size, Optional<Long> before, List<Violation> violations, String reason) {
        if (size < 0 || size > MAX_PAGE_SIZE) {
            violations.add(new Violation("page_size", "must be 0 (default " + DEFAULT_PAGE_SIZE + ") to " + MAX_PAGE_SIZE));
            reason = reason == null ? "INVALID_PAGE_SIZE" : reason;
        }
        if (before.isEmpty()) {
            violations.add(new Violation("page_token", "not a token from a previous next_page_token"));
            reason = reason == null ? "INVALID_PAGE_TOKEN" : reason;
        }
        return reason;
    }

    static String encodeToken(long seq) {
        return encodeToken(TOKEN_PREFIX, seq);
    }

    private static String encodeToken(String prefix, long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((prefix + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** The seq to continue below; Long.MAX_VALUE for the first page; empty when the token is not ours. */
    static Optional<Long> decodeToken(String token) {
        return decodeToken(TOKEN_PREFIX, token);
    }

    private static Optional<Long> decodeToken(String prefix, String token) {
        if (token == null || token.isEmpty()) {
            return Optional.of(Long.MAX_VALUE);
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!text.startsWith(prefix)) {
                return Optional.empty();
            }
            long seq = Long.parseLong(text.substring(prefix.length()));
            return seq > 0 ? Optional.of(seq) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
