/**
 * How every long-running entry point stops: the first SIGTERM or SIGINT, or a call (the sink calls it when it
 * crashed), runs the steps once, in order, and exits. A step that fails is logged and the next still runs, so a
 * consumer that could not drain still closes its telemetry; the exit code then says the stop was unclean.
 */
import type { Logger } from '../logger.js';

export function exitOnShutdown(logger: Logger, steps: readonly (() => Promise<unknown>)[]): (code: number) => Promise<void> {
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      let exitCode = code;
      for (const step of steps) {
        try {
          await step();
        } catch (error) {
          logger.error({ err: error }, 'unclean stop');
          exitCode = exitCode || 1;
        }
      }
      process.exit(exitCode);
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping === undefined) logger.info({ signal }, 'draining');
      void shutdown(0);
    });
  }
  return shutdown;
}
