-- Settings for a connection that runs named analyses.

-- name: configure
-- JIT compilation costs seconds per statement here (the analyses' big CTE plans have high
-- cost estimates even on small data) and gains little on these set-based aggregates.
SELECT set_config('jit', 'off', false);
