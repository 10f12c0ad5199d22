"use client";
// The list pages' table: "Loading…" until the rows arrive, a line when there are none, else a
// data-table with one header per column (an empty name for the actions column).
import type { ReactNode } from "react";

export function DataTable<T>({
  label,
  rows,
  columns,
  empty,
  showLoading = true,
  children,
}: {
  /** The table's accessible name. */
  label: string;
  /** null/undefined while loading. */
  rows: readonly T[] | null | undefined;
  columns: readonly string[];
  /** What to say when there are no rows (null: say nothing). */
  empty: ReactNode;
  /** Whether to say "Loading…" while rows is null (not after a failed load, say). */
  showLoading?: boolean;
  /** One <tr> per row. */
  children: (row: T, index: number) => ReactNode;
}) {
  if (!rows) return showLoading ? <p className="muted">Loading…</p> : null;
  if (rows.length === 0) return empty === null ? null : <p className="muted">{empty}</p>;
  return (
    <table className="data-table" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c, i) => (c ? <th key={i}>{c}</th> : <th key={i} />))}
        </tr>
      </thead>
      <tbody>{rows.map(children)}</tbody>
    </table>
  );
}

/** A row's Edit (or Rename, View...) and Delete buttons, named "Edit route 5551000" for screen readers. */
export function RowActions({ what, name, editText = "Edit", onEdit, onDelete }: {
  /** The kind of thing, as the labels say it: "route", "SIP user". */
  what: string;
  name: string;
  editText?: string;
  onEdit?: () => void;
  onDelete?: () => void;
}) {
  return (
    <>
      {onEdit && (
        <button type="button" className="small" aria-label={`${editText} ${what} ${name}`} onClick={onEdit}>
          {editText}
        </button>
      )}
      {onDelete && (
        <button type="button" className="small danger" aria-label={`Delete ${what} ${name}`} onClick={onDelete}>
          Delete
        </button>
      )}
    </>
  );
}

/** The page's error line (role=alert), or nothing. */
export function ErrorLine({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error-box" role="alert">
      {error}
    </p>
  );
}
