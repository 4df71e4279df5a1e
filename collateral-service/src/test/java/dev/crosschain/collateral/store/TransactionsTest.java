package dev.crosschain.collateral.store;

import dev.crosschain.collateral.domain.InvalidInputException;
import dev.crosschain.postgres.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The last line of defence behind the domain's bounds: a value PostgreSQL refuses (SQLSTATE class 22) is bad input
 * that no retry fixes, not an unavailable database.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class TransactionsTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aNulByteInTextIsInvalidInputNotAnOutage() {
        assertThatThrownBy(() -> Transactions.readCommitted(dataSource, "storing text", c -> select(c, "SELECT ?::text", "a\u0000b")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_VALUE");
                    assertThat(e.getMessage()).contains("22021");
                });
    }

    @Test
    void aNumericOverflowIsInvalidInputAndTheValueIsNotEchoed() {
        String huge = "9".repeat(140_000);
        assertThatThrownBy(() -> Transactions.readCommitted(dataSource, "storing an amount", c -> select(c, "SELECT ?::numeric", huge)))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_VALUE");
                    assertThat(e.getMessage()).hasSizeLessThan(300);
                });
    }

    @Test
    void otherFailuresStayStoreExceptions() {
        assertThatThrownBy(() -> Transactions.readCommitted(dataSource, "reading nothing", c -> select(c, "SELECT ? FROM no_such_table", "x")))
                .isInstanceOf(StoreException.class);
    }

    static String select(java.sql.Connection c, String sql, String value) throws java.sql.SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, value);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
