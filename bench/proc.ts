/** What the benchmarks read of a process from /proc. */
import { readFileSync } from 'node:fs';

/** utime + stime of a process so far, every thread, in ms (USER_HZ 100); NaN once it is gone. */
export function processCpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
