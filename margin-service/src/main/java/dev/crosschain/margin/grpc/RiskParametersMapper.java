package dev.crosschain.margin.grpc;

import dev.crosschain.margin.domain.Decimals;
import dev.crosschain.margin.domain.InvalidInputException;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.Violation;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.store.RiskParameterStore;
import dev.crosschain.proto.margin.v1.CorrelationGroup;
import dev.crosschain.proto.margin.v1.EsAntiProcyclicality;
import dev.crosschain.proto.margin.v1.ExtendedMove;
import dev.crosschain.proto.margin.v1.LinearTier;
import dev.crosschain.proto.margin.v1.RiskParameterChange;
import dev.crosschain.proto.margin.v1.StandardRules;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Risk-parameter sets proto <-> domain. Decimals travel as strings, the PORTFOLIO figures as doubles. */
final class RiskParametersMapper {

    private RiskParametersMapper() {
    }

    /**
     * The domain set of a request's {@code parameters}; INVALID_ARGUMENT INVALID_RISK_PARAMETERS with every bad field
     * under {@code field} (e.g. {@code parameters.rules.linear_tiers[0].mm}). A missing sub-message reads as empty, so
     * each of its required fields is reported by name.
     */
    static RiskParameters toDomain(dev.crosschain.proto.margin.v1.RiskParameters p, String field) {
        List<Violation> violations = new ArrayList<>();
        StandardRules r = p.getRules();
        List<MarginRules.LinearTier> tiers = new ArrayList<>();
        for (int i = 0; i < r.getLinearTiersCount(); i++) {
            LinearTier t = r.getLinearTiers(i);
            String at = "rules.linear_tiers[" + i + "].";
            BigDecimal below = t.getBelow().isBlank() ? null : decimal(t.getBelow(), at + "below", violations);
            if (!t.getBelow().isBlank() && below == null) {
                below = BigDecimal.ONE; // reported as not a decimal; a stand-in keeps the tier bounded
            }
            tiers.add(new MarginRules.LinearTier(below, decimal(t.getIm(), at + "im", violations), decimal(t.getMm(), at + "mm", violations)));
        }
        BigDecimal imBase = decimal(r.getOptionImBase(), "rules.option_im_base", violations);
        BigDecimal imMin = decimal(r.getOptionImMin(), "rules.option_im_min", violations);
        BigDecimal mm = decimal(r.getOptionMm(), "rules.option_mm", violations);
        BigDecimal scan = decimal(r.getStaleScanRange(), "rules.stale_scan_range", violations);
        dev.crosschain.proto.margin.v1.PortfolioParameters pm = p.getPortfolio();
        RiskParameters built = null;
        try {
            built = RiskParameters.of(p.getVersion(), tiers, imBase, imMin, mm, scan, () -> portfolio(pm),
                    () -> expectedShortfall(p));
        } catch (InvalidInputException e) {
            // a field that is not a decimal is reported once, as such, not again for its range
            Set<String> unparsed = new LinkedHashSet<>();
            violations.forEach(v -> unparsed.add(v.field()));
            e.violations().stream().filter(v -> !unparsed.contains(v.field())).forEach(violations::add);
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(RiskParameters.INVALID,
                    violations.stream().map(v -> new Violation(field + "." + v.field(), v.description())).toList());
        }
        return built;
    }

    private static dev.crosschain.margin.domain.portfolio.PortfolioParameters portfolio(dev.crosschain.proto.margin.v1.PortfolioParameters pm) {
        List<dev.crosschain.margin.domain.portfolio.PortfolioParameters.ExtendedMove> extended = new ArrayList<>();
        for (ExtendedMove e : pm.getExtendedMovesList()) {
            extended.add(new dev.crosschain.margin.domain.portfolio.PortfolioParameters.ExtendedMove(e.getMove(), e.getWeight()));
        }
        List<List<String>> groups = new ArrayList<>();
        for (CorrelationGroup g : pm.getCorrelationGroupsList()) {
            groups.add(List.copyOf(g.getUnderlyingsList()));
        }
        return new dev.crosschain.margin.domain.portfolio.PortfolioParameters(pm.getVersion(), pm.getCoreMovesList(),
                pm.getVolUpShift(), pm.getVolDownShift(), pm.getTenorReferenceDays(), pm.getTenorPower(), pm.getTenorMaxScale(),
                extended, pm.getSkewShiftsList(), groups, pm.getGroupOffset(), pm.getImFactor(), pm.getNetShortOptionRate(),
                pm.getLinearRate(), pm.getStaleOracleWidening(), pm.getStablecoinDepeg(), List.copyOf(pm.getStablecoinsList()));
    }

