"use client";
// Admin: every account with its role and status, a form to add one, and per user: change the
// role, disable/enable, reset the password (temporary password or one-time link), delete.
// The server enforces every rule (last admin, not yourself); this page shows its answers.
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText, type Role, type User } from "../../lib/client/api";
import type { UserAdminView } from "../../lib/server/auth/users";
import { Dialog } from "../Dialog";

const ROLE_HELP: Record<Role, string> = {
  admin: "everything, including Custom code and users",
  editor: "edits and publishes flows and routes",
  viewer: "reads flows, versions and routes",
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

export function UsersSection({ me }: { me: User }) {
  const ids = { email: useId(), name: useId(), password: useId(), role: useId(), mustChange: useId() };
  const [users, setUsers] = useState<UserAdminView[] | null>(null);
  const [form, setForm] = useState({ email: "", name: "", password: "", role: "editor" as Role, mustChangePassword: true });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [resetFor, setResetFor] = useState<UserAdminView | null>(null);
  const [deleteFor, setDeleteFor] = useState<UserAdminView | null>(null);

  const refresh = useCallback(() => {
    api<{ users: UserAdminView[] }>("GET", "/api/users")
      .then((r) => setUsers(r.users))
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(refresh, [refresh]);

  /** Run one admin action; its server message (e.g. last admin) is the error shown. */
  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      refresh();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act(() => api("POST", "/api/users", form), `Created ${form.email} (${form.role}).`);
    if (ok) setForm({ ...form, email: "", name: "", password: "" });
  };
  const patch = (u: UserAdminView, body: Record<string, unknown>, done: string) => act(() => api("PATCH", `/api/users/${encodeURIComponent(u.id)}`, body), done);

  const set = (k: "email" | "name" | "password" | "role") => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <section className="card admin-section" aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
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
      <form className="inline-form" onSubmit={create} aria-label="Add a user">
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input id={ids.email} type="email" required value={form.email} onChange={set("email")} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} required value={form.name} onChange={set("name")} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Initial password</label>
          <input id={ids.password} type="password" required minLength={8} value={form.password} onChange={set("password")} autoComplete="new-password" />
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <select id={ids.role} value={form.role} onChange={set("role")} title={ROLE_HELP[form.role]}>
            <option value="viewer">Viewer</option>
            <option value="editor">Editor</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <label className="checkbox" htmlFor={ids.mustChange}>
          <input id={ids.mustChange} type="checkbox" checked={form.mustChangePassword} onChange={(e) => setForm({ ...form, mustChangePassword: e.target.checked })} /> Must change it at
          first sign-in
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Add user
        </button>
      </form>
      <p className="help">
        {form.role[0].toUpperCase() + form.role.slice(1)}: {ROLE_HELP[form.role]}.
      </p>
      {users && (
        <table className="data-table" aria-label="Users">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Status</th>
              <th>Last sign-in</th>
              <th>Tokens</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-user={u.email}>
                <td>
                  {u.name}
                  {u.id === me.id && <span className="muted"> (you)</span>}
                </td>
                <td>{u.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={busy}
                    onChange={(e) => void patch(u, { role: e.target.value }, `${u.email} is now ${e.target.value === "admin" ? "an" : "a"} ${e.target.value}.`)}
                  >
                    <option value="viewer">Viewer</option>
                    <option value="editor">Editor</option>
                    <option value="admin">Admin</option>
                  </select>
                </td>
                <td data-testid="user-status">
                  {u.disabled ? <span className="role-badge">disabled</span> : <span className="muted">active</span>}
                  {u.mustChangePassword && <div className="help">must change password</div>}
                </td>
                <td className="nowrap">{when(u.lastLoginAt)}</td>
                <td>{u.tokens}</td>
                <td className="actions">
                  {u.id !== me.id && (
                    <button
                      type="button"
                      className="small"
                      disabled={busy}
                      onClick={() => void patch(u, { disabled: !u.disabled }, u.disabled ? `${u.email} can sign in again.` : `${u.email} is disabled: signed out, tokens refused.`)}
                    >
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  )}
                  {u.id !== me.id && (
                    <button type="button" className="small" disabled={busy} onClick={() => setResetFor(u)}>
                      Reset password
                    </button>
                  )}
                  {u.id !== me.id && (
                    <button type="button" className="small danger" aria-label={`Delete ${u.email}`} disabled={busy} onClick={() => setDeleteFor(u)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {resetFor && <ResetPasswordDialog user={resetFor} onClose={() => setResetFor(null)} onDone={refresh} />}
      {deleteFor && (
        <Dialog title={`Delete ${deleteFor.email}`} onClose={() => setDeleteFor(null)}>
          <p>
            {deleteFor.name} will be signed out and their {deleteFor.tokens} API token{deleteFor.tokens === 1 ? "" : "s"} revoked. Flows and versions they made stay. This
            cannot be undone; disabling the account instead can be.
          </p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setDeleteFor(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => {
                const u = deleteFor;
                setDeleteFor(null);
                void act(() => api("DELETE", `/api/users/${encodeURIComponent(u.id)}`), `Deleted ${u.email}.`);
              }}
            >
              Delete user
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

/** A temporary password (must be changed at next sign-in) or a one-time link, shown once. */
function ResetPasswordDialog({ user, onClose, onDone }: { user: UserAdminView; onClose: () => void; onDone: () => void }) {
  const ids = { password: useId(), hours: useId() };
  const [mode, setMode] = useState<"temporary" | "link">("link");
  const [password, setPassword] = useState("");
  const [hours, setHours] = useState(24);
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      if (mode === "temporary") {
        await api("POST", `/api/users/${encodeURIComponent(user.id)}/password`, { password });
        setDone(true);
      } else {
        setLink(await api<{ url: string; expiresAt: string }>("POST", `/api/users/${encodeURIComponent(user.id)}/reset-link`, { expiresInHours: hours }));
      }
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Dialog title={`Reset the password of ${user.email}`} onClose={onClose}>
      {link ? (
        <div className="notice token-once" role="status" aria-label="Reset link">
          <p>Send this link to {user.name}; it works once, until {new Date(link.expiresAt).toLocaleString()}. It will not be shown again.</p>
          <code className="token-value" data-testid="reset-link">
            {link.url}
          </code>
        </div>
      ) : done ? (
        <p className="notice" role="status">
          Temporary password set: {user.name} is signed out and must choose a new password at next sign-in.
        </p>
      ) : (
        <form onSubmit={submit} aria-label="Reset password">
          <fieldset className="radio-group">
            <label>
              <input type="radio" name="reset-mode" checked={mode === "link"} onChange={() => setMode("link")} /> One-time link
            </label>
            <label>
              <input type="radio" name="reset-mode" checked={mode === "temporary"} onChange={() => setMode("temporary")} /> Temporary password
            </label>
          </fieldset>
          {mode === "link" ? (
            <div className="field">
              <label htmlFor={ids.hours}>Link valid for</label>
              <select id={ids.hours} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
                <option value={1}>1 hour</option>
                <option value={24}>24 hours</option>
                <option value={72}>3 days</option>
                <option value={168}>7 days</option>
              </select>
            </div>
          ) : (
            <div className="field">
              <label htmlFor={ids.password}>Temporary password</label>
              <input id={ids.password} type="text" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />
              <p className="help">Their sessions end now; they must change it when they next sign in.</p>
            </div>
          )}
          {error && (
            <p className="error-box" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary">
              {mode === "link" ? "Create link" : "Set password"}
            </button>
          </div>
        </form>
      )}
      {(link || done) && (
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      )}
    </Dialog>
  );
}
