-- currency_mismatch(expected, found) → numeric: never returns; raises SQLSTATE PT001 (Patron's
-- own class of "the data cannot answer this" errors, exit 6) naming the two currencies.
--
-- Why: Patron loads no exchange rates, so amounts in two currencies cannot be added up. Views
-- and analyses that read amounts compare each row's currency with reporting_currency() and
-- call this on a mismatch: an error with a clear message, not a silent sum. Checking row by row
-- inside the scan that reads the amounts anyway costs next to nothing, and an analysis that
-- reads no amounts is not stopped by currencies it never adds up (docs/metrics.md, "Settled
-- edge cases").
--
-- reads:      nothing
-- depends on: none

CREATE OR REPLACE FUNCTION currency_mismatch(p_expected text, p_found text) RETURNS numeric
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
BEGIN
    RAISE EXCEPTION 'purchases and returns are in more than one currency (% and %); without exchange rates Patron cannot add them up',
        p_expected, p_found
        USING ERRCODE = 'PT001',
              HINT = 'load each currency into its own schema (--schema), or convert the amounts before loading';
END
$$;
