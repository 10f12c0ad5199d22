// Analytics benchmark (issue 15): a call log of 1,000,000 CallEvent rows (50,000 calls of 20
// events, two flows, two versions each, 30 days), then each analytics query of
// app/lib/server/analytics.ts timed (median of --runs) with its EXPLAIN ANALYZE summary.
// Target: each query, and a whole analytics answer, under 500 ms. Prints numbers; asserts nothing.
//
//   npx tsx bench/analytics/run.ts [--events 1000000] [--runs 5] [--keep DIR]
//
// PGlite by default (a fresh data folder in the temp dir). With IVR_TEST_DATABASE_URL (an admin
// URL: a scratch database is created and dropped) or DATABASE_URL (used as is: the Call and
// CallEvent rows it seeds stay), the same on PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase, type Database } from "../../app/lib/server/db/client";
import { ANALYTICS_SQL, flowAnalytics } from "../../app/lib/server/analytics";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) || fallback : fallback;
};
const EVENTS = arg("events", 1_000_000);
const RUNS = arg("runs", 5);
const EVENTS_PER_CALL = 20;
const CALLS = Math.ceil(EVENTS / EVENTS_PER_CALL);
const FIRST = Date.parse("2026-11-01T00:00:00Z");
const SPAN_MS = 30 * 24 * 3600 * 1000;
const TARGET_MS = 500;

/**
 * Three paths through a main-menu-like flow, 20 events each, as the runtime logs them: a node
 * entry is setVariable("ivr_node", id) logged with the previous node, then the node's methods.
 */
function paths(): Array<Array<[node: string | null, method: string, args: unknown[], result: unknown, atMs: number]>> {
  const build = (nodes: Array<[string, Array<[string, unknown[], unknown]>]>) => {
    const out: Array<[string | null, string, unknown[], unknown, number]> = [];
    let prev: string | null = null;
    let t = 0;
    for (const [node, methods] of nodes) {
      out.push([prev, "setVariable", ["ivr_node", node], null, t]);
      for (const [method, args, result] of methods) out.push([node, method, args, result, (t += 700)]);
      prev = node;
      t += 300;
    }
    while (out.length < EVENTS_PER_CALL) out.push([prev, "getVariable", ["caller_id_number"], "5551234", (t += 10)]);
    return out.slice(0, EVENTS_PER_CALL);
  };
  const menu = (choice: string) => [["playAndGetDigits", [1, 1, 3, 5000, "#", "prompts/acme/main_menu.wav", "ivr/ivr-invalid.wav", "^[120]$"], choice]] as Array<[string, unknown[], unknown]>;
  const head: Array<[string, Array<[string, unknown[], unknown]>]> = [
    ["start", []],
    ["answer", [["answer", [], 1]]],
    ["welcome", [["streamFile", ["ivr/ivr-welcome.wav"], 1], ["getVariable", ["dtmf"], null]]],
  ];
  return [
    build([...head, ["main_menu", menu("1")], ["sales_menu", menu("2")], ["to_existing_orders", [["transfer", ["2001"], null]]]]),
    build([...head, ["main_menu", menu("2")], ["support_menu", menu("1")], ["to_technical", [["transfer", ["3001"], null]]]]),
    // No input: the menu fails, the operator's bridge, then the caller hangs up.
    build([...head, ["main_menu", menu("")], ["operator", [["execute", ["bridge", "user/1000"], null]]], ["hangup", [["hangup", ["NORMAL_CLEARING"], null]]]]),
  ];
}

