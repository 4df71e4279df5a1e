package dev.crosschain.margin.grpc;

import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralResponse;
import dev.crosschain.proto.collateral.v1.HaircutBreakdown;
import dev.crosschain.proto.pricing.v1.GetMarksRequest;
import dev.crosschain.proto.pricing.v1.GetMarksResponse;
import dev.crosschain.proto.pricing.v1.Greeks;
import dev.crosschain.proto.pricing.v1.InstrumentKind;
import dev.crosschain.proto.pricing.v1.Mark;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.ScenarioValue;
import dev.crosschain.proto.pricing.v1.SpotShock;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One loopback gRPC server standing in for collateral-service and pricing-service, with settable
 * canned answers: collateral views by account (NOT_FOUND otherwise), marks by instrument, and RevalueBook
 * by a linear rule over those marks.
 */
final class FakeUpstream {

    /** Port the service under test calls (see %test.quarkus.grpc.clients.collateral/pricing.port). */
    static final int PORT = 19193;
    private static FakeUpstream instance;

    /** How a fake answers. SLOW answers after longer than the test deadline; LATE within it, after 600 ms. */
    enum Mode { OK, UNAVAILABLE, SLOW, LATE }

    final Collateral collateral = new Collateral();
    final Pricing pricing = new Pricing();
    final Internal internal = new Internal(collateral);
    private final Server server;

