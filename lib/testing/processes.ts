/**
 * The machine's processes as /proc shows them, for the checks that no browser process or zombie outlives its
 * owner (the Ably browser-pool tests and the fault suite). Linux only, like the browser pool's own memory reading.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Process group: a Chromium's helpers share its main process's (puppeteer starts it as a group leader). */
  pgrp: number;
  /** R, S, D, Z (a zombie: exited, not yet reaped), … */
  state: string;
  comm: string;
}

export function processes(): ProcessEntry[] {
  const list: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      list.push({ pid: Number(entry), state: f[0] as string, ppid: Number(f[1]), pgrp: Number(f[2]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // it ended while we read
    }
  }
  return list;
}

/** The live (not zombie) processes of the group `pgrp`. */
export const liveInGroup = (pgrp: number) => processes().filter((p) => p.pgrp === pgrp && p.state !== 'Z');

/** Zombie children of `pid`: exited, never reaped by it. */
export const zombiesOf = (pid: number) => processes().filter((p) => p.ppid === pid && p.state === 'Z');
