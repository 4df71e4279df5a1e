package dev.crosschain.pricing.domain;

public enum OptionType {
    CALL, PUT
}
