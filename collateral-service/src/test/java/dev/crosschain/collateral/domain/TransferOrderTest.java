package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransferOrderTest {

    static final TransferOrder.RawLeg GOOD = new TransferOrder.RawLeg("alice", "bob", "ethereum", "USDC", "10.5");

    @Test
    void validLegsAreNormalised() {
        TransferOrder order = TransferOrder.validate("t1", List.of(GOOD), "memo", Fixtures.REGISTRY);
        assertThat(order.legs()).singleElement().satisfies(l -> assertThat(l.amount()).isEqualByComparingTo("10.5"));
        TransferOrder same = TransferOrder.validate("t1", List.of(new TransferOrder.RawLeg("alice", "bob", "ethereum", "USDC", "10.500")), "", Fixtures.REGISTRY);
        assertThat(same.requestHash()).isEqualTo(order.requestHash());
        TransferOrder other = TransferOrder.validate("t1", List.of(new TransferOrder.RawLeg("alice", "bob", "ethereum", "USDC", "10.6")), "", Fixtures.REGISTRY);
        assertThat(other.requestHash()).isNotEqualTo(order.requestHash());
    }

    @Test
    void eachBadFieldIsNamedByItsPath() {
        assertRefused("", List.of(GOOD), "MISSING_FIELD", "transfer_id");
        assertRefused("t", List.of(), "MISSING_FIELD", "legs");
        assertRefused("t", List.of(GOOD, new TransferOrder.RawLeg("", "bob", "ethereum", "USDC", "1")), "MISSING_FIELD", "legs[1].from_account_id");
        assertRefused("t", List.of(new TransferOrder.RawLeg("alice", "alice", "ethereum", "USDC", "1")), "SAME_ACCOUNT", "legs[0].to_account_id");
        assertRefused("t", List.of(new TransferOrder.RawLeg("alice", "bob", "dogechain", "USDC", "1")), "UNKNOWN_CHAIN", "legs[0].chain_id");
        assertRefused("t", List.of(new TransferOrder.RawLeg("alice", "bob", "solana", "ETH", "1")), "UNKNOWN_ASSET", "legs[0].asset");
        assertRefused("t", List.of(GOOD, new TransferOrder.RawLeg("alice", "bob", "ethereum", "USDC", "0.0000001")), "INVALID_AMOUNT", "legs[1].amount");
        assertRefused("t", List.of(new TransferOrder.RawLeg("alice", "bob", "ethereum", "USDC", "-3")), "INVALID_AMOUNT", "legs[0].amount");
    }

    private static void assertRefused(String id, List<TransferOrder.RawLeg> legs, String reason, String field) {
        assertThatThrownBy(() -> TransferOrder.validate(id, legs, "", Fixtures.REGISTRY))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.violations()).extracting(Violation::field).contains(field);
                });
    }
}
