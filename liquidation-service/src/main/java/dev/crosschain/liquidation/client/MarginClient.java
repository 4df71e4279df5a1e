package dev.crosschain.liquidation.client;

import dev.crosschain.liquidation.domain.AccountSnapshot;
import dev.crosschain.liquidation.domain.Decimals;
import dev.crosschain.liquidation.domain.LotItem;
import dev.crosschain.liquidation.domain.Money;
import dev.crosschain.proto.margin.v1.AccountStatus;
import dev.crosschain.proto.margin.v1.AccountView;
import dev.crosschain.proto.margin.v1.CollateralLine;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.IsolatedBucket;
import dev.crosschain.proto.margin.v1.MarginMode;
import dev.crosschain.proto.margin.v1.MarginServiceGrpc;
import dev.crosschain.proto.margin.v1.MutinyMarginServiceGrpc;
import dev.crosschain.proto.margin.v1.Position;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.RiskEvent;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeRequest;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeResponse;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** liquidation-service's calls to margin-service. Every unary call has a deadline and is retried on UNAVAILABLE. */
@ApplicationScoped
public class MarginClient {

    private static final Logger LOG = Logger.getLogger(MarginClient.class);

    @GrpcClient("margin")
    MarginServiceGrpc.MarginServiceBlockingStub blocking;

    @GrpcClient("margin")
    MutinyMarginServiceGrpc.MutinyMarginServiceStub mutiny;

    @Inject
    Calls calls;

    /** The account as margin-service values it now. */
    public AccountSnapshot accountSnapshot(String accountId) {
        AccountView view = call("GetAccountView " + accountId, () -> stub()
                .getAccountView(GetAccountViewRequest.newBuilder().setAccountId(accountId).build()).getView());
        return snapshot(accountId, view);
    }

    /** The view read as a snapshot; a malformed view is a DependencyException INTERNAL. */
    private static AccountSnapshot snapshot(String accountId, AccountView view) {
        try {
            List<AccountSnapshot.Collateral> collateral = new ArrayList<>();
            for (CollateralLine line : view.getCollateralList()) {
                collateral.add(new AccountSnapshot.Collateral(line.getChainId(), line.getAsset(),
                        Decimals.orZero(line.getAmount(), "collateral.amount"),
                        Decimals.orZero(line.getMarketValueUsd(), "collateral.market_value_usd"),
                        Decimals.orZero(line.getPriceUsd(), "collateral.price_usd"),
                        Decimals.orZero(line.getValueMmUsd(), "collateral.value_mm_usd")));
            }
            List<AccountSnapshot.Position> positions = new ArrayList<>();
            for (Position p : view.getPositionsList()) {
                positions.add(new AccountSnapshot.Position(p.getInstrument(), Decimals.orZero(p.getQuantity(), "positions.quantity"),
                        Decimals.orZero(p.getUnrealizedPnlUsd(), "positions.unrealized_pnl_usd")
                                .add(Decimals.orZero(p.getOptionValueUsd(), "positions.option_value_usd"))));
            }
            return new AccountSnapshot(accountId, collateral, positions,
                    Decimals.orZero(view.getUnrealizedPnlUsd(), "unrealized_pnl_usd"),
                    Decimals.orZero(view.getOptionValueUsd(), "option_value_usd"), view.getConservative(),
                    view.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION,
                    Decimals.optional(view.getEquityUsd(), "equity_usd"),
                    Decimals.optional(view.getInitialMarginUsd(), "initial_margin_usd"),
                    Decimals.optional(view.getMaintenanceMarginUsd(), "maintenance_margin_usd"),
                    Decimals.orZero(view.getRealizedPnlUsd(), "realized_pnl_usd"), buckets(view),
                    Decimals.optional(view.getFreePoolUsd(), "free_pool_usd"));
        } catch (IllegalArgumentException e) {
            throw new DependencyException("margin-service sent a malformed view of " + accountId + ": " + e.getMessage(),
                    io.grpc.Status.Code.INTERNAL, e);
        }
    }

    /**
     * The view's ISOLATED buckets; none unless the account is ISOLATED. Every figure is required: a bucket read as 0
     * would be auctioned on a guess.
     */
    private static List<AccountSnapshot.Bucket> buckets(AccountView view) {
        List<AccountSnapshot.Bucket> buckets = new ArrayList<>();
        if (view.getMode() != MarginMode.MARGIN_MODE_ISOLATED) {
            return buckets;
        }
        for (IsolatedBucket b : view.getIsolatedBucketsList()) {
            buckets.add(new AccountSnapshot.Bucket(b.getInstrument(), Decimals.required(b.getAllocationUsd(), "isolated_buckets.allocation_usd"),
                    Decimals.required(b.getEquityUsd(), "isolated_buckets.equity_usd"),
                    Decimals.required(b.getInitialMarginUsd(), "isolated_buckets.initial_margin_usd"),
                    Decimals.required(b.getMaintenanceMarginUsd(), "isolated_buckets.maintenance_margin_usd"),
                    b.getStatus() == AccountStatus.ACCOUNT_STATUS_LIQUIDATION));
        }
        return buckets;
    }

