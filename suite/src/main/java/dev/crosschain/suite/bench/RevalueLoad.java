package dev.crosschain.suite.bench;

import dev.crosschain.postgres.PostgresServer;
import dev.crosschain.proto.pricing.v1.BookPosition;
import dev.crosschain.proto.pricing.v1.IndexQuote;
import dev.crosschain.proto.pricing.v1.OptionQuote;
import dev.crosschain.proto.pricing.v1.PricingServiceGrpc;
import dev.crosschain.proto.pricing.v1.PushIndexPricesRequest;
import dev.crosschain.proto.pricing.v1.PushOptionQuotesRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookRequest;
import dev.crosschain.proto.pricing.v1.RevalueBookResponse;
import dev.crosschain.proto.pricing.v1.Scenario;
import dev.crosschain.proto.pricing.v1.SpotShock;
import dev.crosschain.suite.Launcher;
import dev.crosschain.suite.ServiceSpec;
import dev.crosschain.suite.Suite;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.jboss.logmanager.LogContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.regex.Pattern;

import static dev.crosschain.suite.bench.LoadMeasures.driverCpu;
import static dev.crosschain.suite.bench.LoadMeasures.ms;
import static dev.crosschain.suite.bench.LoadMeasures.serviceCpu;
import static dev.crosschain.suite.bench.LoadMeasures.servicePid;

/**
 * Open-loop gRPC load on RevalueBook: starts the packaged pricing-service as its own process (as the suite
 * does, against PostgreSQL: {@code CROSSCHAIN_TEST_DB_URL}, else 127.0.0.1:5432, else embedded), pushes BTC and
 * ETH index prices and option quotes so that both have a fitted skewed surface, then sends the issue's book
 * (200 positions x 35 scenarios, the book of benchmarks' RevalueBookFixture: change both together) at a fixed
 * rate. Each call's latency runs from the time it was SCHEDULED to be sent, so a late send counts against the
 * service instead of hiding it (no coordinated omission).
 *
 * <pre>
 * java -cp 'suite/target/suite.jar:suite/target/lib/*' dev.crosschain.suite.bench.RevalueLoad [--rate 500] [--warmup 10] [--seconds 30]
 * </pre>
 */
public final class RevalueLoad {

    /** Away from the local run (81xx/91xx), the Quarkus tests (181xx/191xx) and the end-to-end test (20xxx/21xxx). */
    private static final int PORT_BASE = 30000;
    private static final int[] EXPIRY_DAYS = {7, 28, 91, 182};
    private static final int STRIKES_PER_EXPIRY = 12;
    private static final Map<String, double[]> UNDERLYINGS = Map.of("BTC", new double[] {60_000, 0.55}, "ETH", new double[] {3_000, 0.70});
    private static final List<String> ORDER = List.of("BTC", "ETH");
    // The fixture's smile: vol(k)^2 = atm^2 + BETA (RHO k + sqrt(k^2 + SIGMA^2) - SIGMA) at every expiry.
    private static final double BETA = 0.4;
    private static final double RHO = -0.35;
    private static final double SIGMA = 0.15;

    private RevalueLoad() {
    }

