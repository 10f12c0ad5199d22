// End-to-end: the built app (server.mjs, fresh database) driven through Debian's Chromium.
// Covers sign-up, palette drag and drop, handle-to-handle connections, the generated
// properties form, validation, the Lua view, persistence, the edit conflict between two
// tabs, publishing and the bundle download; the quick-add, Speak, publish-dialog and Versions
// details of issue 17 ("forms"). Screenshots go to test-artifacts/.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchBrowser, ROOT, unavailableReason, type Browser, type RunningApp } from "../../fixtures/designer-app";
import { ARTIFACTS, withDesignerApp } from "./harness";

const skipReason = unavailableReason();
if (skipReason) console.warn(`[e2e designer] skipped: ${skipReason}`);

const FLOW_NAME = "E2E flow";

/** A flow of its own for the forms cases: Start, a Speak node, Hangup. */
const formsGraph = {
  schemaVersion: 1,
  name: "Forms flow",
  description: "",
  nodes: [
    { id: "start", kind: "start", label: "Start", params: {}, position: { x: 0, y: 0 } },
    { id: "speak_1", kind: "speak", label: "Greeting", params: { text: "Hello" }, position: { x: 0, y: 160 } },
    { id: "hangup_1", kind: "hangup", label: "Bye", params: {}, position: { x: 0, y: 320 } },
  ],
  edges: [
    { source: "start", outcome: "next", target: "speak_1" },
    { source: "speak_1", outcome: "next", target: "hangup_1" },
  ],
};

