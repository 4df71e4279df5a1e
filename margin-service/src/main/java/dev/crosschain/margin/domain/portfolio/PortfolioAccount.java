package dev.crosschain.margin.domain.portfolio;

import dev.crosschain.margin.domain.AccountRisk;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.Instrument;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.MarginCalculator;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.PositionRisk;
import dev.crosschain.margin.domain.RiskStatus;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.ShortfallModel;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An account in PORTFOLIO mode: positions, marks and collateral -> exposures -> {@link PortfolioMargin} ->
 * {@link AccountRisk}. Pure: the book's revaluation (pricing-service's RevalueBook) is passed in.
 *
 * <ul>
 *   <li>Equity, unrealized PnL, option value, collateral and input ages are the cross figures
 *       ({@link MarginCalculator}, stale marks shocked against the position): they do not depend on the mode.</li>
 *   <li>IM and MM are the {@link PortfolioResult}'s; status and margin ratio follow from them as in cross.</li>
 *   <li>Each {@link PositionRisk} carries IM = MM = 0: the scan margins the book, not positions. Each position's
 *       share of its group's driving loss is in {@link AccountRisk#portfolio()} (never cross figures shown as
 *       portfolio ones).</li>
 *   <li>Stale underlyings: those of a stale mark, the canonical asset of risky collateral whose price is stale, and
 *       those RevalueBook answered stale for (then the book is scanned again with their stale scenarios). Any stale
 *       underlying makes the figures conservative.</li>
 *   <li>Collateral backs liabilities. With at least one open position (of any underlying), every risky collateral
 *       line is scanned in its underlying's group (so ETH collateral is charged its loss even when the only position
 *       is on BTC) and stablecoin lines take the de-peg add-on. With no open position the account owes nothing, so a
 *       fall of its collateral exposes nobody but its owner: no revaluation, no scan, no contingency, MM = IM = 0
 *       (equity already counts the collateral after its haircuts).</li>
 * </ul>
 */
public final class PortfolioAccount {

    /** The book's revaluation (pricing-service's RevalueBook). */
    @FunctionalInterface
    public interface Revaluation {
        Revalued revalue(List<PositionExposure> positions, List<Scenario> scenarios);
    }

    /**
     * @param pnl              pnl[position][scenario], USD, rows in {@code positions} order, columns in grid order
     * @param staleUnderlyings underlyings pricing-service said it valued from a stale index (RevalueBookResponse.stale
     *                         names no underlying: the underlyings of the positions of each call answered stale)
     */
    public record Revalued(double[][] pnl, Set<String> staleUnderlyings) {
        public Revalued {
            staleUnderlyings = Set.copyOf(staleUnderlyings);
        }
    }

    private static final MathContext AMOUNT = MathContext.DECIMAL128;

    private final MarginCalculator calculator;
    private final PortfolioParameters parameters;

    public PortfolioAccount(MarginCalculator calculator, PortfolioParameters parameters) {
        this.calculator = calculator;
        this.parameters = parameters;
    }

    public PortfolioParameters parameters() {
        return parameters;
    }

    /**
     * The account's figures in PORTFOLIO mode.
     *
     * @param marks a mark for every open position's instrument
     * @throws UnusableInputException when the engine refuses the upstream data (never InvalidInputException:
     *                                the caller sent none of it)
     */
    public AccountRisk evaluate(String accountId, boolean frozen, BigDecimal realizedPnl, List<Position> positions,
                                Map<String, MarketMark> marks, Collateral collateral, long nowMs, Revaluation revaluation) {
        return evaluate(accountId, frozen, realizedPnl, positions, marks, collateral, nowMs, revaluation, null);
    }

