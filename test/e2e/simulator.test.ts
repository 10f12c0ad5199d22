// End-to-end: the designer's Test tab in Debian's Chromium against the built app (server.mjs):
// the flow's test cases run on the server (green and red per case and language, the failing
// step highlighted on the canvas), and a simulator call over the app's WebSocket: the
// highlighted node follows the call as dial-pad digits steer it, the transcript grows with each
// Session method, the prompt's audio arrives, a dial asks what the far end does, and hanging up
// ends the call; then the case editor: a case made in the form runs green, then red, and the call
// just made is saved as a case that passes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { openDatabase } from "../../app/lib/server/db/client";
import { createUser } from "../../app/lib/server/auth/users";
import { wavHeader } from "../../runtime/media/wav";
import { ROOT, unavailableReason, type RunningApp } from "../../fixtures/designer-app";
import { withDesignerApp } from "./harness";

const skipReason = unavailableReason();
if (skipReason) console.warn(`[e2e simulator] skipped: ${skipReason}`);

const EDITOR = { email: "eve@example.com", password: "editor password 1" };
const PROMPT = "ivr/ivr-please_enter_extension_followed_by_pound.wav";

describe.skipIf(!!skipReason)("designer test tab end to end", () => {
  let flowId = "";
  let cases = 0;
  const e2e = withDesignerApp({
    timeout: 20_000,
    async seed(dataDir) {
      // The flow's first prompt, as a real file in the app's media folder: 0.4 s of 440 Hz.
      const mediaDir = path.join(dataDir, "media");
      const tone = new Int16Array(3200).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
      mkdirSync(path.join(mediaDir, "ivr"), { recursive: true });
      writeFileSync(path.join(mediaDir, PROMPT), Buffer.concat([wavHeader(8000, tone.byteLength), Buffer.from(tone.buffer)]));
      const db = await openDatabase({ dataDir: path.join(dataDir, "pglite") });
      try {
        const editor = await createUser(db.prisma, { email: EDITOR.email, name: "Eve", password: EDITOR.password, role: "editor" });
        await createUser(db.prisma, { email: "ada@example.com", name: "Ada", password: "admin password 1", role: "admin" });
        const graph = JSON.parse(readFileSync(path.join(ROOT, "examples/dial-by-extension.json"), "utf8"));
        // One case expects the wrong branch for a busy extension: it must show red, at busy_message.
        graph.tests = graph.tests.map((t: { name: string }) =>
          t.name.startsWith("the extension is busy")
            ? { ...t, name: "busy goes to voicemail (wrong)", expect: { path: ["start", "answer", "reset_attempts", "ask_extension", "connecting", "dial_extension", "no_answer_message"] } }
            : t,
        );
        cases = graph.tests.length;
        const flow = await db.prisma.flow.create({ data: { name: "Dial by extension", graph, createdById: editor.id, updatedById: editor.id } });
        flowId = flow.id;
      } finally {
        await db.close();
      }
      return { IVR_MEDIA_DIR: mediaDir };
    },
  });
  let app: RunningApp;
  let page: Page;

  beforeAll(async () => {
    ({ app, page } = e2e);
    // The simulator's endpoint is attached once the runtime's bundle is built (after the "SIP:" line).
    while (!/SIP: |Simulator: not available/.test(app.log())) await new Promise((r) => setTimeout(r, 200));
    await page.goto(`${app.url}/`);
    await page.getByLabel("Email").fill(EDITOR.email);
    await page.getByLabel("Password").fill(EDITOR.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();
    await page.goto(`${app.url}/flows/${flowId}`);
    await page.locator('.react-flow__node[data-id="start"]').waitFor();
    await page.getByRole("tab", { name: "Test" }).click();
  }, 120_000);

  const highlighted = () => page.locator(".ivr-node[data-highlight]").evaluateAll((els) => els.map((e) => `${e.closest(".react-flow__node")?.getAttribute("data-id")}:${e.getAttribute("data-highlight")}`));

  it("runs the test cases: green per passing case and language, red with the divergence, the failing step highlighted", async () => {
    await page.getByRole("button", { name: "Run test cases" }).click();
    const panel = page.getByRole("region", { name: "Test cases" });
    await panel.getByRole("status").filter({ hasText: "passed" }).waitFor({ timeout: 90_000 });
    await expect.poll(() => panel.getByRole("status").innerText()).toBe(`${(cases - 1) * 2} passed, 2 failed`);
    expect(await panel.locator('.case-result[data-status="passed"]').count()).toBe((cases - 1) * 2);
    const failed = panel.locator('.case-result[data-status="failed"]');
    expect(await failed.count()).toBe(2);
    expect(await failed.first().innerText()).toMatch(/busy goes to voicemail \(wrong\)[\s\S]*expected node no_answer_message, got node busy_message after digits "1002"/);
    // The red case's node is lit on the canvas (where the call was when it diverged).
    expect(await highlighted()).toEqual(["busy_message:failed"]);
    await page.screenshot({ path: path.join(ROOT, "test-artifacts", "e2e-test-cases.png") }).catch(() => undefined);
  }, 120_000);

  it("a test call: the highlight follows the call, digits from the dial pad steer it, the transcript grows, audio plays; hang up ends it", async () => {
    // What the page hears (WebAudio) and every node the highlight visits.
    await page.evaluate(() => {
      const w = window as unknown as { __visited: string[]; __audioFrames: number };
      w.__visited = [];
      w.__audioFrames = 0;
      const start = AudioBufferSourceNode.prototype.start;
      AudioBufferSourceNode.prototype.start = function (...args: Parameters<typeof start>) {
        w.__audioFrames++;
        return start.apply(this, args);
      };
      new MutationObserver(() => {
        for (const el of document.querySelectorAll(".ivr-node[data-highlight='current']")) {
          const id = el.closest(".react-flow__node")?.getAttribute("data-id");
          if (id && w.__visited.at(-1) !== id) w.__visited.push(id);
        }
      }).observe(document.querySelector(".react-flow")!, { subtree: true, attributes: true, attributeFilter: ["data-highlight"] });
    });
    const sim = page.getByRole("region", { name: "Test call" });
    await sim.getByRole("button", { name: "Test call" }).click();
    const status = sim.getByRole("status", { name: "Call status" });
    await expect
      .poll(() => status.innerText(), { timeout: 30_000 })
      .toBe("In call · node ask_extension")
      .catch(async (e) => {
        throw new Error(`${(e as Error).message}\npanel: ${await sim.innerText()}\napp log: ${app.log().slice(-3000)}`);
      });
    expect(await highlighted()).toEqual(["ask_extension:current"]);
    const transcript = sim.getByRole("list", { name: "Transcript" });
    await expect.poll(() => transcript.innerText()).toContain("answer()");
    const before = await transcript.locator("li").count();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __audioFrames: number }).__audioFrames)).toBeGreaterThan(0);

    for (const d of "1001") await sim.getByRole("button", { name: `Key ${d}` }).click();
    // The dial asks what user/1001 does (it rings meanwhile): it fails, so the flow says so, then asks again.
    const ask = sim.getByRole("group", { name: "Dialing 1001" });
    await ask.getByRole("button", { name: "Fail" }).click();
    await ask.waitFor({ state: "detached" });
    await expect.poll(() => page.evaluate(() => (window as unknown as { __visited: string[] }).__visited), { timeout: 30_000 }).toEqual(
      expect.arrayContaining(["ask_extension", "connecting", "dial_extension", "invalid_extension"]),
    );
    const visited = await page.evaluate(() => (window as unknown as { __visited: string[] }).__visited);
    const asked = visited.indexOf("ask_extension");
    expect(visited.slice(0, asked)).toEqual(["start", "answer", "reset_attempts"]);
    expect(visited.slice(asked, asked + 4)).toEqual(["ask_extension", "connecting", "dial_extension", "invalid_extension"]);
    expect(await transcript.locator("li").count()).toBeGreaterThan(before);
    await expect.poll(() => transcript.innerText()).toContain('execute("bridge", "user/${extension}")');
    expect(await transcript.innerText()).toMatch(/→ "1001"/);
    expect(await transcript.innerText()).toContain("1001 fails (CALL_REJECTED)");

    await sim.getByRole("button", { name: "Hang up" }).click();
    await expect.poll(() => status.innerText()).toBe("Call ended");
    expect(await transcript.innerText()).toContain("Call ended: NORMAL_CLEARING (you hung up)");
    await page.screenshot({ path: path.join(ROOT, "test-artifacts", "e2e-simulator.png") }).catch(() => undefined);
  }, 120_000);
  it("the case editor: a case added and filled in runs green, a wrong expectation runs red, a node not in the flow is named at its field; the cases are saved with the draft; the last test call saved as a case passes", async () => {
    const panel = page.getByRole("region", { name: "Test cases" });
    const summary = panel.getByRole("status").filter({ hasText: "passed" });
    await panel.getByRole("button", { name: "Add case" }).click();
    const editor = panel.locator(".case-editor");
    await editor.getByLabel("Name", { exact: true }).fill("1001 answers");
    await editor.getByRole("button", { name: "Add step" }).click();
    await editor.getByLabel("Step 1 digits").fill("1001#");
    await editor.getByRole("button", { name: "Add dialled party" }).click();
    await editor.getByRole("group", { name: "Dialled party 1" }).getByLabel("Number").fill("1001");
    await editor.getByLabel("Final node").selectOption("call_done");
    await panel.getByRole("button", { name: "Run 1001 answers" }).click();
    await expect.poll(() => summary.innerText(), { timeout: 60_000 }).toBe("2 passed, 0 failed");
    expect(await panel.locator(".case-item", { hasText: "1001 answers" }).getAttribute("data-status")).toBe("passed");

    // The wrong final node: red, with the divergence, the node lit.
    await editor.getByLabel("Final node").selectOption("goodbye");
    await panel.getByRole("button", { name: "Run 1001 answers" }).click();
    await expect.poll(() => summary.innerText(), { timeout: 60_000 }).toBe("0 passed, 2 failed");
    expect(await panel.locator(".case-failure").first().innerText()).toBe('expected the call to end at node goodbye, it ended at node call_done after digits "1001#"');
    expect(await highlighted()).toEqual(["call_done:failed"]);

    // A node that is not in the flow: said at the field, and the case keeps its last valid form.
    const pathField = editor.getByLabel("Path (node ids in order)");
    await pathField.fill("start → answr");
    await expect.poll(() => editor.getByRole("alert").allInnerTexts()).toEqual(['There is no node "answr" in this flow.']);
    expect(await editor.getByRole("status").innerText()).toMatch(/^Not saved yet/);
    await pathField.fill("");
    await expect.poll(() => editor.getByRole("alert").count()).toBe(0);

    // Saved with the draft (autosave), as edited.
    const saved = () =>
      page.evaluate(async (id) => {
        const r = await fetch(`/api/flows/${id}`);
        return ((await r.json()).flow.graph.tests as Array<{ name: string; expect: unknown; caller: unknown; bridges?: unknown }>).find((t) => t.name === "1001 answers");
      }, flowId);
    await expect.poll(saved, { timeout: 15_000 }).toEqual({ name: "1001 answers", caller: [{ press: "1001#" }], bridges: [{ to: "1001", outcome: "answer" }], expect: { finalNode: "goodbye", hangupCause: "NORMAL_CLEARING" } });

    // The previous test's call (1001 fails, then the caller hangs up while asked again) becomes a case that passes.
    await page.getByRole("region", { name: "Test call" }).getByRole("button", { name: "Save as test case" }).click();
    await panel.locator(".case-item", { hasText: "Recorded call" }).waitFor();
    expect(await editor.getByLabel("Name", { exact: true }).inputValue()).toBe("Recorded call");
    await panel.getByRole("button", { name: "Run Recorded call" }).click();
    await expect.poll(() => summary.innerText(), { timeout: 60_000 }).toBe("2 passed, 0 failed");
    await page.screenshot({ path: path.join(ROOT, "test-artifacts", "e2e-case-editor.png") }).catch(() => undefined);
  }, 180_000);
});
