// The Calls API's gaps filled: the duration filter, who hung up, and recordings: listed from the
// call log, served to viewers only from inside the recordings folder (a logged path with .. or
// a symbolic link out of it is 404, never read), as a download on request.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as calls from "../../app/api/calls/route";
import * as callById from "../../app/api/calls/[id]/route";
import * as recording from "../../app/api/calls/[id]/recordings/[seq]/route";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const T0 = Date.parse("2026-11-01T10:00:00Z");
const work = mkdtempSync(path.join(os.tmpdir(), "ivr-call-recordings-"));
const recordings = path.join(work, "recordings");
const secret = path.join(work, "secret.wav");
let db: Database;
let viewer: Caller;
const saved = process.env.IVR_RECORDINGS_DIR;

beforeAll(async () => {
  process.env.IVR_RECORDINGS_DIR = recordings;
  mkdirSync(path.join(recordings, "voicemail"), { recursive: true });
  writeFileSync(path.join(recordings, "voicemail", "msg-1.wav"), "RIFF....WAVE");
  writeFileSync(secret, "secret");
  symlinkSync(secret, path.join(recordings, "voicemail", "link.wav"));
  db = await startTestDatabase();
  viewer = await makeUser(db, "viewer");
  // d5: 5 s, d30: 30 s, d90: 90 s, open: in progress.
  for (const [callId, seconds] of [["d5", 5], ["d30", 30], ["d90", 90], ["open", null]] as const) {
    await db.prisma.call.create({
      data: { callId, from: "1", to: "777", startedAt: new Date(T0), endedAt: seconds === null ? null : new Date(T0 + seconds * 1000), cause: "NORMAL_CLEARING", hangupBy: callId === "d30" ? "caller" : null },
    });
  }
  const ev = (seq: number, method: string, args: unknown[]) => ({ callId: "d30", seq, ts: new Date(T0), node: "voicemail", method, args: args as never });
  await db.prisma.callEvent.createMany({
    data: [
      ev(1, "recordFile", [path.join(recordings, "voicemail", "msg-1.wav"), 60, 500, 3]),
      ev(2, "recordFile", ["voicemail/../../secret.wav", 60, 0, 0]),
      ev(3, "execute", ["record", "voicemail/link.wav 60"]),
      ev(4, "streamFile", ["voicemail/msg-1.wav"]),
    ],
  });
}, 60_000);

afterAll(async () => {
  await stopTestDatabase();
  if (saved === undefined) delete process.env.IVR_RECORDINGS_DIR;
  else process.env.IVR_RECORDINGS_DIR = saved;
  rmSync(work, { recursive: true, force: true });
});

const ids = async (query: string) => {
  const r = await call(calls.GET, "GET", "/api/calls", { as: viewer, query: `called=777&${query}` });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.calls.map((c: { callId: string }) => c.callId).sort();
};
const get = (seq: string, query = "", as: Caller | null = viewer) => call(recording.GET, "GET", `/api/calls/d30/recordings/${seq}`, { as: as ?? undefined, params: { id: "d30", seq }, query });

describe("calls: duration, who hung up, recordings", () => {
  it("filters ended calls by duration in seconds (bounds included); refuses a bad one", async () => {
    expect(await ids("minDuration=30")).toEqual(["d30", "d90"]);
    expect(await ids("maxDuration=30")).toEqual(["d30", "d5"]);
    expect(await ids("minDuration=6&maxDuration=89.5")).toEqual(["d30"]);
    for (const q of ["minDuration=-1", "maxDuration=1e3", "minDuration=10&maxDuration=5"]) {
      expect((await call(calls.GET, "GET", "/api/calls", { as: viewer, query: q })).status, q).toBe(400);
    }
  });

  it("a call's detail says who hung up and lists the files it recorded", async () => {
    const r = await call(callById.GET, "GET", "/api/calls/d30", { as: viewer, params: { id: "d30" } });
    expect(r.body.call.hangupBy).toBe("caller");
    expect(r.body.call.recordings).toEqual([
      { seq: 1, node: "voicemail", file: path.join(recordings, "voicemail", "msg-1.wav") },
      { seq: 2, node: "voicemail", file: "voicemail/../../secret.wav" },
      { seq: 3, node: "voicemail", file: "voicemail/link.wav" },
    ]);
  });

  it("serves a recording inside the recordings folder to a viewer, as a download on request", async () => {
    const r = await get("1");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("audio/wav");
    expect(new TextDecoder().decode(r.bytes)).toBe("RIFF....WAVE");
    expect(r.headers.get("content-disposition")).toBeNull();
    expect((await get("1", "download=1")).headers.get("content-disposition")).toBe('attachment; filename="msg-1.wav"');
    expect((await get("1", "", null)).status).toBe(401);
  });

  it("never serves a file outside it, nor an event that recorded nothing", async () => {
    for (const seq of ["2", "3", "4", "99", "x"]) {
      const r = await get(seq);
      expect(r.status, seq).toBe(404);
      expect(new TextDecoder().decode(r.bytes)).not.toContain("secret");
    }
  });
});
