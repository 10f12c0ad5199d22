// baresip (Debian, v1.0) as a second real user agent, headless: no sound card (aubridge as both
// player and source), commands over its ctrl_tcp module (JSON in netstrings).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const BARESIP = "/usr/bin/baresip";
export const hasBaresip = existsSync(BARESIP) && existsSync("/usr/lib/baresip/modules/ctrl_tcp.so");

export interface BaresipEvent {
  type: string;
  param?: string;
  [k: string]: unknown;
}

export class Baresip {
  readonly events: BaresipEvent[] = [];
  log = "";
  private buffer = "";
  private constructor(
    private readonly child: ChildProcess,
    private readonly ctrl: net.Socket,
    private readonly dir: string,
  ) {
    ctrl.on("data", (d) => {
      this.buffer += d.toString("utf8");
      // netstrings: LEN:JSON,
      for (;;) {
        const m = /^(\d+):/.exec(this.buffer);
        if (!m || this.buffer.length < m[0].length + Number(m[1]) + 1) break;
        const json = this.buffer.slice(m[0].length, m[0].length + Number(m[1]));
        this.buffer = this.buffer.slice(m[0].length + Number(m[1]) + 1);
        const msg = JSON.parse(json) as BaresipEvent & { event?: boolean };
        if (msg.event) this.events.push(msg);
      }
    });
    child.stdout?.on("data", (d) => (this.log += d));
    child.stderr?.on("data", (d) => (this.log += d));
  }

  /**
   * Start baresip listening for SIP on 127.0.0.1:sipPort (it also takes sipPort+1 for TLS) with
   * ctrl_tcp on ctrlPort. `account` is its accounts line (default: an unregistered test user).
   */
  static async start(
    sipPort: number,
    ctrlPort: number,
    account = "<sip:test@127.0.0.1>;regint=0",
    /** audioFile: a WAV (8 kHz mono) to send instead of silence; dumpDir: where sndfile writes what it sends and hears. */
    options: { audioFile?: string; dumpDir?: string } = {},
  ): Promise<Baresip> {
    const dir = mkdtempSync(path.join(tmpdir(), "ivr-rt-baresip-"));
    writeFileSync(
      path.join(dir, "config"),
      [
        "poll_method epoll",
        `sip_listen 127.0.0.1:${sipPort}`,
        "net_interface 127.0.0.1",
        "module_path /usr/lib/baresip/modules",
        "module g711.so",
        "module aubridge.so",
        "module_app account.so",
        "module_app menu.so",
        "module_app ctrl_tcp.so",
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        "audio_player aubridge,nil",
        ...(options.audioFile ? ["module aufile.so", `audio_source aufile,${options.audioFile}`] : ["audio_source aubridge,nil"]),
        ...(options.dumpDir ? ["module sndfile.so", `snd_path ${options.dumpDir}`] : []),
        "audio_alert aubridge,nil",
        "",
      ].join("\n"),
    );
    writeFileSync(path.join(dir, "accounts"), `${account}\n`);
    const child = spawn(BARESIP, ["-f", dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let early = "";
    child.stdout?.on("data", (d) => (early += d));
    const until = Date.now() + 5000;
    for (;;) {
      const sock = await new Promise<net.Socket | undefined>((resolve) => {
        const s = net.connect(ctrlPort, "127.0.0.1");
        s.once("connect", () => resolve(s));
        s.once("error", () => resolve(undefined));
      });
      if (sock) return new Baresip(child, sock, dir);
      if (Date.now() > until || child.exitCode !== null) {
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`baresip ctrl_tcp did not come up on ${ctrlPort}:\n${early}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  command(command: string, params = ""): void {
    const json = JSON.stringify({ command, params, token: command });
    this.ctrl.write(`${Buffer.byteLength(json)}:${json},`);
  }

  async waitForEvent(type: string, timeoutMs = 5000): Promise<BaresipEvent> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.type === type);
      if (e) return e;
      if (Date.now() > until) throw new Error(`no baresip ${type} within ${timeoutMs} ms; events: ${this.events.map((x) => x.type).join(", ")}\n${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.command("quit");
      const exited = new Promise((r) => this.child.once("exit", r));
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 1500);
      await exited;
      clearTimeout(timer);
    }
    this.ctrl.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
