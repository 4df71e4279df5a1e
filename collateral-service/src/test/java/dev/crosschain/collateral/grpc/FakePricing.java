package dev.crosschain.collateral.grpc;

import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A loopback pricing-service: ETH 3000 and USDC 1 (fresh), no SOL index. Can be switched to answer UNAVAILABLE
 * or too slowly for the client's deadline.
 */
final class FakePricing extends PricingServiceGrpc.PricingServiceImplBase {

    /** Port the service under test calls (quarkus.grpc.clients.pricing.test-port). */
    static final int PORT = 19192;
    private static FakePricing instance;

    enum Mode { OK, UNAVAILABLE, SLOW }

    volatile Mode mode = Mode.OK;
    final List<GetIndexPricesRequest> requests = new CopyOnWriteArrayList<>();
    private final Server server;

    private FakePricing() {
        server = ServerBuilder.forPort(PORT).addService(this).build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("fake pricing-service did not start on " + PORT, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    }

    static synchronized FakePricing get() {
        if (instance == null) {
            instance = new FakePricing();
        }
        return instance;
    }

    @Override
    public void getIndexPrices(GetIndexPricesRequest request, StreamObserver<GetIndexPricesResponse> observer) {
        requests.add(request);
        if (mode == Mode.UNAVAILABLE) {
            observer.onError(Status.UNAVAILABLE.withDescription("fake pricing down").asRuntimeException());
            return;
        }
        if (mode == Mode.SLOW) {
            try {
                TimeUnit.MILLISECONDS.sleep(1500); // longer than the %test deadline of 500 ms
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        observer.onNext(GetIndexPricesResponse.newBuilder()
                .addIndices(IndexPrice.newBuilder().setAsset("ETH").setPrice("3000").setStale(false))
                .addIndices(IndexPrice.newBuilder().setAsset("USDC").setPrice("1").setStale(false))
                .build());
        observer.onCompleted();
    }
}
