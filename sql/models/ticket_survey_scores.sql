-- ticket_survey_scores (view): one row per ticket (source, ticket_id) that a csat or ces
-- survey answer links to — the latest linked csat and the latest linked ces answer.
--
-- Why: a ticket without its own csat/ces takes its linked survey's (ticket_facts); the latest
-- answer wins (docs/metrics.md, "Settled edge cases"; ties: the greater response_id, then
-- source). A survey links to the ticket (coalesce(ticket_source, source), ticket_id): of the
-- source its ticket_source names, else of its own (docs/inputs.md, "Source"). `source` here
-- is that ticket's source, so surveys of several sources about one ticket make one row.
--
-- reads:      surveys
-- depends on: none

CREATE OR REPLACE VIEW ticket_survey_scores AS
SELECT coalesce(s.ticket_source, s.source) AS source, s.ticket_id,
       (array_agg(s.score ORDER BY s.responded_at DESC, s.response_id DESC, s.source DESC) FILTER (WHERE s.kind = 'csat'))[1] AS csat,
       (array_agg(s.score ORDER BY s.responded_at DESC, s.response_id DESC, s.source DESC) FILTER (WHERE s.kind = 'ces'))[1] AS ces
FROM surveys AS s
WHERE s.ticket_id IS NOT NULL AND s.kind IN ('csat', 'ces')
GROUP BY coalesce(s.ticket_source, s.source), s.ticket_id;
