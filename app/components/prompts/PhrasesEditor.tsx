"use client";
// The Phrases section of the Prompts page: FreeSWITCH phrase macros (flow/phrases.ts). A macro
// is a list of inputs; each input's pattern picks its "match" items or else its "nomatch"
// items: a prompt file, say, TTS text or a pause. Messages point at the input and item, live
// as one types (the same checks the server runs) and from the server on save.
import { useCallback, useEffect, useMemo, useState } from "react";
import { SAY_METHODS, SAY_TYPES, FLITE_VOICES } from "../../../flow/catalog/media";
import { checkPhrase, phraseMacroSchema, PHRASE_ITEM_LABELS, type PhraseDiagnostic, type PhraseInput, type PhraseItem, type PhraseMacro } from "../../../flow/phrases";
import { usePromptChoices } from "../../designer/form/prompts";
import { ApiError, errorText } from "../../lib/client/api";
import { createPhrase, deletePhrase, listPhrases, updatePhrase, type PhraseView } from "../../lib/client/phrases";
import { DataTable, ErrorLine, RowActions } from "../list/DataTable";

type Draft = PhraseMacro & { id?: string; revision?: number };

const NEW_ITEM: Record<PhraseItem["type"], PhraseItem> = {
  file: { type: "file", file: "" },
  say: { type: "say", text: "$1", sayType: "NUMBER", method: "PRONOUNCED", gender: "" },
  speak: { type: "speak", text: "", engine: "flite", voice: "kal" },
  pause: { type: "pause", ms: 500 },
};

const blank = (): Draft => ({ name: "", language: "en", description: "", pauseMs: 100, inputs: [{ pattern: "^(.*)$", field: "", breakOnMatch: false, match: [{ ...NEW_ITEM.file }], nomatch: [] }] });

function Messages({ items }: { items: PhraseDiagnostic[] }) {
  if (!items.length) return null;
  return (
    <ul className="field-errors">
      {items.map((d, i) => (
        <li key={i} className={d.severity} role={d.severity === "error" ? "alert" : undefined}>
          {d.message}
        </li>
      ))}
    </ul>
  );
}

