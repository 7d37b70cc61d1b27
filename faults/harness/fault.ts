/**
 * What a fault module is and what it reports. A fault sets up its own world (topics under a fresh prefix, a
 * simulator, child processes), breaks something on purpose, and ends with a reconciliation of ClickHouse against
 * the source's truth. The runner (faults/run.ts) only sequences modules and prints their lines; each platform's
 * faults (faults/cafe24/, faults/ably/) are modules of this shape over the harness (this folder).
 */
import type { Rng } from '../../simulators/cafe24/seeded-random.js';

export interface FaultContext {
  /** The run's seed: every random choice of a fault comes from `rng`, seeded by (seed, fault name). */
  seed: number;
  rng: Rng;
  /** The short form (CI): fewer kills and messages, a shorter outage. */
  reduced: boolean;
  /** Bootstrap brokers of the shared broker (KAFKA_BROKERS, or the local one). */
  brokers: string[];
  /** Progress lines (stderr), prefixed with the fault's name. */
  log(line: string): void;
  /** A fresh directory for this fault (engine data, child logs), removed after a passing run. */
  workDir: string;
}

export interface FaultReport {
  /** Source records missing from ClickHouse (FINAL) after the reconciliation. */
  lost: number;
  /** Records or run events present more often than once (duplicate inserts, duplicate DLQ entries, runs twice). */
  duplicated: number;
  /** Processes that died or crashed without being killed by the fault. */
  crashes: number;
  /** Per restart: seconds from the restart (a broker's: from when it serves again) to the group's assignment. */
  rejoinS: number[];
  /** Per restart or recovery: seconds to the next committed output. */
  nextCommitS: number[];
  /** Why the fault failed (empty: it passed). */
  failures: string[];
  /** Extra measurements, printed under the line. */
  details: Record<string, string | number>;
}

export interface Fault {
  readonly name: string;
  /** One line for --help. */
  readonly description: string;
  /**
   * Left out of the reduced form (CI) unless named with --only: a fault whose logic CI already proves through its
   * mocha twin, and whose run in its own processes adds more CI time than it adds certainty.
   */
  readonly fullOnly?: boolean;
  run(ctx: FaultContext): Promise<FaultReport>;
}

/** Restarts must be back in their group within this (issue 9: a dead member's 30 s session was the wait). */
export const MAX_REJOIN_S = 10;

export function emptyReport(): FaultReport {
  return { lost: 0, duplicated: 0, crashes: 0, rejoinS: [], nextCommitS: [], failures: [], details: {} };
}

/** Adds the verdicts every fault shares: nothing lost, duplicated or crashed, rejoins within MAX_REJOIN_S. */
export function judge(report: FaultReport): FaultReport {
  const failures = [...report.failures];
  if (report.lost > 0) failures.push(`${report.lost} record(s) lost`);
  if (report.duplicated > 0) failures.push(`${report.duplicated} duplicate(s)`);
  if (report.crashes > 0) failures.push(`${report.crashes} process crash(es)`);
  const slow = report.rejoinS.filter((s) => s > MAX_REJOIN_S);
  if (slow.length > 0) failures.push(`${slow.length} of ${report.rejoinS.length} rejoin(s) over ${MAX_REJOIN_S} s (max ${Math.max(...slow).toFixed(1)} s)`);
  return { ...report, failures };
}

const MAX_WHY_LINES = 12;
const seconds = (xs: number[]) => (xs.length === 0 ? '-' : Math.max(...xs).toFixed(1));

/** `fault=<name> lost=N duplicated=N crashes=N rejoin_s=<max> next_commit_s=<max> result=pass|fail`, then the why and details. */
export function formatReport(name: string, report: FaultReport): string[] {
  const lines = [
    `fault=${name} lost=${report.lost} duplicated=${report.duplicated} crashes=${report.crashes} ` +
    `rejoin_s=${seconds(report.rejoinS)} next_commit_s=${seconds(report.nextCommitS)} result=${report.failures.length === 0 ? 'pass' : 'fail'}`,
  ];
  if (report.rejoinS.length > 1 || report.nextCommitS.length > 1) {
    const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(',') || '-';
    lines.push(`  restarts=${Math.max(report.rejoinS.length, report.nextCommitS.length)} rejoin_s_each=${list(report.rejoinS)} next_commit_s_each=${list(report.nextCommitS)}`);
  }
  const details = Object.entries(report.details).map(([k, v]) => `${k}=${v}`).join(' ');
  if (details) lines.push(`  ${details}`);
  for (const failure of report.failures.slice(0, MAX_WHY_LINES)) lines.push(`  why: ${failure}`);
  if (report.failures.length > MAX_WHY_LINES) lines.push(`  why: … and ${report.failures.length - MAX_WHY_LINES} more`);
  return lines;
}
