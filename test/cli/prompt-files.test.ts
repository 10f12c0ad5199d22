// Which prompt paths can be bundled, and where they are found.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundlableReason, findPrompt } from "../../cli/prompt-files";

let a: string;
let b: string;
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), "ivr-prompts-"));
  a = join(root, "a");
  b = join(root, "b");
  mkdirSync(join(a, "ivr"), { recursive: true });
  mkdirSync(join(b, "ivr"), { recursive: true });
  writeFileSync(join(b, "ivr", "x.wav"), "b");
  writeFileSync(join(a, "ivr", "y.wav"), "a");
  writeFileSync(join(b, "ivr", "y.wav"), "b");
});
afterAll(() => rmSync(join(a, ".."), { recursive: true, force: true }));

describe("prompt files", () => {
  it("refuses paths that cannot live under sounds/", () => {
    expect(bundlableReason("/usr/share/x.wav")).toMatch(/absolute/);
    expect(bundlableReason("../../etc/passwd")).toMatch(/leaves/);
    expect(bundlableReason("ivr/../../x.wav")).toMatch(/leaves/);
    expect(bundlableReason("${recording_path}")).toMatch(/run time/);
    expect(bundlableReason("tone_stream://%(100,0,440)")).toMatch(/stream/);
    expect(bundlableReason("phrase:voicemail_menu")).toMatch(/macro/);
    expect(bundlableReason("ivr/ivr-welcome.wav")).toBeUndefined();
  });

  it("searches folders in order and reports the first match", () => {
    expect(findPrompt("ivr/y.wav", [a, b])).toEqual({ prompt: "ivr/y.wav", status: "found", source: join(a, "ivr", "y.wav") });
    expect(findPrompt("ivr/x.wav", [a, b])).toMatchObject({ status: "found", source: join(b, "ivr", "x.wav") });
    expect(findPrompt("ivr/z.wav", [a, b])).toEqual({ prompt: "ivr/z.wav", status: "missing" });
    expect(findPrompt("ivr", [a])).toEqual({ prompt: "ivr", status: "missing" });
  });
});
