package dev.crosschain.liquidation.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.domain.FundCheck;
import io.grpc.Status;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** What the service's gRPC tests share: one channel to the service under test, waiting, error details. */
final class TestSupport {

    /** Longest wait for something the service does asynchronously. */
    static final Duration PATIENCE = Duration.ofSeconds(20);
    /** The service's gRPC test port (quarkus.grpc.server.test-port). */
    static final int SERVICE_PORT = 19104;

    /** The insurance fund as tests that call the store directly see it: on, no penalty, its balance not read. */
    static final FundCheck NO_PENALTY = new FundCheck(true, "insurance-fund", BigDecimal.ZERO, null, null);

    private static ManagedChannel channel;

    private TestSupport() {
    }

    /** One plaintext channel to the service under test for every test class, closed when the JVM exits. */
    /**
     * The service's configuration with one group replaced (a @TestProfile restart fails in this build): {@code group}
     * is the LiquidationConfig method's name, {@code value} what it returns.
     */
    static LiquidationConfig configWith(LiquidationConfig config, String group, Object value) {
        return (LiquidationConfig) Proxy.newProxyInstance(LiquidationConfig.class.getClassLoader(),
                new Class<?>[]{LiquidationConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals(group)) {
                        return value;
                    }
                    try {
                        return method.invoke(config, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static synchronized ManagedChannel channel() {
        if (channel == null) {
            ManagedChannel created = ManagedChannelBuilder.forAddress("localhost", SERVICE_PORT).usePlaintext().build();
            Runtime.getRuntime().addShutdownHook(new Thread(created::shutdownNow));
            channel = created;
        }
        return channel;
    }

    /** Polls the condition every 25 ms until it holds; fails after PATIENCE. */
    static void awaitUntil(String what, BooleanSupplier condition) {
        awaitUntil(what, PATIENCE, condition);
    }

    /** Polls the condition every 25 ms until it holds; fails after {@code patience}. */
    static void awaitUntil(String what, Duration patience, BooleanSupplier condition) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
        }
    }

    /** Runs the call and checks it fails with that code and ErrorInfo reason (domain liquidation.crosschain). */
    static StatusRuntimeException assertError(Supplier<?> call, Status.Code code, String reason) {
        try {
            call.get();
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(code);
            assertThat(errorInfo(e).getReason()).isEqualTo(reason);
            assertThat(errorInfo(e).getDomain()).isEqualTo("liquidation.crosschain");
            return e;
        }
        return fail("expected " + code + " " + reason);
    }

    /** INVALID_ARGUMENT with that reason and a described BadRequest violation of exactly these fields. */
    static void assertInvalid(Supplier<?> call, String reason, String... fields) {
        StatusRuntimeException e = assertError(call, Status.Code.INVALID_ARGUMENT, reason);
        BadRequest badRequest = detail(e, BadRequest.class);
        assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).containsExactly(fields);
        assertThat(badRequest.getFieldViolationsList()).allMatch(v -> !v.getDescription().isBlank());
    }

    static List<String> preconditionTypes(StatusRuntimeException e) {
        return detail(e, PreconditionFailure.class).getViolationsList().stream().map(PreconditionFailure.Violation::getType).toList();
    }

    static ErrorInfo errorInfo(StatusRuntimeException e) {
        return detail(e, ErrorInfo.class);
    }

    /** The google.rpc detail of that type in the status trailers; fails when there is none. */
    static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).as("rich status in " + e).isNotNull();
        return status.getDetailsList().stream().filter(d -> d.is(type)).findFirst().map(d -> {
            try {
                return d.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                throw new IllegalStateException(x);
            }
        }).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
    }
}
