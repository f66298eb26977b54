-- Migration 0004: building blocks of the support and social analyses (sql/analyses/).
--
-- One definition of each support rule of METRICS.md, so the analyses cannot drift apart:
--
--   ticket_facts            one row per ticket: resolved or not, durations in hours, the
--                           effective CSAT / CES (the ticket's own value, else its linked survey)
--   satisfaction_answers    every CSAT and CES answer an analysis counts, each once, with the
--                           instant that places it in a period
--   mention_facts           one row per mention: sentiment label, linked customer
--
-- Rules (METRICS.md, "Settled edge cases"):
-- - Resolved ⇔ status solved/closed, with resolved_at = the last solve. A reopened ticket that
--   is open again is unresolved and its old resolved_at is ignored (NULL here).
-- - A csat or ces survey answer linked to a ticket (same source, ticket_id) that carries its
--   own csat/ces is not counted twice: the ticket's value wins.
-- - The ticket part of CSAT and CES is placed by resolved_at; an unresolved ticket's score has
--   no instant and is not counted. Survey answers are placed by responded_at.
-- - Sentiment: positive above 0.05, negative below −0.05, else neutral.
-- - A mention is linked when its handle resolves to a customer (customers exist only through
--   rows of the other entities, so such a customer appears in some other entity).

-- The latest csat and ces survey answer linked to each ticket.
CREATE VIEW ticket_survey_scores AS
SELECT s.source, s.ticket_id,
       (array_agg(s.score ORDER BY s.responded_at DESC, s.response_id DESC) FILTER (WHERE s.kind = 'csat'))[1] AS csat,
       (array_agg(s.score ORDER BY s.responded_at DESC, s.response_id DESC) FILTER (WHERE s.kind = 'ces'))[1] AS ces
FROM surveys AS s
WHERE s.ticket_id IS NOT NULL AND s.kind IN ('csat', 'ces')
GROUP BY s.source, s.ticket_id;

-- One row per ticket with what the support analyses compute from it. Durations are elapsed
-- hours (float8); resolved_at is NULL unless the ticket is resolved now.
CREATE VIEW ticket_facts AS
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

-- Every CSAT (1–5) and CES (1–7) answer, each counted once: a resolved ticket's own score at
-- its resolved_at, and every survey answer at its responded_at unless its linked ticket
-- carries its own score of that kind. Ticket attributes (agent, channel…) come along for
-- --segment; they are NULL for an answer linked to no loaded ticket.
CREATE VIEW satisfaction_answers AS
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
       s.source, s.ticket_id, t.agent, t.channel, t.category, t.priority
FROM surveys AS s
LEFT JOIN tickets AS t ON t.source = s.source AND t.ticket_id = s.ticket_id
WHERE s.kind IN ('csat', 'ces')
  AND NOT (s.kind = 'csat' AND t.csat IS NOT NULL)
  AND NOT (s.kind = 'ces' AND t.ces IS NOT NULL);

-- One row per mention with its sentiment label and the customer its handle resolves to.
CREATE VIEW mention_facts AS
SELECT m.source, m.mention_id, m.platform, m.handle, m.posted_at, m.sentiment,
       CASE WHEN m.sentiment > 0.05 THEN 'positive'
            WHEN m.sentiment < -0.05 THEN 'negative'
            WHEN m.sentiment IS NOT NULL THEN 'neutral' END AS sentiment_label,
       m.is_complaint, m.reach, m.responded_at,
       extract(epoch FROM m.responded_at - m.posted_at)::float8 / 3600 AS response_hours,
       i.customer_key,
       i.customer_key IS NOT NULL AS is_linked
FROM mentions AS m
LEFT JOIN customer_identifiers AS i ON i.kind = 'handle' AND i.source = '' AND i.value = m.handle;
