package dev.crosschain.collateral.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/** Carries the call's "authorization: Bearer <token>" into the gRPC context, where the RPCs that need it read it. */
@ApplicationScoped
@GlobalInterceptor
public class BearerToken implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN = Context.key("collateral-bearer-token");
    private static final String BEARER = "Bearer ";

    /** The bearer token of the current call; empty when none was sent. */
    static String current() {
        String token = TOKEN.get();
        return token == null ? "" : token;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        String header = headers.get(AUTHORIZATION);
        String token = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length()).trim() : "";
        return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
    }
}
