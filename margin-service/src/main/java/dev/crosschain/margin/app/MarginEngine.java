package dev.crosschain.margin.app;

import dev.crosschain.margin.client.CollateralClient;
import dev.crosschain.margin.client.DependencyException;
import dev.crosschain.margin.client.PricingClient;
import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Book;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.IsolatedMargin;
import dev.crosschain.margin.domain.LiquidationPrices;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.NotFoundException;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.RiskStatus;
import dev.crosschain.margin.domain.Side;
import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.UnusableInputException;
import dev.crosschain.margin.store.AccountStore;
import io.grpc.Context;
import io.grpc.Deadline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The use cases: record trades and transfers, value accounts, what-if, freeze, and the health streams. */
@ApplicationScoped
public class MarginEngine {

    private static final Logger LOG = Logger.getLogger(MarginEngine.class);

    /** A trade that has not happened; {@code price} null means "at the mark". */
    public record HypotheticalFill(Instrument instrument, Side side, BigDecimal quantity, BigDecimal price) {
    }

    /** Views before and after hypothetical changes. */
    public record WhatIf(AccountRisk before, AccountRisk after) {
    }

    /**
     * A status change (or a snapshot entry, previous null) for WatchRisk.
     *
     * @param breachedInstrument an ISOLATED account's bucket that set the status; null otherwise
     */
    public record RiskEvent(String accountId, dev.crosschain.margin.domain.RiskStatus status,
                            dev.crosschain.margin.domain.RiskStatus previous, BigDecimal equity, BigDecimal initialMargin,
                            BigDecimal maintenanceMargin, double marginRatio, long atMs, String breachedInstrument) {
    }

    private final AccountStore store;
    private final dev.crosschain.margin.store.WithdrawalStore withdrawals;
    private final CollateralClient collateral;
    private final PricingClient pricing;
    /** The risk-parameter set; each computation takes it once, with its inputs. */
    private final ActiveRiskParameters parameters;
    private final PendingWithdrawals pending;
    private final Hub<RiskEvent> risk = new Hub<>();
    private final Hub<Valued> views = new Hub<>();
    /**
     * Per account, the newest-read recorded valuation ({@link #rememberForFreeze}): its view when valued LIQUIDATION,
     * which a freeze may answer ({@link #keptOrRevalued}), else none.
     */
    private final Map<String, Kept> breachViews = new ConcurrentHashMap<>();
    /** When a valuation's inputs were read ({@link #readStamp}): the order of {@link #breachViews}' entries and their age. */
    private final AtomicLong readClock = new AtomicLong(System.nanoTime());
    private volatile boolean stopping;
    /** The re-margin pass's workers (margin.remargin.workers), made by the first pass. */
    private ExecutorService passPool;
    /** The pages' collateral reads ({@link #readPool()}). */
    private ExecutorService readPool;
    /** Guards {@link #passPool} and {@link #readPool}: not the engine's monitor, which a running pass holds. */
    private final Object poolLock = new Object();
    /** Field-injected to leave the constructor (the risk-parameter wiring) as it is. */
    @Inject
    MarginConfig config;
    /** Where the re-margin pass spends its time (field-injected like {@link #config}). */
    @Inject
    MeterRegistry meters;
    /** The expected-shortfall model of each set (field-injected like {@link #config}). */
    @Inject
    ShortfallModels shortfall;
    /** "Liquidation prices left out": at most one warning every 10 s. */
    private final WarnEvery leftOutWarning = new WarnEvery(10_000);

    public MarginEngine(AccountStore store, dev.crosschain.margin.store.WithdrawalStore withdrawals, CollateralClient collateral,
                        PricingClient pricing, ActiveRiskParameters parameters, PendingWithdrawals pending) {
        this.pending = pending;
        this.store = store;
        this.withdrawals = withdrawals;
        this.collateral = collateral;
        this.pricing = pricing;
        this.parameters = parameters;
    }

    // ---- commands ----

    /** Records an executed trade, then re-evaluates the account in the background. */
    public AccountStore.FillResult applyFill(AccountStore.FillCommand fill) {
        AccountStore.FillResult result = store.applyFill(fill);
        if (!result.replayed()) {
            reevaluateLater(fill.accountId());
        }
        return result;
    }

    /** Moves positions at the source's entry price, then re-evaluates both accounts. True on a replay. */
    public boolean transfer(String transferId, String requestHash, String from, String to, List<AccountStore.TransferLeg> legs) {
        if (legs.stream().anyMatch(l -> l.bucketDelta() != null)) {
            // a bucket the view showed at its opening allocation is changed from that, not from nothing
            recordNewBuckets(from);
        }
        boolean replayed = store.transfer(transferId, requestHash, from, to, legs);
        if (!replayed) {
            reevaluateLater(from);
            reevaluateLater(to);
        }
        return replayed;
    }

    /**
     * A freeze's answer: whether the account is now frozen, and its view valued after the freeze when that was asked
     * and could be had (null otherwise).
     */
    public record Freeze(boolean frozen, AccountRisk view) {
    }

    /**
     * Freezes or unfreezes the account; WatchAccount subscribers see the new flag, from a re-evaluation in the
     * background. A freeze with {@code returnView} answers the account's view instead, frozen, and tells the watchers,
     * so the caller needs no GetAccountView after it: the view a re-margin or re-evaluation kept when it found the
     * account in LIQUIDATION, when that view is still current ({@link #keptOrRevalued}), else one valuation here,
     * before the answer, that records the status too. When that fails the freeze stands and is answered without a
     * view, re-evaluated in the background as without {@code returnView}; when it merely outlasts the wait it records
     * and publishes its own result.
     */
    public Freeze setFreeze(String accountId, boolean frozen, String auctionId, boolean returnView) {
        // under the account's withdrawal lock: a withdrawal checked before the freeze finishes its lock
        // first, and none is checked and locked after the freeze answered
        boolean now = withdrawals.underAccountLockForFreeze(accountId, () -> {
            boolean set = store.setFreeze(accountId, frozen, auctionId);
            if (frozen) {
                pending.resolveForFreeze(accountId); // after the freeze: never delayed or refused by it
            }
            return set;
        });
        if (!(frozen && returnView)) {
            reevaluateLater(accountId);
            return new Freeze(now, null);
        }
        return new Freeze(now, viewAfterFreeze(accountId).orElse(null));
    }

