"use client";
// A one-time password-reset link (/reset-password#token=…): the token stays in the fragment,
// which the browser never sends to a server; the page checks it, then sets the new password.
import { useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText } from "../../lib/client/api";

export function ResetPasswordPage() {
  const ids = { next: useId(), again: useId() };
  const [token, setToken] = useState<string | null>(null);
  const [link, setLink] = useState<{ email: string; expiresAt: string } | null>(null);
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const t = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
    setToken(t);
    if (!t) return setError("This page needs the link an admin gave you (…/reset-password#token=…).");
    api<{ email: string; expiresAt: string }>("GET", `/api/auth/reset?token=${encodeURIComponent(t)}`)
      .then(setLink)
      .catch((e) => setError(errorText(e)));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next !== again) return setError("The two passwords differ.");
    setBusy(true);
    try {
      await api("POST", "/api/auth/reset", { token, password: next });
      window.location.assign("/");
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-label="Choose a new password">
        <h1>IVR Studio</h1>
        <h2>Choose a new password</h2>
        {link && <p className="help">For {link.email}. The link works once, until {new Date(link.expiresAt).toLocaleString()}; all your sessions are signed out.</p>}
        {link && (
          <>
            <div className="field">
              <label htmlFor={ids.next}>New password</label>
              <input id={ids.next} type="password" required minLength={8} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={ids.again}>New password again</label>
              <input id={ids.again} type="password" required minLength={8} autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
            </div>
          </>
        )}
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        {link && (
          <button type="submit" className="primary" disabled={busy}>
            Set password and sign in
          </button>
        )}
      </form>
    </main>
  );
}
