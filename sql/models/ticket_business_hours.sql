-- ticket_business_hours(schedule): one row per ticket — source, ticket_id, frt_hours and
-- ttr_hours in open business hours of the schedule (float8 hours; NULL where ticket_facts has
-- NULL). No rows for a NULL schedule, so an analysis can LEFT JOIN it unconditionally.
--
-- Why: `--schedule FILE` of first_response_time and time_to_resolution. Each instant finds its
-- stretch by an equality join on its local date (plus the stretch bounds); a duration is
-- B(end) − B(start) (see business_calendar, business_stretches).
--
-- reads:      tickets (through ticket_facts; and every entity's table through data_horizon())
-- depends on: business_stretches, data_horizon, ticket_facts

CREATE OR REPLACE FUNCTION ticket_business_hours(p_schedule jsonb)
RETURNS TABLE (source text, ticket_id text, frt_hours float8, ttr_hours float8)
-- PL/pgSQL rather than SQL: Citus plans a query that reads distributed tables with parameters
-- only from PL/pgSQL (docs/scale-out.md).
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
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
    WHERE p_schedule IS NOT NULL;
END;
$$;
