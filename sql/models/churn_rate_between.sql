-- churn_rate_between(start, end, window_days, tz) → float8: churn_rate's definition for one
-- period [start, end) — customers lost ÷ customers active at start, active at t meaning a
-- valid purchase in [t − W, t), W = window_days local days in tz. NULL when nobody was active
-- at start.
--
-- Why: the churn analysis and clv --method formula (its annual churn) use the same rule
-- (docs/metrics.md, "Settled edge cases").
--
-- How: only the purchases in the two windows [start − W, start) and [end − W, end) are read
-- (a customer without one is active at neither end and counts in neither number), their
-- bounds computed once, not once per purchase.
--
-- PL/pgSQL, not SQL: Citus plans a query with parameters on distributed tables only from
-- PL/pgSQL (docs/scale-out.md); called once per analysis, so nothing is lost by not inlining.
--
-- reads:      purchases (through valid_purchases)
-- depends on: shift_local_days, valid_purchases

CREATE OR REPLACE FUNCTION churn_rate_between(p_start timestamptz, p_end timestamptz, p_window_days integer, p_tz text)
RETURNS double precision
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (
    SELECT count(*) FILTER (WHERE a.active_at_start AND NOT a.active_at_end)::float8
           / nullif(count(*) FILTER (WHERE a.active_at_start), 0)
    FROM (
        SELECT p.customer_key,
               bool_or(p.ordered_at >= w.start_from AND p.ordered_at < p_start) AS active_at_start,
               bool_or(p.ordered_at >= w.end_from AND p.ordered_at < p_end) AS active_at_end
        FROM (SELECT shift_local_days(p_start, -p_window_days, p_tz) AS start_from,
                     shift_local_days(p_end, -p_window_days, p_tz) AS end_from OFFSET 0) AS w
        JOIN valid_purchases AS p
          ON (p.ordered_at >= w.start_from AND p.ordered_at < p_start) OR (p.ordered_at >= w.end_from AND p.ordered_at < p_end)
        GROUP BY p.customer_key
    ) AS a
    );
END;
$$;