    public static void main(String[] args) throws Exception {
        quietClientLogging();
        int rate = 500;
        int warmupSeconds = 10;
        int seconds = 30;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmupSeconds = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path root = Launcher.repoRoot();
        try (PostgresServer db = PostgresServer.forTests()) {
            String prefix = "revalue_load_" + Long.toString(System.nanoTime() & 0xffffff, 36) + "_";
            try (Suite pricing = Suite.start(db, prefix, root, root.resolve("suite/target/revalue-load-logs"), PORT_BASE,
                    List.of(ServiceSpec.PRICING))) {
                ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", ServiceSpec.PRICING.grpcPort(PORT_BASE))
                        .usePlaintext().directExecutor().build();
                try {
                    LocalDate today = LocalDate.now(ZoneOffset.UTC);
                    prepareMarket(PricingServiceGrpc.newBlockingStub(channel), today);
                    RevalueBookRequest request = book(today);
                    RevalueBookResponse check = PricingServiceGrpc.newBlockingStub(channel).revalueBook(request);
                    System.out.printf(Locale.ROOT, "book: %d positions x %d scenarios, base %.2f USD, worst scenario pnl %.2f USD%n",
                            request.getPositionsCount(), request.getScenariosCount(), check.getBaseValueUsd(),
                            check.getValuesList().stream().mapToDouble(v -> v.getPnlUsd()).min().orElse(0));
                    run(channel, request, rate, warmupSeconds, seconds);
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            } finally {
                db.dropDatabase(prefix + ServiceSpec.PRICING.database());
            }
        }
    }

    static void prepareMarket(PricingServiceGrpc.PricingServiceBlockingStub pricing, LocalDate today) {
        PushIndexPricesRequest.Builder index = PushIndexPricesRequest.newBuilder();
        for (String u : ORDER) {
            index.addQuotes(IndexQuote.newBuilder().setAsset(u).setSource("bench").setPrice(Long.toString((long) UNDERLYINGS.get(u)[0])));
        }
        pricing.pushIndexPrices(index.build());
        for (String u : ORDER) {
            double forward = UNDERLYINGS.get(u)[0];
            double atm = UNDERLYINGS.get(u)[1];
            // The quotes depend only on the underlying and the day: a rerun that day is a replay of the same set.
            PushOptionQuotesRequest.Builder quotes = PushOptionQuotesRequest.newBuilder().setUnderlying(u)
                    .setQuoteSetId("revalue-load-" + today + "-" + u);
            for (int days : EXPIRY_DAYS) {
                for (int j = -4; j <= 4; j++) {
                    long strike = Math.round(forward * Math.exp(0.1 * j));
                    double vol = smileVol(atm, Math.log(strike / forward));
                    // out of the money: puts below the forward, calls above
                    quotes.addQuotes(OptionQuote.newBuilder().setInstrument(option(u, today.plusDays(days), strike, j < 0 ? "P" : "C"))
                            .setBidVol(vol - 0.005).setAskVol(vol + 0.005));
                }
            }
            var surface = pricing.pushOptionQuotes(quotes.build()).getSurface();
            System.out.printf(Locale.ROOT, "%s surface v%d, %d slices%n", u, surface.getVersion(), surface.getSlicesCount());
        }
    }

    /**
     * Outside Quarkus nothing configures the log manager the classpath brings (JBoss LogManager
     * behind SLF4J): every logger is then at ALL, and the gRPC client's Netty formats a debug line
     * for every HTTP/2 frame, which nothing prints. That cost the driver CPU that the service on the
     * same cores should get.
     */
    static void quietClientLogging() {
        LogContext.getLogContext().getLogger("").setLevel(Level.INFO);
    }

    static double smileVol(double atm, double k) {
        return Math.sqrt(atm * atm + BETA * (RHO * k + Math.sqrt(k * k + SIGMA * SIGMA) - SIGMA));
    }

    /** RevalueBookFixture's book and scenarios, by name. */
    static RevalueBookRequest book(LocalDate today) {
        RevalueBookRequest.Builder request = RevalueBookRequest.newBuilder();
        int i = 0;
        for (String u : ORDER) {
            double index = UNDERLYINGS.get(u)[0];
            for (int days : EXPIRY_DAYS) {
                for (int j = 0; j < STRIKES_PER_EXPIRY; j++) {
                    long strike = Math.round(index * Math.exp(-0.33 + 0.06 * j));
                    request.addPositions(position(option(u, today.plusDays(days), strike, "C"), i++));
                    request.addPositions(position(option(u, today.plusDays(days), strike, "P"), i++));
                }
            }
            request.addPositions(position(u, i++));
            request.addPositions(position(u + "-PERPETUAL", i++));
            request.addPositions(position(u + "-" + expiryCode(today.plusDays(EXPIRY_DAYS[1])), i++));
            request.addPositions(position(u + "-" + expiryCode(today.plusDays(EXPIRY_DAYS[2])), i++));
        }
        for (int v = 0; v < 5; v++) {
            double volShift = -0.10 + 0.05 * v;
            for (int s = 0; s < 7; s++) {
                double move = -0.16 + s * (0.32 / 6);
                Scenario.Builder scenario = Scenario.newBuilder().setScenarioId("s" + s + "v" + v).setVolShift(volShift).setSkewShift(-volShift / 2);
                for (String u : ORDER) {
                    scenario.addSpotShocks(SpotShock.newBuilder().setUnderlying(u).setRelativeMove(move));
                }
                request.addScenarios(scenario);
            }
        }
        return request.build();
    }

    private static BookPosition position(String instrument, int i) {
        int q = (i * 7) % 11 - 5;
        return BookPosition.newBuilder().setInstrument(instrument).setQuantity(Integer.toString(q == 0 ? 1 : q)).build();
    }

    static String option(String underlying, LocalDate expiry, long strike, String type) {
        return underlying + "-" + expiryCode(expiry) + "-" + strike + "-" + type;
    }

    /** Deribit's code, e.g. 7DEC26. */
    static String expiryCode(LocalDate date) {
        return date.getDayOfMonth() + date.getMonth().name().substring(0, 3) + String.format(Locale.ROOT, "%02d", date.getYear() % 100);
    }

    private static void run(ManagedChannel channel, RevalueBookRequest request, int rate,
                            int warmupSeconds, int seconds) throws InterruptedException {
        MethodDescriptor<byte[], RevalueBookResponse> revalueBook = PricingServiceGrpc.getRevalueBookMethod()
                .toBuilder(new SerializedOnce(), PricingServiceGrpc.getRevalueBookMethod().getResponseMarshaller()).build();
        byte[] requestBytes = request.toByteArray();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        int warmupCalls = warmupSeconds * rate;
        int calls = warmupCalls + seconds * rate;
        long[] latency = new long[calls];
        Arrays.fill(latency, -1);
        AtomicInteger errors = new AtomicInteger();
        Map<Status.Code, AtomicInteger> errorCodes = new ConcurrentHashMap<>();
        AtomicLong lastDone = new AtomicLong();
        CountDownLatch done = new CountDownLatch(calls);
        System.out.printf(Locale.ROOT, "sending %d calls/s: %d s warm-up, then %d s measured%n", rate, warmupSeconds, seconds);
        readCounters(); // once before the clock starts: the first read loads classes and runs interpreted
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        // Read on another thread at the boundary: /proc reads in the send loop held up the first measured sends.
        CompletableFuture<Readings> atMeasuredStart = CompletableFuture.supplyAsync(RevalueLoad::readCounters,
                CompletableFuture.delayedExecutor(start + warmupCalls * interval - System.nanoTime(), TimeUnit.NANOSECONDS));
        long sendLateMax = 0;
        for (int i = 0; i < calls; i++) {
            long scheduled = start + i * interval;
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            sendLateMax = i >= warmupCalls ? Math.max(sendLateMax, System.nanoTime() - scheduled) : sendLateMax;
            int call = i;
            ClientCall<byte[], RevalueBookResponse> rpc = channel.newCall(revalueBook, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
            ClientCalls.asyncUnaryCall(rpc, requestBytes, new StreamObserver<>() {
                @Override
                public void onNext(RevalueBookResponse response) {
                }

                @Override
                public void onError(Throwable t) {
                    errors.incrementAndGet();
                    errorCodes.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new AtomicInteger()).incrementAndGet();
                    finish();
                }

                @Override
                public void onCompleted() {
                    latency[call] = System.nanoTime() - scheduled;
                    finish();
                }

                private void finish() {
                    lastDone.accumulateAndGet(System.nanoTime(), Math::max);
                    done.countDown();
                }
            });
        }
        if (!done.await(30, TimeUnit.SECONDS)) {
            System.out.println("not every call finished within 30 s of the last send: " + done.getCount() + " outstanding");
        }
        Readings before = atMeasuredStart.join();
        Readings after = readCounters();
        Map<String, long[]> serviceThreads = before.serviceThreads();
        Map<String, Double> serviceThreadsUsed = ThreadCpu.spent(serviceThreads, after.serviceThreads());
        Duration serviceCpuUsed = after.service().minus(before.service());
        Duration driverCpuUsed = after.driver().minus(before.driver());
        long measuredStart = start + warmupCalls * interval;
        long[] measured = Arrays.stream(latency, warmupCalls, calls).filter(l -> l >= 0).sorted().toArray();
        double elapsed = (lastDone.get() - measuredStart) / 1e9;
        System.out.printf(Locale.ROOT, "measured: %d calls scheduled over %d s, %d answered, %d errors %s, achieved %.1f calls/s%n",
                calls - warmupCalls, seconds, measured.length, errors.get(), errorCodes, measured.length / elapsed);
        System.out.printf(Locale.ROOT, "latency from scheduled send (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                ms(measured, 0.50), ms(measured, 0.90), ms(measured, 0.99), ms(measured, 0.999),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e6);
        System.out.printf(Locale.ROOT, "latest send after its schedule: %.3f ms%n", sendLateMax / 1e6);
        // What the two processes would need of the 2 cores at this rate, whatever else the machine was doing.
        int measuredCalls = calls - warmupCalls;
        System.out.printf(Locale.ROOT, "CPU per call while measured: service %.3f ms, load driver %.3f ms (%.2f + %.2f cores at %d calls/s)%n",
                serviceCpuUsed.toNanos() / 1e6 / measuredCalls, driverCpuUsed.toNanos() / 1e6 / measuredCalls,
                serviceCpuUsed.toNanos() / 1e9 / seconds, driverCpuUsed.toNanos() / 1e9 / seconds, rate);
        if (!after.serverCallsAtOrUnder().isEmpty()) {
            System.out.println(serverTail(before.serverCallsAtOrUnder(), after.serverCallsAtOrUnder()));
        }
        if (!serviceThreads.isEmpty()) {
            StringBuilder split = new StringBuilder("service CPU per call by thread (ms):");
            serviceThreadsUsed.forEach((group, ms) -> split.append(String.format(Locale.ROOT, "  %s %.3f", group, ms / measuredCalls)));
            System.out.println(split);
        }
    }

    /**
     * Sends a request serialized once: the same book goes out on every call, and serializing its 200
     * names again each time took CPU from the cores the service shares. The service still parses
     * every call in full.
     */
    private static final class SerializedOnce implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] bytes) {
            return new Bytes(bytes);
        }

