package dev.crosschain.margin.grpc;

import dev.crosschain.margin.app.MarginEngine;
import dev.crosschain.margin.app.MarginModes;
import dev.crosschain.margin.app.Withdrawals;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.Side;
import dev.crosschain.margin.store.AccountStore;
import dev.crosschain.proto.margin.v1.ApplyFillRequest;
import dev.crosschain.proto.margin.v1.ApplyFillResponse;
import dev.crosschain.proto.margin.v1.GetAccountViewRequest;
import dev.crosschain.proto.margin.v1.GetAccountViewResponse;
import dev.crosschain.proto.margin.v1.HypotheticalFill;
import dev.crosschain.proto.margin.v1.HypotheticalWithdrawal;
import dev.crosschain.proto.margin.v1.MarginService;
import dev.crosschain.proto.margin.v1.PositionTransfer;
import dev.crosschain.proto.margin.v1.RequestWithdrawalRequest;
import dev.crosschain.proto.margin.v1.RequestWithdrawalResponse;
import dev.crosschain.proto.margin.v1.SetMarginModeRequest;
import dev.crosschain.proto.margin.v1.SetMarginModeResponse;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeRequest;
import dev.crosschain.proto.margin.v1.SetLiquidationFreezeResponse;
import dev.crosschain.proto.margin.v1.TransferPositionsRequest;
import dev.crosschain.proto.margin.v1.TransferPositionsResponse;
import dev.crosschain.proto.margin.v1.WatchAccountRequest;
import dev.crosschain.proto.margin.v1.WatchAccountResponse;
import dev.crosschain.proto.margin.v1.WatchRiskRequest;
import dev.crosschain.proto.margin.v1.WatchRiskResponse;
import dev.crosschain.proto.margin.v1.WhatIfRequest;
import dev.crosschain.proto.margin.v1.WhatIfResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** gRPC adapter: validates and maps requests, calls one use case, maps the answer. */
@GrpcService
public class MarginGrpcService implements MarginService {

    private final MarginEngine engine;
    private final Withdrawals withdrawals;
    private final MarginModes modes;
    private final dev.crosschain.margin.app.ActiveRiskParameters parameters;
    private final AdminToken admin;
    /** Field-injected to leave the constructor as it is. */
    @jakarta.inject.Inject
    dev.crosschain.margin.app.Explanations explanations;
    @jakarta.inject.Inject
    dev.crosschain.margin.app.IsolatedMargins isolated;

    public MarginGrpcService(MarginEngine engine, Withdrawals withdrawals, MarginModes modes,
                             dev.crosschain.margin.app.ActiveRiskParameters parameters, AdminToken admin) {
        this.engine = engine;
        this.withdrawals = withdrawals;
        this.modes = modes;
        this.parameters = parameters;
        this.admin = admin;
    }

    @Override
    @Blocking
    public Uni<ApplyFillResponse> applyFill(ApplyFillRequest request) {
        Checks checks = new Checks();
        String fillId = checks.required(request.getFillId(), "fill_id");
        String accountId = checks.required(request.getAccountId(), "account_id");
        Instrument instrument = checks.instrument(request.getInstrument(), "instrument");
        Side side = checks.side(request.getSide(), "side");
        var quantity = checks.positive(request.getQuantity(), "quantity", "INVALID_QUANTITY");
        var price = checks.positive(request.getPrice(), "price", "INVALID_PRICE");
        checks.throwIfAny();
        String hash = Checks.hash(String.join("|", accountId, instrument.name(), side.name(),
                Decimals.canonical(quantity), Decimals.canonical(price)));
        AccountStore.FillResult result = engine.applyFill(
                new AccountStore.FillCommand(fillId, hash, accountId, instrument, side, quantity, price));
        return Uni.createFrom().item(ApplyFillResponse.newBuilder().setFillId(result.fillId()).setReplayed(result.replayed())
                .setPosition(ProtoMapper.position(result.position())).build());
    }

    @Override
    @Blocking
    public Uni<GetAccountViewResponse> getAccountView(GetAccountViewRequest request) {
        Checks checks = new Checks();
        String accountId = checks.required(request.getAccountId(), "account_id");
        checks.throwIfAny();
        return Uni.createFrom().item(GetAccountViewResponse.newBuilder().setView(ProtoMapper.view(engine.view(accountId, request.getIncludeLiquidationPrices()))).build());
    }

    @Override
    public Multi<WatchAccountResponse> watchAccount(WatchAccountRequest request) {
        Checks checks = new Checks();
        String accountId = checks.required(request.getAccountId(), "account_id");
        try {
            checks.throwIfAny();
        } catch (RuntimeException e) {
            return Multi.createFrom().failure(e);
        }
        return engine.watchAccount(accountId, request.getIncludeLiquidationPrices()).map(v -> WatchAccountResponse.newBuilder().setView(ProtoMapper.view(v)).build());
    }

