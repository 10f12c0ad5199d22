// Runs a generated Lua script with a real Lua interpreter (lua5.2/5.3/5.4) against the
// FakeSession: a small preamble defines `session` and `freeswitch` whose methods forward
// each call over stdout/stdin to this process, so the fake answers synchronously.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { luaString } from "../../../generators/common/escape";
import type { FakeSession } from "./fake-session";

export const LUA_VERSIONS = ["lua5.2", "lua5.3", "lua5.4"] as const;

export function luaAvailable(bin: string): boolean {
  return spawnSync(bin, ["-v"], { stdio: "ignore" }).status === 0;
}

const PREAMBLE = String.raw`
local function hex(s) return (string.gsub(s, ".", function (c) return string.format("%02x", string.byte(c)) end)) end
local function unhex(h) return (string.gsub(h, "%x%x", function (x) return string.char(tonumber(x, 16)) end)) end
local out, inp = io.stdout, io.stdin
local function send(line) out:write(line, "\n") out:flush() end
local function encode(v)
  if v == nil then return "~" end
  local t = type(v)
  if t == "number" then return "n" .. string.format("%.17g", v) end
  if t == "boolean" then return v and "t" or "f" end
  if t == "string" then return "s" .. hex(v) end
  return "?" .. t
end
local function decode(tok)
  local tag, rest = string.sub(tok, 1, 1), string.sub(tok, 2)
  if tag == "~" then return nil end
  if tag == "n" then return tonumber(rest) end
  if tag == "t" then return true end
  if tag == "f" then return false end
  if tag == "s" then return unhex(rest) end
  if tag == "L" then return assert(load("return " .. unhex(rest)))() end
  error("bad token " .. tok)
end
local function rpc(kind, name, ...)
  local n = select("#", ...)
  local parts = { kind, hex(name), tostring(n) }
  for i = 1, n do parts[#parts + 1] = encode((select(i, ...))) end
  send(table.concat(parts, " "))
  while true do
    local line = inp:read("*l")
    if line == nil then error("harness closed") end
    local cmd, a, b = string.match(line, "^(%S+) ?(%S*) ?(%S*)$")
    if cmd == "R" then return decode(a)
    elseif cmd == "ERR" then error(unhex(a), 3)
    elseif cmd == "CB" then
      local fn = _G[unhex(a)]
      local ok, r = pcall(fn, session, "dtmf", { digit = unhex(b), duration = 2000 }, nil)
      send("CBR " .. encode(ok and r or "SCRIPT_ERROR"))
    elseif cmd == "HOOK" then
      local r = _G[unhex(a)](session, unhex(b), nil)
      send("HOOKR " .. encode(r))
    end
  end
end
session = setmetatable({}, { __index = function (_, method)
  return function (self, ...)
    if self ~= session then error("session." .. method .. " called without ':'") end
    return rpc("S", method, ...)
  end
end })
freeswitch = {
  consoleLog = function (...) return rpc("F", "consoleLog", ...) end,
  API = function () return { execute = function (self, ...) return rpc("A", "execute", ...) end } end,
  JSON = function () return { decode = function (self, ...) return rpc("J", "decode", ...) end } end,
}
argv = { [0] = "script.lua" }
local script = assert(loadfile(arg[1]))
local ok, err = pcall(script)
if not ok then send("FAIL " .. hex(tostring(err))) else send("DONE") end
`;

/** JSON value -> Lua constructor source (arrays 1-based, null dropped), as freeswitch.JSON():decode gives. */
function toLuaSource(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return luaString(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "0";
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `{ ${v.map((x) => toLuaSource(x)).join(", ")} }`;
  return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${luaString(k)}] = ${toLuaSource(x)}`).join(", ")} }`;
}

const hexOf = (s: string) => Buffer.from(s, "utf8").toString("hex");
const fromHex = (h: string) => Buffer.from(h, "hex").toString("utf8");

function encodeValue(v: unknown): string {
  if (v === undefined || v === null) return "~";
  if (typeof v === "number") return `n${v}`;
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "string") return `s${hexOf(v)}`;
  return `L${hexOf(toLuaSource(v))}`;
}

