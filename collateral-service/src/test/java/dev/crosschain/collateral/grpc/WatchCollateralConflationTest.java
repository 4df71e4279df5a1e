package dev.crosschain.collateral.grpc;

import dev.crosschain.collateral.app.Collateral;
import dev.crosschain.collateral.app.LedgerChanges;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.AckOutcome;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import dev.crosschain.proto.collateral.v1.WatchCollateralRequest;
import dev.crosschain.proto.collateral.v1.WatchCollateralResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.account;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.bearer;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.id;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.leg;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * WatchCollateral of every account is conflated per account: a reader that stops reading while far more change
 * notices are published than any buffer of notices would hold (a price move on a busy venue re-publishes every
 * account) keeps its stream, and once it reads again it gets the newest view of every changed account. The slow
 * reader is plain grpc-java with manual flow control and a tiny HTTP/2 receive window.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class WatchCollateralConflationTest {

    /** More notices than the 10,000 the all-accounts watch used to buffer before failing the stream. */
    static final int NOTICES = 30_000;
    /** HTTP/2 receive window of the slow reader's stream: not even one view fits. */
    static final int CLIENT_WINDOW_BYTES = 64;
    /** gRPC's default on-ready threshold: what the transport may hold for a stream of every account. */
    static final int TRANSPORT_QUEUE_BYTES = 32 * 1024;

    static ManagedChannel channel;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;
    static CollateralServiceGrpc.CollateralServiceBlockingStub transferer;

    @Inject
    LedgerChanges changes;

    @Inject
    Collateral ledger;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
        transferer = collateral.withInterceptors(bearer("test-liquidation-token"));
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aStalledReaderOfEveryAccountKeepsItsStreamAndThenGetsTheNewestViewOfEachChangedAccount() throws Exception {
        List<String> accounts = List.of(account("wren"), account("xena"), account("yuri"));
        fund(accounts.get(0), "100");
        ManagedChannel tight = NettyChannelBuilder.forAddress("localhost", 19101).usePlaintext()
                .flowControlWindow(CLIENT_WINDOW_BYTES).build();
        try (SlowWatch watch = new SlowWatch()) {
            CollateralServiceGrpc.newStub(tight).watchCollateral(WatchCollateralRequest.getDefaultInstance(), watch);
            watch.next(); // the stream is open (and subscribed to changes): its reader now stalls

            long started = System.nanoTime();
            for (int i = 0; i < NOTICES / accounts.size(); i++) {
                changes.publish(accounts);
                if (i % 2_000 == 0) {
                    // The ledger moves meanwhile: the newest views differ from those of the early notices.
                    String from = accounts.get(0);
                    String to = accounts.get(1 + (i / 2_000) % 2);
                    transferer.transfer(TransferRequest.newBuilder().setTransferId(id()).addLegs(leg(from, to, "ethereum", "USDC", "1")).build());
                }
            }
            System.out.printf("%d notices with a stalled all-accounts watcher took %d ms%n", NOTICES, (System.nanoTime() - started) / 1_000_000);

            Map<String, CollateralView> newest = new HashMap<>();
            for (String account : accounts) {
                newest.put(account, collateral.getCollateral(GetCollateralRequest.newBuilder().setAccountId(account).build()).getView());
            }
            int accountsInLedger = ledger.accounts().size();

            watch.requestAll();
            Map<String, CollateralView> received = new HashMap<>();
            int messages = 0;
            while (!newest.keySet().stream().allMatch(a -> received.containsKey(a)
                    && received.get(a).getLedgerVersion() == newest.get(a).getLedgerVersion())) {
                CollateralView view = watch.next().getView();
                received.put(view.getAccountId(), view);
                messages++;
            }
            System.out.printf("after %d notices the stalled watcher received %d views (%d accounts in the ledger)%n",
                    NOTICES, messages, accountsInLedger);
            for (String account : accounts) {
                // The same ledger (its valuation may differ: prices stream meanwhile when other tests run pricing).
                assertThat(balances(received.get(account))).as("the newest view of %s", account).isEqualTo(balances(newest.get(account)));
            }
            // What reaches the reader after it stalled: the views the transport held (at most its threshold, and a
            // view is more than 64 bytes), then at most one view of each account (every account was current at the
            // start), and the few of the test accounts changed again while it reads.
            int bound = TRANSPORT_QUEUE_BYTES / CLIENT_WINDOW_BYTES + accountsInLedger + 2 * accounts.size();
            assertThat(messages).as("views after %d notices", NOTICES).isLessThanOrEqualTo(bound);
        } finally {
            tight.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** chain/asset -> pending/available/locked. */
    static Map<String, String> balances(CollateralView view) {
        Map<String, String> balances = new java.util.TreeMap<>();
        view.getChainsList().forEach(c -> c.getAssetsList().forEach(a -> balances.put(c.getChainId() + "/" + a.getAsset(),
                a.getPending() + "/" + a.getAvailable() + "/" + a.getLocked())));
        return balances;
    }

    static void fund(String account, String amount) {
        try (AdapterConnection eth = new AdapterConnection(CollateralServiceGrpc.newStub(channel), "ethereum")) {
            eth.hello();
            String block = eth.extend();
            assertThat(eth.deposit(tx(), 0, block, account, "USDC", amount).getOutcome()).isEqualTo(AckOutcome.ACK_OUTCOME_APPLIED);
            eth.extend();
            eth.extend(); // ethereum's third confirmation in the test registry
        }
    }

    /** A server stream read only when the test asks: one message at first, then all. */
    static final class SlowWatch implements ClientResponseObserver<WatchCollateralRequest, WatchCollateralResponse>, AutoCloseable {
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<WatchCollateralRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchCollateralRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(WatchCollateralResponse value) {
            events.add(value);
        }

        @Override
        public void onError(Throwable t) {
            events.add(t);
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }

        void requestAll() {
            call.request(Integer.MAX_VALUE);
        }

        WatchCollateralResponse next() throws InterruptedException {
            Object event = events.poll(AdapterConnection.PATIENCE_MS, TimeUnit.MILLISECONDS);
            if (event instanceof Throwable t) {
                return fail("the stream failed", t);
            }
            if (!(event instanceof WatchCollateralResponse response)) {
                return fail("expected a view within " + AdapterConnection.PATIENCE_MS + " ms, got " + event);
            }
            return response;
        }

        @Override
        public void close() {
            if (call != null) {
                call.cancel("test done", null);
            }
        }
    }
}
