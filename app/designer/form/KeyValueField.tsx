"use client";
// A list of { name, value } rows (channel variables, HTTP headers, response fields).
import type { UiHint } from "../../../flow/catalog";

type Row = { name: string; value: string };

export function KeyValueField({
  id,
  hint,
  value,
  onChange,
}: {
  id: string;
  hint: UiHint;
  value: unknown;
  onChange: (v: Row[]) => void;
}) {
  const rows: Row[] = Array.isArray(value) ? (value as Row[]) : [];
  const setRow = (i: number, patch: Partial<Row>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="kv-field" id={id}>
      <legend>{hint.label}</legend>
      {rows.map((r, i) => (
        <div className="kv-row" key={i}>
          <input aria-label={`${hint.label} ${i + 1} name`} placeholder="name" value={r.name ?? ""} onChange={(e) => setRow(i, { name: e.target.value })} />
          <input aria-label={`${hint.label} ${i + 1} value`} placeholder="value" value={r.value ?? ""} onChange={(e) => setRow(i, { value: e.target.value })} />
          <button type="button" className="icon" aria-label={`Remove ${hint.label} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...rows, { name: "", value: "" }])}>
        Add {hint.label.toLowerCase()}
      </button>
    </fieldset>
  );
}
