-- The last IM and MM an account in PORTFOLIO mode got from a revaluation (never from the fallback):
-- when RevalueBook fails, the conservative fallback asks at least these. Written with the status
-- while the account is in PORTFOLIO; NULL otherwise, and cleared on every mode switch.
ALTER TABLE account ADD COLUMN portfolio_im NUMERIC, ADD COLUMN portfolio_mm NUMERIC;
