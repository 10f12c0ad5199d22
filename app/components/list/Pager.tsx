"use client";
// Filtered, cursor-paged lists (calls, audit log): the filter form's draft, the applied filters,
// the stack of page cursors (Newer pops it, Older pushes the answer's nextCursor), and the pager.
import { useState, type FormEvent } from "react";

export function useFilteredPages<F>(none: F) {
  const [draft, setDraft] = useState<F>(none);
  const [filters, setFilters] = useState<F>(none);
  /** Cursors of this page and the ones before it (null: the first page). */
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  return {
    draft,
    setDraft,
    filters,
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    apply: (e: FormEvent) => {
      e.preventDefault();
      setFilters(draft);
      setCursors([null]);
    },
    clear: () => {
      setDraft(none);
      setFilters(none);
      setCursors([null]);
    },
    newer: () => setCursors(cursors.slice(0, -1)),
    older: (next: string) => setCursors([...cursors, next]),
  };
}

export function Pager({ page, nextCursor, onNewer, onOlder }: { page: number; nextCursor: string | null; onNewer: () => void; onOlder: (next: string) => void }) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={onNewer}>
        Newer
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && onOlder(nextCursor)}>
        Older
      </button>
    </nav>
  );
}
