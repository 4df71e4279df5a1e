package dev.crosschain.margin.app;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollateralCredentialTest {

    @Test
    void productionRefusesToStartWithoutTheToken() {
        assertThatThrownBy(() -> CollateralCredential.require(LaunchMode.NORMAL, Optional.empty()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MARGIN_COLLATERAL_TOKEN");
        assertThatThrownBy(() -> CollateralCredential.require(LaunchMode.NORMAL, Optional.of("  ")))
                .isInstanceOf(IllegalStateException.class);
        assertThatCode(() -> CollateralCredential.require(LaunchMode.NORMAL, Optional.of("t"))).doesNotThrowAnyException();
        assertThatCode(() -> CollateralCredential.require(LaunchMode.DEVELOPMENT, Optional.empty())).doesNotThrowAnyException();
        assertThatCode(() -> CollateralCredential.require(LaunchMode.TEST, Optional.empty())).doesNotThrowAnyException();
    }
}
