package dev.crosschain.margin.client;

import dev.crosschain.margin.app.MarginConfig;
import dev.crosschain.margin.domain.ConflictException;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.NotFoundException;
import dev.crosschain.margin.domain.PreconditionException;
import dev.crosschain.margin.domain.Violation;
import dev.crosschain.proto.collateral.v1.CollateralInternalServiceGrpc;
import dev.crosschain.proto.collateral.v1.GetWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.GetWithdrawalResponse;
import dev.crosschain.proto.collateral.v1.LockWithdrawalRequest;
import dev.crosschain.proto.collateral.v1.LockWithdrawalResponse;
import dev.crosschain.proto.collateral.v1.Withdrawal;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * margin-service's calls of collateral-service's internal withdrawal RPCs, with its bearer token.
 * Collateral's refusals become margin's own (catalogue in margin_service.proto).
 */
@ApplicationScoped
public class WithdrawalClient {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(WithdrawalClient.class);

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Collateral's reasons renamed in margin's catalogue: its ACCOUNT_FROZEN is a freeze of the
     * ledger (a critical alert), not margin's liquidation freeze; its INVALID_AMOUNT is our INVALID_QUANTITY.
     */
    private static final Map<String, String> RENAMED = Map.of("ACCOUNT_FROZEN", "WITHDRAWALS_FROZEN",
            "INVALID_AMOUNT", "INVALID_QUANTITY");

    /** The ErrorInfo metadata key by which collateral-service marks a NOT_FOUND of a release that enforces not_after. */
    static final String NOT_AFTER_ENFORCED = "not_after_enforced";

    @GrpcClient("collateral")
    CollateralInternalServiceGrpc.CollateralInternalServiceBlockingStub internal;

    /** The most pages of collateral's registry {@link #requireListed} reads (a registry holds a few dozen chains). */
    static final int MAX_REGISTRY_PAGES = 100;

    /** collateral-service's public service: its registry (ListChains), which needs no credential. */
    @GrpcClient("collateral")
    dev.crosschain.proto.collateral.v1.CollateralServiceGrpc.CollateralServiceBlockingStub registry;

    @Inject
    Calls calls;

