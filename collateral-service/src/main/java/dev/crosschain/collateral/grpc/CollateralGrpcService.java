package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.AdapterEvents;
import dev.crosschain.collateral.app.Callers;
import dev.crosschain.collateral.app.Collateral;
import dev.crosschain.collateral.app.LedgerChanges;
import dev.crosschain.collateral.app.Registry;
import dev.crosschain.collateral.app.ChainHealth;
import dev.crosschain.collateral.domain.BlockHeaderEvent;
import dev.crosschain.collateral.domain.ChainCondition;
import dev.crosschain.collateral.domain.ChainHealthRules;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.DepositEvent;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.Right;
import dev.crosschain.collateral.domain.TransferOrder;
import dev.crosschain.collateral.store.ChainLeases;
import dev.crosschain.collateral.store.ChainStore;
import dev.crosschain.collateral.store.TransferStore;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.CollateralService;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralResponse;
import dev.crosschain.proto.collateral.v1.GetCollateralsRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralsResponse;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.ListChainsResponse;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.collateral.v1.TransferResponse;
import dev.crosschain.proto.collateral.v1.WatchCollateralRequest;
import dev.crosschain.proto.collateral.v1.WatchCollateralResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** gRPC adapter: maps proto <-> domain and calls one use case per RPC. */
@GrpcService
public class CollateralGrpcService implements CollateralService {

    private final AdapterEvents adapterEvents;
    private final Collateral collateral;
    private final LedgerChanges changes;
    private final Registry registry;
    private final ChainStore chains;
    private final ChainHealth health;
    private final Callers callers;
    private final WithdrawalInstructions instructions;

    public CollateralGrpcService(AdapterEvents adapterEvents, Collateral collateral, LedgerChanges changes,
                                 Registry registry, ChainStore chains, Callers callers, WithdrawalInstructions instructions,
                                 ChainHealth health) {
        this.health = health;
        this.adapterEvents = adapterEvents;
        this.collateral = collateral;
        this.changes = changes;
        this.registry = registry;
        this.chains = chains;
        this.callers = callers;
        this.instructions = instructions;
    }

    @Override
    public Multi<ConnectAdapterResponse> connectAdapter(Multi<ConnectAdapterRequest> requests) {
        AdapterSession session = new AdapterSession();
        // The events queued on the stream go together in one transaction, on a worker thread: acks leave in
        // request order, each after its batch's commit.
        return instructions.mergedInto(session.releasingLease(AdapterPump.answers(requests, session::handle)), session::lease);
    }

    @Override
    @Blocking
    public Uni<GetCollateralResponse> getCollateral(GetCollateralRequest request) {
        return Uni.createFrom().item(GetCollateralResponse.newBuilder()
                .setView(ProtoMapper.view(collateral.view(request.getAccountId()))).build());
    }

    @Override
    @Blocking
    public Uni<GetCollateralsResponse> getCollaterals(GetCollateralsRequest request) {
        Collateral.Views views = collateral.views(request.getAccountIdsList());
        GetCollateralsResponse.Builder response = GetCollateralsResponse.newBuilder().addAllUnknownAccountIds(views.unknown());
        views.views().forEach(v -> response.addViews(ProtoMapper.view(v)));
        return Uni.createFrom().item(response.build());
    }

    /**
     * The current view of the account (of every account when none is named), then the newest view of each account
     * whose ledger or valuation changes. Conflated per account ({@link ConflatedViews}): what waits for a slow reader
     * is the set of changed accounts, never a backlog of notices, so a price move that re-publishes every account
     * costs a stalled reader its intermediate views, never the newest, and never fails the stream.
     */
    @Override
    public Multi<WatchCollateralResponse> watchCollateral(WatchCollateralRequest request) {
        String account = request.getAccountId();
        Function<String, WatchCollateralResponse> view = changed -> WatchCollateralResponse.newBuilder()
                .setView(ProtoMapper.view(collateral.watchedView(changed))).build();
        if (account.isBlank()) {
            return ConflatedViews.open(changes.changes(), changed -> true, collateral::accounts, view, false);
        }
        return ConflatedViews.open(changes.changes(), account::equals, () -> List.of(account), view, true);
    }

