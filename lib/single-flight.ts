/**
 * One in-flight promise per key: concurrent callers of the same key share it (like KafkaJS's sharedPromiseTo).
 * An OAuth refresh that rotates the refresh token must run once, never twice in parallel.
 */
export function createSingleFlight<T>() {
  const inFlight = new Map<string, Promise<T>>();
  return (key: string, work: () => Promise<T>): Promise<T> => {
    const running = inFlight.get(key);
    if (running) return running;
    const promise = work().finally(() => inFlight.delete(key));
    inFlight.set(key, promise);
    return promise;
  };
}
