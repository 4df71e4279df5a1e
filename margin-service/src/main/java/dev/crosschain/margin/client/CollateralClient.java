package dev.crosschain.margin.client;

import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.proto.collateral.v1.AssetCollateral;
import dev.crosschain.proto.collateral.v1.ChainCollateral;
import dev.crosschain.proto.collateral.v1.ChainStatus;
import dev.crosschain.proto.collateral.v1.CollateralServiceGrpc;
import dev.crosschain.proto.collateral.v1.CollateralView;
import dev.crosschain.proto.collateral.v1.GetCollateralRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralsRequest;
import dev.crosschain.proto.collateral.v1.GetCollateralsResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** margin-service's reads of collateral-service. */
@ApplicationScoped
public class CollateralClient {

    @GrpcClient("collateral")
    CollateralServiceGrpc.CollateralServiceBlockingStub blocking;

    @Inject
    Calls calls;

    /**
     * The account's valued collateral; empty when collateral-service never heard of the account (NOT_FOUND).
     *
     * @throws DependencyException when collateral-service does not answer in time or answers otherwise
     */
    public Optional<Collateral> collateral(String accountId) {
        GetCollateralRequest request = GetCollateralRequest.newBuilder().setAccountId(accountId).build();
        CollateralView view;
        try {
            view = calls.idempotent("GetCollateral " + accountId, () -> blocking
                    .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                    .getCollateral(request)).getView();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw new DependencyException("GetCollateral " + accountId + ": collateral-service answered " + e.getStatus(),
                    e.getStatus().getCode(), e);
        }
        return Optional.of(parse(accountId, view));
    }

    /** Most account ids one GetCollaterals call takes (collateral-service refuses more). */
    public static final int MAX_ACCOUNTS = 1_000;

    /**
     * The valued collateral of {@code accountIds} (distinct), in GetCollaterals calls of at most {@link #MAX_ACCOUNTS}.
     * Each account's view is read through {@link Batch#of}, so a malformed view fails that account only.
     *
     * @throws DependencyException when collateral-service does not answer in time or answers otherwise
     */
    public Batch collaterals(List<String> accountIds) {
        Map<String, CollateralView> views = new HashMap<>();
        Set<String> unknown = new HashSet<>();
        for (int from = 0; from < accountIds.size(); from += MAX_ACCOUNTS) {
            List<String> slice = accountIds.subList(from, Math.min(accountIds.size(), from + MAX_ACCOUNTS));
            GetCollateralsRequest request = GetCollateralsRequest.newBuilder().addAllAccountIds(slice).build();
            String what = "GetCollaterals of " + slice.size() + " accounts from " + slice.get(0);
            GetCollateralsResponse response;
            try {
                response = calls.idempotent(what, () -> blocking
                        .withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS)
                        .getCollaterals(request));
            } catch (StatusRuntimeException e) {
                throw new DependencyException(what + ": collateral-service answered " + e.getStatus(), e.getStatus().getCode(), e);
            }
            response.getViewsList().forEach(v -> views.put(v.getAccountId(), v));
            unknown.addAll(response.getUnknownAccountIdsList());
        }
        return new Batch(views, unknown);
    }

    /** One {@link #collaterals} answer: views by account id, and the ids collateral-service never heard of. */
    public static final class Batch {
        private final Map<String, CollateralView> views;
        private final Set<String> unknown;

        private Batch(Map<String, CollateralView> views, Set<String> unknown) {
            this.views = views;
            this.unknown = unknown;
        }

        /**
         * The account's collateral as {@link #collateral(String)} answers it: empty when collateral-service never heard of it.
         *
         * @throws DependencyException INTERNAL when its view is malformed or the answer left the account out
         */
        public Optional<Collateral> of(String accountId) {
            CollateralView view = views.get(accountId);
            if (view != null) {
                return Optional.of(parse(accountId, view));
            }
            if (unknown.contains(accountId)) {
                return Optional.empty();
            }
            throw new DependencyException("collateral-service's GetCollaterals answer left out " + accountId, Status.Code.INTERNAL, null);
        }
    }

    private static Collateral parse(String accountId, CollateralView view) {
        try {
            return map(view);
        } catch (RuntimeException e) {
            throw new DependencyException("collateral-service sent a malformed view of " + accountId + ": " + e.getMessage(),
                    Status.Code.INTERNAL, e);
        }
    }

    /**
     * collateral-service's view as margin's lines. A line of a HALTED chain takes haircuts of 1, whatever the
     * breakdown says: collateral-service values it 0, and so does portfolio margin's scan (it neither counts
     * nor hedges). A line without a canonical asset is malformed (the caller answers DependencyException INTERNAL).
     */
    static Collateral map(CollateralView view) {
        List<CollateralLine> lines = new ArrayList<>();
        for (ChainCollateral chain : view.getChainsList()) {
            boolean halted = chain.getStatus() == ChainStatus.CHAIN_STATUS_HALTED;
            for (AssetCollateral a : chain.getAssetsList()) {
                String canonical = a.getCanonicalAsset();
                if (canonical.isBlank()) {
                    // collateral-service always names it (its registry requires one); guessing the token's own
                    // symbol would scan WETH as an underlying "WETH" or USDC.e as a risky asset
                    throw new IllegalArgumentException("asset " + a.getAsset() + " on " + chain.getChainId() + " has no canonical_asset");
                }
                lines.add(new CollateralLine(chain.getChainId(), a.getAsset(), dec(a.getAvailable()), dec(a.getPriceUsd()),
                        dec(a.getMarketValueUsd()), dec(a.getValueImUsd()), dec(a.getValueMmUsd()), a.getPriceStale(),
                        canonical, halted ? BigDecimal.ONE : fraction(a.getHaircutMm().getTotal()),
                        halted ? BigDecimal.ONE : fraction(a.getHaircutIm().getTotal())));
            }
        }
        return new Collateral(lines, dec(view.getMarketValueUsd()), dec(view.getValueImUsd()), dec(view.getValueMmUsd()),
                view.getPriceStale(), view.getAsOfUnixMs());
    }

    /** A haircut fraction, in [0, 1]; out of range is malformed. */
    private static BigDecimal fraction(String text) {
        BigDecimal f = dec(text);
        if (f.signum() < 0 || f.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("haircut " + text + " is not in [0, 1]");
        }
        return f;
    }

    private static BigDecimal dec(String text) {
        return text == null || text.isBlank() ? BigDecimal.ZERO : new BigDecimal(text.trim());
    }
}
