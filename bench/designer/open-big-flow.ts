// Shared by the designer bench and its profiler: start the built app, sign up, create the
// big flow, and open it once (warming the page chunk).
import type { Page } from "playwright-core";
import { validate, loadFlow } from "../../flow";
import { ensureBuilt, launchBrowser, startApp, type Browser, type RunningApp } from "../../fixtures/designer-app";
import { bigFlow } from "../../fixtures/designer-big-flow";

export interface BigFlowSession {
  app: RunningApp;
  browser: Browser;
  page: Page;
  url: string;
  edges: number;
  close: () => Promise<void>;
}

export async function openBigFlow(count: number): Promise<BigFlowSession> {
  const graph = bigFlow(count);
  const problems = validate(loadFlow(graph)).filter((d) => d.severity === "error");
  if (problems.length) throw new Error(`bench flow is invalid: ${problems[0].message}`);

  ensureBuilt();
  const app = await startApp();
  const browser = await launchBrowser();
  const close = async () => {
    await browser.close();
    await app.stop();
  };
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
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length === n, count);
    await showWholeFlow(page);
    return { app, browser, page, url, edges: graph.edges?.length ?? 0, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Zoom out (the canvas's zoom-out button) until every node is inside the canvas: fit view
 * stops at a readable zoom (app/designer/viewport.ts), and the "fit" drag measures the whole
 * flow in view.
 */
export async function showWholeFlow(page: Page): Promise<void> {
  await page.locator(".canvas[data-fitted]").waitFor();
  for (let i = 0; i < 30; i++) {
    const inside = await page.evaluate(`(() => {
      const pane = document.querySelector(".react-flow").getBoundingClientRect();
      return [...document.querySelectorAll(".react-flow__node")].every((n) => {
        const b = n.getBoundingClientRect();
        return b.left >= pane.left && b.right <= pane.right && b.top >= pane.top && b.bottom <= pane.bottom;
      });
    })()`);
    if (inside) return;
    await page.locator(".react-flow__controls-zoomout").click();
  }
}

/**
 * Drag a node around for `ms` while sampling requestAnimationFrame. Returns the number of
 * mouse moves the page absorbed and the frame intervals.
 */
export async function measureDrag(page: Page, nodeId: string, ms = 2000) {
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
  while (Date.now() - t0 < ms) {
    moves++;
    await page.mouse.move(x0 + 150 * Math.sin(moves / 10), y0 + 80 * Math.cos(moves / 10));
  }
  await page.mouse.up();
  const frames = (await page.evaluate("(() => { window.__sampling = false; return window.__frames; })()")) as number[];
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  const span = frames[frames.length - 1] - frames[0];
  return { moves, intervals, fps: ((frames.length - 1) * 1000) / span };
}
