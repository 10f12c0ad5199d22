"use client";
// API tokens (Authorization: Bearer …): yours, with a name, an expiry and optionally a lower
// role; a new token is shown once, with a copy button. An admin may also list everyone's.
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText, type Role, type User } from "../../lib/client/api";
import type { TokenView } from "../../lib/server/auth/tokens";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

export function TokensSection({ me }: { me: User }) {
  const ids = { name: useId(), days: useId(), role: useId(), all: useId() };
  const isAdmin = me.role === "admin";
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [name, setName] = useState("");
  const [days, setDays] = useState(90);
  const [role, setRole] = useState<Role>(me.role);
  const [all, setAll] = useState(false);
  const [fresh, setFresh] = useState<{ name: string; token: string; expiresAt: string | null } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    api<{ tokens: TokenView[] }>("GET", `/api/tokens${all ? "?all=1" : ""}`)
      .then((r) => setTokens(r.tokens))
      .catch((e) => setError(errorText(e)));
  }, [all]);
  useEffect(refresh, [refresh]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<TokenView & { token: string }>("POST", "/api/tokens", { name: name.trim(), expiresInDays: days, ...(role !== me.role ? { role } : {}) });
      setFresh({ name: r.name, token: r.token, expiresAt: r.expiresAt });
      setCopied(false);
      setName("");
      refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const revoke = async (t: TokenView) => {
    setError(null);
    try {
      await api("DELETE", `/api/tokens/${encodeURIComponent(t.id)}`);
      refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const copy = async () => {
    if (!fresh) return;
    try {
      await navigator.clipboard.writeText(fresh.token);
      setCopied(true);
    } catch {
      setError("The browser refused clipboard access: select the token and copy it by hand.");
    }
  };

  const roles = (["viewer", "editor", "admin"] as Role[]).filter((r) => RANK[r] <= RANK[me.role]);
  return (
    <section className="card admin-section" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">{all ? "All API tokens" : "Your API tokens"}</h2>
      <p className="help">
        Scripts and CI use a token as <code>Authorization: Bearer &lt;token&gt;</code>, with your role (or a lower one you choose). Tokens expire; an expired or
        revoked token is refused.
      </p>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      <form className="inline-form" onSubmit={create} aria-label="Create an API token">
        <div className="field">
          <label htmlFor={ids.name}>Token name</label>
          <input id={ids.name} required maxLength={200} value={name} placeholder="CI deploy" onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.days}>Expires in</label>
          <select id={ids.days} value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>7 days</option>
            <option value={30}>30 days</option>
            <option value={90}>90 days</option>
            <option value={366}>1 year</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Acts as</label>
          <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r === me.role ? `${r} (your role)` : r}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {isAdmin && (
        <label className="checkbox" htmlFor={ids.all}>
          <input id={ids.all} type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show every user&apos;s tokens
        </label>
      )}
      {fresh && (
        <div className="notice token-once" role="status" aria-label="New API token">
          <p>
            Token <strong>{fresh.name}</strong> created{fresh.expiresAt ? `, valid until ${new Date(fresh.expiresAt).toLocaleString()}` : ""}. Copy it now: it will not be
            shown again.
          </p>
          <div className="token-row">
            <code className="token-value" data-testid="new-token">
              {fresh.token}
            </code>
            <button type="button" className="small" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className="small" onClick={() => setFresh(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {tokens && tokens.length === 0 && <p className="muted">No tokens yet.</p>}
      {tokens && tokens.length > 0 && (
        <table className="data-table" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              {all && <th>Owner</th>}
              <th>Acts as</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                {all && <td>{t.owner?.email}</td>}
                <td>{t.role ?? <span className="muted">owner&apos;s role</span>}</td>
                <td className="nowrap">{when(t.createdAt)}</td>
                <td className="nowrap">{when(t.lastUsedAt)}</td>
                <td className="nowrap">{t.expired ? <span className="role-badge">expired</span> : t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : "never"}</td>
                <td className="actions">
                  <button type="button" className="small danger" aria-label={`Revoke token ${t.name}`} onClick={() => void revoke(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
