// Dialplan applications for session:execute(app, data), with mod_dptools' argument order
// (which differs from the session methods: e.g. `read` takes a variable name).
// Data arrives already variable-expanded. Results come back only through channel variables.
import { separateString } from "./expand";
import type { FsSession } from "./session";
import { normalizeLogLevel } from "./session";

type App = (s: FsSession, data: string) => Promise<void>;

const num = (v: string | undefined, def: number) => {
  const n = Number(v);
  return v !== undefined && v !== "" && Number.isFinite(n) ? n : def;
};

/** "name=value" for set/export; "name" alone unsets (FreeSWITCH set with no '=' clears). */
function assign(s: FsSession, data: string): void {
  const eq = data.indexOf("=");
  if (eq <= 0) {
    s.channel.setVar(data.trim(), undefined);
    return;
  }
  const name = data.slice(0, eq).trim();
  const value = data.slice(eq + 1);
  s.channel.setVar(name, value === "" || value === "_undef_" ? undefined : value);
}

/** Without outbound calling (no OutboundPort), every dial fails as an unreachable destination. */
function failBridge(s: FsSession, data: string): void {
  const cause = "NO_ROUTE_DESTINATION";
  s.log("err", `Originate Failed.  Cause: ${cause} (bridge ${data}: outbound calling is not available)`);
  s.channel.setVar("originate_disposition", cause);
  s.channel.setVar("originate_failed_cause", cause);
  s.channel.setVar("last_bridge_hangup_cause", cause);
  s.channel.setVar("DIALSTATUS", "CHANUNAVAIL");
  s.originateCause = cause;
}

/** mod_dptools' bridge (audio_bridge_function): originate, then bridge or handle the failure. */
async function bridge(s: FsSession, data: string): Promise<void> {
  if (!data) return;
  const outbound = s.outbound;
  if (!outbound) return failBridge(s, data);
  const r = await outbound.originate({ dial: data, caller: s, timeoutSec: 0, requestedBy: s });
  if (!r.ok) {
    s.log("info", `Originate Failed.  Cause: ${r.cause}`);
    s.channel.setVar("originate_failed_cause", r.cause);
    // Without continue_on_fail this hangs the caller up, as FreeSWITCH does.
    outbound.handleCause(s, r.cause);
    return;
  }
  await outbound.bridge(s, r.leg);
}

const APPS: Record<string, App> = {
  answer: async (s) => s.answerCall(),
  pre_answer: async (s) => s.preAnswerCall(),
  hangup: async (s, data) => s.doHangup(data.trim() || undefined),
  sleep: async (s, data) => {
    await s.doSleep(num(data.trim(), 0));
  },
  set: async (s, data) => assign(s, data),
  export: async (s, data) => assign(s, data.replace(/^nolocal:/, "")),
  unset: async (s, data) => s.channel.setVar(data.trim(), undefined),
  log: async (s, data) => {
    const [first, ...rest] = data.split(" ");
    const known = normalizeLogLevel(first) !== "debug" || /^(debug|7)$/i.test(first);
    s.log(known ? normalizeLogLevel(first) : "debug", known ? rest.join(" ") : data);
  },
  transfer: async (s, data) => {
    const [ext, dp, ctx] = separateString(data);
    if (/^sips?:/i.test(ext ?? "")) await s.deflect(ext);
    else s.doTransfer(ext, dp, ctx);
  },
  // mod_dptools' deflect: REFER an answered call elsewhere (a SIP URI, or a user at our address).
  deflect: async (s, data) => {
    await s.deflect(data);
  },
  playback: async (s, data) => {
    // The playback app (unlike streamFile) stops on playback_terminators (default "*").
    if (!(await s.ensureMedia())) return;
    const terms = s.channel.getVar("playback_terminators") ?? "*";
    const h = s.media.play(data.trim());
    for (;;) {
      const ev = await s.channel.waitEvent(undefined, h.done, terms !== "none" && terms !== "");
      if (ev !== "dtmf") {
        if (ev === "down") h.stop();
        break;
      }
      const d = s.channel.shiftDtmf();
      if (d && terms.includes(d.digit)) {
        s.channel.setVar("playback_terminator_used", d.digit);
        h.stop();
        break;
      }
    }
    const r = await h.done;
    s.channel.setVar("playback_ms", String(Math.round(r.ms)));
    s.channel.setVar("playback_samples", String(r.samples));
  },
  read: async (s, data) => {
    // <min> <max> <file> <var_name> <timeout> <terminators> [<digit_timeout>]
    const [min, max, file, varName, timeout, terms, digitTimeout] = separateString(data);
    const r = await s.readCore(
      Math.max(1, num(min, 1)),
      Math.max(1, num(max, 1)),
      file ?? "",
      Math.max(1, num(timeout, 5000)),
      terms ?? "#",
      num(digitTimeout, 0),
    );
    if (varName) s.channel.setVar(varName, r.digits || undefined);
  },
  play_and_get_digits: async (s, data) => {
    // <min> <max> <tries> <timeout> <terminators> <file> <invalid_file> [<var_name> [<regexp> [<digit_timeout> [<transfer_on_failure>]]]]
    const p = separateString(data);
    const transferOnFailure = p.slice(11).length ? `${p[10]} ${p.slice(11).join(" ")}` : p[10];
    await s.doPlayAndGetDigits(
      num(p[0], 1),
      num(p[1], 1),
      num(p[2], 1),
      num(p[3], 5000),
      p[4] ?? "",
      p[5] ?? "",
      p[6] ?? "",
      p[8] ?? "",
      p[7] || undefined,
      num(p[9], 0),
      transferOnFailure || undefined,
    );
  },
  speak: async (s, data) => {
    // engine|voice|text (engine and voice default to set_tts_params / tts_engine, tts_voice)
    const parts = data.split("|");
    const text = parts.length >= 3 ? parts.slice(2).join("|") : parts[parts.length - 1];
    const engine = (parts.length >= 3 ? parts[0] : "") || s.channel.getVar("tts_engine") || s.ttsParams()?.engine;
    const voice = (parts.length >= 3 ? parts[1] : "") || s.channel.getVar("tts_voice") || s.ttsParams()?.voice;
    if (!engine || !voice) {
      s.log("err", "No TTS engine specified");
      return;
    }
    await s.doSpeak(engine, voice, text);
  },
  record: async (s, data) => {
    // <path> [<time_limit_secs>] [<silence_thresh>] [<silence_hits>]
    const [path, limit, thresh, hits] = separateString(data);
    if (!path) {
      s.log("err", "record: no file given");
      return;
    }
    await s.doRecord(path, num(limit, 0), num(thresh, 0), num(hits, 0));
  },
  start_dtmf: async (s) => s.media.setInbandDtmf(true),
  stop_dtmf: async (s) => s.media.setInbandDtmf(false),
  bridge: (s, data) => bridge(s, data.trim()),
};

/** The applications session:execute() knows (documented in the README). */
export const SUPPORTED_APPLICATIONS = Object.keys(APPS).sort();

export async function runApplication(s: FsSession, app: string, data: string): Promise<void> {
  const fn = APPS[app];
  if (!fn) {
    s.log("err", `Invalid Application ${app}`);
    return;
  }
  await fn(s, data);
}
