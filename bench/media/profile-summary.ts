// Summarises V8 .cpuprofile files (node --cpu-prof, one per thread): busy time, then the functions
// with the most self time, and the heaviest callers-inclusive entries, so a profile taken under load
// can be read in a terminal.
//   npx tsx bench/media/profile-summary.ts /tmp/prof/ts-600/*.cpuprofile [--top 30]
import { readFileSync } from "node:fs";
import path from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const topIdx = args.indexOf("--top");
const top = topIdx >= 0 ? Number(args[topIdx + 1]) : 25;
const files = args.filter((a, i) => a.endsWith(".cpuprofile") && i !== topIdx + 1);

for (const file of files) {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const label = (n: Node) => {
    const f = n.callFrame;
    const where = f.url ? `${path.basename(f.url.replace(/^file:\/\//, ""))}:${f.lineNumber + 1}` : "";
    return `${f.functionName || "(anonymous)"} ${where}`.trim();
  };
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    total += us;
    const name = label(n);
    if (name.startsWith("(idle)")) idle += us;
    selfBy.set(name, (selfBy.get(name) ?? 0) + us);
    // inclusive: every distinct function on the stack once
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      totalBy.set(l, (totalBy.get(l) ?? 0) + us);
    }
  }
  const wall = (p.endTime - p.startTime) / 1e6;
  const busy = (total - idle) / 1e6;
  console.log(`\n== ${path.basename(file)}: ${wall.toFixed(1)} s wall, ${busy.toFixed(2)} s busy (${((busy / wall) * 100).toFixed(0)} % of a core)`);
  const pct = (us: number) => `${((us / (total - idle)) * 100).toFixed(1).padStart(5)} %`;
  console.log("-- self time (% of busy)");
  for (const [name, us] of [...selfBy].filter(([n]) => !n.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);
  console.log("-- inclusive time (% of busy)");
  for (const [name, us] of [...totalBy].filter(([n]) => !/^\((idle|root|program)\)/.test(n)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);
}