    private FakeUpstream(int port) {
        server = ServerBuilder.forPort(port).addService(collateral).addService(pricing)
                .addService(io.grpc.ServerInterceptors.intercept(internal, new Authorization())).build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("fake upstream did not start on " + port, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    }

    static synchronized FakeUpstream get() {
        if (instance == null) {
            instance = new FakeUpstream(PORT);
        }
        return instance;
    }

    /** One on {@code port} for a class under a @TestProfile: its own class loader cannot reach {@link #get}'s. */
    static FakeUpstream on(int port) {
        return new FakeUpstream(port);
    }

    void stop() {
        server.shutdownNow();
    }

    private static boolean failed(AtomicReference<Mode> mode, StreamObserver<?> observer) {
        switch (mode.get()) {
            case UNAVAILABLE:
                observer.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
                return true;
            case SLOW:
                LockSupport.parkNanos(1_500_000_000L); // the fake upstream is slower than the 1 s deadline
                return false;
            case LATE:
                LockSupport.parkNanos(600_000_000L);
                return false;
            default:
                return false;
        }
    }

    static final class Collateral extends CollateralServiceGrpc.CollateralServiceImplBase {
        final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
        final Map<String, CollateralView> views = new ConcurrentHashMap<>();

        /** GetCollateral calls (one account each) answered or failed, by account id: other classes' timer passes call too. */
        final Map<String, java.util.concurrent.atomic.AtomicInteger> singleCallsOf = new ConcurrentHashMap<>();

        @Override
        public void getCollateral(GetCollateralRequest request, StreamObserver<GetCollateralResponse> observer) {
            singleCallsOf.computeIfAbsent(request.getAccountId(), a -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            if (failed(mode, observer)) {
                return;
            }
            CollateralView view = views.get(request.getAccountId());
            if (view == null) {
                observer.onError(Status.NOT_FOUND.withDescription("UNKNOWN_ACCOUNT").asRuntimeException());
                return;
            }
            observer.onNext(GetCollateralResponse.newBuilder().setView(view.toBuilder().setAsOfUnixMs(System.currentTimeMillis())).build());
            observer.onCompleted();
        }

        /** GetCollaterals calls answered or failed, and how many account ids they named. */
        final java.util.concurrent.atomic.AtomicInteger batchCalls = new java.util.concurrent.atomic.AtomicInteger();
        /** When true GetCollaterals answers UNIMPLEMENTED, as a collateral-service released before it does. */
        final java.util.concurrent.atomic.AtomicBoolean batchUnimplemented = new java.util.concurrent.atomic.AtomicBoolean();

        /** Like collateral-service: the known accounts' views in request order, the others listed unknown. */
        @Override
        public void getCollaterals(dev.crosschain.proto.collateral.v1.GetCollateralsRequest request,
                                   StreamObserver<dev.crosschain.proto.collateral.v1.GetCollateralsResponse> observer) {
            batchCalls.incrementAndGet();
            if (batchUnimplemented.get()) {
                observer.onError(Status.UNIMPLEMENTED.withDescription("an older collateral-service").asRuntimeException());
                return;
            }
            if (failed(mode, observer)) {
                return;
            }
            dev.crosschain.proto.collateral.v1.GetCollateralsResponse.Builder response =
                    dev.crosschain.proto.collateral.v1.GetCollateralsResponse.newBuilder();
            long now = System.currentTimeMillis();
            for (String account : request.getAccountIdsList()) {
                CollateralView view = views.get(account);
                if (view == null) {
                    response.addUnknownAccountIds(account);
                } else {
                    response.addViews(view.toBuilder().setAsOfUnixMs(now));
                }
            }
            observer.onNext(response.build());
            observer.onCompleted();
        }

        /** The registry ListChains answers: chain id -> its assets. */
        static final Map<String, java.util.List<String>> REGISTRY = new java.util.TreeMap<>(Map.of(
                "arbitrum", java.util.List.of("ETH", "USDC"), "ethereum", java.util.List.of("ETH", "USDC"),
                "solana", java.util.List.of("SOL", "USDC")));
        final java.util.concurrent.atomic.AtomicInteger listChainsCalls = new java.util.concurrent.atomic.AtomicInteger();
        /** When true every page names page 1 as the next one: a registry whose paging never ends. */
        final java.util.concurrent.atomic.AtomicBoolean loopingPages = new java.util.concurrent.atomic.AtomicBoolean();

        /** The registry, one chain per page (so a caller must follow next_page_token). */
        @Override
        public void listChains(dev.crosschain.proto.collateral.v1.ListChainsRequest request,
                               StreamObserver<dev.crosschain.proto.collateral.v1.ListChainsResponse> observer) {
            listChainsCalls.incrementAndGet();
            if (failed(mode, observer)) {
                return;
            }
            java.util.List<String> ids = new java.util.ArrayList<>(REGISTRY.keySet());
            int at = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
            dev.crosschain.proto.collateral.v1.ChainConfig.Builder config = dev.crosschain.proto.collateral.v1.ChainConfig.newBuilder()
                    .setChainId(ids.get(at));
            REGISTRY.get(ids.get(at)).forEach(a -> config.addAssets(dev.crosschain.proto.collateral.v1.AssetConfig.newBuilder()
                    .setAsset(a).setCanonicalAsset(a)));
            observer.onNext(dev.crosschain.proto.collateral.v1.ListChainsResponse.newBuilder()
                    .addChains(dev.crosschain.proto.collateral.v1.Chain.newBuilder().setChainId(ids.get(at)).setConfig(config))
                    .setNextPageToken(loopingPages.get() ? "1" : at + 1 < ids.size() ? String.valueOf(at + 1) : "").build());
            observer.onCompleted();
        }

        private final Map<String, Object[][]> lines = new ConcurrentHashMap<>();
        private final Map<String, Boolean> staleness = new ConcurrentHashMap<>();

        /** Takes {@code amount} off the available of a line (a lock made at the fake collateral-service). */
        synchronized void debit(String account, String chain, String asset, BigDecimal amount) {
            Object[][] current = lines.get(account);
            if (current == null) {
                return;
            }
            Object[][] next = new Object[current.length][];
            for (int i = 0; i < current.length; i++) {
                next[i] = current[i].clone();
                if (next[i][0].equals(chain) && next[i][1].equals(asset)) {
                    next[i][2] = new BigDecimal((String) next[i][2]).subtract(amount).toPlainString();
                }
            }
            set(account, staleness.get(account), next);
        }

        /** One line per (chain, asset, available, price, haircut IM, haircut MM); the asset is its own canonical asset. */
        synchronized void set(String account, boolean stale, Object[]... lines) {
            this.lines.put(account, lines);
            this.staleness.put(account, stale);
            CollateralView.Builder view = CollateralView.newBuilder().setAccountId(account).setPriceStale(stale);
            BigDecimal mv = BigDecimal.ZERO;
            BigDecimal im = BigDecimal.ZERO;
            BigDecimal mm = BigDecimal.ZERO;
            for (Object[] l : lines) {
                BigDecimal amount = new BigDecimal((String) l[2]);
                BigDecimal price = new BigDecimal((String) l[3]);
                BigDecimal lineMv = amount.multiply(price);
                BigDecimal lineIm = lineMv.multiply(BigDecimal.ONE.subtract(new BigDecimal((String) l[4])));
                BigDecimal lineMm = lineMv.multiply(BigDecimal.ONE.subtract(new BigDecimal((String) l[5])));
                view.addChains(ChainCollateral.newBuilder().setChainId((String) l[0]).addAssets(AssetCollateral.newBuilder()
                        .setAsset((String) l[1]).setCanonicalAsset((String) l[1]).setAvailable(amount.toPlainString())
                        .setLocked("0").setPending("0").setPriceUsd(price.toPlainString()).setPriceStale(stale)
                        .setMarketValueUsd(lineMv.toPlainString()).setValueImUsd(lineIm.toPlainString())
                        .setValueMmUsd(lineMm.toPlainString()).setCountedUsd(lineMv.toPlainString())
                        .setHaircutIm(HaircutBreakdown.newBuilder().setTotal((String) l[4]))
                        .setHaircutMm(HaircutBreakdown.newBuilder().setTotal((String) l[5]))));
                mv = mv.add(lineMv);
                im = im.add(lineIm);
                mm = mm.add(lineMm);
            }
            views.put(account, view.setMarketValueUsd(mv.toPlainString()).setValueImUsd(im.toPlainString())
                    .setValueMmUsd(mm.toPlainString()).build());
        }
    }

    /** Puts the call's "authorization" header into the context, for the internal service to check. */
    static final class Authorization implements io.grpc.ServerInterceptor {
        static final io.grpc.Context.Key<String> HEADER = io.grpc.Context.key("fake-authorization");
        private static final io.grpc.Metadata.Key<String> KEY = io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(io.grpc.ServerCall<ReqT, RespT> call,
                io.grpc.Metadata headers, io.grpc.ServerCallHandler<ReqT, RespT> next) {
            String header = headers.get(KEY);
            return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(HEADER, header == null ? "" : header),
                    call, headers, next);
        }
    }

    /**
     * collateral-service's LockWithdrawal and GetWithdrawal: idempotent by id like the real one, with
     * margin-service's test token required. {@code refusal} (when set) answers every lock instead;
     * mode LOST locks and then answers UNAVAILABLE (the answer lost on the way back). A new lock takes
     * its amount off the account's available collateral view, as the real service does, and like it
     * is refused LOCK_EXPIRED when its not_after has passed by the fake's clock (a replay is answered
     * first). Every lock call's not_after and every GetWithdrawal's arrival are recorded by id.
     */
    static final class Internal extends dev.crosschain.proto.collateral.v1.CollateralInternalServiceGrpc.CollateralInternalServiceImplBase {
        static final String TOKEN = "Bearer test-margin-token";

        /**
         * DELAYED locks after half a second (within the test deadline of 1 s). LATE answers UNAVAILABLE at
         * once and locks, dated not_after, inside the first GetWithdrawal of the id that arrives
         * {@link #lateMs} or more after the request's not_after (then answers it): a collateral-service whose
         * clock lags margin's by that much, that worked on the request while its answer was lost.
         */
        enum Lock { OK, UNAVAILABLE, LOST, DELAYED, LATE }

        final AtomicReference<Lock> mode = new AtomicReference<>(Lock.OK);
        final AtomicReference<io.grpc.StatusRuntimeException> refusal = new AtomicReference<>();
        final Map<String, dev.crosschain.proto.collateral.v1.Withdrawal> locks = new ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger lockCalls = new java.util.concurrent.atomic.AtomicInteger();
        /** When true GetWithdrawal answers UNAVAILABLE: whether a lock happened cannot be learnt. */
        final java.util.concurrent.atomic.AtomicBoolean getDown = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.atomic.AtomicInteger getCalls = new java.util.concurrent.atomic.AtomicInteger();
        /** GetWithdrawals still to answer NOT_FOUND although locked: a lock landing just after they were asked. */
        final java.util.concurrent.atomic.AtomicInteger hideNext = new java.util.concurrent.atomic.AtomicInteger();
        /** Lock calls still to answer UNAVAILABLE before anything else (a retried attempt's lost first try). */
        final java.util.concurrent.atomic.AtomicInteger unavailableNext = new java.util.concurrent.atomic.AtomicInteger();
        /**
         * Lock calls still to answer UNAVAILABLE while the lock stays queued at the fake: it lands (dated its
         * not_after) at the GetWithdrawal of its id that comes after {@link #queuedMisses} more NOT_FOUNDs.
         */
        final java.util.concurrent.atomic.AtomicInteger queueNext = new java.util.concurrent.atomic.AtomicInteger();
        /** When true a lock call answers UNAVAILABLE 5 ms before its not_after, having locked nothing. */
        final java.util.concurrent.atomic.AtomicBoolean unavailableAtNotAfter = new java.util.concurrent.atomic.AtomicBoolean();
        /** How many GetWithdrawals of a queued lock's id answer NOT_FOUND before it lands. */
        final java.util.concurrent.atomic.AtomicInteger queuedMisses = new java.util.concurrent.atomic.AtomicInteger();
        /**
         * Whether answers carry not_after_enforced (on responses, and in the ErrorInfo metadata of GetWithdrawal's
         * NOT_FOUND) as collateral-service does; false: an older release that ignores not_after.
         */
        final java.util.concurrent.atomic.AtomicBoolean notAfterEnforced = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final Map<String, dev.crosschain.proto.collateral.v1.LockWithdrawalRequest> queued = new ConcurrentHashMap<>();
        private final Map<String, java.util.concurrent.atomic.AtomicInteger> missesLeft = new ConcurrentHashMap<>();
        /** How far the fake's clock runs ahead of the test's (negative: behind), for the not_after check. */
        final java.util.concurrent.atomic.AtomicLong clockOffsetMs = new java.util.concurrent.atomic.AtomicLong();
        /** How long after its not_after a LATE lock lands. */
        final java.util.concurrent.atomic.AtomicLong lateMs = new java.util.concurrent.atomic.AtomicLong();
        /** The not_after_unix_ms of every lock call, by withdrawal id, in arrival order. */
        final Map<String, java.util.List<Long>> notAfters = new ConcurrentHashMap<>();
        /** When (test clock, Unix ms) each GetWithdrawal arrived, by withdrawal id. */
        final Map<String, java.util.List<Long>> getsAt = new ConcurrentHashMap<>();
        /**
         * Slow NOT_FOUND answers, by id: a GetWithdrawal that finds nothing is answered only once the wall clock
         * reaches the instant (Unix ms): a reply read early and delivered late.
         */
        final Map<String, Long> slowNotFoundUntil = new ConcurrentHashMap<>();
        /** LATE locks not landed yet, by id: each lands inside the first GetWithdrawal at or after its not_after + lateMs. */
        private final Map<String, dev.crosschain.proto.collateral.v1.LockWithdrawalRequest> lateLocks = new ConcurrentHashMap<>();
        private final Collateral collateral;

        Internal(Collateral collateral) {
            this.collateral = collateral;
        }

        /** When true every token is refused, as with a margin-service deployed with the wrong one. */
        static final java.util.concurrent.atomic.AtomicBoolean rejectToken = new java.util.concurrent.atomic.AtomicBoolean();

        private static boolean unauthorized(StreamObserver<?> observer) {
            if (rejectToken.get() || !TOKEN.equals(Authorization.HEADER.get())) {
                observer.onError(Status.UNAUTHENTICATED.withDescription("MISSING_CREDENTIAL").asRuntimeException());
                return true;
            }
            return false;
        }

        @Override
        public void lockWithdrawal(dev.crosschain.proto.collateral.v1.LockWithdrawalRequest r,
                                   StreamObserver<dev.crosschain.proto.collateral.v1.LockWithdrawalResponse> observer) {
            lockCalls.incrementAndGet();
            notAfters.computeIfAbsent(r.getWithdrawalId(), id -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(r.getNotAfterUnixMs());
            if (unauthorized(observer)) {
                return;
            }
            if (mode.get() == Lock.UNAVAILABLE || unavailableNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                observer.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
                return;
            }
            if (unavailableAtNotAfter.get() && r.getNotAfterUnixMs() > 0) {
                while (System.currentTimeMillis() < r.getNotAfterUnixMs() - 5) {
                    LockSupport.parkUntil(r.getNotAfterUnixMs() - 5);
                }
                observer.onError(Status.UNAVAILABLE.withDescription("down, just before not_after").asRuntimeException());
                return;
            }
            if (queueNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                missesLeft.put(r.getWithdrawalId(), new java.util.concurrent.atomic.AtomicInteger(queuedMisses.get()));
                queued.put(r.getWithdrawalId(), r);
                observer.onError(Status.UNAVAILABLE.withDescription("answer lost, lock still queued").asRuntimeException());
                return;
            }
            if (refusal.get() != null) {
                observer.onError(refusal.get());
                return;
            }
            if (mode.get() == Lock.LATE) {
                lateLocks.put(r.getWithdrawalId(), r);
                observer.onError(Status.UNAVAILABLE.withDescription("answer lost, lock still queued").asRuntimeException());
                return;
            }
            if (mode.get() == Lock.DELAYED) {
                LockSupport.parkNanos(500_000_000L); // a slow lock, so that a test can act while it is in flight
            }
            long now = System.currentTimeMillis() + clockOffsetMs.get();
            if (!locks.containsKey(r.getWithdrawalId()) && r.getNotAfterUnixMs() > 0 && now > r.getNotAfterUnixMs()) {
                observer.onError(refusal(com.google.rpc.Code.FAILED_PRECONDITION, "LOCK_EXPIRED", null));
                return;
            }
            boolean replayed = !lock(r, now);
            dev.crosschain.proto.collateral.v1.Withdrawal w = locks.get(r.getWithdrawalId());
            if (mode.get() == Lock.LOST) {
                observer.onError(Status.UNAVAILABLE.withDescription("answer lost").asRuntimeException());
                return;
            }
            observer.onNext(dev.crosschain.proto.collateral.v1.LockWithdrawalResponse.newBuilder().setWithdrawal(w)
                    .setReplayed(replayed).setNotAfterEnforced(notAfterEnforced.get()).build());
            observer.onCompleted();
        }

        /** Locks the id, dated {@code lockedAtMs}, unless it is locked already; true when this call locked it. */
        private boolean lock(dev.crosschain.proto.collateral.v1.LockWithdrawalRequest r, long lockedAtMs) {
            boolean[] found = {true};
            locks.computeIfAbsent(r.getWithdrawalId(), id -> {
                found[0] = false;
                return dev.crosschain.proto.collateral.v1.Withdrawal.newBuilder().setWithdrawalId(id).setAccountId(r.getAccountId())
                        .setChainId(r.getChainId()).setAsset(r.getAsset()).setAmount(r.getAmount())
                        .setDestinationAddress(r.getDestinationAddress())
                        .setStatus(dev.crosschain.proto.collateral.v1.WithdrawalStatus.WITHDRAWAL_STATUS_LOCKED)
                        .setLockedAtUnixMs(lockedAtMs).build();
            });
            if (!found[0]) {
                collateral.debit(r.getAccountId(), r.getChainId(), r.getAsset(), new BigDecimal(r.getAmount())); // no longer available
            }
            return !found[0];
        }

        @Override
        public void getWithdrawal(dev.crosschain.proto.collateral.v1.GetWithdrawalRequest r,
                                  StreamObserver<dev.crosschain.proto.collateral.v1.GetWithdrawalResponse> observer) {
            getCalls.incrementAndGet();
            getsAt.computeIfAbsent(r.getWithdrawalId(), id -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
            if (unauthorized(observer)) {
                return;
            }
            if (getDown.get()) {
                observer.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
                return;
            }
            dev.crosschain.proto.collateral.v1.LockWithdrawalRequest late = lateLocks.get(r.getWithdrawalId());
            if (late != null && System.currentTimeMillis() >= late.getNotAfterUnixMs() + lateMs.get()) {
                lateLocks.remove(r.getWithdrawalId());
                lock(late, late.getNotAfterUnixMs()); // lands now, deterministically before this answer
            }
            dev.crosschain.proto.collateral.v1.LockWithdrawalRequest waiting = queued.get(r.getWithdrawalId());
            if (waiting != null && missesLeft.get(r.getWithdrawalId()).getAndDecrement() <= 0) {
                queued.remove(r.getWithdrawalId());
                lock(waiting, waiting.getNotAfterUnixMs()); // the queued lock commits now, in time by its not_after
            }
            dev.crosschain.proto.collateral.v1.Withdrawal w = locks.get(r.getWithdrawalId());
            if (w != null && hideNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                w = null;
            }
            if (w == null) {
                Long until = slowNotFoundUntil.get(r.getWithdrawalId());
                long wait = until == null ? 0 : until - System.currentTimeMillis();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait); // the slow reply itself: latency on the way back, no condition to await
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                com.google.rpc.ErrorInfo.Builder info = com.google.rpc.ErrorInfo.newBuilder().setReason("UNKNOWN_WITHDRAWAL")
                        .setDomain("collateral.crosschain");
                if (notAfterEnforced.get()) {
                    info.putMetadata("not_after_enforced", "true");
                }
                observer.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                        .setCode(com.google.rpc.Code.NOT_FOUND.getNumber()).setMessage("UNKNOWN_WITHDRAWAL")
                        .addDetails(com.google.protobuf.Any.pack(info.build())).build()));
                return;
            }
            observer.onNext(dev.crosschain.proto.collateral.v1.GetWithdrawalResponse.newBuilder().setWithdrawal(w)
                    .setNotAfterEnforced(notAfterEnforced.get()).build());
            observer.onCompleted();
        }

        /** A refusal the way collateral-service sends one: the code, an ErrorInfo and, for bad input, a BadRequest. */
        static io.grpc.StatusRuntimeException refusal(com.google.rpc.Code code, String reason, String field) {
            com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(reason)
                    .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder().setReason(reason)
                            .setDomain("collateral.crosschain").build()));
            if (field != null) {
                status.addDetails(com.google.protobuf.Any.pack(com.google.rpc.BadRequest.newBuilder().addFieldViolations(
                        com.google.rpc.BadRequest.FieldViolation.newBuilder().setField(field).setDescription(reason)).build()));
            }
            return io.grpc.protobuf.StatusProto.toStatusRuntimeException(status.build());
        }
    }

    static final class Pricing extends PricingServiceGrpc.PricingServiceImplBase {
        final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
        final Map<String, Mark> marks = new ConcurrentHashMap<>();
        /** WatchIndexPrices calls so far; the open ones get {@link #pushIndex} until {@link #failIndexWatchers}. */
        final java.util.concurrent.atomic.AtomicInteger indexWatches = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.List<StreamObserver<dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse>> indexWatchers =
                new java.util.concurrent.CopyOnWriteArrayList<>();

        /** Like pricing-service: every index now (none here) at once, then each move. */
        @Override
        public void watchIndexPrices(dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest request,
                                     StreamObserver<dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse> observer) {
            observer.onNext(dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse.getDefaultInstance());
            indexWatchers.add(observer);
            indexWatches.incrementAndGet();
        }

        void pushIndex(String asset, String price) {
            dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse move = dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse
                    .newBuilder().addIndices(dev.crosschain.proto.pricing.v1.IndexPrice.newBuilder().setAsset(asset)
                            .setPrice(price).setUpdatedAtUnixMs(System.currentTimeMillis())).build();
            indexWatchers.forEach(o -> o.onNext(move));
        }

        void failIndexWatchers(Status status) {
            java.util.List<StreamObserver<dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse>> open = java.util.List.copyOf(indexWatchers);
            indexWatchers.removeAll(open);
            open.forEach(o -> o.onError(status.asRuntimeException()));
        }

        @Override
        public void getMarks(GetMarksRequest request, StreamObserver<GetMarksResponse> observer) {
            if (failed(mode, observer)) {
                return;
            }
            GetMarksResponse.Builder response = GetMarksResponse.newBuilder();
            com.google.rpc.BadRequest.Builder unknown = com.google.rpc.BadRequest.newBuilder();
            for (int i = 0; i < request.getInstrumentsCount(); i++) {
                Mark mark = marks.get(request.getInstruments(i));
                if (mark == null) {
                    unknown.addFieldViolations(com.google.rpc.BadRequest.FieldViolation.newBuilder().setField("instruments[" + i + "]")
                            .setDescription("no mark of " + request.getInstruments(i)));
                    continue;
                }
                response.addMarks(mark.toBuilder().setAsOfUnixMs(System.currentTimeMillis() - 250));
            }
            if (unknown.getFieldViolationsCount() > 0) {
                // as pricing-service names them: one field violation per instrument it cannot mark
                observer.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                        .setCode(Status.Code.INVALID_ARGUMENT.value()).setMessage("UNKNOWN_INSTRUMENT")
                        .addDetails(com.google.protobuf.Any.pack(unknown.build())).build()));
                return;
            }
            observer.onNext(response.build());
            observer.onCompleted();
        }

        /** How RevalueBook answers, apart from GetMarks. */
        final AtomicReference<Mode> revalueMode = new AtomicReference<>(Mode.OK);
        final java.util.concurrent.atomic.AtomicInteger revalueCalls = new java.util.concurrent.atomic.AtomicInteger();
        /** RevalueBook calls per instrument they held (the re-margin loop's calls for other tests' accounts are apart). */
        final Map<String, java.util.concurrent.atomic.AtomicInteger> revalueCallsOf = new ConcurrentHashMap<>();

        /**
         * RevalueBook by a stated linear rule, per position: P&L = quantity x index x the scenario's relative
         * move of the position's underlying (0 when not shocked); vol and skew shifts change nothing. Only
         * perpetuals and futures with a mark set here; anything else is INVALID_ARGUMENT UNKNOWN_INSTRUMENT.
         */
        @Override
        public void revalueBook(RevalueBookRequest request, StreamObserver<RevalueBookResponse> observer) {
            revalueCalls.incrementAndGet();
            request.getPositionsList().stream().map(BookPosition::getInstrument).distinct().forEach(i ->
                    revalueCallsOf.computeIfAbsent(i, x -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet());
            if (failed(revalueMode, observer)) {
                return;
            }
            RevalueBookResponse.Builder response = RevalueBookResponse.newBuilder();
            double[] exposure = new double[request.getPositionsCount()];
            String[] underlying = new String[exposure.length];
            for (int p = 0; p < exposure.length; p++) {
                BookPosition position = request.getPositions(p);
                Mark mark = marks.get(position.getInstrument());
                if (mark == null || mark.getKind() == InstrumentKind.INSTRUMENT_KIND_OPTION) {
                    observer.onError(Status.INVALID_ARGUMENT.withDescription("UNKNOWN_INSTRUMENT " + position.getInstrument())
                            .asRuntimeException());
                    return;
                }
                exposure[p] = new BigDecimal(position.getQuantity()).doubleValue() * new BigDecimal(mark.getIndexPrice()).doubleValue();
                underlying[p] = mark.getUnderlying();
                response.addPositionBaseValuesUsd(exposure[p]);
                response.setBaseValueUsd(response.getBaseValueUsd() + exposure[p]);
            }
            for (dev.crosschain.proto.pricing.v1.Scenario scenario : request.getScenariosList()) {
                ScenarioValue.Builder value = ScenarioValue.newBuilder().setScenarioId(scenario.getScenarioId());
                double total = 0;
                for (int p = 0; p < exposure.length; p++) {
                    double move = 0;
                    for (SpotShock shock : scenario.getSpotShocksList()) {
                        if (shock.getUnderlying().equals(underlying[p])) {
                            move = shock.getRelativeMove();
                        }
                    }
                    double pnl = exposure[p] * move;
                    total += pnl;
                    if (request.getPerPosition()) {
                        value.addPositionPnlUsd(pnl);
                    }
                }
                response.addValues(value.setPnlUsd(total).setValueUsd(response.getBaseValueUsd() + total));
            }
            observer.onNext(response.build());
            observer.onCompleted();
        }

        void linear(String instrument, String price, boolean stale) {
            String underlying = instrument.substring(0, instrument.indexOf('-'));
            marks.put(instrument, Mark.newBuilder().setInstrument(instrument).setUnderlying(underlying)
                    .setKind(instrument.endsWith("PERPETUAL") ? InstrumentKind.INSTRUMENT_KIND_PERPETUAL : InstrumentKind.INSTRUMENT_KIND_FUTURE)
                    .setMarkPrice(price).setIndexPrice(price).setStale(stale).build());
        }

        void option(String instrument, String price, String index, double delta) {
            String underlying = instrument.substring(0, instrument.indexOf('-'));
            marks.put(instrument, Mark.newBuilder().setInstrument(instrument).setUnderlying(underlying)
                    .setKind(InstrumentKind.INSTRUMENT_KIND_OPTION).setMarkPrice(price).setIndexPrice(index)
                    .setGreeks(Greeks.newBuilder().setDelta(delta)).setImpliedVol(0.75).build());
        }
    }
}
