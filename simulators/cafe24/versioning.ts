/**
 * `X-Cafe24-Api-Version` (reference §3): date-named versions; a version expires one year after the next newer
 * one is released, and an expired version behaves as the oldest one still alive. Without the header the app's
 * configured version applies. What the real API does with a malformed or unknown version is not documented
 * ([U], §12.8): the simulator refuses both with 400, the stricter reading, so a connector must pin a real one.
 */
import { AdminApiError, ADMIN_MESSAGES } from './errors.js';
import { parseKstDate } from './kst.js';

/** The versions the reference has seen (§3), oldest first. */
export const KNOWN_API_VERSIONS = [
  '2021-03-01', '2021-12-01', '2023-03-01', '2023-12-01', '2024-09-01', '2025-12-01', '2026-03-01',
] as const;

export const DEFAULT_APP_API_VERSION = '2025-12-01';

const YEAR_MS = 365 * 86_400_000;

/** Versions released by `nowMs` and not yet expired, oldest first. */
export function liveVersions(nowMs: number, known: readonly string[] = KNOWN_API_VERSIONS): string[] {
  const released = known.filter((version) => (parseKstDate(version) ?? Infinity) <= nowMs);
  return released.filter((version, index) => {
    const next = released[index + 1];
    if (next === undefined) return true;
    return nowMs < (parseKstDate(next) as number) + YEAR_MS;
  });
}

/**
 * The version a request runs under: the header's (or the app's) version, moved to the oldest live version when
 * it has expired. Throws a 400 for a malformed, unknown or not-yet-released version.
 */
export function resolveApiVersion(
  requested: string | undefined,
  nowMs: number,
  { appVersion = DEFAULT_APP_API_VERSION, known = KNOWN_API_VERSIONS as readonly string[] } = {},
): string {
  const version = requested ?? appVersion;
  const releasedAt = /^\d{4}-\d{2}-\d{2}$/.test(version) ? parseKstDate(version) : undefined;
  if (releasedAt === undefined || !known.includes(version) || releasedAt > nowMs) {
    throw new AdminApiError(400, ADMIN_MESSAGES.invalidApiVersion(version));
  }
  const live = liveVersions(nowMs, known);
  return live.includes(version) ? version : (live[0] ?? version);
}
