-- satisfaction_answers (view): one row per CSAT (1–5) or CES (1–7) answer an analysis counts,
-- each once, with the instant (`at`) that places it in a period.
--
-- Why (docs/metrics.md, "Settled edge cases"): a resolved ticket's own score counts at its
-- resolved_at (an unresolved ticket's score has no instant and is not counted); every survey
-- answer counts at its responded_at unless its linked ticket carries its own score of that
-- kind — the ticket's value wins, nothing is counted twice. A survey links to the ticket
-- (coalesce(ticket_source, source), ticket_id): of the source its ticket_source names (a
-- survey tool's answers about a help desk's tickets), else of its own (docs/inputs.md,
-- "Source"); so the rule holds across sources. `source`, `ticket_id` are the ticket's (for a
-- survey answer, the ticket it links to, loaded or not). Ticket attributes (agent, channel…)
-- come along for --segment; they are NULL for an answer linked to no loaded ticket.
-- On Citus (docs/scale-out.md) a survey and its ticket are not co-located — the ticket may be
-- another customer's, and the link is kept, not narrowed to the survey's customer — so the
-- ticket side is a subquery, which Citus plans first; read the view alone in its FROM there.
--
-- reads:      tickets, surveys
-- depends on: none

CREATE OR REPLACE VIEW satisfaction_answers AS
SELECT 'csat' AS kind, 'ticket' AS origin, t.customer_key, t.resolved_at AS at, t.csat AS score,
       t.source, t.ticket_id, t.agent, t.channel, t.category, t.priority
FROM tickets AS t
WHERE t.csat IS NOT NULL AND t.status IN ('solved', 'closed')
UNION ALL
SELECT 'ces', 'ticket', t.customer_key, t.resolved_at, t.ces,
       t.source, t.ticket_id, t.agent, t.channel, t.category, t.priority
FROM tickets AS t
WHERE t.ces IS NOT NULL AND t.status IN ('solved', 'closed')
UNION ALL
SELECT s.kind, 'survey', s.customer_key, s.responded_at, s.score,
       coalesce(s.ticket_source, s.source), s.ticket_id, t.agent, t.channel, t.category, t.priority
FROM surveys AS s
-- The ticket side is a subquery of the columns read, not the table: on Citus a survey and its
-- ticket are not co-located (the ticket may be another customer's), and Citus plans such a
-- subquery first and hands its rows to every shard of surveys (an outer join of two tables
-- is refused). One server pulls the subquery up: the same plan as a join with the table.
LEFT JOIN (SELECT t.source, t.ticket_id, t.agent, t.channel, t.category, t.priority, t.csat, t.ces
           FROM tickets AS t) AS t
       ON t.source = coalesce(s.ticket_source, s.source) AND t.ticket_id = s.ticket_id
WHERE s.kind IN ('csat', 'ces')
  AND NOT (s.kind = 'csat' AND t.csat IS NOT NULL)
  AND NOT (s.kind = 'ces' AND t.ces IS NOT NULL);
