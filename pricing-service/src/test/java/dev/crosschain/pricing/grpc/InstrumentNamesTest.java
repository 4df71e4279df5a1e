package dev.crosschain.pricing.grpc;

import dev.crosschain.pricing.domain.Decimals;
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

    @Test
    void aKeptQuantityOrAssetParsesAsBefore() {
        for (String text : new String[]{"-5", "0.125", "1e3", " 7 "}) {
            double expected = Decimals.parse(text, "x", "INVALID_SCENARIO").doubleValue();
            assertThat(InstrumentNames.quantity(text, () -> "positions[0].quantity", "INVALID_SCENARIO")).isEqualTo(expected);
            assertThat(InstrumentNames.quantity(text, () -> "positions[1].quantity", "INVALID_SCENARIO")).isEqualTo(expected);
        }
        for (String name : new String[]{"ETH", " ETH"}) {
            String expected = Instrument.parseAsset(name, "x");
            assertThat(InstrumentNames.asset(name, () -> "scenarios[0].spot_shocks[0].underlying")).isEqualTo(expected);
            assertThat(InstrumentNames.asset(name, () -> "scenarios[1].spot_shocks[0].underlying")).isEqualTo(expected);
        }
    }

    @Test
    void aBadQuantityOrAssetIsRefusedEveryTimeWithTheFieldOfThatCall() {
        for (String field : new String[]{"positions[0].quantity", "positions[4].quantity"}) {
            assertThatThrownBy(() -> InstrumentNames.quantity("one", () -> field, "INVALID_SCENARIO"))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                        assertThat(e.reason()).isEqualTo("INVALID_SCENARIO");
                        assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.field()).isEqualTo(field));
                    });
        }
        for (String field : new String[]{"scenarios[0].spot_shocks[0].underlying", "scenarios[2].spot_shocks[1].underlying"}) {
            assertThatThrownBy(() -> InstrumentNames.asset("eth", () -> field))
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.field()).isEqualTo(field)));
        }
    }

    @Test
    void overlongTextIsRefusedWithItsFieldAndNotEchoed() {
        String huge = "1".repeat(100_000);
        assertThatThrownBy(() -> InstrumentNames.quantity(huge, () -> "positions[2].quantity", "INVALID_SCENARIO"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations()).singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("positions[2].quantity");
                    assertThat(v.description()).hasSizeLessThan(200);
                }));
        assertThatThrownBy(() -> InstrumentNames.parse("ETH-" + huge, () -> "positions[3].instrument"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations()).singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("positions[3].instrument");
                    assertThat(v.description()).hasSizeLessThan(200);
                }));
    }

    @Test
    void aQuantityIsBoundedAndNeverInfinite() {
        for (String text : new String[]{"1e400", "-1e13", "1e-19", "1e999999999"}) {
            assertThatThrownBy(() -> InstrumentNames.quantity(text, () -> "positions[0].quantity", "INVALID_SCENARIO"))
                    .isInstanceOf(InvalidInputException.class);
        }
        assertThat(InstrumentNames.quantity("-1e12", () -> "positions[0].quantity", "INVALID_SCENARIO")).isEqualTo(-1e12);
    }

    @Test
    void theFieldPathIsBuiltOnlyForANewName() {
        InstrumentNames.parse("BTC-PERPETUAL", "instruments[0]");
        assertThat(InstrumentNames.parse("BTC-PERPETUAL", () -> {
            throw new AssertionError("a kept name needs no field path");
        })).isEqualTo(Instrument.parse("BTC-PERPETUAL", "x"));
    }
}
