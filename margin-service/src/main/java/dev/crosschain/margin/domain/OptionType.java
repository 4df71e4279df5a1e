package dev.crosschain.margin.domain;

/** Call or put. */
public enum OptionType {
    CALL, PUT
}
