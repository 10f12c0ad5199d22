// End to end in Chromium: upload an mp3 on the Prompts page (waveform and duration shown),
// create a TTS prompt, pick both in a Menu node's prompt fields, publish, route a number to
// the flow, and call it over SIP: the caller receives the two prompts' audio, for as long as
// they last, even after the mp3 prompt was renamed (the published version keeps the old name);
// a phrase is defined on the Prompts page and follows the rename. The app is the real
// server.mjs (database, runtime thread), on free ports.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { unavailableReason, type RunningApp } from "../../fixtures/designer-app";
import { ARTIFACTS, withDesignerApp } from "./harness";
import { rawUac } from "../runtime/support/raw-uac";
import { RtpCaller } from "../runtime/support/rtp-caller";

const skipReason = unavailableReason();
const NUMBER = "7100";

/** 20 ms frames louder than this RMS count as speech. */
const LOUD_RMS = 300;

describe.skipIf(!!skipReason)("prompts end to end", () => {
  let mp3: string;
  let flowId = "";
  const durations: Record<string, number> = {};
  const work = mkdtempSync(path.join(os.tmpdir(), "ivr-e2e-prompts-"));
  afterAll(() => rmSync(work, { recursive: true, force: true })); // after the app's stop (hooks after run last first)

  beforeAll(() => {
    const wav = path.join(work, "welcome.wav");
    execFileSync("espeak-ng", ["-v", "en-us", "-w", wav, "Welcome to the end to end test. Please choose an option."]);
    mp3 = path.join(work, "welcome.mp3");
    execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", wav, "-c:a", "libmp3lame", "-b:a", "64k", mp3]);
  });
  // The runtime thread on free SIP/RTP ports and a private media folder.
  const e2e = withDesignerApp({ env: { IVR_RTP_PORTS: "45400-45499", IVR_MEDIA_DIR: path.join(work, "media") }, timeout: 20_000 });
  let app: RunningApp;
  let page: Page;
  beforeAll(() => {
    ({ app, page } = e2e);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `e2e-prompts-${name}.png`) });
  /** fetch from the page: same origin, the session cookie. */
  const apiCall = (method: string, url: string, body?: unknown) =>
    page.evaluate(
      async ([m, u, b]) => {
        const r = await fetch(u as string, { method: m as string, headers: { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      [method, url, body] as const,
    );

  it("signs up the first admin", async () => {
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Name").fill("Ada Admin");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Flows" }).waitFor();
  });

  it("uploads an mp3: progress, then its waveform and duration", async () => {
    await page.getByRole("link", { name: "Prompts" }).click();
    await page.getByRole("heading", { name: "Prompts" }).waitFor();
    await page.getByLabel("Prompt name", { exact: true }).fill("welcome_mp3");
    await page.locator('[data-testid="prompt-file-input"]').setInputFiles(mp3);
    await page.getByRole("progressbar", { name: "Upload of welcome.mp3" }).waitFor();
    const row = page.locator('tr[data-prompt="welcome_mp3"]');
    await row.waitFor();
    await row.locator('canvas.waveform:not([data-peaks="0"])').waitFor();
    const list = await apiCall("GET", "/api/prompts");
    const p = list.body.prompts.find((x: { name: string }) => x.name === "welcome_mp3");
    durations.welcome = p.durationMs;
    expect(await row.getByTestId("duration").textContent()).toBe(`${(p.durationMs / 1000).toFixed(1)} s`);
    // Trimmed by default, so a little shorter than the mp3, never longer.
    const source = Number(execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", mp3]).toString()) * 1000;
    expect(p.durationMs).toBeLessThanOrEqual(source + 20);
    expect(p.durationMs).toBeGreaterThan(source - 800);
    await shot("01-uploaded");
  });

  it("creates a TTS prompt with flite", async () => {
    await page.getByLabel("TTS text").fill("Sorry, that was not a valid choice.");
    await page.getByLabel("TTS engine").selectOption("flite");
    await page.getByLabel("TTS voice").selectOption("slt");
    await page.getByLabel("TTS prompt name").fill("menu_invalid");
    await page.getByRole("button", { name: "Save as prompt" }).first().click();
    await page.locator('tr[data-prompt="menu_invalid"]').waitFor();
    const list = await apiCall("GET", "/api/prompts");
    durations.invalid = list.body.prompts.find((x: { name: string }) => x.name === "menu_invalid").durationMs;
    expect(durations.invalid).toBeGreaterThan(800);
    await shot("02-tts");
  });

  it("picks both in a Menu node and publishes without missing-prompt warnings", async () => {
    const graph = {
      schemaVersion: 1,
      name: "Prompt e2e",
      nodes: [
        { id: "start", kind: "start", position: { x: 0, y: 0 }, params: {} },
        { id: "answer", kind: "answer", position: { x: 0, y: 75 }, params: {} },
        { id: "menu_1", kind: "menu", position: { x: 0, y: 150 }, params: { prompt: "", tries: 1, timeoutMs: 1000, choices: [{ key: "1", label: "One" }] } },
        { id: "bye", kind: "hangup", position: { x: 0, y: 300 }, params: {} },
      ],
      edges: [
        { id: "e0", source: "start", outcome: "next", target: "answer" },
        { id: "e1", source: "answer", outcome: "next", target: "menu_1" },
        { id: "e2", source: "menu_1", outcome: "1", target: "bye" },
        { id: "e3", source: "menu_1", outcome: "failed", target: "bye" },
      ],
    };
    const created = await apiCall("POST", "/api/flows", { name: "Prompt e2e", graph });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    flowId = created.body.flow.id;
    await page.goto(`${app.url}/flows/${flowId}`);
    await page.locator('.react-flow__node[data-id="menu_1"]').click();
    const prompt = page.getByLabel("Prompt", { exact: true });
    await prompt.fill("prompts/welcome_mp3.wav");
    await page.locator(".picker-note", { hasText: `${(durations.welcome / 1000).toFixed(1)} s` }).waitFor();
    await page.getByLabel("Invalid prompt", { exact: true }).fill("prompts/menu_invalid.wav");
    await page.locator(".picker-note", { hasText: "TTS" }).waitFor();
    await page.locator(".save-status", { hasText: /^Saved$/ }).waitFor();
    await shot("03-picked");
    await page.getByRole("button", { name: "Publish" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish flow" });
    await dialog.getByRole("button", { name: "Publish" }).waitFor();
    await page.waitForTimeout(500); // the dialog's server validation has answered
    expect(await dialog.getByRole("status", { name: "Missing prompts" }).count()).toBe(0);
    await dialog.getByRole("button", { name: "Publish" }).click();
    await page.getByText("Published version 1").waitFor();
    const route = await apiCall("POST", "/api/routes", { pattern: NUMBER, flowId });
    expect(route.status, JSON.stringify(route.body)).toBe(201);
  });

  it("defines a phrase (a message at the wrong item), then renames the mp3 prompt: the phrase follows, the published version keeps the old name", async () => {
    await page.goto(`${app.url}/prompts`);
    const phrases = page.getByRole("region", { name: "Phrases" });
    await phrases.getByRole("button", { name: "New phrase" }).click();
    const editor = page.getByRole("form", { name: "Phrase editor" });
    await editor.getByLabel("Phrase name").fill("e2e_queue");
    await editor.getByLabel("Input 1 pattern").fill("^(\\d+$");
    await editor.getByRole("alert").filter({ hasText: /^Input 1, pattern: / }).waitFor();
    await editor.getByLabel("Input 1 pattern").fill("^(\\d+)$");
    await editor.getByLabel("Match item 1 file").fill("prompts/welcome_mp3.wav");
    await editor.getByRole("button", { name: "Add item" }).first().click();
    await editor.getByLabel("Match item 2 kind").selectOption("say");
    await editor.getByLabel("Match item 2 value").fill("$1");
    await editor.getByRole("button", { name: "Save phrase" }).click();
    await page.getByText("Saved e2e_queue.").waitFor();
    await page.locator('tr[data-phrase="e2e_queue"]').waitFor();
    await shot("05-phrase");

    await page.getByRole("button", { name: "Rename prompt welcome_mp3" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename welcome_mp3" });
    await dialog.getByLabel("New prompt name").fill("welcome_v2");
    await dialog.getByRole("button", { name: "Rename" }).click();
    const status = page.getByRole("status").filter({ hasText: "Renamed welcome_mp3 to welcome_v2." });
    await status.waitFor();
    expect(await status.textContent()).toContain("Phrases updated: e2e_queue.");
    expect(await status.textContent()).toContain("stays playable for the published versions of Prompt e2e (1)");
    await page.locator('tr[data-prompt="welcome_v2"]', { hasText: "prompts/welcome_mp3.wav" }).waitFor();
    const list = await apiCall("GET", "/api/phrases");
    expect(list.body.phrases[0].inputs[0].match[0]).toEqual({ type: "file", file: "prompts/welcome_v2.wav" });
    await shot("06-renamed");
  });

  it("a call to the flow hears both prompts, for as long as they last", async () => {
    const sip = /SIP: udp 127\.0\.0\.1:(\d+)/.exec(app.log());
    expect(sip, app.log()).not.toBeNull();
    const port = Number(sip![1]);
    // The runtime picks the new route up within its 2 s poll.
    const until = Date.now() + 15_000;
    while (!/routes updated: [1-9]/.test(app.log()) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));

    const uac = await rawUac(port);
    const rtp = await RtpCaller.open();
    try {
      const sdp = `v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
      const head = (method: string, cseq: number, toTag = "") =>
        `${method} sip:${NUMBER}@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bKe2e${cseq}${method};rport\r\n` +
        `From: <sip:caller@127.0.0.1:${uac.port}>;tag=e2e1\r\nTo: <sip:${NUMBER}@127.0.0.1>${toTag}\r\nCall-ID: prompts-e2e@test\r\nCSeq: ${cseq} ${method}\r\n` +
        `Contact: <sip:caller@127.0.0.1:${uac.port}>\r\nMax-Forwards: 70\r\n`;
      await uac.send(`${head("INVITE", 1)}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
      const ok = await uac.waitFor(/^SIP\/2\.0 200 /, 10_000);
      const toTag = /^To:.*?(;tag=[^;\r\n]+)/im.exec(ok)?.[1] ?? "";
      await uac.send(`${head("ACK", 1, toTag)}Content-Length: 0\r\n\r\n`);
      // The menu plays, waits 1 s, plays the invalid prompt, fails and hangs up: our BYE comes.
      const bye = await uac.waitFor(/^BYE /, durations.welcome + durations.invalid + 10_000);
      const keep = bye.split("\r\n").filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
      await uac.send(`SIP/2.0 200 OK\r\n${keep.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`);
    } finally {
      uac.close();
      rtp.close();
    }
    const frames = rtp.received.map((f) => Math.sqrt(f.reduce((a, v) => a + v * v, 0) / Math.max(1, f.length)));
    const loud = frames.map((r, i) => (r > LOUD_RMS ? i : -1)).filter((i) => i >= 0);
    expect(loud.length).toBeGreaterThan(20);
    // From the first to the last audible frame: both prompts and the 1 s wait between them.
    const spanMs = (loud[loud.length - 1] - loud[0] + 1) * 20;
    const expected = durations.welcome + 1000 + durations.invalid;
    expect(spanMs).toBeGreaterThan(expected - 700);
    expect(spanMs).toBeLessThan(expected + 700);
    // RTP for the whole call: at least as many 20 ms packets as the prompts last.
    expect(rtp.received.length * 20).toBeGreaterThan(durations.welcome + durations.invalid);
    const calls = await apiCall("GET", `/api/calls?number=${NUMBER}`);
    expect(calls.body.calls.length).toBeGreaterThan(0);
  });
});
