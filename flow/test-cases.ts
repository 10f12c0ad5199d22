// Flow test cases, saved with the flow document (`tests`): what the caller does, the clock,
// the call's variables, stubbed HTTP replies, and the outcome expected. The runner lives in
// runtime/testing/ (it runs the generated script on the runtime's Session semantics).
import { z } from "zod";
import { HANGUP_CAUSES } from "./hangup-causes";

const nodeId = z.string().min(1);
/** Virtual milliseconds (the runner's clock is virtual: a 5 s timeout takes no real time). */
const ms = z.number().int().min(0).max(3_600_000);

/**
 * One thing the caller does. Each step waits for its moment: by default the next time the flow
 * waits for input (an input method starts, or a menu plays its prompt for another try); with
 * `atNode`, the moment the flow enters that node. Then `after` ms pass, then the action.
 */
export const callerStepSchema = z.union([
  z.strictObject({
    /** DTMF digits to press (0-9 * # A-D). */
    press: z.string().regex(/^[0-9*#A-Da-d]+$/, "digits are 0-9, *, #, A-D"),
    /** Between two digits; default 100 ms. */
    gap: ms.optional(),
    after: ms.optional(),
    atNode: nodeId.optional(),
  }),
  /** Press nothing: that wait runs into its timeout. */
  z.strictObject({ silence: z.literal(true), atNode: nodeId.optional() }),
  z.strictObject({ hangup: z.literal(true), after: ms.optional(), atNode: nodeId.optional() }),
]);

export const httpStubSchema = z.strictObject({
  /** Matches a request whose URL starts with this; absent = any URL. */
  url: z.string().optional(),
  method: z.string().optional(),
  /** 0 = the connection failed. */
  status: z.number().int().min(0).max(599),
  body: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/**
 * How a dialled party behaves when the flow bridges to it. The flow's branches then follow the
 * variables FreeSWITCH sets for that result (originate_disposition, originate_failed_cause,
 * DIALSTATUS, last_bridge_hangup_cause), set by the runtime's own originate engine.
 */
export const bridgeStubSchema = z.strictObject({
  /** The dialled number or user (1001 in user/1001, the number after a gateway); absent = any. */
  to: z.string().optional(),
  /**
   * answer: rings for ringMs, answers, talks for talkMs, then hangs up (NORMAL_CLEARING);
   * busy: rings for ringMs, then 486 (USER_BUSY); no_answer: rings until the bridge's ring
   * timeout (NO_ANSWER); failed: ends after ringMs with `cause` (default CALL_REJECTED).
   */
  outcome: z.enum(["answer", "busy", "no_answer", "failed"]),
  ringMs: ms.optional(),
  talkMs: ms.optional(),
  cause: z.string().refine((c) => c in HANGUP_CAUSES, "a FreeSWITCH hangup cause name, e.g. CALL_REJECTED").optional(),
});

export const testExpectationSchema = z
  .strictObject({
    /** Every node id the call went through, in order. */
    path: z.array(nodeId).min(1).optional(),
    /** The last node the call was in. */
    finalNode: nodeId.optional(),
    /** Channel variables at the end (only those named). */
    variables: z.record(z.string(), z.string()).optional(),
    /** FreeSWITCH cause name, e.g. NORMAL_CLEARING. */
    hangupCause: z.string().optional(),
    /** The extension the flow transferred the call to (the call is not hung up then). */
    transferTo: z.string().optional(),
  })
  .refine((e) => e.path || e.finalNode || e.variables || e.hangupCause || e.transferTo, "say what to expect: a path, a final node, variables, a hangup cause or a transfer (expect.path, finalNode, variables, hangupCause or transferTo)");

export const flowTestCaseSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().optional(),
  caller: z.array(callerStepSchema).max(500).default([]),
  /** Pinned clock (runtime/clock.ts ClockSetting): `{ at: "2026-12-07T15:00:00Z", zone: "America/New_York" }`. */
  clock: z.strictObject({ at: z.string(), zone: z.string().optional() }).optional(),
  /** Channel variables of the inbound call (caller_id_number, destination_number...). */
  variables: z.record(z.string(), z.string()).optional(),
  /** HTTP replies, each used once, the first that matches a request. */
  http: z.array(httpStubSchema).max(200).optional(),
  /** Dialled parties, each used once, the first whose `to` matches. Without: every dial fails (NO_ROUTE_DESTINATION). */
  bridges: z.array(bridgeStubSchema).max(50).optional(),
  expect: testExpectationSchema,
});

export const flowTestCasesSchema = z
  .array(flowTestCaseSchema)
  .max(200)
  .refine((cases) => new Set(cases.map((c) => c.name)).size === cases.length, "test case names must be unique");

export type CallerStep = z.output<typeof callerStepSchema>;
export type HttpStub = z.output<typeof httpStubSchema>;
export type BridgeStub = z.output<typeof bridgeStubSchema>;
export type TestExpectation = z.output<typeof testExpectationSchema>;
export type FlowTestCase = z.output<typeof flowTestCaseSchema>;
