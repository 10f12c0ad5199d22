// Hand-written scripts in the style of the FreeSWITCH docs under plain lua5.x: the thin
// stand-in must refuse what mod_lua's SWIG binding refuses and pass values as it pushes them;
// the answers come from the runtime's FsSession and API commands.
import { describe, expect, it } from "vitest";
import { SESSION_METHODS } from "../../generators/lua/binding";
import { runLua, LUA_VERSIONS } from "../support/run-flow";

/** print() output is read from the interpreter's stdout: plain interpreters only. */
const PLAIN_LUAS = LUA_VERSIONS.filter((v) => v !== "runtime");
import type { ScriptedCaller } from "../support/caller";

const silent: ScriptedCaller = { actions: [] };

describe("strict binding", () => {
  it("rejects session:read with a variable name as 4th argument (signalwire/freeswitch#1608)", async () => {
    const r = await runLua(`session:read(1, 4, "ivr/pin.wav", "pin", 5000, "#")`, silent);
    expect(r.error).toBe("Error in CoreSession::read (arg 5), expected 'int' got 'string'");
    expect(r.trace).toEqual([]);
  });

  it("checks argument counts like SWIG_check_num_args (self included)", async () => {
    const few = await runLua(`session:read(1, 4, "ivr/pin.wav")`, silent);
    expect(few.error).toBe("Error in CoreSession::read expected 6..7 args, got 4");
    const many = await runLua(`session:answer(1)`, silent);
    expect(many.error).toBe("Error in CoreSession::answer expected 1..1 args, got 2");
    const noSelf = await runLua(`session.ready()`, silent);
    expect(noSelf.error).toBe("Error in LUA::Session::ready expected 1..1 args, got 0");
    const log = await runLua(`freeswitch.consoleLog("info")`, silent);
    expect(log.error).toBe("Error in consoleLog expected 2..2 args, got 1");
  });

  it("checks types: int takes numbers and numeric strings, char * takes strings, numbers and nil", async () => {
    const table = await runLua(`session:streamFile({})`, silent);
    expect(table.error).toBe("Error in CoreSession::streamFile (arg 2), expected 'char *' got 'table'");
    const bool = await runLua(`session:sleep(true)`, silent);
    expect(bool.error).toBe("Error in CoreSession::sleep (arg 2), expected 'int' got 'boolean'");
    const fn = await runLua(`session:setVariable("x", print)`, silent);
    expect(fn.error).toBe("Error in CoreSession::setVariable (arg 3), expected 'char *' got 'function'");
    const nilInt = await runLua(`session:streamFile("a.wav", nil)`, silent);
    expect(nilInt.error).toBe("Error in CoreSession::streamFile (arg 3), expected 'int' got 'nil'");
    const ok = await runLua(`session:sleep("250") session:setVariable("n", 5) session:setVariable("gone", nil)`, silent);
    expect(ok.error).toBeUndefined();
    expect(ok.trace.map((t) => [t.method, t.args])).toEqual([
      ["sleep", [250]],
      ["setVariable", ["n", "5"]],
      ["setVariable", ["gone"]],
    ]);
  });

  it("has no session:executeString (only freeswitch.API has it)", async () => {
    const r = await runLua(`session:executeString("uptime")`, silent, { lua: "lua5.3" });
    expect(r.error).toMatch(/attempt to call a nil value \(method 'executeString'\)/);
    const api = await runLua(
      `print(freeswitch.API():executeString("strftime_tz UTC %Y-%m-%d"))`,
      { actions: [], now: "2026-03-04T05:06:07Z" },
    );
    expect(api.error).toBeUndefined();
    expect(api.output).toBe("2026-03-04\n");
  });

  it("takes its method table from generators/lua/binding.ts: every method, every count", async () => {
    const names = Object.keys(SESSION_METHODS).sort();
    const script = names
      .map((m) => {
        const tooMany = Array.from({ length: SESSION_METHODS[m].args.length + 1 }, () => "1").join(", ");
        return `print(select(2, pcall(function() return session:${m}(${tooMany}) end)))`;
      })
      .join("\n");
    const r = await runLua(`${script}\nprint(session.collectDigits, session.hangupStatus, session.executeString)`, silent);
    const expected = names.map((m) => {
      const sig = SESSION_METHODS[m];
      const min = sig.args.filter((a) => !a.optional).length + 1;
      const cls = ["ready", "setInputCallback", "setHangupHook"].includes(m) ? "LUA::Session" : "CoreSession";
      return `Error in ${cls}::${m} expected ${min}..${sig.args.length + 1} args, got ${sig.args.length + 2}`;
    });
    expect(r.output.split("\n")).toEqual([...expected, "nil\tnil\tnil", ""]);
    expect(r.trace).toEqual([]);
  });

  it("unknown freeswitch.* functions do not exist", async () => {
    const r = await runLua(`freeswitch.msleep(100)`, silent, { lua: "lua5.4" });
    expect(r.error).toMatch(/attempt to call a nil value \(field 'msleep'\)/);
  });
});

