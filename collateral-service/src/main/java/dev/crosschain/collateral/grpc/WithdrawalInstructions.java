package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.CollateralConfig;
import dev.crosschain.collateral.app.Withdrawals;
import dev.crosschain.collateral.domain.Withdrawal;
import dev.crosschain.collateral.store.ChainLeases;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Withdrawal instructions on an adapter stream: once the welcome is out, every deliverable LOCKED withdrawal of the
 * stream's chain ({@link Withdrawals#deliverableOn}: none while the chain is halted, none of a frozen account),
 * then each new one. New locks of this replica, and the ones a freeze or operator halt lifted in this replica
 * releases, are sent at once ({@link Withdrawals#newLocks}); those of other replicas, and the ones released by a
 * chain's status leaving HALTED, are found by polling the database. Each id is sent once per stream while it stays
 * deliverable (the adapter gets them all again after a reconnect).
 */
@ApplicationScoped
public class WithdrawalInstructions {

    private static final Logger LOG = Logger.getLogger(WithdrawalInstructions.class);

    private final Withdrawals withdrawals;
    private final Duration pollInterval;
    private final ChainLeases leases;

    public WithdrawalInstructions(Withdrawals withdrawals, CollateralConfig config, ChainLeases leases) {
        this.withdrawals = withdrawals;
        this.leases = leases;
        this.pollInterval = config.withdrawals().pollInterval();
    }

    /**
     * The stream's answers with the instructions merged in after the welcome. The instructions end when the
     * answers end, so the stream completes when the adapter's side does.
     * Instructions go out only while the stream holds its chain's lease ({@code lease}, checked at each send):
     * a withdrawal is paid by one adapter only.
     */
    public Multi<ConnectAdapterResponse> mergedInto(Multi<ConnectAdapterResponse> answers, Supplier<ChainLeases.Held> lease) {
        CompletableFuture<String> welcomed = new CompletableFuture<>();
        AtomicBoolean ended = new AtomicBoolean();
        CompletableFuture<Object> end = new CompletableFuture<>();
        Multi<ConnectAdapterResponse> watched = answers.onTermination().invoke(() -> {
            ended.set(true);
            end.complete("end");
            welcomed.complete(null);
        });
        Multi<ConnectAdapterResponse> instructions = Multi.createFrom().completionStage(welcomed)
                .onItem().transformToMultiAndConcatenate(chain -> forChain(chain, ended, end, lease));
        // The welcome completes the future on its way out of the merge: every instruction is emitted after it.
        return Multi.createBy().merging().streams(watched, instructions).onItem().invoke(response -> {
            if (response.hasWelcome()) {
                welcomed.complete(response.getWelcome().getChainId());
            }
        });
    }

    private Multi<ConnectAdapterResponse> forChain(String chainId, AtomicBoolean ended, CompletableFuture<Object> end,
                                                   Supplier<ChainLeases.Held> lease) {
        Set<String> sent = new HashSet<>();
        // The end of the answers is a trigger too: the instructions end at once, not at the next poll.
        Multi<Object> triggers = Multi.createBy().merging().streams(
                Multi.createFrom().item("welcome"),
                Multi.createFrom().completionStage(end),
                Multi.createFrom().ticks().every(pollInterval).onOverflow().drop().map(t -> (Object) t),
                withdrawals.newLocks().filter(c -> c.equals(chainId) || c.equals(Withdrawals.ALL_CHAINS)).onOverflow().drop().map(c -> (Object) c));
        return triggers.select().first(t -> !ended.get())
                .onItem().transformToUniAndConcatenate(t -> Uni.createFrom().item(() -> owned(lease) ? unsent(chainId, sent) : List.<Withdrawal>of())
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .onFailure().recoverWithItem(e -> {
                            LOG.warnf("reading locked withdrawals of %s failed, retrying at the next poll: %s", chainId, e.getMessage());
                            return List.of();
                        }))
                .onItem().transformToMultiAndConcatenate(list -> Multi.createFrom().iterable(list))
                .map(w -> ConnectAdapterResponse.newBuilder().setWithdrawalInstruction(WithdrawalMapper.instruction(w)).build());
    }

    /** The stream still holds its chain (a stream whose lease was taken over sends nothing more). */
    private boolean owned(Supplier<ChainLeases.Held> lease) {
        ChainLeases.Held held = lease.get();
        return held != null && leases.holds(held);
    }

    /**
     * The chain's deliverable withdrawals not yet sent on this stream. Forgets the ones no longer deliverable:
     * resolved (bounded memory), or held by a freeze or halt, so these are sent again once it is lifted.
     */
    private List<Withdrawal> unsent(String chainId, Set<String> sent) {
        List<Withdrawal> locked = withdrawals.deliverableOn(chainId);
        Set<String> ids = new HashSet<>();
        List<Withdrawal> fresh = new ArrayList<>();
        for (Withdrawal w : locked) {
            ids.add(w.id());
            if (!sent.contains(w.id())) {
                fresh.add(w);
            }
        }
        sent.retainAll(ids);
        fresh.forEach(w -> sent.add(w.id()));
        return fresh;
    }
}
