// End-to-end: the Calls pages of the built app (server.mjs) in Debian's Chromium, signed in as
// a viewer, over a call log seeded into the app's database before it starts: 30 calls an hour
// apart, newest first in pages of 25, each filter narrowing the list to the calls it should,
// and one call's detail (node timeline, a failed playback and why, digits, variables, cause).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { openDatabase } from "../../app/lib/server/db/client";
import { createUser } from "../../app/lib/server/auth/users";
import { ensureBuilt, launchBrowser, ROOT, startApp, unavailableReason, type Browser, type RunningApp } from "../../fixtures/designer-app";

const skipReason = unavailableReason();
if (skipReason) console.warn(`[e2e calls] skipped: ${skipReason}`);

const CALLS = 30;
const FIRST = Date.parse("2026-11-01T10:00:00Z");
const HOUR = 3_600_000;
const VIEWER = { email: "vera@example.com", password: "viewer password 1" };
const NO_FLOW = new Set([3, 10, 17, 24]);

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
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "ivr-e2e-calls-"));
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
    app = await startApp({ dataDir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    // The page shows times in the browser's zone: pin it, whatever the machine's.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Emulation.setTimezoneOverride", { timezoneId: "UTC" });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 30_000);

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
    await expect.poll(() => rows().count()).toBe(expectedRows);
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
    await expect.poll(() => rows().count()).toBe(25);
    expect(await column(0)).toEqual(Array.from({ length: 25 }, (_, k) => {
      const d = new Date(FIRST + (CALLS - 1 - k) * HOUR);
      return d.toISOString().slice(0, 19).replace("T", " ");
    }));
    // Path length and last node come from each call's events.
    expect((await column(6)).slice(0, 2)).toEqual(["5", "4"]);
    expect((await column(7)).slice(0, 2)).toEqual(["sales_menu", "main_menu"]);
    expect((await column(1))[0]).toBe("155500029");
    await page.getByRole("button", { name: "Older" }).click();
    await expect.poll(() => column(1)).toEqual(["155500004", "155500003", "155500002", "155500001", "155500000"]);
    expect(await page.getByRole("button", { name: "Older" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Newer" }).click();
    await expect.poll(() => rows().count()).toBe(25);
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
    await expect.poll(() => rows().count()).toBe(25);
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
    await expect.poll(() => timeline.locator('li[data-node="welcome"] > .muted').innerText()).toBe("2026-11-02 15:00:00 · 2 s");
    const prompts = page.getByRole("table", { name: "Prompts" });
    await prompts.getByText("failed: not found: ivr/ivr-welcome.wav (no such file: /srv/sounds/ivr/ivr-welcome.wav)").waitFor();
    await prompts.getByText("prompts/acme/main_menu.wav").waitFor();
    expect(await page.getByRole("table", { name: "Digits" }).locator("tbody tr td:nth-child(2)").allInnerTexts()).toEqual(["1"]);
    expect(await page.getByRole("table", { name: "Variables" }).locator("tbody tr").first().innerText()).toMatch(/sales_menu\s+customer_tier\s+gold/);
    expect(await page.getByTestId("hangup-cause").innerText()).toBe("NORMAL_CLEARING");
    await page.getByRole("link", { name: "← Calls" }).click();
    await page.waitForURL(/\/calls$/);
  });
});
