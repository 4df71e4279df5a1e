package dev.crosschain.margin.domain;

import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The one versioned risk-parameter set margin-service computes with: the standard (CROSS) rules and the
 * PORTFOLIO parameters. A version names one set forever (the store refuses to record other contents under it).
 * Built through {@link #of}, which reports every bad field as a {@link Violation} (INVALID_RISK_PARAMETERS):
 * {@code version}, {@code rules.linear_tiers[i].im}, {@code portfolio.core_moves[2]}, ...
 *
 * @param version   1 to 64 characters of A-Z a-z 0-9 . _ -
 * @param rules     the standard rules (CROSS)
 * @param portfolio the PORTFOLIO parameters; its own version stays the portfolio part's name (PortfolioBreakdown)
 * @param expectedShortfall the ES model and the modes it applies to ({@link ExpectedShortfallParameters#NONE}: none)
 */
public record RiskParameters(String version, MarginRules rules, PortfolioParameters portfolio,
                             ExpectedShortfallParameters expectedShortfall) {

    public static final String INVALID = "INVALID_RISK_PARAMETERS";
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Every rule of {@link #of} holds for a set built directly too (the JSON store, tests, the config seed). */
    public RiskParameters {
        List<Violation> violations = new ArrayList<>();
        checkVersion(version, violations);
        if (rules == null) {
            violations.add(new Violation("rules", "required"));
        } else {
            checkRules(rules.linearTiers(), rules.optionImBase(), rules.optionImMin(), rules.optionMm(), rules.scanRange(), violations);
        }
        if (portfolio == null) {
            violations.add(new Violation("portfolio", "required"));
        }
        if (expectedShortfall == null) {
            violations.add(new Violation("expected_shortfall", "required"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(INVALID, violations);
        }
    }

    /** A set without expected shortfall (a set written before ES existed reads so). */
    public RiskParameters(String version, MarginRules rules, PortfolioParameters portfolio) {
        this(version, rules, portfolio, ExpectedShortfallParameters.NONE);
    }

    /**
     * The set from its parts, every bad field of every part reported at once. {@code portfolio} is asked for
     * even when the rest is bad, so its violations (prefixed {@code portfolio.}) join the others.
     */
    public static RiskParameters of(String version, List<MarginRules.LinearTier> tiers, BigDecimal optionImBase,
                                    BigDecimal optionImMin, BigDecimal optionMm, BigDecimal scanRange,
                                    Supplier<PortfolioParameters> portfolio) {
        return of(version, tiers, optionImBase, optionImMin, optionMm, scanRange, portfolio, () -> ExpectedShortfallParameters.NONE);
    }

    /** {@link #of} with an expected-shortfall section, its violations prefixed {@code expected_shortfall.}. */
    public static RiskParameters of(String version, List<MarginRules.LinearTier> tiers, BigDecimal optionImBase,
                                    BigDecimal optionImMin, BigDecimal optionMm, BigDecimal scanRange,
                                    Supplier<PortfolioParameters> portfolio,
                                    Supplier<ExpectedShortfallParameters> expectedShortfall) {
        List<Violation> violations = new ArrayList<>();
        checkVersion(version, violations);
        checkRules(tiers, optionImBase, optionImMin, optionMm, scanRange, violations);
        PortfolioParameters built = null;
        try {
            built = portfolio.get();
        } catch (InvalidInputException e) {
            e.violations().forEach(v -> violations.add(new Violation("portfolio." + v.field(), v.description())));
        }
        ExpectedShortfallParameters es = null;
        try {
            es = expectedShortfall.get();
        } catch (InvalidInputException e) {
            e.violations().forEach(v -> violations.add(new Violation("expected_shortfall." + v.field(), v.description())));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(INVALID, violations);
        }
        return new RiskParameters(version, new MarginRules(tiers, optionImBase, optionImMin, optionMm, scanRange), built, es);
    }

    /**
     * True when both sets hold the same figures: decimals compared by value (0.10 = 0.1), doubles and lists exactly.
     * The version is part of the contents.
     */
    public boolean sameContents(RiskParameters other) {
        return version.equals(other.version) && portfolio.equals(other.portfolio) && sameRules(rules, other.rules)
                && expectedShortfall.equals(other.expectedShortfall);
    }

    private static boolean sameRules(MarginRules a, MarginRules b) {
        if (a.linearTiers().size() != b.linearTiers().size()) {
            return false;
        }
        for (int i = 0; i < a.linearTiers().size(); i++) {
            MarginRules.LinearTier x = a.linearTiers().get(i);
            MarginRules.LinearTier y = b.linearTiers().get(i);
            if (!sameValue(x.below(), y.below()) || !sameValue(x.im(), y.im()) || !sameValue(x.mm(), y.mm())) {
                return false;
            }
        }
        return sameValue(a.optionImBase(), b.optionImBase()) && sameValue(a.optionImMin(), b.optionImMin())
                && sameValue(a.optionMm(), b.optionMm()) && sameValue(a.scanRange(), b.scanRange());
    }

    private static boolean sameValue(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    private static void checkRules(List<MarginRules.LinearTier> tiers, BigDecimal optionImBase, BigDecimal optionImMin,
                                   BigDecimal optionMm, BigDecimal scanRange, List<Violation> violations) {
        checkTiers(tiers, violations);
        checkOption(optionImBase, optionImMin, optionMm, violations);
        check(violations, "rules.stale_scan_range", scanRange != null && scanRange.signum() > 0 && scanRange.compareTo(BigDecimal.ONE) < 0,
                "must be a decimal in (0, 1)");
    }

    private static void checkVersion(String version, List<Violation> violations) {
        check(violations, "version", version != null && VERSION.matcher(version).matches(),
                "must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
    }

    /**
     * Ascending limits > 0, the last tier unbounded and only the last; rates in (0, 1] with MM <= IM (a tier that
     * asks less to open than to keep would put a fresh position straight into margin call); IM and MM never below
     * the previous tier's (a rate that fell as notional grows would lower a position's margin as it grows).
     */
    private static void checkTiers(List<MarginRules.LinearTier> tiers, List<Violation> violations) {
        if (tiers == null || tiers.isEmpty()) {
            violations.add(new Violation("rules.linear_tiers", "at least one tier is required (the last one unbounded)"));
            return;
        }
        BigDecimal previous = null;
        MarginRules.LinearTier previousRates = null;
        for (int i = 0; i < tiers.size(); i++) {
            MarginRules.LinearTier t = tiers.get(i);
            String at = "rules.linear_tiers[" + i + "]";
            if (t == null) {
                violations.add(new Violation(at, "required"));
                continue;
            }
            boolean last = i == tiers.size() - 1;
            if (last) {
                check(violations, at + ".below", t.below() == null, "the last tier must be unbounded (no limit)");
            } else if (t.below() == null) {
                violations.add(new Violation(at + ".below", "only the last tier may be unbounded"));
            } else {
                check(violations, at + ".below", t.below().signum() > 0, "must be a decimal > 0 (USD notional)");
                check(violations, at + ".below", previous == null || t.below().compareTo(previous) > 0,
                        "limits must be strictly ascending");
                previous = t.below();
            }
            check(violations, at + ".im", fraction(t.im()), "must be a decimal in (0, 1]");
            check(violations, at + ".mm", fraction(t.mm()), "must be a decimal in (0, 1]");
            if (fraction(t.im()) && fraction(t.mm())) {
                check(violations, at + ".mm", t.mm().compareTo(t.im()) <= 0, "must not exceed the tier's im");
            }
            if (previousRates != null) {
                notBelowPrevious(violations, at + ".im", previousRates.im(), t.im());
                notBelowPrevious(violations, at + ".mm", previousRates.mm(), t.mm());
            }
            previousRates = t;
        }
    }

    /** A rate of a tier is at least the previous tier's (compared only when both are valid rates). */
    private static void notBelowPrevious(List<Violation> violations, String field, BigDecimal previous, BigDecimal rate) {
        if (fraction(previous) && fraction(rate)) {
            check(violations, field, rate.compareTo(previous) >= 0,
                    "must not be below the previous tier's (" + previous.toPlainString() + "): margin must not fall as notional grows");
        }
    }

    /** Deribit's short-option rule: IM = max(im_base - OTM/S, im_min) x S + mark, MM = mm x S + mark. */
    private static void checkOption(BigDecimal imBase, BigDecimal imMin, BigDecimal mm, List<Violation> violations) {
        check(violations, "rules.option_im_base", fraction(imBase), "must be a decimal in (0, 1]");
        check(violations, "rules.option_im_min", fraction(imMin), "must be a decimal in (0, 1]");
        check(violations, "rules.option_mm", fraction(mm), "must be a decimal in (0, 1]");
        if (fraction(imBase) && fraction(imMin)) {
            check(violations, "rules.option_im_min", imMin.compareTo(imBase) <= 0, "must not exceed option_im_base");
        }
        if (fraction(imMin) && fraction(mm)) {
            check(violations, "rules.option_mm", mm.compareTo(imMin) <= 0, "must not exceed option_im_min (IM floor)");
        }
    }

    private static boolean fraction(BigDecimal value) {
        return value != null && value.signum() > 0 && value.compareTo(BigDecimal.ONE) <= 0;
    }

    private static void check(List<Violation> violations, String field, boolean ok, String description) {
        if (!ok) {
            violations.add(new Violation(field, description));
        }
    }
}
