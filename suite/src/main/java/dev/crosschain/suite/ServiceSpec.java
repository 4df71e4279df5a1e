package dev.crosschain.suite;

import java.util.List;

/**
 * One of the four services as the suite runs it: its module, its database, the upstream
 * services its gRPC clients are named after (the names in its application.properties), and
 * whether it also talks to its database through the reactive client (which needs its own URL).
 */
public enum ServiceSpec {
    PRICING("pricing-service", "pricing", 2, List.of(), true),
    COLLATERAL("collateral-service", "collateral", 1, List.of("pricing"), false),
    MARGIN("margin-service", "margin", 3, List.of("collateral", "pricing"), false),
    LIQUIDATION("liquidation-service", "liquidation", 4, List.of("margin", "collateral", "pricing"), false);

    private final String module;
    private final String database;
    private final int portOffset;
    private final List<String> clients;
    private final boolean reactiveDatabase;

    ServiceSpec(String module, String database, int portOffset, List<String> clients, boolean reactiveDatabase) {
        this.module = module;
        this.database = database;
        this.portOffset = portOffset;
        this.clients = clients;
        this.reactiveDatabase = reactiveDatabase;
    }

    public boolean reactiveDatabase() {
        return reactiveDatabase;
    }

    public String module() {
        return module;
    }

    public String database() {
        return database;
    }

    /** The client name other services use for this one, e.g. "pricing". */
    public String clientName() {
        return database;
    }

    public List<String> clients() {
        return clients;
    }

    /** HTTP port: base + 100 + offset (8101..8104 with base 8000). */
    public int httpPort(int base) {
        return base + 100 + portOffset;
    }

    /** gRPC port: base + 1100 + offset (9101..9104 with base 8000). */
    public int grpcPort(int base) {
        return base + 1100 + portOffset;
    }

    public static ServiceSpec byClientName(String name) {
        for (ServiceSpec spec : values()) {
            if (spec.clientName().equals(name)) {
                return spec;
            }
        }
        throw new IllegalArgumentException("no service named " + name);
    }
}