function decodeValue(tok: string): unknown {
  const tag = tok[0];
  const rest = tok.slice(1);
  if (tag === "~") return undefined;
  if (tag === "n") return Number(rest);
  if (tag === "t") return true;
  if (tag === "f") return false;
  if (tag === "s") return fromHex(rest);
  return `<${tok}>`;
}

export interface LuaRun {
  /** The script ran to its end (or stopped by returning nil). */
  done: boolean;
  /** Lua error text, if the script raised one. */
  error?: string;
  stderr: string;
}

/** Run `code` with `bin` against `fake`; resolves when the interpreter exits. */
export async function runLua(code: string, fake: FakeSession, bin = "lua5.3", timeoutMs = 10_000): Promise<LuaRun> {
  const dir = mkdtempSync(join(tmpdir(), "ivr-lua-"));
  const scriptPath = join(dir, "script.lua");
  const preamblePath = join(dir, "preamble.lua");
  writeFileSync(scriptPath, code);
  writeFileSync(preamblePath, PREAMBLE);
  const child = spawn(bin, [preamblePath, scriptPath], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  child.stdin.on("error", () => undefined); // the script may end before reading a reply
  const send = (line: string) => child.stdin.write(line + "\n");
  const result: LuaRun = { done: false, stderr: "" };
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);

  // Replies to the script's calls are awaited one at a time; callbacks nest inside.
  const lines = createInterface({ input: child.stdout });
  const pending: Array<(line: string) => void> = [];
  const queue: string[] = [];
  const nextLine = () => new Promise<string>((resolve) => {
    const q = queue.shift();
    if (q !== undefined) resolve(q);
    else pending.push(resolve);
  });
  lines.on("line", (l) => {
    const p = pending.shift();
    if (p) p(l);
    else queue.push(l);
  });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  child.on("close", () => pending.splice(0).forEach((p) => p("EOF")));

  // Serve the script's calls until a line of one of `kinds` arrives (calls made inside a
  // callback are served while the callback's reply is awaited).
  const serve = async (kinds: string[]): Promise<string> => {
    for (;;) {
      const line = await nextLine();
      const [kind, nameHex, countStr, ...toks] = line.split(" ");
      if (kind === "EOF" || kinds.includes(kind)) return line;
      const name = fromHex(nameHex);
      const args = toks.slice(0, Number(countStr)).map(decodeValue);
      try {
        let value: unknown;
        if (kind === "S") value = await fake.call(name, args);
        else if (kind === "F") {
          if (args.length !== 2) throw new Error(`freeswitch.consoleLog takes 2 arguments, got ${args.length}`);
          fake.logs.push({ level: String(args[0]), message: String(args[1]) });
        } else if (kind === "A") value = fake.apiExecute(String(args[0]), String(args[1] ?? ""));
        else if (kind === "J") value = JSON.parse(String(args[0]));
        else throw new Error(`bad line from the script: ${line}`);
        send(`R ${encodeValue(value)}`);
      } catch (err) {
        send(`ERR ${hexOf(err instanceof Error ? err.message : String(err))}`);
      }
    }
  };

  fake.callbacks = {
    async inputCallback(handle, digit) {
      send(`CB ${hexOf(String(handle))} ${hexOf(digit)}`);
      const reply = await serve(["CBR"]);
      return decodeValue(reply.split(" ")[1] ?? "~");
    },
    async hangupHook(handle, status) {
      send(`HOOK ${hexOf(String(handle))} ${hexOf(status)}`);
      const reply = await serve(["HOOKR"]);
      return decodeValue(reply.split(" ")[1] ?? "~");
    },
  };

  try {
    const last = await serve(["DONE", "FAIL"]);
    if (last.startsWith("DONE")) result.done = true;
    if (last.startsWith("FAIL")) result.error = fromHex(last.split(" ")[1] ?? "");
    await closed;
  } finally {
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
  result.stderr = stderr;
  return result;
}

/** Does `code` compile with `bin` (no run)? Returns the error text, or undefined. */
export function luaCompileError(code: string, bin = "lua5.3"): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), "ivr-luac-"));
  try {
    const file = join(dir, "script.lua");
    writeFileSync(file, code);
    const r = spawnSync(bin, ["-e", `assert(loadfile(${luaString(file)}))`], { encoding: "utf8" });
    return r.status === 0 ? undefined : r.stderr || `exit ${r.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
