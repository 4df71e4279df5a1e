package dev.crosschain.collateral.grpc;

import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.WithdrawalInstruction;
import dev.crosschain.proto.collateral.v1.WithdrawalOutcome;
import dev.crosschain.proto.collateral.v1.WithdrawalResult;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** A test chain adapter on a real bidi stream: sends one request, awaits its one answer. */
final class AdapterConnection implements AutoCloseable {

    static final long PATIENCE_MS = 15_000;
    /** The tip each chain has in the database shared by the tests: height and hash. */
    private static final Map<String, long[]> HEIGHTS = new HashMap<>();
    private static final Map<String, String> TIPS = new HashMap<>();

    final String chain;
    private final BlockingQueue<ConnectAdapterResponse> responses = new LinkedBlockingQueue<>();
    /** Withdrawal instructions arrive between acks at any time: kept apart from the answers. */
    private final BlockingQueue<WithdrawalInstruction> instructions = new LinkedBlockingQueue<>();
    /** Every instruction received on this stream, in order. */
    final List<WithdrawalInstruction> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final CountDownLatch failed = new CountDownLatch(1);
    /** Counted down when the service ends the stream, by completion or failure. */
    private final CountDownLatch ended = new CountDownLatch(1);
    private final StreamObserver<ConnectAdapterRequest> requests;
    private int cursor;
    private Welcome welcome;

