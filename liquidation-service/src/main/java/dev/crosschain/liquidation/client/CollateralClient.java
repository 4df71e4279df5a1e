package dev.crosschain.liquidation.client;

import dev.crosschain.liquidation.app.LiquidationConfig;
import dev.crosschain.liquidation.domain.AssetDecimals;
import dev.crosschain.liquidation.domain.CanonicalAssets;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.liquidation.domain.PreconditionException;
import dev.crosschain.proto.collateral.v1.Chain;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.AssetConfig;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.ListChainsRequest;
import dev.crosschain.proto.collateral.v1.ListChainsResponse;
import dev.crosschain.proto.collateral.v1.TransferLeg;
import dev.crosschain.proto.collateral.v1.TransferRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** liquidation-service's calls to collateral-service. */
@ApplicationScoped
public class CollateralClient {

    /** One movement of an available balance. */
    /** Metadata key of an INSUFFICIENT_BALANCE refusal: the index of the leg that would overdraw. */
    public static final String FAILED_LEG = "failed_leg";
    private static final java.util.regex.Pattern LEG = java.util.regex.Pattern.compile("legs\\[(\\d+)]");

    public record Leg(String fromAccountId, String toAccountId, String chainId, String asset, BigDecimal amount) {
    }

    @GrpcClient("collateral")
    CollateralServiceGrpc.CollateralServiceBlockingStub blocking;

    @Inject
    Calls calls;

    @Inject
    LiquidationConfig config;

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** A forced re-read (an unknown chain/asset) within this long of the last read reuses that read. */
    static final Duration MIN_FORCED_REFRESH = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(CollateralClient.class);

    /** The chain registry as last read, and when (by {@link #ticker}); null before the first read. */
    private volatile Read read;
    private volatile LongSupplier ticker = System::nanoTime;

    private record Read(AssetDecimals decimals, long atNanos) {
    }

    /** Each token's canonical priced asset ("chain/asset" -> e.g. BTC for WBTC), from the same read as {@link #read}. */
    private volatile CanonicalAssets canonical = CanonicalAssets.NONE;

    /**
     * Decimals of every token on every chain ("chain/asset"), from ListChains (all pages). The registry can change at
     * run time (an operator's UpsertChain), so a read older than {@code liquidation.collateral.registry-refresh} is
     * read again; when that fails the older read is kept (and used for another interval) rather than failing bids
     * over a registry that rarely changes. A token missing from it is handled by {@link #refreshDecimals()}.
     *
     * @throws DependencyException when collateral-service cannot be read and nothing was read before
     */
    public AssetDecimals decimals() {
        Read known = read;
        long now = ticker.getAsLong();
        if (known != null && now - known.atNanos() < config.collateral().registryRefresh().toNanos()) {
            return known.decimals();
        }
        try {
            return readRegistry(now);
        } catch (DependencyException e) {
            if (known == null) {
                throw e;
            }
            LOG.warnf("chain registry not refreshed, keeping the one read before: %s", e.getMessage());
            read = new Read(known.decimals(), now);
            return known.decimals();
        }
    }

    /**
     * Reads the registry again now, for a (chain, asset) the cached one does not know (a chain or token added since);
     * a read younger than {@link #MIN_FORCED_REFRESH} is reused, so a burst of such bids costs one ListChains.
     *
     * @throws DependencyException when collateral-service cannot be read
     */
    public AssetDecimals refreshDecimals() {
        Read known = read;
        long now = ticker.getAsLong();
        if (known != null && now - known.atNanos() < MIN_FORCED_REFRESH.toNanos()) {
            return known.decimals();
        }
        return readRegistry(now);
    }

    private AssetDecimals readRegistry(long now) {
        Map<String, Integer> byChainAsset = new HashMap<>();
        Map<String, String> canonicalByChainAsset = new HashMap<>();
        Set<String> seenTokens = new HashSet<>();
        String pageToken = "";
        do {
            ListChainsRequest request = ListChainsRequest.newBuilder().setPageToken(pageToken).build();
            ListChainsResponse response;
            try {
                response = calls.idempotent("ListChains", () -> blocking
                        .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                        .listChains(request));
            } catch (StatusRuntimeException e) {
                throw new DependencyException("ListChains: collateral-service answered " + e.getStatus(), e.getStatus().getCode(), e);
            }
            for (Chain chain : response.getChainsList()) {
                for (AssetConfig asset : chain.getConfig().getAssetsList()) {
                    byChainAsset.put(AssetDecimals.key(chain.getChainId(), asset.getAsset()), asset.getDecimals());
                    canonicalByChainAsset.put(AssetDecimals.key(chain.getChainId(), asset.getAsset()), asset.getCanonicalAsset());
                }
            }
            pageToken = response.getNextPageToken();
            if (!pageToken.isEmpty() && !seenTokens.add(pageToken)) {
                throw new DependencyException("ListChains: collateral-service repeated page token " + pageToken,
                        Status.Code.INTERNAL, null);
            }
        } while (!pageToken.isEmpty());
        AssetDecimals decimals = new AssetDecimals(byChainAsset);
        canonical = new CanonicalAssets(canonicalByChainAsset);
        read = new Read(decimals, now);
        return decimals;
    }

