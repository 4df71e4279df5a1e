package dev.crosschain.collateral.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.PreconditionFailure;
import dev.crosschain.collateral.app.AdapterEvents;
import dev.crosschain.collateral.app.Registry;
import dev.crosschain.collateral.domain.BlockHeaderEvent;
import dev.crosschain.collateral.domain.DepositEvent;
import dev.crosschain.collateral.store.RegistryChangedException;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.store.RegistryStore;
import dev.crosschain.postgres.PostgresTestResource;
import dev.crosschain.proto.collateral.v1.AssetConfig;
import dev.crosschain.proto.collateral.v1.Chain;
import dev.crosschain.proto.collateral.v1.ChainConfig;
import dev.crosschain.proto.collateral.v1.CollateralAdminServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.FinalityRule;
import dev.crosschain.proto.collateral.v1.GetRegistryRequest;
import dev.crosschain.proto.collateral.v1.GetRegistryResponse;
import dev.crosschain.proto.collateral.v1.HaircutTier;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.ListRegistryChangesRequest;
import dev.crosschain.proto.collateral.v1.ListRegistryChangesResponse;
import dev.crosschain.proto.collateral.v1.RegistryChange;
import dev.crosschain.proto.collateral.v1.SetChainHaltRequest;
import dev.crosschain.proto.collateral.v1.SetChainHaltResponse;
import dev.crosschain.proto.collateral.v1.UpsertChainRequest;
import dev.crosschain.proto.collateral.v1.UpsertChainResponse;
import io.agroal.api.AgroalDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.catchStatus;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.detail;
import static dev.crosschain.collateral.grpc.CollateralGrpcServiceTest.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators' registry RPCs. Runs under its own test profile, so on its own application and fresh database:
 * the chains it adds ("testchain-<n>") never show up in the other tests' ListChains.
 */
@QuarkusTest
@TestProfile(CollateralAdminGrpcServiceTest.OwnDatabase.class)
@QuarkusTestResource(PostgresTestResource.class)
class CollateralAdminGrpcServiceTest {

    /** No overrides: a profile of its own is what gives this class its own application and database. */
    public static class OwnDatabase implements QuarkusTestProfile {
    }

    static final AtomicInteger CHAINS = new AtomicInteger();
    static ManagedChannel channel;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub admin;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub anonymous;
    static CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub margin;
    static CollateralServiceGrpc.CollateralServiceBlockingStub collateral;

