/**
 * The runner's lifecycle as data. IDLE: built, not started. STARTING: connecting, joining the group.
 * RUNNING: fetching and dispatching jobs. DRAINING: no new jobs start; in-flight ones finish and commit.
 * STOPPED: left the group, connections closed (terminal until start() again). CRASHED: an unrecoverable error
 * (e.g. the producer was fenced); the process supervisor restarts it.
 */
export const RUNNER_STATES = {
  IDLE: 'idle',
  STARTING: 'starting',
  RUNNING: 'running',
  DRAINING: 'draining',
  STOPPED: 'stopped',
  CRASHED: 'crashed',
} as const;

export type RunnerState = (typeof RUNNER_STATES)[keyof typeof RUNNER_STATES];

export const LEGAL_TRANSITIONS: Record<RunnerState, readonly RunnerState[]> = {
  idle: ['starting'],
  starting: ['running', 'crashed', 'draining'],
  running: ['draining', 'crashed'],
  draining: ['stopped', 'crashed'],
  stopped: ['starting'],
  crashed: ['stopped', 'starting'],
};

export class IllegalTransitionError extends Error {
  constructor(readonly from: RunnerState, readonly to: RunnerState) {
    super(`runner cannot go from ${from} to ${to}`);
  }
}

/** A state holder that only moves along LEGAL_TRANSITIONS and tells a listener about each move. */
export function createStateMachine(onTransition: (from: RunnerState, to: RunnerState) => void) {
  let state: RunnerState = RUNNER_STATES.IDLE;
  return {
    get state() {
      return state;
    },
    transitionTo(to: RunnerState) {
      if (!LEGAL_TRANSITIONS[state].includes(to)) throw new IllegalTransitionError(state, to);
      const from = state;
      state = to;
      onTransition(from, to);
    },
    is(...states: RunnerState[]) {
      return states.includes(state);
    },
  };
}
