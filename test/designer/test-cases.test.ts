// The designer's test-case editor without a browser: the checks behind its field messages
// (flow/test-case-check.ts), the form model (case-form.ts: every example's cases survive the
// form unchanged), the store (cases saved with the draft, undoable), and "Save as test case"
// from a simulator call (record-case.ts), whose case then passes on the runner.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadFlow, type FlowGraph } from "../../flow/graph";
import { checkTestCase } from "../../flow/test-case-check";
import { validate } from "../../flow/validate";
import { flowTestCaseSchema } from "../../flow/test-cases";
import { emptyBridge, emptyStep, freshName, fromDraft, newCase, splitPath, toDraft } from "../../app/designer/simulator/case-form";
import { CallRecorder } from "../../app/designer/simulator/record-case";
import { createDesignerStore } from "../../app/designer/store";
import { runFlowTests } from "../../runtime/testing/flow-tests";

const EXAMPLES = path.join(__dirname, "../../examples");
const examples: Array<[string, FlowGraph]> = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [f, loadFlow(JSON.parse(readFileSync(path.join(EXAMPLES, f), "utf8")))]);
const dial = examples.find(([f]) => f === "dial-by-extension.json")![1];
const ids = new Set(dial.nodes.map((n) => n.id));
const fieldsOf = (r: { issues: Array<{ field: string }> }) => r.issues.map((i) => i.field);

