package dev.crosschain.liquidation.grpc;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.crosschain.proto.collateral.v1.Chain;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.AssetConfig;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralResponse;
import dev.crosschain.proto.collateral.v1.ChainConfig;
import dev.crosschain.proto.collateral.v1.HaircutTier;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.ListChainsResponse;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.collateral.v1.TransferResponse;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.GetAccountViewResponse;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.RiskEvent;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeRequest;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeResponse;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import dev.crosschain.proto.margin.v1.TransferPositionsResponse;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One loopback gRPC server standing in for margin-service, collateral-service and pricing-service: a WatchRisk the
 * test pushes events into, canned account views, recorded, idempotent freezes and transfers, and a WatchIndexPrices
 * the test pushes index updates into.
 */
final class FakeUpstream {

    /** Port the service under test calls (see %test.quarkus.grpc.clients.*.port). */
    static final int PORT = 19194;
    private static FakeUpstream instance;

    final Margin margin = new Margin();
    final Collateral collateral = new Collateral();
    final Pricing pricing = new Pricing();
    private final Server server;

    private FakeUpstream() {
        server = ServerBuilder.forPort(PORT).addService(margin).addService(pricing)
                .addService(io.grpc.ServerInterceptors.intercept(collateral, new TransferNeedsToken())).build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("fake upstream did not start on " + PORT, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    }

    static synchronized FakeUpstream get() {
        if (instance == null) {
            instance = new FakeUpstream();
        }
        return instance;
    }

    /** LEDGER: as OK, but a transfer that would overdraw {@link Collateral#ledger} is refused naming the leg, as collateral-service does. */
    enum Mode { OK, INSUFFICIENT_BALANCE, UNAVAILABLE, LEDGER }

    /**
     * As collateral-service: Transfer without liquidation-service's bearer token (%test.liquidation.collateral.token)
     * is UNAUTHENTICATED, so every test that settles proves the client sends it.
     */
    static final class TransferNeedsToken implements io.grpc.ServerInterceptor {
        private static final io.grpc.Metadata.Key<String> AUTHORIZATION =
                io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(io.grpc.ServerCall<ReqT, RespT> call,
                io.grpc.Metadata headers, io.grpc.ServerCallHandler<ReqT, RespT> next) {
            if (call.getMethodDescriptor().getBareMethodName().equals("Transfer")
                    && !"Bearer test-liquidation-token".equals(headers.get(AUTHORIZATION))) {
                call.close(Status.UNAUTHENTICATED.withDescription("MISSING_CREDENTIAL"), new io.grpc.Metadata());
                return new io.grpc.ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }

    static final class Margin extends MarginServiceGrpc.MarginServiceImplBase {
        final Map<String, AccountStatus> statuses = new LinkedHashMap<>();
        final List<StreamObserver<WatchRiskResponse>> watchers = new CopyOnWriteArrayList<>();
        final Map<String, AccountView> views = new ConcurrentHashMap<>();
        /** Accounts whose GetAccountView fails with this status (recorded in sequence); none: answered from views. */
        final Map<String, Status> viewFailures = new ConcurrentHashMap<>();
        final List<SetLiquidationFreezeRequest> freezes = new CopyOnWriteArrayList<>();
        /**
         * Accounts whose freeze asking return_view answers their view (frozen), as margin-service does; the others' is
         * answered without one, as margin-service does when its valuation fails (or before return_view).
         */
        final Set<String> viewsWithFreeze = ConcurrentHashMap.newKeySet();
        /** Every GetAccountView and SetLiquidationFreeze as it arrived: "view <account>", "freeze|unfreeze <account> <auction>". */
        final List<String> sequence = new CopyOnWriteArrayList<>();
        /** Accounts whose SetLiquidationFreeze(frozen) fails with this status (not recorded in freezes); none: answered. */
        final Map<String, com.google.rpc.Status> freezeFailures = new ConcurrentHashMap<>();
        /** Likewise for SetLiquidationFreeze(not frozen): the unfreezes. */
        final Map<String, com.google.rpc.Status> unfreezeFailures = new ConcurrentHashMap<>();
        final List<TransferPositionsRequest> transferCalls = new CopyOnWriteArrayList<>();
        final Map<String, TransferPositionsRequest> transfers = new ConcurrentHashMap<>();
        /** How long every GetAccountView takes to answer, ms (0: at once): lets tests see openings overlap. */
        final AtomicLong viewDelayMillis = new AtomicLong();
        /** GetAccountView calls being answered now, and the most there were at once, overall and for one account. */
        final AtomicInteger viewsInFlight = new AtomicInteger();
        final AtomicInteger mostViewsInFlight = new AtomicInteger();
        final Map<String, AtomicInteger> accountViewsInFlight = new ConcurrentHashMap<>();
        final AtomicInteger mostViewsInFlightForOneAccount = new AtomicInteger();

        @Override
        public void watchRisk(WatchRiskRequest request, StreamObserver<WatchRiskResponse> observer) {
            synchronized (this) {
                statuses.forEach((account, status) -> {
                    if (status != AccountStatus.ACCOUNT_STATUS_HEALTHY) {
                        observer.onNext(event(account, status));
                    }
                });
                watchers.add(observer);
            }
            ((ServerCallStreamObserver<WatchRiskResponse>) observer).setOnCancelHandler(() -> watchers.remove(observer));
        }

        synchronized void push(String account, AccountStatus status) {
            statuses.put(account, status);
            for (StreamObserver<WatchRiskResponse> w : watchers) {
                try {
                    w.onNext(event(account, status));
                } catch (RuntimeException e) {
                    watchers.remove(w);
                }
            }
        }

        /** Ends every WatchRisk stream with UNAVAILABLE, as a restart of margin-service would. */
        synchronized void dropWatchers() {
            for (StreamObserver<WatchRiskResponse> w : watchers) {
                try {
                    w.onError(Status.UNAVAILABLE.withDescription("margin restarting").asRuntimeException());
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            watchers.clear();
        }

        private static WatchRiskResponse event(String account, AccountStatus status) {
            return WatchRiskResponse.newBuilder().setEvent(RiskEvent.newBuilder().setAccountId(account).setStatus(status)
                    .setAtUnixMs(System.currentTimeMillis())).build();
        }

        @Override
        public void getAccountView(GetAccountViewRequest request, StreamObserver<GetAccountViewResponse> observer) {
            sequence.add("view " + request.getAccountId());
            AtomicInteger ofAccount = accountViewsInFlight.computeIfAbsent(request.getAccountId(),
                    a -> new AtomicInteger());
            mostViewsInFlight.accumulateAndGet(viewsInFlight.incrementAndGet(), Math::max);
            mostViewsInFlightForOneAccount.accumulateAndGet(ofAccount.incrementAndGet(), Math::max);
            try {
                long delay = viewDelayMillis.get();
                if (delay > 0) {
                    Thread.sleep(delay);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                viewsInFlight.decrementAndGet();
                ofAccount.decrementAndGet();
            }
            AccountView view = views.get(request.getAccountId());
            Status failure = viewFailures.get(request.getAccountId());
            if (failure != null) {
                observer.onError(failure.asRuntimeException());
                return;
            }
            if (view == null) {
                observer.onError(Status.NOT_FOUND.withDescription("no account " + request.getAccountId()).asRuntimeException());
                return;
            }
            observer.onNext(GetAccountViewResponse.newBuilder().setView(view).build());
            observer.onCompleted();
        }

        @Override
        public void setLiquidationFreeze(SetLiquidationFreezeRequest request, StreamObserver<SetLiquidationFreezeResponse> observer) {
            sequence.add((request.getFrozen() ? "freeze " : "unfreeze ") + request.getAccountId() + " " + request.getAuctionId());
            com.google.rpc.Status failure = (request.getFrozen() ? freezeFailures : unfreezeFailures).get(request.getAccountId());
            if (failure != null) {
                observer.onError(StatusProto.toStatusRuntimeException(failure));
                return;
            }
            freezes.add(request);
            SetLiquidationFreezeResponse.Builder answer = SetLiquidationFreezeResponse.newBuilder().setFrozen(request.getFrozen());
            AccountView view = views.get(request.getAccountId());
            if (request.getFrozen() && request.getReturnView() && viewsWithFreeze.contains(request.getAccountId()) && view != null) {
                answer.setView(view.toBuilder().setFrozen(true));
            }
            observer.onNext(answer.build());
            observer.onCompleted();
        }

        @Override
        public void transferPositions(TransferPositionsRequest request, StreamObserver<TransferPositionsResponse> observer) {
            transferCalls.add(request);
            TransferPositionsRequest before = transfers.putIfAbsent(request.getTransferId(), request);
            if (before != null && !before.equals(request)) {
                observer.onError(Status.ALREADY_EXISTS.withDescription("IDEMPOTENCY_CONFLICT").asRuntimeException());
                return;
            }
            observer.onNext(TransferPositionsResponse.newBuilder().setTransferId(request.getTransferId())
                    .setReplayed(before != null).build());
            observer.onCompleted();
        }

        List<SetLiquidationFreezeRequest> freezesOf(String account) {
            return freezes.stream().filter(f -> f.getAccountId().equals(account)).toList();
        }

        /** The calls about one account, in the order they arrived (see {@link #sequence}). */
        List<String> sequenceOf(String account) {
            return sequence.stream().filter(call -> call.split(" ")[1].equals(account)).toList();
        }
    }

    static final class Collateral extends CollateralServiceGrpc.CollateralServiceImplBase {
        /** Token decimals of the registry: ethereum and arbitrum, ETH 18 and USDC 6. */
        static final Map<String, Integer> DECIMALS = Map.of("ETH", 18, "USDC", 6);
        static final List<String> CHAINS = List.of("arbitrum", "ethereum");

        final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
        /** OK or UNAVAILABLE (ListChains only). */
        final AtomicReference<Mode> chainsMode = new AtomicReference<>(Mode.OK);
        final List<TransferRequest> calls = new CopyOnWriteArrayList<>();
        final Map<String, TransferRequest> applied = new ConcurrentHashMap<>();
        final List<ListChainsRequest> listChainsCalls = new CopyOnWriteArrayList<>();
        /** Chains added to the registry at run time (as an operator's UpsertChain): chain -> asset -> decimals. */
        final Map<String, Map<String, Integer>> added = new ConcurrentHashMap<>();
        /** Canonical assets of added tokens that are not their own symbol (a wrapped token): "chain/asset" -> canonical. */
        final Map<String, String> canonical = new ConcurrentHashMap<>();

        @Override
        public void listChains(ListChainsRequest request, StreamObserver<ListChainsResponse> observer) {
            listChainsCalls.add(request);
            if (chainsMode.get() == Mode.UNAVAILABLE) {
                observer.onError(Status.UNAVAILABLE.withDescription("collateral down").asRuntimeException());
                return;
            }
            ListChainsResponse.Builder response = ListChainsResponse.newBuilder();
            for (String chain : CHAINS) {
                ChainConfig.Builder c = ChainConfig.newBuilder().setChainId(chain).setConfirmations(1);
                DECIMALS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> c.addAssets(AssetConfig.newBuilder()
                        .setAsset(e.getKey()).setCanonicalAsset(e.getKey()).setDecimals(e.getValue())
                        .addImTiers(HaircutTier.newBuilder().setFromUsd("0").setHaircut("0.1"))
                        .addMmTiers(HaircutTier.newBuilder().setFromUsd("0").setHaircut("0.05"))));
                response.addChains(Chain.newBuilder().setChainId(chain).setConfig(c));
            }
            new TreeMap<>(added).forEach((chain, assets) -> {
                ChainConfig.Builder c = ChainConfig.newBuilder().setChainId(chain).setConfirmations(1);
                new TreeMap<>(assets).forEach((asset, decimals) -> c.addAssets(AssetConfig.newBuilder()
                        .setAsset(asset).setCanonicalAsset(canonical.getOrDefault(chain + "/" + asset, asset)).setDecimals(decimals)
                        .addImTiers(HaircutTier.newBuilder().setFromUsd("0").setHaircut("0.1"))
                        .addMmTiers(HaircutTier.newBuilder().setFromUsd("0").setHaircut("0.05"))));
                response.addChains(Chain.newBuilder().setChainId(chain).setConfig(c));
            });
            observer.onNext(response.build());
            observer.onCompleted();
        }

        /** As collateral-service: a positive amount with at most the token's decimals (tokens it lists). */
        private static boolean validAmount(TransferLeg leg) {
            BigDecimal amount;
            try {
                amount = new BigDecimal(leg.getAmount());
            } catch (NumberFormatException e) {
                return false;
            }
            Integer decimals = CHAINS.contains(leg.getChainId()) ? DECIMALS.get(leg.getAsset()) : null;
            return amount.signum() > 0 && (decimals == null || amount.stripTrailingZeros().scale() <= decimals);
        }

        @Override
        // synchronized: LEDGER's overdraft check and booking are one step, as collateral-service's transaction is
        public synchronized void transfer(TransferRequest request, StreamObserver<TransferResponse> observer) {
            calls.add(request);
            if (!request.getLegsList().stream().allMatch(Collateral::validAmount)) {
                observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                        .setCode(Code.INVALID_ARGUMENT.getNumber()).setMessage("amount refused")
                        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("INVALID_AMOUNT")
                                .setDomain("collateral.crosschain").build())).build()));
                return;
            }
            int overdrawn = mode.get() == Mode.LEDGER && !applied.containsKey(request.getTransferId()) ? overdrawnLeg(request) : -1;
            if (overdrawn >= 0) {
                TransferLeg leg = request.getLegs(overdrawn);
                String message = "account " + leg.getFromAccountId() + " has " + balance(leg.getFromAccountId(), leg.getChainId(),
                        leg.getAsset()).toPlainString() + " " + leg.getAsset() + ", leg " + overdrawn + " needs " + leg.getAmount();
                observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                        .setCode(Code.FAILED_PRECONDITION.getNumber()).setMessage(message)
                        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("INSUFFICIENT_BALANCE")
                                .setDomain("collateral.crosschain").build()))
                        .addDetails(Any.pack(com.google.rpc.PreconditionFailure.newBuilder().addViolations(
                                com.google.rpc.PreconditionFailure.Violation.newBuilder().setType("INSUFFICIENT_BALANCE")
                                        .setSubject("legs[" + overdrawn + "]").setDescription(message)).build())).build()));
                return;
            }
            switch (mode.get()) {
                case UNAVAILABLE -> observer.onError(Status.UNAVAILABLE.withDescription("collateral down").asRuntimeException());
                case INSUFFICIENT_BALANCE -> observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                        .setCode(Code.FAILED_PRECONDITION.getNumber()).setMessage("available balance too low")
                        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("INSUFFICIENT_BALANCE")
                                .setDomain("collateral.crosschain").build())).build()));
                default -> {
                    TransferRequest before = applied.putIfAbsent(request.getTransferId(), request);
                    if (before != null && !before.getLegsList().equals(request.getLegsList())) {
                        observer.onError(Status.ALREADY_EXISTS.withDescription("IDEMPOTENCY_CONFLICT").asRuntimeException());
                        return;
                    }
                    if (before == null) {
                        request.getLegsList().forEach(this::book);
                    }
                    observer.onNext(TransferResponse.newBuilder().setTransferId(request.getTransferId())
                            .setReplayed(before != null).setCommittedAtUnixMs(System.currentTimeMillis()).build());
                    observer.onCompleted();
                }
            }
        }

        /**
         * Balances as the applied transfers moved them, "account/chain/asset" -> token units (no overdraft check: the
         * other tests never seed them); what GetCollateral reports as available. Tests seed it with {@link #setBalance}.
         */
        final Map<String, BigDecimal> ledger = new ConcurrentHashMap<>();

        void setBalance(String account, String chain, String asset, String amount) {
            ledger.put(account + "/" + chain + "/" + asset, new BigDecimal(amount));
        }

        BigDecimal balance(String account, String chain, String asset) {
            return ledger.getOrDefault(account + "/" + chain + "/" + asset, BigDecimal.ZERO);
        }

        /** The first leg that would overdraw its account when the legs apply in order; -1 when none does. */
        private int overdrawnLeg(TransferRequest request) {
            Map<String, BigDecimal> after = new HashMap<>();
            for (int i = 0; i < request.getLegsCount(); i++) {
                TransferLeg leg = request.getLegs(i);
                BigDecimal amount = new BigDecimal(leg.getAmount());
                String from = leg.getFromAccountId() + "/" + leg.getChainId() + "/" + leg.getAsset();
                String to = leg.getToAccountId() + "/" + leg.getChainId() + "/" + leg.getAsset();
                BigDecimal left = after.getOrDefault(from, ledger.getOrDefault(from, BigDecimal.ZERO)).subtract(amount);
                if (left.signum() < 0) {
                    return i;
                }
                after.put(from, left);
                after.merge(to, ledger.getOrDefault(to, BigDecimal.ZERO).add(amount), (was, fresh) -> was.add(amount));
            }
            return -1;
        }

        private void book(TransferLeg leg) {
            BigDecimal amount = new BigDecimal(leg.getAmount());
            ledger.merge(leg.getFromAccountId() + "/" + leg.getChainId() + "/" + leg.getAsset(), amount.negate(), BigDecimal::add);
            ledger.merge(leg.getToAccountId() + "/" + leg.getChainId() + "/" + leg.getAsset(), amount, BigDecimal::add);
        }

        /** The account's ledger balances as available amounts, one chain entry per chain. */
        @Override
        public void getCollateral(GetCollateralRequest request, StreamObserver<GetCollateralResponse> observer) {
            String prefix = request.getAccountId() + "/";
            Map<String, ChainCollateral.Builder> chains = new TreeMap<>();
            new TreeMap<>(ledger).forEach((key, amount) -> {
                if (key.startsWith(prefix)) {
                    String[] parts = key.substring(prefix.length()).split("/");
                    chains.computeIfAbsent(parts[0], c -> ChainCollateral.newBuilder().setChainId(c))
                            .addAssets(AssetCollateral.newBuilder().setAsset(parts[1]).setAvailable(amount.toPlainString()));
                }
            });
            CollateralView.Builder view = CollateralView.newBuilder().setAccountId(request.getAccountId());
            chains.values().forEach(view::addChains);
            observer.onNext(GetCollateralResponse.newBuilder().setView(view).build());
            observer.onCompleted();
        }

        List<TransferRequest> callsOf(String transferId) {
            List<TransferRequest> result = new ArrayList<>();
            calls.stream().filter(c -> c.getTransferId().equals(transferId)).forEach(result::add);
            return result;
        }
    }

    /**
     * pricing-service's WatchIndexPrices: the indices pushed so far on subscribe, then every push; {@link #down} refuses
     * subscriptions UNAVAILABLE as an unreachable pricing-service would.
     */
    static final class Pricing extends PricingServiceGrpc.PricingServiceImplBase {
        final Map<String, IndexPrice> indices = new LinkedHashMap<>();
        final List<StreamObserver<WatchIndexPricesResponse>> watchers = new CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public void watchIndexPrices(WatchIndexPricesRequest request, StreamObserver<WatchIndexPricesResponse> observer) {
            if (down) {
                observer.onError(Status.UNAVAILABLE.withDescription("pricing down").asRuntimeException());
                return;
            }
            synchronized (this) {
                observer.onNext(WatchIndexPricesResponse.newBuilder().addAllIndices(indices.values()).build());
                watchers.add(observer);
            }
            ((ServerCallStreamObserver<WatchIndexPricesResponse>) observer).setOnCancelHandler(() -> watchers.remove(observer));
        }

        /** Sends one index update (a decimal price; stale as pricing-service would flag it) to every watcher. */
        synchronized void push(String asset, String price, boolean stale) {
            IndexPrice index = IndexPrice.newBuilder().setAsset(asset).setPrice(price).setStale(stale)
                    .setUpdatedAtUnixMs(System.currentTimeMillis()).build();
            indices.put(asset, index);
            for (StreamObserver<WatchIndexPricesResponse> w : watchers) {
                try {
                    w.onNext(WatchIndexPricesResponse.newBuilder().addIndices(index).build());
                } catch (RuntimeException e) {
                    watchers.remove(w);
                }
            }
        }

        /** Down: every stream ends UNAVAILABLE and new ones are refused until {@code down} is false again. */
        synchronized void goDown() {
            down = true;
            for (StreamObserver<WatchIndexPricesResponse> w : watchers) {
                try {
                    w.onError(Status.UNAVAILABLE.withDescription("pricing restarting").asRuntimeException());
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            watchers.clear();
        }
    }
}
