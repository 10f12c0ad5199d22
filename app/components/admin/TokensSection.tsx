"use client";
// Your API tokens (Authorization: Bearer …). A new token is shown once, with a copy button.
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText } from "../../lib/client/api";

interface TokenRow {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function TokensSection() {
  const nameId = useId();
  const [tokens, setTokens] = useState<TokenRow[] | null>(null);
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    api<{ tokens: TokenRow[] }>("GET", "/api/tokens")
      .then((r) => setTokens(r.tokens))
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(refresh, [refresh]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ token: string; name: string }>("POST", "/api/tokens", { name: name.trim() });
      setFresh({ name: r.name, token: r.token });
      setCopied(false);
      setName("");
      refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const revoke = async (t: TokenRow) => {
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

  return (
    <section className="card admin-section" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">Your API tokens</h2>
      <p className="help">
        Scripts and CI use a token as <code>Authorization: Bearer &lt;token&gt;</code>, with your role.
      </p>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      <form className="inline-form" onSubmit={create} aria-label="Create an API token">
        <div className="field">
          <label htmlFor={nameId}>Token name</label>
          <input id={nameId} required maxLength={200} value={name} placeholder="CI deploy" onChange={(e) => setName(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {fresh && (
        <div className="notice token-once" role="status" aria-label="New API token">
          <p>
            Token <strong>{fresh.name}</strong> created. Copy it now: it will not be shown again.
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
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="nowrap">{new Date(t.createdAt).toLocaleString()}</td>
                <td className="nowrap">{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}</td>
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