describe("return values as FreeSWITCH pushes them", () => {
  for (const lua of PLAIN_LUAS) {
    it(`${lua}: status numbers are floats, ready() a boolean, unset variables nil`, async () => {
      const r = await runLua(
        `print(session:answer(), session:streamFile("a.wav"), type(session:ready()), type(session:getVariable("nope")), session:getVariable("destination_number"))
         print(math.type and math.type(session:answer()) or "no math.type")
         print(select("#", session:consoleLog("info", "x")))`,
        silent,
        { lua },
      );
      expect(r.error).toBeUndefined();
      const floats = lua === "lua5.2" ? "1\t1" : "1.0\t1.0";
      expect(r.output).toBe(`${floats}\tboolean\tnil\t5000\n${lua === "lua5.2" ? "no math.type" : "float"}\n0\n`);
    });
  }
});

describe("DTMF collection", () => {
  it("playAndGetDigits: invalid prompt after every failed try, '' after the last, <var>_invalid kept", async () => {
    const r = await runLua(
      `local d = session:playAndGetDigits(1, 1, 3, 5000, "#", "menu.wav", "invalid.wav", "^[12]$", "choice")
       print("[" .. d .. "]", session:getVariable("choice"), session:getVariable("choice_invalid"), session:getVariable("read_result"))`,
      { actions: [{ dtmf: "9" }, { noinput: true }, { dtmf: "7" }] },
    );
    expect(r.error).toBeUndefined();
    expect(r.output).toBe("[]\tnil\t7\tsuccess\n");
    expect(r.events.filter((e) => e.type === "play").map((e) => (e as { file: string }).file)).toEqual([
      "menu.wav", "invalid.wav", "menu.wav", "invalid.wav", "menu.wav", "invalid.wav",
    ]);
  });

  it("playAndGetDigits: multi-digit entry ended by the terminator, regex on the digits only", async () => {
    const r = await runLua(
      `print(session:playAndGetDigits(2, 5, 3, 3000, "#", "p.wav", "bad.wav", "^\\\\d+$", "acct"), session:getVariable("acct"))`,
      { actions: [{ dtmf: "123#" }] },
    );
    expect(r.output).toBe("123\t123\n");
  });

  it("read returns the digits whatever the status; read_result and read_terminator_used", async () => {
    const r = await runLua(
      `print(session:read(5, 10, "p.wav", 3000, "*#"), session:getVariable("read_result"), session:getVariable("read_terminator_used"))
       print(session:read(0, 0, "p.wav", 0, "#"), session:getVariable("read_result"))`,
      { actions: [{ dtmf: "123#" }, { dtmf: "4" }, { noinput: true }] },
    );
    expect(r.error).toBeUndefined();
    // min/max/timeout clamp to 1: one digit is enough
    expect(r.output).toBe("123\tfailure\t#\n4\tsuccess\n");
  });

  it("getDigits takes digits typed during an uninterruptible streamFile (no callback: they stay queued)", async () => {
    const r = await runLua(
      `print(session:streamFile("long.wav")) print(session:getDigits(4, "#", 3000))`,
      { actions: [{ dtmf: "12#3" }] },
      { lua: "lua5.4" },
    );
    expect(r.output).toBe("1.0\n12\n");
  });

  it("flushDigits drops typed-ahead digits", async () => {
    const r = await runLua(
      `session:getDigits(1, "", 1000) print(session:flushDigits()) print("[" .. session:getDigits(1, "", 1000) .. "]")`,
      { actions: [{ dtmf: "12" }, { noinput: true }] },
      { lua: "lua5.3" },
    );
    expect(r.output).toBe("0.0\n[]\n");
  });
});

