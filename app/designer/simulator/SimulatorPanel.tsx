"use client";
// "Test call": the flow's saved draft runs on the server through a virtual channel (no SIP),
// over the WebSocket at /api/simulator. The prompts' audio arrives as 8 kHz PCM and plays
// through WebAudio; the dial pad sends digits; the canvas highlights the node the call is in;
// the transcript lists each Session method with its arguments and result. The run's time of day
// and HTTP replies are set here, and what the flow's dials do: asked per dial (the panel shows
// Answer / Busy / No answer / Fail while the party rings) or one outcome for every dial; an
// answered party is a tone in the caller's ear. Closing the page (or this panel) hangs the call up.
// After a call, "Save as test case" turns it into a case of the flow (record-case.ts).
import { useCallback, useEffect, useRef, useState } from "react";
import { checkTestCase } from "../../../flow/test-case-check";
import type { HttpStub } from "../../../flow/test-cases";
import { useDesigner, useDesignerStore } from "../context";
import { freshName } from "./case-form";
import { CallRecorder } from "./record-case";

type Status = "idle" | "connecting" | "running" | "ended";

type Entry =
  | { kind: "method"; node?: string; method: string; args: unknown[]; result: unknown; ms: number; error?: string }
  | { kind: "node"; node: string }
  | { kind: "note"; text: string };

type DialOutcome = "answer" | "busy" | "no_answer" | "failed";
const DIAL_OUTCOMES: ReadonlyArray<{ value: DialOutcome; label: string; said: string }> = [
  { value: "answer", label: "Answer", said: "answers" },
  { value: "busy", label: "Busy", said: "is busy" },
  { value: "no_answer", label: "No answer", said: "does not answer (rings until the bridge's timeout)" },
  { value: "failed", label: "Fail", said: "fails (CALL_REJECTED)" },
];
const saidOf = (o: unknown) => DIAL_OUTCOMES.find((d) => d.value === o)?.said ?? String(o);

const DIAL_PAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const SAMPLE_RATE = 8000;
/** Transcript entries kept (a looping flow must not grow the page without end). */
const MAX_ENTRIES = 500;

const show = (v: unknown): string => {
  const s = typeof v === "string" ? JSON.stringify(v) : v === undefined ? "undefined" : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

/** Plays PCM chunks back to back, as they arrive. */
class PcmPlayer {
  private readonly ctx: AudioContext;
  private next = 0;
  private readonly live = new Set<AudioBufferSourceNode>();

  constructor() {
    this.ctx = new AudioContext();
  }

  play(bytes: ArrayBuffer): void {
    const pcm = new Int16Array(bytes, 0, Math.floor(bytes.byteLength / 2));
    if (pcm.length === 0) return;
    const buffer = this.ctx.createBuffer(1, pcm.length, SAMPLE_RATE);
    const out = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.ctx.destination);
    this.next = Math.max(this.next, this.ctx.currentTime + 0.05);
    src.start(this.next);
    this.next += buffer.duration;
    this.live.add(src);
    src.onended = () => this.live.delete(src);
  }

  /** Drop what is queued (the caller pressed a key: the prompt stops on the server too). */
  flush(): void {
    for (const s of this.live) s.stop();
    this.live.clear();
    this.next = 0;
  }

  close(): void {
    this.flush();
    void this.ctx.close();
  }
}

