package dev.crosschain.liquidation.app;

/** The last pending unfreeze of one of the account's auctions was recorded done: a new breach may be claimed. */
public record AccountReleased(String accountId) {
}
