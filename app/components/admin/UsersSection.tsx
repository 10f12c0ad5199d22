"use client";
// Admin: every account with its role, and a form to add one (POST /api/users).
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText, type Role, type User } from "../../lib/client/api";

interface UserRow extends User {
  createdAt: string;
}

const ROLE_HELP: Record<Role, string> = {
  admin: "everything, including Custom code and users",
  editor: "edits and publishes flows and routes",
  viewer: "reads flows, versions and routes",
};

export function UsersSection({ me }: { me: User }) {
  const ids = { email: useId(), name: useId(), password: useId(), role: useId() };
  const [users, setUsers] = useState<UserRow[] | null>(null);
  const [form, setForm] = useState({ email: "", name: "", password: "", role: "editor" as Role });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    api<{ users: UserRow[] }>("GET", "/api/users")
      .then((r) => setUsers(r.users))
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(refresh, [refresh]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const { user } = await api<{ user: User }>("POST", "/api/users", form);
      setNotice(`Created ${user.email} (${user.role}).`);
      setForm({ email: "", name: "", password: "", role: form.role });
      refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
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
          <input id={ids.password} type="password" required value={form.password} onChange={set("password")} autoComplete="new-password" />
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <select id={ids.role} value={form.role} onChange={set("role")} title={ROLE_HELP[form.role]}>
            <option value="viewer">Viewer</option>
            <option value="editor">Editor</option>
            <option value="admin">Admin</option>
          </select>
        </div>
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
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.name}
                  {u.id === me.id && <span className="muted"> (you)</span>}
                </td>
                <td>{u.email}</td>
                <td>
                  <span className={`role-badge role-${u.role}`}>{u.role}</span>
                </td>
                <td className="nowrap">{new Date(u.createdAt).toLocaleDateString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
