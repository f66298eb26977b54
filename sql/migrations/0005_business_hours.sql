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
--   business_stretches(schedule, first, last)  each day cut at its openings, for finding
--                                              B(at), the open seconds before `at`, by a join
--   ticket_business_hours(schedule)            per ticket: FRT and TTR in open business hours
--
-- Business time between a and b is B(b) − B(a), B(at) = the calendar's open seconds before
-- `at`: a cumulative sum, so a duration costs equality joins on the local date, not a scan
-- of every opening interval.

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

-- The stretches of each local day between openings, for looking up B(at) with one join: a day
-- with ranges r1 … rk is cut at day start, r1's opening, …, rk's opening. In the stretch
-- starting at rj, B(at) = base + (least(at, rj's closing) − rj's opening); in the stretch
-- before r1 (opening = closing = day start) B(at) = base. Stretches are half-open
-- [stretch_start, stretch_end) and cover the calendar's days without gaps.
CREATE FUNCTION business_stretches(p_schedule jsonb, p_first timestamptz, p_last timestamptz)
RETURNS TABLE (local_date date, stretch_start timestamptz, stretch_end timestamptz,
               base float8, opens_at timestamptz, closes_at timestamptz)
LANGUAGE sql STABLE AS $$
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

-- Per ticket: first response time and time to resolution in open business hours of the
-- schedule (float8 hours; NULL where ticket_facts has NULL). No rows for a NULL schedule, so
-- an analysis can LEFT JOIN it unconditionally. Each instant finds its stretch by an equality
-- join on its local date (plus the stretch bounds); a duration is B(end) − B(start).
CREATE FUNCTION ticket_business_hours(p_schedule jsonb)
RETURNS TABLE (source text, ticket_id text, frt_hours float8, ttr_hours float8)
LANGUAGE sql STABLE AS $$
    WITH stretches AS (
        SELECT s.*
        FROM business_stretches(p_schedule, (SELECT min(t.created_at) FROM tickets AS t), data_horizon()) AS s
        WHERE p_schedule IS NOT NULL
    )
    SELECT t.source, t.ticket_id,
           (responded.base + extract(epoch FROM least(t.first_response_at, responded.closes_at) - responded.opens_at)
            - created.base - extract(epoch FROM least(t.created_at, created.closes_at) - created.opens_at))::float8 / 3600,
           (resolved.base + extract(epoch FROM least(t.resolved_at, resolved.closes_at) - resolved.opens_at)
            - created.base - extract(epoch FROM least(t.created_at, created.closes_at) - created.opens_at))::float8 / 3600
    FROM ticket_facts AS t
    JOIN stretches AS created
      ON created.local_date = (t.created_at AT TIME ZONE (p_schedule ->> 'timezone'))::date
     AND t.created_at >= created.stretch_start AND t.created_at < created.stretch_end
    LEFT JOIN stretches AS responded
      ON responded.local_date = (t.first_response_at AT TIME ZONE (p_schedule ->> 'timezone'))::date
     AND t.first_response_at >= responded.stretch_start AND t.first_response_at < responded.stretch_end
    LEFT JOIN stretches AS resolved
      ON resolved.local_date = (t.resolved_at AT TIME ZONE (p_schedule ->> 'timezone'))::date
     AND t.resolved_at >= resolved.stretch_start AND t.resolved_at < resolved.stretch_end
    WHERE p_schedule IS NOT NULL
$$;