    /**
     * INVALID_ARGUMENT UNKNOWN_CHAIN (field chain_id) or UNKNOWN_ASSET (field asset) when collateral-service's
     * registry (ListChains) has no such chain, or does not list the asset on it; nothing when it does.
     *
     * @throws DependencyException when collateral-service does not answer
     */
    public void requireListed(String chainId, String asset) {
        dev.crosschain.proto.collateral.v1.Chain chain = null;
        String page = "";
        java.util.Set<String> pages = new java.util.HashSet<>();
        do {
            // bounded: a registry that repeats a page token or never ends must not keep a request (and a thread) busy
            if (!pages.add(page) || pages.size() > MAX_REGISTRY_PAGES) {
                throw new DependencyException("ListChains: collateral-service's registry " + (pages.size() > MAX_REGISTRY_PAGES
                        ? "has more than " + MAX_REGISTRY_PAGES + " pages" : "repeated page token '" + page + "'")
                        + "; chain " + chainId + " not found in what was read", Status.Code.INTERNAL, null);
            }
            dev.crosschain.proto.collateral.v1.ListChainsRequest request = dev.crosschain.proto.collateral.v1.ListChainsRequest
                    .newBuilder().setPageToken(page).build();
            dev.crosschain.proto.collateral.v1.ListChainsResponse response;
            try {
                response = calls.idempotent("ListChains", () -> registry
                        .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS).listChains(request));
            } catch (StatusRuntimeException e) {
                throw new DependencyException("ListChains: collateral-service answered " + e.getStatus(), e.getStatus().getCode(), e);
            }
            for (dev.crosschain.proto.collateral.v1.Chain c : response.getChainsList()) {
                if (c.getChainId().equals(chainId)) {
                    chain = c;
                }
            }
            page = response.getNextPageToken();
        } while (chain == null && !page.isEmpty());
        if (chain == null) {
            throw new InvalidInputException("UNKNOWN_CHAIN", List.of(new Violation("chain_id",
                    "collateral-service knows no chain " + chainId)));
        }
        if (chain.getConfig().getAssetsList().stream().noneMatch(a -> a.getAsset().equals(asset))) {
            throw new InvalidInputException("UNKNOWN_ASSET", List.of(new Violation("asset",
                    "collateral-service lists no asset " + asset + " on " + chainId)));
        }
    }

    @Inject
    MarginConfig config;

    /** A withdrawal to lock, validated. */
    public record Order(String withdrawalId, String accountId, String chainId, String asset, BigDecimal amount,
                        String destination) {
    }

    /** A withdrawal collateral-service holds: its payload and when it locked the amount. */
    public record Locked(String withdrawalId, String accountId, String chainId, String asset, BigDecimal amount,
                         String destination, long lockedAtMs) {

        /** True when it is the lock of {@code o} (amounts compared by value). */
        public boolean sameAs(Order o) {
            return accountId.equals(o.accountId()) && chainId.equals(o.chainId()) && asset.equals(o.asset())
                    && amount.compareTo(o.amount()) == 0 && destination.equals(o.destination());
        }
    }

    /**
     * The not_after of a lock asked now: margin-service's clock plus one call deadline, past which
     * collateral-service (by its own clock) refuses to lock. Take it once per lock request and give the
     * same to {@link #lock} and, when the answer is lost, to the wait for the outcome: every retry of
     * the request carries the same fence.
     */
    public Instant fence() {
        return fence(Instant.now());
    }

    /** {@link #fence()} for a lock asked at {@code now} (margin-service's clock, read by the caller). */
    public Instant fence(Instant now) {
        return now.plus(calls.deadline());
    }

    /**
     * Locks the amount at collateral-service, not after {@code notAfter} ({@link #fence()}); idempotent
     * by withdrawal id there too, so it is retried on UNAVAILABLE, each attempt with the same not_after,
     * but never started after not_after (it could only be refused LOCK_EXPIRED while it held the
     * account lock longer) and with a deadline no later than not_after: then the outcome is unknown.
     *
     * @throws PreconditionException INSUFFICIENT_BALANCE, WITHDRAWALS_FROZEN, CHAIN_HALTED (or another
     *                               refusal of state, under collateral's reason)
     * @throws InvalidInputException what collateral-service finds wrong in the fields
     * @throws ConflictException     IDEMPOTENCY_CONFLICT: the id was locked with another payload
     * @throws LockExpired           collateral-service judged the last attempt after {@code notAfter}: it locked
     *                               nothing (the id was not locked then: a replay is answered first)
     * @throws RefusedInDoubt        instead of any of the refusals above when an earlier attempt went unanswered:
     *                               that attempt may still lock (until {@code notAfter})
     * @throws DependencyException   no answer, or an unexpected one: whether the lock happened is unknown
     */
    public Locked lock(Order o, Instant notAfter) {
        LockWithdrawalRequest request = LockWithdrawalRequest.newBuilder().setWithdrawalId(o.withdrawalId())
                .setAccountId(o.accountId()).setChainId(o.chainId()).setAsset(o.asset())
                .setAmount(Decimals.plain(o.amount())).setDestinationAddress(o.destination())
                .setNotAfterUnixMs(notAfter.toEpochMilli()).build();
        LockWithdrawalResponse response;
        // set once an attempt went unanswered (UNAVAILABLE): it may still be queued at collateral-service
        java.util.concurrent.atomic.AtomicBoolean unanswered = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            response = calls.idempotent("LockWithdrawal " + o.withdrawalId(), () -> {
                long left = notAfter.toEpochMilli() - System.currentTimeMillis();
                if (unanswered.get() && left <= 0) {
                    throw new PastFence(); // a retry now could only be refused LOCK_EXPIRED
                }
                // no attempt outlives the fence: past it, its outcome is waited for, not its answer
                long deadlineMs = Math.min(calls.deadline().toMillis(), Math.max(1, left));
                try {
                    return authorized().withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).lockWithdrawal(request);
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                        unanswered.set(true);
                    }
                    throw e;
                }
            });
        } catch (PastFence past) {
            throw new DependencyException("LockWithdrawal " + o.withdrawalId() + ": no attempt was answered before its not_after "
                    + notAfter + " (a retry after it could only be refused LOCK_EXPIRED)", Status.Code.UNAVAILABLE, null);
        } catch (StatusRuntimeException e) {
            RuntimeException answer;
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                    && Calls.reason(e).filter(LockExpired.REASON::equals).isPresent()) {
                LOG.warnf("withdrawal %s: collateral-service refused LOCK_EXPIRED (not_after %s, margin's clock %s): %s",
                        o.withdrawalId(), notAfter, Instant.now(), e.getStatus().getDescription());
                answer = new LockExpired("withdrawal " + o.withdrawalId() + ": collateral-service came to the lock after its not_after ("
                        + e.getStatus().getDescription() + "); retry with the same withdrawal_id", e);
            } else {
                answer = refusal(e, "LockWithdrawal " + o.withdrawalId(), "accounts/" + o.accountId() + "/chains/" + o.chainId()
                        + "/assets/" + o.asset());
            }
            if (unanswered.get() && !(answer instanceof DependencyException)) {
                throw new RefusedInDoubt(o.withdrawalId(), answer);
            }
            throw answer;
        }
        return locked(response.getWithdrawal());
    }

    /** Thrown out of the retry loop when an attempt would start after not_after. */
    private static final class PastFence extends RuntimeException {
        PastFence() {
            super(null, null, false, false);
        }
    }

    /**
     * The last attempt of a lock was refused (any refusal: of state, of the fields, a conflict, a
     * credential), but an earlier attempt went unanswered (UNAVAILABLE) and may still be queued at
     * collateral-service and lock before not_after: the refusal is final for its own attempt only.
     * The caller waits for the outcome ({@link #find} until not_after + the clock skew) and answers
     * {@link #refusal()} only once nothing is locked by then.
     */
    public static final class RefusedInDoubt extends DependencyException {
        private final RuntimeException refusal;

        RefusedInDoubt(String withdrawalId, RuntimeException refusal) {
            super("withdrawal " + withdrawalId + ": collateral-service refused the last attempt (" + refusal.getMessage()
                    + ") but an earlier one went unanswered; retry with the same withdrawal_id",
                    Status.Code.UNAVAILABLE, refusal, "WITHDRAWAL_IN_DOUBT");
            this.refusal = refusal;
        }

        /** The last attempt's refusal, the answer once no earlier attempt can have locked. */
        public RuntimeException refusal() {
            return refusal;
        }
    }

    /**
     * collateral-service refused a lock judged after its not_after (LOCK_EXPIRED): that attempt locked
     * nothing and the id was not locked when it was judged (a replay is answered before that check).
     * The request is not wrong: the caller retries it (UNAVAILABLE LOCK_EXPIRED) once it is sure that
     * no earlier attempt can still land.
     */
    public static final class LockExpired extends DependencyException {
        public static final String REASON = "LOCK_EXPIRED";

        LockExpired(String message, StatusRuntimeException cause) {
            super(message, Status.Code.UNAVAILABLE, cause, REASON);
        }
    }

    /**
     * The withdrawal collateral-service holds under this id; empty when it never locked one.
     *
     * @throws DependencyException when collateral-service does not answer, or answers otherwise
     */
    public Optional<Locked> find(String withdrawalId) {
        return lookup(withdrawalId).locked();
    }

    /**
     * What GetWithdrawal answered: the lock (empty: NOT_FOUND) and whether collateral-service said it enforces
     * not_after (not_after_enforced on the answer, or in the NOT_FOUND's ErrorInfo metadata). A release of
     * collateral-service that predates the mark ignores not_after: its NOT_FOUND says nothing of a lock still queued.
     * The mark speaks for the whole collateral fleet: its migration V8 makes an older replica's lock fail.
     */
    public record Lookup(Optional<Locked> locked, boolean notAfterEnforced) {

        /**
         * True when this NOT_FOUND, asked once the lock's fence had settled, means that nothing was locked and nothing
         * will be: only from a collateral-service that enforces not_after; otherwise false, with a WARN.
         */
        public boolean nothingLockedOnceSettled(String withdrawalId) {
            if (locked.isPresent()) {
                return false;
            }
            if (!notAfterEnforced) {
                LOG.warnf("withdrawal %s: collateral-service answered NOT_FOUND without not_after_enforced: it does not enforce "
                        + "not_after (an older release?), so the NOT_FOUND does not tell that nothing will lock; kept in doubt",
                        withdrawalId);
            }
            return notAfterEnforced;
        }
    }

    /** {@link #find}, with whether collateral-service enforces not_after ({@link Lookup}). */
    public Lookup lookup(String withdrawalId) {
        GetWithdrawalRequest request = GetWithdrawalRequest.newBuilder().setWithdrawalId(withdrawalId).build();
        try {
            GetWithdrawalResponse response = calls.idempotent("GetWithdrawal " + withdrawalId, () -> authorized()
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS).getWithdrawal(request));
            return new Lookup(Optional.of(locked(response.getWithdrawal())), response.getNotAfterEnforced());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return new Lookup(Optional.empty(), "true".equals(Calls.metadata(e, NOT_AFTER_ENFORCED).orElse(null)));
            }
            if (unauthorized(e)) {
                throw misconfigured("GetWithdrawal " + withdrawalId, e);
            }
            throw new DependencyException("GetWithdrawal " + withdrawalId + ": collateral-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        }
    }

    private static Locked locked(Withdrawal w) {
        try {
            return new Locked(w.getWithdrawalId(), w.getAccountId(), w.getChainId(), w.getAsset(), new BigDecimal(w.getAmount()),
                    w.getDestinationAddress(), w.getLockedAtUnixMs());
        } catch (RuntimeException e) {
            throw new DependencyException("collateral-service sent a malformed withdrawal: " + e.getMessage(),
                    Status.Code.INTERNAL, e);
        }
    }

    /** Collateral's refusal as margin's exception; anything unexpected is a dependency failure. */
    static RuntimeException refusal(StatusRuntimeException e, String what, String subject) {
        String theirs = Calls.reason(e).orElse("");
        String reason = RENAMED.getOrDefault(theirs, theirs);
        String description = e.getStatus().getDescription() == null ? theirs : e.getStatus().getDescription();
        switch (e.getStatus().getCode()) {
            case FAILED_PRECONDITION:
                if (!reason.isEmpty()) {
                    return new PreconditionException(reason, subject, "collateral-service refused: " + description);
                }
                break;
            case INVALID_ARGUMENT:
                if (!reason.isEmpty()) {
                    List<Violation> violations = Calls.fieldViolations(e);
                    return new InvalidInputException(reason, violations.isEmpty()
                            ? List.of(new Violation("withdrawal", description)) : violations);
                }
                break;
            case ALREADY_EXISTS:
                return new ConflictException("IDEMPOTENCY_CONFLICT", "collateral-service holds this withdrawal id with another payload");
            case UNAUTHENTICATED:
            case PERMISSION_DENIED:
                return misconfigured(what, e);
            case NOT_FOUND:
                return new NotFoundException(reason.isEmpty() ? "UNKNOWN_ACCOUNT" : reason, "collateral-service: " + description);
            default:
                break;
        }
        return new DependencyException(what + ": collateral-service answered " + e.getStatus(), e.getStatus().getCode(), e);
    }

    private static boolean unauthorized(StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED || e.getStatus().getCode() == Status.Code.PERMISSION_DENIED;
    }

    /** collateral-service refused margin's credential: a deployment error (margin.collateral.token), not an outage. */
    private static MisconfiguredException misconfigured(String what, StatusRuntimeException e) {
        return new MisconfiguredException(what + ": collateral-service refused margin-service's credential (" + e.getStatus()
                + "); check margin.collateral.token (MARGIN_COLLATERAL_TOKEN) against collateral's margin-token", e);
    }

    /** The stub that sends "authorization: Bearer <token>" (no header when no token is configured). */
    private CollateralInternalServiceGrpc.CollateralInternalServiceBlockingStub authorized() {
        Optional<String> token = config.collateral().token().filter(t -> !t.isBlank());
        if (token.isEmpty()) {
            return internal;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token.get().trim());
        return internal.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
