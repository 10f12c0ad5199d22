// End-to-end, canvas and panels (issue 17): auto layout keeps branch order and routes edges
// around nodes on every example; fit view keeps every label readable (screenshots in
// test-artifacts/canvas-fit-*.png); clicking a node shows its Properties (Problems) or its
// lines (Code), and a code line selects its node; the inspector is resizable, remembered per
// user, and the code view goes full width; after publishing the code is for that version.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ROOT, unavailableReason, type RunningApp } from "../../fixtures/designer-app";
import { ARTIFACTS, withDesignerApp } from "./harness";
import { branchOrderProblems, edgeCrossings, type Box, type DrawnEdge } from "../support/layout-check";
import type { FlowGraph } from "../../flow/graph";

const skipReason = unavailableReason();
if (skipReason) console.warn(`[e2e canvas] skipped: ${skipReason}`);

const EXAMPLES = readdirSync(path.join(ROOT, "examples"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, graph: JSON.parse(readFileSync(path.join(ROOT, "examples", f), "utf8")) as FlowGraph }));
const MIN_LABEL_PX = 10;
/** The first line of a node's Lua function body (Monaco shows spaces as no-break spaces). */
const entryLine = (id: string) => new RegExp(`setVariable\\("ivr_node",\\s"${id}"\\)`);

/** The flow-space boxes of the nodes and the drawn edges' polylines, read from the canvas. */
async function drawnGeometry(page: Page): Promise<{ boxes: Box[]; edges: Array<{ id: string; d: string; routed: boolean }> }> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<HTMLElement>(".react-flow__node")].map((el) => {
      const m = /translate\(([-\d.]+)px,\s*([-\d.]+)px\)/.exec(el.style.transform)!;
      return { id: el.dataset.id!, x: Number(m[1]), y: Number(m[2]), width: el.offsetWidth, height: el.offsetHeight };
    });
    const edges = [...document.querySelectorAll<SVGGElement>(".react-flow__edge")].map((g) => {
      const p = g.querySelector<SVGPathElement>("path.react-flow__edge-path")!;
      return { id: g.dataset.id ?? g.getAttribute("data-id")!, d: p.getAttribute("d") ?? "", routed: p.classList.contains("routed") };
    });
    return { boxes, edges };
  });
}