describe("callbacks by global name", () => {
  it("an input callback gets (session, 'dtmf', {digit, duration}, arg) and 'break' stops the file with 0", async () => {
    const r = await runLua(
      `my_arg = "blah"
       function on_input(s, kind, obj, arg)
         print(s == session, kind, obj.digit, obj.duration, arg)
         if obj.digit == "5" then return "break" end
       end
       session:setInputCallback("on_input", "my_arg")
       print(session:streamFile("long.wav"))
       session:unsetInputCallback()
       print(session:getDigits(5, "", 1000))`,
      { actions: [{ dtmf: "456" }, { noinput: true }] },
      { lua: "lua5.3" },
    );
    expect(r.error).toBeUndefined();
    expect(r.output).toBe("true\tdtmf\t4\t2000.0\tblah\ntrue\tdtmf\t5\t2000.0\tblah\n0.0\n6\n");
  });

  it("the hangup hook runs at the next session call after the caller leaves; 'exit' ends the script", async () => {
    const r = await runLua(
      `function hook(s, status, arg) print("hook", status, arg, s:getVariable("hangup_cause")) return "exit" end
       session:setHangupHook("hook")
       print(session:streamFile("a.wav"))
       print("not reached")`,
      { actions: [{ hangup: true }] },
    );
    // hangup_cause is not set yet while the script (its hook included) runs, as in FreeSWITCH
    expect(r.output).toBe("hook\thangup\tnil\tnil\n");
    expect(r.error).toBe("exit");
    expect(r.exitedBy).toBe("exit");
    expect(r.vars.lua_hangup_hook_return_val).toBe("exit");
  });

  it("a hook returning anything else lets the script wind down; media calls return at once", async () => {
    const r = await runLua(
      `function hook() return "ok" end
       session:setHangupHook("hook")
       print(session:streamFile("a.wav"), session:ready(), session:streamFile("b.wav"), session:getDigits(1, "", 100) == "")`,
      { actions: [{ hangup: true }] },
      { lua: "lua5.4" },
    );
    expect(r.error).toBeUndefined();
    expect(r.output).toBe("0.0\tfalse\t0.0\ttrue\n");
  });

  it("transfer: ready() turns false and the hook hears 'transfer'", async () => {
    const r = await runLua(
      `function hook(s, status) print("hook", status) end
       session:setHangupHook("hook")
       print(session:transfer("1000", "XML", "default"), session:ready())`,
      silent,
      { lua: "lua5.3" },
    );
    expect(r.output).toBe("hook\ttransfer\n1.0\tfalse\n");
    expect(r.events).toContainEqual({ type: "transfer", extension: "1000", dialplan: "XML", context: "default" });
  });
});

describe("execute bridge and the API commands", () => {
  it("the scripted far end decides the bridge result", async () => {
    const script = `session:execute("bridge", "user/1000")
      print(session:getVariable("originate_disposition"), session:getVariable("DIALSTATUS"), session:getVariable("originate_failed_cause"))`;
    const busy = await runLua(script, { actions: [{ bridge: "busy" }] });
    expect(busy.output).toBe("USER_BUSY\tBUSY\tUSER_BUSY\n");
    const answered = await runLua(script, { actions: [{ bridge: "answered" }] });
    expect(answered.output).toBe("SUCCESS\tSUCCESS\tnil\n");
    const unscripted = await runLua(script, silent);
    expect(unscripted.harnessError).toMatch(/bridges but the caller's next action/);
  });

  it("regex goes through switch_separate_string like mod_commands (escapes, quotes, m:<delim>)", async () => {
    const r = await runLua(
      `local api = freeswitch.API()
       print(api:execute("regex", "m:~1 2~^1\\\\s2$"), api:execute("regex", "123|^\\\\d{3}$"), api:execute("regex", "'1 2'|^1 2$"))
       print(api:execute("regex", "12|^(1|2)$"))`,
      silent,
    );
    // \\s in the pattern reaches PCRE as a space; paired quotes are removed; an unescaped | in the
    // pattern splits it (pattern "^(1", substitution "2)$"): the broken pattern answers -ERR
    expect(r.output).toBe("true\ttrue\ttrue\n-ERR\n");
  });

  it("curl json + JSON:decode: status_code is a number (a float in 5.3), fields as tables", async () => {
    const r = await runLua(
      `local out = freeswitch.API():execute("curl", "https://crm.example.com/x json timeout 5 get")
       local res = freeswitch.JSON():decode(out)
       local body = freeswitch.JSON():decode(res.body)
       print(res.status_code, body.customer.tier, body.items[1].id)`,
      { actions: [], http: [{ status: 200, body: JSON.stringify({ customer: { tier: "gold" }, items: [{ id: 7 }] }) }] },
      { lua: "lua5.3" },
    );
    expect(r.error).toBeUndefined();
    expect(r.output).toBe("200.0\tgold\t7.0\n");
    expect(r.events).toContainEqual({
      type: "http",
      request: { url: "https://crm.example.com/x", method: "GET", headers: {} },
      status: 200,
    });
  });

  it("stops a runaway loop", async () => {
    const r = await runLua(`while true do session:getVariable("x") end`, { actions: [], maxCalls: 50 });
    expect(r.harnessError).toMatch(/more than 50 calls/);
  });
});