    /**
     * {@link #evaluate(String, boolean, BigDecimal, List, Map, Collateral, long, Revaluation)} with the expected-shortfall
     * model {@code shortfall} as the second model: the book is revalued in the historical scenarios of its plan in the
     * same revaluation as the grid, and MM = max(scenario MM, ES x APC ratio) ({@link PortfolioResult#withExpectedShortfall}).
     * No usable history leaves the scenario MM standing, with the breakdown saying so (ES unavailable).
     *
     * @param shortfall the set's ES model when it applies to PORTFOLIO; null when the set does not apply ES
     */
    public AccountRisk evaluate(String accountId, boolean frozen, BigDecimal realizedPnl, List<Position> positions,
                                Map<String, MarketMark> marks, Collateral collateral, long nowMs, Revaluation revaluation,
                                ShortfallModel shortfall) {
        AccountRisk cross = calculator.evaluate(accountId, frozen, realizedPnl, positions, marks, collateral, nowMs,
                MarginMode.CROSS);
        try {
            Scanned scanned = scan(cross, marks, collateral, revaluation, shortfall);
            return withRequirements(cross, scanned.result(), cross.conservative() || scanned.stale());
        } catch (InvalidInputException e) {
            // every input of the scan came from upstream (marks, collateral, RevalueBook) or the store, none
            // from the caller: the engine refusing it is no INVALID_ARGUMENT of the caller's
            throw new UnusableInputException("the scenario engine refused upstream data of " + accountId + ": " + e.getMessage(), e);
        }
    }

    /** A scan's result, and whether any underlying of it was stale (the marks', collateral's or pricing's word). */
    private record Scanned(PortfolioResult result, boolean stale) {
    }

    private Scanned scan(AccountRisk cross, Map<String, MarketMark> marks, Collateral collateral, Revaluation revaluation,
                         ShortfallModel shortfall) {
        List<PositionExposure> exposures = positions(cross.positions(), marks);
        List<CollateralExposure> lines = collateral(parameters, collateral);
        PortfolioResult result;
        if (exposures.isEmpty()) {
            // no liabilities: nothing to margin (class javadoc), not even a stablecoin's de-peg or an ES figure
            ScenarioGrid grid = ScenarioGrid.forBook(parameters, List.of(), List.of());
            result = PortfolioMargin.DEFAULT.evaluate(grid, List.of(), new double[0][], List.of(), Set.of());
        } else {
            AccountShortfall.Plan plan = shortfall == null ? null : shortfall.plan(underlyings(exposures, lines));
            List<Scenario> historical = plan == null ? List.of() : plan.scenarios().stream().map(Scenario::historical).toList();
            Set<String> stale = stale(parameters, exposures, marks, collateral);
            ScenarioGrid grid = ScenarioGrid.forBook(parameters, exposures, lines, stale);
            Revalued revalued = revaluation.revalue(exposures, concat(grid.scenarios(), historical));
            if (!stale.containsAll(revalued.staleUnderlyings())) {
                // pricing valued from an index the marks did not call stale: scan again with its stale scenarios
                stale.addAll(revalued.staleUnderlyings());
                grid = ScenarioGrid.forBook(parameters, exposures, lines, stale);
                revalued = revaluation.revalue(exposures, concat(grid.scenarios(), historical));
                if (!stale.containsAll(revalued.staleUnderlyings())) {
                    throw new UnusableInputException("pricing-service's stale underlyings changed between two revaluations: "
                            + revalued.staleUnderlyings() + " beyond " + stale, null);
                }
            }
            int gridSize = grid.scenarios().size();
            result = PortfolioMargin.DEFAULT.evaluate(grid, exposures, columns(revalued.pnl(), 0, gridSize), lines, stale);
            if (plan != null) {
                double[] bookPnl = bookPnl(exposures, columns(revalued.pnl(), gridSize, historical.size()), lines, historical);
                result = result.withExpectedShortfall(shortfall.result(plan, bookPnl), parameters.imFactor());
            }
            return new Scanned(result, !stale.isEmpty());
        }
        return new Scanned(result, false);
    }

