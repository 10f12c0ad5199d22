"use client";
// Generated Lua / TypeScript, regenerated ~150 ms after the last logic change. The
// selected node's lines are highlighted; clicking a line selects its node.
import Editor, { type OnMount } from "@monaco-editor/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { generate, GenerateError, type Language, type NodeLineMap } from "../../../generators";
import type { Diagnostic } from "../../../flow/diagnostics";
import { downloadBlob, fileStem } from "../../lib/client/api";
import { useDesigner, useDesignerStore } from "../context";
import { useFocusNode } from "../useFocusNode";
import { DERIVE_DEBOUNCE_MS } from "../useValidation";
import { configureMonaco } from "./monaco-setup";
import { nodeAtLine } from "./nodeAtLine";

configureMonaco();

type Result =
  | { ok: true; code: string; map: NodeLineMap }
  | { ok: false; diagnostics: Diagnostic[]; message: string };

type MonacoEditor = Parameters<OnMount>[0];

declare global {
  interface Window {
    /** Read by bench/designer: how long the last regeneration took (generate + editor update). */
    __ivrDesignerMetrics?: { regenerateMs: number; regenerations: number };
  }
}

function runGenerate(graph: Parameters<typeof generate>[0], lang: Language, authorIsAdmin: boolean, flowVersion: number | null): Result {
  try {
    const r = generate(graph, lang, { validate: { authorIsAdmin }, flowVersion: flowVersion ?? undefined });
    return { ok: true, code: r.code, map: r.map };
  } catch (e) {
    if (e instanceof GenerateError) return { ok: false, diagnostics: e.diagnostics, message: e.message };
    return { ok: false, diagnostics: [], message: `The generator failed: ${(e as Error).message}` };
  }
}


export default function CodeView({
  authorIsAdmin,
  fullWidth = false,
  onFullWidth,
}: {
  authorIsAdmin: boolean;
  fullWidth?: boolean;
  onFullWidth?: (full: boolean) => void;
}) {
  const store = useDesignerStore();
  const [lang, setLang] = useState<Language>("lua");
  const [result, setResult] = useState<Result | null>(null);
  const [copied, setCopied] = useState(false);
  const selected = useDesigner((s) => (s.selectedNodeIds.length === 1 ? s.selectedNodeIds[0] : null));
  const name = useDesigner((s) => s.name);
  // The published version this exact logic is (just published, or unchanged since), else the draft.
  const version = useDesigner((s) => (s.publishedAs && s.publishedAs.logicVersion === s.logicVersion ? s.publishedAs.number : null));
  const focusNode = useFocusNode();
  const editorRef = useRef<MonacoEditor | null>(null);
  const decorations = useRef<string[]>([]);
  const startedAt = useRef(0);
  const mapRef = useRef<NodeLineMap>({});

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      startedAt.current = performance.now();
      setResult(runGenerate(store.getState().graph(), lang, authorIsAdmin, version));
    };
    run();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.logicVersion === prev.logicVersion) return;
      clearTimeout(timer);
      timer = setTimeout(run, DERIVE_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, lang, authorIsAdmin, version]);

  // After the editor shows the new code: record timing, refresh the highlight.
  useEffect(() => {
    if (!result) return;
    mapRef.current = result.ok ? result.map : {};
    const m = (window.__ivrDesignerMetrics ??= { regenerateMs: 0, regenerations: 0 });
    m.regenerateMs = performance.now() - startedAt.current;
    m.regenerations++;
  }, [result]);

  const highlight = useCallback(() => {
    const ed = editorRef.current;
    if (!ed) return;
    const range = selected && result?.ok ? result.map[selected] : undefined;
    decorations.current = ed.deltaDecorations(
      decorations.current,
      range
        ? [
            {
              range: { startLineNumber: range.start, startColumn: 1, endLineNumber: range.end, endColumn: 1 },
              options: { isWholeLine: true, className: "code-node-highlight", linesDecorationsClassName: "code-node-gutter" },
            },
          ]
        : [],
    );
    if (range) ed.revealLineInCenter(range.start);
  }, [selected, result]);

  useEffect(highlight, [highlight]);
  // Monaco mounts seconds later, after the first results: it must call the latest highlight.
  const highlightRef = useRef(highlight);
  highlightRef.current = highlight;

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    ed.onMouseDown((e) => {
      const line = e.target.position?.lineNumber;
      const id = line ? nodeAtLine(mapRef.current, line) : undefined;
      if (id) focusNode(id);
    });
    highlightRef.current();
  };

  const code = result?.ok ? result.code : "";
  return (
    <div className="code-view">
      <div className="code-toolbar">
        <div role="tablist" aria-label="Language" className="tabs small-tabs">
          {(["lua", "ts"] as const).map((l) => (
            <button key={l} role="tab" aria-selected={lang === l} className={lang === l ? "active" : ""} onClick={() => setLang(l)}>
              {l === "lua" ? "Lua" : "TypeScript"}
            </button>
          ))}
        </div>
        <span className={`code-version${version !== null ? " published" : ""}`} data-testid="code-version">
          {version !== null ? `Version ${version}` : "Draft"}
        </span>
        <span className="spacer" />
        {onFullWidth && (
          <button type="button" className="small" aria-pressed={fullWidth} onClick={() => onFullWidth(!fullWidth)}>
            {fullWidth ? "Exit full width" : "Full width"}
          </button>
        )}
        <button
          type="button"
          className="small"
          disabled={!result?.ok}
          onClick={() => {
            navigator.clipboard?.writeText(code).then(
              () => {
                setCopied(true);
                setTimeout(() => setCopied(false), 1200);
              },
              () => undefined,
            );
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button
          type="button"
          className="small"
          disabled={!result?.ok}
          onClick={() => downloadBlob(new Blob([code], { type: "text/plain" }), `${fileStem(name)}.${lang}`)}
        >
          Download
        </button>
      </div>
      {result && !result.ok && (
        <div className="code-errors" role="alert">
          <p>{result.message}</p>
          {result.diagnostics.length > 0 && (
            <ul>
              {result.diagnostics.map((d, i) => (
                <li key={i} className={d.severity}>
                  <button type="button" className="link" disabled={!d.nodeId} onClick={() => d.nodeId && focusNode(d.nodeId)}>
                    {d.code} {d.nodeId ? `[${d.nodeId}] ` : ""}
                    {d.message}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="code-editor" data-testid="code-editor" data-language={lang} hidden={!!result && !result.ok}>
        <Editor
          value={code}
          language={lang === "lua" ? "lua" : "typescript"}
          height="100%"
          onMount={onMount}
          loading={<div className="code-loading">Loading editor…</div>}
          options={{
            readOnly: true,
            domReadOnly: true,
            minimap: { enabled: false },
            fontSize: 12,
            scrollBeyondLastLine: false,
            automaticLayout: true,
            ariaLabel: `Generated ${lang === "lua" ? "Lua" : "TypeScript"} code`,
          }}
        />
      </div>
      {/* Plain copy of the code for screen readers and tests (Monaco virtualises lines). */}
      <pre className="visually-hidden" data-testid="generated-code">
        {code}
      </pre>
    </div>
  );
}
