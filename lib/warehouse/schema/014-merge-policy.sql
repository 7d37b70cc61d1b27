-- Merge in wider steps: fewer, larger background merges, each byte rewritten fewer times. In the embedded engine
-- the merges run in the sink's own process, and with the defaults (merge_selector_base 5, and the heuristic that
-- narrows merges further when parts pile up) a 100-shop Cafe24 sync (bench/cafe24.ts, 132k orders, 1.22 GB
-- inserted in ~260 inserts) ran 73 merges that rewrote 1.97 GB: 12.8 s of merging beside 17.6 s of inserting.
-- raw_records, written once and read by replays that scan a time range, waits for ~50 parts of a size before
-- merging them; the typed tables, which Grafana reads with FINAL (more parts, slower reads), for ~20.
-- Measured on that sync: 19-20 merges rewriting 0.82-1.15 GB, and the sink's CPU per order 184 and 166 µs against
-- 224 and 170 in alternating runs; a partition holds more parts between merges, far below parts_to_delay_insert
-- (1000). These settings need ClickHouse 26.x, as the embedded engine runs (docker-compose runs 26.7).
ALTER TABLE raw_records MODIFY SETTING merge_selector_base = 50, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE orders MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE order_items MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE products MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE categories MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE settlements MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE product_daily_stats MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE sync_runs MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE freshness MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE order_claims MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
--> statement-breakpoint
ALTER TABLE reviews MODIFY SETTING merge_selector_base = 20, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
