// End-to-end: the Calls pages of the built app (server.mjs) in Debian's Chromium, signed in as
// a viewer, over a call log seeded into the app's database before it starts: 30 calls an hour
// apart, newest first in pages of 25, each filter narrowing the list to the calls it should,
// and one call's detail (node timeline, a failed playback and why, digits, variables, cause).
// Then, signed in as an admin, live: a SIPp caller waiting in a menu shows on the Calls page
// with its node and on the designer's overlay, the heat map of the version it runs, and the
// admin's hang-up, which ends the SIPp call.
import { rmSync } from "node:fs";
import path from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { openDatabase } from "../../app/lib/server/db/client";
import { createUser } from "../../app/lib/server/auth/users";
import { ROOT, unavailableReason, type Browser, type RunningApp } from "../../fixtures/designer-app";
import { withDesignerApp } from "./harness";
import { hasSipp, runSipp } from "../sip/sipp-harness";
import { mediaWithPrompts } from "../runtime-app/support";

const skipReason = unavailableReason();
if (skipReason) console.warn(`[e2e calls] skipped: ${skipReason}`);

const CALLS = 30;
const FIRST = Date.parse("2026-11-01T10:00:00Z");
const HOUR = 3_600_000;
const VIEWER = { email: "vera@example.com", password: "viewer password 1" };
const NO_FLOW = new Set([3, 10, 17, 24]);
/** On a busy machine a page can take seconds to answer: poll that long, not expect.poll's 1 s. */
const POLL = { timeout: 10_000 };

/** Call i: an hour after call i-1; called 5000 (even) or 6000 (odd); NO_ANSWER every fifth. */
const callOf = (i: number, flowId: string) => ({
  callId: `call-${String(i).padStart(2, "0")}`,
  from: `1555000${String(i).padStart(2, "0")}`,
  to: i % 2 ? "6000" : "5000",
  flowId: NO_FLOW.has(i) ? null : flowId,
  version: i < 15 ? 1 : 2,
  startedAt: new Date(FIRST + i * HOUR),
  endedAt: new Date(FIRST + i * HOUR + 30_000 + i * 1000),
  cause: i % 5 === 0 ? "NO_ANSWER" : "NORMAL_CLEARING",
});

function eventsOf(i: number) {
  const callId = callOf(i, "").callId;
  const t0 = FIRST + i * HOUR;
  const ev = (seq: number, ms: number, node: string, method: string, args: unknown[], result: unknown = null, error: string | null = null) => ({
    callId, seq, ts: new Date(t0 + ms), node, method, args: args as never, result: result as never, ms: 0, error,
  });
  const events = [
    ev(1, 0, "start", "setVariable", ["ivr_node", "start"]),
    ev(2, 10, "answer", "answer", [], 1),
    ev(3, 20, "welcome", "streamFile", ["ivr/ivr-welcome.wav"], 0, i === CALLS - 1 ? "not found: ivr/ivr-welcome.wav (no such file: /srv/sounds/ivr/ivr-welcome.wav)" : null),
    ev(4, 2020, "main_menu", "playAndGetDigits", [1, 1, 3, 5000, "#", "prompts/acme/main_menu.wav", "ivr/ivr-invalid.wav", "^[120]$"], i % 2 ? "1" : ""),
  ];
  if (i % 2) {
    events.push(ev(5, 6000, "sales_menu", "setVariable", ["customer_tier", "gold"]));
    events.push(ev(6, 6010, "sales_menu", "hangup", ["NORMAL_CLEARING"]));
  }
  return events;
}