function ItemEditor({ item, onChange, onRemove, onMove, path, messages, label }: {
  item: PhraseItem;
  onChange: (i: PhraseItem) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
  path: string;
  messages: PhraseDiagnostic[];
  label: string;
}) {
  const mine = messages.filter((m) => m.path === path || m.path.startsWith(`${path}.`));
  return (
    <li className="phrase-item" data-path={path}>
      <div className="row">
        <select aria-label={`${label} kind`} value={item.type} onChange={(e) => onChange({ ...NEW_ITEM[e.target.value as PhraseItem["type"]] })}>
          {(Object.keys(NEW_ITEM) as PhraseItem["type"][]).map((t) => (
            <option key={t} value={t}>
              {PHRASE_ITEM_LABELS[t]}
            </option>
          ))}
        </select>
        {item.type === "file" && (
          <input aria-label={`${label} file`} list="phrase-prompt-files" placeholder="prompts/welcome.wav" value={item.file} onChange={(e) => onChange({ ...item, file: e.target.value })} />
        )}
        {item.type === "say" && (
          <>
            <input aria-label={`${label} value`} placeholder="$1" value={item.text} onChange={(e) => onChange({ ...item, text: e.target.value })} />
            <select aria-label={`${label} say type`} value={item.sayType} onChange={(e) => onChange({ ...item, sayType: e.target.value as typeof item.sayType })}>
              {SAY_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <select aria-label={`${label} say method`} value={item.method} onChange={(e) => onChange({ ...item, method: e.target.value as typeof item.method })}>
              {SAY_METHODS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </>
        )}
        {item.type === "speak" && (
          <>
            <input aria-label={`${label} text`} placeholder="Text to speak; $1 and ${var} allowed" value={item.text} onChange={(e) => onChange({ ...item, text: e.target.value })} />
            <select aria-label={`${label} voice`} value={item.voice} onChange={(e) => onChange({ ...item, voice: e.target.value as typeof item.voice })}>
              {FLITE_VOICES.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </>
        )}
        {item.type === "pause" && (
          <input aria-label={`${label} ms`} type="number" min={1} max={60000} value={item.ms} onChange={(e) => onChange({ ...item, ms: Number(e.target.value) })} />
        )}
        {item.type === "pause" && <span className="muted">ms</span>}
        <button type="button" className="small" aria-label={`Move ${label} up`} onClick={() => onMove(-1)}>
          ↑
        </button>
        <button type="button" className="small" aria-label={`Move ${label} down`} onClick={() => onMove(1)}>
          ↓
        </button>
        <button type="button" className="small danger" aria-label={`Remove ${label}`} onClick={onRemove}>
          ✕
        </button>
      </div>
      <Messages items={mine} />
    </li>
  );
}

function ItemList({ items, onChange, base, messages, title }: { items: PhraseItem[]; onChange: (items: PhraseItem[]) => void; base: string; messages: PhraseDiagnostic[]; title: string }) {
  const move = (i: number, by: -1 | 1) => {
    const j = i + by;
    if (j < 0 || j >= items.length) return;
    const next = [...items];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
  };
  return (
    <div className="phrase-branch">
      <strong>{title}</strong>
      <ol>
        {items.map((it, i) => (
          <ItemEditor
            key={i}
            item={it}
            path={`${base}.${i}`}
            label={`${title} item ${i + 1}`}
            messages={messages}
            onChange={(v) => onChange(items.map((x, k) => (k === i ? v : x)))}
            onRemove={() => onChange(items.filter((_, k) => k !== i))}
            onMove={(by) => move(i, by)}
          />
        ))}
      </ol>
      <button type="button" className="small" onClick={() => onChange([...items, { ...NEW_ITEM.file }])}>
        Add item
      </button>
    </div>
  );
}

function InputEditor({ input, index, onChange, onRemove, messages }: { input: PhraseInput; index: number; onChange: (i: PhraseInput) => void; onRemove: () => void; messages: PhraseDiagnostic[] }) {
  const base = `inputs.${index}`;
  const own = messages.filter((m) => m.path === base || m.path === `${base}.pattern` || m.path === `${base}.field`);
  return (
    <fieldset className="phrase-input">
      <legend>Input {index + 1}</legend>
      <div className="row">
        <label>
          Pattern <input aria-label={`Input ${index + 1} pattern`} className="mono" value={input.pattern} onChange={(e) => onChange({ ...input, pattern: e.target.value })} />
        </label>
        <label>
          Match on <input aria-label={`Input ${index + 1} field`} placeholder="the data (or ${variable})" value={input.field} onChange={(e) => onChange({ ...input, field: e.target.value })} />
        </label>
        <label title="break_on_match: once this input played its items, the inputs after it are not tried">
          <input type="checkbox" checked={input.breakOnMatch} onChange={(e) => onChange({ ...input, breakOnMatch: e.target.checked })} /> Stop here when it plays
        </label>
        <button type="button" className="small danger" onClick={onRemove} aria-label={`Remove input ${index + 1}`}>
          Remove input
        </button>
      </div>
      <Messages items={own} />
      <ItemList title="Match" base={`${base}.match`} items={input.match} messages={messages} onChange={(match) => onChange({ ...input, match })} />
      <ItemList title="No match" base={`${base}.nomatch`} items={input.nomatch} messages={messages} onChange={(nomatch) => onChange({ ...input, nomatch })} />
    </fieldset>
  );
}

export function PhrasesEditor({ canEdit }: { canEdit: boolean }) {
  const [phrases, setPhrases] = useState<PhraseView[] | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [serverMessages, setServerMessages] = useState<PhraseDiagnostic[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const choices = usePromptChoices();

  const refresh = useCallback(() => {
    listPhrases()
      .then(setPhrases)
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(refresh, [refresh]);

  // The server's checks, live (the prompt-file warning needs the server: it comes on save).
  const live = useMemo(() => {
    if (!draft) return [];
    const r = phraseMacroSchema.safeParse(draft);
    return r.success ? checkPhrase(r.data) : r.error.issues.map((i) => ({ severity: "error" as const, path: i.path.join("."), message: `${i.path.join(".")}: ${i.message}` }));
  }, [draft]);
  const messages = useMemo(() => {
    const seen = new Set(live.map((m) => m.message));
    return [...live, ...serverMessages.filter((m) => !seen.has(m.message))];
  }, [live, serverMessages]);

  const edit = (d: Draft | null) => {
    setDraft(d);
    setServerMessages([]);
    setError(null);
    setNotice(null);
  };

  const save = async () => {
    if (!draft) return;
    setError(null);
    try {
      const { id, revision, ...macro } = draft;
      const r = id !== undefined && revision !== undefined ? await updatePhrase(id, { ...macro, revision }) : await createPhrase(macro);
      setServerMessages(r.diagnostics);
      setDraft({ ...r.phrase });
      setNotice(`Saved ${r.phrase.name}${r.diagnostics.length ? ` with ${r.diagnostics.length} warning${r.diagnostics.length === 1 ? "" : "s"}` : ""}.`);
      refresh();
    } catch (e) {
      if (e instanceof ApiError && Array.isArray(e.body.diagnostics)) setServerMessages(e.body.diagnostics as PhraseDiagnostic[]);
      setError(errorText(e));
    }
  };

  const remove = async (p: PhraseView) => {
    setError(null);
    try {
      await deletePhrase(p.id);
      if (draft?.id === p.id) edit(null);
      refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const top = messages.filter((m) => m.path === "name" || m.path === "language" || m.path === "inputs");
  return (
    <section className="phrases" aria-label="Phrases">
      <h2>Phrases</h2>
      <p className="help">
        Phrase macros, as FreeSWITCH&apos;s phrase files: a Phrase node plays one with its data (<code>session:sayPhrase</code>). Each input&apos;s pattern is matched
        against the data; <code>$1</code> is its first group, <code>{"${var}"}</code> a channel variable. A pause of the macro&apos;s length follows every item.
      </p>
      <datalist id="phrase-prompt-files">
        {choices.map((c) => (
          <option key={c.path} value={c.path}>
            {c.note}
          </option>
        ))}
      </datalist>
      <ErrorLine error={error} />
      {notice && <p className="muted">{notice}</p>}
      <DataTable label="Phrases" rows={phrases} empty="No phrases yet." columns={["Name", "Language", "Inputs", "Saved", ""]}>
        {(p) => (
          <tr key={p.id} data-phrase={p.name}>
            <td>
              <strong>{p.name}</strong>
              {p.description && <div className="muted">{p.description}</div>}
            </td>
            <td>{p.language}</td>
            <td>
              {p.inputs.map((i, k) => (
                <div key={k}>
                  <code>{i.pattern}</code> → {i.match.map((it) => PHRASE_ITEM_LABELS[it.type]).join(", ") || "—"}
                  {i.nomatch.length ? ` / else ${i.nomatch.map((it) => PHRASE_ITEM_LABELS[it.type]).join(", ")}` : ""}
                </div>
              ))}
            </td>
            <td>
              {p.updatedBy} · {new Date(p.updatedAt).toLocaleString()}
            </td>
            <td className="actions">
              <RowActions what="phrase" name={p.name} editText={canEdit ? "Edit" : "View"} onEdit={() => edit({ ...p })} onDelete={canEdit ? () => void remove(p) : undefined} />
            </td>
          </tr>
        )}
      </DataTable>
      {canEdit && !draft && (
        <button type="button" onClick={() => edit(blank())}>
          New phrase
        </button>
      )}
      {draft && (
        <form
          className="phrase-editor"
          aria-label="Phrase editor"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="row">
            <label>
              Name <input aria-label="Phrase name" className="mono" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="queue_position" />
            </label>
            <label>
              Language <input aria-label="Phrase language" value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value })} size={6} />
            </label>
            <label>
              Pause after each item{" "}
              <input aria-label="Pause after each item" type="number" min={0} max={10000} value={draft.pauseMs} onChange={(e) => setDraft({ ...draft, pauseMs: Number(e.target.value) })} /> ms
            </label>
          </div>
          <label>
            Description <input aria-label="Phrase description" value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
          </label>
          <Messages items={top} />
          {draft.inputs.map((input, i) => (
            <InputEditor
              key={i}
              input={input}
              index={i}
              messages={messages}
              onChange={(v) => setDraft({ ...draft, inputs: draft.inputs.map((x, k) => (k === i ? v : x)) })}
              onRemove={() => setDraft({ ...draft, inputs: draft.inputs.filter((_, k) => k !== i) })}
            />
          ))}
          <div className="row">
            <button type="button" className="small" onClick={() => setDraft({ ...draft, inputs: [...draft.inputs, { pattern: "^(.*)$", field: "", breakOnMatch: false, match: [], nomatch: [] }] })}>
              Add input
            </button>
          </div>
          <div className="dialog-actions">
            <button type="button" onClick={() => edit(null)}>
              Close
            </button>
            {canEdit && (
              <button type="submit" className="primary" disabled={messages.some((m) => m.severity === "error")}>
                Save phrase
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
