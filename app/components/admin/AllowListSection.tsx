"use client";
// Admin: the hosts the HTTP request node may call (exact host or *.suffix), one per line.
import { useEffect, useId, useState } from "react";
import { api, errorText } from "../../lib/client/api";

const toText = (hosts: string[]) => hosts.join("\n");
const toList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);

export function AllowListSection() {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    api<{ httpAllowList: string[] }>("GET", "/api/settings")
      .then((r) => {
        setText(toText(r.httpAllowList));
        setSaved(toText(r.httpAllowList));
      })
      .catch((e) => setError(errorText(e)));
  }, []);

  const save = async () => {
    setError(null);
    setNotice(null);
    try {
      const r = await api<{ httpAllowList: string[] }>("PUT", "/api/settings", { httpAllowList: toList(text ?? "") });
      setText(toText(r.httpAllowList));
      setSaved(toText(r.httpAllowList));
      setNotice(r.httpAllowList.length ? `Saved ${r.httpAllowList.length} host(s).` : "Saved: HTTP requests are allowed to no host.");
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section className="card admin-section" aria-labelledby="allow-heading">
      <h2 id="allow-heading">HTTP request allow-list</h2>
      <p className="help">
        Hosts the <strong>HTTP request</strong> node may call, one per line: an exact host (<code>api.example.com</code>) or a
        domain suffix (<code>*.example.com</code>). Anything else is refused at run time.
      </p>
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
      {text === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={id}>Allowed hosts</label>
            <textarea id={id} rows={5} value={text} spellCheck={false} className="mono" onChange={(e) => setText(e.target.value)} />
          </div>
          <button type="button" className="primary" disabled={text === saved} onClick={() => void save()}>
            Save allow-list
          </button>
        </>
      )}
    </section>
  );
}
