// Scheduling priority of the calling thread. On Linux the nice value is per thread, so a media
// worker can ask the kernel to run it ahead of the SIP/script thread and of other processes: when
// the machine is busy, a media thread that waits for a CPU is heard as late audio (FreeSWITCH, by
// default, goes further and asks for real-time scheduling). A lower nice value needs privilege
// (CAP_SYS_NICE or RLIMIT_NICE); without it nothing changes and the reason is reported.
import { readlinkSync } from "node:fs";
import os from "node:os";

/** The calling thread's kernel id (Linux; each worker thread has its own), from /proc/thread-self. */
export function currentThreadId(): number | undefined {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export type NiceResult = { ok: true; nice: number } | { ok: false; reason: string };

export function setThreadNice(nice: number): NiceResult {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) return { ok: false, reason: `nice must be an integer in -20..19, got ${nice}` };
  const tid = currentThreadId();
  if (tid === undefined) return { ok: false, reason: "per-thread priority needs Linux (/proc/thread-self)" };
  try {
    os.setPriority(tid, nice);
    return { ok: true, nice: os.getPriority(tid) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
