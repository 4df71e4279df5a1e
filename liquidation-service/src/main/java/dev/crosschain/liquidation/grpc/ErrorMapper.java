package dev.crosschain.liquidation.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.liquidation.client.DependencyException;
import dev.crosschain.liquidation.domain.ConflictException;
import dev.crosschain.liquidation.domain.HaltedException;
import dev.crosschain.liquidation.domain.InvalidInputException;
import dev.crosschain.liquidation.domain.NotFoundException;
import dev.crosschain.liquidation.domain.PermissionDeniedException;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.liquidation.domain.UnauthenticatedException;
import dev.crosschain.liquidation.store.StoreException;
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

    static final String DOMAIN = "liquidation.crosschain";
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
            java.util.Map<String, String> metadata = new java.util.HashMap<>(e.metadata());
            if (e instanceof HaltedException halted) {
                metadata.put("scope", halted.halt().scope());
                metadata.put("level", halted.halt().level().name());
            }
            return status(Code.FAILED_PRECONDITION, e.reason(), e.getMessage(), Any.pack(detail), metadata);
        }
        if (failure instanceof UnauthenticatedException e) {
            return status(Code.UNAUTHENTICATED, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof PermissionDeniedException e) {
            return status(Code.PERMISSION_DENIED, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof ConflictException e) {
            return status(Code.ALREADY_EXISTS, e.reason(), e.getMessage(), null);
        }
        if (failure instanceof DependencyException e) {
            LOG.warn("dependency failure: " + e.getMessage());
            return status(Code.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE", "an upstream service did not answer, retry", null);
        }
        if (failure instanceof StoreException) {
            LOG.warn("database failure", failure);
            return status(Code.UNAVAILABLE, "DATABASE_UNAVAILABLE", "database unavailable, retry", null);
        }
        LOG.error("unexpected failure", failure);
        return status(Code.INTERNAL, "INTERNAL", "internal error", null);
    }

    private static StatusException status(Code code, String reason, String message, Any detail) {
        return status(code, reason, message, detail, java.util.Map.of());
    }

    private static StatusException status(Code code, String reason, String message, Any detail,
                                          java.util.Map<String, String> metadata) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message == null ? "" : message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN).putAllMetadata(metadata).build()));
        if (detail != null) {
            status.addDetails(detail);
        }
        return StatusProto.toStatusException(status.build());
    }
}
