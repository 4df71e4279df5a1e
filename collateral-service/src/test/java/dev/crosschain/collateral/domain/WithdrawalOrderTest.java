package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WithdrawalOrderTest {

    static WithdrawalOrder.Raw raw(String id, String amount, String destination) {
        return new WithdrawalOrder.Raw(id, "acct", "ethereum", "USDC", amount, destination, 0L);
    }

    @Test
    void theSamePayloadWrittenDifferentlyHasTheSameHashAndAnotherPayloadAnother() {
        WithdrawalOrder a = WithdrawalOrder.validate(raw("w:1", "1.50", "0xa"), Fixtures.REGISTRY);
        WithdrawalOrder b = WithdrawalOrder.validate(raw("w:1", "1.5", "0xa"), Fixtures.REGISTRY);
        assertThat(a.amount()).isEqualByComparingTo(new BigDecimal("1.5"));
        assertThat(a.requestHash()).isEqualTo(b.requestHash());
        assertThat(WithdrawalOrder.validate(raw("w:1", "1.5", "0xb"), Fixtures.REGISTRY).requestHash()).isNotEqualTo(a.requestHash());
        assertThat(WithdrawalOrder.validate(raw("w:1", "1.6", "0xa"), Fixtures.REGISTRY).requestHash()).isNotEqualTo(a.requestHash());
    }

    @Test
    void theNotAfterInstantIsNoPartOfThePayloadAndRefusesOnlyOnceItHasPassed() {
        WithdrawalOrder unlimited = WithdrawalOrder.validate(raw("w:1", "1.5", "0xa"), Fixtures.REGISTRY);
        WithdrawalOrder fenced = WithdrawalOrder.validate(new WithdrawalOrder.Raw("w:1", "acct", "ethereum", "USDC", "1.5", "0xa",
                1_000L), Fixtures.REGISTRY);
        assertThat(fenced.notAfterUnixMs()).isEqualTo(1_000L);
        assertThat(fenced.requestHash()).isEqualTo(unlimited.requestHash());

        fenced.requireNotExpiredAt(Instant.ofEpochMilli(1_000L)); // at the instant itself: still in time
        unlimited.requireNotExpiredAt(Instant.ofEpochMilli(Long.MAX_VALUE / 2));
        // a microsecond after the instant is after it: margin may settle at not_after + skew to the microsecond
        assertThatThrownBy(() -> fenced.requireNotExpiredAt(Instant.ofEpochMilli(1_000L).plusNanos(1_000)))
                .isInstanceOf(PreconditionException.class);
        assertThatThrownBy(() -> fenced.requireNotExpiredAt(Instant.ofEpochMilli(1_001L)))
                .isInstanceOfSatisfying(PreconditionException.class, e -> {
                    assertThat(e.reason()).isEqualTo("LOCK_EXPIRED");
                    assertThat(e.subject()).isEqualTo("not_after_unix_ms");
                    assertThat(e.getMessage()).contains("1000 ms").contains("1001 ms");
                });
        assertThatThrownBy(() -> WithdrawalOrder.validate(new WithdrawalOrder.Raw("w:1", "acct", "ethereum", "USDC", "1.5", "0xa",
                -1L), Fixtures.REGISTRY))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_NOT_AFTER");
                    assertThat(e.violations()).extracting(Violation::field).containsExactly("not_after_unix_ms");
                });
    }

    @Test
    void destinationsArePrintableAsciiUpTo128() {
        assertThat(WithdrawalOrder.printableAscii(" ~", 128)).isTrue();
        assertThat(WithdrawalOrder.printableAscii("a".repeat(128), 128)).isTrue();
        assertThat(WithdrawalOrder.printableAscii("a".repeat(129), 128)).isFalse();
        assertThat(WithdrawalOrder.printableAscii("a\tb", 128)).isFalse();
        assertThat(WithdrawalOrder.printableAscii("a\u007f", 128)).isFalse();
        assertThat(WithdrawalOrder.printableAscii("", 128)).isFalse();
    }

    @Test
    void idsFollowTheProtoRule() {
        assertThat(IdempotencyKey.check("A-z_0.9:x", "id")).isNull();
        assertThat(IdempotencyKey.check("x".repeat(128), "id")).isNull();
        assertThat(IdempotencyKey.check("x".repeat(129), "id")).isNotNull();
        assertThat(IdempotencyKey.check("a/b", "id")).isNotNull();
        assertThat(IdempotencyKey.check("", "id").field()).isEqualTo("id");
    }

    @Test
    void aResultNeedsItsIdOutcomeAndForAnExecutionItsTxHash() {
        assertThatThrownBy(() -> new WithdrawalResultEvent("", null, "", "").validate())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("MISSING_FIELD");
                    assertThat(e.violations()).extracting(Violation::field)
                            .containsExactly("withdrawal_result.withdrawal_id", "withdrawal_result.outcome");
                });
        assertThatThrownBy(() -> new WithdrawalResultEvent("w", true, "", "").validate())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
                        .extracting(Violation::field).containsExactly("withdrawal_result.tx_hash"));
        assertThatThrownBy(() -> new WithdrawalResultEvent("w", true, "0x\n", "").validate())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("INVALID_TX_HASH"));
        WithdrawalResultEvent.Valid failed = new WithdrawalResultEvent("w", false, "", "x".repeat(5000)).validate();
        assertThat(failed.failureReason()).hasSize(WithdrawalResultEvent.MAX_FAILURE_REASON);
        assertThat(failed.executed()).isFalse();
    }
}