    /** Underlyings the book is exposed to: its positions' and its risky collateral's. */
    private static Set<String> underlyings(List<PositionExposure> exposures, List<CollateralExposure> lines) {
        Set<String> out = new TreeSet<>();
        exposures.forEach(p -> out.add(p.underlying()));
        lines.stream().filter(c -> !c.stablecoin()).forEach(c -> out.add(c.underlying()));
        return out;
    }

    private static List<Scenario> concat(List<Scenario> a, List<Scenario> b) {
        List<Scenario> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    /** Columns {@code from .. from + count - 1} of pnl[position][scenario]. */
    private static double[][] columns(double[][] pnl, int from, int count) {
        double[][] out = new double[pnl.length][];
        for (int p = 0; p < pnl.length; p++) {
            out[p] = java.util.Arrays.copyOfRange(pnl[p], from, from + count);
        }
        return out;
    }

    /**
     * The whole book's P&L per historical scenario, USD: every position's revalued P&L plus each risky collateral
     * line's value after its MM haircut times its underlying's move (0 for an underlying outside the model), summed in
     * a fixed order (positions by instrument, lines by chain and asset) so the figure does not depend on listing order.
     */
    private static double[] bookPnl(List<PositionExposure> exposures, double[][] pnl, List<CollateralExposure> lines,
                                    List<Scenario> historical) {
        Integer[] order = new Integer[exposures.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparing((Integer i) -> exposures.get(i).instrument()));
        List<CollateralExposure> risky = lines.stream().filter(c -> !c.stablecoin())
                .sorted(PortfolioMargin.COLLATERAL_ORDER)
                .toList();
        double[] out = new double[historical.size()];
        for (int s = 0; s < out.length; s++) {
            double total = 0;
            for (Integer p : order) {
                total += pnl[p][s];
            }
            for (CollateralExposure c : risky) {
                total += c.valueMm() * historical.get(s).moveOf(c.underlying());
            }
            out[s] = total;
        }
        return out;
    }

    /**
     * The labelled conservative figures of a PORTFOLIO account whose book could not be revalued (RevalueBook
     * failed, or answered what the engine cannot use): never optimistic, never silently cross.
     * MM = max(cross MM from the current marks, the last MM recorded from a revaluation), IM likewise; the
     * result has no scan and one contingency {@link PortfolioResult#REVALUATION_UNAVAILABLE} of the whole MM,
     * its subject {@code cross} or {@code last_portfolio} (the larger; cross on a tie); conservative = true.
     * The last figures may be of a book since changed: a floor, kept until a revaluation succeeds.
     *
     * @param lastIm the last IM recorded in PORTFOLIO mode from a revaluation, or null
     * @param lastMm the same MM, or null
     */
    public AccountRisk fallback(String accountId, boolean frozen, BigDecimal realizedPnl, List<Position> positions,
                                Map<String, MarketMark> marks, Collateral collateral, long nowMs,
                                BigDecimal lastIm, BigDecimal lastMm) {
        AccountRisk cross = calculator.evaluate(accountId, frozen, realizedPnl, positions, marks, collateral, nowMs,
                MarginMode.CROSS);
        BigDecimal mm = cross.maintenanceMargin();
        BigDecimal im = cross.initialMargin();
        String subject = "cross";
        if (lastMm != null && lastMm.compareTo(mm) > 0) {
            mm = Decimals.usd(lastMm);
            subject = "last_portfolio";
        }
        if (lastIm != null && lastIm.compareTo(im) > 0) {
            im = Decimals.usd(lastIm);
        }
        BigDecimal zero = Decimals.usd(BigDecimal.ZERO);
        PortfolioResult result = new PortfolioResult(parameters.version(), mm, im, zero, zero, mm, List.of(),
                List.of(new PortfolioResult.Contingency(PortfolioResult.REVALUATION_UNAVAILABLE, subject, mm)));
        return withRequirements(cross, result, true);
    }

    /** {@code cross} with the portfolio requirements, status and ratio, and positions without standard-rule margins. */
    static AccountRisk withRequirements(AccountRisk cross, PortfolioResult result, boolean conservative) {
        BigDecimal zero = Decimals.usd(BigDecimal.ZERO);
        List<PositionRisk> risks = cross.positions().stream()
                .map(r -> new PositionRisk(r.position(), r.markUsed(), r.unrealizedPnl(), r.optionValue(), zero, zero,
                        r.delta(), r.shocked()))
                .toList();
        BigDecimal im = result.initialMargin();
        BigDecimal mm = result.maintenanceMargin();
        return new AccountRisk(cross.accountId(), cross.frozen(), cross.collateral(), risks, cross.realizedPnl(),
                cross.unrealizedPnl(), cross.optionValue(), cross.equity(), cross.equityIm(), im, mm,
                RiskStatus.marginRatio(mm, cross.equity()), RiskStatus.of(cross.equity(), cross.equityIm(), im, mm),
                conservative, cross.inputAges(), cross.asOfMs(), MarginMode.PORTFOLIO, result);
    }

    /**
     * One exposure per open position the cross valuation kept (it checked their marks). Its index is what the
     * position moves with: a future's own mark (the forward; pricing-service values a future at basis x index,
     * so its P&L in a move m is quantity x forward x m, and so are its linear delta and add-on), a perpetual's
     * or an option's underlying index.
     */
    public static List<PositionExposure> positions(List<PositionRisk> open, Map<String, MarketMark> marks) {
        List<PositionExposure> out = new ArrayList<>();
        for (PositionRisk r : open) {
            Position p = r.position();
            Instrument instrument = Instrument.parse(p.instrument(), "instrument");
            MarketMark mark = marks.get(p.instrument());
            out.add(new PositionExposure(p.instrument(), instrument.underlying(), p.quantity(),
                    instrument instanceof Instrument.Option, instrument instanceof Instrument.Future ? mark.mark() : mark.index()));
        }
        return out;
    }

    /**
     * One exposure per collateral line with a price. The amount is chosen so that the exposure's
     * {@link CollateralExposure#valueMm()} is the line's {@code valueMm}, what cross mode counts:
     * {@code amount = valueMm / (price x (1 - mmHaircut))}, the token units counted after pending weights and
     * account caps (so the scenarios move exactly what equity holds); with a haircut of 1 (a HALTED chain) the
     * line counts 0 in both modes and its amount is the available balance. A line without a price (collateral-service
     * had no index) counts 0 in cross and is left out here.
     */
    static List<CollateralExposure> collateral(PortfolioParameters parameters, Collateral collateral) {
        List<CollateralExposure> out = new ArrayList<>();
        for (CollateralLine line : collateral.lines()) {
            if (line.price().signum() <= 0) {
                continue;
            }
            BigDecimal mm = line.mmHaircut();
            BigDecimal im = line.imHaircut().max(mm);
            BigDecimal kept = BigDecimal.ONE.subtract(mm);
            BigDecimal amount = kept.signum() > 0
                    ? line.valueMm().max(BigDecimal.ZERO).divide(line.price().multiply(kept), AMOUNT)
                    : line.available();
            out.add(CollateralExposure.of(parameters, line.chainId(), line.asset(), line.canonicalAsset(), amount,
                    line.price(), mm, im));
        }
        return out;
    }

    /** Underlyings of a stale mark, and canonical assets of risky collateral whose price is stale. */
    static Set<String> stale(PortfolioParameters parameters, List<PositionExposure> exposures, Map<String, MarketMark> marks,
                             Collateral collateral) {
        Set<String> stale = new TreeSet<>();
        for (PositionExposure p : exposures) {
            if (marks.get(p.instrument()).stale()) {
                stale.add(p.underlying());
            }
        }
        for (CollateralLine line : collateral.lines()) {
            if (line.priceStale() && line.price().signum() > 0 && !parameters.stablecoins().contains(line.canonicalAsset())) {
                stale.add(line.canonicalAsset());
            }
        }
        return stale;
    }
}