    AdapterConnection(CollateralServiceGrpc.CollateralServiceStub stub, String chain) {
        this.chain = chain;
        this.requests = stub.connectAdapter(new StreamObserver<>() {
            @Override
            public void onNext(ConnectAdapterResponse value) {
                if (value.hasWithdrawalInstruction()) {
                    received.add(value.getWithdrawalInstruction());
                    instructions.add(value.getWithdrawalInstruction());
                } else {
                    responses.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                error.set(t);
                failed.countDown();
                ended.countDown();
            }

            @Override
            public void onCompleted() {
                ended.countDown();
            }
        });
    }

    /** The test profile's credential of a chain (application.properties). */
    static String credentialOf(String chain) {
        return "test-" + chain + "-secret";
    }

    Welcome hello() {
        return hello(credentialOf(chain));
    }

    /**
     * A new stream welcomed on the chain after the test killed the chain's previous stream. The service gives up
     * that stream's lease when it notices the cancellation, which the test cannot await, so a hello refused
     * CHAIN_OWNED is retried on a new stream (as a real adapter would) until {@link #PATIENCE_MS}.
     */
    static AdapterConnection welcomedAfterKill(CollateralServiceGrpc.CollateralServiceStub stub, String chain) {
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        while (true) {
            AdapterConnection connection = new AdapterConnection(stub, chain);
            connection.requests.onNext(connection.helloRequest(credentialOf(chain)));
            try {
                assertThat(connection.answeredOrEnded(PATIENCE_MS)).as("hello answered or stream ended").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (!connection.responses.isEmpty()) {
                connection.welcomed(connection.next());
                return connection;
            }
            Throwable error = connection.error.get();
            boolean owned = error instanceof StatusRuntimeException refused
                    && "CHAIN_OWNED".equals(CollateralGrpcServiceTest.errorInfo(refused).getReason());
            if (!owned || System.currentTimeMillis() > deadline) {
                fail("hello on " + chain + " not welcomed: " + error);
            }
        }
    }

    /** Waits for the stream's first answer or its end, whichever comes first. */
    private boolean answeredOrEnded(long patienceMs) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patienceMs);
        while (responses.isEmpty()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (ended.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)), TimeUnit.NANOSECONDS)) {
                return true;
            }
        }
        return true;
    }

    Welcome hello(String credential) {
        requests.onNext(helloRequest(credential));
        return welcomed(next());
    }

    private ConnectAdapterRequest helloRequest(String credential) {
        return ConnectAdapterRequest.newBuilder().setHello(AdapterHello.newBuilder()
                .setChainId(chain).setAdapterId("test-" + chain).setCredential(credential)).build();
    }

    /** The welcome this stream's hello got. */
    Welcome welcome() {
        assertThat(welcome).as("welcomed").isNotNull();
        return welcome;
    }

    private Welcome welcomed(ConnectAdapterResponse response) {
        assertThat(response.hasWelcome()).as("welcome").isTrue();
        welcome = response.getWelcome();
        if (!welcome.getTipHash().isEmpty()) {
            // Other test classes (AdapterStreamProofTest) extend the shared chains too: go on from the stored tip.
            synchronized (HEIGHTS) {
                HEIGHTS.computeIfAbsent(chain, k -> new long[]{100})[0] = welcome.getTipHeight();
                TIPS.put(chain, welcome.getTipHash());
            }
        }
        return welcome;
    }

    /** Sends a raw request and awaits the stream's failure. */
    StatusRuntimeException failsWith(ConnectAdapterRequest request) {
        requests.onNext(request);
        try {
            assertThat(failed.await(PATIENCE_MS, TimeUnit.MILLISECONDS)).as("stream failed").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(responses).as("no answer before the failure").isEmpty();
        assertThat(error.get()).isInstanceOf(StatusRuntimeException.class);
        return (StatusRuntimeException) error.get();
    }

    Ack send(ConnectAdapterRequest.Builder request) {
        ConnectAdapterResponse response;
        requests.onNext(request.build());
        response = next();
        assertThat(response.hasAck()).as("ack").isTrue();
        return response.getAck();
    }

    /**
     * Sends every request without waiting (a burst the service may apply in one transaction), then awaits one
     * ack per request, in the order received.
     */
    List<Ack> sendAll(List<ConnectAdapterRequest> burst) {
        burst.forEach(requests::onNext);
        List<Ack> acks = new java.util.ArrayList<>(burst.size());
        for (int i = 0; i < burst.size(); i++) {
            ConnectAdapterResponse response = next();
            assertThat(response.hasAck()).as("ack " + i).isTrue();
            acks.add(response.getAck());
        }
        return acks;
    }

    /** Sends every request without waiting and awaits none. */
    void sendWithoutWaiting(List<ConnectAdapterRequest> burst) {
        burst.forEach(requests::onNext);
    }

    /** Awaits the next ack. */
    Ack nextAck() {
        ConnectAdapterResponse response = next();
        assertThat(response.hasAck()).as("ack").isTrue();
        return response.getAck();
    }

    /** Cancels the call from the adapter's side, as a crashed adapter's connection ends. */
    void kill() {
        requests.onError(new IllegalStateException("adapter killed by the test"));
    }

    /** A header request with the next cursor. */
    ConnectAdapterRequest headerRequest(long height, String hash, String parent) {
        return ConnectAdapterRequest.newBuilder().setCursor(nextCursor())
                .setHeader(BlockHeader.newBuilder().setHeight(height).setHash(hash).setParentHash(parent)).build();
    }

    /** A deposit request with the next cursor. */
    ConnectAdapterRequest depositRequest(String tx, int logIndex, String block, String account, String asset, String amount) {
        return ConnectAdapterRequest.newBuilder().setCursor(nextCursor()).setDeposit(Deposit.newBuilder()
                .setTxHash(tx).setLogIndex(logIndex).setBlockHash(block).setAccountId(account).setAsset(asset).setAmount(amount)).build();
    }

    /** Headers sent in a burst were applied: the tests' known tip of the chain moves to this one. */
    static void tipIs(String chain, long height, String hash) {
        synchronized (HEIGHTS) {
            HEIGHTS.computeIfAbsent(chain, k -> new long[]{100})[0] = height;
            TIPS.put(chain, hash);
        }
    }

    String nextCursor() {
        return chain + ":" + (++cursor) + ":" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** A header extending the tip the tests know; returns its hash. */
    String extend() {
        long height;
        String parent;
        synchronized (HEIGHTS) {
            height = HEIGHTS.computeIfAbsent(chain, k -> new long[]{100})[0] + 1;
            parent = TIPS.getOrDefault(chain, "");
        }
        String hash = chain + "-b" + height + "-" + UUID.randomUUID().toString().substring(0, 8);
        Ack ack = header(height, hash, parent);
        assertThat(ack.getRejection().getMessage()).isEmpty();
        return hash;
    }

    /** Sends a header and, when applied, makes it the known tip. */
    Ack header(long height, String hash, String parent) {
        Ack ack = send(ConnectAdapterRequest.newBuilder().setCursor(nextCursor())
                .setHeader(BlockHeader.newBuilder().setHeight(height).setHash(hash).setParentHash(parent)));
        if (ack.getOutcome() == dev.crosschain.proto.collateral.v1.AckOutcome.ACK_OUTCOME_APPLIED) {
            synchronized (HEIGHTS) {
                HEIGHTS.computeIfAbsent(chain, k -> new long[]{100})[0] = height;
                TIPS.put(chain, hash);
            }
        }
        return ack;
    }

    static long tipHeight(String chain) {
        synchronized (HEIGHTS) {
            return HEIGHTS.computeIfAbsent(chain, k -> new long[]{100})[0];
        }
    }

    static String tipHash(String chain) {
        synchronized (HEIGHTS) {
            return TIPS.getOrDefault(chain, "");
        }
    }

    Ack deposit(String tx, int logIndex, String block, String account, String asset, String amount) {
        return send(ConnectAdapterRequest.newBuilder().setCursor(nextCursor()).setDeposit(Deposit.newBuilder()
                .setTxHash(tx).setLogIndex(logIndex).setBlockHash(block).setAccountId(account).setAsset(asset).setAmount(amount)));
    }

    /** The instruction for {@code withdrawalId}, received before or awaited; fails after the patience. */
    WithdrawalInstruction instruction(String withdrawalId) {
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        try {
            while (true) {
                for (WithdrawalInstruction seen : received) {
                    if (seen.getWithdrawalId().equals(withdrawalId)) {
                        return seen;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || instructions.poll(left, TimeUnit.MILLISECONDS) == null) {
                    return fail("no instruction for " + withdrawalId + " within " + PATIENCE_MS + " ms; stream error: " + error.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Ack result(String withdrawalId, WithdrawalOutcome outcome, String txHash, String failureReason) {
        return send(ConnectAdapterRequest.newBuilder().setCursor(nextCursor()).setWithdrawalResult(WithdrawalResult.newBuilder()
                .setWithdrawalId(withdrawalId).setOutcome(outcome).setTxHash(txHash).setFailureReason(failureReason)));
    }

    private ConnectAdapterResponse next() {
        try {
            ConnectAdapterResponse response = responses.poll(PATIENCE_MS, TimeUnit.MILLISECONDS);
            if (response == null) {
                fail("no answer within " + PATIENCE_MS + " ms; stream error: " + error.get());
            }
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Half-closes the stream and awaits its end: the service ends it only after giving up the chain's lease, so the
     * next test's hello on the chain is granted at once (as for a real adapter that reconnects cleanly).
     */
    @Override
    public void close() {
        try {
            requests.onCompleted();
        } catch (IllegalStateException ignored) {
            // already failed
        }
        try {
            assertThat(ended.await(PATIENCE_MS, TimeUnit.MILLISECONDS)).as("stream of " + chain + " ended after close").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The stream's failure status once the service ended it with an error, awaited. */
    StatusRuntimeException failure() {
        try {
            assertThat(failed.await(PATIENCE_MS, TimeUnit.MILLISECONDS)).as("stream failed").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(error.get()).isInstanceOf(StatusRuntimeException.class);
        return (StatusRuntimeException) error.get();
    }

    /** Sends a hello and returns the stream's failure (the hello refused). */
    StatusRuntimeException helloRefused() {
        return failsWith(helloRequest(credentialOf(chain)));
    }
}
