-- What a run that did not fail still could not do as asked (e.g. a mall refused multi-shop discovery, so only
-- shop 1 was synced): the run event's `warnings`, empty for most runs.
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS warnings Array(String) DEFAULT [] AFTER error_message