    @Override
    @Blocking
    public Uni<WhatIfResponse> whatIf(WhatIfRequest request) {
        Checks checks = new Checks();
        String accountId = checks.required(request.getAccountId(), "account_id");
        List<MarginEngine.HypotheticalFill> fills = new ArrayList<>();
        for (int i = 0; i < request.getFillsCount(); i++) {
            HypotheticalFill f = request.getFills(i);
            String at = "fills[" + i + "].";
            Instrument instrument = checks.instrument(f.getInstrument(), at + "instrument");
            Side side = checks.side(f.getSide(), at + "side");
            var quantity = checks.positive(f.getQuantity(), at + "quantity", "INVALID_QUANTITY");
            var price = f.getPrice().isBlank() ? null : checks.positive(f.getPrice(), at + "price", "INVALID_PRICE");
            fills.add(new MarginEngine.HypotheticalFill(instrument, side, quantity, price));
        }
        List<Collateral.Withdrawal> withdrawals = new ArrayList<>();
        for (int i = 0; i < request.getWithdrawalsCount(); i++) {
            HypotheticalWithdrawal w = request.getWithdrawals(i);
            String at = "withdrawals[" + i + "].";
            String chain = checks.required(w.getChainId(), at + "chain_id");
            String asset = checks.required(w.getAsset(), at + "asset");
            var amount = checks.positive(w.getAmount(), at + "amount", "INVALID_QUANTITY");
            withdrawals.add(new Collateral.Withdrawal(chain, asset, amount));
        }
        checks.throwIfAny();
        MarginEngine.WhatIf result = engine.whatIf(accountId, fills, withdrawals, request.getIncludeLiquidationPrices());
        return Uni.createFrom().item(WhatIfResponse.newBuilder().setBefore(ProtoMapper.view(result.before()))
                .setAfter(ProtoMapper.view(result.after())).build());
    }

    @Override
    public Multi<WatchRiskResponse> watchRisk(WatchRiskRequest request) {
        return engine.watchRisk().map(e -> WatchRiskResponse.newBuilder().setEvent(ProtoMapper.event(e)).build());
    }

    @Override
    @Blocking
    public Uni<SetLiquidationFreezeResponse> setLiquidationFreeze(SetLiquidationFreezeRequest request) {
        Checks checks = new Checks();
        String accountId = checks.required(request.getAccountId(), "account_id");
        String auctionId = checks.required(request.getAuctionId(), "auction_id");
        checks.throwIfAny();
        MarginEngine.Freeze freeze = engine.setFreeze(accountId, request.getFrozen(), auctionId, request.getReturnView());
        SetLiquidationFreezeResponse.Builder answer = SetLiquidationFreezeResponse.newBuilder().setFrozen(freeze.frozen());
        if (freeze.view() != null) {
            answer.setView(ProtoMapper.view(freeze.view()));
        }
        return Uni.createFrom().item(answer.build());
    }

    @Override
    @Blocking
    public Uni<TransferPositionsResponse> transferPositions(TransferPositionsRequest request) {
        Checks checks = new Checks();
        String transferId = checks.required(request.getTransferId(), "transfer_id");
        String from = checks.required(request.getFromAccountId(), "from_account_id");
        String to = checks.required(request.getToAccountId(), "to_account_id");
        if (from != null && from.equals(to)) {
            checks.add("SAME_ACCOUNT", "to_account_id", "must differ from from_account_id");
        }
        if (request.getPositionsCount() == 0) {
            checks.add("MISSING_FIELD", "positions", "at least one position is required");
        }
        List<AccountStore.TransferLeg> legs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        StringBuilder canonical = new StringBuilder().append(from).append('|').append(to);
        for (int i = 0; i < request.getPositionsCount(); i++) {
            PositionTransfer p = request.getPositions(i);
            String at = "positions[" + i + "].";
            Instrument instrument = checks.instrument(p.getInstrument(), at + "instrument");
            var quantity = checks.nonZero(p.getQuantity(), at + "quantity", "INVALID_QUANTITY");
            // empty: no bucket change (and the payload hash of a transfer without one is what it always was)
            var bucketDelta = p.getBucketDeltaUsd().isEmpty() ? null : checks.cents(p.getBucketDeltaUsd(), at + "bucket_delta_usd");
            if (instrument != null && !seen.add(instrument.name())) {
                checks.add("INVALID_QUANTITY", at + "instrument", "instrument listed twice: " + instrument.name());
            }
            if (instrument != null && quantity != null) {
                legs.add(new AccountStore.TransferLeg(instrument, quantity, bucketDelta));
                canonical.append('|').append(instrument.name()).append(':').append(Decimals.canonical(quantity));
                if (bucketDelta != null) {
                    canonical.append(":bucket ").append(Decimals.canonical(bucketDelta));
                }
            }
        }
        checks.throwIfAny();
        boolean replayed = engine.transfer(transferId, Checks.hash(canonical.toString()), from, to, legs);
        return Uni.createFrom().item(TransferPositionsResponse.newBuilder().setTransferId(transferId).setReplayed(replayed).build());
    }