        @Override
        public byte[] parse(InputStream stream) {
            throw new UnsupportedOperationException("the driver only sends requests");
        }
    }

    /** Known length and drainable: gRPC then frames it with one copy, as it does a protobuf message. */
    private static final class Bytes extends ByteArrayInputStream implements KnownLength, Drainable {
        Bytes(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }

    /**
     * CPU spent so far by the service, by the driver and by each of the service's thread groups, and the
     * service's own RevalueBook timer: calls at or under each bucket bound, in seconds.
     */
    private record Readings(Duration service, Duration driver, Map<String, long[]> serviceThreads,
                            SortedMap<Double, Double> serverCallsAtOrUnder) {
    }

    private static Readings readCounters() {
        return new Readings(serviceCpu(), driverCpu(), ThreadCpu.read(servicePid()), serverCallBuckets());
    }

    private static final Pattern REVALUE_BUCKET = Pattern.compile(
            "grpc_server_processing_duration_seconds_bucket\\{[^}]*method=\"RevalueBook\"[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.E+]+)");

    /** The service's gRPC server timer of RevalueBook from /q/metrics, summed over status codes. */
    private static SortedMap<Double, Double> serverCallBuckets() {
        SortedMap<Double, Double> buckets = new TreeMap<>();
        try {
            URI metrics = URI.create("http://127.0.0.1:" + ServiceSpec.PRICING.httpPort(PORT_BASE) + "/q/metrics");
            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            REVALUE_BUCKET.matcher(text).results().forEach(m -> buckets.merge(
                    m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                    Double.parseDouble(m.group(2)), Double::sum));
        } catch (IOException e) {
            System.out.println("could not read the service's metrics: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return buckets;
    }

    /** Share of the calls between two readings that took longer than each bucket bound, by the service's timer. */
    private static String serverTail(SortedMap<Double, Double> before, SortedMap<Double, Double> after) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "service's own RevalueBook time (gRPC server timer, %.0f calls), share over:", total));
        after.forEach((bound, count) -> {
            if (!bound.isInfinite() && bound >= 0.0005 && bound <= 0.02) {
                double over = total - (count - before.getOrDefault(bound, 0.0));
                line.append(String.format(Locale.ROOT, "  %s ms %.2f%%",
                        BigDecimal.valueOf(bound * 1000).stripTrailingZeros().toPlainString(),
                        total == 0 ? Double.NaN : 100.0 * over / total));
            }
        });
        return line.toString();
    }
}
