package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.Instrument;
import dev.crosschain.pricing.domain.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstrumentNamesTest {

    @Test
    void aKeptNameParsesAsBefore() {
        Instrument first = InstrumentNames.parse("ETH-27DEC30-3000-P", "positions[0].instrument");
        Instrument again = InstrumentNames.parse("ETH-27DEC30-3000-P", "positions[7].instrument");
        assertThat(again).isEqualTo(Instrument.parse("ETH-27DEC30-3000-P", "x")).isSameAs(first);
    }

    @Test
    void aBadNameIsRefusedEveryTimeWithTheFieldOfThatCall() {
        for (String field : new String[]{"instruments[0]", "instruments[3]"}) {
            assertThatThrownBy(() -> InstrumentNames.parse("ETH-31FEB30-3000-P", field))
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.field()).isEqualTo(field)));
        }
    }
}