    /**
     * Freezes the account for the auction (idempotent upstream) and asks for its view valued after the freeze: the
     * snapshot margin-service answered with it, or empty when it answered none (its valuation failed, or it is older
     * than return_view) or a malformed one: the caller then asks {@link #accountSnapshot}. Fails as
     * {@link #setFreeze} does.
     */
    public Optional<AccountSnapshot> freezeWithSnapshot(String accountId, String auctionId) {
        SetLiquidationFreezeResponse answer = call("SetLiquidationFreeze " + accountId + " true", () -> stub().setLiquidationFreeze(
                SetLiquidationFreezeRequest.newBuilder().setAccountId(accountId).setFrozen(true).setAuctionId(auctionId)
                        .setReturnView(true).build()));
        if (!answer.hasView()) {
            return Optional.empty();
        }
        if (!answer.getView().getAccountId().equals(accountId) || !answer.getView().getFrozen()) {
            // never an auction on a view that is not this account's, frozen: GetAccountView's answer is judged instead
            LOG.warnf("the freeze of %s for %s answered a view of %s (frozen %s); not used", accountId, auctionId,
                    answer.getView().getAccountId(), answer.getView().getFrozen());
            return Optional.empty();
        }
        try {
            return Optional.of(snapshot(accountId, answer.getView()));
        } catch (DependencyException e) {
            // the freeze holds all the same: GetAccountView's answer is judged instead
            LOG.warnf("the freeze of %s for %s answered an unreadable view: %s", accountId, auctionId, e.getMessage());
            return Optional.empty();
        }
    }

    /** Freezes or unfreezes the account for the auction (idempotent upstream). */
    public void setFreeze(String accountId, boolean frozen, String auctionId) {
        call("SetLiquidationFreeze " + accountId + " " + frozen, () -> stub().setLiquidationFreeze(
                SetLiquidationFreezeRequest.newBuilder().setAccountId(accountId).setFrozen(frozen).setAuctionId(auctionId).build()));
    }

    /** Moves positions at the source's entry price, idempotent by transfer id. True when it was a replay. */
    public boolean transferPositions(String transferId, String from, String to, List<LotItem> positions) {
        return transferPositions(transferId, from, to, positions, null);
    }

    /**
     * {@link #transferPositions(String, String, String, List)} of a bucket auction's bid: margin-service changes the
     * source's ISOLATED bucket of the (one) position by {@code bucketDeltaUsd} (whole cents) in the same transaction;
     * null or zero: no change.
     */
    public boolean transferPositions(String transferId, String from, String to, List<LotItem> positions, BigDecimal bucketDeltaUsd) {
        TransferPositionsRequest.Builder request = TransferPositionsRequest.newBuilder()
                .setTransferId(transferId).setFromAccountId(from).setToAccountId(to);
        for (LotItem p : positions) {
            PositionTransfer.Builder leg = PositionTransfer.newBuilder().setInstrument(p.instrument()).setQuantity(Money.plain(p.quantity()));
            if (bucketDeltaUsd != null && bucketDeltaUsd.signum() != 0) {
                leg.setBucketDeltaUsd(Money.plain(bucketDeltaUsd));
            }
            request.addPositions(leg);
        }
        return call("TransferPositions " + transferId, () -> stub().transferPositions(request.build())).getReplayed();
    }

    /** margin-service's risk stream: first every account not HEALTHY, then every change. No deadline: it is long-lived. */
    public Multi<RiskEvent> watchRisk() {
        return mutiny.watchRisk(WatchRiskRequest.getDefaultInstance()).map(WatchRiskResponse::getEvent);
    }

    private MarginServiceGrpc.MarginServiceBlockingStub stub() {
        return blocking.withDeadlineAfter(calls.deadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T> T call(String what, java.util.function.Supplier<T> call) {
        try {
            return calls.idempotent(what, call);
        } catch (StatusRuntimeException e) {
            throw new DependencyException(what + ": margin-service answered " + e.getStatus(), e.getStatus().getCode(), e);
        }
    }
}
