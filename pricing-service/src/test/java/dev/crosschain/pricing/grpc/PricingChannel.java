package dev.crosschain.pricing.grpc;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The loopback channel of {@link PricingGrpcServiceTest}, opened before and closed after any other
 * gRPC test class ({@code @ExtendWith(PricingChannel.class)}).
 */
final class PricingChannel implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        PricingGrpcServiceTest.connect();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        PricingGrpcServiceTest.disconnect();
    }
}