    /**
     * The frozen account's view ({@link #keptOrRevalued}); empty when that fails in any way or takes more than half the
     * caller's remaining time: the freeze is stored and must be answered within the caller's deadline still (a slow
     * upstream costs the view, not the freeze's answer). The work runs detached from the caller's context, under
     * margin's own client deadlines; one that outlasts the wait still records and publishes what it finds, and one that
     * fails queues a re-evaluation (the watchers see the freeze's flag from it).
     */
    private Optional<AccountRisk> viewAfterFreeze(String accountId) {
        CompletableFuture<Optional<AccountRisk>> valuation = new CompletableFuture<>();
        Infrastructure.getDefaultWorkerPool().execute(Context.ROOT.wrap(() -> {
            Optional<AccountRisk> view;
            try {
                view = keptOrRevalued(accountId);
            } catch (RuntimeException e) {
                LOG.warnf(e, "re-evaluation of %s after its freeze failed; answered without its view", accountId);
                view = Optional.empty();
            }
            if (view.isEmpty()) {
                reevaluateLater(accountId);
            }
            valuation.complete(view);
        }));
        Deadline caller = Context.current().getDeadline();
        long waitNanos = caller == null ? config.client().deadline().toNanos() * 2 : caller.timeRemaining(TimeUnit.NANOSECONDS) / 2;
        try {
            return valuation.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warnf("re-evaluation of %s after its freeze is slow; answered without its view", accountId);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty(); // not reached: the task completes normally in every case
        }
    }

    /**
     * The account's LIQUIDATION view kept by the newest-read recorded valuation ({@link #rememberForFreeze}), with the
     * freeze flag the account has now, published to its watchers, when it is current: its inputs read at most
     * margin.freeze.view-max-age ago (timed from before that valuation read them, so its marks are younger), with the
     * risk-parameter set active now, the account stored LIQUIDATION now, from the book the account holds now
     * (positions, realized PnL and margin mode) and the collateral collateral-service values now (compared but for its
     * time). Its marks are the one input not checked: they lag the answer by at most that age, a product choice (a
     * price move since is the next re-margin pass's, as for any account); its as-of time and input ages are those of
     * its valuation, not of the answer. Nothing is recorded then: the status it shows is stored already. Otherwise the
     * account re-evaluated ({@link #reevaluated}), from the account and collateral read for the check when there was a
     * view to check. Empty when collateral-service does not answer or the valuation fails.
     */
    private Optional<AccountRisk> keptOrRevalued(String accountId) {
        long read = readStamp();
        ActiveRiskParameters.Active set = parameters.current();
        Valued kept = keptBreachView(accountId, set, read);
        if (kept == null) {
            meters.counter("margin.freeze.views", "source", "valued").increment();
            return reevaluated(accountId, read, () -> valued(accountId));
        }
        Optional<AccountStore.AccountState> state = store.load(accountId);
        Optional<Collateral> held;
        try {
            held = collateral.collateral(accountId);
        } catch (DependencyException e) {
            // the valuation would ask the same collateral-service: failed as it would
            LOG.warnf("re-evaluation of %s after its freeze skipped: %s", accountId, e.getMessage());
            return Optional.empty();
        }
        // the status stored now, not only this replica's valuations: another replica's or a newer HEALTHY stands
        boolean current = state.isPresent() && state.get().lastStatus() == RiskStatus.LIQUIDATION && sameBook(state.get(), kept.in())
                && held.map(h -> h.sameValuation(kept.in().collateral)).orElse(false);
        meters.counter("margin.freeze.views", "source", current ? "kept" : "valued").increment();
        if (!current) {
            return reevaluated(accountId, read, () -> valued(accountId, inputs(accountId, set, state, held, List.of())));
        }
        Valued frozen = new Valued(kept.risk().withFrozen(state.get().frozen()), kept.in());
        views.publish(frozen);
        return Optional.of(frozen.risk());
    }

    /**
     * The account's kept LIQUIDATION view when {@link #keptOrRevalued} may check it: read at most
     * margin.freeze.view-max-age before {@code now} ({@link #readStamp}), with the risk-parameter set {@code set}; null
     * otherwise.
     */
    private Valued keptBreachView(String accountId, ActiveRiskParameters.Active set, long now) {
        Kept entry = breachViews.get(accountId);
        Duration maxAge = config.freeze().viewMaxAge();
        if (entry == null || entry.view() == null || maxAge.isZero() || now - entry.read() > maxAge.toNanos()
                || !entry.view().parameters().version().equals(set.version())) {
            return null;
        }
        return entry.view();
    }

