/**
 * When a sync job stops fetching and hands the rest to a continuation request. A job that overruns its budget is
 * aborted and retried, and everything it fetched is fetched again; a job that yields keeps all of it. So the job
 * yields at a share of its budget, or earlier when the time left would not fit its slowest step so far (twice
 * over): under load one page can take seconds (the Cafe24 benchmark's overrunning jobs were all mid-page).
 * Pure: time is passed in. Connectors ask before each step, so the time between two asks is one step (at most one
 * where a connector runs entities side by side and their asks interleave: the slowest step is then underrated, and
 * the share is what bounds the job); the time before the first ask (loading state, a token) is not one, and never
 * makes a job yield before its first step: a job under load that yielded there would hand the same work on forever.
 * A job also yields once it holds `maxStepBytes` of fetched records: its records reach the sink only when its
 * transaction commits, so a large tenant's first sync in one step leaves the sink idle for the step and then
 * hands it everything at once, and holds all of it in the consumer's memory meanwhile.
 */
export interface YieldPolicyOptions {
  startedAtMs: number;
  budgetMs: number;
  /** Yield at this share of the budget whatever the steps take. */
  yieldAtShare: number;
  /** The time left must exceed the slowest step × this. @default 2 */
  stepMargin?: number;
  /** Yield once this many bytes of records are held. @default Infinity */
  maxStepBytes?: number;
}

export function createYieldPolicy({
  startedAtMs, budgetMs, yieldAtShare, stepMargin = 2, maxStepBytes = Infinity,
}: YieldPolicyOptions): (nowMs: number, heldBytes?: number) => boolean {
  const deadline = startedAtMs + budgetMs;
  const yieldAt = startedAtMs + budgetMs * yieldAtShare;
  let lastAsk: number | undefined;
  let slowestStep = 0;
  return (nowMs, heldBytes = 0) => {
    if (lastAsk !== undefined) slowestStep = Math.max(slowestStep, nowMs - lastAsk);
    lastAsk = nowMs;
    return nowMs >= yieldAt || deadline - nowMs < slowestStep * stepMargin || heldBytes >= maxStepBytes;
  };
}
