// Designer performance on a 300-node flow, in Debian's Chromium against the built app:
// time to interactive, code regeneration after an edit, frame times while dragging a node.
// Targets: interactive < 2000 ms, regenerate < 100 ms, dragging >= 50 fps. Prints numbers only.
//   npx tsx bench/designer/run.ts [nodeCount]
import { validate, loadFlow } from "../../flow";
import type { Page } from "playwright-core";
import { ensureBuilt, launchBrowser, startApp } from "../../test/e2e/harness";
import { bigFlow } from "./big-flow";

const COUNT = Number(process.argv[2] ?? 300);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const fmt = (n: number) => n.toFixed(1);

async function measureDrag(page: Page, nodeId: string) {
  const box = (await page.locator(`.react-flow__node[data-id="${nodeId}"]`).boundingBox())!;
  // A string, not a function: tsx's name helpers would not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__sampling = true;
    const tick = (t) => {
      window.__frames.push(t);
      if (window.__sampling) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const x0 = box.x + box.width / 2;
  const y0 = box.y + Math.min(12, box.height / 3);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  const t0 = Date.now();
  let moves = 0;
  while (Date.now() - t0 < 2000) {
    moves++;
    await page.mouse.move(x0 + 150 * Math.sin(moves / 10), y0 + 80 * Math.cos(moves / 10));
  }
  await page.mouse.up();
  const frames = (await page.evaluate("(() => { window.__sampling = false; return window.__frames; })()")) as number[];
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  const span = frames[frames.length - 1] - frames[0];
  return { moves, intervals, fps: ((frames.length - 1) * 1000) / span };
}

const graph = bigFlow(COUNT);
const problems = validate(loadFlow(graph)).filter((d) => d.severity === "error");
if (problems.length) throw new Error(`bench flow is invalid: ${problems[0].message}`);

ensureBuilt();
const app = await startApp();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  const setup = await page.request.post(`${app.url}/api/auth/setup`, {
    headers: { origin: app.url },
    data: { email: "bench@example.com", name: "Bench", password: "bench password 1234" },
  });
  if (!setup.ok()) throw new Error(`setup failed: ${setup.status()} ${await setup.text()}`);
  const created = await page.request.post(`${app.url}/api/flows`, { headers: { origin: app.url }, data: { name: graph.name, graph } });
  if (!created.ok()) throw new Error(`create failed: ${created.status()} ${await created.text()}`);
  const { flow } = (await created.json()) as { flow: { id: string } };
  const url = `${app.url}/flows/${flow.id}`;

  // Warm the server's route once (first compile of the page chunk is not the designer's cost).
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length === n, COUNT);

  // 1. Time to interactive: navigation start -> every node rendered and measured (visible).
  const ttis: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(url);
    await page.waitForFunction(
      (n) => {
        const nodes = document.querySelectorAll<HTMLElement>(".react-flow__node");
        return nodes.length === n && [...nodes].every((el) => el.style.visibility !== "hidden");
      },
      COUNT,
      { polling: "raf", timeout: 30_000 },
    );
    ttis.push(await page.evaluate(() => performance.now()));
  }

  // 2. Regeneration after an edit (code view open): generate() + Monaco update.
  await page.getByRole("tab", { name: "Code" }).click();
  await page.locator(".monaco-editor .view-lines").waitFor({ timeout: 30_000 });
  await page.locator('.react-flow__node[data-id="n5"]').click();
  const regen: number[] = [];
  for (let i = 0; i < 7; i++) {
    const before = await page.evaluate(() => window.__ivrDesignerMetrics?.regenerations ?? 0);
    await page.getByRole("tab", { name: "Properties" }).click();
    await page.getByLabel("Message").fill(`edited ${i}`);
    await page.getByRole("tab", { name: "Code" }).click();
    await page.waitForFunction((b) => (window.__ivrDesignerMetrics?.regenerations ?? 0) > b, before);
    regen.push(await page.evaluate(() => window.__ivrDesignerMetrics!.regenerateMs));
  }

  // 3. Dragging: sample requestAnimationFrame while the mouse drags a node around for 2 s,
  // first with the whole flow in view (fit view), then zoomed to 100 % around the node.
  await page.getByRole("tab", { name: "Properties" }).click();
  const dragFit = await measureDrag(page, "n13");
  const zoom = async () =>
    Number(
      /scale\(([\d.]+)\)/.exec((await page.locator(".react-flow__viewport").getAttribute("style")) ?? "")?.[1] ?? 1,
    );
  for (let i = 0; i < 30 && (await zoom()) < 1; i++) {
    const b = (await page.locator('.react-flow__node[data-id="n13"]').boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(60);
  }
  const drag100 = await measureDrag(page, "n13");

  console.log(`nodes ${COUNT}`);
  console.log(`edges ${graph.edges?.length ?? 0}`);
  console.log(`time_to_interactive_ms ${fmt(median(ttis))}`);
  console.log(`time_to_interactive_ms_max ${fmt(Math.max(...ttis))}`);
  console.log(`regenerate_ms_median ${fmt(median(regen))}`);
  console.log(`regenerate_ms_max ${fmt(Math.max(...regen))}`);
  for (const [name, d] of [["fit", dragFit], ["zoom100", drag100]] as const) {
    console.log(`drag_${name}_moves ${d.moves}`);
    console.log(`drag_${name}_fps ${fmt(d.fps)}`);
    console.log(`drag_${name}_frame_ms_median ${fmt(median(d.intervals))}`);
    console.log(`drag_${name}_frame_ms_p95 ${fmt(pct(d.intervals, 0.95))}`);
    console.log(`drag_${name}_frame_ms_max ${fmt(Math.max(...d.intervals))}`);
  }
} finally {
  await browser.close();
  await app.stop();
}
