-- data_horizon() → timestamptz: the latest timestamp of any kind loaded in any entity, sign-ups
-- excepted; NULL for an empty warehouse.
--
-- Why: a period is complete when its end is at or before the data horizon (docs/metrics.md,
-- "Shared parameters and conventions"); every analysis that flags `complete` asks here, so they
-- all agree on where the data stops.
--
-- reads:      purchases, returns, tickets, mentions, surveys
-- depends on: none

CREATE OR REPLACE FUNCTION data_horizon() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT max(latest) FROM (
        SELECT max(ordered_at) FROM purchases
        UNION ALL SELECT max(returned_at) FROM returns
        UNION ALL SELECT max(created_at) FROM tickets
        UNION ALL SELECT max(first_response_at) FROM tickets
        UNION ALL SELECT max(resolved_at) FROM tickets
        UNION ALL SELECT max(posted_at) FROM mentions
        UNION ALL SELECT max(responded_at) FROM mentions
        UNION ALL SELECT max(responded_at) FROM surveys
    ) AS latest_per_column(latest)
$$;
