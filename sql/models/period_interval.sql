-- period_interval(period) → interval: the length of one period (day, week, month, quarter,
-- year). ISO weeks: date_trunc('week') starts on Monday.
--
-- Why: the one list of the periods `--period` accepts (docs/metrics.md, "Shared parameters and
-- conventions").
--
-- reads:      nothing
-- depends on: none

CREATE OR REPLACE FUNCTION period_interval(p_period text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE p_period
        WHEN 'day' THEN interval '1 day'
        WHEN 'week' THEN interval '7 days'
        WHEN 'month' THEN interval '1 month'
        WHEN 'quarter' THEN interval '3 months'
        WHEN 'year' THEN interval '1 year'
    END
$$;
