package dev.crosschain.margin.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crosschain.margin.domain.Collateral;
import dev.crosschain.margin.domain.CollateralLine;
import dev.crosschain.margin.domain.InputSnapshot;
import dev.crosschain.margin.domain.MarginMode;
import dev.crosschain.margin.domain.MarketMark;
import dev.crosschain.margin.domain.Position;
import dev.crosschain.margin.domain.history.AccountShortfall;
import dev.crosschain.margin.domain.history.HistoricalScenario;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.crosschain.margin.store.RiskParametersJson.decimal;
import static dev.crosschain.margin.store.RiskParametersJson.strings;

/**
 * The stored form of an {@link InputSnapshot}'s inputs (column explain_snapshot.inputs; the account, version and instant
 * are columns of their own). Decimals are {@link BigDecimal#toString} strings, which read back with the same unscaled
 * value and scale (a plain string would lose the scale of 1E+3); doubles are {@link Double#toString} strings, read by
 * {@link Double#parseDouble}: the shortest decimal that reads back to the same double, so every figure of the
 * computation is the same bits on replay (never a JSON number, whose reader may choose another type or rounding).
 */
final class SnapshotJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotJson() {
    }

    static String write(InputSnapshot s) {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", s.mode().name());
        root.put("frozen", s.frozen());
        root.put("realized_pnl", s.realizedPnl().toString());
        ArrayNode positions = root.putArray("positions");
        for (Position p : s.positions()) {
            positions.addObject().put("instrument", p.instrument()).put("quantity", p.quantity().toString())
                    .put("average_entry_price", p.averageEntryPrice().toString());
        }
        ArrayNode marks = root.putArray("marks");
        new TreeMap<>(s.marks()).forEach((name, m) -> marks.addObject().put("key", name).put("instrument", m.instrument())
                .put("underlying", m.underlying()).put("mark", m.mark().toString()).put("index", m.index().toString())
                .put("delta", Double.toString(m.delta())).put("stale", m.stale()).put("as_of_ms", m.asOfMs()));
        root.set("collateral", collateral(s.collateral()));
        root.put("portfolio_im", s.portfolioIm() == null ? null : s.portfolioIm().toString());
        root.put("portfolio_mm", s.portfolioMm() == null ? null : s.portfolioMm().toString());
        ArrayNode calls = root.putArray("revaluations");
        for (InputSnapshot.RevalueCall c : s.revaluations()) {
            ObjectNode call = calls.addObject();
            addAll(call.putArray("instruments"), c.instruments());
            addAll(call.putArray("scenario_ids"), c.scenarioIds());
            ArrayNode rows = call.putArray("pnl");
            for (double[] row : c.pnl()) {
                ArrayNode cells = rows.addArray();
                for (double v : row) {
                    cells.add(Double.toString(v));
                }
            }
            addAll(call.putArray("stale_underlyings"), new TreeSet<>(c.staleUnderlyings()));
            call.put("failure_code", c.failureCode());
            call.put("failure", c.failure());
        }
        ArrayNode plans = root.putArray("shortfall_plans");
        s.shortfallPlans().forEach(p -> plans.add(plan(p)));
        return root.toString();
    }

    static InputSnapshot read(String json, String accountId, String parametersVersion, long nowMs) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored input snapshot of " + accountId + " is not JSON: " + e.getMessage(), e);
        }
        List<Position> positions = new ArrayList<>();
        for (JsonNode p : root.get("positions")) {
            positions.add(new Position(p.get("instrument").asText(), decimal(p, "quantity"), decimal(p, "average_entry_price")));
        }
        Map<String, MarketMark> marks = new LinkedHashMap<>();
        for (JsonNode m : root.get("marks")) {
            marks.put(m.get("key").asText(), new MarketMark(m.get("instrument").asText(), m.get("underlying").asText(),
                    decimal(m, "mark"), decimal(m, "index"), Double.parseDouble(m.get("delta").asText()),
                    m.get("stale").asBoolean(), m.get("as_of_ms").asLong()));
        }
        List<InputSnapshot.RevalueCall> calls = new ArrayList<>();
        for (JsonNode c : root.get("revaluations")) {
            JsonNode rows = c.get("pnl");
            double[][] pnl = new double[rows.size()][];
            for (int p = 0; p < rows.size(); p++) {
                pnl[p] = new double[rows.get(p).size()];
                for (int s = 0; s < pnl[p].length; s++) {
                    pnl[p][s] = Double.parseDouble(rows.get(p).get(s).asText());
                }
            }
            calls.add(new InputSnapshot.RevalueCall(strings(c.get("instruments")), strings(c.get("scenario_ids")), pnl,
                    Set.copyOf(strings(c.get("stale_underlyings"))), text(c, "failure_code"), text(c, "failure")));
        }
        List<AccountShortfall.Plan> plans = new ArrayList<>();
        // absent in a snapshot taken before ES plans were recorded: its set applied no ES
        if (root.has("shortfall_plans")) {
            root.get("shortfall_plans").forEach(p -> plans.add(plan(p)));
        }
        return new InputSnapshot(accountId, MarginMode.valueOf(root.get("mode").asText()), root.get("frozen").asBoolean(),
                decimal(root, "realized_pnl"), positions, marks, collateral(root.get("collateral")),
                nullableDecimal(root, "portfolio_im"), nullableDecimal(root, "portfolio_mm"), parametersVersion, nowMs, calls,
                plans);
    }

    private static ObjectNode plan(AccountShortfall.Plan p) {
        ObjectNode out = JSON.createObjectNode();
        out.put("as_of", p.asOf() == null ? null : p.asOf().toString());
        addAll(out.putArray("included"), p.included());
        addAll(out.putArray("excluded"), p.excluded());
        ArrayNode scenarios = out.putArray("scenarios");
        for (HistoricalScenario h : p.scenarios()) {
            ObjectNode moves = JSON.createObjectNode();
            h.moves().forEach((u, m) -> moves.put(u, Double.toString(m)));
            scenarios.addObject().put("id", h.id()).put("end", h.end().toString()).put("holding_days", h.holdingDays())
                    .set("moves", moves);
        }
        ObjectNode ratios = out.putObject("apc_ratios");
        p.apcRatios().forEach((u, r) -> ratios.put(u, Double.toString(r)));
        return out;
    }

    private static AccountShortfall.Plan plan(JsonNode p) {
        List<HistoricalScenario> scenarios = new ArrayList<>();
        for (JsonNode h : p.get("scenarios")) {
            scenarios.add(new HistoricalScenario(h.get("id").asText(), LocalDate.parse(h.get("end").asText()),
                    h.get("holding_days").asInt(), doubles(h.get("moves"))));
        }
        String asOf = text(p, "as_of");
        return new AccountShortfall.Plan(asOf == null ? null : LocalDate.parse(asOf), strings(p.get("included")),
                strings(p.get("excluded")), scenarios, doubles(p.get("apc_ratios")));
    }

    private static Map<String, Double> doubles(JsonNode object) {
        Map<String, Double> out = new TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), Double.parseDouble(e.getValue().asText())));
        return out;
    }

    private static ObjectNode collateral(Collateral c) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode lines = out.putArray("lines");
        for (CollateralLine l : c.lines()) {
            lines.addObject().put("chain_id", l.chainId()).put("asset", l.asset()).put("available", l.available().toString())
                    .put("price", l.price().toString()).put("market_value", l.marketValue().toString())
                    .put("value_im", l.valueIm().toString()).put("value_mm", l.valueMm().toString())
                    .put("price_stale", l.priceStale()).put("canonical_asset", l.canonicalAsset())
                    .put("mm_haircut", l.mmHaircut().toString()).put("im_haircut", l.imHaircut().toString());
        }
        return out.put("market_value", c.marketValue().toString()).put("value_im", c.valueIm().toString())
                .put("value_mm", c.valueMm().toString()).put("stale", c.stale()).put("as_of_ms", c.asOfMs());
    }

    private static Collateral collateral(JsonNode c) {
        List<CollateralLine> lines = new ArrayList<>();
        for (JsonNode l : c.get("lines")) {
            lines.add(new CollateralLine(l.get("chain_id").asText(), l.get("asset").asText(), decimal(l, "available"),
                    decimal(l, "price"), decimal(l, "market_value"), decimal(l, "value_im"), decimal(l, "value_mm"),
                    l.get("price_stale").asBoolean(), l.get("canonical_asset").asText(), decimal(l, "mm_haircut"),
                    decimal(l, "im_haircut")));
        }
        return new Collateral(lines, decimal(c, "market_value"), decimal(c, "value_im"), decimal(c, "value_mm"),
                c.get("stale").asBoolean(), c.get("as_of_ms").asLong());
    }

    private static void addAll(ArrayNode out, java.util.Collection<String> values) {
        values.forEach(out::add);
    }

    private static BigDecimal nullableDecimal(JsonNode node, String field) {
        return node.get(field).isNull() ? null : decimal(node, field);
    }

    private static String text(JsonNode node, String field) {
        return node.get(field).isNull() ? null : node.get(field).asText();
    }
}