describe.skipIf(!!skipReason)("calls pages end to end", () => {
  const media = mediaWithPrompts("main-menu");
  afterAll(() => rmSync(media, { recursive: true, force: true })); // after the app's stop (hooks after run last first)
  // The runtime thread on free SIP/RTP ports, with the main menu's prompts.
  const e2e = withDesignerApp({
    env: { IVR_RTP_PORTS: "45600-45699", IVR_MEDIA_DIR: media, IVR_STARTER_SOUNDS: "0" },
    async seed(dataDir) {
      const db = await openDatabase({ dataDir: path.join(dataDir, "pglite") });
      try {
        const admin = await createUser(db.prisma, { email: "ada@example.com", name: "Ada", password: "admin password 1", role: "admin" });
        await createUser(db.prisma, { email: VIEWER.email, name: "Vera", password: VIEWER.password, role: "viewer" });
        const graph = JSON.parse(readFileSync(path.join(ROOT, "examples/main-menu.json"), "utf8"));
        const flow = await db.prisma.flow.create({ data: { name: "Main menu", graph, createdById: admin.id, updatedById: admin.id } });
        await db.prisma.call.createMany({ data: Array.from({ length: CALLS }, (_, i) => callOf(i, flow.id)) });
        await db.prisma.callEvent.createMany({ data: Array.from({ length: CALLS }, (_, i) => eventsOf(i)).flat() });
      } finally {
        await db.close();
      }
    },
  });
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ app, browser, page } = e2e);
    // The page shows times in the browser's zone: pin it, whatever the machine's.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Emulation.setTimezoneOverride", { timezoneId: "UTC" });
  });

  const rows = () => page.getByRole("table", { name: "Calls" }).locator("tbody tr");
  const column = async (n: number) => rows().evaluateAll((trs, k) => trs.map((tr) => (tr.children[k] as HTMLElement).innerText.trim()), n);
  async function filter(values: Record<string, string>, expectedRows: number) {
    await page.getByRole("button", { name: "Clear" }).click();
    for (const [label, value] of Object.entries(values)) {
      const input = page.getByRole("form", { name: "Call filters" }).getByLabel(label, { exact: true });
      if ((await input.evaluate((el) => el.tagName)) === "SELECT") await input.selectOption({ label: value });
      else await input.fill(value);
    }
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => rows().count(), POLL).toBe(expectedRows);
  }

  it("a viewer signs in and opens Calls from the header: newest first, 25 a page", async () => {
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill(VIEWER.email);
    await page.getByLabel("Password").fill(VIEWER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Vera · viewer").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    await page.waitForURL(/\/calls$/);
    await expect.poll(() => rows().count(), POLL).toBe(25);
    expect(await column(0)).toEqual(Array.from({ length: 25 }, (_, k) => {
      const d = new Date(FIRST + (CALLS - 1 - k) * HOUR);
      return d.toISOString().slice(0, 19).replace("T", " ");
    }));
    // Path length and last node come from each call's events.
    expect((await column(6)).slice(0, 2)).toEqual(["5", "4"]);
    expect((await column(7)).slice(0, 2)).toEqual(["sales_menu", "main_menu"]);
    expect((await column(1))[0]).toBe("155500029");
    await page.getByRole("button", { name: "Older" }).click();
    await expect.poll(() => column(1), POLL).toEqual(["155500004", "155500003", "155500002", "155500001", "155500000"]);
    expect(await page.getByRole("button", { name: "Older" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Newer" }).click();
    await expect.poll(() => rows().count(), POLL).toBe(25);
  });

  it("each filter narrows the list to its calls", async () => {
    await filter({ "Called number": "6000" }, 15);
    expect(new Set(await column(2))).toEqual(new Set(["6000"]));
    await filter({ Caller: "155500012" }, 1);
    await filter({ "Hangup cause": "NO_ANSWER" }, 6);
    expect(await column(1)).toEqual(["155500025", "155500020", "155500015", "155500010", "155500005", "155500000"]);
    await filter({ Version: "2", "Called number": "5000" }, 7);
    await filter({ From: "2026-11-02T00:00", To: "2026-11-02T05:00" }, 5);
    expect(await column(1)).toEqual(["155500018", "155500017", "155500016", "155500015", "155500014"]);
    await filter({ Flow: "Main menu", Version: "1" }, 13);
    expect(new Set(await column(3))).toEqual(new Set(["Main menu"]));
    await filter({ Caller: "999" }, 0);
    await page.getByText("No calls match these filters.").waitFor();
  });

  it("a call's detail: timeline of nodes with times, the failed playback and why, digits, variables, cause", async () => {
    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => rows().count(), POLL).toBe(25);
    await rows().first().getByRole("link").click();
    await page.waitForURL(/\/calls\/[^/]+$/);
    await page.getByRole("heading", { name: "Call from 155500029 to 6000" }).waitFor();
    const timeline = page.getByRole("list", { name: "Timeline" });
    expect(await timeline.locator(":scope > li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-node")))).toEqual([
      "start",
      "answer",
      "welcome",
      "main_menu",
      "sales_menu",
    ]);
    // 2 s in the welcome node (its prompt until the menu), times in the pinned zone.
    await expect.poll(() => timeline.locator('li[data-node="welcome"] > .muted').innerText(), POLL).toBe("2026-11-02 15:00:00 · 2 s");
    const prompts = page.getByRole("table", { name: "Prompts" });
    await prompts.getByText("failed: not found: ivr/ivr-welcome.wav (no such file: /srv/sounds/ivr/ivr-welcome.wav)").waitFor();
    await prompts.getByText("prompts/acme/main_menu.wav").waitFor();
    expect(await page.getByRole("table", { name: "Digits" }).locator("tbody tr td:nth-child(2)").allInnerTexts()).toEqual(["1"]);
    expect(await page.getByRole("table", { name: "Variables" }).locator("tbody tr").first().innerText()).toMatch(/sales_menu\s+customer_tier\s+gold/);
    expect(await page.getByTestId("hangup-cause").innerText()).toBe("NORMAL_CLEARING");
    await page.getByRole("link", { name: "← Calls" }).click();
    await page.waitForURL(/\/calls$/);
  });

  /** fetch from the page: same origin, the session cookie. */
  const apiCall = (method: string, url: string, body?: unknown) =>
    page.evaluate(
      async ([m, u, b]) => {
        const r = await fetch(u as string, { method: m as string, headers: { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      [method, url, body] as const,
    );

  it.skipIf(!hasSipp)("live: a call waiting in a menu on the Calls page and the designer's overlay, the version's heat map, an admin's hang-up", async () => {
    await browser.context.clearCookies();
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("admin password 1");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Ada · admin").waitFor();
    const flow = await apiCall("POST", "/api/flows", { name: "Live menu", template: "main-menu" });
    expect(flow.status).toBe(201);
    const flowId = flow.body.flow.id as string;
    expect((await apiCall("POST", `/api/flows/${flowId}/publish`, { note: "v1", publishAnyway: true })).status).toBe(201);
    expect((await apiCall("POST", "/api/routes", { pattern: "1100", flowId })).status).toBe(201);
    const sipPort = Number(/SIP: udp 127\.0\.0\.1:(\d+)/.exec(app.log())?.[1]);
    expect(sipPort, app.log()).toBeGreaterThan(0);
    await expect.poll(() => /routes updated: 1 route/.test(app.log()), { timeout: 10_000 }).toBe(true);

    await page.goto(`${app.url}/calls`);
    const liveList = page.getByRole("region", { name: "Live calls" });
    await liveList.getByText("0 calls in progress").waitFor();
    const caller = runSipp("lua-wait-bye", sipPort, "1100", ["-timeout", "40s"]);
    const liveRow = liveList.getByRole("table", { name: "In progress" }).locator("tbody tr");
    await expect.poll(() => liveRow.locator('[data-testid="live-node"]').allInnerTexts(), { timeout: 15_000 }).toEqual(["main_menu"]);
    expect(await liveRow.first().innerText()).toMatch(/1100\s+Live menu\s+1\s+main_menu/);

    // The designer: one call sits in the main menu; the heat map of version 1 counts its path.
    const designer = await browser.context.newPage();
    designer.setDefaultTimeout(15_000);
    await designer.goto(`${app.url}/flows/${flowId}`);
    const overlay = designer.getByRole("group", { name: "Calls on the canvas" });
    await overlay.getByLabel("Live calls").check();
    await expect.poll(() => designer.locator('.live-badge[data-node="main_menu"]').innerText().catch(() => ""), POLL).toBe("1");
    expect(await designer.locator(".live-badge").count()).toBe(1);
    await overlay.getByLabel("Heat map").check();
    await designer.getByLabel("Range").selectOption({ label: "All time" });
    await expect.poll(() => designer.getByTestId("heat-summary").innerText().catch(() => ""), POLL).toMatch(/^1 call · completion –/);
    expect(await designer.locator('.heat-edge-label[data-edge="welcome>main_menu"]').innerText()).toBe("1");
    expect(await designer.locator('.heat-node-stats[data-node="welcome"]').innerText()).toMatch(/^1 visit/);
    // The edges taken are drawn hotter than the rest.
    const width = (id: string) => designer.locator(`.react-flow__edge[data-id="${id}"] .react-flow__edge-path`).evaluate((p) => getComputedStyle(p).strokeWidth);
    expect(Number.parseFloat(await width("e_welcome_next"))).toBeGreaterThan(Number.parseFloat(await width("e_main_menu_1")));
    await designer.close();

    // The admin hangs up: SIPp gets our BYE, the list empties, the log says who ended it.
    await liveRow.first().getByRole("button", { name: "Hang up" }).click();
    const r = await caller;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    await liveList.getByText("0 calls in progress").waitFor();
    // The call log is written in batches: its end arrives within a second.
    await expect.poll(async () => (await apiCall("GET", "/api/calls?called=1100")).body.calls[0]?.hangupBy ?? null, { timeout: 5000 }).toBe("admin");
    const ended = (await apiCall("GET", "/api/calls?called=1100")).body.calls[0];
    expect(ended).toMatchObject({ flowName: "Live menu", lastNode: "main_menu", cause: "NORMAL_CLEARING" });

    // Its detail: who hung up, and the path drawn on version 1's canvas (visited nodes highlighted).
    await page.goto(`${app.url}/calls/${ended.id}`);
    await expect.poll(() => page.getByTestId("hangup-by").innerText(), POLL).toBe("an admin (live view)");
    const canvas = page.getByLabel("Path on the flow");
    await canvas.locator(".react-flow__node").first().waitFor();
    const visited = await canvas.locator(".react-flow__node.path-visited").evaluateAll((ns) => ns.map((n) => n.getAttribute("data-id")).sort());
    expect(visited).toEqual(["answer", "main_menu", "start", "welcome"]);
    expect(await canvas.locator('.react-flow__edge.path-taken').count()).toBe(3);
  }, 90_000);
});
