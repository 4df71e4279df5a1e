package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BootstrapSurfaceTest {

    static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
    static final double TOL = 1e-15;

    @Test
    void oneYearSliceWithExactlyTheAtmVolAtTheMoneyAndAPutSkew() {
        VolSurface surface = BootstrapSurface.of("ETH", 0.75, -0.3, 0.2, 0.1, AT);
        assertThat(surface.version()).isZero();
        assertThat(surface.configured()).isTrue();
        assertThat(surface.fittedAt()).isEqualTo(AT);
        assertThat(surface.slices()).hasSize(1);
        SviSlice slice = surface.slices().get(0);
        assertThat(slice.years()).isEqualTo(1.0);
        assertThat(slice.expiry()).isEqualTo(Instant.parse("2027-03-01T12:00:00Z"));
        SviParameters p = slice.params();
        // a = 0.75^2 - 0.2 * 0.1 = 0.5425, so w(0) = a + b sigma = 0.5625 = 0.75^2.
        assertThat(p.a()).isCloseTo(0.5425, within(TOL));
        assertThat(Math.sqrt(p.totalVariance(0.0))).isCloseTo(0.75, within(TOL));
        // Put skew: at k = -0.2, w = 0.5425 + 0.2 (0.06 + sqrt(0.05)) > at k = +0.2, w = 0.5425 + 0.2 (-0.06 + sqrt(0.05)).
        assertThat(p.totalVariance(-0.2)).isCloseTo(0.5425 + 0.2 * (0.06 + Math.sqrt(0.05)), within(TOL))
                .isGreaterThan(p.totalVariance(0.2));
    }

    @Test
    void settingsThatGiveNoSensibleSmileAreRefusedAtStartUp() {
        assertThatThrownBy(() -> BootstrapSurface.of("ETH", 0.0, -0.3, 0.2, 0.1, AT)).hasMessageContaining("atm-vol");
        assertThatThrownBy(() -> BootstrapSurface.of("ETH", 6.0, -0.3, 0.2, 0.1, AT)).hasMessageContaining("atm-vol");
        assertThatThrownBy(() -> BootstrapSurface.of("ETH", 0.75, -1.0, 0.2, 0.1, AT)).hasMessageContaining("|rho|");
        assertThatThrownBy(() -> BootstrapSurface.of("ETH", 0.75, 0.5, 3.0, 0.1, AT)).hasMessageContaining("wing slope");
        assertThatThrownBy(() -> BootstrapSurface.of("ETH", 0.75, -0.3, 0.2, 0.0, AT)).hasMessageContaining("sigma");
        // a = 0.01 - 2 * 0.5 < 0 and the minimum total variance is negative.
        assertThatThrownBy(() -> BootstrapSurface.of("BTC", 0.1, -0.9, 2.0, 0.5, AT))
                .hasMessageContaining("BTC").hasMessageContaining("total variance");
    }
}