/** "M1 2 L3 4 L5 6" -> points (routed edges are polylines). */
function polyline(d: string): Array<{ x: number; y: number }> {
  return [...d.matchAll(/[ML]\s*([-\d.]+)[ ,]([-\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
}

describe.skipIf(!!skipReason)("canvas and panels end to end", () => {
  const e2e = withDesignerApp();
  let app: RunningApp;
  let page: Page;
  const ids = new Map<string, string>(); // example file -> flow id

  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const waitSaved = () => page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
  const openFlow = async (file: string) => {
    await page.goto(`${app.url}/flows/${ids.get(file)}`);
    await page.locator(".canvas[data-fitted]").waitFor();
  };
  const post = async (url: string, data: unknown) => {
    const r = await page.request.post(`${app.url}${url}`, { headers: { origin: app.url }, data });
    if (!r.ok()) throw new Error(`${url}: ${r.status()} ${await r.text()}`);
    return r.json();
  };

  beforeAll(async () => {
    ({ app, page } = e2e);
    await post("/api/auth/setup", { email: "ada@example.com", name: "Ada Admin", password: "correct horse battery staple" });
    for (const ex of EXAMPLES) {
      const { flow } = (await post("/api/flows/import", { graph: ex.graph })) as { flow: { id: string } };
      ids.set(ex.file, flow.id);
    }
  }, 120_000);

  // One page load per example for both checks: the fit view of the flow as imported, then
  // auto layout on the real, measured nodes.
  for (const { file, graph } of EXAMPLES) {
    it(`${file}: at fit view (1440×900) every node label is at least ${MIN_LABEL_PX} px high; auto layout keeps branches in order and routes no edge across a node`, async () => {
      await openFlow(file);
      await page.evaluate(() => new Promise(requestAnimationFrame));
      const heights = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>(".react-flow__node")].map((n) => {
          // The label shown at this zoom: the node's own, or the level-of-detail one.
          const shown = [...n.querySelectorAll<HTMLElement>(".ivr-node-label, .ivr-node-lod-label")].filter((el) => {
            const cs = getComputedStyle(el);
            return cs.display !== "none" && cs.visibility === "visible" && el.getBoundingClientRect().height > 0;
          });
          return { id: n.dataset.id!, height: shown.length ? Math.max(...shown.map((el) => el.getBoundingClientRect().height)) : 0 };
        }),
      );
      await page.screenshot({ path: path.join(ARTIFACTS, `canvas-fit-${file.replace(/\.json$/, "")}.png`) });
      expect(heights.length).toBe(graph.nodes.length);
      expect(heights.filter((h) => h.height < MIN_LABEL_PX)).toEqual([]);

      await page.getByRole("button", { name: "Auto layout" }).click();
      await page.waitForFunction((n) => document.querySelectorAll(".react-flow__edge-path.routed").length === n, graph.edges.length);
      const { boxes, edges } = await drawnGeometry(page);
      const byId = new Map(graph.edges.map((e) => [e.id!, e]));
      const drawn: DrawnEdge[] = edges.map((e) => ({ id: e.id, source: byId.get(e.id)!.source, target: byId.get(e.id)!.target, points: polyline(e.d) }));
      expect(drawn.every((e) => e.points.length >= 2)).toBe(true);
      expect(edgeCrossings(boxes, drawn)).toEqual([]);
      const canvasEdges = graph.edges.map((e) => ({ source: e.source, sourceHandle: e.outcome, target: e.target }));
      expect(branchOrderProblems(graph.nodes, boxes, canvasEdges)).toEqual([]);
      if (file === "main-menu.json") await page.screenshot({ path: path.join(ARTIFACTS, "canvas-layout-main-menu.png") });
      // Saved now (not after the autosave pause), so the next page load leaves no unsaved work.
      await page.keyboard.press("Control+s");
      await waitSaved();
    });
  }

  it("a laid-out flow opened again draws its edges routed again", async () => {
    await openFlow("main-menu.json");
    const n = EXAMPLES.find((e) => e.file === "main-menu.json")!.graph.edges.length;
    await page.waitForFunction((k) => document.querySelectorAll(".react-flow__edge-path.routed").length === k, n);
  });

  it("clicking a node while Problems is open shows its Properties", async () => {
    await page.getByRole("tab", { name: /Problems/ }).click();
    await node("sales_menu").click();
    await page.getByRole("tab", { name: "Properties", selected: true }).waitFor();
    expect(await page.getByLabel("Label", { exact: true }).first().inputValue()).toBe("Sales menu");
  });

  it("in Code, a clicked node's lines are scrolled to and highlighted, and a clicked line selects its node", async () => {
    await page.getByRole("tab", { name: "Code" }).click();
    await page.getByRole("tab", { name: "Lua" }).click();
    await page.locator(".monaco-editor .view-lines").waitFor();
    // The last node's code is far below the first screen of code.
    const last = EXAMPLES.find((e) => e.file === "main-menu.json")!.graph.nodes.at(-1)!;
    await node(last.id).click();
    expect(await page.getByRole("tab", { name: "Code", selected: true }).count()).toBe(1);
    await page.locator(".monaco-editor .code-node-highlight").first().waitFor();
    await page.locator(".monaco-editor .view-line", { hasText: entryLine(last.id) }).waitFor();

    // The other way: with nothing selected, a line of the sales menu's function selects it.
    await node("sales_menu").click();
    await page.locator(".monaco-editor .view-line", { hasText: entryLine("sales_menu") }).waitFor();
    await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
    await page.locator(".ivr-node.selected").waitFor({ state: "detached" });
    await page.locator(".monaco-editor .view-line", { hasText: entryLine("sales_menu") }).click();
    await node("sales_menu").locator(".ivr-node.selected").waitFor();
    expect(await page.locator(".ivr-node.selected").count()).toBe(1);
  });

  it("resizes the inspector, remembers the width for the user, and shows the code full width", async () => {
    const panel = page.getByRole("complementary", { name: "Inspector" });
    const before = (await panel.boundingBox())!;
    const handle = (await page.getByRole("separator", { name: "Resize the inspector" }).boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + 200);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2 - 220, handle.y + 200, { steps: 6 });
    await page.mouse.up();
    const wider = (await panel.boundingBox())!;
    expect(Math.abs(wider.width - (before.width + 220))).toBeLessThanOrEqual(2);

    await page.reload();
    await page.locator(".canvas[data-fitted]").waitFor();
    expect(Math.abs((await panel.boundingBox())!.width - wider.width)).toBeLessThanOrEqual(1);

    await page.getByRole("tab", { name: "Code" }).click();
    await page.getByRole("button", { name: "Full width" }).click();
    const main = (await page.locator(".designer-main").boundingBox())!;
    expect(Math.abs((await panel.boundingBox())!.width - main.width)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: path.join(ARTIFACTS, "canvas-code-full-width.png") });
    await page.getByRole("button", { name: "Exit full width" }).click();
    expect(Math.abs((await panel.boundingBox())!.width - wider.width)).toBeLessThanOrEqual(1);
  });

  it("after publishing, the code header names the published version; an edit makes it the draft again", async () => {
    const header = () => page.getByTestId("generated-code").textContent();
    await openFlow("voicemail.json");
    await page.getByRole("tab", { name: "Code" }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="generated-code"]')?.textContent?.includes("Flow version: draft"));
    expect(await page.getByTestId("code-version").textContent()).toBe("Draft");

    await page.getByRole("button", { name: "Publish" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish flow" });
    await dialog.getByRole("button", { name: "Publish" }).click();
    await page.getByText("Published version 1").waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="generated-code"]')?.textContent?.includes("Flow version: 1."));
    expect(await page.getByTestId("code-version").textContent()).toBe("Version 1");

    // Opened again later: still version 1 (the draft is unchanged since).
    await page.reload();
    await page.getByRole("tab", { name: "Code" }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="generated-code"]')?.textContent?.includes("Flow version: 1."));

    const first = EXAMPLES.find((e) => e.file === "voicemail.json")!.graph.nodes[1];
    await node(first.id).click();
    await page.getByRole("tab", { name: "Properties" }).click();
    await page.getByLabel("Label", { exact: true }).first().fill("Changed after publishing");
    await page.getByRole("tab", { name: "Code" }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="generated-code"]')?.textContent?.includes("Flow version: draft"));
    expect(await header()).not.toContain("Flow version: 1.");
    expect(await page.getByTestId("code-version").textContent()).toBe("Draft");
  });
});
