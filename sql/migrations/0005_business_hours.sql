-- Migration 0005: business time for the support analyses (`--schedule FILE`).
--
-- A schedule arrives as a bound jsonb value that Patron builds from the user's schedule file
-- (Sources/PatronCore/Analyses/BusinessSchedule.swift validates it):
--
--   {"timezone": "Europe/Berlin",
--    "hours": {"1": [["09:00", "17:00"]], "2": [["09:00", "12:00"], ["13:00", "17:00"]], …},
--    "holidays": ["2024-12-25", …]}
--
-- `hours` is keyed by ISO weekday (1 = Monday … 7 = Sunday); a missing weekday is closed; each
-- range is local wall-clock time, start < end, end at most "24:00". Holidays are local dates
-- on which the desk is closed all day.
--
-- Opening hours are local wall-clock times, so every range is turned into instants in the
-- schedule's zone day by day (`local date + time AT TIME ZONE zone`): a 09:00–17:00 day is 8
-- hours in winter and in summer, and the night of a DST change moves no open hour. A local
-- time that does not exist (inside the spring-forward gap) is read as PostgreSQL reads it:
-- with the offset before the change (Europe/Berlin 02:30 → 03:30 summer time).
--
--   business_calendar(schedule, first, last)   one row per local date covering [first, last]:
--                                              open ranges and open seconds of all days before
--   business_seconds_at(at, open_before, ranges)
--                                              B(at): open seconds of the calendar before `at`
--   ticket_business_hours(schedule)            per ticket: FRT and TTR in open business hours
--
-- Business time between a and b is B(b) − B(a): a cumulative sum, so a duration costs two
-- equality joins on the local date, not a scan of every opening interval.

CREATE FUNCTION business_calendar(p_schedule jsonb, p_first timestamptz, p_last timestamptz)
RETURNS TABLE (local_date date, open_before float8, open_ranges tstzrange[])
LANGUAGE sql STABLE AS $$
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
        WHERE NOT coalesce(p_schedule -> 'holidays', '[]'::jsonb) ? d.local_date::text
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

-- B(at): the open seconds of the calendar before `at`, given the row of `at`'s local date.
-- Only differences of B mean anything (the calendar's first day is its zero).
CREATE FUNCTION business_seconds_at(p_at timestamptz, p_open_before float8, p_open_ranges tstzrange[])
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT p_open_before + coalesce((
        SELECT sum(greatest(0, extract(epoch FROM least(p_at, upper(r)) - lower(r))))
        FROM unnest(p_open_ranges) AS r
    ), 0)::float8
$$;

-- Per ticket: first response time and time to resolution in open business hours of the
-- schedule (float8 hours; NULL where ticket_facts has NULL). No rows for a NULL schedule, so
-- an analysis can LEFT JOIN it unconditionally.
CREATE FUNCTION ticket_business_hours(p_schedule jsonb)
RETURNS TABLE (source text, ticket_id text, frt_hours float8, ttr_hours float8)
LANGUAGE sql STABLE AS $$
    WITH calendar AS (
        SELECT c.*
        FROM business_calendar(p_schedule, (SELECT min(t.created_at) FROM tickets AS t), data_horizon()) AS c
        WHERE p_schedule IS NOT NULL
    )
    SELECT t.source, t.ticket_id,
           (business_seconds_at(t.first_response_at, responded.open_before, responded.open_ranges)
            - business_seconds_at(t.created_at, created.open_before, created.open_ranges)) / 3600,
           (business_seconds_at(t.resolved_at, resolved.open_before, resolved.open_ranges)
            - business_seconds_at(t.created_at, created.open_before, created.open_ranges)) / 3600
    FROM ticket_facts AS t
    JOIN calendar AS created
      ON created.local_date = (t.created_at AT TIME ZONE (p_schedule ->> 'timezone'))::date
    LEFT JOIN calendar AS responded
      ON responded.local_date = (t.first_response_at AT TIME ZONE (p_schedule ->> 'timezone'))::date
    LEFT JOIN calendar AS resolved
      ON resolved.local_date = (t.resolved_at AT TIME ZONE (p_schedule ->> 'timezone'))::date
    WHERE p_schedule IS NOT NULL
$$;
