package dev.crosschain.suite;

import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Channels to the four running services; stubs get a fresh deadline per call. */
public final class Endpoints implements AutoCloseable {

    private static final long DEADLINE_SECONDS = 10;

    private final ManagedChannel collateral;
    private final ManagedChannel pricing;
    private final ManagedChannel margin;
    private final ManagedChannel liquidation;
    private final List<ManagedChannel> all = new ArrayList<>();
    private final SuiteCredentials credentials;

    public Endpoints(String host, int portBase, SuiteCredentials credentials) {
        this.credentials = credentials;
        collateral = channel(host, ServiceSpec.COLLATERAL.grpcPort(portBase));
        pricing = channel(host, ServiceSpec.PRICING.grpcPort(portBase));
        margin = channel(host, ServiceSpec.MARGIN.grpcPort(portBase));
        liquidation = channel(host, ServiceSpec.LIQUIDATION.grpcPort(portBase));
    }

    private ManagedChannel channel(String host, int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
        all.add(channel);
        return channel;
    }

    /** The secrets collateral-service was started with. */
    public SuiteCredentials credentials() {
        return credentials;
    }

    public CollateralServiceGrpc.CollateralServiceBlockingStub collateral() {
        return CollateralServiceGrpc.newBlockingStub(collateral).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** collateral-service as the caller holding {@code token} ("authorization: Bearer <token>"). */
    public CollateralServiceGrpc.CollateralServiceBlockingStub collateralAs(String token) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return collateral().withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** For the adapter stream, which lives as long as the adapter: no deadline. */
    public CollateralServiceGrpc.CollateralServiceStub collateralStreams() {
        return CollateralServiceGrpc.newStub(collateral);
    }

    public PricingServiceGrpc.PricingServiceBlockingStub pricing() {
        return PricingServiceGrpc.newBlockingStub(pricing).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** One index tick from {@code source}: ETH at {@code eth} and USDC at 1, observed now (the liquidation runs' feed). */
    public void pushEthAndUsdc(String source, BigDecimal eth) {
        long now = System.currentTimeMillis();
        pricing().pushIndexPrices(PushIndexPricesRequest.newBuilder()
                .addQuotes(IndexQuote.newBuilder().setAsset("ETH").setSource(source)
                        .setPrice(eth.toPlainString()).setObservedAtUnixMs(now))
                .addQuotes(IndexQuote.newBuilder().setAsset("USDC").setSource(source)
                        .setPrice("1").setObservedAtUnixMs(now))
                .build());
    }

    public MarginServiceGrpc.MarginServiceBlockingStub margin() {
        return MarginServiceGrpc.newBlockingStub(margin).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation() {
        return LiquidationServiceGrpc.newBlockingStub(liquidation).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** For WatchAuctions, which lasts as long as the watcher: no deadline. */
    public LiquidationServiceGrpc.LiquidationServiceStub liquidationStreams() {
        return LiquidationServiceGrpc.newStub(liquidation);
    }

    /**
     * Reconnects at once to a service that came back (after {@link Suite#killAndRestart}): a channel whose connection
     * failed otherwise waits out its exponential reconnect backoff (up to two minutes) before it tries again.
     */
    public void reconnectNow() {
        all.forEach(ManagedChannel::resetConnectBackoff);
    }

    @Override
    public void close() {
        for (ManagedChannel channel : all) {
            channel.shutdownNow();
        }
    }
}
