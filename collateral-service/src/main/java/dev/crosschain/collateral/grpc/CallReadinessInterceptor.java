package dev.crosschain.collateral.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Gives each server-streaming call a {@link CallReadiness} in its gRPC context, fed by the
 * call's own listener. No priority: Quarkus places it innermost, next to the service method, so
 * the context is attached when the method runs.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallReadinessInterceptor implements ServerInterceptor {

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.SERVER_STREAMING) {
            return next.startCall(call, headers);
        }
        CallReadiness readiness = new CallReadiness(call);
        Context context = Context.current().withValue(CallReadiness.KEY, readiness);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                Contexts.interceptCall(context, call, headers, next)) {
            @Override
            public void onReady() {
                super.onReady();
                readiness.ready();
            }

            @Override
            public void onCancel() {
                readiness.closed();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                readiness.closed();
                super.onComplete();
            }
        };
    }
}
