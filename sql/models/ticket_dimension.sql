-- ticket_dimension(dimension, channel, category, priority, agent) → text: the value of a
-- ticket's --segment dimension (`channel`, `category`, `priority` or `agent`), '(unknown)'
-- when the ticket has none (docs/metrics.md, "Shared parameters and conventions").
--
-- Why: the support analyses split by the same four ticket attributes; one definition keeps
-- their segments alike. A one-expression SQL function, IMMUTABLE: the planner inlines it into
-- each query, so it costs what the CASE written out did. Called as
--   CASE WHEN s.segment_by IS NOT NULL THEN ticket_dimension(s.segment_by, t.channel, …) END
--
-- reads:      nothing (its arguments)
-- depends on: none

CREATE OR REPLACE FUNCTION ticket_dimension(p_dimension text, p_channel text, p_category text,
                                            p_priority text, p_agent text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(CASE p_dimension
                        WHEN 'channel' THEN p_channel
                        WHEN 'category' THEN p_category
                        WHEN 'priority' THEN p_priority
                        WHEN 'agent' THEN p_agent
                    END, '(unknown)')
$$;
