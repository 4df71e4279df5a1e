package dev.crosschain.margin.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Position arithmetic as a table: before, trade, after, realized. */
class PositionTest {

    static final String PERP = "ETH-PERPETUAL";

    /** One row: position (qty @ entry), signed trade (qty @ price), expected position and realized PnL. */
    record Row(String name, String qty, String entry, String trade, String price, String afterQty, String afterEntry, String realized) {
    }

    static final List<Row> ROWS = List.of(
            new Row("open long from flat", "0", "0", "2", "100", "2", "100", "0"),
            new Row("increase long: weighted entry", "2", "100", "1", "130", "3", "110", "0"),
            new Row("reduce long: realizes, entry kept", "3", "110", "-1", "150", "2", "110", "40"),
            new Row("flip long to short: realizes closed part, rest at fill price", "2", "110", "-5", "90", "-3", "90", "-40"),
            new Row("close short at a loss", "-3", "90", "3", "100", "0", "0", "-30"),
            new Row("increase short: weighted entry", "-2", "100", "-1", "130", "-3", "110", "0"),
            new Row("reduce short at a profit", "-3", "110", "1", "80", "-2", "110", "30"),
            new Row("flip short to long", "-1", "50", "3", "60", "2", "60", "-10"),
            new Row("fractional quantities", "0.5", "2000", "-0.2", "2100.5", "0.3", "2000", "20.1"));

    @Test
    void tradesMoveThePositionAndRealizeAsTheTableSays() {
        for (Row row : ROWS) {
            Position before = new Position(PERP, new BigDecimal(row.qty()), new BigDecimal(row.entry()));
            Position.Change change = before.trade(new BigDecimal(row.trade()), new BigDecimal(row.price()));
            assertThat(change.after().quantity()).as(row.name() + " qty").isEqualByComparingTo(row.afterQty());
            assertThat(change.after().averageEntryPrice()).as(row.name() + " entry").isEqualByComparingTo(row.afterEntry());
            assertThat(change.realizedPnl()).as(row.name() + " realized").isEqualByComparingTo(row.realized());
            assertThat(change.realizedPnl().scale()).as(row.name() + " realized scale").isEqualTo(8);
        }
    }

    @Test
    void nonTerminatingAverageIsRoundedHalfEvenAtPriceScale() {
        Position p = new Position(PERP, new BigDecimal("1"), new BigDecimal("100")).trade(new BigDecimal("2"), new BigDecimal("101")).after();
        assertThat(p.averageEntryPrice()).isEqualByComparingTo("100.666666666667");
    }

    @Test
    void optionPremiumIsCashAtTheFill() {
        Instrument call = Instrument.parse("ETH-27DEC26-3500-C", "i");
        Position.Change buy = Book.fill(call, Position.flat(call.name()), new BigDecimal("2"), new BigDecimal("100"));
        assertThat(buy.realizedPnl()).isEqualByComparingTo("-200");
        assertThat(buy.after().quantity()).isEqualByComparingTo("2");
        Position.Change sell = Book.fill(call, buy.after(), new BigDecimal("-2"), new BigDecimal("130"));
        assertThat(sell.realizedPnl()).isEqualByComparingTo("260"); // round trip: +60 in all
        assertThat(sell.after().isFlat()).isTrue();
        // a transfer moves the option without cash
        assertThat(Book.receive(call, Position.flat(call.name()), new BigDecimal("-1"), new BigDecimal("100")).realizedPnl()).isZero();
    }

    @Test
    void perpetualTransferMergesAsAFillAtTheGivenPrice() {
        Instrument perp = Instrument.parse(PERP, "i");
        Position.Change change = Book.receive(perp, new Position(PERP, new BigDecimal("1"), new BigDecimal("3000")),
                new BigDecimal("1"), new BigDecimal("2000"));
        assertThat(change.after().averageEntryPrice()).isEqualByComparingTo("2500");
        assertThat(change.realizedPnl()).isZero();
    }
}