    @Override
    @Blocking
    public Uni<RequestWithdrawalResponse> requestWithdrawal(RequestWithdrawalRequest request) {
        Checks checks = new Checks();
        String withdrawalId = checks.id(request.getWithdrawalId(), "withdrawal_id");
        String accountId = checks.name(request.getAccountId(), "account_id", "INVALID_ACCOUNT");
        String chainId = checks.name(request.getChainId(), "chain_id", "UNKNOWN_CHAIN");
        String asset = checks.name(request.getAsset(), "asset", "UNKNOWN_ASSET");
        var amount = checks.positive(request.getAmount(), "amount", "INVALID_QUANTITY");
        String destination = checks.destination(request.getDestinationAddress(), "destination_address");
        checks.throwIfAny();
        String hash = Checks.hash(String.join("|", accountId, chainId, asset, Decimals.canonical(amount), destination));
        Withdrawals.Result result = withdrawals.request(
                new Withdrawals.Request(withdrawalId, hash, accountId, chainId, asset, amount, destination));
        return Uni.createFrom().item(RequestWithdrawalResponse.newBuilder().setWithdrawalId(result.withdrawalId())
                .setReplayed(result.replayed()).setLockedAtUnixMs(result.lockedAtMs())
                .setEquityImAfterUsd(ProtoMapper.usd(result.equityImAfter()))
                .setInitialMarginAfterUsd(ProtoMapper.usd(result.imAfter()))
                .setMaintenanceMarginAfterUsd(ProtoMapper.usd(result.mmAfter())).build());
    }

    @Override
    @Blocking
    public Uni<SetMarginModeResponse> setMarginMode(SetMarginModeRequest request) {
        Checks checks = new Checks();
        String requestId = checks.id(request.getRequestId(), "request_id");
        String accountId = checks.name(request.getAccountId(), "account_id", "INVALID_ACCOUNT");
        dev.crosschain.margin.domain.MarginMode mode = checks.mode(request.getMode(), "mode");
        checks.throwIfAny();
        AccountStore.ModeResult result = modes.set(new MarginModes.Request(requestId,
                Checks.hash(String.join("|", accountId, mode.name())), accountId, mode));
        return Uni.createFrom().item(SetMarginModeResponse.newBuilder().setMode(ProtoMapper.mode(result.mode()))
                .setReplayed(result.replayed()).setEquityImUsd(ProtoMapper.usd(result.equityIm()))
                .setInitialMarginUsd(ProtoMapper.usd(result.initialMargin())).build());
    }

    @Override
    @Blocking
    public Uni<dev.crosschain.proto.margin.v1.AdjustIsolatedMarginResponse> adjustIsolatedMargin(
            dev.crosschain.proto.margin.v1.AdjustIsolatedMarginRequest request) {
        Checks checks = new Checks();
        String requestId = checks.id(request.getRequestId(), "request_id");
        String accountId = checks.name(request.getAccountId(), "account_id", "INVALID_ACCOUNT");
        Instrument instrument = checks.instrument(request.getInstrument(), "instrument");
        var delta = checks.cents(request.getDeltaUsd(), "delta_usd");
        checks.throwIfAny();
        AccountStore.AdjustResult result = isolated.adjust(new dev.crosschain.margin.app.IsolatedMargins.Request(requestId,
                Checks.hash(String.join("|", accountId, instrument.name(), Decimals.canonical(delta))), accountId,
                instrument.name(), delta));
        return Uni.createFrom().item(dev.crosschain.proto.margin.v1.AdjustIsolatedMarginResponse.newBuilder()
                .setRequestId(result.requestId()).setReplayed(result.replayed()).setInstrument(result.instrument())
                .setAllocationUsd(ProtoMapper.usd(result.allocation())).setFreePoolUsd(ProtoMapper.usd(result.freePool())).build());
    }

    // ---- risk parameters (issue 5) ----

    static final int DEFAULT_CHANGES_PAGE = 20;
    static final int MAX_CHANGES_PAGE = 100;

    @Override
    @Blocking
    public Uni<dev.crosschain.proto.margin.v1.GetRiskParametersResponse> getRiskParameters(
            dev.crosschain.proto.margin.v1.GetRiskParametersRequest request) {
        return Uni.createFrom().item(dev.crosschain.proto.margin.v1.GetRiskParametersResponse.newBuilder()
                .setActive(RiskParametersMapper.change(parameters.current().record())).build());
    }

