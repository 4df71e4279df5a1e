package dev.crosschain.liquidation.app;

import dev.crosschain.liquidation.domain.AuctionCaps;
import dev.crosschain.liquidation.domain.PriceCurve;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiquidationConfigTest {

    /** The configuration as the properties give it (the record's accessors are the interface's methods). */
    record Curve(String kind, BigDecimal buf, BigDecimal floor, Duration duration, Duration step, BigDecimal cut,
                 Duration tail, BigDecimal cusp, Duration resetEvery, boolean resetsEnabled)
            implements LiquidationConfig.Curve {

        static Curve defaults() {
            return new Curve("stair-step", new BigDecimal("0.95"), new BigDecimal("0.50"), Duration.ofSeconds(600),
                    Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ofSeconds(600), new BigDecimal("0.60"),
                    Duration.ofSeconds(1), true);
        }

        Curve withResetsEnabled(boolean enabled) {
            return new Curve(kind, buf, floor, duration, step, cut, tail, cusp, resetEvery, enabled);
        }

        Curve withKind(String newKind) {
            return new Curve(newKind, buf, floor, duration, step, cut, tail, cusp, resetEvery, resetsEnabled);
        }

        Curve withCusp(BigDecimal newCusp) {
            return new Curve(kind, buf, floor, duration, step, cut, tail, newCusp, resetEvery, resetsEnabled);
        }

        Curve withTail(Duration newTail) {
            return new Curve(kind, buf, floor, duration, step, cut, newTail, cusp, resetEvery, resetsEnabled);
        }

        Curve withResetEvery(Duration every) {
            return new Curve(kind, buf, floor, duration, step, cut, tail, cusp, every, resetsEnabled);
        }

        @Override
        public RebaseBuffer rebaseBuffer() {
            return () -> false;
        }
    }

    @Test
    void theConfiguredCurveCarriesTailAndCuspWhileResetsAreEnabled() {
        assertThat(Curve.defaults().toCurve()).isEqualTo(PriceCurve.stairStep(new BigDecimal("0.95"), new BigDecimal("0.50"),
                Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ofSeconds(600), new BigDecimal("0.60")));
    }

    @Test
    void withoutResetsAuctionsOpenWithTailAndCuspZeroSoNoBidWaitsForAReset() {
        assertThat(Curve.defaults().withResetsEnabled(false).toCurve()).isEqualTo(PriceCurve.stairStep(new BigDecimal("0.95"),
                new BigDecimal("0.50"), Duration.ofSeconds(30), new BigDecimal("0.97"), Duration.ZERO, BigDecimal.ZERO));
    }

    @Test
    void aBadCurveConfigurationFailsWithThePropertyNamed() {
        assertThat(Curve.defaults().validated()).isEqualTo(Curve.defaults().toCurve());
        assertThat(Curve.defaults().withKind(" Linear ").validated().kind()).isEqualTo(PriceCurve.Kind.LINEAR);
        assertThatThrownBy(() -> Curve.defaults().withKind("stairstep").validated()).isInstanceOf(IllegalStateException.class)
                .hasMessage("liquidation.curve.kind must be linear, stair-step or exponential, got 'stairstep'");
        assertThatThrownBy(() -> Curve.defaults().withCusp(new BigDecimal("0.50")).validated())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("liquidation.curve.cusp must be 0 (never) or in (floor, buf)");
        assertThatThrownBy(() -> Curve.defaults().withTail(Duration.ofSeconds(30)).validated())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("liquidation.curve.tail must be 0 (never) or longer than step");
        assertThatThrownBy(() -> Curve.defaults().withTail(Duration.ofDays(8)).validated())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("liquidation.curve.tail must be");
        assertThatThrownBy(() -> Curve.defaults().withResetEvery(Duration.ZERO).validated())
                .isInstanceOf(IllegalStateException.class).hasMessage("liquidation.curve.reset-every must be positive, got PT0S");
        // without resets the tail and cusp are not used: only the curve's own parameters count
        assertThat(Curve.defaults().withResetsEnabled(false).withCusp(new BigDecimal("0.1")).validated().cusp()).isZero();
    }

    /**
     * The insurance fund ships off (a replica of the release before it would settle a new bid without the fund's legs):
     * on only where every replica runs this release, as the tests and the suite do.
     */
    @Test
    void theInsuranceFundIsOffUnlessTurnedOn() throws Exception {
        assertShippedOffAndOnInTests("liquidation.insurance-fund.enabled", LiquidationConfig.InsuranceFund.class);
    }

    @Test
    void thePenaltyRateMustBeBelowOne() {
        LiquidationConfig.Penalty ok = () -> new BigDecimal("0.02");
        assertThat(ok.validatedRate()).isEqualByComparingTo("0.02");
        assertThat(((LiquidationConfig.Penalty) () -> BigDecimal.ZERO).validatedRate()).isZero();
        assertThatThrownBy(() -> ((LiquidationConfig.Penalty) () -> BigDecimal.ONE).validatedRate())
                .isInstanceOf(IllegalStateException.class).hasMessage("liquidation.penalty.rate must be in [0, 1), got 1");
        assertThatThrownBy(() -> ((LiquidationConfig.Penalty) () -> new BigDecimal("-0.01")).validatedRate())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("liquidation.penalty.rate must be in [0, 1)");
    }

    @Test
    void theBufferShareMustBeBetweenZeroAndOne() {
        assertThat(auction(BigDecimal.ZERO).validatedBufferShare()).isEqualByComparingTo("0");
        assertThat(auction(BigDecimal.ONE).validatedBufferShare()).isEqualByComparingTo("1");
        LiquidationConfig.Auction above = auction(new BigDecimal("1.01"));
        LiquidationConfig.Auction below = auction(new BigDecimal("-0.1"));
        assertThatThrownBy(above::validatedBufferShare).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("liquidation.auction.buffer-share");
        assertThatThrownBy(below::validatedBufferShare).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("liquidation.auction.buffer-share");
    }

    /**
     * The buffer bound ships off (a replica of the release before it would fill a bid above the bound and never close
     * an auction RESTORED): on only where every replica runs this release, as the tests and the suite do.
     */
    @Test
    void theBufferBoundIsOffUnlessTurnedOn() throws Exception {
        assertShippedOffAndOnInTests("liquidation.auction.buffer-bound.enabled", LiquidationConfig.Auction.BufferBound.class);
    }

    /**
     * The re-base of the buffer at resets ships off (a replica before V7 would read re-based figures without the base
     * they count from and close an auction RESTORED below its level): on only where every replica runs this release.
     */
    @Test
    void theBufferRebaseIsOffUnlessTurnedOn() throws Exception {
        assertShippedOffAndOnInTests("liquidation.curve.rebase-buffer.enabled", LiquidationConfig.Curve.RebaseBuffer.class);
    }

    /** The switch {@code property} is off in the shipped properties and by default, on in the test profile. */
    private static void assertShippedOffAndOnInTests(String property, Class<?> group) throws Exception {
        java.util.Properties properties = new java.util.Properties();
        try (var in = LiquidationConfigTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        assertThat(properties.getProperty(property)).isEqualTo("false");
        assertThat(properties.getProperty("%test." + property)).isEqualTo("true");
        assertThat(group.getMethod("enabled").getAnnotation(io.smallrye.config.WithDefault.class).value()).isEqualTo("false");
    }

    private static LiquidationConfig.Auction auction(BigDecimal share) {
        return new LiquidationConfig.Auction() {
            @Override
            public BufferBound bufferBound() {
                return () -> true;
            }

            @Override
            public BigDecimal bufferShare() {
                return share;
            }
        };
    }

    @Test
    void capsAreReadFromQuotedChainAssetKeysAndNoneByDefault() {
        LiquidationConfig.Caps caps = caps(Map.of("liquidation.caps.global-usd", "5000",
                "liquidation.caps.asset.\"ethereum/USDC\"", "2000", "liquidation.caps.asset.\"arbitrum/ETH\"", "0"));
        assertThat(caps.validated()).isEqualTo(new AuctionCaps(new BigDecimal("5000"),
                Map.of("ethereum/USDC", new BigDecimal("2000"), "arbitrum/ETH", BigDecimal.ZERO)));
        assertThat(caps(Map.of()).validated()).isEqualTo(AuctionCaps.NONE);
        assertThatThrownBy(() -> caps(Map.of("liquidation.caps.global-usd", "-1")).validated())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("liquidation.caps");
        assertThatThrownBy(() -> caps(Map.of("liquidation.caps.asset.ethereum", "1")).validated())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("chain/asset");
    }

    @Test
    void openParallelismDefaultsTo16AndMustBeWithin1To256AndTheConnections() {
        assertThat(open(Map.of()).validatedParallelism(16)).isEqualTo(16);
        assertThat(open(Map.of("liquidation.open.parallelism", "1")).validatedParallelism(256)).isEqualTo(1);
        assertThat(open(Map.of("liquidation.open.parallelism", "256")).validatedParallelism(256)).isEqualTo(256);
        for (String bad : new String[] {"0", "-3", "257"}) {
            assertThatThrownBy(() -> open(Map.of("liquidation.open.parallelism", bad)).validatedParallelism(512))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("liquidation.open.parallelism");
        }
        assertThat(open(Map.of("liquidation.open.parallelism", "16")).validatedParallelism(16)).isEqualTo(16);
        assertThatThrownBy(() -> open(Map.of("liquidation.open.parallelism", "17")).validatedParallelism(16))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("liquidation.open.parallelism (17)")
                .hasMessageContaining("quarkus.datasource.jdbc.max-size (16)");
    }

    private static LiquidationConfig.Open open(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(LiquidationConfig.Open.class, "liquidation.open")
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getConfigMapping(LiquidationConfig.Open.class, "liquidation.open");
    }

    private static LiquidationConfig.Caps caps(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(LiquidationConfig.Caps.class, "liquidation.caps")
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getConfigMapping(LiquidationConfig.Caps.class, "liquidation.caps");
    }
}
