-- Fail fast rather than queue behind (and in front of) live traffic for the ACCESS EXCLUSIVE lock on auction.
SET lock_timeout = '5s';

-- Buffer re-based at a reset: a reset that reads a fresh margin-service view overwrites the open_* figures (so since V7
-- they are the figures of the buffer's base: the open, or the last re-basing reset) with that view's, open_realized_pnl_usd
-- then holding the part of the equity selling the lot does not change (equity less the MM value of what remains of the
-- lot), and records the base: the remaining fraction of the whole lot and the bids' proceeds (less penalties) at the
-- reset. Later bids count F and C from there. Both NULL: based at the open (1 and 0).
ALTER TABLE auction
    ADD COLUMN buffer_base_remaining_fraction NUMERIC
        CHECK (buffer_base_remaining_fraction > 0 AND buffer_base_remaining_fraction <= 1),
    ADD COLUMN buffer_base_proceeds_usd       NUMERIC,
    ADD CONSTRAINT auction_buffer_base_all_or_none CHECK (
        (buffer_base_remaining_fraction IS NULL AND buffer_base_proceeds_usd IS NULL)
        OR (buffer_base_remaining_fraction IS NOT NULL AND buffer_base_proceeds_usd IS NOT NULL AND buffer_share IS NOT NULL));

-- Whether the reset re-based the buffer (false: the figures it had were kept, see Resets).
ALTER TABLE auction_resets ADD COLUMN buffer_rebased BOOLEAN NOT NULL DEFAULT FALSE;

-- Caps on the value in auction (liquidation.caps.*, AuctionCaps). An auction opened under a binding cap auctions only
-- the part lot_fraction of the account's portfolio (its lot's quantities and start value are that part's; NULL: the
-- whole, as before V7). Each collateral item records its market value at the open (NULL for positions and for lots of
-- releases before V7, which no per-asset cap then counts), so the value in auction per chain/asset is the remaining
-- quantity at that value.
ALTER TABLE auction ADD COLUMN lot_fraction NUMERIC CHECK (lot_fraction > 0 AND lot_fraction < 1);
ALTER TABLE lot_item ADD COLUMN value_usd NUMERIC;
-- Recovery looks again at accounts whose newest auction was a released partial lot (AuctionStore#releasedAfterPartialLot).
CREATE INDEX auction_closed_partial ON auction (seq) WHERE status = 'CLOSED' AND lot_fraction IS NOT NULL;

-- One row every opening under caps locks (SELECT ... FOR UPDATE) for its transaction: openings on all replicas are
-- serialized, so none reads the value in auction while another's opening is uncommitted and both overshoot a cap.
CREATE TABLE auction_caps_lock (id INT PRIMARY KEY CHECK (id = 1));
INSERT INTO auction_caps_lock (id) VALUES (1);
