-- shift_local_days(at, days, tz) → timestamptz: `at` moved by `days` local calendar days in
-- `tz` (what timestamptz ± interval 'N days' does under that TimeZone).
--
-- Why: windows anchored at a period boundary count local days (docs/metrics.md, "Shared
-- parameters and conventions"), whatever the session's TimeZone.
--
-- reads:      nothing
-- depends on: none

CREATE OR REPLACE FUNCTION shift_local_days(p_at timestamptz, p_days integer, p_tz text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ((p_at AT TIME ZONE p_tz) + make_interval(days => p_days)) AT TIME ZONE p_tz
$$;
