package dev.crosschain.pricing.domain;

/** Where an option's volatility came from. */
public enum VolSource {
    /** A fitted surface, at the option's strike and expiry. */
    SURFACE,
    /** The bootstrap surface from configuration: nothing fitted yet. */
    CONFIGURED,
    /** The caller's own volatility. */
    OVERRIDE
}
