-- The tenant's tier (paid, free) on every run and freshness row, from the run event: success rates, freshness
-- SLOs (the tiers sync at different intervals) and their alerts are per tier, and a tier can change, so it is
-- recorded with each fact rather than joined from today's tenant list. '' for rows written before this column.
ALTER TABLE sync_runs ADD COLUMN IF NOT EXISTS tier LowCardinality(String) DEFAULT '' AFTER platform
--> statement-breakpoint
ALTER TABLE freshness ADD COLUMN IF NOT EXISTS tier LowCardinality(String) DEFAULT '' AFTER platform
