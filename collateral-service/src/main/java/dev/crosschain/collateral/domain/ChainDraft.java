package dev.crosschain.collateral.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A chain's registry entry as written by a person (registry file, admin RPC): decimals as strings, durations as
 * numbers, nothing checked yet. {@link #toSpec(String)} is the one way from a draft to a {@link ChainSpec}: it
 * parses the fields, lets the domain records apply their rules, and reports every broken rule with its full field
 * path (e.g. "chain.assets[1].im_tiers[0].haircut").
 *
 * <p>Unset text is "", unset numbers are 0: the wire cannot tell 0 from absent, so the file cannot either.
 */
public record ChainDraft(String chainId, String finalityRule, long confirmations, long blockTimeMs,
                         long liquidationLatencySeconds, String pendingWeight, String degradedAddon,
                         long heartbeatLateAfterMs, long headStallAfterMs, long haltAfterSilenceMs,
                         List<AssetDraft> assets) {

    public static final String MISSING_FIELD = "MISSING_FIELD";
    public static final String INVALID_REGISTRY = "INVALID_REGISTRY";

    public ChainDraft {
        chainId = nullToEmpty(chainId);
        finalityRule = nullToEmpty(finalityRule);
        pendingWeight = nullToEmpty(pendingWeight);
        degradedAddon = nullToEmpty(degradedAddon);
        assets = assets == null ? List.of() : List.copyOf(assets);
    }

    /** A token of the chain as written. */
    public record AssetDraft(String asset, String canonicalAsset, long decimals, boolean wrapped, String wrappedAddon,
                             List<TierDraft> imTiers, List<TierDraft> mmTiers, double latencyZIm, double latencyZMm,
                             double minAnnualVol, String accountCapUsd) {

        public AssetDraft {
            asset = nullToEmpty(asset);
            canonicalAsset = nullToEmpty(canonicalAsset);
            wrappedAddon = nullToEmpty(wrappedAddon);
            accountCapUsd = nullToEmpty(accountCapUsd);
            imTiers = imTiers == null ? List.of() : List.copyOf(imTiers);
            mmTiers = mmTiers == null ? List.of() : List.copyOf(mmTiers);
        }

        /** The checked asset, or null when it is broken (its violations are then in {@code v}). */
        AssetSpec toSpec(Collector v) {
            int before = v.size();
            if (asset.isEmpty()) {
                v.missing("asset", "the token symbol is required");
            }
            if (canonicalAsset.isEmpty()) {
                v.missing("canonical_asset", "the canonical priced asset is required");
            }
            if (decimals < 0 || decimals > AssetSpec.MAX_DECIMALS) {
                v.invalid("decimals", "must be in [0, " + AssetSpec.MAX_DECIMALS + "], got " + decimals);
            }
            BigDecimal wrappedAddonValue = wrappedAddon.isEmpty() ? BigDecimal.ZERO : v.decimal("wrapped_addon", wrappedAddon);
            Optional<BigDecimal> cap = accountCapUsd.isEmpty() ? Optional.empty()
                    : Optional.ofNullable(v.decimal("account_cap_usd", accountCapUsd));
            v.finite("latency_z_im", latencyZIm);
            v.finite("latency_z_mm", latencyZMm);
            v.finite("min_annual_vol", minAnnualVol);
            HaircutSchedule im = schedule("im_tiers", imTiers, v);
            HaircutSchedule mm = schedule("mm_tiers", mmTiers, v);
            if (v.size() > before) {
                return null;
            }
            try {
                return new AssetSpec(asset, canonicalAsset, (int) decimals, wrapped, wrappedAddonValue, im, mm,
                        latencyZIm, latencyZMm, minAnnualVol, cap);
            } catch (InvalidSpecException e) {
                v.invalid(e.field(), e.getMessage());
                return null;
            }
        }

        private static HaircutSchedule schedule(String field, List<TierDraft> drafts, Collector v) {
            if (drafts.isEmpty()) {
                v.missing(field, "at least one tier is required");
                return null;
            }
            int before = v.size();
            List<HaircutTier> tiers = new ArrayList<>();
            for (int i = 0; i < drafts.size(); i++) {
                TierDraft d = drafts.get(i);
                String at = field + "[" + i + "]";
                BigDecimal from = d.fromUsd().isEmpty() ? v.missing(at + ".from_usd", "required") : v.decimal(at + ".from_usd", d.fromUsd());
                BigDecimal cut = d.haircut().isEmpty() ? v.missing(at + ".haircut", "required") : v.decimal(at + ".haircut", d.haircut());
                tiers.add(from == null || cut == null ? null : new HaircutTier(from, cut));
            }
            if (v.size() > before) {
                return null;
            }
            try {
                return new HaircutSchedule(tiers);
            } catch (InvalidSpecException e) {
                v.invalid(e.under(field).field(), e.getMessage());
                return null;
            }
        }
    }

    /** One haircut slice as written. */
    public record TierDraft(String fromUsd, String haircut) {

        public TierDraft {
            fromUsd = nullToEmpty(fromUsd);
            haircut = nullToEmpty(haircut);
        }
    }

    /**
     * The checked entry, or {@link InvalidInputException} listing every violation under {@code path} (e.g. "chain"
     * or "chains[2]"): MISSING_FIELD when only required fields are empty, INVALID_REGISTRY otherwise. Parse errors
     * of every field are collected; the rules between fields (a record's constructor) report the first one broken
     * in each asset and in the chain.
     */
    public ChainSpec toSpec(String path) {
        Collector v = new Collector(path);
        if (chainId.isEmpty()) {
            v.missing("chain_id", "the chain id is required");
        }
        FinalityRule rule = null;
        if (finalityRule.isEmpty() || finalityRule.equals("FINALITY_RULE_UNSPECIFIED")) {
            v.missing("finality_rule", "the finality rule is required: CONFIRMATIONS or CHECKPOINT");
        } else {
            try {
                rule = FinalityRule.valueOf(finalityRule.startsWith("FINALITY_RULE_")
                        ? finalityRule.substring("FINALITY_RULE_".length()) : finalityRule);
            } catch (IllegalArgumentException e) {
                v.invalid("finality_rule", "must be CONFIRMATIONS or CHECKPOINT, got " + finalityRule);
            }
        }
        int confirmationsValue = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, confirmations));
        if (blockTimeMs == 0) {
            v.missing("block_time_ms", "the expected block time is required");
        }
        if (heartbeatLateAfterMs == 0) {
            v.missing("heartbeat_late_after_ms", "required");
        }
        if (headStallAfterMs == 0) {
            v.missing("head_stall_after_ms", "required");
        }
        if (haltAfterSilenceMs == 0) {
            v.missing("halt_after_silence_ms", "required");
        }
        BigDecimal pending = pendingWeight.isEmpty() ? BigDecimal.ZERO : v.decimal("pending_weight", pendingWeight);
        BigDecimal degraded = degradedAddon.isEmpty() ? v.missing("degraded_addon", "the DEGRADED add-on is required")
                : v.decimal("degraded_addon", degradedAddon);

        Map<String, AssetSpec> specs = new TreeMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < assets.size(); i++) {
            String at = "assets[" + i + "]";
            AssetSpec asset = assets.get(i).toSpec(v.under(at));
            if (asset == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(asset.symbol(), i);
            if (first != null) {
                v.invalid(at + ".asset", asset.symbol() + " is listed twice (first at assets[" + first + "])");
            } else {
                specs.put(asset.symbol(), asset);
            }
        }
        if (!v.violations.isEmpty() || rule == null) {
            throw v.failure();
        }
        try {
            return new ChainSpec(chainId, rule, confirmationsValue, Duration.ofMillis(blockTimeMs),
                    Duration.ofSeconds(liquidationLatencySeconds), pending, degraded, Duration.ofMillis(heartbeatLateAfterMs),
                    Duration.ofMillis(headStallAfterMs), Duration.ofMillis(haltAfterSilenceMs), specs);
        } catch (InvalidSpecException e) {
            v.invalid(e.field(), e.getMessage());
            throw v.failure();
        }
    }

    /** The entry as it would be written, e.g. to store a checked spec or to show it. */
    public static ChainDraft of(ChainSpec spec) {
        List<AssetDraft> assets = new ArrayList<>();
        for (AssetSpec a : spec.assets().values()) {
            assets.add(new AssetDraft(a.symbol(), a.canonical(), a.decimals(), a.wrapped(), Amounts.plain(a.wrappedAddon()),
                    tiers(a.im()), tiers(a.mm()), a.latencyZIm(), a.latencyZMm(), a.minAnnualVol(),
                    a.accountCapUsd().map(Amounts::plain).orElse("")));
        }
        return new ChainDraft(spec.id(), spec.finalityRule().name(), spec.confirmations(), spec.blockTime().toMillis(),
                spec.liquidationLatency().toSeconds(), Amounts.plain(spec.pendingWeight()), Amounts.plain(spec.degradedAddon()),
                spec.heartbeatLateAfter().toMillis(), spec.headStallAfter().toMillis(), spec.haltAfterSilence().toMillis(),
                assets);
    }

    private static List<TierDraft> tiers(HaircutSchedule schedule) {
        List<TierDraft> tiers = new ArrayList<>();
        schedule.tiers().forEach(t -> tiers.add(new TierDraft(Amounts.plain(t.fromUsd()), Amounts.plain(t.haircut()))));
        return tiers;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s.trim();
    }

    /** Violations collected under a path prefix; sub-collectors share the list. */
    static final class Collector {
        private final String prefix;
        private final List<Violation> violations;
        private boolean onlyMissing = true;
        private final Collector root;

        Collector(String prefix) {
            this.prefix = prefix;
            this.violations = new ArrayList<>();
            this.root = this;
        }

        private Collector(String prefix, Collector root) {
            this.prefix = prefix;
            this.violations = root.violations;
            this.root = root;
        }

        Collector under(String field) {
            return new Collector(path(field), root);
        }

        String path(String field) {
            if (prefix.isEmpty()) {
                return field;
            }
            return field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
        }

        int size() {
            return violations.size();
        }

        BigDecimal missing(String field, String description) {
            violations.add(new Violation(path(field), description));
            return null;
        }

        void invalid(String field, String description) {
            violations.add(new Violation(path(field), description));
            root.onlyMissing = false;
        }

        void finite(String field, double value) {
            if (!Double.isFinite(value)) {
                invalid(field, "must be a finite number, got " + value);
            }
        }

        /** A plain decimal ("0.15", no exponent), or null with a violation. */
        BigDecimal decimal(String field, String text) {
            if (text.toLowerCase().contains("e")) {
                invalid(field, "a plain decimal is required (no exponent), got " + text);
                return null;
            }
            try {
                // Normalised ("0.10" reads as 0.1) so that one value has one spec, whoever wrote it.
                BigDecimal value = new BigDecimal(text).stripTrailingZeros();
                return value.scale() < 0 ? value.setScale(0) : value;
            } catch (NumberFormatException e) {
                invalid(field, "not a decimal number: " + text);
                return null;
            }
        }

        InvalidInputException failure() {
            return new InvalidInputException(root.onlyMissing ? MISSING_FIELD : INVALID_REGISTRY, violations);
        }
    }
}
