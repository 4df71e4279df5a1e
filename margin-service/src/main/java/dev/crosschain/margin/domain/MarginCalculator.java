package dev.crosschain.margin.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cross-margin standard rules over one pool of collateral. Stateless; market data is passed in.
 *
 * <ul>
 *   <li>Perpetuals/futures: IM/MM = |qty| x mark x rate of the tier of the position's notional.</li>
 *   <li>Short options, per unit: IM = max(base - OTM/S, min) x S + mark, MM = mm x S + mark
 *       (Deribit; S = index, OTM = max(0, K - S) for calls, max(0, S - K) for puts).</li>
 *   <li>Long options: IM = MM = 0 (the premium is paid; the mark counts in equity).</li>
 *   <li>A stale mark is moved against the position by the scan range: perpetuals/futures by
 *       mark x range, options by |delta| x S x range (floored at 0 for longs).</li>
 * </ul>
 */
public final class MarginCalculator {

    private final MarginRules rules;

    public MarginCalculator(MarginRules rules) {
        this.rules = rules;
    }

    public MarginRules rules() {
        return rules;
    }

    /**
     * Values and margins an account under the standard rules (mode CROSS).
     *
     * @param marks a mark for every position's instrument
     */
    public AccountRisk evaluate(String accountId, boolean frozen, BigDecimal realizedPnl, List<Position> positions,
                                Map<String, MarketMark> marks, Collateral collateral, long nowMs) {
        return evaluate(accountId, frozen, realizedPnl, positions, marks, collateral, nowMs, MarginMode.CROSS);
    }

    /**
     * The account's figures in {@code mode}, which the view carries. These standard rules compute the
     * cross-margin figures only: another mode is refused rather than shown with cross figures.
     */
    public AccountRisk evaluate(String accountId, boolean frozen, BigDecimal realizedPnl, List<Position> positions,
                                Map<String, MarketMark> marks, Collateral collateral, long nowMs, MarginMode mode) {
        if (mode != MarginMode.CROSS) {
            throw new IllegalArgumentException("the standard rules compute CROSS figures, not " + mode);
        }
        List<PositionRisk> risks = new ArrayList<>();
        BigDecimal upnl = BigDecimal.ZERO;
        BigDecimal options = BigDecimal.ZERO;
        BigDecimal im = BigDecimal.ZERO;
        BigDecimal mm = BigDecimal.ZERO;
        boolean conservative = collateral.stale();
        Map<String, InputAge> ages = new TreeMap<>();
        for (Position p : positions) {
            if (p.isFlat()) {
                continue;
            }
            MarketMark mark = marks.get(p.instrument());
            if (mark == null) {
                throw new IllegalArgumentException("no mark for " + p.instrument());
            }
            Instrument instrument = Instrument.parse(p.instrument(), "instrument");
            PositionRisk risk = position(instrument, p, mark);
            risks.add(risk);
            upnl = upnl.add(risk.unrealizedPnl());
            options = options.add(risk.optionValue());
            im = im.add(risk.initialMargin());
            mm = mm.add(risk.maintenanceMargin());
            conservative |= mark.stale();
            String key = "index:" + mark.underlying();
            InputAge age = new InputAge(key, Math.max(0, nowMs - mark.asOfMs()), mark.stale());
            ages.merge(key, age, (a, b) -> new InputAge(key, Math.max(a.ageMs(), b.ageMs()), a.stale() || b.stale()));
        }
        List<InputAge> inputAges = new ArrayList<>(ages.values());
        inputAges.add(new InputAge("collateral", Math.max(0, nowMs - collateral.asOfMs()), collateral.stale()));
        BigDecimal realized = Decimals.usd(realizedPnl);
        BigDecimal common = upnl.add(realized).add(options);
        BigDecimal equity = Decimals.usd(collateral.valueMm().add(common));
        BigDecimal equityIm = Decimals.usd(collateral.valueIm().add(common));
        return new AccountRisk(accountId, frozen, collateral, risks, realized, Decimals.usd(upnl), Decimals.usd(options),
                equity, equityIm, Decimals.usd(im), Decimals.usd(mm), RiskStatus.marginRatio(mm, equity),
                RiskStatus.of(equity, equityIm, im, mm), conservative, inputAges, nowMs, mode, null);
    }

    /** One position valued at {@code mark} (shocked against the position when the mark is stale). */
    public PositionRisk position(Instrument instrument, Position p, MarketMark mark) {
        BigDecimal qty = p.quantity();
        BigDecimal size = qty.abs();
        boolean isLong = qty.signum() > 0;
        if (instrument instanceof Instrument.Option option) {
            BigDecimal s = mark.index();
            BigDecimal used = mark.mark();
            if (mark.stale()) {
                BigDecimal move = BigDecimal.valueOf(Math.abs(mark.delta())).multiply(s).multiply(rules.scanRange());
                used = isLong ? used.subtract(move).max(BigDecimal.ZERO) : used.add(move);
            }
            BigDecimal value = Decimals.usd(qty.multiply(used));
            BigDecimal im = BigDecimal.ZERO;
            BigDecimal mm = BigDecimal.ZERO;
            if (!isLong) {
                im = Decimals.usd(shortOptionInitialPerUnit(option, s, used).multiply(size));
                mm = Decimals.usd(shortOptionMaintenancePerUnit(s, used).multiply(size));
            }
            return new PositionRisk(p, used, Decimals.usd(BigDecimal.ZERO), value, im, mm,
                    qty.doubleValue() * mark.delta(), mark.stale());
        }
        BigDecimal used = mark.mark();
        if (mark.stale()) {
            BigDecimal factor = isLong ? BigDecimal.ONE.subtract(rules.scanRange()) : BigDecimal.ONE.add(rules.scanRange());
            used = used.multiply(factor);
        }
        BigDecimal upnl = Decimals.usd(qty.multiply(used.subtract(p.averageEntryPrice())));
        BigDecimal notional = size.multiply(used);
        MarginRules.LinearTier tier = rules.tierOf(notional);
        return new PositionRisk(p, used, upnl, Decimals.usd(BigDecimal.ZERO), Decimals.usd(notional.multiply(tier.im())),
                Decimals.usd(notional.multiply(tier.mm())), qty.doubleValue(), mark.stale());
    }

    /** max(base - OTM/S, min) x S + mark, USD per unit of a short option. */
    public BigDecimal shortOptionInitialPerUnit(Instrument.Option option, BigDecimal index, BigDecimal mark) {
        BigDecimal otm = option.type() == OptionType.CALL
                ? option.strike().subtract(index).max(BigDecimal.ZERO)
                : index.subtract(option.strike()).max(BigDecimal.ZERO);
        BigDecimal rate = rules.optionImBase().subtract(otm.divide(index, 16, java.math.RoundingMode.HALF_EVEN)).max(rules.optionImMin());
        return rate.multiply(index).add(mark);
    }

    /** mm x S + mark, USD per unit of a short option. */
    public BigDecimal shortOptionMaintenancePerUnit(BigDecimal index, BigDecimal mark) {
        return rules.optionMm().multiply(index).add(mark);
    }
}
