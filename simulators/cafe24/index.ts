/** Public surface of the Cafe24 Admin API simulator (see README.md). */
export {
  startCafe24Simulator, DEFAULT_APP,
  type Cafe24Simulator, type Cafe24SimulatorOptions, type IssuedTokens, type ExpectedCounts, type ExpectedCountsQuery,
  type ExpectedOrder,
} from './simulator.js';
export { createManualClock, createScaledClock, systemClock, type ManualClock, type SimClock, DEFAULT_MANUAL_START_MS } from './clock.js';
export { fleetSpecs, type ShopSpec } from './shop-spec.js';
export type { FaultKnobs, LatencySpec } from './faults.js';
export type { RateLimitPolicy, PartialPolicy } from './rate-limit.js';
export type { MallStats } from './stats.js';
export type { TokenResponseBody, AppRegistration } from './oauth.js';
export { MAX_LIFECYCLE_MS } from './order-lifecycle.js';
