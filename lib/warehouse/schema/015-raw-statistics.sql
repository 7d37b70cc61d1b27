-- raw_records builds no column statistics. ClickHouse 26.x builds `basic, uniq_v2` statistics on every suitable
-- column by default (auto_statistics_types), on inserts and merges, and the uniq sketch hashes every value it is
-- given: here every payload (~7.8 KB per Cafe24 order), again at each merge, for an estimate no query uses
-- (replays read raw_records by its key and partition). Measured on a 100-shop Cafe24 sync (bench/cafe24.ts):
-- the engine's statistics time (MergeTreeDataWriterStatisticsCalculationMicroseconds) 0.93 s → 0.13 s, about
-- 6 µs of the sink's CPU per order, below what a pair of runs resolves. The typed tables keep the defaults.
ALTER TABLE raw_records MODIFY SETTING auto_statistics_types = ''