    @Override
    @Blocking
    public Uni<dev.crosschain.proto.margin.v1.ListRiskParameterChangesResponse> listRiskParameterChanges(
            dev.crosschain.proto.margin.v1.ListRiskParameterChangesRequest request) {
        Checks checks = new Checks();
        int size = request.getPageSize() == 0 ? DEFAULT_CHANGES_PAGE : request.getPageSize();
        if (size < 1 || size > MAX_CHANGES_PAGE) {
            checks.add("INVALID_PAGE_SIZE", "page_size", "must be in [0, " + MAX_CHANGES_PAGE + "] (0: " + DEFAULT_CHANGES_PAGE
                    + "), got " + request.getPageSize());
        }
        long before = Long.MAX_VALUE;
        if (!request.getPageToken().isEmpty()) {
            before = pageToken(request.getPageToken());
            if (before < 1) {
                checks.add("INVALID_PAGE_TOKEN", "page_token", "not a token from a previous page");
            }
        }
        checks.throwIfAny();
        // one more than asked tells whether a next page exists; the token is the last seq returned
        List<dev.crosschain.margin.store.RiskParameterStore.Change> changes = parameters.changes(before, size + 1);
        var response = dev.crosschain.proto.margin.v1.ListRiskParameterChangesResponse.newBuilder();
        changes.stream().limit(size).forEach(c -> response.addChanges(RiskParametersMapper.change(c)));
        if (changes.size() > size) {
            response.setNextPageToken(Long.toString(changes.get(size - 1).seq()));
        }
        return Uni.createFrom().item(response.build());
    }

    private static long pageToken(String token) {
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    @Blocking
    public Uni<dev.crosschain.proto.margin.v1.SetRiskParametersResponse> setRiskParameters(
            dev.crosschain.proto.margin.v1.SetRiskParametersRequest request) {
        admin.require("SetRiskParameters");
        Checks checks = new Checks();
        dev.crosschain.margin.domain.RiskParameters set = checks.riskParameters(request.getParameters(), "parameters");
        String changedBy = checks.name(request.getChangedBy(), "changed_by", "INVALID_CHANGED_BY");
        String reason = checks.required(request.getReason(), "reason");
        if (reason != null) {
            // characters as a reader counts them (code points, not UTF-16 units); a line break is the one control
            // character a reason may hold (others garble logs and listings)
            int characters = reason.codePointCount(0, reason.length());
            if (characters > 1024) {
                checks.add("INVALID_REASON", "reason", "must be at most 1024 characters (got " + characters + ")");
            } else if (reason.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
                checks.add("INVALID_REASON", "reason", "must not hold control characters other than a line break");
            }
        }
        checks.throwIfAny();
        var outcome = parameters.set(set, changedBy, reason);
        return Uni.createFrom().item(dev.crosschain.proto.margin.v1.SetRiskParametersResponse.newBuilder()
                .setChange(RiskParametersMapper.change(outcome.recorded().change())).setReplayed(outcome.recorded().replayed())
                .setActiveVersion(outcome.activeVersion()).build());
    }

    // ---- explain and replay (issue 5) ----

    @Override
    @Blocking
    public Uni<dev.crosschain.proto.margin.v1.ExplainResponse> explain(dev.crosschain.proto.margin.v1.ExplainRequest request) {
        Checks checks = new Checks();
        String accountId = checks.name(request.getAccountId(), "account_id", "INVALID_ACCOUNT");
        checks.throwIfAny();
        dev.crosschain.margin.app.Explanations.Explained explained = explanations.explain(accountId);
        return Uni.createFrom().item(dev.crosschain.proto.margin.v1.ExplainResponse.newBuilder()
                .setView(ProtoMapper.view(explained.risk())).setSnapshotId(explained.snapshotId().toString())
                .setExplanation(ExplainMapper.explanation(explained.explanation())).build());
    }

    @Override
    @Blocking
    public Uni<dev.crosschain.proto.margin.v1.ReplaySnapshotResponse> replaySnapshot(
            dev.crosschain.proto.margin.v1.ReplaySnapshotRequest request) {
        Checks checks = new Checks();
        java.util.UUID id = checks.snapshotId(request.getSnapshotId(), "snapshot_id");
        checks.throwIfAny();
        dev.crosschain.margin.app.Explanations.Replayed replayed = explanations.replay(id);
        return Uni.createFrom().item(dev.crosschain.proto.margin.v1.ReplaySnapshotResponse.newBuilder()
                .setView(ProtoMapper.view(replayed.risk())).setRecorded(ExplainMapper.figures(replayed.recorded()))
                .setIdentical(replayed.identical()).setTakenAtUnixMs(replayed.takenAtMs()).build());
    }
}
