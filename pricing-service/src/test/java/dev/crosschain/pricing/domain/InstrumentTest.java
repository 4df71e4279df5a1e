package dev.crosschain.pricing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstrumentTest {

    @Test
    void parsesDeribitNames() {
        assertThat(Instrument.parse("ETH", "f")).isEqualTo(new Instrument.Spot("ETH"));
        assertThat(Instrument.parse("ETH-PERPETUAL", "f")).isEqualTo(new Instrument.Perpetual("ETH"));
        assertThat(Instrument.parse("BTC-27DEC26", "f")).isEqualTo(new Instrument.Future("BTC", LocalDate.of(2026, 12, 27)));
        Instrument.Option option = (Instrument.Option) Instrument.parse("BTC-27DEC26-100000-C", "f");
        assertThat(option.strike()).isEqualByComparingTo(new BigDecimal("100000"));
        assertThat(option.type()).isEqualTo(OptionType.CALL);
        assertThat(option.expiry()).isEqualTo(Instant.parse("2026-12-27T08:00:00Z"));
        assertThat(option.name()).isEqualTo("BTC-27DEC26-100000-C");
    }

    @Test
    void badNamesNameTheField() {
        for (String bad : new String[]{"", "eth", "ETH-PERP", "ETH-32DEC26", "ETH-27DEC26-0-C", "ETH-27DEC26-3000-X", "ETH-27DEC26-abc-C"}) {
            assertThatThrownBy(() -> Instrument.parse(bad, "instruments[0]"))
                    .as(bad)
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                        assertThat(e.reason()).isEqualTo("UNKNOWN_INSTRUMENT");
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("instruments[0]");
                    });
        }
    }

    @Test
    void strikesAreBoundedLikePricesSoTheyStayFiniteAndNonZeroAsDoubles() {
        // 1E400 is infinite and 1E-400 zero as a double; 16 integer digits or 19 decimals are past the bound.
        for (String strike : new String[]{"1E400", "0." + "0".repeat(399) + "1", "1000000000000000", "0.0000000000000000001", "NaN"}) {
            String name = "ETH-25DEC26-" + strike + "-C";
            assertThatThrownBy(() -> Instrument.parse(name, "instruments[0]"))
                    .as(name)
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                        assertThat(e.reason()).isEqualTo("UNKNOWN_INSTRUMENT");
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("instruments[0]");
                    });
        }
        // The largest and smallest accepted.
        assertThat(((Instrument.Option) Instrument.parse("ETH-25DEC26-999999999999999-C", "f")).strike().doubleValue())
                .isEqualTo(999999999999999.0);
        assertThat(((Instrument.Option) Instrument.parse("ETH-25DEC26-0.000000000000000001-P", "f")).strike().doubleValue())
                .isEqualTo(1e-18);
        assertThat(Instrument.parse("ETH-25DEC26-3E3-C", "f").name()).isEqualTo("ETH-25DEC26-3000-C");
    }
}
