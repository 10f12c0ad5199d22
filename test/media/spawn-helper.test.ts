// The media threads' programs (ffmpeg) are forked by a small helper process, not by the runtime.
import { describe, expect, it } from "vitest";
import { SpawnHelper, spawnHere } from "../../runtime/media/spawn-helper";

describe("SpawnHelper", () => {
  it("runs a program from the helper process (its parent is the helper) and returns code and stderr", async () => {
    const h = new SpawnHelper();
    try {
      const r = await h.run("sh", ["-c", 'echo "parent $PPID" >&2; exit 3'], 5000);
      expect(r.code).toBe(3);
      expect(r.signal).toBeNull();
      expect(r.stderr.trim()).toBe(`parent ${h.pid}`);
      expect(h.pid).not.toBe(process.pid);
      const ok = await h.run("ffmpeg", ["-hide_banner", "-version"], 10_000);
      expect(ok.code).toBe(0);
    } finally {
      h.close();
    }
  });

  it("kills a run past its timeout; a missing program is an error, not a crash; arguments are never a shell line", async () => {
    const h = new SpawnHelper();
    try {
      const t0 = performance.now();
      const slow = await h.run("sleep", ["5"], 200);
      expect(slow).toMatchObject({ code: null, signal: "SIGKILL" });
      expect(performance.now() - t0).toBeLessThan(3000);
      expect((await h.run("/no/such/program", [], 1000)).code).toBe(127);
      const literal = await h.run("sh", ["-c", 'printf "%s" "$1" >&2', "x", "$(echo injected); `id`"], 5000);
      expect(literal.stderr).toBe("$(echo injected); `id`");
    } finally {
      h.close();
    }
  });

  it("starts a new helper when the old one died; jobs it had fail, later ones run", async () => {
    const h = new SpawnHelper();
    try {
      const first = h.pid!;
      const lost = h.run("sleep", ["5"], 10_000);
      await new Promise((r) => setTimeout(r, 200));
      process.kill(first, "SIGKILL");
      expect(await lost).toMatchObject({ code: null, stderr: "spawn helper exited" });
      const r = await h.run("sh", ["-c", "exit 0"], 5000);
      expect(r.code).toBe(0);
      expect(h.pid).not.toBe(first);
    } finally {
      h.close();
    }
    expect(await h.run("true", [], 1000)).toMatchObject({ code: 127, stderr: "spawn helper closed" });
  });

  it("spawnHere gives the same answers from this process", async () => {
    expect(await spawnHere("sh", ["-c", "echo oops >&2; exit 2"], 5000)).toMatchObject({ code: 2, signal: null, stderr: "oops\n" });
    expect(await spawnHere("sleep", ["5"], 200)).toMatchObject({ code: null, signal: "SIGKILL" });
    expect((await spawnHere("/no/such/program", [], 1000)).code).toBe(127);
  });
});