describe("checkTestCase: a message at the field", () => {
  it("accepts every example's cases as they are", () => {
    let n = 0;
    for (const [, flow] of examples) {
      const nodeIds = new Set(flow.nodes.map((x) => x.id));
      for (const tc of flow.tests ?? []) {
        const r = checkTestCase(tc, { nodeIds, otherNames: flow.tests!.filter((t) => t !== tc).map((t) => t.name) });
        expect(r.issues, `${flow.name}: ${tc.name}`).toEqual([]);
        expect(r.value).toEqual(tc);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });

  it("names each field that is off: schema rules in words, nodes not in the flow, a taken name, a clock the runner cannot pin, a cause FreeSWITCH lacks", () => {
    const r = checkTestCase(
      {
        name: "busy",
        caller: [{ press: "12x" }, { press: "1", after: -5 }, { hangup: true, atNode: "nowhere" }],
        clock: { at: "2026-12-07T15:00", zone: "Mars/Olympus" },
        bridges: [{ outcome: "failed", cause: "NOT_A_CAUSE" }],
        http: [{ status: 700 }],
        expect: { path: ["start", "answr"], finalNode: "gone", hangupCause: "HUNG_UP" },
      },
      { nodeIds: ids, otherNames: ["busy"] },
    );
    const by = Object.fromEntries(r.issues.map((i) => [i.field, i.message]));
    expect(r.value).toBeUndefined();
    expect(by).toEqual({
      name: 'Another test case is named "busy".',
      "caller.0.press": "Digits are 0-9, *, #, A-D.",
      "caller.1.after": "The delay must be at least 0.",
      "caller.2.atNode": 'There is no node "nowhere" in this flow.',
      "clock.at": "The instant must end with its zone or offset, e.g. 2026-12-07T15:00:00Z.",
      "clock.zone": '"Mars/Olympus" is not a time zone; use an IANA name such as Europe/Paris.',
      "bridges.0.cause": "A FreeSWITCH hangup cause name, e.g. CALL_REJECTED.",
      "http.0.status": "The status must be at most 599.",
      "expect.path": 'There is no node "answr" in this flow.',
      "expect.finalNode": 'There is no node "gone" in this flow.',
      "expect.hangupCause": '"HUNG_UP" is not a FreeSWITCH hangup cause (e.g. NORMAL_CLEARING).',
    });
    expect(fieldsOf(checkTestCase({ name: "", caller: [], expect: {} }, { nodeIds: ids }))).toEqual(["name", "expect"]);
    expect(checkTestCase({ name: "x", expect: {} }, { nodeIds: ids }).issues.find((i) => i.field === "expect")?.message).toMatch(/^Say what to expect/);
  });
});

describe("validate: a stale case is a Problem (IVR1033)", () => {
  it("warns about a case naming a node the flow no longer has, and about nothing in the examples", () => {
    for (const [, flow] of examples) expect(validate(flow).filter((d) => d.code === "IVR1033"), flow.name).toEqual([]);
    const gone = { ...dial, nodes: dial.nodes.filter((n) => n.id !== "busy_message"), edges: dial.edges.filter((e) => e.target !== "busy_message" && e.source !== "busy_message") };
    expect(validate(gone).filter((d) => d.code === "IVR1033")).toEqual([
      {
        code: "IVR1033",
        severity: "warning",
        message: 'Test case "the extension is busy: the caller tries another, which answers" (expect.path): There is no node "busy_message" in this flow.',
      },
    ]);
  });
});

describe("the case form", () => {
  it("every example's cases go through the form and come back the same", () => {
    for (const [, flow] of examples) {
      for (const tc of flow.tests ?? []) {
        const back = fromDraft(toDraft(tc));
        expect(back.issues).toEqual([]);
        expect(flowTestCaseSchema.parse(back.value), tc.name).toEqual(tc);
      }
    }
  });

  it("numbers as typed: empty is absent, text is a message at that field; caller and called numbers are variables; a variable named twice is refused", () => {
    const d = toDraft(newCase([]));
    d.callerNumber = "15550001111";
    d.calledNumber = "2000";
    d.variables = [{ name: "lang", value: "fr" }, { name: "", value: "" }];
    d.steps = [{ ...emptyStep(), press: "1001#", after: "1500", gap: "" }, { ...emptyStep(), kind: "hangup", after: "soon", atNode: "goodbye" }];
    d.bridges = [{ ...emptyBridge(), to: "1001", outcome: "busy", ringMs: "300", talkMs: "5000" }];
    d.expectPath = "start → answer, reset_attempts  ask_extension";
    d.expectVariables = [{ name: "extension", value: "1" }, { name: "extension", value: "2" }];
    const { value, issues } = fromDraft(d);
    expect(issues).toEqual([
      { field: "caller.1.after", message: "The delay is a whole number of milliseconds." },
      { field: "expect.variables", message: "The variable extension is set twice." },
    ]);
    expect(value).toMatchObject({
      variables: { caller_id_number: "15550001111", destination_number: "2000", lang: "fr" },
      caller: [{ press: "1001#", after: 1500 }, { hangup: true, atNode: "goodbye" }],
      // talkMs belongs to an answering party only.
      bridges: [{ to: "1001", outcome: "busy", ringMs: 300 }],
      expect: { path: ["start", "answer", "reset_attempts", "ask_extension"], hangupCause: "NORMAL_CLEARING", variables: { extension: "1" } },
    });
    expect(splitPath(" a -> b→c,d ")).toEqual(["a", "b", "c", "d"]);
    expect(freshName("New case", ["New case", "New case 2"])).toBe("New case 3");
  });
});

describe("the store keeps the cases with the draft", () => {
  it("updateTests: saved in graph(), one undo step per field edit, counted as a change to save", () => {
    const store = createDesignerStore({ flowId: "f", revision: 1, graph: dial });
    const s = () => store.getState();
    const before = s().tests!;
    s().updateTests([...before, newCase(before.map((t) => t.name))]);
    expect(s().saveStatus).toBe("unsaved");
    expect(s().graph().tests!.at(-1)).toEqual({ name: "New case", caller: [], expect: { hangupCause: "NORMAL_CLEARING" } });
    s().updateTests(s().tests!.map((t, i) => (i === before.length ? { ...t, name: "N" } : t)), "6:name");
    s().updateTests(s().tests!.map((t, i) => (i === before.length ? { ...t, name: "Ne" } : t)), "6:name");
    s().undo();
    expect(s().tests!.length).toBe(before.length + 1);
    expect(s().tests!.at(-1)!.name).toBe("New case");
    s().undo();
    expect(s().tests).toEqual(before);
  });
});

describe("Save as test case (a simulator call)", () => {
  it("digits per input, a silent wait, a dial's outcome, the path and the cause become a case that passes on the runner", async () => {
    // The call as the simulator reported it: a bad entry, a wait with nothing pressed, then 1002 busy, 1004 answered.
    const rec = new CallRecorder({ talkMs: 2000 });
    for (const n of ["start", "answer", "reset_attempts", "ask_extension"]) rec.node(n);
    for (const d of "12#") rec.pressed(d);
    rec.method("read");
    for (const n of ["invalid_extension", "count_attempt", "too_many", "ask_extension"]) rec.node(n);
    rec.method("read");
    for (const n of ["invalid_extension", "count_attempt", "too_many", "ask_extension"]) rec.node(n);
    for (const d of "1004") rec.pressed(d);
    rec.method("streamFile");
    rec.method("read");
    for (const n of ["connecting", "dial_extension"]) rec.node(n);
    rec.dialled("1004", "answer");
    rec.node("call_done");
    rec.ended({ hangupCause: "NORMAL_CLEARING" });
    const tc = rec.toCase("Recorded call", { clock: { at: "2026-12-07T15:00:00.000Z", zone: "Europe/Paris" } })!;
    expect(tc.caller).toEqual([{ press: "12#" }, { silence: true }, { press: "1004" }]);
    expect(tc.bridges).toEqual([{ to: "1004", outcome: "answer", talkMs: 2000 }]);
    expect(tc.expect).toEqual({
      path: ["start", "answer", "reset_attempts", "ask_extension", "invalid_extension", "count_attempt", "too_many", "ask_extension", "invalid_extension", "count_attempt", "too_many", "ask_extension", "connecting", "dial_extension", "call_done"],
      hangupCause: "NORMAL_CLEARING",
    });
    expect(checkTestCase(tc, { nodeIds: ids }).issues).toEqual([]);
    const [result] = await runFlowTests({ ...dial, tests: [tc] }, { languages: ["lua"] });
    expect(result.failure).toBeUndefined();
    expect(result.passed).toBe(true);

    // Hanging up before the node's first input: the case hangs up on entering that node.
    const early = new CallRecorder({ talkMs: 0 });
    early.node("start");
    early.node("answer");
    early.hungUp();
    early.ended({ hangupCause: "NORMAL_CLEARING" });
    expect(early.toCase("x", {})!.caller).toEqual([{ hangup: true, atNode: "answer" }]);
    expect(new CallRecorder({ talkMs: 0 }).toCase("x", {})).toBeUndefined();
  });
});
