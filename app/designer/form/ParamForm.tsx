"use client";
// The generic properties form: iterates a zod object's shape and renders each field by
// its UI hint (uiHintOf). No per-kind code: a new kind in the catalog gets its form free.
import dynamic from "next/dynamic";
import { memo, useMemo, useState } from "react";
import type { z } from "zod";
import type { UiHint } from "../../../flow/catalog";
import type { Diagnostic } from "../../../flow/diagnostics";
import { at, FieldErrors } from "./FieldErrors";
import { dialSuggestions, useDialChoices } from "./dial-choices";
import { elementOf, enumOptions, hintOf, initialValue, shapeOf, typeOf } from "./introspect";
import { KeyValueField } from "./KeyValueField";
import { reloadPromptChoices, usePromptChoices } from "./prompts";
import { soundUrl } from "../../lib/client/prompts";
import { UploadZone } from "../../components/prompts/UploadZone";
import { RegexTester } from "./RegexTester";
import { usePhraseChoices } from "./phrases";
import { TtsListen } from "./TtsListen";

const CodeEditor = dynamic(() => import("../code/CodeEditor").then((m) => m.CodeEditor), {
  ssr: false,
  loading: () => <div className="code-loading">Loading editor…</div>,
});

export interface ParamFormProps {
  shape: Record<string, z.ZodType>;
  value: Record<string, unknown>;
  /** `field` names the edited parameter path (keystrokes in one field are one undo step). */
  onChange: (next: Record<string, unknown>, field: string) => void;
  diagnostics: readonly Diagnostic[];
  /** Parameter path of this object inside the node's params ("" at the top, "choices.1" in a list). */
  path?: string;
  idPrefix: string;
  readOnly?: boolean;
}

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const domId = (prefix: string, path: string) => `${prefix}-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;

function ParamFormImpl({ shape, value, onChange, diagnostics, path = "", idPrefix, readOnly }: ParamFormProps) {
  const entries = Object.entries(shape).map(([key, schema]) => ({ key, schema, hint: hintOf(schema, key) }));
  const basic = entries.filter((e) => !e.hint.advanced);
  const advanced = entries.filter((e) => e.hint.advanced);
  const render = (e: (typeof entries)[number]) => (
    <Field
      key={e.key}
      schema={e.schema}
      hint={e.hint}
      value={value[e.key]}
      path={join(path, e.key)}
      idPrefix={idPrefix}
      diagnostics={diagnostics}
      readOnly={readOnly}
      siblings={value}
      onChange={(v, field) => onChange({ ...value, [e.key]: v }, field)}
    />
  );
  return (
    <div className="param-form">
      {basic.map(render)}
      {advanced.length > 0 && (
        <details className="advanced">
          <summary>Advanced</summary>
          {advanced.map(render)}
        </details>
      )}
    </div>
  );
}

export const ParamForm = memo(ParamFormImpl);

interface FieldProps {
  schema: z.ZodType;
  hint: UiHint;
  value: unknown;
  path: string;
  idPrefix: string;
  diagnostics: readonly Diagnostic[];
  readOnly?: boolean;
  /** The other parameters of the same object (a TTS text's voice). */
  siblings?: Record<string, unknown>;
  onChange: (v: unknown, field: string) => void;
}

function Field({ schema, hint, value, path, idPrefix, diagnostics, readOnly, siblings, onChange }: FieldProps) {
  const id = domId(idPrefix, path);
  const errors = at(diagnostics, path);
  const errId = errors.length ? `${id}-errors` : undefined;
  const set = (v: unknown) => onChange(v, path);
  const common = { id, "aria-invalid": errors.some((d) => d.severity === "error") || undefined, "aria-describedby": errId, disabled: readOnly };
  const type = typeOf(schema);
  const helpEl = hint.help ? <p className="help">{hint.help}</p> : null;

  if (hint.widget === "keyvalue") {
    return (
      <div className="field">
        <KeyValueField id={id} hint={hint} value={value} onChange={set} />
        {helpEl}
        <FieldErrors items={errors} id={errId} />
      </div>
    );
  }
  if (hint.widget === "list" || (type === "array" && shapeOf(elementOf(schema)!))) {
    return (
      <ListField schema={schema} hint={hint} value={value} path={path} idPrefix={idPrefix} diagnostics={diagnostics} readOnly={readOnly} onChange={onChange} />
    );
  }
  if (hint.widget === "boolean") {
    return (
      <div className="field field-check">
        <label>
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => set(e.target.checked)} /> {hint.label}
        </label>
        {helpEl}
        <FieldErrors items={errors} id={errId} />
      </div>
    );
  }
  if (hint.widget === "select" && type === "array") {
    // A multi-choice (business-hours days): one checkbox per option.
    const options = hint.options ?? enumOptions(elementOf(schema)!) ?? [];
    const chosen = new Set(Array.isArray(value) ? (value as string[]) : []);
    return (
      <fieldset className="field multi-select" id={id}>
        <legend>{hint.label}</legend>
        {options.map((o) => (
          <label key={o} className="chip">
            <input
              type="checkbox"
              disabled={readOnly}
              checked={chosen.has(o)}
              onChange={(e) => set(options.filter((x) => (x === o ? e.target.checked : chosen.has(x))))}
            />
            {o}
          </label>
        ))}
        <FieldErrors items={errors} id={errId} />
      </fieldset>
    );
  }

  let control: React.ReactNode;
  switch (hint.widget) {
    case "select": {
      const options = hint.options ?? enumOptions(schema) ?? [];
      control = (
        <select {...common} value={String(value ?? "")} onChange={(e) => set(e.target.value)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o === "" ? "(default)" : o}
            </option>
          ))}
        </select>
      );
      break;
    }
    case "number":
      control = (
        <span className="with-unit">
          <input
            {...common}
            type="number"
            value={typeof value === "number" ? value : String(value ?? "")}
            onChange={(e) => {
              const n = e.target.valueAsNumber;
              set(Number.isFinite(n) ? n : e.target.value);
            }}
          />
          {hint.unit && <span className="unit">{hint.unit}</span>}
        </span>
      );
      break;
    case "textarea":
      control = <textarea {...common} rows={4} value={String(value ?? "")} onChange={(e) => set(e.target.value)} />;
      break;
    case "code-lua":
    case "code-ts":
      control = (
        <div className="code-field" id={id}>
          <CodeEditor
            value={String(value ?? "")}
            language={hint.widget === "code-lua" ? "lua" : "typescript"}
            readOnly={readOnly}
            height={220}
            ariaLabel={hint.label}
            onChange={(v) => set(v)}
          />
        </div>
      );
      break;
    case "prompt":
      control = <PromptInput common={common} value={value} placeholder={hint.placeholder} onChange={set} />;
      break;
    case "dial":
      control = <DialInput common={common} value={value} placeholder={hint.placeholder} onChange={set} />;
      break;
    case "phrase":
      control = <PhraseInput common={common} value={value} placeholder={hint.placeholder} onChange={set} />;
      break;
    case "timezone":
      control = (
        <>
          <input {...common} list="ivr-timezones" placeholder={hint.placeholder} value={String(value ?? "")} onChange={(e) => set(e.target.value)} />
          <TimezoneList />
        </>
      );
      break;
    default:
      control = (
        <input
          {...common}
          type="text"
          spellCheck={false}
          placeholder={hint.placeholder ?? (hint.widget === "digits" ? "0-9 * #" : undefined)}
          value={String(value ?? "")}
          onChange={(e) => set(e.target.value)}
        />
      );
  }
  return (
    <div className={`field widget-${hint.widget}`}>
      <label htmlFor={id}>
        {hint.label}
        {(hint.template || hint.widget === "template") && <span className="tag" title="${var} is replaced by the channel variable at run time">{"${var}"}</span>}
      </label>
      {control}
      {hint.widget === "regex" && <RegexTester pattern={String(value ?? "")} label={hint.label.toLowerCase()} />}
      {hint.speech && (
        <TtsListen text={String(value ?? "")} voice={hint.speech.voiceParam ? String(siblings?.[hint.speech.voiceParam] ?? "") : ""} />
      )}
      {helpEl}
      <FieldErrors items={errors} id={errId} />
    </div>
  );
}

/** A phrase name, with the phrase library's macros offered (free text: FreeSWITCH may have its own). */
function PhraseInput({ common, value, placeholder, onChange }: { common: Record<string, unknown>; value: unknown; placeholder?: string; onChange: (v: string) => void }) {
  const choices = usePhraseChoices();
  const listId = `${String(common.id ?? "phrase")}-phrases`;
  return (
    <>
      <input {...common} list={listId} spellCheck={false} placeholder={placeholder} value={String(value ?? "")} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {choices.map((c) => (
          <option key={`${c.name}-${c.note}`} value={c.name}>
            {c.note}
          </option>
        ))}
      </datalist>
    </>
  );
}

function PromptInput({
  common,
  value,
  placeholder,
  onChange,
}: {
  common: Record<string, unknown>;
  value: unknown;
  placeholder?: string;
  onChange: (v: string) => void;
}) {
  const choices = usePromptChoices();
  const [uploading, setUploading] = useState(false);
  const [playing, setPlaying] = useState<HTMLAudioElement | null>(null);
  const listId = `${String(common.id)}-files`;
  const current = String(value ?? "");
  // Only a plain file can be previewed (not tone_stream://, file_string://, ${variables}).
  const playable = current !== "" && !/:\/\/|\$\{|^(say|phrase):/.test(current);
  const known = choices.find((c) => c.path === current);
  const play = () => {
    playing?.pause();
    const a = new Audio(soundUrl(current));
    a.onended = () => setPlaying(null);
    void a.play().catch(() => setPlaying(null));
    setPlaying(a);
  };
  return (
    <span className="prompt-picker">
      <span className="row">
        <input {...common} type="text" list={listId} spellCheck={false} placeholder={placeholder} value={current} onChange={(e) => onChange(e.target.value)} />
        {playing ? (
          <button type="button" className="small" aria-label="Stop the prompt" onClick={() => (playing.pause(), setPlaying(null))}>
            ■
          </button>
        ) : (
          <button type="button" className="small" aria-label="Play the prompt" disabled={!playable} onClick={play}>
            ▶
          </button>
        )}
        {!common.disabled && (
          <button type="button" className="small" aria-expanded={uploading} onClick={() => setUploading((u) => !u)}>
            Upload…
          </button>
        )}
      </span>
      {current && playable && (
        <span className="picker-note">{known ? known.note : "not in the prompt library or the sounds folder of this server"}</span>
      )}
      {uploading && (
        <UploadZone
          compact
          onUploaded={(p) => {
            onChange(p.path);
            setUploading(false);
            reloadPromptChoices();
          }}
        />
      )}
      <datalist id={listId}>
        {choices.map((c) => (
          <option key={c.path} value={c.path} label={c.note} />
        ))}
      </datalist>
    </span>
  );
}

/** A dial string typed freely, with the server's SIP users and gateways offered (dial-choices.ts). */
function DialInput({ common, value, placeholder, onChange }: { common: Record<string, unknown>; value: unknown; placeholder?: string; onChange: (v: string) => void }) {
  const listId = `${String(common.id)}-dial`;
  return (
    <>
      <input {...common} type="text" list={listId} spellCheck={false} placeholder={placeholder} value={String(value ?? "")} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {dialSuggestions(useDialChoices()).map((d) => (
          <option key={d} value={d} />
        ))}
      </datalist>
    </>
  );
}

let timezones: string[] | null = null;
function TimezoneList() {
  timezones ??= typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
  return (
    <datalist id="ivr-timezones">
      {timezones.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

function ListField({ schema, hint, value, path, idPrefix, diagnostics, readOnly, onChange }: FieldProps) {
  const element = elementOf(schema)!;
  const shape = useMemo(() => shapeOf(element), [element]);
  const items: unknown[] = Array.isArray(value) ? value : [];
  const id = domId(idPrefix, path);
  const itemNoun = hint.label.replace(/s$/, "").toLowerCase();
  const move = (from: number, to: number) => {
    const next = items.slice();
    const [it] = next.splice(from, 1);
    next.splice(to, 0, it);
    onChange(next, `${path}#order`);
  };
  return (
    <fieldset className="field list-field" id={id}>
      <legend>{hint.label}</legend>
      {hint.help && <p className="help">{hint.help}</p>}
      <FieldErrors items={at(diagnostics, path)} />
      <ol className="list-items">
        {items.map((item, i) => (
          <li key={i} className="list-item" aria-label={`${hint.label} ${i + 1}`}>
            <div className="list-item-tools">
              <span className="muted">#{i + 1}</span>
              <button type="button" className="icon" disabled={readOnly || i === 0} aria-label={`Move ${itemNoun} ${i + 1} up`} onClick={() => move(i, i - 1)}>
                ↑
              </button>
              <button
                type="button"
                className="icon"
                disabled={readOnly || i === items.length - 1}
                aria-label={`Move ${itemNoun} ${i + 1} down`}
                onClick={() => move(i, i + 1)}
              >
                ↓
              </button>
              <button
                type="button"
                className="icon"
                disabled={readOnly}
                aria-label={`Remove ${itemNoun} ${i + 1}`}
                onClick={() => onChange(items.filter((_, j) => j !== i), `${path}#remove`)}
              >
                ×
              </button>
            </div>
            {shape ? (
              <ParamForm
                shape={shape}
                value={(item ?? {}) as Record<string, unknown>}
                path={`${path}.${i}`}
                idPrefix={idPrefix}
                diagnostics={diagnostics}
                readOnly={readOnly}
                onChange={(v, field) => onChange(items.map((x, j) => (j === i ? v : x)), field)}
              />
            ) : (
              <input
                aria-label={`${hint.label} ${i + 1}`}
                value={String(item ?? "")}
                disabled={readOnly}
                onChange={(e) => onChange(items.map((x, j) => (j === i ? e.target.value : x)), `${path}.${i}`)}
              />
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="small" disabled={readOnly} onClick={() => onChange([...items, initialValue(element)], `${path}#add`)}>
        Add {itemNoun}
      </button>
    </fieldset>
  );
}
