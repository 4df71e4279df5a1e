package dev.crosschain.collateral.domain;

/** One offending input field and what is wrong with it. */
public record Violation(String field, String description) {
}
