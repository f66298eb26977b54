-- analysis: agent_performance
-- summary: Per agent and period: tickets resolved, tickets per active day, FCR, median FRT, mean AHT, CSAT; ranked.
-- description: A ticket counts for its agent in the period of its resolved_at; unresolved
--   tickets and tickets without an agent are left out. resolved = tickets resolved; an active
--   day is a local date in --tz on which the agent resolved a ticket, tickets_per_active_day =
--   resolved / active days. fcr = tickets with agent_replies ≤ 1 and reopens = 0 ÷ resolved
--   tickets with both counts known (a ticket missing either is left out, as in
--   first_contact_resolution; empty when none is known). median_frt_hours = median
--   (percentile_cont) first response time of the resolved tickets that have one; aht_hours =
--   mean handle_seconds in hours (missing left out, never 0). csat = satisfied (4–5) ÷
--   answered over the resolved tickets' CSAT (the ticket's own csat, else its latest linked
--   csat survey). Ranked within each period by --rank-by (csat, fcr, resolved: highest first;
--   frt, aht: lowest first), then by resolved (more tickets first; for --rank-by resolved, by
--   csat, none last); agents still tied share a rank (1, 1, 3). Agents with fewer than
--   --min-tickets resolved, or without a value of the ranking metric, are listed unranked
--   (rank empty) after the ranked ones, most tickets first. Periods run from the first
--   resolution (or --from) to the last (or --to); a period in which no agent resolved a
--   ticket is listed once, with agent empty and resolved 0.
-- grain: one row per agent × period
-- unique: period, agent
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods and active days are local there.
-- param: $5 rank_by choice(csat,fcr,resolved,frt,aht) = csat : Metric the agents are ranked on.
-- param: $6 min_tickets int(1..) = 10 : Resolved tickets an agent needs in the period to be ranked.
-- column: period date : The period's local start date.
-- column: rank bigint : Place in the period by --rank-by (1 = best; ties share a place); empty when unranked.
-- column: agent text : The agent; empty on the row of a period with no resolved tickets.
-- column: resolved bigint : Tickets the agent resolved in the period.
-- column: active_days bigint : Local dates on which the agent resolved a ticket.
-- column: tickets_per_active_day float8 : resolved / active_days.
-- column: fcr float8 : Share of resolved tickets (with both counts known) with agent_replies ≤ 1 and reopens = 0.
-- column: median_frt_hours float8 : Median first response time of the resolved tickets, hours.
-- column: aht_hours float8 : Mean handle time of the resolved tickets with handle_seconds, hours.
-- column: csat_answered bigint : Resolved tickets with a CSAT answer.
-- column: csat float8 : CSAT answers of 4 or 5 ÷ csat_answered; empty when none answered.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS rank_by, $6::int AS min_tickets
),
resolved AS (
    SELECT t.agent, t.resolved_at, t.frt_hours, t.handle_seconds, t.csat,
           CASE WHEN t.agent_replies IS NOT NULL AND t.reopens IS NOT NULL
                THEN t.agent_replies <= 1 AND t.reopens = 0 END AS first_contact,
           period_label(s.period, s.tz, t.resolved_at) AS period,
           (t.resolved_at AT TIME ZONE s.tz)::date AS local_day
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    WHERE t.is_resolved AND t.agent IS NOT NULL
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(resolved_at) FROM resolved), (SELECT max(resolved_at) FROM resolved)) AS ps
),
per_agent AS (
    SELECT r.period, r.agent,
           count(*) AS resolved,
           count(DISTINCT r.local_day) AS active_days,
           count(*) FILTER (WHERE r.first_contact) AS first_contact,
           count(r.first_contact) AS fcr_assessed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.frt_hours) AS median_frt_hours,
           avg(r.handle_seconds)::float8 / 3600 AS aht_hours,
           count(r.csat) AS csat_answered,
           count(*) FILTER (WHERE r.csat >= 4) AS csat_satisfied
    FROM resolved AS r
    WHERE r.period IN (SELECT p.period FROM periods AS p)
    GROUP BY r.period, r.agent
),
metrics AS (
    SELECT a.period, a.agent, a.resolved, a.active_days,
           a.resolved::float8 / a.active_days AS tickets_per_active_day,
           a.first_contact::float8 / nullif(a.fcr_assessed, 0) AS fcr,
           a.median_frt_hours, a.aht_hours, a.csat_answered,
           a.csat_satisfied::float8 / nullif(a.csat_answered, 0) AS csat
    FROM per_agent AS a
),
-- The ranking metric turned "higher is better" (frt and aht negated), and the tie-breaker.
keyed AS (
    SELECT m.*,
           CASE s.rank_by WHEN 'csat' THEN m.csat WHEN 'fcr' THEN m.fcr WHEN 'resolved' THEN m.resolved
                          WHEN 'frt' THEN -m.median_frt_hours WHEN 'aht' THEN -m.aht_hours END AS score,
           CASE s.rank_by WHEN 'resolved' THEN m.csat ELSE m.resolved END AS tie_breaker,
           m.resolved >= s.min_tickets AS eligible
    FROM metrics AS m
    CROSS JOIN settings AS s
),
ranked AS (
    SELECT k.*,
           CASE WHEN k.eligible AND k.score IS NOT NULL THEN
               rank() OVER (PARTITION BY k.period, k.eligible AND k.score IS NOT NULL
                            ORDER BY k.score DESC, k.tie_breaker DESC NULLS LAST)
           END AS rank
    FROM keyed AS k
)
SELECT p.period, r.rank, r.agent,
       coalesce(r.resolved, 0) AS resolved, coalesce(r.active_days, 0) AS active_days,
       r.tickets_per_active_day, r.fcr, r.median_frt_hours, r.aht_hours,
       coalesce(r.csat_answered, 0) AS csat_answered, r.csat,
       p.complete
FROM periods AS p
LEFT JOIN ranked AS r ON r.period = p.period
ORDER BY p.period, r.rank NULLS LAST, r.resolved DESC, r.agent
