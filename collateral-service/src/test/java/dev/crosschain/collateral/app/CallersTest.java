package dev.crosschain.collateral.app;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Callers' start-up checks, on a plain configuration (no service started). */
class CallersTest {

    @Test
    void twoChainsWithTheSameAdapterCredentialFailTheStartWithoutNamingTheSecret() {
        assertThatThrownBy(() -> new Callers(config(Map.of("ethereum", "shared-secret", "solana", "shared-secret",
                "arbitrum", "own-secret")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("ethereum", "solana", "same adapter credential")
                .hasMessageNotContaining("shared-secret");
    }

    @Test
    void distinctAdapterCredentialsStart() {
        assertThatCode(() -> new Callers(config(Map.of("ethereum", "e-secret", "solana", "s-secret")))).doesNotThrowAnyException();
        assertThatCode(() -> new Callers(config(Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void anEmptyAdapterCredentialFailsTheStart() {
        assertThatThrownBy(() -> new Callers(config(Map.of("ethereum", "")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ethereum");
    }

    /** Only the credentials: Callers reads nothing else. */
    static CollateralConfig config(Map<String, String> adapters) {
        CollateralConfig.Auth auth = new CollateralConfig.Auth() {
            @Override
            public Map<String, String> adapters() {
                return adapters;
            }

            @Override
            public Map<String, CollateralConfig.CallerConfig> callers() {
                return Map.of();
            }
        };
        // A proxy, not an anonymous class: settings added to CollateralConfig later need no change here.
        return (CollateralConfig) java.lang.reflect.Proxy.newProxyInstance(CollateralConfig.class.getClassLoader(),
                new Class<?>[]{CollateralConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("auth")) {
                        return auth;
                    }
                    throw new UnsupportedOperationException("Callers reads only the credentials, not " + method.getName());
                });
    }
}
