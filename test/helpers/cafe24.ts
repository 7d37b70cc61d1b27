/** Cafe24 settings that point the connector at a running simulator. */
import { DEFAULT_APP, type Cafe24Simulator } from '../../simulators/cafe24/simulator.js';

export function cafe24Settings(sim: Cafe24Simulator) {
  return {
    apiBaseTemplate: sim.apiBaseTemplate, apiVersion: '2025-12-01', clientId: DEFAULT_APP.clientId, clientSecret: DEFAULT_APP.clientSecret,
    lookbackDays: 15, initialDays: 200,
  };
}
