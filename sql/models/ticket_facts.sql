-- ticket_facts (view): one row per ticket, with what the support analyses compute from it —
-- resolved or not, durations in elapsed hours (float8), the effective CSAT / CES (the ticket's
-- own value, else its latest linked survey's, whichever source the survey was loaded under:
-- ticket_survey_scores is keyed by the ticket's source).
--
-- Why: one definition of each support rule (docs/metrics.md, "Settled edge cases"):
-- resolved ⇔ status solved/closed, with resolved_at = the last solve; a reopened ticket that
-- is open again is unresolved and its old resolved_at is ignored (NULL here).
--
-- reads:      tickets
-- depends on: ticket_survey_scores

CREATE OR REPLACE VIEW ticket_facts AS
SELECT t.source, t.ticket_id, t.customer_key, t.created_at, t.channel, t.category, t.priority,
       t.status, t.agent, t.first_response_at,
       t.status IN ('solved', 'closed') AS is_resolved,
       CASE WHEN t.status IN ('solved', 'closed') THEN t.resolved_at END AS resolved_at,
       extract(epoch FROM t.first_response_at - t.created_at)::float8 / 3600 AS frt_hours,
       CASE WHEN t.status IN ('solved', 'closed')
            THEN extract(epoch FROM t.resolved_at - t.created_at)::float8 / 3600 END AS ttr_hours,
       t.reopens, t.agent_replies, t.customer_replies, t.handle_seconds,
       coalesce(t.csat, s.csat) AS csat,
       coalesce(t.ces, s.ces) AS ces
FROM tickets AS t
LEFT JOIN ticket_survey_scores AS s ON s.source = t.source AND s.ticket_id = t.ticket_id;
