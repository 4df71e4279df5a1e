package dev.crosschain.liquidation.client;

import dev.crosschain.proto.pricing.v1.MutinyPricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.WatchIndexPricesResponse;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;

/** liquidation-service's calls to pricing-service. */
@ApplicationScoped
public class PricingClient {

    @GrpcClient("pricing")
    MutinyPricingServiceGrpc.MutinyPricingServiceStub mutiny;

    /** Every index now (one response, possibly empty), then every change (conflated). No deadline: it is long-lived. */
    public Multi<WatchIndexPricesResponse> watchIndexPrices() {
        return mutiny.watchIndexPrices(WatchIndexPricesRequest.getDefaultInstance());
    }
}
