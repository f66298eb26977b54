-- DuckDB counterparts of the Patron models the mirrored analyses share (sql/models/), created
-- once after the load by scripts/bench-duckdb.py. Macros are expanded into each query, so
-- their work is timed with the query that uses them, as Patron's functions are.
--
-- Every instant was exported as a UTC TIMESTAMP, so the queries mirror --tz UTC (the default):
-- a local calendar period or day in UTC is plain timestamp arithmetic.

-- data_horizon(): the latest instant of any kind loaded, sign-ups excepted (sql/models/data_horizon.sql):
-- a period is complete when its end is at or before it. greatest() skips NULLs, as PostgreSQL's max over a UNION does.
CREATE MACRO data_horizon() AS (
    SELECT greatest((SELECT max(ordered_at) FROM purchases),
                    (SELECT max(returned_at) FROM returns),
                    (SELECT max(created_at) FROM tickets),
                    (SELECT max(first_response_at) FROM tickets),
                    (SELECT max(resolved_at) FROM tickets),
                    (SELECT max(posted_at) FROM mentions),
                    (SELECT max(responded_at) FROM mentions),
                    (SELECT max(responded_at) FROM surveys))
);

-- valid_purchases: every non-cancelled order (sql/models/valid_purchases.sql).
CREATE VIEW valid_purchases AS
SELECT source, order_id, customer_key, ordered_at, amount, currency, channel
FROM purchases
WHERE status <> 'cancelled';
