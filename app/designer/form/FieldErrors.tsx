import type { Diagnostic } from "../../../flow/diagnostics";

export function FieldErrors({ items, id }: { items: readonly Diagnostic[]; id?: string }) {
  if (items.length === 0) return null;
  return (
    <ul className="field-errors" id={id}>
      {items.map((d, i) => (
        <li key={i} className={d.severity === "error" ? "error" : "warning"} role={d.severity === "error" ? "alert" : undefined}>
          {d.message}
        </li>
      ))}
    </ul>
  );
}

/** Diagnostics about exactly this parameter path. */
export const at = (ds: readonly Diagnostic[], path: string) => ds.filter((d) => d.param === path);
