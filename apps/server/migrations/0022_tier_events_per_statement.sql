-- Tier-change events are written one per statement that changes tiers, not one per customer
-- (decision 0025): the payload carries the statement's model, version, run, reason and whether the
-- model is the tier of record once, and its changes as an array of {customerId, from, to, decidedBy}.
-- A model's first full run of 1,000,000 customers wrote 1,000,000 event rows with two index entries
-- each (~20 % of the run's chunk time); it now writes one event per chunk.
--
-- Events written before this migration are rewritten into the same shape (one change each), so a
-- consumer reads one shape only.
UPDATE tier_events_outbox
SET payload = (payload - 'customerId' - 'from' - 'to' - 'decidedBy')
  || jsonb_build_object('changes', jsonb_build_array(jsonb_build_object(
       'customerId', customer_id::text, 'from', payload -> 'from', 'to', payload -> 'to',
       'decidedBy', payload -> 'decidedBy')));

-- The customers are in the payload; the event row keeps its model (a consumer may follow one model).
ALTER TABLE tier_events_outbox DROP COLUMN customer_id;
-- how many customers the event changed (the length of payload.changes), for batching consumers
ALTER TABLE tier_events_outbox ADD COLUMN changes integer NOT NULL DEFAULT 1 CHECK (changes > 0);
ALTER TABLE tier_events_outbox ALTER COLUMN changes DROP DEFAULT;
