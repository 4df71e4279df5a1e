package dev.crosschain.suite;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

import java.time.Duration;

/**
 * An adapter's hello refused FAILED_PRECONDITION with ErrorInfo reason CHAIN_OWNED: another stream still holds the
 * chain's lease. It is released when that stream ends, or after {@code collateral.adapters.lease} (15 s) when its
 * process died without ending it, so a refused adapter backs off and says hello again; any other error is not
 * retried. The one retry loop of the suite's adapters (the demo's {@link ChainAdapter} and the deposit benchmark).
 */
public final class ChainOwned {

    /** The service's default lease (collateral.adapters.lease) and a margin: the longest a hello is retried. */
    public static final Duration PATIENCE = Duration.ofSeconds(15 + 15);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    /** One hello on a new stream: its result once welcomed, or an exception (its cause chain tells CHAIN_OWNED). */
    @FunctionalInterface
    public interface Hello<T, E extends Exception> {
        T attempt() throws E, InterruptedException;
    }

    private ChainOwned() {
    }

    /**
     * {@code hello}'s result, retried after a backoff (100 ms doubling up to 1 s) while it fails with CHAIN_OWNED, for
     * at most {@code patience}; then, or at once for any other failure, its exception is thrown.
     */
    public static <T, E extends Exception> T retrying(String chain, Duration patience, Hello<T, E> hello)
            throws E, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        long start = System.nanoTime();
        Duration backoff = FIRST_BACKOFF;
        int refusals = 0;
        while (true) {
            try {
                T welcomed = hello.attempt();
                if (refusals > 0) {
                    System.out.printf("%s: let in after %d CHAIN_OWNED refusal(s), %d ms%n", chain, refusals,
                            (System.nanoTime() - start) / 1_000_000);
                }
                return welcomed;
            } catch (Exception e) {
                if (!is(e) || System.nanoTime() + backoff.toNanos() - deadline > 0) {
                    throw e;
                }
                refusals++;
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** True when {@code failure}, or one of its causes, is a FAILED_PRECONDITION whose ErrorInfo reason is CHAIN_OWNED. */
    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            com.google.rpc.Status status = StatusProto.fromThrowable(t);
            if (status != null && status.getCode() == Status.Code.FAILED_PRECONDITION.value()
                    && status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).anyMatch(ChainOwned::chainOwned)) {
                return true;
            }
        }
        return false;
    }

    private static boolean chainOwned(com.google.protobuf.Any detail) {
        try {
            return detail.unpack(ErrorInfo.class).getReason().equals("CHAIN_OWNED");
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }
}
