/**
 * Preloaded into a command under test (`NODE_OPTIONS=--import <this file>`, OWN_TIME_FILE set): at exit, the
 * process that runs a TypeScript entry point (not npm, not tsx's launcher: the command itself) appends one JSON line
 * to OWN_TIME_FILE with how long it ran and how much of that its main thread spent runnable but waiting for a CPU
 * (/proc/self/schedstat, Linux). Wall time minus that wait is the command's own time: what it took to start, try the
 * broker and give up, whatever else loads the machine. Plain JavaScript, because npm's own node loads it too.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.OWN_TIME_FILE;
if (file && process.argv[1]?.endsWith('.ts')) {
  process.on('exit', () => {
    let waitMs = 0;
    try {
      waitMs = Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1e6 || 0;
    } catch {
      // no schedstat (not Linux, or CONFIG_SCHED_INFO off): the wall time is all there is
    }
    appendFileSync(file, `${JSON.stringify({ entry: process.argv[1], wallMs: performance.now(), waitMs })}\n`);
  });
}
