-- business_stretches(schedule, first, last): one row per stretch of a local day between
-- openings — local_date, stretch_start, stretch_end (half-open, covering the calendar's days
-- without gaps), base, opens_at, closes_at.
--
-- Why: finds B(at), the open seconds before `at`, with one join. A day with ranges r1 … rk is
-- cut at day start, r1's opening, …, rk's opening. In the stretch starting at rj,
-- B(at) = base + (least(at, rj's closing) − rj's opening); in the stretch before r1
-- (opening = closing = day start) B(at) = base. The schedule's shape: see business_calendar.
--
-- reads:      nothing (the schedule is a parameter)
-- depends on: business_calendar

CREATE OR REPLACE FUNCTION business_stretches(p_schedule jsonb, p_first timestamptz, p_last timestamptz)
RETURNS TABLE (local_date date, stretch_start timestamptz, stretch_end timestamptz,
               base float8, opens_at timestamptz, closes_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH calendar AS (
        SELECT c.local_date, c.open_before, c.open_ranges,
               c.local_date::timestamp AT TIME ZONE (p_schedule ->> 'timezone') AS day_start,
               (c.local_date + 1)::timestamp AT TIME ZONE (p_schedule ->> 'timezone') AS day_end
        FROM business_calendar(p_schedule, p_first, p_last) AS c
    ),
    starts AS (
        SELECT c.local_date, c.day_end, c.day_start AS stretch_start, c.open_before AS base,
               c.day_start AS opens_at, c.day_start AS closes_at
        FROM calendar AS c
        UNION ALL
        SELECT c.local_date, c.day_end, lower(r.open_range),
               c.open_before + coalesce(sum(extract(epoch FROM upper(r.open_range) - lower(r.open_range))) OVER (
                   PARTITION BY c.local_date ORDER BY r.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::float8,
               lower(r.open_range), upper(r.open_range)
        FROM calendar AS c
        CROSS JOIN LATERAL unnest(c.open_ranges) WITH ORDINALITY AS r(open_range, n)
    )
    SELECT s.local_date, s.stretch_start,
           coalesce(lead(s.stretch_start) OVER (PARTITION BY s.local_date ORDER BY s.stretch_start, s.closes_at), s.day_end),
           s.base, s.opens_at, s.closes_at
    FROM starts AS s
$$;