    /**
     * The ES section; absent reads as {@link ExpectedShortfallParameters#NONE} (a client that predates it keeps
     * sending valid sets). A mode other than PORTFOLIO, or not a mode, is reported at {@code modes[i]}.
     */
    private static ExpectedShortfallParameters expectedShortfall(dev.crosschain.proto.margin.v1.RiskParameters p) {
        if (!p.hasExpectedShortfall()) {
            return ExpectedShortfallParameters.NONE;
        }
        dev.crosschain.proto.margin.v1.ExpectedShortfallParameters es = p.getExpectedShortfall();
        List<Violation> violations = new ArrayList<>();
        Set<MarginMode> modes = EnumSet.noneOf(MarginMode.class);
        for (int i = 0; i < es.getModesCount(); i++) {
            MarginMode mode = switch (es.getModes(i)) {
                case MARGIN_MODE_PORTFOLIO -> MarginMode.PORTFOLIO;
                case MARGIN_MODE_CROSS -> MarginMode.CROSS;
                case MARGIN_MODE_ISOLATED -> MarginMode.ISOLATED;
                default -> null;
            };
            if (mode == null) {
                violations.add(new Violation("modes[" + i + "]", "not a margin mode: " + es.getModesValue(i)));
            } else if (!ExpectedShortfallParameters.SUPPORTED_MODES.contains(mode)) {
                violations.add(new Violation("modes[" + i + "]", "ES applies only to " + ExpectedShortfallParameters.SUPPORTED_MODES
                        + ", not " + mode));
            } else {
                modes.add(mode);
            }
        }
        ExpectedShortfallParameters.Apc apc = switch (es.getAntiProcyclicality()) {
            case ES_ANTI_PROCYCLICALITY_NONE -> ExpectedShortfallParameters.Apc.NONE;
            case ES_ANTI_PROCYCLICALITY_FLOOR_AND_BUFFER -> ExpectedShortfallParameters.Apc.FLOOR_AND_BUFFER;
            default -> null;
        };
        try {
            ExpectedShortfallParameters built = new ExpectedShortfallParameters(modes, es.getLevel(), es.getLookBackDays(),
                    es.getHoldingDays(), apc);
            if (violations.isEmpty()) {
                return built;
            }
        } catch (InvalidInputException e) {
            violations.addAll(e.violations());
        }
        throw new InvalidInputException(RiskParameters.INVALID, violations);
    }

    private static dev.crosschain.proto.margin.v1.ExpectedShortfallParameters expectedShortfall(ExpectedShortfallParameters es) {
        var out = dev.crosschain.proto.margin.v1.ExpectedShortfallParameters.newBuilder().setLevel(es.level())
                .setLookBackDays(es.lookBackDays()).setHoldingDays(es.holdingDays())
                .setAntiProcyclicality(es.antiProcyclicality() == ExpectedShortfallParameters.Apc.NONE
                        ? EsAntiProcyclicality.ES_ANTI_PROCYCLICALITY_NONE : EsAntiProcyclicality.ES_ANTI_PROCYCLICALITY_FLOOR_AND_BUFFER);
        es.orderedModes().forEach(m -> out.addModes(dev.crosschain.proto.margin.v1.MarginMode.valueOf("MARGIN_MODE_" + m.name())));
        return out.build();
    }

