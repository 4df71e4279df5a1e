package dev.crosschain.suite;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The suite adapters' hello retry: only CHAIN_OWNED is retried, for a bounded time. */
class ChainOwnedTest {

    static StatusRuntimeException refused(Status.Code code, String reason) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder().setCode(code.value())
                .setMessage("refused").addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason)
                        .setDomain("collateral.crosschain.dev").build())).build());
    }

    static final StatusRuntimeException CHAIN_OWNED = refused(Status.Code.FAILED_PRECONDITION, "CHAIN_OWNED");

    @Test
    void recognisesChainOwnedAlsoAsACause() {
        assertThat(ChainOwned.is(CHAIN_OWNED)).isTrue();
        assertThat(ChainOwned.is(new IllegalStateException("the ethereum adapter stream failed", CHAIN_OWNED))).isTrue();
        assertThat(ChainOwned.is(new ExecutionException(CHAIN_OWNED))).isTrue();
        assertThat(ChainOwned.is(refused(Status.Code.FAILED_PRECONDITION, "CHAIN_HALTED"))).isFalse();
        assertThat(ChainOwned.is(refused(Status.Code.PERMISSION_DENIED, "CHAIN_OWNED"))).isFalse();
        assertThat(ChainOwned.is(Status.FAILED_PRECONDITION.asRuntimeException())).isFalse();
        assertThat(ChainOwned.is(new IllegalStateException("no answer"))).isFalse();
    }

    @Test
    void aHelloRefusedChainOwnedIsSaidAgainUntilWelcomed() throws Exception {
        AtomicInteger hellos = new AtomicInteger();
        String welcomed = ChainOwned.retrying("ethereum", Duration.ofSeconds(10), () -> {
            if (hellos.incrementAndGet() <= 3) {
                throw new IllegalStateException("the ethereum adapter stream failed", CHAIN_OWNED);
            }
            return "welcome";
        });
        assertThat(welcomed).isEqualTo("welcome");
        assertThat(hellos).hasValue(4);
    }

    @Test
    void anyOtherFailureIsThrownAtOnce() {
        AtomicInteger hellos = new AtomicInteger();
        StatusRuntimeException denied = refused(Status.Code.PERMISSION_DENIED, "BAD_CREDENTIAL");
        assertThatThrownBy(() -> ChainOwned.retrying("ethereum", Duration.ofSeconds(10), () -> {
            hellos.incrementAndGet();
            throw denied;
        })).isSameAs(denied);
        assertThat(hellos).hasValue(1);
    }

    @Test
    void theWaitIsBounded() {
        AtomicInteger hellos = new AtomicInteger();
        long start = System.nanoTime();
        assertThatThrownBy(() -> ChainOwned.retrying("ethereum", Duration.ofMillis(500), () -> {
            hellos.incrementAndGet();
            throw CHAIN_OWNED;
        })).isSameAs(CHAIN_OWNED);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).isLessThan(500 + 1_000); // the patience, and less than one more backoff
        assertThat(hellos.get()).isBetween(2, 5); // 100, 200 ms backoffs fit in 500 ms
    }
}
