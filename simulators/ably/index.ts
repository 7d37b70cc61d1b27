/** Public surface of the Ably seller-center simulator (see README.md). */
export { startAblySimulator, type AblySimulator, type AblySimulatorOptions } from './simulator.js';
export type { AblySellerAccount, AblySellerSpec, LoginMode } from './seller-spec.js';
export { DEFAULT_KNOBS, type AblyKnobs, type SchemaDrift } from './knobs.js';
export { DEFAULT_LIMIT_POLICY, type BucketSpec, type LimitPolicy } from './limits.js';
export type { AblyTruth, TruthQuery } from './truth.js';
export type { SellerStats } from './sim-stats.js';
export type { LoginCounters } from './auth.js';
export { ITEM_STATUSES, PROCESSING_STATUS, MAX_LIFECYCLE_MS, type ItemStatus } from './item-lifecycle.js';
export { DRIFTED_FIELDS } from './schema-drift.js';
export { CSV_HEADER } from './settlements.js';
export { SESSION_COOKIE } from './web-server.js';
export { BLOCK_TEXT } from './http-common.js';
export { LOGIN_MESSAGES, LOCK_POLICY } from './auth.js';
export { createManualClock, type ManualClock, type SimClock } from '../cafe24/clock.js';
