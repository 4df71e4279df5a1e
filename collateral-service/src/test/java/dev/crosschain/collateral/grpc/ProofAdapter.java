package dev.crosschain.collateral.grpc;

import dev.crosschain.proto.collateral.v1.Ack;
import dev.crosschain.proto.collateral.v1.AdapterHello;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ConnectAdapterRequest;
import dev.crosschain.proto.collateral.v1.ConnectAdapterResponse;
import dev.crosschain.proto.collateral.v1.Welcome;
import dev.crosschain.proto.collateral.v1.WithdrawalInstruction;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * One adapter stream of the randomized proof: a hello, then events sent one by one or pipelined. It can end the
 * stream abruptly mid-batch (a second hello is a protocol violation: the service answers every event before it,
 * then fails the stream without touching the events after it), so the events after the break were sent but
 * never applied, and the adapter must resume from the welcome's cursor.
 */
final class ProofAdapter implements AutoCloseable {

    static final long PATIENCE_MS = 20_000;

    /** Marks the end of the stream in the answer queue. */
    private static final ConnectAdapterResponse END = ConnectAdapterResponse.getDefaultInstance();

    final String chain;
    private final BlockingQueue<ConnectAdapterResponse> answers = new LinkedBlockingQueue<>();
    /** The withdrawal instructions received, of this proof's locks and of other tests' locks on the shared chains. */
    final BlockingQueue<WithdrawalInstruction> instructions = new LinkedBlockingQueue<>();
    private final StreamObserver<ConnectAdapterRequest> requests;
    private volatile Throwable error;
    private boolean closed;

    private ProofAdapter(CollateralServiceGrpc.CollateralServiceStub stub, String chain) {
        this.chain = chain;
        this.requests = stub.connectAdapter(new StreamObserver<>() {
            @Override
            public void onNext(ConnectAdapterResponse value) {
                // Withdrawal instructions are not answers to events: they are kept apart.
                if (value.hasWithdrawalInstruction()) {
                    instructions.add(value.getWithdrawalInstruction());
                } else {
                    answers.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                error = t;
                answers.add(END);
            }

            @Override
            public void onCompleted() {
                answers.add(END);
            }
        });
    }

    /** Opens a stream and says hello with the test profile's credential of the chain; returns the welcome. */
    static Connected connect(CollateralServiceGrpc.CollateralServiceStub stub, String chain) {
        ProofAdapter adapter = new ProofAdapter(stub, chain);
        adapter.requests.onNext(hello(chain));
        ConnectAdapterResponse first = adapter.next();
        if (!first.hasWelcome()) {
            fail("expected a welcome on " + chain + ", got " + first + " / " + adapter.error);
        }
        return new Connected(adapter, first.getWelcome());
    }

    record Connected(ProofAdapter adapter, Welcome welcome) {
    }

    private static ConnectAdapterRequest hello(String chain) {
        return ConnectAdapterRequest.newBuilder().setHello(AdapterHello.newBuilder()
                .setChainId(chain).setAdapterId("proof-" + chain).setCredential("test-" + chain + "-secret")).build();
    }

    /** Sends one event and awaits its ack. */
    Ack send(ConnectAdapterRequest request) {
        requests.onNext(request);
        ConnectAdapterResponse answer = next();
        if (!answer.hasAck()) {
            fail("expected an ack on " + chain + " for " + request.getCursor() + ", got " + answer + " / " + error);
        }
        return answer.getAck();
    }

    /** Sends the events back to back (the service may commit them together), then awaits their acks in order. */
    List<Ack> sendAll(List<ConnectAdapterRequest> batch) {
        batch.forEach(requests::onNext);
        List<Ack> acks = new ArrayList<>(batch.size());
        for (ConnectAdapterRequest request : batch) {
            ConnectAdapterResponse answer = next();
            if (!answer.hasAck()) {
                fail("expected an ack on " + chain + " for " + request.getCursor() + ", got " + answer + " / " + error);
            }
            acks.add(answer.getAck());
        }
        return acks;
    }

    /**
     * Sends {@code applied} events, then a second hello that breaks the stream, then {@code lost}: returns the acks
     * of the first ones, all received before the stream failed; the lost ones are never applied.
     */
    List<Ack> sendAndBreak(List<ConnectAdapterRequest> applied, List<ConnectAdapterRequest> lost) {
        applied.forEach(requests::onNext);
        requests.onNext(hello(chain));
        lost.forEach(requests::onNext);
        List<Ack> acks = new ArrayList<>();
        for (ConnectAdapterResponse answer = next(); answer != END; answer = next()) {
            if (!answer.hasAck()) {
                fail("expected acks before the break on " + chain + ", got " + answer);
            }
            acks.add(answer.getAck());
        }
        if (error == null) {
            fail("the stream of " + chain + " ended without an error after a second hello");
        }
        closed = true;
        return acks;
    }

    /** Half-closes the stream and awaits its end: every event sent before is answered and applied. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        requests.onCompleted();
        for (ConnectAdapterResponse answer = next(); answer != END; answer = next()) {
            fail("unexpected answer after close on " + chain + ": " + answer);
        }
    }

    private ConnectAdapterResponse next() {
        try {
            ConnectAdapterResponse answer = answers.poll(PATIENCE_MS, TimeUnit.MILLISECONDS);
            if (answer == null) {
                fail("no answer on " + chain + " within " + PATIENCE_MS + " ms; stream error: " + error);
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
