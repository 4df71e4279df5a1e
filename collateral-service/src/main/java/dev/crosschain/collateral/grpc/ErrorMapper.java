package dev.crosschain.collateral.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.collateral.client.DependencyException;
import dev.crosschain.collateral.domain.ConflictException;
import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.collateral.domain.NotFoundException;
import dev.crosschain.collateral.domain.PermissionDeniedException;
import dev.crosschain.collateral.domain.PreconditionException;
import dev.crosschain.collateral.domain.UnauthenticatedException;
import dev.crosschain.collateral.store.RegistryChangedException;
import dev.crosschain.collateral.store.StoreException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** The one place where exceptions become gRPC statuses with google.rpc details. */
@ApplicationScoped
public class ErrorMapper implements ExceptionHandlerProvider {

    static final String DOMAIN = "collateral.crosschain";
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
                                                                     ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable failure, ServerCall<ReqT, RespT> serverCall, Metadata trailers) {
                StatusException status = toStatus(failure);
                serverCall.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            }
        };
    }

    @Override
    public Throwable transform(Throwable failure) {
        return toStatus(failure);
    }

    /**
     * {@code failure} as {@link #toStatus} maps it, its ErrorInfo also carrying {@code metadata}: a fact the caller
     * needs to read the refusal right (LockWithdrawal, GetWithdrawal: not_after_enforced).
     */
    static StatusRuntimeException withMetadata(Throwable failure, java.util.Map<String, String> metadata) {
        com.google.rpc.Status status = StatusProto.fromThrowable(toStatus(failure));
        com.google.rpc.Status.Builder marked = status.toBuilder().clearDetails();
        for (Any detail : status.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    detail = Any.pack(detail.unpack(ErrorInfo.class).toBuilder().putAllMetadata(metadata).build());
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException("an ErrorInfo this mapper packed does not unpack", e);
                }
            }
            marked.addDetails(detail);
        }
        return StatusProto.toStatusRuntimeException(marked.build());
    }

    static StatusException toStatus(Throwable failure) {
        if (failure instanceof StatusException se) {
            return se;
        }
        if (failure instanceof StatusRuntimeException sre) {
            return new StatusException(sre.getStatus(), sre.getTrailers());
        }
        if (failure instanceof InvalidInputException e) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            e.violations().forEach(v -> badRequest.addFieldViolations(
                    BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
            return status(Code.INVALID_ARGUMENT, e.reason(), e.getMessage(), Any.pack(badRequest.build()));
        }
        if (failure instanceof NotFoundException e) {
            return status(Code.NOT_FOUND, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof PreconditionException e) {
            PreconditionFailure detail = PreconditionFailure.newBuilder().addViolations(PreconditionFailure.Violation.newBuilder()
                    .setType(e.reason()).setSubject(e.subject()).setDescription(e.getMessage())).build();
            return status(Code.FAILED_PRECONDITION, e.reason(), e.getMessage(), Any.pack(detail));
        }
        if (failure instanceof ConflictException e) {
            return status(Code.ALREADY_EXISTS, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof UnauthenticatedException e) {
            return status(Code.UNAUTHENTICATED, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof PermissionDeniedException e) {
            return status(Code.PERMISSION_DENIED, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof DependencyException) {
            LOG.warn("dependency failure: " + failure.getMessage());
            return status(Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", failure.getMessage(), null);
        }
        if (failure instanceof RegistryChangedException e) {
            LOG.info(e.getMessage());
            return status(Code.UNAVAILABLE, RegistryChangedException.REASON, e.getMessage(), null);
        }
        if (failure instanceof dev.crosschain.collateral.store.WithdrawalStore.LockWaitTimeout e) {
            LOG.warn(e.getMessage());
            return status(Code.UNAVAILABLE, dev.crosschain.collateral.store.WithdrawalStore.LockWaitTimeout.REASON, e.getMessage(), null);
        }
        if (failure instanceof StoreException) {
            LOG.warn("database failure", failure);
            return status(Code.UNAVAILABLE, "DATABASE_UNAVAILABLE", "database unavailable, retry", null);
        }
        LOG.error("unexpected failure", failure);
        return status(Code.INTERNAL, "INTERNAL", "internal error", null);
    }

    private static StatusException status(Code code, String reason, String message, Any detail) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message == null ? "" : message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN).build()));
        if (detail != null) {
            status.addDetails(detail);
        }
        return StatusProto.toStatusException(status.build());
    }
}
