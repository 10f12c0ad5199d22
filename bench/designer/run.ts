// Designer performance on a 300-node flow, in Debian's Chromium against the built app:
// time to interactive, code regeneration after an edit, frame times while dragging a node.
// Targets: interactive < 2000 ms, regenerate < 100 ms, dragging >= 50 fps. Prints numbers only.
//   npx tsx bench/designer/run.ts [nodeCount]
import { measureDrag, openBigFlow, showWholeFlow } from "./open-big-flow";

const COUNT = Number(process.argv[2] ?? 300);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const fmt = (n: number) => n.toFixed(1);

const { page, url, edges, close } = await openBigFlow(COUNT);
try {
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
  // first with the whole flow in view (fit view), then zoomed to 100 % around a node.
  await page.getByRole("tab", { name: "Properties" }).click();
  await showWholeFlow(page);
  // A node in the middle: dragging it ±150 px stays clear of the canvas border, so React
  // Flow's auto-pan does not start and the whole flow stays in view. n13 sits near the top
  // border: its drag auto-pans the viewport every frame (reported separately).
  const dragFit = await measureDrag(page, `n${Math.floor(COUNT / 2)}`);
  const dragFitAutoPan = await measureDrag(page, "n13");
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
  console.log(`edges ${edges}`);
  console.log(`time_to_interactive_ms ${fmt(median(ttis))}`);
  console.log(`time_to_interactive_ms_max ${fmt(Math.max(...ttis))}`);
  console.log(`regenerate_ms_median ${fmt(median(regen))}`);
  console.log(`regenerate_ms_max ${fmt(Math.max(...regen))}`);
  for (const [name, d] of [["fit", dragFit], ["fit_autopan", dragFitAutoPan], ["zoom100", drag100]] as const) {
    console.log(`drag_${name}_moves ${d.moves}`);
    console.log(`drag_${name}_fps ${fmt(d.fps)}`);
    console.log(`drag_${name}_frame_ms_median ${fmt(median(d.intervals))}`);
    console.log(`drag_${name}_frame_ms_p95 ${fmt(pct(d.intervals, 0.95))}`);
    console.log(`drag_${name}_frame_ms_max ${fmt(Math.max(...d.intervals))}`);
  }
} finally {
  await close();
}
