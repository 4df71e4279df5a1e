package dev.crosschain.margin.grpc;

import com.google.rpc.ErrorInfo;
import dev.crosschain.margin.app.MarginConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With no admin token configured SetRiskParameters is refused to everyone (the Quarkus tests run with one). */
class AdminTokenTest {

    static MarginConfig withAdminToken(Optional<String> token) {
        MarginConfig.Admin admin = () -> token;
        return (MarginConfig) Proxy.newProxyInstance(MarginConfig.class.getClassLoader(), new Class<?>[]{MarginConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("admin")) {
                        return admin;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    static void assertRefused(AdminToken admin, Status.Code code, String reason) {
        assertThatThrownBy(() -> admin.require("SetRiskParameters")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(MarginGrpcServiceTest.detail(e, ErrorInfo.class).getReason()).isEqualTo(reason);
        });
    }

    @Test
    void noConfiguredTokenRefusesEveryCallerPermissionDenied() {
        assertRefused(new AdminToken(withAdminToken(Optional.empty())), Status.Code.PERMISSION_DENIED, "ADMIN_DISABLED");
        assertRefused(new AdminToken(withAdminToken(Optional.of("  "))), Status.Code.PERMISSION_DENIED, "ADMIN_DISABLED");
    }

    @Test
    void aConfiguredTokenRefusesACallWithoutOneUnauthenticated() {
        assertRefused(new AdminToken(withAdminToken(Optional.of("secret"))), Status.Code.UNAUTHENTICATED, "MISSING_CREDENTIAL");
    }
}
