-- Auctions of one ISOLATED bucket: margin-service's bucket of one position, whose allocation backs it. The instrument of
-- that position; NULL: an auction of the whole account (every auction before V8). The lot of a bucket auction is that
-- position and an ALLOCATION item, the bucket's USD allocation at the open (whole cents), paid out of the account's
-- settlement line as bids take it; margin-service changes the bucket with the position transfer.
ALTER TABLE auction ADD COLUMN bucket_instrument TEXT;

ALTER TABLE lot_item DROP CONSTRAINT lot_item_kind_check;
ALTER TABLE lot_item ADD CONSTRAINT lot_item_kind_check CHECK (kind IN ('POSITION', 'COLLATERAL', 'ALLOCATION'));
ALTER TABLE bid_item DROP CONSTRAINT bid_item_kind_check;
ALTER TABLE bid_item ADD CONSTRAINT bid_item_kind_check CHECK (kind IN ('POSITION', 'COLLATERAL', 'ALLOCATION'));

-- Recovery looks again at accounts whose newest auction was a released bucket auction, as after a partial lot: another
-- bucket, or the whole account, may still breach.
CREATE INDEX auction_closed_bucket ON auction (seq) WHERE status = 'CLOSED' AND bucket_instrument IS NOT NULL;

-- A bucket auction closed while open because the whole book went into liquidation (the account is then auctioned
-- whole) keeps its start, lot and settled bids: WHOLE_BOOK_IN_LIQUIDATION is the one cancel reason an opened auction,
-- and only a bucket auction, may carry.
ALTER TABLE auction DROP CONSTRAINT auction_cancel_reason_check;
ALTER TABLE auction ADD CONSTRAINT auction_cancel_reason_check
    CHECK (cancel_reason IN ('NOT_IN_LIQUIDATION', 'UNKNOWN_ACCOUNT', 'EMPTY_LOT', 'WHOLE_BOOK_IN_LIQUIDATION'));
ALTER TABLE auction DROP CONSTRAINT auction_cancelled_never_opened;
ALTER TABLE auction ADD CONSTRAINT auction_cancelled_never_opened CHECK (
    cancel_reason IS NULL
    OR status = 'CLOSED' AND cancel_reason = 'WHOLE_BOOK_IN_LIQUIDATION' AND bucket_instrument IS NOT NULL
    OR status = 'CLOSED' AND cancel_reason <> 'WHOLE_BOOK_IN_LIQUIDATION' AND started_at_ms IS NULL AND start_value_usd IS NULL);
