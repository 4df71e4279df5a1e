-- Where an auction stops: the account's equity, MM, IM and realized PnL (part of the equity, not of the lot) from the
-- margin-service view its lot was snapshotted from, what margin-service counts one unit of the proceeds' asset at
-- after its MM haircut (0: not counted), and the buffer share it opened with (liquidation.auction.buffer-share). A
-- bid is bounded so the account ends above MM + share x (IM - MM), and the auction closes once one brings it there.
-- All NULL for auctions opened before V6, never opened, opened from a view without these figures, or while
-- liquidation.auction.buffer-bound.enabled was off: sold until empty, as before.
SET lock_timeout = '5s';

ALTER TABLE auction
    ADD COLUMN open_equity_usd             NUMERIC,
    ADD COLUMN open_maintenance_margin_usd NUMERIC,
    ADD COLUMN open_initial_margin_usd     NUMERIC,
    ADD COLUMN open_realized_pnl_usd       NUMERIC,
    ADD COLUMN open_cash_value_usd         NUMERIC CHECK (open_cash_value_usd >= 0),
    ADD COLUMN buffer_share                NUMERIC CHECK (buffer_share >= 0 AND buffer_share <= 1),
    ADD CONSTRAINT auction_buffer_all_or_none CHECK (
        (open_equity_usd IS NULL AND open_maintenance_margin_usd IS NULL AND open_initial_margin_usd IS NULL
            AND open_realized_pnl_usd IS NULL AND open_cash_value_usd IS NULL AND buffer_share IS NULL)
        OR (open_equity_usd IS NOT NULL AND open_maintenance_margin_usd IS NOT NULL AND open_initial_margin_usd IS NOT NULL
            AND open_realized_pnl_usd IS NOT NULL AND open_cash_value_usd IS NOT NULL AND buffer_share IS NOT NULL));
