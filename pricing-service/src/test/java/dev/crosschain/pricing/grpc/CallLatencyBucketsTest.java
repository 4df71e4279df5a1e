package dev.crosschain.pricing.grpc;

import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.pricing.v1.GetIndexPricesRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.crosschain.pricing.grpc.PricingGrpcServiceTest.stub;
import static org.assertj.core.api.Assertions.assertThat;

/** /q/metrics carries latency buckets per gRPC method, so the tail of each RPC can be watched. */
@QuarkusTest
@ExtendWith(PricingChannel.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = PostgresTestResource.REACTIVE, value = "true"))
class CallLatencyBucketsTest {

    private static final Pattern BUCKET = Pattern.compile(
            "grpc_server_processing_duration_seconds_bucket\\{[^}]*method=\"GetIndexPrices\"[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.E+]+)");

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void everyCallLandsInTheServerTimersBucketsUpToTwoMillisecondsAndBeyond() throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            stub().getIndexPrices(GetIndexPricesRequest.getDefaultInstance());
        }

        String text = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();

        List<String> bounds = BUCKET.matcher(text).results().map(m -> m.group(1)).toList();
        assertThat(bounds).contains("2.5E-4", "0.001", "0.002", "0.005", "0.1", "1.0", "+Inf");
        Matcher all = BUCKET.matcher(text);
        double total = 0;
        while (all.find()) {
            if (all.group(1).equals("+Inf")) {
                total += Double.parseDouble(all.group(2));
            }
        }
        assertThat(total).isGreaterThanOrEqualTo(3);
    }
}
