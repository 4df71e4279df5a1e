package dev.crosschain.liquidation.domain;

/** A bid refused HALTED: an operator halt of level NO_BIDS covers the auction. Nothing was changed. */
public class HaltedException extends PreconditionException {

    private final Halt halt;

    public HaltedException(String auctionId, Halt halt) {
        super("HALTED", "auctions/" + auctionId, "bids are halted (" + halt.level() + ", scope " + halt.scope()
                + ", by " + halt.changedBy() + "): " + halt.reason());
        this.halt = halt;
    }

    public Halt halt() {
        return halt;
    }
}