    /** Digits after the point a set's decimal may carry (rates and USD limits need far fewer). */
    static final int MAX_SCALE = 18;
    /** Significant digits a set's decimal may carry. */
    static final int MAX_PRECISION = 38;

    /**
     * A plain decimal ({@link Decimals#parse}: no exponent, so "1E-1000000000" cannot blow up into a billion-digit
     * plain string), at most {@link #MAX_SCALE} digits after the point and {@link #MAX_PRECISION} significant digits;
     * else null with a violation.
     */
    private static BigDecimal decimal(String text, String field, List<Violation> violations) {
        if (text.isBlank()) {
            violations.add(new Violation(field, "required"));
            return null;
        }
        if (text.length() > MAX_PRECISION + MAX_SCALE + 2) {
            violations.add(new Violation(field, "too long for a decimal (" + text.length() + " characters)"));
            return null;
        }
        BigDecimal value;
        try {
            value = Decimals.parse(text, field, RiskParameters.INVALID);
        } catch (InvalidInputException e) {
            violations.addAll(e.violations());
            return null;
        }
        if (value.scale() > MAX_SCALE || value.precision() > MAX_PRECISION) {
            violations.add(new Violation(field, "at most " + MAX_SCALE + " digits after the point and " + MAX_PRECISION
                    + " significant digits: " + text));
            return null;
        }
        return value;
    }

    static dev.crosschain.proto.margin.v1.RiskParameters toProto(RiskParameters p) {
        StandardRules.Builder rules = StandardRules.newBuilder()
                .setOptionImBase(p.rules().optionImBase().toPlainString())
                .setOptionImMin(p.rules().optionImMin().toPlainString())
                .setOptionMm(p.rules().optionMm().toPlainString())
                .setStaleScanRange(p.rules().scanRange().toPlainString());
        for (MarginRules.LinearTier t : p.rules().linearTiers()) {
            rules.addLinearTiers(LinearTier.newBuilder().setBelow(t.below() == null ? "" : t.below().toPlainString())
                    .setIm(t.im().toPlainString()).setMm(t.mm().toPlainString()));
        }
        var pm = p.portfolio();
        var portfolio = dev.crosschain.proto.margin.v1.PortfolioParameters.newBuilder()
                .setVersion(pm.version()).addAllCoreMoves(pm.coreMoves())
                .setVolUpShift(pm.volUpShift()).setVolDownShift(pm.volDownShift())
                .setTenorReferenceDays(pm.tenorReferenceDays()).setTenorPower(pm.tenorPower()).setTenorMaxScale(pm.tenorMaxScale())
                .addAllSkewShifts(pm.skewShifts()).setGroupOffset(pm.groupOffset()).setImFactor(pm.imFactor())
                .setNetShortOptionRate(pm.netShortOptionRate()).setLinearRate(pm.linearRate())
                .setStaleOracleWidening(pm.staleOracleWidening()).setStablecoinDepeg(pm.stablecoinDepeg())
                .addAllStablecoins(pm.stablecoins());
        pm.extendedMoves().forEach(e -> portfolio.addExtendedMoves(ExtendedMove.newBuilder().setMove(e.move()).setWeight(e.weight())));
        pm.correlationGroups().forEach(g -> portfolio.addCorrelationGroups(CorrelationGroup.newBuilder().addAllUnderlyings(g)));
        var set = dev.crosschain.proto.margin.v1.RiskParameters.newBuilder().setVersion(p.version()).setRules(rules)
                .setPortfolio(portfolio);
        if (!p.expectedShortfall().equals(ExpectedShortfallParameters.NONE)) {
            set.setExpectedShortfall(expectedShortfall(p.expectedShortfall()));
        }
        return set.build();
    }

    static RiskParameterChange change(RiskParameterStore.Change c) {
        return RiskParameterChange.newBuilder().setParameters(toProto(c.parameters())).setChangedBy(c.changedBy())
                .setChangedAtUnixMs(c.changedAtMs()).setReason(c.reason()).setSeq(c.seq()).build();
    }
}
