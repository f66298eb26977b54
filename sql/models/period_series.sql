-- period_series(period, tz, from, to, first_at, last_at): one row per period an analysis
-- reports — period (local start date), period_start, period_end (half-open bounds as instants)
-- and complete.
--
-- Why: the periods run from the period holding `from` (else the one holding `first_at`, the
-- analysis' first data) up to the last period starting before `to` (else the one holding
-- `last_at`), empty periods included; `complete` means its end is at or before data_horizon().
-- No rows when there is no data and no --from/--to. `from`/`to` are local dates in `tz`.
-- (docs/metrics.md, "Shared parameters and conventions".)
--
-- reads:      every entity's table, through data_horizon()
-- depends on: data_horizon, period_interval

CREATE OR REPLACE FUNCTION period_series(p_period text, p_tz text, p_from date, p_to date,
                              p_first_at timestamptz, p_last_at timestamptz)
RETURNS TABLE (period date, period_start timestamptz, period_end timestamptz, complete boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH bounds AS MATERIALIZED (  -- once: data_horizon() scans every table
        SELECT date_trunc(p_period, coalesce(p_from::timestamp, p_first_at AT TIME ZONE p_tz)) AS first_start,
               coalesce(p_to::timestamp,
                        date_trunc(p_period, coalesce(p_last_at, p_first_at) AT TIME ZONE p_tz) + period_interval(p_period))
                   AS stop_before,
               data_horizon() AS horizon
    )
    SELECT local_start::date,
           local_start AT TIME ZONE p_tz,
           (local_start + period_interval(p_period)) AT TIME ZONE p_tz,
           coalesce((local_start + period_interval(p_period)) AT TIME ZONE p_tz <= b.horizon, false)
    FROM bounds AS b
    CROSS JOIN LATERAL generate_series(b.first_start, b.stop_before, period_interval(p_period)) AS s(local_start)
    WHERE local_start < b.stop_before
$$;
