/** The Cafe24 faults, in the order faults/run.ts runs them. */
import type { Fault } from '../harness/fault.js';
import { brokerRestart } from './broker-restart.js';
import { consumerKill } from './consumer-kill.js';
import { fuzz } from './fuzz.js';
import { pageThreadDeath } from './page-thread-death.js';
import { rateLimitStorm } from './rate-limit-storm.js';
import { sinkKill } from './sink-kill.js';
import { ssrfMallIds } from './ssrf-mall-ids.js';
import { tokenRevoked } from './token-revoked.js';
import { warehouseOutage } from './warehouse-outage.js';

export const CAFE24_FAULTS: readonly Fault[] = [
  consumerKill, sinkKill, brokerRestart, warehouseOutage, rateLimitStorm, tokenRevoked, pageThreadDeath, fuzz, ssrfMallIds,
];
