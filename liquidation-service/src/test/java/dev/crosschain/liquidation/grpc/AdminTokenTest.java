package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.LiquidationConfig;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin credential rule without a server (the Quarkus tests run with a token): disabled, missing, wrong, trimmed. */
class AdminTokenTest {

    static LiquidationConfig withAdminToken(Optional<String> token) {
        LiquidationConfig.Admin admin = () -> token;
        return (LiquidationConfig) Proxy.newProxyInstance(LiquidationConfig.class.getClassLoader(),
                new Class<?>[]{LiquidationConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("admin")) {
                        return admin;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    static void assertRefused(AdminToken admin, String token, Status.Code code, String reason) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> withToken(token, () -> admin.require("SetHalt"))).satisfies(e -> caught[0] = e);
        // the refusal is a domain exception; ErrorMapper gives it its status, as every other refusal
        StatusException status = ErrorMapper.toStatus(caught[0]);
        StatusRuntimeException e = new StatusRuntimeException(status.getStatus(), status.getTrailers());
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        assertThat(TestSupport.errorInfo(e).getReason()).isEqualTo(reason);
    }

    /** Runs {@code call} as a call that carried "authorization: Bearer token" (null: no header). */
    static void withToken(String token, Runnable call) {
        if (token == null) {
            call.run();
        } else {
            io.grpc.Context.current().withValue(AdminToken.TOKEN, token).run(call);
        }
    }

    @Test
    void noConfiguredTokenRefusesEveryCallerPermissionDenied() {
        assertRefused(new AdminToken(withAdminToken(Optional.empty())), null, Status.Code.PERMISSION_DENIED, "ADMIN_DISABLED");
        assertRefused(new AdminToken(withAdminToken(Optional.of("  "))), null, Status.Code.PERMISSION_DENIED, "ADMIN_DISABLED");
        // a caller with some token gets no further while the RPC is disabled
        assertRefused(new AdminToken(withAdminToken(Optional.empty())), "anything", Status.Code.PERMISSION_DENIED, "ADMIN_DISABLED");
        assertRefused(new AdminToken(withAdminToken(Optional.of(" \n"))), "", Status.Code.PERMISSION_DENIED, "ADMIN_DISABLED");
    }

    @Test
    void aConfiguredTokenRefusesACallWithoutOneOrWithAnotherUnauthenticated() {
        AdminToken admin = new AdminToken(withAdminToken(Optional.of("secret")));
        assertRefused(admin, null, Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
        assertRefused(admin, "", Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
        assertRefused(admin, "secreT", Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
        withToken("secret", () -> admin.require("SetHalt"));
    }

    @Test
    void theConfiguredTokenIsTrimmed() {
        // a Secret mounted from a file often ends in a newline
        AdminToken admin = new AdminToken(withAdminToken(Optional.of(" secret\n")));
        withToken("secret", () -> admin.require("SetHalt"));
        assertRefused(admin, " secret", Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
    }
}
