package dev.crosschain.pricing.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Test-only: records whether the last RevalueBook answer was sent from an event-loop thread. The
 * answer is sent by the thread that computed it (no hop back), so this tells where the engine ran
 * without a hook in the service.
 */
@GlobalInterceptor
@ApplicationScoped
public class RevalueThreads implements ServerInterceptor {

    private static final AtomicReference<Boolean> LAST_ON_EVENT_LOOP = new AtomicReference<>();

    /** Whether the last RevalueBook answer came from an event-loop thread; null before the first answer. */
    static Boolean lastOnEventLoop() {
        return LAST_ON_EVENT_LOOP.get();
    }

    static void forget() {
        LAST_ON_EVENT_LOOP.set(null);
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (!call.getMethodDescriptor().getBareMethodName().equals("RevalueBook")) {
            return next.startCall(call, headers);
        }
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(A message) {
                LAST_ON_EVENT_LOOP.set(Context.isOnEventLoopThread());
                super.sendMessage(message);
            }
        }, headers);
    }
}
