"use client";
// Sign in, or create the first (admin) account when the server says setup is required.
import { useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText } from "../lib/client/api";
import { useAuthStatus } from "../lib/client/auth";
import { PasswordChangeForm } from "./admin/PasswordChangeForm";

function nextUrl(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  const { status, error: statusError } = useAuthStatus();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [setupToken, setSetupToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { email: useId(), name: useId(), password: useId(), token: useId() };
  // Signed in with a temporary password: it must be changed before anything else.
  const [mustChange, setMustChange] = useState(false);
  const changing = mustChange || !!status?.passwordChangeRequired;

  useEffect(() => {
    if (status?.user && !status.passwordChangeRequired) window.location.assign(nextUrl());
  }, [status]);
  // The console's setup link carries the one-time token: fill it in.
  useEffect(() => {
    const token = new URLSearchParams(window.location.search).get("token");
    if (token) setSetupToken(token);
  }, []);

  const setup = status?.setupRequired ?? false;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (setup) await api("POST", "/api/auth/setup", { email, name, password, setupToken: setupToken || undefined });
      else {
        const r = await api<{ passwordChangeRequired?: boolean }>("POST", "/api/auth/login", { email, password });
        if (r.passwordChangeRequired) {
          setMustChange(true);
          setBusy(false);
          return;
        }
      }
      window.location.assign(nextUrl());
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  if (changing) {
    return (
      <main className="login">
        <div className="card login-card">
          <h1>IVR Studio</h1>
          <h2>Choose a new password</h2>
          <p className="help">An admin set a temporary password for this account: choose your own to go on.</p>
          <PasswordChangeForm forced onDone={() => window.location.assign(nextUrl())} />
        </div>
      </main>
    );
  }

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-label={setup ? "Create the admin account" : "Sign in"}>
        <h1>IVR Studio</h1>
        {!status && !statusError && <p className="muted">Loading…</p>}
        {statusError && (
          <p className="error-box" role="alert">
            {statusError}
          </p>
        )}
        {status && (
          <>
            <h2>{setup ? "Create the admin account" : "Sign in"}</h2>
            {setup && <p className="help">No account exists yet: the first account is the administrator.</p>}
            {setup && status.setupTokenNeeded === false && <p className="help">You are on the server itself, so no setup token is needed.</p>}
            <div className="field">
              <label htmlFor={ids.email}>Email</label>
              <input id={ids.email} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </div>
            {setup && (
              <div className="field">
                <label htmlFor={ids.name}>Name</label>
                <input id={ids.name} required value={name} onChange={(e) => setName(e.target.value)} />
              </div>
            )}
            <div className="field">
              <label htmlFor={ids.password}>Password</label>
              <input
                id={ids.password}
                type="password"
                autoComplete={setup ? "new-password" : "current-password"}
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            {setup && status.setupTokenNeeded !== false && (
              <div className="field">
                <label htmlFor={ids.token}>Setup token</label>
                <input id={ids.token} value={setupToken} onChange={(e) => setSetupToken(e.target.value)} />
                <p className="help">Only needed when not browsing from the server itself: it is printed on the server console.</p>
              </div>
            )}
            {error && (
              <p className="error-box" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy}>
              {setup ? "Create account" : "Sign in"}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
