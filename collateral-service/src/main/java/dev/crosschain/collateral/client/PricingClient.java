package dev.crosschain.collateral.client;

import dev.crosschain.collateral.app.CollateralConfig;
import dev.crosschain.collateral.domain.IndexQuote;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.GetIndexPricesResponse;
import dev.crosschain.proto.pricing.v1.IndexPrice;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * collateral-service's calls to pricing-service: every index in one GetIndexPrices (an empty asset list), with a
 * deadline, retried only on UNAVAILABLE with exponential backoff. Blocking: call from worker threads.
 */
@ApplicationScoped
public class PricingClient {

    private static final Logger LOG = Logger.getLogger(PricingClient.class);

    @GrpcClient("pricing")
    PricingServiceGrpc.PricingServiceBlockingStub pricing;

    private final CollateralConfig.Pricing config;

    public PricingClient(CollateralConfig config) {
        this.config = config.pricing();
    }

    /** Every index pricing-service has, by canonical asset. An index with an unreadable price is left out. */
    public Map<String, IndexQuote> indexPrices() {
        GetIndexPricesResponse response = call();
        Map<String, IndexQuote> quotes = new HashMap<>();
        for (IndexPrice index : response.getIndicesList()) {
            try {
                BigDecimal price = new BigDecimal(index.getPrice());
                if (price.signum() > 0) {
                    quotes.put(index.getAsset(), new IndexQuote(price, index.getStale()));
                }
            } catch (NumberFormatException e) {
                LOG.warnf("pricing-service sent an unreadable index price for %s: %s", index.getAsset(), index.getPrice());
            }
        }
        return quotes;
    }

    private GetIndexPricesResponse call() {
        long backoff = config.initialBackoff().toMillis();
        int attempts = Math.max(1, config.maxAttempts());
        StatusRuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                // A fork: the call must not inherit the cancellation of whatever server call runs this thread
                // (a watch stream's view is built after its triggering call has completed).
                return Context.current().fork().call(() -> pricing
                        .withDeadlineAfter(config.deadline().toMillis(), TimeUnit.MILLISECONDS)
                        .getIndexPrices(GetIndexPricesRequest.getDefaultInstance()));
            } catch (StatusRuntimeException e) {
                last = e;
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    break;
                }
                if (attempt < attempts) {
                    pause(backoff);
                    backoff *= 2;
                }
            } catch (Exception e) {
                throw new DependencyException("pricing-service GetIndexPrices failed: " + e, e);
            }
        }
        throw new DependencyException("pricing-service GetIndexPrices failed: " + last.getStatus(), last);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyException("interrupted while retrying pricing-service", e);
        }
    }
}
