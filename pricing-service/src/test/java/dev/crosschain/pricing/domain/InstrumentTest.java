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
}
