package dev.crosschain.collateral.grpc;

import io.grpc.Context;
import io.grpc.ServerCall;

/**
 * The transport's readiness of one server-streaming call, which the Mutiny stubs of Quarkus
 * 3.34 hide: they subscribe to a returned Multi with unbounded demand and write every item,
 * whether or not the client reads. Installed by {@link CallReadinessInterceptor} in the call's
 * gRPC {@link Context}, where the service method finds it.
 */
final class CallReadiness {

    static final Context.Key<CallReadiness> KEY = Context.key("collateral.call-readiness");

    private static final Runnable NOTHING = () -> {
    };

    private final ServerCall<?, ?> call;
    private volatile Runnable onReady = NOTHING;
    private volatile Runnable onClosed = NOTHING;
    private volatile boolean closed;

    CallReadiness(ServerCall<?, ?> call) {
        this.call = call;
    }

    /** The readiness of the call the current thread serves; only valid inside a service method. */
    static CallReadiness current() {
        CallReadiness readiness = KEY.get();
        if (readiness == null) {
            throw new IllegalStateException("no call readiness in the gRPC context: "
                    + CallReadinessInterceptor.class.getSimpleName() + " did not intercept this call");
        }
        return readiness;
    }

    /**
     * Ready only while nothing of this call waits in the transport: a conflated stream of one account then holds
     * at most one view on the server (the default threshold, 32 KiB, would let dozens of outdated views queue ahead
     * of the newest). Only before the first message.
     */
    void readyOnlyWhenNothingQueued() {
        call.setOnReadyThreshold(1);
    }

    boolean isReady() {
        return !closed && call.isReady();
    }

    boolean isClosed() {
        return closed;
    }

    /** {@code action} runs (on a transport thread) each time the call turns ready again. */
    void onReady(Runnable action) {
        onReady = action;
    }

    /** {@code action} runs once the call is cancelled or completed. */
    void onClosed(Runnable action) {
        onClosed = action;
        if (closed) {
            action.run();
        }
    }

    void ready() {
        onReady.run();
    }

    void closed() {
        closed = true;
        onClosed.run();
    }
}