async function seed(db: Database, flowIds: string[]): Promise<void> {
  const sql = db.sql;
  await sql.query(`DROP TABLE IF EXISTS bench_path`);
  await sql.query(`CREATE TEMP TABLE bench_path (variant int, k int, node text, method text, args jsonb, result jsonb, at_ms int)`);
  const rows = paths().flatMap((p, variant) => p.map((e, k) => [variant, k, ...e]));
  for (const r of rows) {
    await sql.query(`INSERT INTO bench_path VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`, [r[0], r[1], r[2], r[3], JSON.stringify(r[4]), r[5] === null ? null : JSON.stringify(r[5]), r[6]]);
  }
  // Call i: flow i % 2, version 1 for its first half of the month and 2 after, path i % 3 (so
  // every version sees every path), an even spread over 30 days.
  const t0 = Date.now();
  await sql.query(
    `INSERT INTO "Call" (id, "callId", "from", "to", "flowId", version, "startedAt", "endedAt", cause, "hangupBy")
     SELECT 'bench' || i, 'bench-' || i, '1555' || lpad((i % 10000)::text, 6, '0'), CASE WHEN i % 2 = 0 THEN '5000' ELSE '6000' END,
       CASE WHEN i % 2 = 0 THEN $1 ELSE $2 END, CASE WHEN i < $3 / 2 THEN 1 ELSE 2 END,
       to_timestamp($4::double precision / 1000 + i * $5::double precision / $3)::timestamp,
       to_timestamp($4::double precision / 1000 + i * $5::double precision / $3 + 25 + i % 60)::timestamp,
       CASE WHEN i % 3 = 2 THEN 'NORMAL_CLEARING' WHEN i % 7 = 0 THEN 'ORIGINATOR_CANCEL' ELSE 'NORMAL_CLEARING' END,
       CASE WHEN i % 3 = 2 THEN 'caller' ELSE 'flow' END
     FROM generate_series(0, $3 - 1) AS i`,
    [flowIds[0], flowIds[1], CALLS, FIRST, SPAN_MS / 1000],
  );
  // In slices: one statement of 1,000,000 rows would hold all of it in PGlite's memory at once.
  const SLICE = 5000;
  for (let from = 0; from < CALLS; from += SLICE) {
    await sql.query(
      `INSERT INTO "CallEvent" ("callId", seq, ts, node, method, args, result, ms)
       SELECT 'bench-' || i, p.k + 1, to_timestamp($1::double precision / 1000 + i * $2::double precision / $3 + p.at_ms / 1000.0)::timestamp,
         p.node, p.method, p.args, p.result, 5
       FROM generate_series($4::int, $5::int) AS i JOIN bench_path p ON p.variant = i % 3`,
      [FIRST, SPAN_MS / 1000, CALLS, from, Math.min(CALLS, from + SLICE) - 1],
    );
    if (from % 100_000 === 0) process.stdout.write(`\r  seeding: ${from * EVENTS_PER_CALL} events`);
  }
  process.stdout.write("\r");
  await sql.query(`ANALYZE "Call"`);
  await sql.query(`ANALYZE "CallEvent"`);
  console.log(`seeded ${CALLS.toLocaleString("en")} calls, ${(CALLS * EVENTS_PER_CALL).toLocaleString("en")} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
  "Actual Rows"?: number;
}

/** "Hash Join(Index Scan Call_flowId_version_startedAt_idx, ...)"-like one-liner of a plan: scans and their indexes. */
function planSummary(plan: PlanNode): string {
  const scans: string[] = [];
  const walk = (n: PlanNode) => {
    if (/Scan/.test(n["Node Type"])) scans.push(`${n["Node Type"]}${n["Index Name"] ? ` using ${n["Index Name"]}` : n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""} (${n["Actual Rows"]} rows)`);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(plan);
  return `${plan["Node Type"]}: ${scans.join("; ")}`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  let dropScratch: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url && process.env.IVR_TEST_DATABASE_URL) {
    // A scratch database beside the admin URL's, dropped at the end.
    const admin = process.env.IVR_TEST_DATABASE_URL;
    const { default: pg } = await import("pg");
    const name = `ivr_bench_analytics_${process.pid}`;
    const run = async (sql: string) => {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await run(`CREATE DATABASE "${name}"`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
    dropScratch = () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
  const keep = process.argv.indexOf("--keep");
  if (!url) dataDir = keep > 0 ? process.argv[keep + 1] : mkdtempSync(path.join(os.tmpdir(), "ivr-bench-analytics-"));
  const db = await openDatabase(url ? { url } : { dataDir: path.join(dataDir!, "pglite") });
  console.log(`database: ${db.kind} (${db.location}); ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  try {
    const user = await db.prisma.user.upsert({ where: { email: "bench@example.com" }, create: { email: "bench@example.com", name: "Bench", passwordHash: "x", role: "admin" }, update: {} });
    let flows = await db.prisma.flow.findMany({ where: { name: { startsWith: "bench analytics" } }, orderBy: { name: "asc" } });
    const seeded = flows.length === 2 && (await db.prisma.callEvent.count({ where: { callId: { startsWith: "bench-" } } })) === CALLS * EVENTS_PER_CALL;
    if (!seeded) {
      const graph = { schemaVersion: 1, name: "bench", nodes: paths().flat().filter((e) => e[1] === "setVariable").map((e) => ({ id: String(e[2][1]), kind: e[2][1] === "main_menu" || /_menu$/.test(String(e[2][1])) ? "menu" : e[2][1] === "hangup" ? "hangup" : /^to_/.test(String(e[2][1])) ? "transfer" : "play", params: {} })), edges: [] };
      await db.sql.query(`DELETE FROM "Call" WHERE "callId" LIKE 'bench-%'`);
      flows = [];
      for (const name of ["bench analytics A", "bench analytics B"]) {
        const flow = await db.prisma.flow.create({ data: { name, graph, createdById: user.id, updatedById: user.id } });
        for (const number of [1, 2]) await db.prisma.flowVersion.create({ data: { flowId: flow.id, number, graph, lua: "", ts: "", authorId: user.id } });
        flows.push(flow);
      }
      await seed(db, flows.map((f) => f.id));
    } else console.log(`reusing the seeded ${(CALLS * EVENTS_PER_CALL).toLocaleString("en")} events`);

    const flowId = flows[0].id;
    const week = { since: new Date(FIRST + 7 * 24 * 3600 * 1000), until: new Date(FIRST + 14 * 24 * 3600 * 1000) };
    const cases = [
      { name: "version 1, whole month", q: { flowId, version: 1 } },
      { name: "version 2, one week", q: { flowId, version: 2, since: new Date(FIRST + 16 * 24 * 3600 * 1000), until: new Date(FIRST + 23 * 24 * 3600 * 1000) } },
      { name: "version 1, one week", q: { flowId, version: 1, ...week } },
    ];
    const FAR_PAST = new Date("1970-01-01T00:00:00Z");
    const FAR_FUTURE = new Date("9999-01-01T00:00:00Z");
    for (const c of cases) {
      const totals: number[] = [];
      let answer;
      for (let r = 0; r < RUNS + 1; r++) {
        const t0 = performance.now();
        answer = await flowAnalytics(db.prisma, c.q);
        if (r > 0) totals.push(performance.now() - t0); // the first run warms caches
      }
      const visits = answer!.nodes.reduce((s, n) => s + n.visits, 0);
      console.log(`\n${c.name}: ${answer!.calls} calls, ${visits} node visits; whole answer median ${median(totals).toFixed(0)} ms (max ${Math.max(...totals).toFixed(0)}), target < ${TARGET_MS} ms`);
      const params = [c.q.flowId, c.q.version, (c.q as { since?: Date }).since ?? FAR_PAST, (c.q as { until?: Date }).until ?? FAR_FUTURE];
      for (const [name, sql] of Object.entries(ANALYTICS_SQL)) {
        const times: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const t0 = performance.now();
          await db.prisma.$queryRawUnsafe(sql, ...params);
          times.push(performance.now() - t0);
        }
        const [row] = await db.prisma.$queryRawUnsafe<Array<{ "QUERY PLAN": unknown }>>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, ...params);
        const plan = (typeof row["QUERY PLAN"] === "string" ? JSON.parse(row["QUERY PLAN"]) : row["QUERY PLAN"]) as Array<{ Plan: PlanNode; "Execution Time": number }>;
        console.log(`  ${name.padEnd(8)} ${median(times).toFixed(0).padStart(5)} ms (server ${plan[0]["Execution Time"].toFixed(0)} ms)  ${planSummary(plan[0].Plan)}`);
      }
    }
  } finally {
    await db.close();
    await dropScratch?.();
    if (dataDir && keep < 0) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
