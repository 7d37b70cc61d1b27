export interface WaitForOptions {
  /** How often to check the condition. @default 50 */
  intervalMs?: number;
  /** Give up after this long. @default 10_000 */
  deadlineMs?: number;
  /** Named in the timeout error, so a failing test says what it waited for. */
  description?: string;
}

/**
 * Resolves with the first truthy value of `condition`, checked every `intervalMs`, or rejects at the deadline.
 * This is how tests and shutdown wait: on a condition with a deadline, never a bare sleep.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { intervalMs = 50, deadlineMs = 10_000, description = 'condition' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${description}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