    /**
     * Each token's canonical priced asset, as read with {@link #decimals()} (and refreshed as it is).
     *
     * @throws DependencyException when collateral-service cannot be read and nothing was read before
     */
    public CanonicalAssets canonicalAssets() {
        decimals();
        return canonical;
    }

    /** Drops the cached registry: the next {@link #decimals()} reads it again. */
    public void forgetDecimals() {
        read = null;
    }

    /** Tests: the nanosecond clock that ages the cached registry. */
    public void useTicker(LongSupplier ticker) {
        this.ticker = ticker;
    }

    /**
     * Moves balances atomically, idempotent by transfer id. True when it was a replay.
     *
     * @throws PreconditionException INSUFFICIENT_BALANCE when a debited account lacks funds (nothing moved); its metadata
     *                               {@link #FAILED_LEG} is the index of the refused leg when collateral-service names it
     * @throws DependencyException   on any other failure (UNAVAILABLE after retries, deadline, refusal)
     */
    public boolean transfer(String transferId, List<Leg> legs, String memo) {
        TransferRequest.Builder request = TransferRequest.newBuilder().setTransferId(transferId).setMemo(memo);
        for (Leg leg : legs) {
            request.addLegs(TransferLeg.newBuilder().setFromAccountId(leg.fromAccountId()).setToAccountId(leg.toAccountId())
                    .setChainId(leg.chainId()).setAsset(leg.asset()).setAmount(Money.plain(leg.amount())));
        }
        TransferRequest built = request.build();
        try {
            return calls.idempotent("Transfer " + transferId, () -> authorized()
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .transfer(built)).getReplayed();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                    && Calls.reason(e).filter("INSUFFICIENT_BALANCE"::equals).isPresent()) {
                // collateral-service names the leg that would overdraw: the caller tells whose balance was short
                Optional<String> leg = Calls.preconditionSubject(e).map(LEG::matcher).filter(java.util.regex.Matcher::matches)
                        .map(m -> m.group(1));
                throw new PreconditionException("INSUFFICIENT_BALANCE", "transfers/" + transferId,
                        "collateral-service refused the transfer: " + e.getStatus().getDescription(),
                        leg.map(i -> java.util.Map.of(FAILED_LEG, i)).orElse(java.util.Map.of()));
            }
            throw new DependencyException("Transfer " + transferId + ": collateral-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        }
    }

    /**
     * The available (final, free) balance of one token of an account, token units, as collateral-service reports it
     * (GetCollateral): zero when the account holds none of it or collateral-service knows no such account.
     *
     * @throws DependencyException when collateral-service cannot be read
     */
    public BigDecimal available(String accountId, String chainId, String asset) {
        GetCollateralRequest request = GetCollateralRequest.newBuilder().setAccountId(accountId).build();
        try {
            var view = calls.idempotent("GetCollateral " + accountId, () -> blocking
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getCollateral(request)).getView();
            BigDecimal available = BigDecimal.ZERO;
            for (ChainCollateral chain : view.getChainsList()) {
                if (!chain.getChainId().equals(chainId)) {
                    continue;
                }
                for (AssetCollateral held : chain.getAssetsList()) {
                    if (held.getAsset().equals(asset) && !held.getAvailable().isBlank()) {
                        available = available.add(new BigDecimal(held.getAvailable()));
                    }
                }
            }
            return available;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return BigDecimal.ZERO;
            }
            throw new DependencyException("GetCollateral " + accountId + ": collateral-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        } catch (NumberFormatException e) {
            throw new DependencyException("GetCollateral " + accountId + ": not a decimal balance: " + e.getMessage(),
                    Status.Code.INTERNAL, e);
        }
    }

    /** The stub that sends "authorization: Bearer <token>" (no header when no token is configured). */
    private CollateralServiceGrpc.CollateralServiceBlockingStub authorized() {
        Optional<String> token = config.collateral().token().filter(t -> !t.isBlank());
        if (token.isEmpty()) {
            return blocking;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token.get().trim());
        return blocking.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