    @Override
    @Blocking
    public Uni<TransferResponse> transfer(TransferRequest request) {
        callers.require(BearerToken.current(), Right.TRANSFER, "Transfer");
        List<TransferOrder.RawLeg> legs = request.getLegsList().stream()
                .map(l -> new TransferOrder.RawLeg(l.getFromAccountId(), l.getToAccountId(), l.getChainId(), l.getAsset(), l.getAmount()))
                .toList();
        TransferStore.Committed committed = collateral.transfer(request.getTransferId(), legs, request.getMemo());
        return Uni.createFrom().item(TransferResponse.newBuilder()
                .setTransferId(committed.transferId())
                .setReplayed(committed.replayed())
                .setCommittedAtUnixMs(committed.committedAt().toEpochMilli()).build());
    }

    @Override
    @Blocking
    public Uni<ListChainsResponse> listChains(ListChainsRequest request) {
        List<ChainSpec> all = new ArrayList<>(registry.current().chains());
        int offset = 0;
        if (!request.getPageToken().isEmpty()) {
            try {
                offset = Integer.parseInt(request.getPageToken());
            } catch (NumberFormatException e) {
                offset = -1;
            }
            if (offset < 0 || offset > all.size()) {
                throw new InvalidInputException("INVALID_PAGE_TOKEN", "page_token", "not a token from a previous page: " + request.getPageToken());
            }
        }
        if (request.getPageSize() < 0) {
            throw new InvalidInputException("INVALID_PAGE_SIZE", "page_size", "must be >= 0, got " + request.getPageSize());
        }
        int end = request.getPageSize() == 0 ? all.size() : Math.min(all.size(), offset + request.getPageSize());
        Map<String, Long> heads = chains.heads();
        Map<String, ChainCondition> conditions = health.current();
        Map<String, ChainHealthRules.Activity> activity = health.activity();
        ListChainsResponse.Builder response = ListChainsResponse.newBuilder();
        for (ChainSpec chain : all.subList(offset, end)) {
            ChainHealthRules.Activity a = activity.get(chain.id());
            response.addChains(ProtoMapper.chain(chain, heads.getOrDefault(chain.id(), 0L))
                    .setStatus(ProtoMapper.status(conditions.getOrDefault(chain.id(), ChainCondition.HEALTHY).status()))
                    .setStatusReason(conditions.getOrDefault(chain.id(), ChainCondition.HEALTHY).reason())
                    .setOperatorHalted(registry.current().halted(chain.id()))
                    .setLastHeartbeatUnixMs(a == null ? 0 : a.lastHeartbeat().map(java.time.Instant::toEpochMilli).orElse(0L))
                    .setHeadAdvancedUnixMs(a == null ? 0 : a.headAdvanced().map(java.time.Instant::toEpochMilli).orElse(0L)));
        }
        if (end < all.size()) {
            response.setNextPageToken(Integer.toString(end));
        }
        return Uni.createFrom().item(response.build());
    }

    /**
     * The state of one adapter stream: unbound until its hello, then bound to one chain id (the chain's registry
     * entry is read again for every event: it can change while the stream is open).
     */
    private final class AdapterSession {

        private String chainId;
        /** The chain's lease this stream holds from its welcome on (null before). */
        private volatile ChainLeases.Held lease;

        ChainLeases.Held lease() {
            return lease;
        }

        /**
         * The answers, ending only after the stream's lease is released (however the stream ends), so an adapter
         * that saw its stream end can say hello again at once.
         */
        Multi<ConnectAdapterResponse> releasingLease(Multi<ConnectAdapterResponse> answers) {
            return answers.onCompletion().call(this::release).onFailure().call(e -> release())
                    .onCancellation().call(this::release);
        }

