package dev.crosschain.margin.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstrumentTest {

    @Test
    void deribitNamesParse() {
        assertThat(Instrument.parse("ETH-PERPETUAL", "f")).isEqualTo(new Instrument.Perpetual("ETH"));
        assertThat(Instrument.parse("BTC-27DEC26", "f")).isEqualTo(new Instrument.Future("BTC", LocalDate.of(2026, 12, 27)));
        assertThat(Instrument.parse("ETH-27DEC26-3000-C", "f"))
                .isEqualTo(new Instrument.Option("ETH", LocalDate.of(2026, 12, 27), new BigDecimal("3000"), OptionType.CALL));
        assertThat(Instrument.parse("SOL-5JAN27-150.5-P", "f").name()).isEqualTo("SOL-5JAN27-150.5-P");
        assertThat(Instrument.parse(" ETH-27DEC26-3000-C ", "f").name()).isEqualTo("ETH-27DEC26-3000-C");
        assertThat(Instrument.parse("ETH-PERPETUAL", "f").linear()).isTrue();
        assertThat(Instrument.parse("ETH-27DEC26-3000-C", "f").linear()).isFalse();
    }

    @Test
    void badNamesAreUnknownInstruments() {
        for (String bad : List.of("ETH", "ETH-", "eth-PERPETUAL", "ETH-PERP", "ETH-32DEC26", "ETH-27XYZ26", "ETH-27DEC26-3000",
                "ETH-27DEC26-0-C", "ETH-27DEC26-3000-X", "ETH-27DEC26--C", "ETH-27DEC26-3000-C-1", "ETH-30FEB26")) {
            assertThatThrownBy(() -> Instrument.parse(bad, "instrument")).as(bad)
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                        assertThat(e.reason()).isEqualTo("UNKNOWN_INSTRUMENT");
                        assertThat(e.violations()).extracting(Violation::field).containsExactly("instrument");
                    });
        }
        assertThatThrownBy(() -> Instrument.parse("", "instrument"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("MISSING_FIELD"));
    }
}
