package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.portfolio.PortfolioAccount;
import dev.crosschain.margin.domain.portfolio.PositionExposure;
import dev.crosschain.margin.domain.portfolio.Scenario;
import dev.crosschain.margin.domain.portfolio.ScenarioGrid;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Liquidation price per underlying: the index of one underlying at which the account's equity would meet its MM
 * (liquidation: MM > 0 and equity <= MM) if that underlying alone moved and every other price stayed. Pure; the
 * book's revaluation (pricing-service's RevalueBook) is passed in.
 *
 * <ul>
 *   <li>Each underlying's positions are revalued once on {@link #LADDER}, spot moves only (no vol or skew shift):
 *       one RevalueBook call per underlying with positions (more only past the pricing limits). An underlying
 *       held only as risky collateral needs no call.</li>
 *   <li>Equity at move m = equity now + the underlying's positions' P&L at m + m x the MM value of the risky
 *       collateral of that canonical asset (its haircut fraction held: what the view counts, moved).</li>
 *   <li>MM at m: CROSS recomputes the underlying's positions by {@link MarginCalculator#position} at the shifted
 *       marks (mark + P&L per unit; tiers follow the notional, a short option's MM follows S and its value), the
 *       other underlyings' MM as they are. PORTFOLIO holds the MM at its current value scaled by max(1, 1 + move)
 *       (a full scan per node is too dear per view): approximate, and may be optimistic for a short-gamma book.</li>
 *   <li>The crossing: from the current index outward, the first point where the account is liquidatable. Between two
 *       nodes equity, the MM that follows no size tier and each perpetual's or future's notional are taken linear; the
 *       interval is cut where a notional crosses a tier limit (MM jumps there, up or down) and each piece, every rate
 *       constant, is solved exactly. No extra revaluation. Exact for perpetuals and futures, tier changes included;
 *       approximate when the underlying's book holds options and the interval is wider than {@link #WIDE} of the
 *       index, or the line through the two nodes before the interval, extended, crosses first: a long option's
 *       value is convex, the straight line between nodes crosses after the truth, that extension before it.</li>
 *   <li>None at all: no open position (collateral alone cannot be liquidated), or a conservative view (a stale
 *       input: figures shocked against the account would make a guessed crossing). An underlying that the
 *       revaluation answered stale, or with any stale risky collateral line of its asset, is left out. An account liquidatable already gets every underlying with no
 *       price on either side, method {@link #ALREADY_LIQUIDATABLE}.</li>
 * </ul>
 */
public final class LiquidationPrices {

    /** Relative index moves of the ladder, ascending, 0 excluded: denser near the current index. */
    public static final List<Double> LADDER = ladder();
    /** An interpolated interval wider than this fraction of the index is approximate when the book holds options. */
    public static final double WIDE = 0.01;
    /** Prices go out with this many significant digits (finer means nothing), rounded toward the current index. */
    public static final int DIGITS = 6;
    /** First to this many digits, so that a double's last-bit noise (2,749.9999999999) does not round a whole step. */
    private static final MathContext NOISE = new MathContext(12, RoundingMode.HALF_EVEN);

    public static final String ALREADY_LIQUIDATABLE = "already_liquidatable";
    static final String CROSS = "cross: MM recomputed by the standard rules at each ladder node; linear interpolation between nodes";
    static final String PORTFOLIO = "portfolio (approximate, may be optimistic for short-gamma books): MM held at its current value"
            + " scaled by max(1, 1 + move); linear interpolation between ladder nodes";

    private final MarginCalculator calculator;
    private final Set<String> stablecoins;

    /** @param stablecoins canonical assets that do not move with any underlying (the portfolio parameters' set) */
    public LiquidationPrices(MarginCalculator calculator, Collection<String> stablecoins) {
        this.calculator = calculator;
        this.stablecoins = Set.copyOf(stablecoins);
    }

    /**
     * One figure per underlying of an open position or of risky collateral, by underlying name.
     *
     * @param view  the account valued now, in its mode
     * @param marks the marks the view was valued at (one per open position)
     * @throws RuntimeException whatever {@code revaluation} throws (the caller decides what a failure means)
     */
    public List<LiquidationPrice> of(AccountRisk view, Map<String, MarketMark> marks, PortfolioAccount.Revaluation revaluation) {
        if (view.positions().isEmpty() || view.conservative()) {
            return List.of();
        }
        Map<String, List<PositionRisk>> positionsOf = new TreeMap<>();
        for (PositionRisk r : view.positions()) {
            // the instrument's underlying, as the PORTFOLIO engine's exposures (PortfolioAccount.positions) name it
            positionsOf.computeIfAbsent(Instrument.parse(r.position().instrument(), "instrument").underlying(), u -> new ArrayList<>()).add(r);
        }
        Map<String, List<CollateralLine>> collateralOf = new TreeMap<>();
        Set<String> staleCollateral = new TreeSet<>();
        for (CollateralLine line : view.collateral().lines()) {
            boolean risky = !stablecoins.contains(line.canonicalAsset()) && line.price().signum() > 0;
            if (risky && line.priceStale()) {
                staleCollateral.add(line.canonicalAsset());
            }
            if (risky && line.valueMm().signum() > 0) {
                collateralOf.computeIfAbsent(line.canonicalAsset(), u -> new ArrayList<>()).add(line);
            }
        }
        // a stale risky collateral line would be moved from a price that is not today's: that underlying is left out
        positionsOf.keySet().removeAll(staleCollateral);
        collateralOf.keySet().removeAll(staleCollateral);
        Set<String> underlyings = new TreeSet<>(positionsOf.keySet());
        underlyings.addAll(collateralOf.keySet());
        List<LiquidationPrice> out = new ArrayList<>();
        if (view.status() == RiskStatus.LIQUIDATION) {
            for (String u : underlyings) {
                out.add(new LiquidationPrice(u, index(u, positionsOf, collateralOf, marks), null, null, false, ALREADY_LIQUIDATABLE));
            }
            return out;
        }
        Map<String, double[][]> pnlOf = revalued(positionsOf, marks, revaluation);
        for (String u : underlyings) {
            List<PositionRisk> positions = positionsOf.getOrDefault(u, List.of());
            if (!positions.isEmpty() && !pnlOf.containsKey(u)) {
                continue; // revalued stale
            }
            Ladder ladder = ladder(view, u, index(u, positionsOf, collateralOf, marks), positions,
                    collateralOf.getOrDefault(u, List.of()), marks, pnlOf.getOrDefault(u, new double[0][]));
            out.add(ladder.crossings(view.mode() == MarginMode.PORTFOLIO));
        }
        return out;
    }

    /** The underlying's current index: its positions' index, or for collateral alone collateral-service's price. */
    private static BigDecimal index(String u, Map<String, List<PositionRisk>> positionsOf, Map<String, List<CollateralLine>> collateralOf,
                                    Map<String, MarketMark> marks) {
        List<PositionRisk> positions = positionsOf.get(u);
        return positions == null ? collateralOf.get(u).get(0).price() : marks.get(positions.get(0).position().instrument()).index();
    }

    /**
     * Every underlying's positions revalued on its own ladder in ONE revaluation (the caller may split it past the
     * pricing limits): pnl[position][node] per underlying, in {@code positionsOf}'s order; an underlying answered stale
     * is absent.
     */
    private static Map<String, double[][]> revalued(Map<String, List<PositionRisk>> positionsOf, Map<String, MarketMark> marks,
                                                    PortfolioAccount.Revaluation revaluation) {
        List<PositionExposure> exposures = new ArrayList<>();
        List<Scenario> scenarios = new ArrayList<>();
        positionsOf.forEach((u, positions) -> {
            exposures.addAll(PortfolioAccount.positions(positions, marks));
            LADDER.forEach(m -> scenarios.add(scenario(u, m)));
        });
        Map<String, double[][]> out = new TreeMap<>();
        if (exposures.isEmpty()) {
            return out;
        }
        PortfolioAccount.Revalued revalued = revaluation.revalue(exposures, scenarios);
        int row = 0;
        int column = 0;
        for (Map.Entry<String, List<PositionRisk>> e : positionsOf.entrySet()) {
            double[][] pnl = new double[e.getValue().size()][];
            for (int p = 0; p < pnl.length; p++) {
                pnl[p] = Arrays.copyOfRange(revalued.pnl()[row + p], column, column + LADDER.size());
            }
            if (!revalued.staleUnderlyings().contains(e.getKey())) {
                out.put(e.getKey(), pnl);
            }
            row += pnl.length;
            column += LADDER.size();
        }
        return out;
    }

    /** equity - MM and the linear tiers at every node of one underlying's ladder, from its positions' P&L there. */
    private Ladder ladder(AccountRisk view, String u, BigDecimal index, List<PositionRisk> positions, List<CollateralLine> lines,
                          Map<String, MarketMark> marks, double[][] pnl) {
        double collateralMm = lines.stream().mapToDouble(l -> l.valueMm().doubleValue()).sum();
        BigDecimal otherMm = view.maintenanceMargin();
        for (PositionRisk r : positions) {
            otherMm = otherMm.subtract(r.maintenanceMargin());
        }
        boolean portfolio = view.mode() == MarginMode.PORTFOLIO;
        // parsed once: the node loop below runs positions x nodes times
        List<Instrument> instruments = positions.stream().map(r -> Instrument.parse(r.position().instrument(), "instrument")).toList();
        boolean options = instruments.stream().anyMatch(i -> !i.linear());
        Node[] nodes = new Node[LADDER.size()];
        for (int k = 0; k < nodes.length; k++) {
            double move = LADDER.get(k);
            double equity = view.equity().doubleValue() + collateralMm * move;
            // PORTFOLIO: the scan's MM held, scaled up with the index (never down): a book's losses in the scan grow
            // with its size; still approximate, and may be optimistic for a short-gamma book
            BigDecimal fixed = portfolio ? view.maintenanceMargin().multiply(BigDecimal.valueOf(Math.max(1, 1 + move))) : otherMm;
            double[] notional = new double[positions.size()];
            for (int p = 0; p < positions.size(); p++) {
                equity += pnl[p][k];
                if (portfolio) {
                    continue; // MM held: no standard-rule figure to recompute
                }
                PositionRisk shifted = shifted(instruments.get(p), positions.get(p), marks, pnl[p][k], move);
                if (instruments.get(p).linear()) {
                    notional[p] = shifted.position().quantity().abs().multiply(shifted.markUsed()).doubleValue();
                } else {
                    fixed = fixed.add(shifted.maintenanceMargin());
                }
            }
            nodes[k] = new Node(move, equity, fixed.doubleValue(), notional);
        }
        double[] notionalNow = new double[positions.size()];
        BigDecimal fixedNow = view.maintenanceMargin();
        for (int p = 0; p < positions.size() && !portfolio; p++) {
            if (instruments.get(p).linear()) {
                PositionRisk r = positions.get(p);
                notionalNow[p] = r.position().quantity().abs().multiply(r.markUsed()).doubleValue();
                fixedNow = fixedNow.subtract(r.maintenanceMargin());
            }
        }
        Node now = new Node(0, view.equity().doubleValue(), fixedNow.doubleValue(), notionalNow);
        return new Ladder(u, index, now, nodes, options, new Tiers(calculator.rules().linearTiers()));
    }

    /** The position re-margined by the standard rules at its mark moved by its P&L per unit, the index by {@code move}. */
    private PositionRisk shifted(Instrument instrument, PositionRisk r, Map<String, MarketMark> marks, double pnl, double move) {
        Position p = r.position();
        MarketMark mark = marks.get(p.instrument());
        BigDecimal used = r.markUsed().add(BigDecimal.valueOf(pnl / p.quantity().doubleValue())).max(BigDecimal.ZERO);
        BigDecimal index = mark.index().multiply(BigDecimal.valueOf(1 + move));
        MarketMark moved = new MarketMark(mark.instrument(), mark.underlying(), used, index, mark.delta(), false, mark.asOfMs());
        return calculator.position(instrument, p, moved);
    }

    /**
     * A ladder node as a RevalueBook scenario: {@code u} alone moves by {@code move}, no vol or skew shift (as the
     * grid's "/vol0" scenarios). Kind EXTENDED: a spot move beyond the core grid's; no scan reads it.
     */
    static Scenario scenario(String u, double move) {
        return new Scenario("LIQ:" + u + ":" + ScenarioGrid.percent(move),
                0, Scenario.Kind.EXTENDED, List.of(u), move, 0, 0, 0, 0, 0, 1);
    }

    /**
     * Account figures at one relative move of the index: equity, the MM that does not follow a size tier ({@code fixed}:
     * other underlyings', options', or PORTFOLIO's held figure) and the notional of each perpetual or future (0 for an
     * option) whose MM is notional x its tier's rate.
     */
    private record Node(double move, double equity, double fixed, double[] notional) {
    }

    /** The standard rules' size tiers as doubles: MM rate of a notional. */
    private record Tiers(double[] below, double[] rate) {
        Tiers(List<MarginRules.LinearTier> tiers) {
            this(tiers.stream().mapToDouble(t -> t.below() == null ? Double.POSITIVE_INFINITY : t.below().doubleValue()).toArray(),
                    tiers.stream().mapToDouble(t -> t.mm().doubleValue()).toArray());
        }

        double rate(double notional) {
            int i = 0;
            while (notional >= below[i]) {
                i++;
            }
            return rate[i];
        }
    }

    private record Ladder(String underlying, BigDecimal index, Node now, Node[] nodes, boolean options, Tiers tiers) {

        LiquidationPrice crossings(boolean portfolio) {
            Crossing below = null;
            Crossing above = null;
            int first = 0;
            while (first < nodes.length && nodes[first].move() < 0) {
                first++;
            }
            // the line through the two nodes before an interval starts from the nearest node on the other side
            Node before = first < nodes.length ? nodes[first] : null;
            Node previous = now;
            for (int k = first - 1; k >= 0 && below == null; k--) {
                below = crossing(before, previous, nodes[k]);
                before = previous;
                previous = nodes[k];
            }
            before = first > 0 ? nodes[first - 1] : null;
            previous = now;
            for (int k = first; k < nodes.length && above == null; k++) {
                above = crossing(before, previous, nodes[k]);
                before = previous;
                previous = nodes[k];
            }
            boolean approximate = portfolio || (below != null && below.approximate()) || (above != null && above.approximate());
            return new LiquidationPrice(underlying, index, below == null ? null : below.price(),
                    above == null ? null : above.price(), approximate, portfolio ? PORTFOLIO : CROSS);
        }

        /**
         * The first point from {@code a} (not liquidatable) toward {@code b} where the account is liquidatable, or null.
         * Equity, the fixed MM and each notional are taken linear between the nodes (exact for perpetuals and futures);
         * the interval is cut where a notional crosses a size-tier limit (MM jumps there, up or down) and within each
         * piece, every rate constant, equity - MM is a straight line: solved exactly, and a rise of MM at a limit gives
         * the limit itself. So a dip below MM between two sound nodes is found, and a tier change never moves the figure.
         */
        private Crossing crossing(Node z, Node a, Node b) {
            TreeSet<Double> cuts = new TreeSet<>(List.of(0.0, 1.0));
            for (int p = 0; p < a.notional().length; p++) {
                double na = a.notional()[p];
                double nb = b.notional()[p];
                for (double limit : tiers.below()) {
                    if (Double.isFinite(limit) && (limit - na) * (limit - nb) < 0) {
                        cuts.add((limit - na) / (nb - na));
                    }
                }
            }
            double found = -1;
            Double t0 = null;
            for (double t1 : cuts) {
                if (t0 != null && found < 0) {
                    found = zero(a, b, t0, t1);
                }
                t0 = t1;
            }
            boolean wide = Math.abs(b.move() - a.move()) > WIDE + 1e-12;
            // an option's value is curved between the nodes: a long option's (convex) makes the straight line cross
            // after the truth, and can dip below zero between two sound nodes; the line through the two nodes before
            // the interval, extended, lies below a convex curve: its zero, when nearer, is the figure
            double extended = options && z != null ? extension(z, a, b) : -1;
            // nearer by more than rounding noise (on a straight stretch both lines are one)
            boolean byExtension = extended >= 0 && (found < 0 || extended < found - 1e-9);
            if (byExtension) {
                found = extended;
            }
            if (found < 0) {
                return null;
            }
            double move = a.move() + (b.move() - a.move()) * found;
            return new Crossing(towardSpot(index.doubleValue() * (1 + move), move < 0), options && (wide || byExtension));
        }

        /** Where the line through {@code z} and {@code a}'s equity - MM, extended, reaches 0 inside [a, b] (MM due there); -1 when not. */
        private double extension(Node z, Node a, Node b) {
            double fz = z.equity() - mm(z);
            double fa = a.equity() - mm(a);
            double fb = fa + (fa - fz) / (a.move() - z.move()) * (b.move() - a.move());
            if (fa <= 0 || fb > 0 || mm(b) <= 0) {
                return -1;
            }
            return fa / (fa - fb);
        }

        /** A node's MM under the rules: each notional at its own tier's rate. */
        private double mm(Node n) {
            double mm = n.fixed();
            for (double notional : n.notional()) {
                mm += notional * tiers.rate(notional);
            }
            return mm;
        }

        /** The first t in [t0, t1] where equity - MM <= 0 with MM > 0, the rates those inside the piece; -1 when none. */
        private double zero(Node a, Node b, double t0, double t1) {
            double[] rates = new double[a.notional().length];
            double middle = (t0 + t1) / 2;
            for (int p = 0; p < rates.length; p++) {
                rates[p] = tiers.rate(lerp(a.notional()[p], b.notional()[p], middle));
            }
            double mm0 = mm(a, b, t0, rates);
            double mm1 = mm(a, b, t1, rates);
            double f0 = lerp(a.equity(), b.equity(), t0) - mm0;
            double f1 = lerp(a.equity(), b.equity(), t1) - mm1;
            if (f0 <= 0 && mm0 > 0) {
                return t0;
            }
            if (f1 > 0 || mm1 <= 0) {
                return -1;
            }
            // f0 > 0, or f0 <= 0 where no margin was due yet (MM appears inside the piece): liquidatable by t1
            return f0 > 0 ? t0 + (t1 - t0) * f0 / (f0 - f1) : t1;
        }

        private static double mm(Node a, Node b, double t, double[] rates) {
            double mm = lerp(a.fixed(), b.fixed(), t);
            for (int p = 0; p < rates.length; p++) {
                mm += lerp(a.notional()[p], b.notional()[p], t) * rates[p];
            }
            return mm;
        }

        /** {@code price} to {@link #DIGITS} significant digits toward the current index: a price below up, above down. */
        private static BigDecimal towardSpot(double price, boolean below) {
            return new BigDecimal(price).round(NOISE).round(new MathContext(DIGITS, below ? RoundingMode.CEILING : RoundingMode.FLOOR));
        }

        private static double lerp(double x, double y, double t) {
            return x + (y - x) * t;
        }
    }

    private record Crossing(BigDecimal price, boolean approximate) {
    }

    /**
     * -0.5% .. -10% by 0.5%, to -60% by 1%, to -95% by 5%, -97%, -99%; +0.5% .. +10% by 0.5%, to +60% by 1%, to +100%
     * by 5%, to +200% by 10%, to +500% by 25%, to +1000% by 50%: 189 moves (1% or finer out to 60% either way).
     * Built in tenths of a percent so that every node is the exact decimal it names.
     */
    private static List<Double> ladder() {
        int[][] down = {{5, 100, 5}, {110, 600, 10}, {650, 950, 50}, {970, 990, 20}};
        int[][] up = {{5, 100, 5}, {110, 600, 10}, {650, 1000, 50}, {1100, 2000, 100}, {2250, 5000, 250}, {5500, 10000, 500}};
        TreeSet<Double> moves = new TreeSet<>();
        for (int[] seg : down) {
            for (int permille = seg[0]; permille <= seg[1]; permille += seg[2]) {
                moves.add(-permille / 1000.0);
            }
        }
        for (int[] seg : up) {
            for (int permille = seg[0]; permille <= seg[1]; permille += seg[2]) {
                moves.add(permille / 1000.0);
            }
        }
        return List.copyOf(moves);
    }
}
