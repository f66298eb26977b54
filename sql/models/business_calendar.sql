-- business_calendar(schedule, first, last): one row per local date covering [first, last]
-- (plus a day either side) — local_date, open_before (open seconds of all the calendar's days
-- before it) and open_ranges (that day's opening hours as instants).
--
-- Why: business time between a and b is B(b) − B(a), B(at) = the calendar's open seconds
-- before `at`: a cumulative sum, so a duration costs equality joins on the local date, not a
-- scan of every opening interval (`--schedule FILE` of the support analyses). Opening hours are
-- local wall-clock times, so every range is turned into instants in the schedule's zone day by
-- day (`local date + time AT TIME ZONE zone`): a 09:00–17:00 day is 8 hours in winter and in
-- summer, and the night of a DST change moves no open hour. A local time that does not exist
-- (inside the spring-forward gap) is read as PostgreSQL reads it: with the offset before the
-- change (Europe/Berlin 02:30 → 03:30 summer time).
--
-- A schedule arrives as a bound jsonb value that Patron builds from the user's schedule file
-- (Sources/PatronAnalyses/BusinessSchedule.swift validates it):
--
--   {"timezone": "Europe/Berlin",
--    "hours": {"1": [["09:00", "17:00"]], "2": [["09:00", "12:00"], ["13:00", "17:00"]], …},
--    "holidays": ["2024-12-25", …]}
--
-- `hours` is keyed by ISO weekday (1 = Monday … 7 = Sunday); a missing weekday is closed; each
-- range is local wall-clock time, start < end, end at most "24:00". Holidays are local dates
-- on which the desk is closed all day.
--
-- reads:      nothing (the schedule is a parameter)
-- depends on: none

CREATE OR REPLACE FUNCTION business_calendar(p_schedule jsonb, p_first timestamptz, p_last timestamptz)
RETURNS TABLE (local_date date, open_before float8, open_ranges tstzrange[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH zone AS (
        SELECT p_schedule ->> 'timezone' AS tz
    ),
    days AS (
        SELECT d::date AS local_date
        FROM zone AS z
        CROSS JOIN LATERAL generate_series((p_first AT TIME ZONE z.tz)::date - 1,
                                           (p_last AT TIME ZONE z.tz)::date + 1,
                                           interval '1 day') AS d
    ),
    open_ranges AS (
        SELECT d.local_date,
               tstzrange((d.local_date + (r.hours ->> 0)::interval) AT TIME ZONE z.tz,
                         (d.local_date + (r.hours ->> 1)::interval) AT TIME ZONE z.tz) AS open_range
        FROM days AS d
        CROSS JOIN zone AS z
        CROSS JOIN LATERAL jsonb_array_elements(
            coalesce(p_schedule -> 'hours' -> extract(isodow FROM d.local_date)::int::text, '[]'::jsonb)) AS r(hours)
        -- to_char, not ::text: a holiday must match whatever DateStyle the session has.
        WHERE NOT coalesce(p_schedule -> 'holidays', '[]'::jsonb) ? to_char(d.local_date, 'YYYY-MM-DD')
    ),
    per_day AS (
        SELECT d.local_date,
               coalesce(sum(extract(epoch FROM upper(o.open_range) - lower(o.open_range))), 0)::float8 AS open_seconds,
               coalesce(array_agg(o.open_range ORDER BY lower(o.open_range))
                            FILTER (WHERE NOT isempty(o.open_range)), '{}') AS open_ranges
        FROM days AS d
        LEFT JOIN open_ranges AS o ON o.local_date = d.local_date
        GROUP BY d.local_date
    )
    SELECT p.local_date,
           coalesce(sum(p.open_seconds) OVER (ORDER BY p.local_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0),
           p.open_ranges
    FROM per_day AS p
$$;
