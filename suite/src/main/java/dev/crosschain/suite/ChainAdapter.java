package dev.crosschain.suite;

import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.BlockHeader;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.Deposit;
import dev.crosschain.proto.collateral.v1.Heartbeat;
import dev.crosschain.proto.collateral.v1.Welcome;
import io.grpc.stub.StreamObserver;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal chain adapter, as the venue's real ones speak to collateral-service: one stream per
 * chain, each event answered by an ack after it is durable; events go one at a time, or pipelined
 * up to a window of unacknowledged ones ({@link #deposits}).
 */
public final class ChainAdapter implements AutoCloseable {

    private static final long ANSWER_SECONDS = 15;

    private final String chainId;
    private final StreamObserver<ConnectAdapterRequest> requests;
    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final Welcome welcome;
    private long sequence;
    private String parentHash;

    private ChainAdapter(String chainId, Endpoints endpoints) throws InterruptedException {
        this.chainId = chainId;
        this.requests = endpoints.collateralStreams().connectAdapter(new StreamObserver<>() {
            @Override
            public void onNext(ConnectAdapterResponse response) {
                // The demo locks no withdrawal; an instruction (arriving between acks) is not an answer.
                if (!response.hasWithdrawalInstruction()) {
                    answers.add(response);
                }
            }

            @Override
            public void onError(Throwable t) {
                answers.add(t);
            }

            @Override
            public void onCompleted() {
                answers.add(new IllegalStateException("collateral-service closed the " + chainId + " adapter stream"));
            }
        });
        requests.onNext(ConnectAdapterRequest.newBuilder()
                .setHello(AdapterHello.newBuilder().setChainId(chainId).setAdapterId("demo-" + chainId)
                        .setCredential(endpoints.credentials().adapter(chainId))).build());
        ConnectAdapterResponse first = next();
        if (!first.hasWelcome()) {
            throw new IllegalStateException("expected a welcome, got " + first);
        }
        this.welcome = first.getWelcome();
    }

    /**
     * Opens the chain's adapter stream. A hello refused CHAIN_OWNED (the chain's lease still held by another stream,
     * e.g. one of a process that died: released after collateral.adapters.lease) is said again after a backoff, for
     * at most {@link ChainOwned#PATIENCE}; any other failure is thrown at once.
     */
    public static ChainAdapter connect(String chainId, Endpoints endpoints) throws InterruptedException {
        return connect(chainId, endpoints, ChainOwned.PATIENCE);
    }

    /** As {@link #connect(String, Endpoints)}, retrying CHAIN_OWNED for at most {@code patience}. */
    public static ChainAdapter connect(String chainId, Endpoints endpoints, java.time.Duration patience) throws InterruptedException {
        // A refused hello's stream is already ended by the service: nothing to close before the next one.
        return ChainOwned.retrying(chainId, patience, () -> new ChainAdapter(chainId, endpoints));
    }

    public Welcome welcome() {
        return welcome;
    }

    /** Sends the next block of this adapter's chain; the first one starts from an unknown parent. */
    public Ack header(long height, String hash) throws InterruptedException {
        BlockHeader.Builder header = BlockHeader.newBuilder().setHeight(height).setHash(hash)
                .setParentHash(parentHash == null ? "genesis-of-" + hash : parentHash)
                .setTimestampUnixMs(System.currentTimeMillis());
        parentHash = hash;
        return send(ConnectAdapterRequest.newBuilder().setHeader(header));
    }

    /** Says the adapter is alive and has seen blocks up to {@code headHeight}: a chain silent too long turns DEGRADED. */
    public Ack heartbeat(long headHeight) throws InterruptedException {
        return send(ConnectAdapterRequest.newBuilder().setHeartbeat(Heartbeat.newBuilder().setHeadHeight(headHeight)));
    }

    public Ack deposit(Deposit deposit) throws InterruptedException {
        return send(ConnectAdapterRequest.newBuilder().setDeposit(deposit));
    }

    /**
     * Sends {@code deposits} with at most {@code window} of them unacknowledged at a time (as an adapter catching up on
     * a block does: one ack per round trip would make a bulk funding take minutes) and returns their acks, in order.
     */
    public List<Ack> deposits(List<Deposit> deposits, int window) throws InterruptedException {
        Map<String, Integer> unacked = new HashMap<>();
        Ack[] acks = new Ack[deposits.size()];
        int sent = 0;
        while (sent < deposits.size() || !unacked.isEmpty()) {
            if (sent < deposits.size() && unacked.size() < window) {
                String cursor = chainId + ":" + (++sequence);
                unacked.put(cursor, sent);
                requests.onNext(ConnectAdapterRequest.newBuilder().setDeposit(deposits.get(sent++)).setCursor(cursor).build());
                continue;
            }
            ConnectAdapterResponse answer = next();
            Integer index = answer.hasAck() ? unacked.remove(answer.getAck().getCursor()) : null;
            if (index == null) {
                throw new IllegalStateException("expected the ack of one of " + unacked.size() + " deposits, got " + answer);
            }
            acks[index] = answer.getAck();
        }
        return List.of(acks);
    }

    private Ack send(ConnectAdapterRequest.Builder request) throws InterruptedException {
        String cursor = chainId + ":" + (++sequence);
        requests.onNext(request.setCursor(cursor).build());
        ConnectAdapterResponse answer = next();
        if (!answer.hasAck() || !answer.getAck().getCursor().equals(cursor)) {
            throw new IllegalStateException("expected the ack of " + cursor + ", got " + answer);
        }
        return answer.getAck();
    }

    private ConnectAdapterResponse next() throws InterruptedException {
        Object answer = answers.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
        if (answer == null) {
            throw new IllegalStateException("no answer from collateral-service on the " + chainId + " stream");
        }
        if (answer instanceof Throwable t) {
            throw new IllegalStateException("the " + chainId + " adapter stream failed", t);
        }
        return (ConnectAdapterResponse) answer;
    }

    @Override
    public void close() {
        requests.onCompleted();
    }
}