describe.skipIf(!!skipReason)("designer end to end", () => {
  const e2e = withDesignerApp({ downloadsPath: ARTIFACTS });
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let flowUrl = "";
  beforeAll(() => {
    ({ app, browser, page } = e2e);
  });

  const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(ARTIFACTS, `e2e-${name}.png`) });
  const node = (id: string, p: Page = page) => p.locator(`.react-flow__node[data-id="${id}"]`);
  const saveStatus = (p: Page = page) => p.getByRole("status", { name: "Save status" });
  const waitSaved = (p: Page = page) => p.locator(".save-status", { hasText: /^Saved$/ }).waitFor();

  async function dropFromPalette(kind: string, dx: number, dy: number) {
    const canvas = (await page.locator(".react-flow__pane").boundingBox())!;
    await page.dragAndDrop(`.palette-item[data-kind="${kind}"]`, ".react-flow__pane", {
      targetPosition: { x: canvas.width / 2 + dx, y: canvas.height / 2 + dy },
    });
  }

  async function connect(source: string, outcome: string, target: string) {
    const from = (await page.locator(`.react-flow__handle[data-nodeid="${source}"][data-handleid="${outcome}"]`).boundingBox())!;
    const to = (await node(target).locator(".react-flow__handle.target").boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await page.locator(`.react-flow__edge[data-id="e:${source}:${outcome}"]`).waitFor({ state: "attached" });
  }

  it("signs up the first admin", async () => {
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login/);
    await page.getByRole("heading", { name: "Create the admin account" }).waitFor();
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await shot("01-setup");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();
    await page.getByText("Ada Admin · admin").waitFor();
  });

  it("creates a flow and draws it with the palette and handles", async () => {
    await page.getByLabel("New flow name").fill(FLOW_NAME);
    await page.getByRole("button", { name: "Create flow" }).click();
    await page.waitForURL(/\/flows\/[^/]+$/);
    flowUrl = page.url();
    await node("start").waitFor();

    await dropFromPalette("menu", -60, 120);
    await node("menu_1").waitFor();
    await dropFromPalette("hangup", 120, 300);
    await node("hangup_1").waitFor();
    expect(await page.locator(".react-flow__node").count()).toBe(3);

    await connect("start", "next", "menu_1");
    await connect("menu_1", "failed", "hangup_1");
    expect(await page.locator(".react-flow__edge").count()).toBe(2);
  });

  it("edits Menu parameters, with inline validation and a regex test box", async () => {
    await node("menu_1").click();
    const prompt = page.getByLabel("Prompt", { exact: true });
    // A new Menu has no prompt: validate() reports it on the field and in Problems.
    const promptError = page.locator(".field-errors li", { hasText: "Prompt is empty" });
    await promptError.waitFor();
    await page.getByRole("tab", { name: /Problems/ }).click();
    const problem = page.locator(".diagnostics button", { hasText: "Prompt is empty" });
    await problem.waitFor();
    await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
    await problem.click();
    await node("menu_1").locator(".ivr-node.selected").waitFor();
    await shot("02-problems");

    await page.getByRole("tab", { name: "Properties" }).click();
    await prompt.fill("ivr/ivr-welcome.wav");
    await promptError.waitFor({ state: "detached" });
    await page.getByRole("tab", { name: /Problems/ }).click();
    await problem.waitFor({ state: "detached" });
    await page.getByRole("tab", { name: "Properties" }).click();

    await page.getByRole("button", { name: "Add choice" }).click();
    await page.getByLabel("Digits or pattern", { exact: true }).fill("1");
    await page.getByLabel("Label", { exact: true }).last().fill("Sales");
    const tester = page.getByLabel("Test digits or pattern");
    await tester.fill("1");
    expect(await page.locator(".regex-result").textContent()).toBe("match");
    await tester.fill("12");
    expect(await page.locator(".regex-result").textContent()).toBe("no match");

    // The choice became an outcome handle; connect it.
    await page.locator('.react-flow__handle[data-nodeid="menu_1"][data-handleid="1"]').waitFor();
    await connect("menu_1", "1", "hangup_1");
    await shot("03-menu");
  });

  it("shows the node's Lua and highlights its lines", async () => {
    await page.getByRole("tab", { name: "Code" }).click();
    await page.getByRole("tab", { name: "Lua" }).click();
    const code = page.getByTestId("generated-code");
    await page.waitForFunction(() => document.querySelector('[data-testid="generated-code"]')?.textContent?.includes("playAndGetDigits"));
    const lua = (await code.textContent()) ?? "";
    expect(lua).toContain("menu_1");
    expect(lua).toContain("ivr/ivr-welcome.wav");
    await node("menu_1").click();
    await page.locator(".monaco-editor .code-node-highlight").first().waitFor();
    await page.waitForFunction(() => document.querySelector(".monaco-editor .view-lines")?.textContent?.includes("playAndGetDigits"));
    await shot("04-code");

    // The other way round: with nothing selected, clicking a line of the menu's Lua selects the menu.
    await page.locator(".react-flow__pane").click({ position: { x: 10, y: 10 } });
    await node("menu_1").locator(".ivr-node.selected").waitFor({ state: "detached" });
    await page.locator(".monaco-editor .view-line", { hasText: "playAndGetDigits" }).first().click();
    await node("menu_1").locator(".ivr-node.selected").waitFor();
    expect(await page.locator(".ivr-node.selected").count()).toBe(1);
  });

  it("autosaves, and the flow is still there after a reload", async () => {
    await waitSaved();
    await page.reload();
    await node("menu_1").waitFor();
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__edge").length === 3);
    await node("menu_1").click();
    expect(await page.getByLabel("Prompt", { exact: true }).inputValue()).toBe("ivr/ivr-welcome.wav");
    expect(await page.getByLabel("Digits or pattern", { exact: true }).inputValue()).toBe("1");
  });

  it("stops the stale tab with the conflict message", async () => {
    const other = await browser.context.newPage();
    try {
      await other.goto(flowUrl);
      await node("hangup_1", other).waitFor();

      await node("menu_1").click();
      await page.getByLabel("Label", { exact: true }).first().fill("Main menu");
      await page.locator(".save-status", { hasText: /^Unsaved$|^Saving/ }).waitFor();
      await waitSaved();

      await node("hangup_1", other).click();
      await other.getByLabel("Label", { exact: true }).first().fill("Goodbye");
      const banner = other.locator(".conflict-banner");
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/revision/i);
      expect(await saveStatus(other).textContent()).toBe("Conflict");
      await shot("05-conflict", other);
      // Nothing is saved from the stale tab any more.
      await other.getByLabel("Label", { exact: true }).first().fill("Goodbye again");
      await other.waitForTimeout(1500);
      expect(await saveStatus(other).textContent()).toBe("Conflict");
    } finally {
      await other.close();
    }
    const res = await page.request.get(`${app.url}/api/flows/${flowUrl.split("/").pop()}`);
    const { flow } = (await res.json()) as { flow: { graph: { nodes: Array<{ id: string; label: string }> } } };
    expect(flow.graph.nodes.find((n) => n.id === "menu_1")?.label).toBe("Main menu");
    expect(flow.graph.nodes.find((n) => n.id === "hangup_1")?.label).not.toMatch(/Goodbye/);
  });

  it("publishes version 1 and lists it", async () => {
    await page.getByRole("button", { name: "Publish" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish flow" });
    await dialog.getByLabel("Note").fill("First release");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await page.getByText("Published version 1").waitFor();
    await page.getByRole("link", { name: "Versions" }).click();
    await page.getByRole("button", { name: "Show changes in version 1" }).waitFor();
    expect(await page.getByRole("cell", { name: "First release" }).count()).toBe(1);
    await shot("06-versions");
  });

  it("rolls back to version 1 from the history: version 3, and the draft is version 1's graph", async () => {
    const flowApi = `${app.url}/api/flows/${flowUrl.split("/").pop()}`;
    await page.goto(flowUrl);
    await node("hangup_1").click();
    await page.getByLabel("Label", { exact: true }).first().fill("Bye v2");
    await waitSaved();
    await page.getByRole("button", { name: "Publish" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish flow" });
    await dialog.getByLabel("Note").fill("Second release");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await page.getByText("Published version 2").waitFor();

    await page.getByRole("link", { name: "Versions" }).click();
    const row1 = page.locator("tr", { has: page.getByRole("button", { name: "Show changes in version 1" }) });
    await row1.getByRole("button", { name: "Roll back to this" }).click();
    await page.getByRole("dialog", { name: "Roll back" }).getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("status").filter({ hasText: "published again as version 3" }).waitFor();
    await page.getByRole("button", { name: "Show changes in version 3" }).waitFor();
    await shot("06c-rollback");

    type Graph = { nodes: Array<{ id: string; label: string }>; edges: unknown[]; settings: unknown };
    const v1 = ((await (await page.request.get(`${flowApi}/versions/1`)).json()) as { version: { graph: Graph } }).version.graph;
    const draft = ((await (await page.request.get(flowApi)).json()) as { flow: { graph: Graph } }).flow.graph;
    expect(draft.nodes.find((n) => n.id === "hangup_1")?.label).not.toBe("Bye v2");
    expect({ nodes: draft.nodes, edges: draft.edges, settings: draft.settings }).toEqual({ nodes: v1.nodes, edges: v1.edges, settings: v1.settings });
    const { versions } = (await (await page.request.get(`${flowApi}/versions`)).json()) as { versions: Array<{ number: number }> };
    expect(versions.map((v) => v.number).sort()).toEqual([1, 2, 3]);
  });

  it("publish dialog shows an invalid flow's errors before the click, and holds Publish", async () => {
    const graph = {
      schemaVersion: 1,
      name: "Broken flow",
      description: "",
      nodes: [
        { id: "start", kind: "start", label: "Start", params: {}, position: { x: 0, y: 0 } },
        { id: "menu_1", kind: "menu", label: "Menu without prompt", params: { prompt: "" }, position: { x: 0, y: 160 } },
      ],
      edges: [{ source: "start", outcome: "next", target: "menu_1" }],
    };
    const res = await page.request.post(`${app.url}/api/flows`, { headers: { origin: app.url }, data: { name: "Broken flow", graph } });
    expect(res.status()).toBe(201);
    const { flow } = (await res.json()) as { flow: { id: string } };
    await page.goto(`${app.url}/flows/${flow.id}`);
    await node("menu_1").waitFor();
    await page.getByRole("button", { name: "Publish" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish flow" });
    // Checked when the dialog opened: listed, pointing at the node, before any click on Publish.
    const problems = dialog.getByRole("region", { name: "Problems" });
    const listed = problems.locator(".diagnostics li", { hasText: "Prompt is empty" });
    await listed.waitFor();
    expect(await problems.textContent()).toMatch(/Menu without prompt · menu_1/);
    expect(await problems.textContent()).toMatch(/\d+ errors? must be fixed before this flow can be published/);
    expect(await dialog.getByRole("button", { name: "Publish" }).isDisabled()).toBe(true);
    await shot("06d-publish-refused");
    // A listed problem takes you to its node.
    await listed.getByRole("button").click();
    await node("menu_1").locator(".ivr-node.selected").waitFor();
    const { versions } = (await (await page.request.get(`${app.url}/api/flows/${flow.id}/versions`)).json()) as { versions: unknown[] };
    expect(versions).toEqual([]);
  });

  it("has shortcuts: help, quick-add, undo/redo, copy/paste, delete, auto layout", async () => {
    await page.goto(flowUrl);
    await node("menu_1").waitFor();
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ state: "detached" });

    await page.locator(".react-flow__pane").dblclick({ position: { x: 30, y: 30 } });
    await page.getByLabel("Quick add search").fill("log");
    await page.keyboard.press("Enter");
    await node("log_1").waitFor();
    await page.keyboard.press("Control+z");
    await node("log_1").waitFor({ state: "detached" });
    await page.keyboard.press("Control+Shift+z");
    await node("log_1").waitFor();

    await node("log_1").click();
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await node("log_2").waitFor();
    await page.keyboard.press("Delete");
    await node("log_2").waitFor({ state: "detached" });
    await node("log_1").click();
    await page.keyboard.press("Delete");
    await node("log_1").waitFor({ state: "detached" });

    const before = await node("hangup_1").getAttribute("style");
    await page.getByRole("button", { name: "Auto layout" }).click();
    await page.waitForFunction((b) => document.querySelector('.react-flow__node[data-id="hangup_1"]')?.getAttribute("style") !== b, before);
    await waitSaved();
    expect(await page.locator(".react-flow__node").count()).toBe(3);
    await shot("06b-layout");
  });

  it("downloads the export bundle", async () => {
    await page.goto(`${app.url}/`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: `Download bundle of ${FLOW_NAME}` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const file = await download.path();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    await shot("07-flows");
  });

  it("creates a route, and a flow in use cannot be deleted", async () => {
    await page.getByRole("link", { name: "Routes" }).click();
    await page.getByRole("button", { name: "New route" }).click();
    await page.getByLabel("Pattern").fill("5551000");
    await page.getByLabel("Flow", { exact: true }).selectOption({ label: FLOW_NAME });
    await page.getByRole("button", { name: "Create route" }).click();
    await page.getByRole("cell", { name: "5551000", exact: true }).first().waitFor();
    await shot("07b-routes");
    expect(await page.locator('table[aria-label="Routes"] tbody tr').count()).toBe(1);

    await page.getByRole("link", { name: "Flows" }).click();
    await page.getByRole("button", { name: `Delete ${FLOW_NAME}` }).click();
    await page.getByRole("dialog", { name: "Delete flow" }).getByRole("button", { name: "Delete" }).click();
    const inUse = page.getByRole("dialog", { name: "Flow in use" });
    await inUse.waitFor();
    expect(await inUse.textContent()).toContain("5551000");
    await shot("08-in-use");
    await inUse.getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByRole("link", { name: FLOW_NAME, exact: true }).count()).toBe(1);
  });

  it("imports, duplicates and renames flows from the list", async () => {
    await page.goto(`${app.url}/`);
    const rows = page.locator('table[aria-label="Flows"] tbody tr');
    await rows.first().waitFor();
    const before = await rows.count();
    await page.getByLabel("Import flow JSON").setInputFiles(path.join(ROOT, "examples", "main-menu.json"));
    await page.getByRole("status").filter({ hasText: "Imported main-menu.json" }).waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Flows"] tbody tr').length === n, before + 1);

    await page.getByRole("button", { name: `Duplicate ${FLOW_NAME}` }).click();
    await page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Flows"] tbody tr').length === n, before + 2);

    await page.getByRole("button", { name: `Rename ${FLOW_NAME}`, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Rename flow" });
    await dialog.getByLabel("Name").fill("E2E renamed");
    await dialog.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("link", { name: "E2E renamed", exact: true }).waitFor();
    await shot("09-flows");
  });

  const users = {
    editor: { email: "eddie@example.com", name: "Eddie Editor", password: "editor password 1234" },
    viewer: { email: "vera@example.com", name: "Vera Viewer", password: "viewer password 1234" },
  };

  it("adds an editor and a viewer, an API token, and the HTTP allow-list as admin", async () => {
    await page.goto(`${app.url}/`);
    await page.getByRole("link", { name: "Users & settings" }).click();
    await page.getByRole("heading", { name: "Users & settings" }).waitFor();
    const form = page.getByRole("form", { name: "Add a user" });
    for (const [role, u] of Object.entries(users)) {
      await form.getByLabel("Email").fill(u.email);
      await form.getByLabel("Name", { exact: true }).fill(u.name);
      await form.getByLabel("Initial password").fill(u.password);
      await form.getByLabel("Role").selectOption(role);
      // These two sign in with this password below (the forced change has its own test: users.test.ts).
      await form.getByLabel("Must change it at first sign-in").uncheck();
      await form.getByRole("button", { name: "Add user" }).click();
      await page.getByRole("cell", { name: u.email, exact: true }).waitFor();
    }
    const rows = page.locator('table[aria-label="Users"] tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await page.getByLabel(`Role of ${users.viewer.email}`).inputValue()).toBe("viewer");

    // A token is shown once and works as a Bearer token until revoked.
    await page.getByLabel("Token name").fill("CI deploy");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").textContent()) ?? "";
    expect(token).toMatch(/^ivr_/);
    await page.getByRole("status", { name: "New API token" }).getByRole("button", { name: "Copy" }).waitFor();
    const whoAmI = async () =>
      ((await (await fetch(`${app.url}/api/auth/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as { user: { email: string } | null })
        .user?.email ?? null;
    expect(await whoAmI()).toBe("admin@example.com");

    await page.getByLabel("Allowed hosts").fill("api.example.com\n*.example.org");
    await page.getByRole("button", { name: "Save allow-list" }).click();
    await page.getByRole("status").filter({ hasText: "Saved 2 host(s)" }).waitFor();
    const settings = (await (await page.request.get(`${app.url}/api/settings`)).json()) as { httpAllowList: string[] };
    expect(settings.httpAllowList).toEqual(["api.example.com", "*.example.org"]);
    await shot("10-users");

    await page.getByRole("button", { name: "Revoke token CI deploy" }).click();
    await page.getByRole("button", { name: "Revoke token CI deploy" }).waitFor({ state: "detached" });
    expect(await whoAmI()).toBeNull();
  });

  it("shows a viewer the flow read-only and sends no change; an editor cannot publish Custom code", async () => {
    // A flow with Custom code (admin-only), made by the admin.
    const custom = await page.request.post(`${app.url}/api/flows`, {
      headers: { origin: app.url },
      data: {
        name: "Custom code flow",
        graph: {
          schemaVersion: 1,
          name: "Custom code flow",
          description: "",
          nodes: [
            { id: "start", kind: "start", label: "Start", params: {}, position: { x: 0, y: 0 } },
            { id: "custom_code_1", kind: "custom_code", label: "Custom", params: {}, position: { x: 0, y: 160 } },
            { id: "hangup_1", kind: "hangup", label: "Bye", params: {}, position: { x: 0, y: 320 } },
          ],
          edges: [
            { source: "start", outcome: "next", target: "custom_code_1" },
            { source: "custom_code_1", outcome: "next", target: "hangup_1" },
          ],
        },
      },
    });
    expect(custom.status()).toBe(201);
    const customId = ((await custom.json()) as { flow: { id: string } }).flow.id;

    const fresh = await launchBrowser();
    try {
      const p = await fresh.context.newPage();
      p.setDefaultTimeout(15_000);
      const signIn = async (u: { email: string; password: string }) => {
        await fresh.context.clearCookies();
        await p.goto(`${app.url}/login`);
        await p.getByLabel("Email").fill(u.email);
        await p.getByLabel("Password").fill(u.password);
        await p.getByRole("button", { name: "Sign in" }).click();
        await p.getByRole("heading", { name: "Flows" }).waitFor();
      };

      await signIn(users.viewer);
      await p.getByText("Vera Viewer · viewer").waitFor();
      expect(await p.getByRole("button", { name: "Create flow" }).count()).toBe(0);
      expect(await p.getByRole("button", { name: /^Delete / }).count()).toBe(0);

      const changes: string[] = [];
      p.on("request", (r) => {
        if (r.method() !== "GET" && r.url().includes("/api/flows")) changes.push(`${r.method()} ${r.url()}`);
      });
      await p.goto(flowUrl);
      await node("menu_1", p).waitFor();
      expect(await p.locator(".readonly-badge").textContent()).toBe("Read-only (viewer)");
      for (const name of ["Publish", "Auto layout", "Undo", "Redo"]) expect(await p.getByRole("button", { name, exact: true }).count()).toBe(0);
      expect(await p.getByLabel("Flow name").isDisabled()).toBe(true);
      expect(await p.locator('.palette-item[data-kind="menu"]').getAttribute("draggable")).toBe("false");
      expect(await p.getByRole("button", { name: "Add Menu", exact: true }).count()).toBe(0); // no "+" buttons

      await node("menu_1", p).click();
      expect(await p.getByLabel("Label", { exact: true }).first().isDisabled()).toBe(true);
      expect(await p.getByLabel("Prompt", { exact: true }).isDisabled()).toBe(true);
      expect(await p.getByRole("button", { name: "Add choice" }).isDisabled()).toBe(true);
      // Dragging, deleting and quick-add do nothing.
      const before = await node("menu_1", p).getAttribute("style");
      const box = (await node("menu_1", p).boundingBox())!;
      await p.mouse.move(box.x + box.width / 2, box.y + 10);
      await p.mouse.down();
      await p.mouse.move(box.x + box.width / 2 + 120, box.y + 90, { steps: 8 });
      await p.mouse.up();
      expect(await node("menu_1", p).getAttribute("style")).toBe(before);
      await p.keyboard.press("Delete");
      await p.locator(".react-flow__pane").dblclick({ position: { x: 30, y: 30 } });
      expect(await p.getByLabel("Quick add search").count()).toBe(0);
      await p.waitForTimeout(1500); // longer than the autosave debounce
      expect(await node("menu_1", p).count()).toBe(1);
      expect(changes).toEqual([]);
      await shot("11-viewer", p);

      await signIn(users.editor);
      await p.goto(`${app.url}/flows/${customId}`);
      await node("custom_code_1", p).waitFor();
      const publish = p.getByRole("button", { name: "Publish", exact: true });
      await publish.waitFor();
      expect(await publish.isDisabled()).toBe(true);
      expect(await p.locator("#publish-hint").textContent()).toMatch(/only an admin can publish/);
      await shot("12-editor-custom-code", p);
      // The same editor may publish a flow without Custom code.
      await p.goto(flowUrl);
      await node("menu_1", p).waitFor();
      expect(await p.getByRole("button", { name: "Publish", exact: true }).isDisabled()).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  // The forms and dialogs a first-time user meets (issue 17), on a flow of their own.
  describe("forms", () => {
    let formsFlowId = "";
    const quickAdd = async (query: string) => {
      await page.locator(".react-flow__pane").dblclick({ position: { x: 40, y: 40 } });
      await page.getByLabel("Quick add search").fill(query);
      return page.getByRole("listbox", { name: "Matching nodes" }).getByRole("option");
    };

    beforeAll(async () => {
      const created = await page.request.post(`${app.url}/api/flows`, { headers: { origin: app.url }, data: { name: formsGraph.name, graph: formsGraph } });
      expect(created.status()).toBe(201);
      formsFlowId = ((await created.json()) as { flow: { id: string } }).flow.id;
    });

    it("quick-add offers no second Start, and cuts descriptions at a word with the full text on hover", async () => {
      await page.goto(`${app.url}/flows/${formsFlowId}`);
      await node("speak_1").waitFor();

      const options = await quickAdd("start");
      await page.getByText("Start: this flow already has one").waitFor();
      expect(await options.filter({ hasText: /^Start\b/ }).count()).toBe(0);

      // Every row: the visible description is the tooltip's text up to a word boundary, plus "…".
      await page.getByLabel("Quick add search").fill("");
      const rows = await options.evaluateAll((els) =>
        els.map((el) => ({ title: el.getAttribute("title") ?? "", shown: el.querySelector(".muted")?.textContent ?? "" })),
      );
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.some((r) => r.shown.endsWith("…"))).toBe(true);
      for (const { title, shown } of rows) {
        if (!shown.endsWith("…")) {
          expect(shown).toBe(title);
          continue;
        }
        const kept = shown.slice(0, -1);
        expect(title.startsWith(kept), `${shown} / ${title}`).toBe(true);
        expect(title.slice(kept.length), `${shown} / ${title}`).toMatch(/^[\s,;:.—–-]/);
      }
      await shot("forms-01-quick-add");
      await page.keyboard.press("Escape");
      // The palette greys Start out too: not draggable, no "+", the reason on hover.
      const start = page.locator('.palette-item[data-kind="start"]');
      expect(await start.getAttribute("draggable")).toBe("false");
      expect(await start.getAttribute("title")).toMatch(/already has a Start/);
      expect(await page.getByRole("button", { name: "Add Start", exact: true }).isDisabled()).toBe(true);
      expect(await page.locator('.palette-item[data-kind="menu"]').getAttribute("draggable")).toBe("true");

      // Without its Start node the flow is offered one again.
      await node("start").click();
      await page.keyboard.press("Delete");
      await node("start").waitFor({ state: "detached" });
      const again = await quickAdd("start");
      await again.filter({ hasText: /^Start\b/ }).waitFor();
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+z");
      await node("start").waitFor();
    });

    it("the Speak text is multi-line, with Listen playing the prompt library's TTS preview", async () => {
      await node("speak_1").click();
      const text = page.locator("#p-speak_1-text"); // labelled "Text ${var}"
      expect(await text.evaluate((el) => el.tagName)).toBe("TEXTAREA");
      await text.fill("Welcome, ${caller_name}.\nPress 1 for sales.");
      await waitSaved();
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/api/prompts/tts") && r.request().method() === "POST"),
        page.getByRole("button", { name: /Listen/ }).click(),
      ]);
      expect(response.status()).toBe(200);
      expect(response.headers()["content-type"]).toBe("audio/wav");
      // The flow's voice (the node leaves it empty); a variable is read as its name.
      expect(response.request().postDataJSON()).toEqual({ text: "Welcome, caller name.\nPress 1 for sales.", engine: "flite", voice: "kal", preview: true });
      // It plays (the button turns into Stop) to the end (back to Listen), and Chromium raised no
      // error: the WAV decoded.
      await page.getByRole("button", { name: "Stop listening" }).waitFor();
      await page.getByRole("button", { name: /Listen/ }).waitFor();
      expect(await page.locator(".tts-listen [role=alert]").count()).toBe(0);
      const saved = (await (await page.request.get(`${app.url}/api/flows/${formsFlowId}`)).json()) as { flow: { graph: typeof formsGraph } };
      expect(saved.flow.graph.nodes.find((n) => n.id === "speak_1")?.params.text).toBe("Welcome, ${caller_name}.\nPress 1 for sales.");
      await shot("forms-02-speak");
    });

    it("publish dialog: version 1 is the flow as it is; later it lists the changes since the last version", async () => {
      await page.getByRole("button", { name: "Publish", exact: true }).click();
      let dialog = page.getByRole("dialog", { name: "Publish flow" });
      await dialog.getByRole("region", { name: "Changes" }).getByText("version 1 will be the flow as it is now (3 nodes, 2 connections)").waitFor();
      await dialog.getByRole("button", { name: "Publish" }).click();
      await page.getByText("Published version 1").waitFor();

      await node("hangup_1").click();
      await page.getByLabel("Label", { exact: true }).first().fill("Goodbye");
      await page.getByRole("button", { name: "Publish", exact: true }).click();
      dialog = page.getByRole("dialog", { name: "Publish flow" });
      const changes = dialog.getByRole("region", { name: "Changes" });
      await changes.getByRole("heading", { name: "Changes since version 1" }).waitFor();
      expect(await changes.locator("li").allTextContents()).toEqual(['Renamed "Bye" (Hangup) to "Goodbye"']);
      await shot("forms-03-publish-changes");
      await dialog.getByRole("button", { name: "Publish" }).click();
      await page.getByText("Published version 2").waitFor();
    });

    it("versions page: no rollback to the current version; version 1 shows what it contained", async () => {
      await page.goto(`${app.url}/flows/${formsFlowId}/versions`);
      const row = (n: number) => page.locator("tr", { has: page.getByRole("button", { name: `Show changes in version ${n}` }) });
      await row(2).waitFor();
      expect(await row(2).getByText("current").count()).toBe(1);
      expect(await row(2).getByRole("button", { name: "Roll back to this" }).count()).toBe(0);
      expect(await row(1).getByRole("button", { name: "Roll back to this" }).count()).toBe(1);

      await page.getByRole("button", { name: "Show changes in version 1" }).click();
      const changes = page.getByRole("region", { name: "Changes" });
      await changes.getByText("First version").waitFor();
      const items = await changes.locator("li").allTextContents();
      expect(items.filter((t) => t.startsWith("node added"))).toHaveLength(3);
      expect(items.filter((t) => t.startsWith("edge added"))).toHaveLength(2);
      expect(items.join("\n")).not.toMatch(/unset|changed/);
      await shot("forms-04-versions");
    });
  });
});
