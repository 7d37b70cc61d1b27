import assert from 'node:assert/strict';
import { createGuarded, createStateMachine, IllegalStateError, RUNNER_STATES } from '../../../lib/kafka/runner-states.js';

describe('runner states: guarded public methods (KafkaJS createGuarded)', () => {
  function guardedStart() {
    const machine = createStateMachine(() => undefined);
    const calls: string[] = [];
    const guarded = createGuarded(machine, 'sink', {
      async start() {
        calls.push('start');
        return 'started';
      },
    }, { start: { allowed: [RUNNER_STATES.IDLE, RUNNER_STATES.STOPPED], ignored: [RUNNER_STATES.STARTING, RUNNER_STATES.RUNNING] } });
    return { machine, calls, guarded };
  }

  it('runs a method in a state that allows it', async () => {
    const { guarded, calls } = guardedStart();
    assert.equal(await guarded.start(), 'started');
    assert.deepEqual(calls, ['start']);
  });

  it('returns at once, without running it, in an ignored state (start twice is safe)', async () => {
    const { guarded, calls, machine } = guardedStart();
    machine.transitionTo(RUNNER_STATES.STARTING);
    assert.equal(await guarded.start(), undefined);
    assert.deepEqual(calls, []);
  });

  it('fails loudly in any other state, naming the method and the state', async () => {
    const { guarded, calls, machine } = guardedStart();
    machine.transitionTo(RUNNER_STATES.STARTING);
    machine.transitionTo(RUNNER_STATES.DRAINING);
    await assert.rejects(guarded.start(), (error: Error) => error instanceof IllegalStateError
      && error.message === 'sink.start() cannot be called while draining' && error.method === 'sink.start' && error.state === 'draining');
    assert.deepEqual(calls, []);
  });
});
