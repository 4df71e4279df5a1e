package dev.crosschain.collateral.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Adapter event fields are bounded printable ASCII before they reach the database: a NUL byte or a 100k-digit
 * amount failed the transaction (UNAVAILABLE), and the adapter re-sending the event stalled its chain.
 */
class AdapterInputTest {

    static final String NUL = "\u0000";
    static final String OK_HASH = "0xabc";

    static DepositEvent deposit(String tx, String block, String account, String asset, String amount) {
        return new DepositEvent(tx, 0, block, account, asset, amount);
    }

    @Test
    void aValidDepositPasses() {
        DepositEvent.ValidDeposit d = deposit(OK_HASH, "h1", "alice", "USDC", "1.5").validate(Fixtures.ETHEREUM);
        assertThat(d.amount()).isEqualByComparingTo("1.5");
        deposit("x".repeat(256), "y".repeat(256), "a".repeat(128), "USDC", "1").validate(Fixtures.ETHEREUM);
    }

    @Test
    void depositTextsWithANulByteOrBeyondTheirBoundsAreRefusedByField() {
        assertRefused(deposit("0x" + NUL, "h1", "alice", "USDC", "1"), "INVALID_TX_HASH", "deposit.tx_hash");
        assertRefused(deposit("x".repeat(257), "h1", "alice", "USDC", "1"), "INVALID_TX_HASH", "deposit.tx_hash");
        assertRefused(deposit(OK_HASH, "h" + NUL, "alice", "USDC", "1"), "INVALID_BLOCK_HASH", "deposit.block_hash");
        assertRefused(deposit(OK_HASH, "h".repeat(257), "alice", "USDC", "1"), "INVALID_BLOCK_HASH", "deposit.block_hash");
        assertRefused(deposit(OK_HASH, "h1", "al" + NUL + "ice", "USDC", "1"), "INVALID_ACCOUNT", "deposit.account_id");
        assertRefused(deposit(OK_HASH, "h1", "a".repeat(129), "USDC", "1"), "INVALID_ACCOUNT", "deposit.account_id");
        assertRefused(deposit(OK_HASH, "h1", "\u00e9lodie", "USDC", "1"), "INVALID_ACCOUNT", "deposit.account_id");
        assertRefused(deposit(OK_HASH, "h1", "alice", "USDC", "1".repeat(140_000)), "INVALID_AMOUNT", "deposit.amount");
        assertRefused(deposit(OK_HASH, "h1", "alice", "USDC", "1".repeat(31)), "INVALID_AMOUNT", "deposit.amount");
    }

    @Test
    void everyBadFieldOfADepositIsReportedAndNothingUnboundedIsEchoed() {
        String huge = "z".repeat(1_000_000);
        assertThatThrownBy(() -> deposit(huge, huge, huge, huge, huge).validate(Fixtures.ETHEREUM))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_TX_HASH");
                    assertThat(e.violations()).extracting(Violation::field)
                            .containsExactly("deposit.tx_hash", "deposit.block_hash", "deposit.account_id", "deposit.asset");
                    assertThat(e.getMessage().length()).isLessThan(2_000);
                });
        assertThatThrownBy(() -> deposit(OK_HASH, "h1", "alice", "USDC", "9".repeat(70) + "x").validate(Fixtures.ETHEREUM))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void headerHashesAreBoundedPrintableAscii() {
        new BlockHeaderEvent(1, "h".repeat(256), "", 0).validate();
        new BlockHeaderEvent(1, "h1", "p".repeat(256), 0).validate();
        assertHeaderRefused(new BlockHeaderEvent(1, "h" + NUL, "h0", 0), "INVALID_BLOCK_HASH", "header.hash");
        assertHeaderRefused(new BlockHeaderEvent(1, "h".repeat(257), "h0", 0), "INVALID_BLOCK_HASH", "header.hash");
        assertHeaderRefused(new BlockHeaderEvent(1, "", "h0", 0), "MISSING_FIELD", "header.hash");
        assertHeaderRefused(new BlockHeaderEvent(1, "h1", "h0" + NUL, 0), "INVALID_BLOCK_HASH", "header.parent_hash");
        assertHeaderRefused(new BlockHeaderEvent(1, "h1", "p".repeat(257), 0), "INVALID_BLOCK_HASH", "header.parent_hash");
    }

    @Test
    void cursorsAreOneTo256PrintableAsciiCharacters() {
        assertThat(WireText.cursorProblem("19000000:12")).isNull();
        assertThat(WireText.cursorProblem("c".repeat(256))).isNull();
        assertThat(WireText.cursorProblem("").reason()).isEqualTo("MISSING_FIELD");
        assertThat(WireText.cursorProblem("c" + NUL).reason()).isEqualTo("INVALID_CURSOR");
        assertThat(WireText.cursorProblem("c".repeat(257)).reason()).isEqualTo("INVALID_CURSOR");
        assertThat(WireText.cursorProblem("c".repeat(1_000_000)).getMessage()).hasSizeLessThan(300);
    }

    @Test
    void shownTextIsCutAndPrintable() {
        assertThat(WireText.shown("ethereum")).isEqualTo("ethereum");
        assertThat(WireText.shown("a" + NUL + "b\nc")).isEqualTo("a?b?c");
        assertThat(WireText.shown("x".repeat(100_000))).isEqualTo("x".repeat(64) + "... (100000 characters)");
    }

    @Test
    void theAccountRuleIsTheSameForWithdrawalsAndTransfers() {
        String bad = "bob" + NUL;
        assertThatThrownBy(() -> WithdrawalOrder.validate(new WithdrawalOrder.Raw("w-1", bad, "ethereum", "USDC", "1", "0xa", 0L),
                Fixtures.REGISTRY)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_ACCOUNT");
                    assertThat(e.violations()).extracting(Violation::field).containsExactly("account_id");
                });
        assertThatThrownBy(() -> TransferOrder.validate("t-1", java.util.List.of(new TransferOrder.RawLeg("alice", bad,
                "ethereum", "USDC", "1")), "", Fixtures.REGISTRY)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_ACCOUNT");
                    assertThat(e.violations()).extracting(Violation::field).containsExactly("legs[0].to_account_id");
                });
        assertThat(AccountIds.problem("a".repeat(129), "f").reason()).isEqualTo("INVALID_ACCOUNT");
        assertThat(AccountIds.problem(" ", "f").reason()).isEqualTo("MISSING_FIELD");
        assertThat(AccountIds.problem("a".repeat(128), "f")).isNull();
    }

    static void assertRefused(DepositEvent deposit, String reason, String field) {
        assertThatThrownBy(() -> deposit.validate(Fixtures.ETHEREUM)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.violations()).extracting(Violation::field).containsExactly(field);
        });
    }

    static void assertHeaderRefused(BlockHeaderEvent header, String reason, String field) {
        assertThatThrownBy(header::validate).isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.violations()).extracting(Violation::field).containsExactly(field);
        });
    }
}
