-- Liquidation penalty, insurance fund payouts, takeovers and bad debt.
SET lock_timeout = '5s';

-- auction before bid: the order PlaceBid locks them in (an old replica's bid cannot deadlock with this migration)
ALTER TABLE auction
    -- since when the lot's price is negative and the fund cannot pay for what remains (the takeover waits
    -- liquidation.insurance-fund.takeover-after from here); NULL while it can, or the price is not negative
    ADD COLUMN fund_short_since_ms BIGINT;

ALTER TABLE bid
    -- USDC the account pays the insurance fund out of paid_usd (a leg of the bid's one Transfer); 0 when paid <= 0
    ADD COLUMN penalty_usd  NUMERIC NOT NULL DEFAULT 0,
    -- the insurance fund's takeover of the rest of an insolvent lot at price 0 (bidder = the fund account)
    ADD COLUMN takeover     BOOLEAN NOT NULL DEFAULT FALSE,
    -- a takeover's shortfall: minus the mark value of the part of the lot it took, at the epoch start; else 0
    ADD COLUMN bad_debt_usd NUMERIC NOT NULL DEFAULT 0,
    -- the insurance fund's account when the bid was accepted: its penalty and payout legs go to / come from it,
    -- whatever liquidation.insurance-fund.account says when (or on which replica) it settles; NULL before V4
    ADD COLUMN fund_account_id TEXT,
    ADD CONSTRAINT bid_penalty_not_negative CHECK (penalty_usd >= 0),
    ADD CONSTRAINT bid_bad_debt_not_negative CHECK (bad_debt_usd >= 0),
    ADD CONSTRAINT bid_penalty_from_proceeds CHECK (penalty_usd <= GREATEST(paid_usd, 0));

-- Payouts of accepted, unsettled bids are subtracted from the fund's balance when the next payout is checked.
CREATE INDEX bid_pending_payout ON bid (status) WHERE status = 'ACCEPTED' AND paid_usd < 0;
-- ... and so are payouts settled since shortly before the balance was read (the read may not show them yet).
CREATE INDEX bid_settled_payout ON bid (settled_at_ms) WHERE paid_usd < 0;

-- The fund's books, one row: updated in the transaction that marks a bid SETTLED, so each bid counts once.
CREATE TABLE insurance_fund (
    id            INT     PRIMARY KEY CHECK (id = 1),
    penalties_usd NUMERIC NOT NULL,
    payouts_usd   NUMERIC NOT NULL,
    bad_debt_usd  NUMERIC NOT NULL,
    -- the part of the penalties that repaid bad debt; never more than the bad debt
    repaid_usd    NUMERIC NOT NULL CHECK (repaid_usd <= bad_debt_usd)
);
INSERT INTO insurance_fund VALUES (1, 0, 0, 0, 0);

-- Every movement of the books, newest first by seq; one of each kind per bid.
CREATE TABLE insurance_fund_event (
    seq        BIGSERIAL PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('PENALTY', 'PAYOUT', 'TAKEOVER', 'BAD_DEBT', 'REPAYMENT')),
    auction_id TEXT    NOT NULL REFERENCES auction (auction_id),
    bid_id     TEXT    NOT NULL REFERENCES bid (bid_id),
    account_id TEXT    NOT NULL,
    amount_usd NUMERIC NOT NULL,
    at_ms      BIGINT  NOT NULL,
    UNIQUE (bid_id, kind)
);
