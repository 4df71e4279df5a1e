package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.domain.PermissionDeniedException;
import dev.crosschain.liquidation.domain.UnauthenticatedException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The admin RPCs' credential, by the suite's conventions (margin-service's AdminToken, collateral-service's
 * BearerToken): the call's "authorization: Bearer <token>" is carried into the gRPC context; no or an unknown token is
 * UNAUTHENTICATED MISSING_CREDENTIAL; the token is compared in constant time and a refusal never says what was
 * expected. With no token configured (liquidation.admin.token) every caller is refused PERMISSION_DENIED ADMIN_DISABLED.
 */
@ApplicationScoped
@GlobalInterceptor
public class AdminToken implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> TOKEN = Context.key("liquidation-bearer-token");
    private static final String BEARER = "Bearer ";

    private final Optional<String> expected;

    public AdminToken(LiquidationConfig config) {
        // trimmed: a Secret's value often ends in a newline that no caller sends
        this.expected = config.admin().token().map(String::trim).filter(t -> !t.isEmpty());
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        String header = headers.get(AUTHORIZATION);
        String token = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length()).trim() : "";
        return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
    }

    /** Refuses the current call unless it carries the admin token (ErrorMapper gives the status). */
    void require(String rpc) {
        if (expected.isEmpty()) {
            throw new PermissionDeniedException("ADMIN_DISABLED",
                    rpc + " is disabled: liquidation-service has no admin token configured (liquidation.admin.token)");
        }
        String given = TOKEN.get();
        if (given == null || given.isEmpty()) {
            throw new UnauthenticatedException("MISSING_CREDENTIAL", rpc + " needs a credential (authorization: Bearer <token>)");
        }
        if (!MessageDigest.isEqual(expected.get().getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw new UnauthenticatedException("MISSING_CREDENTIAL", "the credential is not known");
        }
    }
}
