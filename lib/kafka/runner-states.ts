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

/** A public method called in a state that does not allow it (KafkaJS createGuarded). */
export class IllegalStateError extends Error {
  constructor(readonly method: string, readonly state: RunnerState) {
    super(`${method}() cannot be called while ${state}`);
    this.name = 'IllegalStateError';
  }
}

/** The states a method runs in; in `ignored` it returns at once (start and stop are safe to call twice); elsewhere it fails. */
export interface MethodGuard {
  allowed: readonly RunnerState[];
  ignored?: readonly RunnerState[];
}

type AsyncMethods = Record<string, (...args: never[]) => Promise<unknown>>;

/**
 * The methods, each wrapped with the states it may be called in (KafkaJS transactionStateMachine's createGuarded):
 * a call in a wrong state rejects with IllegalStateError naming the method (`${name}.${method}`) and the state.
 */
export function createGuarded<M extends AsyncMethods>(
  machine: { readonly state: RunnerState },
  name: string,
  methods: M,
  guards: { [K in keyof M]: MethodGuard },
): { [K in keyof M]: (...args: Parameters<M[K]>) => Promise<Awaited<ReturnType<M[K]>> | undefined> } {
  const guarded = {} as Record<string, (...args: never[]) => Promise<unknown>>;
  for (const [method, fn] of Object.entries(methods)) {
    const { allowed, ignored = [] } = guards[method as keyof M];
    guarded[method] = async (...args: never[]) => {
      const { state } = machine;
      if (ignored.includes(state)) return undefined;
      if (!allowed.includes(state)) throw new IllegalStateError(`${name}.${method}`, state);
      return fn(...args);
    };
  }
  return guarded as never;
}
