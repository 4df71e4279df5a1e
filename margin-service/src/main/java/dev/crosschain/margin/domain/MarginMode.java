package dev.crosschain.margin.domain;

/** How an account is margined (DESIGN.md, Margin). */
public enum MarginMode {
    /** Each position has its own collateral bucket. */
    ISOLATED,
    /** One pool, per-position standard rules ({@link MarginCalculator}). */
    CROSS,
    /** One pool, scenario risk on the whole book. */
    PORTFOLIO
}