    @Inject
    Registry registry;
    @Inject
    RegistryStore store;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    AdapterEvents events;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 19101).usePlaintext().build();
        anonymous = CollateralAdminServiceGrpc.newBlockingStub(channel);
        admin = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("test-operator-token")));
        margin = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("test-margin-token")));
        collateral = CollateralServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    // ---- auth ----

    @Test
    void everyRegistryRpcNeedsAnOperatorCredential() {
        List<java.util.function.Consumer<CollateralAdminServiceGrpc.CollateralAdminServiceBlockingStub>> calls = List.of(
                s -> s.getRegistry(GetRegistryRequest.getDefaultInstance()),
                s -> s.upsertChain(upsert(changeId(), newChain()).build()),
                s -> s.setChainHalt(SetChainHaltRequest.newBuilder().setChangeId(changeId()).setChainId("ethereum")
                        .setHalted(true).setReason("test").build()),
                s -> s.listRegistryChanges(ListRegistryChangesRequest.getDefaultInstance()));
        long revision = registry.current().revision();
        for (var call : calls) {
            StatusRuntimeException none = catchStatus(() -> call.accept(anonymous));
            assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(errorInfo(none).getReason()).isEqualTo("MISSING_CREDENTIAL");
            StatusRuntimeException denied = catchStatus(() -> call.accept(margin));
            assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(errorInfo(denied).getReason()).isEqualTo("NOT_ALLOWED");
        }
        assertThat(registry.current().revision()).as("nothing changed").isEqualTo(revision);
    }

    // ---- GetRegistry ----

    @Test
    void getRegistryShowsTheRegistryFileAppliedToTheDatabase() {
        GetRegistryResponse response = admin.getRegistry(GetRegistryRequest.getDefaultInstance());

        assertThat(response.getRevision()).isEqualTo(registry.current().revision()).isPositive();
        assertThat(response.getChainsList()).extracting(ChainConfig::getChainId).contains("arbitrum", "ethereum", "solana", "testcheckpoint");
        ChainConfig ethereum = response.getChainsList().stream().filter(c -> c.getChainId().equals("ethereum")).findFirst().orElseThrow();
        assertThat(ethereum.getConfirmations()).isEqualTo(3);
        assertThat(ethereum.getFinalityRule()).isEqualTo(FinalityRule.FINALITY_RULE_CONFIRMATIONS);
        assertThat(ethereum.getAssetsList()).extracting(a -> a.getAsset() + ":" + a.getImTiers(0).getHaircut() + ":" + a.getMmTiers(0).getHaircut())
                .containsExactly("ETH:0.1:0.05", "USDC:0.02:0.01");
        ListRegistryChangesResponse changes = admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageSize(1000).build());
        RegistryChange file = changes.getChanges(changes.getChangesCount() - 1);
        assertThat(file.getKind()).isEqualTo("CONFIG_FILE");
        assertThat(file.getActor()).isEqualTo("config-file");
        assertThat(file.getChangeId()).isEqualTo("config-file:2");
        assertThat(file.getReason()).contains("registry/test-chains.json");
    }

    // ---- UpsertChain ----

    @Test
    void anUpsertedChainIsInForceAtOnceAndAReplayAnswersTheFirstRevision() {
        ChainConfig chain = newChain();
        String id = changeId();
        long before = registry.current().revision();

        UpsertChainResponse first = admin.upsertChain(upsert(id, chain).build());

        assertThat(first.getReplayed()).isFalse();
        assertThat(first.getRevision()).isGreaterThan(before);
        assertThat(registry.current().revision()).isGreaterThanOrEqualTo(first.getRevision());
        assertThat(registry.current().chain(chain.getChainId())).isPresent();
        List<Chain> listed = collateral.listChains(ListChainsRequest.getDefaultInstance()).getChainsList();
        assertThat(listed).extracting(Chain::getChainId).contains(chain.getChainId());
        assertThat(listed.stream().filter(c -> c.getChainId().equals(chain.getChainId())).findFirst().orElseThrow().getConfig())
                .isEqualTo(chain);
        assertThat(admin.getRegistry(GetRegistryRequest.getDefaultInstance()).getChainsList()).contains(chain);

        UpsertChainResponse replay = admin.upsertChain(upsert(id, chain).build());
        assertThat(replay.getReplayed()).isTrue();
        assertThat(replay.getRevision()).isEqualTo(first.getRevision());

        // The same meaning written differently ("0.10" for "0.1") is the same payload.
        ChainConfig.Builder sameMeaning = chain.toBuilder();
        sameMeaning.getAssetsBuilder(0).getImTiersBuilder(0).setHaircut("0.10");
        assertThat(admin.upsertChain(upsert(id, sameMeaning.build()).build()).getReplayed()).isTrue();
    }

    @Test
    void theSameChangeIdWithAnotherPayloadIsAConflictAndChangesNothing() {
        ChainConfig chain = newChain();
        String id = changeId();
        admin.upsertChain(upsert(id, chain).build());
        long revision = registry.current().revision();

        StatusRuntimeException e = catchStatus(() -> admin.upsertChain(upsert(id, chain.toBuilder().setConfirmations(7).build()).build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(errorInfo(e).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");
        StatusRuntimeException otherReason = catchStatus(() -> admin.upsertChain(upsert(id, chain).setReason("another reason").build()));
        assertThat(errorInfo(otherReason).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");
        assertThat(registry.current().revision()).isEqualTo(revision);
        assertThat(registry.current().chain(chain.getChainId()).orElseThrow().confirmations()).isEqualTo(3);
    }

    @Test
    void anUpsertAgainstAnotherRevisionIsRefused() {
        ChainConfig chain = newChain();
        long revision = registry.current().revision();

        StatusRuntimeException e = catchStatus(() -> admin.upsertChain(upsert(changeId(), chain).setExpectedRevision(revision + 5).build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorInfo(e).getReason()).isEqualTo("REVISION_MISMATCH");
        assertThat(detail(e, PreconditionFailure.class).getViolations(0).getSubject()).isEqualTo("expected_revision");
        assertThat(registry.current().chain(chain.getChainId())).isEmpty();

        UpsertChainResponse ok = admin.upsertChain(upsert(changeId(), chain).setExpectedRevision(revision).build());
        assertThat(ok.getRevision()).isEqualTo(revision + 1);
    }

    @Test
    void badUpsertsAreRefusedWithFieldPathsAndChangeNothing() {
        long revision = registry.current().revision();

        assertInvalid(UpsertChainRequest.newBuilder(), "MISSING_FIELD", "change_id", "reason");
        assertInvalid(upsert("has space", newChain()).setReason(""), "INVALID_CHANGE", "change_id", "reason");
        assertInvalid(upsert(changeId(), newChain()).clearChain(), "MISSING_FIELD", "chain");
        assertInvalid(upsert(changeId(), newChain()).setExpectedRevision(-1), "INVALID_CHANGE", "expected_revision");

        ChainConfig.Builder badTier = newChain().toBuilder();
        badTier.getAssetsBuilder(1).getImTiersBuilder(0).setHaircut("1.5");
        assertInvalid(upsert(changeId(), badTier.build()), "INVALID_REGISTRY", "chain.assets[1].im_tiers[0].haircut");

        ChainConfig.Builder several = newChain().toBuilder().setChainId("Bad Id").setHaltAfterSilenceMs(1000);
        several.getAssetsBuilder(0).setDecimals(40).getMmTiersBuilder(0).setFromUsd("x");
        assertInvalid(upsert(changeId(), several.build()), "INVALID_REGISTRY",
                "chain.assets[0].decimals", "chain.assets[0].mm_tiers[0].from_usd");

        ChainConfig.Builder rules = newChain().toBuilder().setHaltAfterSilenceMs(1000);
        assertInvalid(upsert(changeId(), rules.build()), "INVALID_REGISTRY", "chain.halt_after_silence_ms");
        assertInvalid(upsert(changeId(), newChain().toBuilder().setChainId("Bad Id").build()), "INVALID_REGISTRY", "chain.chain_id");
        assertInvalid(upsert(changeId(), newChain().toBuilder().setFinalityRuleValue(9).build()), "INVALID_REGISTRY", "chain.finality_rule");
        ChainConfig.Builder mmAboveIm = newChain().toBuilder();
        mmAboveIm.getAssetsBuilder(0).getMmTiersBuilder(0).setHaircut("0.12");
        mmAboveIm.getAssetsBuilder(0).getMmTiersBuilder(1).setHaircut("0.15");
        assertInvalid(upsert(changeId(), mmAboveIm.build()), "INVALID_REGISTRY", "chain.assets[0].mm_tiers");
        assertInvalid(upsert(changeId(), ChainConfig.newBuilder().setChainId("testchain-x").build()), "MISSING_FIELD",
                "chain.finality_rule", "chain.block_time_ms", "chain.degraded_addon");

        assertThat(registry.current().revision()).isEqualTo(revision);
    }

    static void assertInvalid(UpsertChainRequest.Builder request, String reason, String... fields) {
        StatusRuntimeException e = catchStatus(() -> admin.upsertChain(request.build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(errorInfo(e).getReason()).isEqualTo(reason);
        assertThat(detail(e, BadRequest.class).getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField).contains(fields);
    }

    @Test
    void removingAnAssetBalancesHoldOrChangingItsDecimalsIsRefused() throws Exception {
        ChainConfig chain = newChain();
        admin.upsertChain(upsert(changeId(), chain).build());
        holdBalance(chain.getChainId(), "USDC");
        long revision = registry.current().revision();

        ChainConfig withoutUsdc = chain.toBuilder().removeAssets(1).build();
        StatusRuntimeException removed = catchStatus(() -> admin.upsertChain(upsert(changeId(), withoutUsdc).build()));
        assertThat(removed.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorInfo(removed).getReason()).isEqualTo("ASSET_IN_USE");
        assertThat(removed.getStatus().getDescription()).contains("USDC");

        ChainConfig.Builder rescaled = chain.toBuilder();
        rescaled.getAssetsBuilder(1).setDecimals(8);
        StatusRuntimeException decimals = catchStatus(() -> admin.upsertChain(upsert(changeId(), rescaled.build()).build()));
        assertThat(errorInfo(decimals).getReason()).isEqualTo("ASSET_IN_USE");
        assertThat(registry.current().revision()).isEqualTo(revision);

        // An asset nobody holds can go; the held one's haircuts can change.
        ChainConfig.Builder withoutEth = chain.toBuilder().removeAssets(0);
        withoutEth.getAssetsBuilder(0).getImTiersBuilder(0).setHaircut("0.04");
        admin.upsertChain(upsert(changeId(), withoutEth.build()).build());
        ChainSpec now = registry.current().chain(chain.getChainId()).orElseThrow();
        assertThat(now.assets()).containsOnlyKeys("USDC");
        assertThat(now.asset("USDC").orElseThrow().im().tiers().get(0).haircut()).isEqualByComparingTo("0.04");
    }

    // ---- registry changes and deposits serialize (review finding 6) ----

    @Test
    void aDepositCheckedAgainstAnAssetTheRegistryNoLongerListsAsItWasDoesNotCommit() {
        ChainConfig chain = admitted();
        String id = chain.getChainId();
        // What a replica that has not seen the change yet holds: the entry its stream checks deposits against.
        ChainSpec before = registry.current().chain(id).orElseThrow();
        assertThat(events.header(before, "c1", new BlockHeaderEvent(1, id + "-b1", "", 0)).outcome())
                .isEqualTo(AdapterEvents.Outcome.APPLIED);

        // ETH leaves the registry (nobody holds it), then a deposit checked against the old entry reaches its batch.
        admin.upsertChain(upsert(changeId(), chain.toBuilder().removeAssets(0).build()).build());
        RegistryChangedException removed = org.junit.jupiter.api.Assertions.assertThrows(RegistryChangedException.class,
                () -> events.deposit(before, "c2", new DepositEvent("0xeth", 0, id + "-b1", "acct-eth", "ETH", "1.5")));
        assertThat(removed.getMessage()).contains("ETH:18,USDC:6 then, USDC:6 now");
        ChainSpec withoutEth = registry.current().chain(id).orElseThrow();
        assertThat(withoutEth.assets()).containsOnlyKeys("USDC");

        // USDC's decimals change from 6 to 8: a deposit checked against 6 fails the same way.
        ChainConfig.Builder rescaled = chain.toBuilder().removeAssets(0);
        rescaled.getAssetsBuilder(0).setDecimals(8);
        admin.upsertChain(upsert(changeId(), rescaled.build()).build());
        org.junit.jupiter.api.Assertions.assertThrows(RegistryChangedException.class,
                () -> events.deposit(withoutEth, "c3", new DepositEvent("0xusdc", 0, id + "-b1", "acct-usdc", "USDC", "1.5")));
        assertThat(count("SELECT count(*) FROM deposit WHERE chain_id = '" + id + "'")).isZero();
        assertThat(count("SELECT count(*) FROM balance WHERE chain_id = '" + id + "'")).isZero();
        assertThat(count("SELECT count(*) FROM ledger_entry WHERE chain_id = '" + id + "'")).isZero();
        assertThat(count("SELECT count(*) FROM chain_state WHERE chain_id = '" + id + "' AND cursor = 'c1'")).as("no cursor moved").isEqualTo(1);

        // Judged by the entry in force: the old asset is refused, the new decimals are accepted.
        ChainSpec now = registry.current().chain(id).orElseThrow();
        assertThat(now.asset("USDC").orElseThrow().decimals()).isEqualTo(8);
        AdapterEvents.Ack eth = events.deposit(now, "c4", new DepositEvent("0xeth", 0, id + "-b1", "acct-eth", "ETH", "1.5"));
        assertThat(eth.outcome()).isEqualTo(AdapterEvents.Outcome.REJECTED);
        assertThat(eth.reason()).isEqualTo("UNKNOWN_ASSET");
        assertThat(events.deposit(now, "c5", new DepositEvent("0xusdc", 0, id + "-b1", "acct-usdc", "USDC", "1.12345678")).outcome())
                .isEqualTo(AdapterEvents.Outcome.APPLIED);
        // Adding an asset does not fail a batch checked before the addition.
        ChainConfig.Builder withDai = rescaled.clone();
        withDai.addAssets(withDai.getAssets(0).toBuilder().setAsset("DAI").setCanonicalAsset("DAI").setDecimals(18));
        admin.upsertChain(upsert(changeId(), withDai.build()).build());
        assertThat(events.deposit(now, "c6", new DepositEvent("0xusdc2", 0, id + "-b1", "acct-usdc", "USDC", "2")).outcome())
                .isEqualTo(AdapterEvents.Outcome.APPLIED);
    }

    @Test
    void aRegistryChangeWaitsForTheChainsBatchInFlightAndSeesWhatItCredited() throws Exception {
        ChainConfig chain = admitted();
        String id = chain.getChainId();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection batch = dataSource.getConnection()) {
            batch.setAutoCommit(false);
            // A batch in flight: it holds the chain's row (AdapterStore.lockChain) and credits ETH, not committed yet.
            try (PreparedStatement lock = batch.prepareStatement("SELECT chain_id FROM chain_state WHERE chain_id = ? FOR UPDATE")) {
                lock.setString(1, id);
                assertThat(lock.executeQuery().next()).isTrue();
            }
            holdBalance(batch, id, "ETH");
            Future<StatusRuntimeException> removal = pool.submit(() ->
                    catchStatus(() -> admin.upsertChain(upsert(changeId(), chain.toBuilder().removeAssets(0).build()).build())));
            LockWaiters.await(dataSource, 1, "%FROM chain_state WHERE chain_id = $1 FOR UPDATE%"); // the registry change waits for the chain's row
            assertThat(removal.isDone()).isFalse();
            batch.commit();
            StatusRuntimeException refused = removal.get(10, TimeUnit.SECONDS);
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(errorInfo(refused).getReason()).isEqualTo("ASSET_IN_USE");
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.current().chain(id).orElseThrow().assets()).containsKeys("ETH", "USDC");
    }

    // ---- SetChainHalt ----

    @Test
    void haltAndUnhaltAreInForceAtOnceAndRecorded() {
        ChainConfig chain = admitted();
        String id = changeId();

        SetChainHaltResponse halted = admin.setChainHalt(halt(id, chain.getChainId(), true).build());

        assertThat(halted.getReplayed()).isFalse();
        assertThat(registry.current().halted(chain.getChainId())).isTrue();
        assertThat(admin.getRegistry(GetRegistryRequest.getDefaultInstance()).getHaltedChainsList()).contains(chain.getChainId());
        assertThat(admin.setChainHalt(halt(id, chain.getChainId(), true).build()))
                .isEqualTo(SetChainHaltResponse.newBuilder().setRevision(halted.getRevision()).setReplayed(true).build());
        StatusRuntimeException conflict = catchStatus(() -> admin.setChainHalt(halt(id, chain.getChainId(), false).build()));
        assertThat(errorInfo(conflict).getReason()).isEqualTo("IDEMPOTENCY_CONFLICT");

        SetChainHaltResponse lifted = admin.setChainHalt(halt(changeId(), chain.getChainId(), false).build());
        assertThat(lifted.getRevision()).isGreaterThan(halted.getRevision());
        assertThat(registry.current().halted(chain.getChainId())).isFalse();
        assertThat(admin.getRegistry(GetRegistryRequest.getDefaultInstance()).getHaltedChainsList()).doesNotContain(chain.getChainId());

        List<RegistryChange> changes = admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageSize(2).build()).getChangesList();
        assertThat(changes).extracting(c -> c.getKind() + ":" + c.getChainId() + ":" + c.getHalted())
                .containsExactly("SET_CHAIN_HALT:" + chain.getChainId() + ":false", "SET_CHAIN_HALT:" + chain.getChainId() + ":true");
        assertThat(changes.get(1).getActor()).isEqualTo("alice");
        assertThat(changes.get(1).getBefore()).isEqualTo(chain);
    }

    @Test
    void badHaltsAreRefused() {
        long revision = registry.current().revision();

        StatusRuntimeException unknown = catchStatus(() -> admin.setChainHalt(halt(changeId(), "no-such-chain", true).build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(errorInfo(unknown).getReason()).isEqualTo("UNKNOWN_CHAIN");
        assertThat(detail(unknown, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("chain_id");

        StatusRuntimeException missing = catchStatus(() -> admin.setChainHalt(SetChainHaltRequest.getDefaultInstance()));
        assertThat(errorInfo(missing).getReason()).isEqualTo("MISSING_FIELD");
        assertThat(detail(missing, BadRequest.class).getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .containsExactlyInAnyOrder("change_id", "chain_id", "reason");
        assertThat(registry.current().revision()).isEqualTo(revision);
    }

    // ---- ListRegistryChanges ----

    @Test
    void theAuditSaysWhoWhenWhyBeforeAndAfterNewestFirstInPages() {
        Instant start = Instant.now().minusSeconds(1);
        ChainConfig first = newChain();
        String created = changeId();
        admin.upsertChain(upsert(created, first).setReason("list the new chain").build());
        ChainConfig second = first.toBuilder().setLiquidationLatencySeconds(1200).build();
        String edited = changeId();
        admin.upsertChain(upsert(edited, second).setReason("slower exits").build());
        String halted = changeId();
        admin.setChainHalt(halt(halted, first.getChainId(), true).build());
        String unhalted = changeId();
        admin.setChainHalt(halt(unhalted, first.getChainId(), false).build());

        ListRegistryChangesResponse page1 = admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageSize(2).build());
        ListRegistryChangesResponse page2 = admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageSize(2)
                .setPageToken(page1.getNextPageToken()).build());

        assertThat(page1.getNextPageToken()).isNotEmpty();
        assertThat(page1.getChangesList()).extracting(RegistryChange::getChangeId).containsExactly(unhalted, halted);
        assertThat(page2.getChangesList()).extracting(RegistryChange::getChangeId).containsExactly(edited, created);
        assertThat(page2.getNextPageToken()).as("the registry file's change is older").isNotEmpty();
        RegistryChange edit = page2.getChanges(0);
        assertThat(edit.getKind()).isEqualTo("UPSERT_CHAIN");
        assertThat(edit.getChainId()).isEqualTo(first.getChainId());
        assertThat(edit.getActor()).isEqualTo("alice");
        assertThat(edit.getReason()).isEqualTo("slower exits");
        assertThat(edit.getBefore()).isEqualTo(first);
        assertThat(edit.getAfter()).isEqualTo(second);
        assertThat(Instant.ofEpochMilli(edit.getChangedAtUnixMs())).isBetween(start, Instant.now());
        assertThat(page1.getChanges(0).getRevision()).isGreaterThan(page1.getChanges(1).getRevision());
        assertThat(page1.getChanges(1).getRevision()).isGreaterThan(page2.getChanges(0).getRevision());
        assertThat(page1.getChanges(0).getReason()).isEqualTo("test halt");

        RegistryChange creation = page2.getChanges(1);
        assertThat(creation.hasBefore()).isFalse();
        assertThat(creation.getAfter()).isEqualTo(first);
    }

    @Test
    void badPagesAreRefused() {
        for (int size : new int[] {-1, 1001}) {
            StatusRuntimeException e = catchStatus(() -> admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageSize(size).build()));
            assertThat(errorInfo(e).getReason()).isEqualTo("INVALID_PAGE_SIZE");
            assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField()).isEqualTo("page_size");
        }
        for (String token : new String[] {"abc", "0", "-3"}) {
            StatusRuntimeException e = catchStatus(() -> admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageToken(token).build()));
            assertThat(errorInfo(e).getReason()).isEqualTo("INVALID_PAGE_TOKEN");
        }
    }

    // ---- replicas ----

    @Test
    void aChangeMadeByAnotherReplicaIsPickedUpByPolling() {
        ChainConfig chain = admitted();

        // Straight to the database, as another replica would: this replica's Registry learns it only by polling.
        store.setChainHalt(changeId(), "bob", chain.getChainId(), true, "other replica");

        awaitTrue(() -> registry.current().halted(chain.getChainId()), "the halt made elsewhere is in force");
        admin.setChainHalt(halt(changeId(), chain.getChainId(), false).build());
        assertThat(registry.current().halted(chain.getChainId())).isFalse();
    }

    @Test
    void aRegistryFileIsAppliedOnceAcrossReplicasAndAnOlderOneIsIgnored() throws Exception {
        List<ChainSpec> chains = new ArrayList<>(registry.current().chains());
        long fileVersion = 100 + CHAINS.incrementAndGet();

        ExecutorService replicas = Executors.newFixedThreadPool(2);
        try {
            Callable<RegistryStore.FileOutcome> start = () -> store.applyFile(fileVersion, chains, "test");
            Future<RegistryStore.FileOutcome> a = replicas.submit(start);
            Future<RegistryStore.FileOutcome> b = replicas.submit(start);
            List<RegistryStore.FileOutcome> outcomes = List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
            assertThat(outcomes).filteredOn(RegistryStore.FileOutcome::applied).hasSize(1);
            assertThat(outcomes).filteredOn(o -> !o.applied()).singleElement()
                    .extracting(RegistryStore.FileOutcome::storedFileVersion).isEqualTo(fileVersion);
        } finally {
            replicas.shutdownNow();
        }
        assertThat(store.applyFile(1, List.of(), "old file").applied()).isFalse();
        registry.refresh();
        assertThat(registry.current().chains()).containsExactlyElementsOf(chains);
        RegistryChange newest = admin.listRegistryChanges(ListRegistryChangesRequest.newBuilder().setPageSize(1).build()).getChanges(0);
        assertThat(newest.getChangeId()).isEqualTo("config-file:" + fileVersion);
        assertThat(newest.getActor()).isEqualTo("config-file");
    }

    // ---- helpers ----

    /** A chain admitted to the registry, under a fresh id. */
    ChainConfig admitted() {
        ChainConfig chain = newChain();
        admin.upsertChain(upsert(changeId(), chain).build());
        return chain;
    }

    static ChainConfig newChain() {
        return ChainConfig.newBuilder()
                .setChainId("testchain-" + CHAINS.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100000, 36))
                .setFinalityRule(FinalityRule.FINALITY_RULE_CONFIRMATIONS)
                .setConfirmations(3)
                .setBlockTimeMs(2000)
                .setLiquidationLatencySeconds(600)
                .setPendingWeight("0")
                .setDegradedAddon("0.05")
                .setHeartbeatLateAfterMs(60_000)
                .setHeadStallAfterMs(120_000)
                .setHaltAfterSilenceMs(600_000)
                .addAssets(AssetConfig.newBuilder().setAsset("ETH").setCanonicalAsset("ETH").setDecimals(18).setWrappedAddon("0")
                        .addImTiers(tier("0", "0.1")).addImTiers(tier("1000000", "0.15"))
                        .addMmTiers(tier("0", "0.05")).addMmTiers(tier("1000000", "0.08"))
                        .setLatencyZIm(2.33).setLatencyZMm(1.65).setMinAnnualVol(0.5))
                .addAssets(AssetConfig.newBuilder().setAsset("USDC").setCanonicalAsset("USDC").setDecimals(6).setWrappedAddon("0")
                        .addImTiers(tier("0", "0.02")).addMmTiers(tier("0", "0.01"))
                        .setLatencyZIm(2.33).setLatencyZMm(1.65).setMinAnnualVol(0.02).setAccountCapUsd("5000000"))
                .build();
    }

    static HaircutTier tier(String from, String haircut) {
        return HaircutTier.newBuilder().setFromUsd(from).setHaircut(haircut).build();
    }

    static UpsertChainRequest.Builder upsert(String changeId, ChainConfig chain) {
        return UpsertChainRequest.newBuilder().setChangeId(changeId).setChain(chain).setReason("test " + chain.getChainId());
    }

    static SetChainHaltRequest.Builder halt(String changeId, String chainId, boolean halted) {
        return SetChainHaltRequest.newBuilder().setChangeId(changeId).setChainId(chainId).setHalted(halted).setReason("test halt");
    }

    static String changeId() {
        return "change:" + java.util.UUID.randomUUID();
    }

    static Metadata bearer(String token) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return metadata;
    }

    /** A balance on a test chain, with its ledger entry (as a credited deposit would leave it). */
    void holdBalance(String chainId, String asset) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            holdBalance(c, chainId, asset);
        }
    }

    long count(String sql) {
        try (Connection c = dataSource.getConnection(); java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #holdBalance(String, String)}, on the caller's connection (its transaction). */
    static void holdBalance(Connection c, String chainId, String asset) throws Exception {
        String account = "holder-" + java.util.UUID.randomUUID();
        try (PreparedStatement balance = c.prepareStatement(
                     "INSERT INTO balance (account_id, chain_id, asset, available) VALUES (?, ?, ?, 5)");
             PreparedStatement entry = c.prepareStatement("""
                     INSERT INTO ledger_entry (entry_key, account_id, chain_id, asset, kind, delta_available, reference)
                     VALUES (?, ?, ?, ?, 'DEPOSIT_CREDITED', 5, 'test')""")) {
            balance.setString(1, account);
            balance.setString(2, chainId);
            balance.setString(3, asset);
            balance.executeUpdate();
            entry.setString(1, "test:" + account);
            entry.setString(2, account);
            entry.setString(3, chainId);
            entry.setString(4, asset);
            entry.executeUpdate();
        }
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }
}