    /** Whether the account holds the book {@code in} was read with: positions, realized PnL and margin mode. */
    private static boolean sameBook(AccountStore.AccountState state, Inputs in) {
        if (state.mode() != in.mode || state.realizedPnl().compareTo(in.realized) != 0
                || state.positions().size() != in.positions.size()) {
            return false;
        }
        for (int i = 0; i < in.positions.size(); i++) {
            Position now = state.positions().get(i);
            Position was = in.positions.get(i);
            if (!now.instrument().equals(was.instrument()) || now.quantity().compareTo(was.quantity()) != 0
                    || now.averageEntryPrice().compareTo(was.averageEntryPrice()) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A recorded valuation of an account for {@link #keptOrRevalued}: when its inputs were read ({@link #readStamp}),
     * and its view when a freeze may answer it, null when not (a clear, which an older valuation cannot undo).
     */
    private record Kept(long read, Valued view) {
    }

    /**
     * Keeps {@code v}, a valuation whose status is recorded and whose inputs were read at {@code read}
     * ({@link #readStamp}), as the account's view a freeze may answer when it is LIQUIDATION and from the full model
     * (not conservative, not PORTFOLIO's fallback, not ISOLATED, whose buckets the book check does not cover); clears
     * the account's kept view otherwise. A valuation read later, kept or cleared, stands: one that read its inputs
     * earlier but finished later (a pass overtaken by a re-evaluation) changes nothing. Called before the valuation's
     * RiskEvent is published: a freeze that follows the event finds it. Nothing is kept while
     * margin.freeze.view-max-age is 0, and a clear is only kept over an entry (the pass prunes them: {@link #pruneKept}).
     */
    private void rememberForFreeze(long read, Valued v) {
        if (config.freeze().viewMaxAge().isZero()) {
            return;
        }
        AccountRisk risk = v.risk();
        boolean answerable = risk.status() == RiskStatus.LIQUIDATION && !risk.conservative() && risk.isolated() == null
                && risk.mode() != MarginMode.ISOLATED && (risk.portfolio() == null || !risk.portfolio().fallback());
        if (answerable) {
            breachViews.compute(risk.accountId(), (id, kept) -> kept != null && kept.read() > read ? kept : new Kept(read, v));
        } else {
            breachViews.computeIfPresent(risk.accountId(), (id, kept) -> kept.read() > read ? kept : new Kept(read, null));
        }
    }

    /**
     * Drops the kept views and clears read more than margin.freeze.view-max-age ago: none could be answered, and any
     * valuation that would replace one read earlier still, so is too old to be answered itself.
     */
    private void pruneKept() {
        long oldest = System.nanoTime() - config.freeze().viewMaxAge().toNanos();
        breachViews.values().removeIf(kept -> kept.read() - oldest < 0);
    }

    /**
     * Now, on a monotonic clock, distinct from every earlier stamp: taken before a valuation reads its inputs, it orders
     * valuations by their reads and bounds a kept view's age from before its marks were read.
     */
    private long readStamp() {
        return readClock.updateAndGet(last -> Math.max(last + 1, System.nanoTime()));
    }

    // ---- queries ----

    /**
     * The account valued now, with its liquidation prices (GetAccountView). NOT_FOUND UNKNOWN_ACCOUNT when neither
     * margin-service nor collateral-service knows it; zero collateral when only margin-service does.
     *
     * @throws DependencyException when an upstream service does not answer
     */
    public AccountRisk view(String accountId) {
        return view(accountId, false);
    }

    /** {@link #view(String)}, with its liquidation prices when {@code liquidationPrices} (see {@link #withLiquidationPrices}). */
    public AccountRisk view(String accountId, boolean liquidationPrices) {
        Valued v = valued(accountId);
        return liquidationPrices ? withLiquidationPrices(v) : v.risk();
    }

    /**
     * Records the opening allocation of every bucket of an ISOLATED account that has none (a position opened since
     * its last re-evaluation); nothing for another mode. Called under the account lock by a change that spends the
     * free pool (AdjustIsolatedMargin, a withdrawal) before it values the account, so the buckets it judges are
     * the stored ones, not what a later re-evaluation would size from another valuation.
     */
    public void recordNewBuckets(String accountId) {
        if (store.load(accountId).map(s -> s.mode() == MarginMode.ISOLATED).orElse(false)) {
            recordOpenings(valued(accountId).risk());
        }
    }

    /** An account's view, the marks it was valued at and the risk-parameter set it was computed with (what its liquidation prices need). */
    private record Valued(AccountRisk risk, Inputs in) {

        Map<String, MarketMark> marks() {
            return in.marks;
        }

        ActiveRiskParameters.Active parameters() {
            return in.parameters;
        }
    }

    /** The account valued now, without liquidation prices: the re-margin loop's figures. */
    private Valued valued(String accountId) {
        return valued(accountId, inputs(accountId, List.of()));
    }

    /** The account's own view from {@code in}: the one evaluation of GetAccountView, WatchAccount and the re-margin pass. */
    private Valued valued(String accountId, Inputs in) {
        return valued(accountId, in, pricing::revalue);
    }

    /** {@link #valued(String, Inputs)} with {@code revaluation} standing in for RevalueBook (the pass's batched figures). */
    private Valued valued(String accountId, Inputs in, PortfolioAccount.Revaluation revaluation) {
        return new Valued(viewWith(accountId, in, now(), revaluation, shortfall), in);
    }

    /**
     * {@code v} with its liquidation prices, asked for explicitly (never on the hot paths): one RevalueBook call for
     * every underlying with positions (parallel calls past pricing's limits; none for an account without positions,
     * liquidatable already, or conservative), one attempt, ending by margin.liquidation-prices.deadline or the
     * caller's deadline when sooner. A failed or late revaluation leaves them out and the view is answered still:
     * they are an answer's extra, never a reason to refuse it.
     */
    private AccountRisk withLiquidationPrices(Valued v) {
        if (v.risk().isolated() != null) {
            // the crossing is of the whole account's equity and MM; a bucket is liquidated on its own figures, at a
            // price this engine does not compute yet: left out rather than shown wrong
            return v.risk();
        }
        Deadline deadline = Deadline.after(config.liquidationPrices().deadline().toNanos(), TimeUnit.NANOSECONDS);
        Deadline caller = io.grpc.Context.current().getDeadline();
        Deadline budget = caller != null && caller.isBefore(deadline) ? caller : deadline;
        try {
            // the calculator and stablecoins of the set the view was computed with, not whatever is active now
            ActiveRiskParameters.Active set = v.parameters();
            LiquidationPrices liquidationPrices =
                    new LiquidationPrices(set.cross(), set.portfolio().parameters().stablecoins());
            return v.risk().withLiquidationPrices(liquidationPrices.of(v.risk(), v.marks(),
                    (positions, scenarios) -> pricing.revalueOnce(positions, scenarios, budget)));
        } catch (DependencyException | UnusableInputException e) {
            // the expected failures: pricing late, down or refusing; anything else is a bug and propagates
            if (leftOutWarning.due()) {
                LOG.warnf("liquidation prices of %s left out (further ones for %d s not logged): %s", v.risk().accountId(),
                        leftOutWarning.seconds(), e.getMessage());
            }
        }
        return v.risk();
    }

    /** The account now and after the hypothetical fills and withdrawals; nothing is stored. */
    public WhatIf whatIf(String accountId, List<HypotheticalFill> fills, List<Collateral.Withdrawal> withdrawals) {
        return whatIf(accountId, fills, withdrawals, false);
    }

    /** {@link #whatIf(String, List, List)}, the after view with its liquidation prices when {@code liquidationPrices}. */
    public WhatIf whatIf(String accountId, List<HypotheticalFill> fills, List<Collateral.Withdrawal> withdrawals,
                         boolean liquidationPrices) {
        Inputs in;
        try {
            in = inputs(accountId, fills.stream().map(f -> f.instrument().name()).toList());
        } catch (DependencyException e) {
            if (!fills.isEmpty() && (e.code() == io.grpc.Status.Code.NOT_FOUND || e.code() == io.grpc.Status.Code.INVALID_ARGUMENT)) {
                throw new dev.crosschain.margin.domain.InvalidInputException("UNKNOWN_INSTRUMENT", "fills",
                        "pricing-service cannot mark an instrument: " + e.getMessage());
            }
            throw e;
        }
        WhatIf result = whatIf(accountId, in, fills, withdrawals);
        if (!liquidationPrices) {
            return result;
        }
        // the after view only: what the change would do; the account now is GetAccountView's answer
        return new WhatIf(result.before(), withLiquidationPrices(new Valued(result.after(), in)));
    }

    /**
     * The account now and after withdrawing {@code w}; nothing is stored. FAILED_PRECONDITION
     * INSUFFICIENT_BALANCE when the chain and asset hold less available than asked (the lock would
     * be refused too; better said before the margin figures).
     */
    public WhatIf whatIfWithdrawal(String accountId, Collateral.Withdrawal w) {
        Inputs in = inputs(accountId, List.of());
        BigDecimal available = in.collateral.lines().stream()
                .filter(l -> l.chainId().equals(w.chainId()) && l.asset().equals(w.asset()))
                .map(dev.crosschain.margin.domain.CollateralLine::available).findFirst().orElse(BigDecimal.ZERO);
        if (available.compareTo(w.amount()) < 0) {
            throw new dev.crosschain.margin.domain.PreconditionException("INSUFFICIENT_BALANCE",
                    "accounts/" + accountId + "/chains/" + w.chainId() + "/assets/" + w.asset(),
                    "withdrawal of " + dev.crosschain.margin.domain.Decimals.plain(w.amount()) + " " + w.asset() + " on "
                            + w.chainId() + " exceeds the available " + dev.crosschain.margin.domain.Decimals.plain(available));
        }
        return whatIf(accountId, in, List.of(), List.of(w));
    }

    private WhatIf whatIf(String accountId, Inputs in, List<HypotheticalFill> fills, List<Collateral.Withdrawal> withdrawals) {
        AccountRisk before = evaluate(in.mode, accountId, in, in.realized, in.positions, in.collateral, now(), false);
        Map<String, Position> positions = new LinkedHashMap<>();
        in.positions.forEach(p -> positions.put(p.instrument(), p));
        BigDecimal realized = in.realized;
        for (HypotheticalFill f : fills) {
            String name = f.instrument().name();
            BigDecimal price = f.price() != null ? f.price() : in.marks.get(name).mark();
            Position.Change change = Book.fill(f.instrument(), positions.getOrDefault(name, Position.flat(name)),
                    f.side().signed(f.quantity()), price);
            positions.put(name, change.after());
            realized = realized.add(change.realizedPnl());
        }
        Collateral after = in.collateral;
        for (int i = 0; i < withdrawals.size(); i++) {
            after = after.withdraw(withdrawals.get(i), "withdrawals[" + i + "].amount");
        }
        AccountRisk afterRisk = evaluate(in.mode, accountId, in, realized, new ArrayList<>(positions.values()), after,
                before.asOfMs(), false);
        return new WhatIf(before, afterRisk);
    }

    /**
     * The account now and in margin mode {@code to}; nothing is stored. FAILED_PRECONDITION
     * MODE_NOT_AVAILABLE when {@code to} is not in {@link #availableModes()}. Switching to CROSS needs no
     * revaluation: a PORTFOLIO account's before figures are then the fallback when RevalueBook fails.
     */
    public WhatIf whatIfMode(String accountId, MarginMode to) {
        requireAvailable(to);
        Inputs in = inputs(accountId, List.of());
        // to CROSS needs no revaluation: the before figures of a PORTFOLIO account may be the fallback (the switch is
        // judged on the cross after figures), so an account can leave PORTFOLIO while RevalueBook is down
        AccountRisk before = evaluate(in.mode, accountId, in, in.realized, in.positions, in.collateral, now(), to == MarginMode.CROSS);
        AccountRisk after = evaluate(to, accountId, in, in.realized, in.positions, in.collateral, before.asOfMs(), false);
        return new WhatIf(before, after);
    }

    /**
     * The modes an account may switch to: CROSS (standard rules), PORTFOLIO (the scenario engine of
     * domain.portfolio, the book revalued by pricing-service's RevalueBook) and, while margin.isolated.enabled,
     * ISOLATED (a bucket per position, {@link dev.crosschain.margin.domain.IsolatedMargin}). An account already
     * ISOLATED is still valued in it when the switch is turned off.
     */
    public java.util.Set<MarginMode> availableModes() {
        return config.isolated().enabled() ? java.util.EnumSet.allOf(MarginMode.class)
                : java.util.EnumSet.of(MarginMode.CROSS, MarginMode.PORTFOLIO);
    }

    /** FAILED_PRECONDITION MODE_NOT_AVAILABLE unless an account may switch to {@code mode}. */
    public void requireAvailable(MarginMode mode) {
        if (!availableModes().contains(mode)) {
            throw new dev.crosschain.margin.domain.PreconditionException("MODE_NOT_AVAILABLE", "modes/" + mode,
                    "margin mode " + mode + " is not offered yet; available: " + availableModes());
        }
    }

    /**
     * The account's figures in {@code mode} (never silently in another mode). PORTFOLIO revalues the book
     * through pricing-service. When RevalueBook fails: with {@code fallback} (the account's own view:
     * GetAccountView, WatchAccount, the re-margin that stores the status WatchRisk and liquidation read) the
     * labelled conservative {@link PortfolioAccount#fallback} (conservative, contingency revaluation_unavailable),
     * and likewise when the engine refuses upstream data ({@link dev.crosschain.margin.domain.portfolio.UnusableInputException});
     * without it (WhatIf, RequestWithdrawal, SetMarginMode to PORTFOLIO: they judge a change, and a floor is no
     * ground to allow one) the {@link DependencyException} propagates: UNAVAILABLE. The figures come from the
     * risk-parameter set taken with the inputs and carry its version.
     */
    private AccountRisk evaluate(MarginMode mode, String accountId, Inputs in, BigDecimal realized, List<Position> positions,
                                 Collateral collateral, long nowMs, boolean fallback) {
        return evaluateIn(in.parameters, mode, accountId, in, realized, positions, collateral, nowMs, fallback, pricing::revalue,
                shortfall)
                .withParametersVersion(in.parameters.version());
    }

    /**
     * The account's own view from {@code in} at {@code nowMs}, by GetAccountView's rules (the fallback included), with
     * {@code revaluation} standing in for RevalueBook and {@code shortfalls} for the ES models: Explain records
     * pricing's answers and the ES plans through them, ReplaySnapshot answers the recorded ones.
     */
    AccountRisk viewWith(String accountId, Inputs in, long nowMs, PortfolioAccount.Revaluation revaluation,
                         ShortfallSource shortfalls) {
        return evaluateIn(in.parameters, in.mode, accountId, in, in.realized, in.positions, in.collateral, nowMs, true, revaluation,
                shortfalls)
                .withParametersVersion(in.parameters.version());
    }

    private AccountRisk evaluateIn(ActiveRiskParameters.Active set, MarginMode mode, String accountId, Inputs in, BigDecimal realized,
                                   List<Position> positions, Collateral collateral, long nowMs, boolean fallback,
                                   PortfolioAccount.Revaluation revaluation, ShortfallSource shortfalls) {
        PortfolioAccount portfolio = set.portfolio();
        if (mode == MarginMode.ISOLATED) {
            // an account switching to ISOLATED has no buckets yet: each opens at its opening allocation
            Map<String, BigDecimal> allocations = in.mode == MarginMode.ISOLATED ? in.allocations : Map.of();
            return IsolatedMargin.evaluate(
                    set.cross().evaluate(accountId, in.frozen, realized, positions, in.marks, collateral, nowMs, MarginMode.CROSS),
                    allocations);
        }
        if (mode == MarginMode.PORTFOLIO) {
            try {
                return portfolio.evaluate(accountId, in.frozen, realized, positions, in.marks, collateral, nowMs, revaluation,
                        shortfalls.of(set.record().parameters().expectedShortfall(), MarginMode.PORTFOLIO));
            } catch (DependencyException | dev.crosschain.margin.domain.portfolio.UnusableInputException e) {
                // UnusableInputException without fallback: INTERNAL (ErrorMapper's unexpected failure)
                if (!fallback) {
                    throw e;
                }
                LOG.warnf("%s in PORTFOLIO mode valued by the conservative fallback: %s", accountId, e.getMessage());
                return portfolio.fallback(accountId, in.frozen, realized, positions, in.marks, collateral, nowMs,
                        in.portfolioIm, in.portfolioMm);
            }
        }
        return set.cross().evaluate(accountId, in.frozen, realized, positions, in.marks, collateral, nowMs, mode);
    }

    /** One computation's inputs, with the one risk-parameter set it uses from start to end (before and after alike). */
    record Inputs(boolean frozen, BigDecimal realized, List<Position> positions, Map<String, MarketMark> marks,
                  Collateral collateral, MarginMode mode, BigDecimal portfolioIm, BigDecimal portfolioMm,
                  ActiveRiskParameters.Active parameters, Map<String, BigDecimal> allocations) {

        /** Inputs without recorded buckets (an input snapshot records none: an ISOLATED one replays its opening allocations). */
        Inputs(boolean frozen, BigDecimal realized, List<Position> positions, Map<String, MarketMark> marks,
               Collateral collateral, MarginMode mode, BigDecimal portfolioIm, BigDecimal portfolioMm,
               ActiveRiskParameters.Active parameters) {
            this(frozen, realized, positions, marks, collateral, mode, portfolioIm, portfolioMm, parameters, Map.of());
        }
    }

    Inputs inputs(String accountId, List<String> extraInstruments) {
        ActiveRiskParameters.Active set = parameters.current();
        Optional<AccountStore.AccountState> state = store.load(accountId);
        Optional<Collateral> held = collateral.collateral(accountId);
        return inputs(accountId, set, state, held, extraInstruments);
    }

    /** {@link #inputs(String, List)} from the account and collateral read already: the marks of its instruments read now. */
    private Inputs inputs(String accountId, ActiveRiskParameters.Active set, Optional<AccountStore.AccountState> state,
                          Optional<Collateral> held, List<String> extraInstruments) {
        if (state.isEmpty() && held.isEmpty()) {
            throw new NotFoundException("UNKNOWN_ACCOUNT", "neither margin-service nor collateral-service knows account " + accountId);
        }
        List<Position> positions = state.map(AccountStore.AccountState::positions).orElse(List.of());
        Set<String> instruments = new LinkedHashSet<>();
        positions.forEach(p -> instruments.add(p.instrument()));
        instruments.addAll(extraInstruments);
        return inputs(set, state, held, pricing.marks(instruments));
    }

    /** One computation's inputs from what was read: the per-account path ({@link #inputs(String, List)}) and the pass's pages alike. */
    private static Inputs inputs(ActiveRiskParameters.Active set, Optional<AccountStore.AccountState> state, Optional<Collateral> held,
                                 Map<String, MarketMark> marks) {
        return new Inputs(state.map(AccountStore.AccountState::frozen).orElse(false),
                state.map(AccountStore.AccountState::realizedPnl).orElse(BigDecimal.ZERO),
                state.map(AccountStore.AccountState::positions).orElse(List.of()), marks,
                held.orElseGet(() -> Collateral.none(now())),
                state.map(AccountStore.AccountState::mode).orElse(MarginMode.CROSS),
                state.map(AccountStore.AccountState::portfolioIm).orElse(null),
                state.map(AccountStore.AccountState::portfolioMm).orElse(null), set,
                state.map(AccountStore.AccountState::allocations).orElse(Map.of()));
    }

    // ---- streams ----

    /** Every account stored not HEALTHY (previous null), then every status change. */
    public Multi<RiskEvent> watchRisk() {
        return risk.stream(() -> store.unhealthy().stream()
                        .map(s -> new RiskEvent(s.accountId(), s.status(), null, s.equity(), s.initialMargin(),
                                s.maintenanceMargin(), s.marginRatio(), s.atMs(), s.breachedInstrument()))
                        .toList(), e -> true, true, BackPressureStrategy.BUFFER)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The account's view now, then on every change and re-margin tick; conflated to the newest. */
    public Multi<AccountRisk> watchAccount(String accountId) {
        return watchAccount(accountId, false);
    }

    /**
     * {@link #watchAccount(String)}; with {@code liquidationPrices}, every view is still sent at once without them, and
     * at most once per re-margin interval the same view follows with them (computed on a worker within their deadline;
     * not sent again when none came). Concatenation asks the conflated stream for one view at a time, so a slow reader
     * still gets the newest; a view published meanwhile waits at most that deadline.
     */
    public Multi<AccountRisk> watchAccount(String accountId, boolean liquidationPrices) {
        Multi<Valued> valued = views.stream(() -> List.of(valued(accountId)), v -> v.risk().accountId().equals(accountId), false,
                BackPressureStrategy.LATEST);
        if (!liquidationPrices) {
            return valued.map(Valued::risk).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
        long every = config.remargin().interval().toNanos();
        AtomicLong due = new AtomicLong(System.nanoTime());
        return valued.onItem().transformToMultiAndConcatenate(v -> {
                    long now = System.nanoTime();
                    if (now - due.get() < 0) {
                        return Multi.createFrom().item(v.risk());
                    }
                    due.set(now + every);
                    Multi<AccountRisk> priced = Uni.createFrom().item(() -> withLiquidationPrices(v))
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).toMulti()
                            .filter(r -> !r.liquidationPrices().isEmpty());
                    return Multi.createBy().concatenating().streams(Multi.createFrom().item(v.risk()), priced);
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    // ---- re-margining ----

    /**
     * Re-evaluates every account with a position (or not stored HEALTHY), one pass at a time: pages of
     * margin.remargin.page-size accounts read in account order, at most margin.remargin.workers pages valued at once.
     * Each page's inputs come batched (one SQL read, one GetCollaterals overlapped with one GetMarks for the page's
     * instruments, so no mark is older than the pass; the PORTFOLIO books revalued together, each instrument once per
     * scenario group, see {@link PageRevaluation}); each account is valued by the same evaluation as GetAccountView.
     * An upstream failure for a page skips its accounts (never marks them healthy); a failing account skips only
     * itself. Instruments pricing refuses by name (GetMarks' or the batched RevalueBook's BadRequest) send only their
     * holders account by account, as does a batched RevalueBook failing otherwise for its instruments; a page whose
     * GetMarks refusal names no instrument, or whose collateral-service has no GetCollaterals yet, is valued account
     * by account. Returns how many accounts the pass went through.
     */
    public synchronized int remarginAll() {
        ExecutorService pool = passPool();
        if (pool == null) {
            return 0; // stopping
        }
        ActiveRiskParameters.Active set = parameters.current(); // one parameter set for the whole pass
        Semaphore free = new Semaphore(config.remargin().workers());
        List<Future<?>> pages = new ArrayList<>();
        int passed = 0;
        String after = "";
        try {
            while (!stopping) {
                long reading = System.nanoTime();
                long read = readStamp();
                List<AccountStore.Remarginable> page = store.remarginPage(after, config.remargin().pageSize());
                timed("read", reading);
                if (page.isEmpty()) {
                    break;
                }
                after = page.get(page.size() - 1).state().accountId();
                free.acquire(); // the next page is read while one is valued, never further ahead
                if (stopping) {
                    free.release();
                    break;
                }
                try {
                    pages.add(pool.submit(() -> {
                        try {
                            remargin(set, page, OptionalLong.of(read));
                        } finally {
                            free.release();
                        }
                    }));
                } catch (RejectedExecutionException e) {
                    free.release();
                    break; // the pool was shut down: the service is stopping
                }
                passed += page.size();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            awaitPages(pages);
            pruneKept(); // the kept views' bound: only those read within the age a freeze allows outlive a pass
        }
        return passed;
    }

    /**
     * Records the time since {@code startNanos} under margin_remargin_page_seconds{phase}: a page's SQL read, its
     * upstream reads (collateral and marks), its batched revaluation, its valuation, its writes, and the one-by-one
     * re-evaluation of its status changes.
     */
    private void timed(String phase, long startNanos) {
        Timer.builder("margin.remargin.page").tag("phase", phase)
                .description("one re-margin page's time in each phase").register(meters)
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** The pass's workers: daemon threads, created with the first pass; null once the service is stopping. */
    private ExecutorService passPool() {
        synchronized (poolLock) {
            if (passPool == null && !stopping) {
                passPool = daemonPool("remargin-");
            }
            return stopping ? null : passPool;
        }
    }

    /**
     * Where a page's collateral read runs while its worker reads the marks: one thread per worker, the pass's own
     * (Quarkus' shared worker pool serves the RPCs). Once the service is stopping, the caller's thread.
     */
    private Executor readPool() {
        synchronized (poolLock) {
            if (readPool == null && !stopping) {
                readPool = daemonPool("remargin-read-");
            }
            return stopping ? Runnable::run : readPool;
        }
    }

    /** margin.remargin.workers daemon threads named {@code prefix}n, outside any gRPC context. */
    private ExecutorService daemonPool(String prefix) {
        return Executors.newFixedThreadPool(config.remargin().workers(), daemonThreads(prefix));
    }

    /**
     * Daemon threads named {@code prefix}n that run outside any gRPC context: background work must not inherit the
     * deadline or cancellation of the call that happened to start it.
     */
    static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(Context.ROOT.wrap(r), prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Waits for every page of the pass to end, even when interrupted (a page still running must not overlap the next
     * pass); the interrupt is re-asserted afterwards.
     */
    private static void awaitPages(List<Future<?>> pages) {
        boolean interrupted = false;
        for (Future<?> page : pages) {
            while (true) {
                try {
                    page.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    LOG.warnf(e.getCause(), "re-margin page failed");
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Values one page and stores what changed: nothing for an account as stored; its status changes, first statuses
     * and the figures other readers need fresh in one {@link AccountStore#recordFigures}, each row only while its
     * stored status and last_at are as the page read them, a status change also only while its book is; a RiskEvent
     * for every status change written. A row not written had something recorded or changed since the page's read (a
     * fill and its re-evaluation): that newer write stands and publishes its own, the page's view of it is dropped. ISOLATED accounts (the page reads no buckets) and holders of an instrument
     * pricing refused go through {@link #reevaluate} one by one. Then the page's views go to WatchAccount subscribers
     * (a re-evaluated account publishes its own). Its views are not kept for a freeze: when the page was read is not
     * known here.
     */
    public void remargin(List<AccountStore.Remarginable> page) {
        remargin(parameters.current(), page, OptionalLong.empty());
    }

    /** {@link #remargin(List)}; with the page's views kept for a freeze when {@code read} says when it was read. */
    private void remargin(ActiveRiskParameters.Active set, List<AccountStore.Remarginable> page, OptionalLong read) {
        Map<String, Valued> valued;
        List<String> alone = new ArrayList<>();
        try {
            valued = valuePage(set, page, alone);
        } catch (DependencyException e) {
            if (e.code() == io.grpc.Status.Code.NOT_FOUND || e.code() == io.grpc.Status.Code.INVALID_ARGUMENT
                    || e.code() == io.grpc.Status.Code.UNIMPLEMENTED) {
                // pricing refused the page's marks without naming the instruments (pageMarks narrows named ones to
                // their holders), so one account at a time: only the holders of an unmarkable instrument are skipped;
                // or collateral-service is older than GetCollaterals (a rollout: the pass stays as it was before it)
                LOG.warnf("re-margin page from %s valued account by account: %s", page.get(0).state().accountId(), e.getMessage());
                page.forEach(r -> {
                    if (!stopping) {
                        reevaluate(r.state().accountId());
                    }
                });
                return;
            }
            LOG.warnf("re-margin of %d accounts from %s skipped: %s", page.size(), page.get(0).state().accountId(), e.getMessage());
            return;
        }
        List<AccountRisk> toStore = new ArrayList<>();
        Map<String, AccountStore.Remarginable> judgedAgainst = new HashMap<>();
        List<String> oneByOne = new ArrayList<>();
        for (AccountStore.Remarginable r : page) {
            if (r.state().mode() == MarginMode.ISOLATED) {
                oneByOne.add(r.state().accountId()); // valued with its buckets by reevaluate (the page reads none)
                continue;
            }
            Valued v = valued.get(r.state().accountId());
            if (v == null) {
                continue;
            }
            AccountRisk now = v.risk();
            if (AccountStore.isChange(r.state().lastStatus(), now.status()) || AccountStore.mustStore(r, now)) {
                toStore.add(now);
                judgedAgainst.put(now.accountId(), r);
            }
        }
        if (stopping) {
            return;
        }
        long storing = System.nanoTime();
        Set<String> written;
        try {
            written = store.recordFigures(toStore, judgedAgainst);
        } catch (RuntimeException e) {
            LOG.warnf("re-margin figures of %d accounts from %s not stored: %s", toStore.size(), page.get(0).state().accountId(),
                    e.getMessage());
            written = Set.of();
            // a status change is not left for the next pass: each goes the one-by-one way, as a refused page does
            toStore.stream().filter(now -> AccountStore.isChange(judgedAgainst.get(now.accountId()).state().lastStatus(), now.status()))
                    .forEach(now -> oneByOne.add(now.accountId()));
        }
        for (AccountRisk now : toStore) {
            if (!written.contains(now.accountId())) {
                valued.remove(now.accountId()); // a newer write stands: its view is published by its writer
            }
        }
        if (read.isPresent()) {
            valued.values().forEach(v -> rememberForFreeze(read.getAsLong(), v)); // each as stored: written now, or unchanged
        }
        for (AccountRisk now : toStore) {
            if (!written.contains(now.accountId())) {
                continue;
            }
            RiskStatus previous = judgedAgainst.get(now.accountId()).state().lastStatus();
            if (AccountStore.isChange(previous, now.status())) {
                risk.publish(new RiskEvent(now.accountId(), now.status(), previous, now.equity(), now.initialMargin(),
                        now.maintenanceMargin(), now.marginRatio(), now.asOfMs(), null));
            }
        }
        timed("store", storing);
        oneByOne.addAll(alone); // holders of an instrument pricing refused: each valued by its own calls
        long changing = System.nanoTime();
        for (String accountId : oneByOne) {
            if (stopping) {
                return;
            }
            reevaluate(accountId);
        }
        timed("changes", changing);
        oneByOne.forEach(valued::remove);
        valued.values().forEach(views::publish);
    }

    /**
     * The page's accounts valued from batched inputs, by account id; accounts whose own inputs fail are left out.
     *
     * @throws DependencyException when the page's collateral or marks cannot be had
     */
    private Map<String, Valued> valuePage(ActiveRiskParameters.Active set, List<AccountStore.Remarginable> page,
                                          List<String> alone) {
        long upstream = System.nanoTime();
        List<String> ids = page.stream().map(r -> r.state().accountId()).toList();
        Set<String> instruments = new TreeSet<>();
        page.forEach(r -> r.state().positions().forEach(p -> instruments.add(p.instrument())));
        Set<String> refused = new TreeSet<>();
        Map<String, MarketMark> marks;
        CollateralClient.Batch held;
        // the two upstream reads overlap: the page waits for the slower, not for both one after the other
        try (Context.CancellableContext call = Context.ROOT.withCancellation()) {
            CompletableFuture<CollateralClient.Batch> reading = CompletableFuture.supplyAsync(() -> collateral.collaterals(ids),
                    call.fixedContextExecutor(readPool()));
            try {
                marks = pageMarks(instruments, refused);
            } catch (RuntimeException e) {
                // the page fails: its collateral RPC is cancelled and awaited, so none outlives the page's worker slot
                call.cancel(e);
                reading.exceptionally(x -> null).join(); // its own failure is the page's too: observed, not reported
                throw e;
            }
            held = joined(reading);
        } finally {
            timed("upstream", upstream);
        }
        Map<String, Inputs> inputs = new LinkedHashMap<>();
        for (AccountStore.Remarginable r : page) {
            String accountId = r.state().accountId();
            if (r.state().mode() == MarginMode.ISOLATED) {
                continue; // its buckets are not in the page: valued one by one (remargin)
            }
            if (r.state().positions().stream().anyMatch(p -> refused.contains(p.instrument()))) {
                alone.add(accountId);
                continue;
            }
            try {
                Map<String, MarketMark> own = new HashMap<>();
                r.state().positions().forEach(p -> own.put(p.instrument(), marks.get(p.instrument())));
                inputs.put(accountId, inputs(set, Optional.of(r.state()), held.of(accountId), own));
            } catch (DependencyException e) {
                LOG.warnf("re-margin of %s skipped: %s", accountId, e.getMessage());
            }
        }
        long revaluing = System.nanoTime();
        PortfolioAccount.Revaluation revaluation = batchedRevaluation(inputs);
        timed("revalue", revaluing);
        long valuing = System.nanoTime();
        Map<String, Valued> valued = new LinkedHashMap<>();
        for (Map.Entry<String, Inputs> account : inputs.entrySet()) {
            if (stopping) {
                break;
            }
            String accountId = account.getKey();
            try {
                try {
                    valued.put(accountId, valued(accountId, account.getValue(), revaluation));
                } catch (PageRevaluation.Missing e) {
                    // its instruments' batched figures could not be had: its own RevalueBook call, as GetAccountView
                    valued.put(accountId, valued(accountId, account.getValue()));
                }
            } catch (DependencyException e) {
                LOG.warnf("re-margin of %s skipped: %s", accountId, e.getMessage());
            } catch (RuntimeException e) {
                if (!stopping) {
                    LOG.warnf(e, "re-margin of %s failed", accountId);
                }
            }
        }
        timed("value", valuing);
        return valued;
    }

    /** The page's collateral read: its failure as thrown by the client. */
    private static CollateralClient.Batch joined(CompletableFuture<CollateralClient.Batch> reading) {
        try {
            return reading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * The marks of the page's instruments. When pricing refuses some of them by name, the others' marks, with the
     * refused names added to {@code refused} (their holders are valued one by one); otherwise its failure propagates.
     */
    private Map<String, MarketMark> pageMarks(Set<String> instruments, Set<String> refused) {
        List<String> names = List.copyOf(instruments);
        try {
            return pricing.marks(names);
        } catch (DependencyException e) {
            Set<String> named = e.code() == io.grpc.Status.Code.INVALID_ARGUMENT || e.code() == io.grpc.Status.Code.NOT_FOUND
                    ? PricingClient.refused(e, names, "instruments") : Set.of();
            if (named.isEmpty()) {
                throw e;
            }
            LOG.warnf("re-margin page: pricing refused %s; their holders are valued one by one", named);
            refused.addAll(named);
            return pricing.marks(names.stream().filter(n -> !named.contains(n)).toList());
        }
    }

    /**
     * The page's PORTFOLIO books revalued together ({@link PageRevaluation}): each account's scan is planned, then
     * every instrument asked is revalued once per scenario group, and the scans are answered from those figures.
     */
    private PortfolioAccount.Revaluation batchedRevaluation(Map<String, Inputs> inputs) {
        PageRevaluation batch = new PageRevaluation(pricing::revalue);
        PortfolioAccount.Revaluation planner = batch.planner();
        inputs.forEach((accountId, in) -> {
            if (in.mode != MarginMode.PORTFOLIO || stopping) {
                return;
            }
            try {
                viewWith(accountId, in, now(), planner, shortfall);
            } catch (PageRevaluation.Planned expected) {
                // the scan's request is recorded
            } catch (RuntimeException e) {
                // the valuation below meets the same failure and reports it
            }
        });
        if (batch.planned()) {
            batch.fetch();
        }
        return batch.answers();
    }

    /**
     * The figures a re-margin pass computes for these accounts of {@code page} (nothing stored, nothing published):
     * what a test compares with GetAccountView.
     */
    public Map<String, AccountRisk> passFigures(List<AccountStore.Remarginable> page) {
        Map<String, AccountRisk> figures = new LinkedHashMap<>();
        valuePage(parameters.current(), page, new ArrayList<>()).forEach((id, v) -> figures.put(id, v.risk()));
        return figures;
    }

    /**
     * Values the account, stores its status, publishes a RiskEvent when the status changed and the view
     * to its watchers. A PORTFOLIO account whose book cannot be revalued is valued by the conservative
     * fallback, recorded and published like any status. Any other upstream failure (marks, collateral)
     * skips it (never marks it healthy).
     */
    public void reevaluate(String accountId) {
        reevaluated(accountId);
    }

    /** {@link #reevaluate}: the view it recorded and published, empty when the valuation failed (nothing recorded). */
    private Optional<AccountRisk> reevaluated(String accountId) {
        return reevaluated(accountId, readStamp(), () -> valued(accountId));
    }

    /** {@link #reevaluated(String)} by {@code valuation}, whose inputs are read after {@code read} ({@link #readStamp}). */
    private Optional<AccountRisk> reevaluated(String accountId, long read, Supplier<Valued> valuation) {
        Valued valued;
        try {
            valued = valuation.get();
            if (recordOpenings(valued.risk())) {
                read = readStamp();
                valued = valued(accountId); // as recorded: another request may have recorded a bucket first
            }
        } catch (DependencyException e) {
            LOG.warnf("re-margin of %s skipped: %s", accountId, e.getMessage());
            return Optional.empty();
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.warnf(e, "re-margin of %s failed", accountId);
            }
            return Optional.empty();
        }
        AccountRisk now = valued.risk();
        Optional<AccountStore.StatusChange> recorded = store.recordStatus(now);
        rememberForFreeze(read, valued);
        recorded.ifPresent(change -> risk.publish(new RiskEvent(accountId, change.now().status(),
                change.previous(), now.equity(), now.initialMargin(), now.maintenanceMargin(), now.marginRatio(), now.asOfMs(),
                change.now().breachedInstrument())));
        views.publish(valued);
        return Optional.of(now);
    }

    /**
     * Records the opening allocation of every bucket of an ISOLATED account that has none yet (a position opened
     * since): from then on it holds what it was given and changes only by AdjustIsolatedMargin. True when any was
     * recorded.
     */
    private boolean recordOpenings(AccountRisk risk) {
        if (risk.isolated() == null) {
            return false;
        }
        Map<String, BigDecimal> openings = new LinkedHashMap<>();
        risk.isolated().buckets().stream().filter(b -> !b.recorded())
                .forEach(b -> openings.put(b.instrument(), b.allocation().stripTrailingZeros()));
        return store.recordOpeningAllocations(risk.accountId(), openings) > 0;
    }

    void onStop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
        ExecutorService pool;
        ExecutorService reads;
        stopping = true;
        synchronized (poolLock) { // after the flag: passPool() creates no pool from now on
            pool = passPool;
            reads = readPool;
        }
        if (reads != null) {
            reads.shutdown(); // reads already queued still run: their pages await them; new ones run on the page's thread
        }
        if (pool != null) {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("re-margin pages still running 5 s after shutdown; stopping anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Re-evaluates the account in the background (WatchAccount and WatchRisk see the change). */
    public void reevaluateSoon(String accountId) {
        reevaluateLater(accountId);
    }

    private void reevaluateLater(String accountId) {
        // detached from the request's gRPC context: it is cancelled as soon as the answer is sent,
        // and upstream calls made under it would fail CANCELLED
        Infrastructure.getDefaultWorkerPool().execute(io.grpc.Context.ROOT.wrap(() -> {
            try {
                reevaluate(accountId);
            } catch (RuntimeException e) {
                LOG.warnf(e, "re-evaluation of %s failed", accountId);
            }
        }));
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
