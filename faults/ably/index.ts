/** The Ably faults, in the order faults/run.ts runs them. */
import type { Fault } from '../harness/fault.js';
import { blockStorm } from './block-storm.js';
import { browserKill } from './browser-kill.js';
import { drift } from './drift.js';
import { wrongPassword } from './wrong-password.js';

export const ABLY_FAULTS: readonly Fault[] = [browserKill, blockStorm, drift, wrongPassword];
