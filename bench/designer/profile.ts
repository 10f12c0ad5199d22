// Where a drag's frame time goes, with the whole big flow in view: a Chromium trace of a
// 2 s drag (main-thread time per event name) and a V8 CPU profile (self time per function).
//   npx tsx bench/designer/profile.ts [nodeCount] [trace.json]
import { writeFileSync } from "node:fs";
import { measureDrag, openBigFlow } from "./open-big-flow";

const COUNT = Number(process.argv[2] ?? 300);
const TRACE_FILE = process.argv[3] || undefined;
const NODE = process.argv[4] ?? "n13";

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

const { page, close } = await openBigFlow(COUNT);
try {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", (e) => {
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Tracing.start", {
    categories: "devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,gpu,v8",
    transferMode: "ReportEvents",
  });
  await cdp.send("Profiler.start");
  const viewport = () => page.locator(".react-flow__viewport").getAttribute("style");
  const before = await viewport();
  const drag = await measureDrag(page, NODE);
  const after = await viewport();
  const { profile } = (await cdp.send("Profiler.stop")) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  await cdp.send("Tracing.end");
  await done;
  if (TRACE_FILE) writeFileSync(TRACE_FILE, JSON.stringify({ traceEvents: events }));

  console.log(`drag ${NODE}: fps ${drag.fps.toFixed(1)}, moves ${drag.moves}`);
  console.log(`viewport ${before === after ? "unchanged" : `auto-panned: ${before} -> ${after}`}`);
  // The renderer's main thread: the one named CrRendererMain in the page's process.
  const mains = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const byName = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== "X" || !e.dur || !mains.some((m) => m.pid === e.pid && m.tid === e.tid)) continue;
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
  }
  console.log("main-thread ms by event (inclusive, nested events overlap):");
  for (const [name, ms] of top(byName, 25)) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);

  const byFn = new Map<string, number>();
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const f = nodeById.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
  });
  console.log("JS self time ms by function:");
  for (const [name, ms] of top(byFn, 30)) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);
} finally {
  await close();
}
