-- Migration 0007: a survey may answer about a ticket of another source.
--
-- A survey tool and a help desk are two systems, loaded under two source names (Delighted
-- surveys about Zendesk tickets: `--source delighted`, the tickets under `--source helpdesk`).
-- `surveys.ticket_source` names the source of the ticket that `ticket_id` refers to; NULL (the
-- column empty or absent in the file, and every row stored before this migration) is the
-- survey's own source, as before. The link is therefore
-- (coalesce(ticket_source, source), ticket_id) → tickets (source, ticket_id); the models that
-- follow it (ticket_survey_scores, satisfaction_answers) and support_impact say so.
--
-- The index on (source, ticket_id) served those links; it is replaced by one on the link's
-- own expression, which the look-ups of one ticket's surveys (support_impact) can use.
-- Updates that do not change ticket_source or ticket_id stay HOT, as before.

ALTER TABLE surveys ADD COLUMN ticket_source text;

DROP INDEX surveys_ticket_idx;
CREATE INDEX surveys_linked_ticket_idx ON surveys ((coalesce(ticket_source, source)), ticket_id);
