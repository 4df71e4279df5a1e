package dev.crosschain.suite;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** How a caller of the services reads a failed call: the service's stated reason, or an answer that never came. */
public final class GrpcErrors {

    private GrpcErrors() {
    }

    /** The ErrorInfo reason the service sent with the status (e.g. STALE_VERSION); empty when it sent none. */
    public static String reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return "";
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException(ex);
            }
        }).findFirst().orElse("");
    }

    /**
     * UNAVAILABLE or DEADLINE_EXCEEDED: the call may or may not have been carried out, so an idempotent one (same
     * request id) is sent again.
     */
    public static boolean answerLost(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }
}
