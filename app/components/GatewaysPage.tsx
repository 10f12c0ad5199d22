"use client";
// Gateways & SIP users (admin): where Bridge nodes may call. Gateways (carrier or PBX trunks) with
// their allow-list and limits, and the runtime's view of each (up/down, registration, last
// OPTIONS ping); local SIP users (desk phones) and whether each is registered; the global
// outbound limits. Passwords are write-only: the page only ever says "set" and offers to change it.
import { useCallback, useEffect, useId, useState, type FormEvent, type InputHTMLAttributes } from "react";
import { api, errorText } from "../lib/client/api";
import type { GatewayView, SipUserView } from "../lib/server/gateways/store";
import type { GatewayState } from "../../runtime/outbound/gateway-monitor";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "./AppHeader";
import { ConfirmDialog } from "./list/ConfirmDialog";
import { DataTable, ErrorLine, RowActions } from "./list/DataTable";
import { CheckField, FormActions } from "./list/FormParts";

type Gateway = GatewayView & { state: GatewayState | null };
type SipUser = SipUserView & { registered: boolean | null };
interface Limits {
  maxCalls: number;
  callsPerMinute: number;
}

interface GatewayDraft {
  id?: string;
  name: string;
  host: string;
  port: string;
  username: string;
  password: string;
  passwordSet: boolean;
  register: boolean;
  callerId: string;
  allow: string;
  maxCalls: string;
  callsPerMinute: string;
  ping: string;
  pingMin: string;
  pingMax: string;
  enabled: boolean;
}

const newGateway = (): GatewayDraft => ({
  name: "", host: "", port: "5060", username: "", password: "", passwordSet: false, register: false, callerId: "",
  allow: "", maxCalls: "0", callsPerMinute: "0", ping: "0", pingMin: "1", pingMax: "1", enabled: true,
});

const draftOf = (g: Gateway): GatewayDraft => ({
  id: g.id, name: g.name, host: g.host, port: String(g.port), username: g.username ?? "", password: "", passwordSet: g.password === "set",
  register: g.register, callerId: g.callerId ?? "", allow: g.allow.join(", "), maxCalls: String(g.maxCalls), callsPerMinute: String(g.callsPerMinute),
  ping: String(g.ping), pingMin: String(g.pingMin), pingMax: String(g.pingMax), enabled: g.enabled,
});

function stateText(g: Gateway): string {
  if (!g.enabled) return "disabled";
  if (!g.state) return "—";
  const reg = g.state.registration === "off" ? "" : `, registration ${g.state.registration}`;
  return `${g.state.status}${reg}`;
}

function pingText(g: Gateway): string {
  if (!g.ping) return "off";
  const p = g.state?.lastPing;
  if (!p) return `every ${g.ping} s, none yet`;
  return `${p.status}${p.rttMs !== undefined ? ` in ${p.rttMs} ms` : ""} at ${new Date(p.at).toLocaleTimeString()}`;
}

