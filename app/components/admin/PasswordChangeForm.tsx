"use client";
// Change your own password (the current one first): on the Account section, and on the sign-in
// page when an admin set a temporary password. The server ends your other sessions.
import { useId, useState, type FormEvent } from "react";
import { api, errorText } from "../../lib/client/api";

export function PasswordChangeForm({ forced = false, onDone }: { forced?: boolean; onDone?: () => void }) {
  const ids = { current: useId(), next: useId(), again: useId() };
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    if (next !== again) return setError("The two new passwords differ.");
    setBusy(true);
    try {
      await api("POST", "/api/auth/password", { currentPassword: current, newPassword: next });
      setCurrent("");
      setNext("");
      setAgain("");
      setNotice("Password changed. Your other sessions were signed out.");
      onDone?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={forced ? "" : "inline-form"} onSubmit={submit} aria-label="Change password">
      <div className="field">
        <label htmlFor={ids.current}>{forced ? "Temporary password" : "Current password"}</label>
        <input id={ids.current} type="password" required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.next}>New password</label>
        <input id={ids.next} type="password" required minLength={8} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.again}>New password again</label>
        <input id={ids.again} type="password" required minLength={8} autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
      </div>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Change password
      </button>
    </form>
  );
}