function localDateTime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function SimulatorPanel({ readOnly, saveNow }: { readOnly: boolean; saveNow: () => Promise<boolean> }) {
  const store = useDesignerStore();
  const flowId = useDesigner((s) => s.flowId);
  const [status, setStatus] = useState<Status>("idle");
  const [language, setLanguage] = useState<"ts" | "lua">("ts");
  const [at, setAt] = useState("");
  const [zone, setZone] = useState("");
  const [httpText, setHttpText] = useState("");
  const [dialMode, setDialMode] = useState<"ask" | DialOutcome>("ask");
  const [talkSecs, setTalkSecs] = useState("10");
  /** Dials waiting for the user's choice. */
  const [asking, setAsking] = useState<Array<{ id: number; to: string }>>([]);
  /** The party the caller is bridged to now. */
  const [bridged, setBridged] = useState<{ id: number; to: string } | null>(null);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const ws = useRef<WebSocket | null>(null);
  /** The call as a test case in the making, with the run's clock and HTTP replies. */
  const recorder = useRef<{ rec: CallRecorder; clock: { at: string; zone?: string }; http?: HttpStub[] } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const player = useRef<PcmPlayer | null>(null);

  useEffect(() => {
    setZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
    setAt(localDateTime(new Date()));
  }, []);

  const add = useCallback((e: Entry) => setEntries((list) => (list.length >= MAX_ENTRIES ? [...list.slice(1), e] : [...list, e])), []);

  const finish = useCallback(() => {
    ws.current = null;
    player.current?.close();
    player.current = null;
  }, []);

  // Leaving the designer (or closing the page) ends the call.
  useEffect(() => () => ws.current?.close(), []);

  const start = async () => {
    setMessage(null);
    let http: unknown;
    try {
      http = httpText.trim() ? JSON.parse(httpText) : undefined;
      if (http !== undefined && !Array.isArray(http)) throw new Error("a JSON array");
    } catch (e) {
      setMessage(`HTTP replies must be a JSON array of {url, status, body} (${(e as Error).message}).`);
      return;
    }
    const talk = Number(talkSecs);
    if (!/^\d+$/.test(talkSecs.trim()) || talk > 600) {
      setMessage("The answered party's talk time is a whole number of seconds, 0 to 600.");
      return;
    }
    setStatus("connecting");
    setSaved(null);
    setBridged(null);
    const when = at ? new Date(at) : new Date();
    const clock = { at: when.toISOString(), ...(zone ? { zone } : {}) };
    recorder.current = { rec: new CallRecorder({ talkMs: talk * 1000 }), clock, ...(http ? { http: http as HttpStub[] } : {}) };
    setAsking([]);
    setEntries([]);
    setCurrent(null);
    // The server runs the saved draft: save the edits first.
    await saveNow();
    player.current = new PcmPlayer();
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/api/simulator?flow=${encodeURIComponent(flowId)}`);
    socket.binaryType = "arraybuffer";
    ws.current = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: "start",
          language,
          clock,
          ...(http ? { http } : {}),
          dials: { mode: dialMode, talkMs: talk * 1000 },
        }),
      );
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== "string") {
        player.current?.play(ev.data as ArrayBuffer);
        return;
      }
      const e = JSON.parse(ev.data) as Record<string, unknown>;
      switch (e.type) {
        case "started":
          setStatus("running");
          break;
        case "node":
          setCurrent(String(e.node));
          recorder.current?.rec.node(String(e.node));
          store.getState().setHighlight({ nodeId: String(e.node), tone: "current" });
          add({ kind: "node", node: String(e.node) });
          break;
        case "method":
          recorder.current?.rec.method(String(e.method));
          add({ kind: "method", node: e.node as string | undefined, method: String(e.method), args: (e.args as unknown[]) ?? [], result: e.result, ms: Number(e.ms), error: e.error as string | undefined });
          break;
        case "dial": {
          const id = Number(e.id);
          const to = String(e.to);
          switch (e.state) {
            case "asking":
              setAsking((list) => [...list, { id, to }]);
              add({ kind: "note", text: `Dialing ${to}: it rings until you choose what it does` });
              break;
            case "outcome":
              setAsking((list) => list.filter((a) => a.id !== id));
              recorder.current?.rec.dialled(to, e.outcome as DialOutcome);
              add({ kind: "note", text: `${to} ${saidOf(e.outcome)}${e.chosenBy === "setting" ? " (simulator setting)" : ""}` });
              break;
            case "cancelled":
              setAsking((list) => list.filter((a) => a.id !== id));
              // It rang out before a choice: in a case, a party that does not answer.
              recorder.current?.rec.dialled(to, "no_answer");
              add({ kind: "note", text: `The flow stopped dialing ${to} before you chose` });
              break;
            case "bridged":
              setBridged({ id, to });
              add({ kind: "note", text: `Connected to ${to}: you hear a tone while the bridge lasts` });
              break;
            case "unbridged":
              setBridged(null);
              add({ kind: "note", text: `The bridge to ${to} ended` });
              break;
          }
          break;
        }
        case "log":
          if (e.level === "err" || e.level === "warning") add({ kind: "note", text: `${e.level}: ${e.message}` });
          break;
        case "end":
          recorder.current?.rec.ended({ hangupCause: e.hangupCause as string | undefined, transferTo: e.transferTo as string | undefined });
          add({ kind: "note", text: e.transferTo ? `Transferred to ${e.transferTo}` : `Call ended: ${e.hangupCause ?? ""} (${e.hungUpBy === "caller" ? "you hung up" : "the flow hung up"})${e.scriptEnd ? `; script: ${e.scriptEnd}` : ""}` });
          break;
        case "error":
          setMessage(String(e.message));
          break;
      }
    };
    socket.onclose = (ev) => {
      setStatus("ended");
      setAsking([]);
      setBridged(null);
      if (ev.code !== 1000 && ev.code !== 1005 && ev.reason) setMessage((m) => m ?? ev.reason);
      else if (ev.code === 1006) setMessage((m) => m ?? "The simulator could not connect (signed out, no editor role, or too many test calls running).");
      finish();
    };
  };

  const press = (digit: string) => {
    if (ws.current?.readyState !== WebSocket.OPEN) return;
    player.current?.flush();
    recorder.current?.rec.pressed(digit);
    ws.current.send(JSON.stringify({ type: "dtmf", digit }));
  };

  const choose = (id: number, outcome: DialOutcome) => {
    if (ws.current?.readyState !== WebSocket.OPEN) return;
    ws.current.send(JSON.stringify({ type: "dial", id, outcome }));
    setAsking((list) => list.filter((a) => a.id !== id));
  };

  const farHangup = (id: number) => {
    if (ws.current?.readyState === WebSocket.OPEN) ws.current.send(JSON.stringify({ type: "farHangup", id }));
  };

  const hangup = () => {
    if (ws.current?.readyState !== WebSocket.OPEN) return;
    if (status === "running") recorder.current?.rec.hungUp();
    ws.current.send(JSON.stringify({ type: "hangup" }));
  };

  /** The finished call as a new test case of the flow (the Test cases list above shows it). */
  const saveAsCase = () => {
    const r = recorder.current;
    const s = store.getState();
    const tests = s.tests ?? [];
    const tc = r?.rec.toCase(freshName("Recorded call", tests.map((t) => t.name)), { clock: r.clock, http: r.http });
    if (!r || !tc) return setMessage("The call entered no node: there is nothing to expect.");
    const checked = checkTestCase(tc, { nodeIds: new Set(s.nodes.map((n) => n.id)), otherNames: tests.map((t) => t.name) });
    if (!checked.value) return setMessage(`This call cannot be a test case: ${checked.issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
    s.updateTests([...tests, checked.value]);
    recorder.current = null;
    setSaved(checked.value.name);
  };

  const live = status === "connecting" || status === "running";
  return (
    <section className="simulator" aria-label="Test call">
      <div className="test-head">
        <h3>Test call</h3>
        {live ? (
          <button type="button" className="danger" onClick={hangup}>
            Hang up
          </button>
        ) : (
          <button type="button" onClick={() => void start()} disabled={readOnly}>
            Test call
          </button>
        )}
      </div>
      {status === "ended" && recorder.current && (
        <button type="button" className="small" onClick={saveAsCase} disabled={readOnly}>
          Save as test case
        </button>
      )}
      {saved && (
        <p className="muted" role="status" aria-label="Recorded">
          Saved as the test case &quot;{saved}&quot; (in the list above: edit its expectations, then run it).
        </p>
      )}
      <fieldset className="sim-settings" disabled={live}>
        <label>
          Script
          <select value={language} onChange={(e) => setLanguage(e.target.value as "ts" | "lua")}>
            <option value="ts">TypeScript</option>
            <option value="lua">Lua</option>
          </select>
        </label>
        <label>
          Time of day (your clock)
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
        <label>
          Zone the flow sees
          <input value={zone} onChange={(e) => setZone(e.target.value)} placeholder="America/New_York" />
        </label>
        <label>
          HTTP replies (JSON)
          <textarea rows={3} value={httpText} onChange={(e) => setHttpText(e.target.value)} placeholder='[{"url": "https://api.example.com/", "status": 200, "body": "{}"}]' />
        </label>
        <label>
          When the flow dials
          <select value={dialMode} onChange={(e) => setDialMode(e.target.value as "ask" | DialOutcome)}>
            <option value="ask">Ask me each time</option>
            {DIAL_OUTCOMES.map((o) => (
              <option key={o.value} value={o.value}>
                Always: {o.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          An answered party talks for (s)
          <input inputMode="numeric" value={talkSecs} onChange={(e) => setTalkSecs(e.target.value)} />
        </label>
      </fieldset>
      {asking.map((a) => (
        <div key={a.id} className="sim-dial" role="group" aria-label={`Dialing ${a.to}`}>
          <span>
            Dialing <strong>{a.to}</strong> (ringing): what does it do?
          </span>
          {DIAL_OUTCOMES.map((o) => (
            <button key={o.value} type="button" onClick={() => choose(a.id, o.value)}>
              {o.label}
            </button>
          ))}
        </div>
      ))}
      {bridged && (
        <div className="sim-dial" role="group" aria-label={`Bridged to ${bridged.to}`}>
          <span>
            Bridged to <strong>{bridged.to}</strong> (you hear a tone)
          </span>
          <button type="button" onClick={() => farHangup(bridged.id)}>
            {bridged.to} hangs up
          </button>
        </div>
      )}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <p className="sim-status" role="status" aria-label="Call status">
        {status === "idle" ? "No call" : status === "connecting" ? "Connecting…" : status === "running" ? `In call${current ? ` · node ${current}` : ""}` : "Call ended"}
      </p>
      <div className="dial-pad" role="group" aria-label="Dial pad">
        {DIAL_PAD.map((d) => (
          <button key={d} type="button" onClick={() => press(d)} disabled={status !== "running"} aria-label={`Key ${d}`}>
            {d}
          </button>
        ))}
      </div>
      <ol className="transcript" aria-label="Transcript">
        {entries.map((e, i) =>
          e.kind === "method" ? (
            <li key={i} className="tr-method">
              <code>
                {e.method}({e.args.map(show).join(", ")})
              </code>{" "}
              → <code>{show(e.result)}</code>
              {e.error && <span className="tr-error"> {e.error}</span>}
            </li>
          ) : e.kind === "node" ? (
            <li key={i} className="tr-node">
              node {e.node}
            </li>
          ) : (
            <li key={i} className="tr-note">
              {e.text}
            </li>
          ),
        )}
      </ol>
    </section>
  );
}
