"use client";
// How long calls and recordings are kept (GET,PUT /api/calls/retention): everyone sees it, an
// admin changes it (applied at once, then every hour). Empty = keep forever.
import { useEffect, useState, type FormEvent } from "react";
import { api, errorText, type User } from "../lib/client/api";
import type { Retention } from "../lib/server/runtime/retention";

const toField = (d: number | null) => (d === null ? "" : String(d));
const fromField = (v: string) => (v.trim() === "" ? null : Number(v));

export function RetentionCard({ user }: { user: User }) {
  const [saved, setSaved] = useState<Retention | null>(null);
  const [draft, setDraft] = useState({ callDays: "", recordingDays: "" });
  const [message, setMessage] = useState<string | null>(null);
  const isAdmin = user.role === "admin";

  useEffect(() => {
    api<{ retention: Retention }>("GET", "/api/calls/retention").then(
      (r) => {
        setSaved(r.retention);
        setDraft({ callDays: toField(r.retention.callDays), recordingDays: toField(r.retention.recordingDays) });
      },
      (e) => setMessage(errorText(e)),
    );
  }, []);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    try {
      const r = await api<{ retention: Retention; deleted: { callsDeleted: number; recordingsDeleted: number } }>("PUT", "/api/calls/retention", {
        callDays: fromField(draft.callDays),
        recordingDays: fromField(draft.recordingDays),
      });
      setSaved(r.retention);
      setMessage(`Saved. Deleted now: ${r.deleted.callsDeleted} call(s), ${r.deleted.recordingsDeleted} recording(s).`);
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  if (!saved) return null;
  const said = (d: number | null) => (d === null ? "forever" : `${d} day${d === 1 ? "" : "s"}`);
  return (
    <details className="card retention-card">
      <summary>
        Retention: calls {said(saved.callDays)}, recordings {said(saved.recordingDays)}
      </summary>
      <form aria-label="Retention" onSubmit={save} className="calls-filters">
        <label className="field">
          Keep calls (days)
          <input inputMode="numeric" pattern="\d*" size={6} placeholder="forever" disabled={!isAdmin} value={draft.callDays} onChange={(e) => setDraft({ ...draft, callDays: e.target.value })} />
        </label>
        <label className="field">
          Keep recordings (days)
          <input inputMode="numeric" pattern="\d*" size={6} placeholder="forever" disabled={!isAdmin} value={draft.recordingDays} onChange={(e) => setDraft({ ...draft, recordingDays: e.target.value })} />
        </label>
        {isAdmin && (
          <button type="submit" className="primary">
            Save
          </button>
        )}
      </form>
      {message && <p className="muted">{message}</p>}
    </details>
  );
}