export function GatewaysPage() {
  const { user, error: authError } = useRequireUser();
  const [gateways, setGateways] = useState<Gateway[] | null>(null);
  const [users, setUsers] = useState<SipUser[] | null>(null);
  const [limits, setLimits] = useState<Limits | null>(null);
  const [gwDraft, setGwDraft] = useState<GatewayDraft | null>(null);
  const [userDraft, setUserDraft] = useState<{ id?: string; number: string; name: string; password: string; enabled: boolean } | null>(null);
  const [deleting, setDeleting] = useState<{ kind: "gateway" | "user"; id: string; label: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const isAdmin = user?.role === "admin";

  const refresh = useCallback(() => {
    Promise.all([
      api<{ gateways: Gateway[] }>("GET", "/api/gateways"),
      api<{ users: SipUser[] }>("GET", "/api/sip-users"),
      api<{ limits: Limits }>("GET", "/api/outbound"),
    ])
      .then(([g, u, o]) => {
        setGateways(g.gateways);
        setUsers(u.users);
        setLimits((l) => l ?? o.limits);
      })
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    if (!isAdmin) return;
    refresh();
    // Gateway state (pings, registrations) changes on its own.
    const t = setInterval(refresh, 5000);
    return () => clearInterval(t);
  }, [isAdmin, refresh]);

  const run = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      refresh();
      // The runtime reports a changed gateway's state a moment later.
      setTimeout(refresh, 500);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };

  const saveGateway = async (d: GatewayDraft) => {
    const body: Record<string, unknown> = {
      name: d.name.trim(), host: d.host.trim(), port: Number(d.port), username: d.username.trim() || null, register: d.register,
      callerId: d.callerId.trim() || null, allow: d.allow.split(/[\s,]+/).filter(Boolean), maxCalls: Number(d.maxCalls),
      callsPerMinute: Number(d.callsPerMinute), ping: Number(d.ping), pingMin: Number(d.pingMin), pingMax: Number(d.pingMax), enabled: d.enabled,
    };
    // Empty: unchanged (never sent back, never shown).
    if (d.password) body.password = d.password;
    const ok = await run(
      () => (d.id ? api("PUT", `/api/gateways/${encodeURIComponent(d.id)}`, body) : api("POST", "/api/gateways", body)),
      `Gateway ${body.name} saved.`,
    );
    if (ok) setGwDraft(null);
  };

  const saveUser = async (d: NonNullable<typeof userDraft>) => {
    const body: Record<string, unknown> = { number: d.number.trim(), name: d.name, enabled: d.enabled };
    if (d.password) body.password = d.password;
    const ok = await run(
      () => (d.id ? api("PUT", `/api/sip-users/${encodeURIComponent(d.id)}`, body) : api("POST", "/api/sip-users", body)),
      `SIP user ${body.number} saved.`,
    );
    if (ok) setUserDraft(null);
  };

  const remove = async (d: NonNullable<typeof deleting>) => {
    setDeleting(null);
    await run(() => api("DELETE", `/api/${d.kind === "gateway" ? "gateways" : "sip-users"}/${encodeURIComponent(d.id)}`), `${d.label} deleted.`);
  };

  if (authError) return <main className="page error-box">{authError}</main>;
  return (
    <>
      <AppHeader user={user} current="gateways" />
      <main className="page">
        <h1>Gateways &amp; SIP users</h1>
        {user && !isAdmin ? (
          <p className="error-box">Only an admin can see and change gateways and SIP users.</p>
        ) : (
          <>
            <p className="help">
              Bridge nodes reach a gateway as <code>sofia/gateway/NAME/NUMBER</code> (only numbers its allow-list matches) and a SIP user as{" "}
              <code>user/NUMBER</code>. Changes apply to the next call, without a restart. Passwords are stored encrypted and never shown again.
            </p>
            <ErrorLine error={error} />
            {notice && <p role="status">{notice}</p>}

            <h2>Gateways</h2>
            {!gwDraft && (
              <button type="button" className="primary" onClick={() => setGwDraft(newGateway())}>
                New gateway
              </button>
            )}
            {gwDraft && <GatewayForm draft={gwDraft} onCancel={() => setGwDraft(null)} onSave={saveGateway} />}
            <DataTable
              label="Gateways"
              rows={gateways}
              empty="No gateways yet: Bridge nodes can reach SIP users only."
              columns={["Name", "Host", "Allowed numbers", "Limits", "State", "Last ping", ""]}
            >
              {(g) => (
                <tr key={g.id}>
                  <td>
                    <code>{g.name}</code>
                  </td>
                  <td>
                    {g.host}:{g.port}
                    {g.username ? ` · ${g.username} (password ${g.password})` : ""}
                  </td>
                  <td>{g.allow.length ? g.allow.join(", ") : <span className="muted">none</span>}</td>
                  <td>
                    {g.maxCalls || "—"} up · {g.callsPerMinute || "—"}/min
                  </td>
                  <td aria-label={`State of ${g.name}`}>{stateText(g)}</td>
                  <td>{pingText(g)}</td>
                  <td className="actions">
                    <RowActions
                      what="gateway"
                      name={g.name}
                      onEdit={() => setGwDraft(draftOf(g))}
                      onDelete={() => setDeleting({ kind: "gateway", id: g.id, label: `Gateway ${g.name}` })}
                    />
                  </td>
                </tr>
              )}
            </DataTable>

            <h2>SIP users</h2>
            {!userDraft && (
              <button type="button" className="primary" onClick={() => setUserDraft({ number: "", name: "", password: "", enabled: true })}>
                New SIP user
              </button>
            )}
            {userDraft && <SipUserForm draft={userDraft} onCancel={() => setUserDraft(null)} onSave={saveUser} />}
            <DataTable label="SIP users" rows={users} empty={null} showLoading={false} columns={["Number", "Name", "Registered", ""]}>
              {(u) => (
                <tr key={u.id}>
                  <td>
                    <code>{u.number}</code>
                  </td>
                  <td>{u.name}</td>
                  <td>{!u.enabled ? "disabled" : u.registered === null ? "—" : u.registered ? "yes" : "no"}</td>
                  <td className="actions">
                    <RowActions
                      what="SIP user"
                      name={u.number}
                      onEdit={() => setUserDraft({ id: u.id, number: u.number, name: u.name, password: "", enabled: u.enabled })}
                      onDelete={() => setDeleting({ kind: "user", id: u.id, label: `SIP user ${u.number}` })}
                    />
                  </td>
                </tr>
              )}
            </DataTable>

            <h2>Outbound limits</h2>
            {limits && (
              <form
                className="card"
                aria-label="Outbound limits"
                onSubmit={(e) => {
                  e.preventDefault();
                  void run(() => api("PUT", "/api/outbound", { limits }), "Outbound limits saved.");
                }}
              >
                <p className="help">All gateways and users together; over a limit a leg fails with CALL_REJECTED.</p>
                <NumberField label="Calls up at once" value={String(limits.maxCalls)} onChange={(v) => setLimits({ ...limits, maxCalls: Number(v) })} />
                <NumberField label="Calls started per minute" value={String(limits.callsPerMinute)} onChange={(v) => setLimits({ ...limits, callsPerMinute: Number(v) })} />
                <button type="submit" className="primary">
                  Save limits
                </button>
              </form>
            )}
          </>
        )}
      </main>
      {deleting && (
        <ConfirmDialog title="Delete" onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>Delete {deleting.label}? Calls in progress keep going; new legs can no longer use it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function TextField({ label, value, onChange, ...rest }: { label: string; value: string; onChange: (v: string) => void } & Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value">) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />
    </div>
  );
}

const NumberField = (p: { label: string; value: string; onChange: (v: string) => void; min?: number }) => <TextField type="number" min={p.min ?? 0} required {...p} />;

function GatewayForm({ draft, onCancel, onSave }: { draft: GatewayDraft; onCancel: () => void; onSave: (d: GatewayDraft) => void }) {
  const [d, setD] = useState(draft);
  const set = (patch: Partial<GatewayDraft>) => setD({ ...d, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave(d);
  };
  return (
    <form className="card" onSubmit={submit} aria-label={draft.id ? "Edit gateway" : "New gateway"}>
      <TextField label="Name" required value={d.name} placeholder="carrier" onChange={(name) => set({ name })} />
      <TextField label="Host" required value={d.host} placeholder="sip.carrier.example" onChange={(host) => set({ host })} />
      <NumberField label="Port" min={1} value={d.port} onChange={(port) => set({ port })} />
      <TextField label="Username" value={d.username} autoComplete="off" onChange={(username) => set({ username })} />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        value={d.password}
        placeholder={d.passwordSet ? "set (leave empty to keep it)" : "not set"}
        onChange={(password) => set({ password })}
      />
      <CheckField label="Register" checked={d.register} onChange={(register) => set({ register })} />
      <TextField label="Caller ID" value={d.callerId} placeholder="the caller's, or origination_caller_id_number" onChange={(callerId) => set({ callerId })} />
      <TextField label="Allowed numbers" value={d.allow} placeholder="1NXXNXXXXXX, +44." onChange={(allow) => set({ allow })} />
      <NumberField label="Calls up at once (0: global limit only)" value={d.maxCalls} onChange={(maxCalls) => set({ maxCalls })} />
      <NumberField label="Calls per minute (0: global limit only)" value={d.callsPerMinute} onChange={(callsPerMinute) => set({ callsPerMinute })} />
      <NumberField label="Ping every (s, 0: off, else ≥ 5)" value={d.ping} onChange={(ping) => set({ ping })} />
      <NumberField label="ping-min" min={1} value={d.pingMin} onChange={(pingMin) => set({ pingMin })} />
      <NumberField label="ping-max" min={1} value={d.pingMax} onChange={(pingMax) => set({ pingMax })} />
      <CheckField label="Enabled" checked={d.enabled} onChange={(enabled) => set({ enabled })} />
      <FormActions submitText={draft.id ? "Save gateway" : "Create gateway"} onCancel={onCancel} />
    </form>
  );
}

function SipUserForm({
  draft,
  onCancel,
  onSave,
}: {
  draft: { id?: string; number: string; name: string; password: string; enabled: boolean };
  onCancel: () => void;
  onSave: (d: { id?: string; number: string; name: string; password: string; enabled: boolean }) => void;
}) {
  const [d, setD] = useState(draft);
  return (
    <form
      className="card"
      aria-label={draft.id ? "Edit SIP user" : "New SIP user"}
      onSubmit={(e) => {
        e.preventDefault();
        onSave(d);
      }}
    >
      <TextField label="Number" required value={d.number} placeholder="1000" onChange={(number) => setD({ ...d, number })} />
      <TextField label="Name" value={d.name} onChange={(name) => setD({ ...d, name })} />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        required={!draft.id}
        minLength={8}
        value={d.password}
        placeholder={draft.id ? "set (leave empty to keep it)" : "at least 8 characters"}
        onChange={(password) => setD({ ...d, password })}
      />
      <CheckField label="Enabled" checked={d.enabled} onChange={(enabled) => setD({ ...d, enabled })} />
      <FormActions submitText={draft.id ? "Save SIP user" : "Create SIP user"} onCancel={onCancel} />
    </form>
  );
}
