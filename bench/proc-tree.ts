/**
 * Memory and CPU of a process tree from /proc, for benchmarks whose work runs in processes Node does not account
 * for (Chromium and its renderers). RSS is summed over the tree (shared pages count once per process, so the sum
 * overstates what the machine gives up: a conservative figure). CPU of processes that end between two samples is
 * counted up to their last sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { TICK_MS } from './pipeline-marks.js';

const PAGE_KB = 4;

interface Proc { pid: number; ppid: number; state: string; rssKb: number; cpuMs: number; comm: string }

function readProcs(): Proc[] {
  const list: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      list.push({
        pid: Number(entry), ppid: Number(f[1]), state: f[0] ?? '', rssKb: Number(f[21]) * PAGE_KB, cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      });
    } catch {
      // ended while we read
    }
  }
  return list;
}

/** `root` and every descendant, minus the subtrees of `exclude`. */
export function processTree(root: number, exclude: readonly number[] = []): Proc[] {
  const all = readProcs();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const stack = all.filter((p) => p.pid === root);
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (exclude.includes(p.pid)) continue;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** Processes of `root`'s tree whose name says Chromium (chrome, chromium, headless_shell). */
export const isBrowser = (p: { comm: string }) => /chrom|headless/i.test(p.comm);

/** Proportional set size (shared pages split among their sharers), kB; 0 when unreadable. */
function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export interface TreeSampler {
  /** Highest summed RSS of the tree seen, MB. */
  readonly peakMb: number;
  /** Highest summed PSS of the tree seen, MB (what the tree really costs the machine). */
  readonly peakPssMb: number;
  /** Highest summed RSS of its browser processes seen, MB. */
  readonly peakBrowserMb: number;
  /** CPU ms of the browser processes (each at its last sample). */
  browserCpuMs(): number;
  stop(): void;
}

/** Samples the tree of `root` (without `exclude`) every `intervalMs`. */
export function sampleTree(root: number, exclude: readonly number[] = [], intervalMs = 200): TreeSampler {
  let peakMb = 0, peakBrowserMb = 0, peakPssMb = 0;
  const browserCpu = new Map<number, number>();
  const sample = () => {
    const tree = processTree(root, exclude);
    peakMb = Math.max(peakMb, tree.reduce((n, p) => n + p.rssKb, 0) / 1024);
    peakPssMb = Math.max(peakPssMb, tree.reduce((n, p) => n + pssKb(p.pid), 0) / 1024);
    const browsers = tree.filter(isBrowser);
    peakBrowserMb = Math.max(peakBrowserMb, browsers.reduce((n, p) => n + p.rssKb, 0) / 1024);
    for (const p of browsers) browserCpu.set(p.pid, Math.max(browserCpu.get(p.pid) ?? 0, p.cpuMs));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    get peakMb() { return peakMb; },
    get peakPssMb() { return peakPssMb; },
    get peakBrowserMb() { return peakBrowserMb; },
    browserCpuMs: () => [...browserCpu.values()].reduce((n, ms) => n + ms, 0),
    stop() {
      sample();
      clearInterval(timer);
    },
  };
}
