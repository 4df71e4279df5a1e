package dev.crosschain.liquidation.grpc;

import dev.crosschain.liquidation.app.Breaches;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.liquidation.v1.Auction;
import dev.crosschain.proto.liquidation.v1.AuctionStatus;
import dev.crosschain.proto.liquidation.v1.GetHaltsRequest;
import dev.crosschain.proto.liquidation.v1.LiquidationServiceGrpc;
import dev.crosschain.proto.liquidation.v1.ListAuctionsRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.crosschain.liquidation.grpc.HaltGrpcTest.viewOn;
import static dev.crosschain.liquidation.grpc.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** With liquidation.breaker.enabled=false (the test profile's default) nothing trips, not even with pricing-service down. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class BreakerDisabledTest {

    static FakeUpstream upstream;
    static LiquidationServiceGrpc.LiquidationServiceBlockingStub liquidation;

    @Inject
    Breaches breaches;

    @BeforeAll
    static void connect() {
        upstream = FakeUpstream.get();
        liquidation = LiquidationServiceGrpc.newBlockingStub(TestSupport.channel());
    }

    @BeforeEach
    void subscribed() {
        awaitUntil("the service subscribes to WatchRisk", () -> !upstream.margin.watchers.isEmpty());
    }

    @Test
    void withBreakersDisabledAnAuctionOpensWhilePricingIsDownAndNothingIsListed() {
        upstream.pricing.goDown();
        try {
            upstream.margin.views.put("acc-brk-off", viewOn("acc-brk-off", "BRX-PERPETUAL"));
            breaches.onLiquidation("acc-brk-off");
            assertThat(liquidation.listAuctions(ListAuctionsRequest.newBuilder().setAccountId("acc-brk-off").build())
                    .getAuctionsList()).extracting(Auction::getStatus).containsExactly(AuctionStatus.AUCTION_STATUS_OPEN);
            assertThat(liquidation.getHalts(GetHaltsRequest.getDefaultInstance()).getBreakersList()).isEmpty();
            assertThat(upstream.pricing.watchers).as("pricing-service is not even watched").isEmpty();
        } finally {
            upstream.pricing.down = false;
        }
    }
}
