-- period_label(period, tz, at) → date: the label of the period that holds `at`, i.e. its local
-- start date in `tz`.
--
-- Why: every analysis labels its periods the same way (docs/metrics.md, "Shared parameters and
-- conventions").
--
-- reads:      nothing
-- depends on: none

CREATE OR REPLACE FUNCTION period_label(p_period text, p_tz text, p_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT date_trunc(p_period, p_at AT TIME ZONE p_tz)::date
$$;
