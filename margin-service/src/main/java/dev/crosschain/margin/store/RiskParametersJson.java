package dev.crosschain.margin.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crosschain.margin.domain.MarginRules;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.RiskParameters;
import dev.crosschain.margin.domain.history.ExpectedShortfallParameters;
import dev.crosschain.margin.domain.portfolio.PortfolioParameters;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of a {@link RiskParameters} set: JSON with a fixed field order, decimals as their plain strings
 * (scale kept), doubles as JSON numbers written by {@link Double#toString} (the shortest decimal that reads back to
 * the same double), so {@code read(write(p))} equals {@code p} and writing it again gives the same text. Field names
 * are the proto's (risk_parameters.proto section of margin_service.proto).
 *
 * <p>A set without expected shortfall ({@link ExpectedShortfallParameters#NONE}) is written without an
 * {@code expected_shortfall} object, and a stored set without one (rp-1, written before ES existed) reads as NONE:
 * its contents, and so its record, stay what they were.
 */
final class RiskParametersJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RiskParametersJson() {
    }

    static String write(RiskParameters p) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", p.version());
        ObjectNode rules = root.putObject("rules");
        ArrayNode tiers = rules.putArray("linear_tiers");
        for (MarginRules.LinearTier t : p.rules().linearTiers()) {
            ObjectNode tier = tiers.addObject();
            if (t.below() == null) {
                tier.putNull("below");
            } else {
                tier.put("below", t.below().toPlainString());
            }
            tier.put("im", t.im().toPlainString());
            tier.put("mm", t.mm().toPlainString());
        }
        rules.put("option_im_base", p.rules().optionImBase().toPlainString());
        rules.put("option_im_min", p.rules().optionImMin().toPlainString());
        rules.put("option_mm", p.rules().optionMm().toPlainString());
        rules.put("stale_scan_range", p.rules().scanRange().toPlainString());
        PortfolioParameters pm = p.portfolio();
        ObjectNode portfolio = root.putObject("portfolio");
        portfolio.put("version", pm.version());
        doubles(portfolio.putArray("core_moves"), pm.coreMoves());
        portfolio.put("vol_up_shift", pm.volUpShift());
        portfolio.put("vol_down_shift", pm.volDownShift());
        portfolio.put("tenor_reference_days", pm.tenorReferenceDays());
        portfolio.put("tenor_power", pm.tenorPower());
        portfolio.put("tenor_max_scale", pm.tenorMaxScale());
        ArrayNode extended = portfolio.putArray("extended_moves");
        for (PortfolioParameters.ExtendedMove e : pm.extendedMoves()) {
            extended.addObject().put("move", e.move()).put("weight", e.weight());
        }
        doubles(portfolio.putArray("skew_shifts"), pm.skewShifts());
        ArrayNode groups = portfolio.putArray("correlation_groups");
        for (List<String> group : pm.correlationGroups()) {
            ArrayNode g = groups.addArray();
            group.forEach(g::add);
        }
        portfolio.put("group_offset", pm.groupOffset());
        portfolio.put("im_factor", pm.imFactor());
        portfolio.put("net_short_option_rate", pm.netShortOptionRate());
        portfolio.put("linear_rate", pm.linearRate());
        portfolio.put("stale_oracle_widening", pm.staleOracleWidening());
        portfolio.put("stablecoin_depeg", pm.stablecoinDepeg());
        ArrayNode coins = portfolio.putArray("stablecoins");
        pm.stablecoins().forEach(coins::add);
        ExpectedShortfallParameters es = p.expectedShortfall();
        if (!es.equals(ExpectedShortfallParameters.NONE)) {
            ObjectNode section = root.putObject("expected_shortfall");
            ArrayNode modes = section.putArray("modes");
            es.orderedModes().forEach(m -> modes.add(m.name()));
            section.put("level", es.level());
            section.put("look_back_days", es.lookBackDays());
            section.put("holding_days", es.holdingDays());
            section.put("anti_procyclicality", es.antiProcyclicality().name());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write risk parameters " + p.version(), e);
        }
    }

    /** The set a {@link #write} produced; a stored set that no longer validates fails loudly (it cannot be used). */
    static RiskParameters read(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored risk parameters are not JSON", e);
        }
        JsonNode rules = root.get("rules");
        List<MarginRules.LinearTier> tiers = new ArrayList<>();
        for (JsonNode t : rules.get("linear_tiers")) {
            JsonNode below = t.get("below");
            tiers.add(new MarginRules.LinearTier(below == null || below.isNull() ? null : new BigDecimal(below.asText()),
                    decimal(t, "im"), decimal(t, "mm")));
        }
        JsonNode pm = root.get("portfolio");
        List<PortfolioParameters.ExtendedMove> extended = new ArrayList<>();
        for (JsonNode e : pm.get("extended_moves")) {
            extended.add(new PortfolioParameters.ExtendedMove(e.get("move").doubleValue(), e.get("weight").doubleValue()));
        }
        List<List<String>> groups = new ArrayList<>();
        for (JsonNode g : pm.get("correlation_groups")) {
            groups.add(strings(g));
        }
        return RiskParameters.of(root.get("version").asText(), tiers, decimal(rules, "option_im_base"),
                decimal(rules, "option_im_min"), decimal(rules, "option_mm"), decimal(rules, "stale_scan_range"),
                () -> new PortfolioParameters(pm.get("version").asText(), doubles(pm.get("core_moves")),
                        number(pm, "vol_up_shift"), number(pm, "vol_down_shift"), number(pm, "tenor_reference_days"),
                        number(pm, "tenor_power"), number(pm, "tenor_max_scale"), extended, doubles(pm.get("skew_shifts")),
                        groups, number(pm, "group_offset"), number(pm, "im_factor"), number(pm, "net_short_option_rate"),
                        number(pm, "linear_rate"), number(pm, "stale_oracle_widening"), number(pm, "stablecoin_depeg"),
                        strings(pm.get("stablecoins"))),
                () -> expectedShortfall(root.get("expected_shortfall")));
    }

    private static ExpectedShortfallParameters expectedShortfall(JsonNode es) {
        if (es == null || es.isNull()) {
            return ExpectedShortfallParameters.NONE;
        }
        java.util.Set<MarginMode> modes = java.util.EnumSet.noneOf(MarginMode.class);
        strings(es.get("modes")).forEach(m -> modes.add(MarginMode.valueOf(m)));
        return new ExpectedShortfallParameters(modes, number(es, "level"), es.get("look_back_days").intValue(),
                es.get("holding_days").intValue(), ExpectedShortfallParameters.Apc.valueOf(es.get("anti_procyclicality").asText()));
    }

    private static void doubles(ArrayNode array, List<Double> values) {
        values.forEach(array::add);
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(n -> out.add(n.doubleValue()));
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static BigDecimal decimal(JsonNode node, String field) {
        return new BigDecimal(node.get(field).asText());
    }

    private static double number(JsonNode node, String field) {
        return node.get(field).doubleValue();
    }
}
