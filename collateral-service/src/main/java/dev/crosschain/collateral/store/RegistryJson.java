package dev.crosschain.collateral.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.type.CollectionType;
import dev.crosschain.collateral.domain.ChainDraft;

import java.util.ArrayList;
import java.util.List;

/**
 * The registry's JSON form, shared by the registry file and the stored revisions: field names as in the proto's
 * ChainConfig (snake_case), decimals as strings. An unknown field is refused (a typo must not silently fall back to
 * a default), and a field left out reads as unset, exactly like the proto.
 */
public final class RegistryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final CollectionType CHAIN_LIST = MAPPER.getTypeFactory().constructCollectionType(List.class, Chain.class);

    private RegistryJson() {
    }

    /** A registry file: its version and its chains as written. */
    public record FileContent(long version, List<ChainDraft> chains) {
    }

    /** The file's text parsed, or IllegalArgumentException saying where the JSON is wrong. */
    public static FileContent parseFile(String text) {
        Document file;
        try {
            file = MAPPER.readValue(text, Document.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage() + location(e), e);
        }
        if (file == null || file.version == null) {
            throw new IllegalArgumentException("\"version\" is required (a positive integer, raised with every edit)");
        }
        if (file.chains == null) {
            throw new IllegalArgumentException("\"chains\" is required");
        }
        List<ChainDraft> chains = new ArrayList<>();
        for (Chain c : file.chains) {
            if (c == null) {
                throw new IllegalArgumentException("chains[" + chains.size() + "] is null");
            }
            chains.add(c.draft());
        }
        return new FileContent(file.version, chains);
    }

    /** One chain's entry as JSON (stored before/after of a change). */
    public static String chain(ChainDraft draft) {
        return write(Chain.of(draft));
    }

    public static ChainDraft chain(String json) {
        try {
            return MAPPER.readValue(json, Chain.class).draft();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored registry entry is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Chains as a JSON array (a stored revision). */
    public static String chains(List<ChainDraft> drafts) {
        List<Chain> chains = new ArrayList<>();
        drafts.forEach(d -> chains.add(Chain.of(d)));
        return write(chains);
    }

    public static List<ChainDraft> chains(String json) {
        try {
            List<Chain> chains = MAPPER.readValue(json, CHAIN_LIST);
            List<ChainDraft> drafts = new ArrayList<>();
            chains.forEach(c -> drafts.add(c.draft()));
            return drafts;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored registry revision is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("registry entry cannot be written as JSON", e);
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    // Jackson binding classes: public fields, boxed so that "left out" and "0" are both unset.

    public static final class Document {
        public Long version;
        public List<Chain> chains;
    }

    public static final class Chain {
        public String chainId;
        public String finalityRule;
        public Long confirmations;
        public Long blockTimeMs;
        public Long liquidationLatencySeconds;
        public String pendingWeight;
        public String degradedAddon;
        public Long heartbeatLateAfterMs;
        public Long headStallAfterMs;
        public Long haltAfterSilenceMs;
        public List<Asset> assets;

        ChainDraft draft() {
            List<ChainDraft.AssetDraft> list = new ArrayList<>();
            if (assets != null) {
                for (Asset a : assets) {
                    list.add(a == null ? new ChainDraft.AssetDraft(null, null, 0, false, null, null, null, 0, 0, 0, null) : a.draft());
                }
            }
            return new ChainDraft(chainId, finalityRule, n(confirmations), n(blockTimeMs), n(liquidationLatencySeconds),
                    pendingWeight, degradedAddon, n(heartbeatLateAfterMs), n(headStallAfterMs), n(haltAfterSilenceMs), list);
        }

        static Chain of(ChainDraft d) {
            Chain c = new Chain();
            c.chainId = d.chainId();
            c.finalityRule = d.finalityRule();
            c.confirmations = d.confirmations();
            c.blockTimeMs = d.blockTimeMs();
            c.liquidationLatencySeconds = d.liquidationLatencySeconds();
            c.pendingWeight = d.pendingWeight();
            c.degradedAddon = d.degradedAddon();
            c.heartbeatLateAfterMs = d.heartbeatLateAfterMs();
            c.headStallAfterMs = d.headStallAfterMs();
            c.haltAfterSilenceMs = d.haltAfterSilenceMs();
            c.assets = new ArrayList<>();
            d.assets().forEach(a -> c.assets.add(Asset.of(a)));
            return c;
        }
    }

    public static final class Asset {
        public String asset;
        public String canonicalAsset;
        public Long decimals;
        public Boolean wrapped;
        public String wrappedAddon;
        public List<Tier> imTiers;
        public List<Tier> mmTiers;
        // Spelled out: the naming strategy would fold "ZIm" into "zim".
        @JsonProperty("latency_z_im")
        public Double latencyZIm;
        @JsonProperty("latency_z_mm")
        public Double latencyZMm;
        public Double minAnnualVol;
        public String accountCapUsd;

        ChainDraft.AssetDraft draft() {
            return new ChainDraft.AssetDraft(asset, canonicalAsset, n(decimals), wrapped != null && wrapped, wrappedAddon,
                    tiers(imTiers), tiers(mmTiers), d(latencyZIm), d(latencyZMm), d(minAnnualVol), accountCapUsd);
        }

        static Asset of(ChainDraft.AssetDraft d) {
            Asset a = new Asset();
            a.asset = d.asset();
            a.canonicalAsset = d.canonicalAsset();
            a.decimals = d.decimals();
            a.wrapped = d.wrapped();
            a.wrappedAddon = d.wrappedAddon();
            a.imTiers = new ArrayList<>();
            d.imTiers().forEach(t -> a.imTiers.add(Tier.of(t)));
            a.mmTiers = new ArrayList<>();
            d.mmTiers().forEach(t -> a.mmTiers.add(Tier.of(t)));
            a.latencyZIm = d.latencyZIm();
            a.latencyZMm = d.latencyZMm();
            a.minAnnualVol = d.minAnnualVol();
            a.accountCapUsd = d.accountCapUsd();
            return a;
        }

        private static List<ChainDraft.TierDraft> tiers(List<Tier> tiers) {
            List<ChainDraft.TierDraft> list = new ArrayList<>();
            if (tiers != null) {
                tiers.forEach(t -> list.add(t == null ? new ChainDraft.TierDraft(null, null) : new ChainDraft.TierDraft(t.fromUsd, t.haircut)));
            }
            return list;
        }
    }

    public static final class Tier {
        public String fromUsd;
        public String haircut;

        static Tier of(ChainDraft.TierDraft d) {
            Tier t = new Tier();
            t.fromUsd = d.fromUsd();
            t.haircut = d.haircut();
            return t;
        }
    }

    private static long n(Long value) {
        return value == null ? 0 : value;
    }

    private static double d(Double value) {
        return value == null ? 0 : value;
    }
}