        private Uni<Void> release() {
            ChainLeases.Held held = lease;
            if (held == null) {
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().<Void>item(() -> {
                adapterEvents.streamEnded(held);
                return null;
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).onFailure().recoverWithItem(e -> {
                // The lease then ends by expiry.
                org.jboss.logging.Logger.getLogger(CollateralGrpcService.class)
                        .warnf("releasing the lease of %s failed: %s", held.chainId(), e.getMessage());
                return null;
            });
        }

        /** One batch of queued requests: the events between hellos applied together, their acks in order. */
        void handle(List<ConnectAdapterRequest> batch, Consumer<ConnectAdapterResponse> answer) {
            Pending pending = new Pending();
            for (ConnectAdapterRequest request : batch) {
                if (chainId == null) {
                    answer.accept(hello(request));
                    continue;
                }
                if (request.getEventCase() == ConnectAdapterRequest.EventCase.HELLO) {
                    pending.flush(answer); // what came before it is answered, then the stream fails
                    throw new InvalidInputException(AdapterEvents.PROTOCOL_VIOLATION, "hello", "hello is only allowed as the first message");
                }
                pending.add(request);
            }
            pending.flush(answer);
        }

        private ConnectAdapterResponse hello(ConnectAdapterRequest request) {
            if (request.getEventCase() != ConnectAdapterRequest.EventCase.HELLO) {
                throw new InvalidInputException(AdapterEvents.PROTOCOL_VIOLATION, "hello",
                        "the first message must be a hello, got " + request.getEventCase());
            }
            AdapterHello hello = request.getHello();
            AdapterEvents.Welcome welcome = adapterEvents.hello(hello.getChainId(), hello.getAdapterId(), hello.getCredential());
            chainId = welcome.chain().id();
            lease = welcome.lease();
            return ProtoMapper.welcome(welcome);
        }

        /**
         * Events waiting for their batch's commit, and the answers that need none (an event without a cursor or with a
         * malformed one is refused without being recorded) in their place among them.
         */
        private final class Pending {

            private final List<ConnectAdapterRequest> requests = new ArrayList<>();

            void add(ConnectAdapterRequest request) {
                requests.add(request);
            }

            /** Applies the events in one transaction (the chain's registry entry read once), then answers all. */
            void flush(Consumer<ConnectAdapterResponse> answer) {
                if (requests.isEmpty()) {
                    return;
                }
                ChainSpec chain = adapterEvents.chain(chainId);
                List<AdapterEvents.Event> events = new ArrayList<>();
                List<Optional<AdapterEvents.Ack>> badCursors = new ArrayList<>();
                for (ConnectAdapterRequest request : requests) {
                    Optional<AdapterEvents.Ack> badCursor = adapterEvents.badCursor(request.getCursor());
                    badCursors.add(badCursor);
                    if (badCursor.isEmpty()) {
                        events.add(event(chain, request));
                    }
                }
                // Fenced by the stream's lease: a stream whose lease was taken over fails here, changing nothing.
                Iterator<AdapterEvents.Ack> acks = ChainLeases.fencedBy(lease, () -> adapterEvents.apply(chain, events)).iterator();
                for (Optional<AdapterEvents.Ack> badCursor : badCursors) {
                    answer.accept(ProtoMapper.ack(badCursor.orElseGet(acks::next)));
                }
                requests.clear();
            }
        }

        private AdapterEvents.Event event(ChainSpec chain, ConnectAdapterRequest request) {
            String cursor = request.getCursor();
            return switch (request.getEventCase()) {
                case HEADER -> {
                    BlockHeader h = request.getHeader();
                    yield adapterEvents.headerEvent(chain, cursor,
                            new BlockHeaderEvent(h.getHeight(), h.getHash(), h.getParentHash(), h.getTimestampUnixMs()));
                }
                case DEPOSIT -> {
                    Deposit d = request.getDeposit();
                    yield adapterEvents.depositEvent(chain, cursor, new DepositEvent(d.getTxHash(),
                            Integer.toUnsignedLong(d.getLogIndex()), d.getBlockHash(), d.getAccountId(), d.getAsset(), d.getAmount()));
                }
                case CHECKPOINT -> adapterEvents.checkpointEvent(chain, cursor, request.getCheckpoint().getHeight(),
                        request.getCheckpoint().getHash());
                case HEARTBEAT -> adapterEvents.heartbeatEvent(chain, cursor, request.getHeartbeat().getHeadHeight());
                case WITHDRAWAL_RESULT -> adapterEvents.withdrawalResultEvent(chain, cursor, WithdrawalMapper.result(request.getWithdrawalResult()));
                default -> adapterEvents.emptyEventOf(cursor);
            };
        }
    }
}
