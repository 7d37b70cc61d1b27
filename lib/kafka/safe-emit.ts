/**
 * Emitting to listeners that must never break the emitter (Graphile Worker's safeEmit): a listener that throws is
 * logged, and the runner or sink that emitted goes on as if nothing happened.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';

export function createSafeEmit<M extends Record<keyof M, unknown[]>>(emitter: EventEmitter<M>, log: Logger, what: string) {
  return <E extends keyof M & string>(event: E, ...args: M[E]): void => {
    try {
      (emitter.emit as unknown as (e: E, ...a: M[E]) => boolean)(event, ...args);
    } catch (error) {
      log.error({ err: error, event }, `a ${what} event listener threw`);
    }
  };
}
