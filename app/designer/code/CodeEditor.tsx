"use client";
// A small Monaco editor for code parameters (Custom code's Lua / TypeScript).
import Editor from "@monaco-editor/react";
import { configureMonaco } from "./monaco-setup";

configureMonaco();

export function CodeEditor({
  value,
  language,
  readOnly,
  height,
  ariaLabel,
  onChange,
}: {
  value: string;
  language: "lua" | "typescript";
  readOnly?: boolean;
  height: number | string;
  ariaLabel: string;
  onChange: (v: string) => void;
}) {
  return (
    <Editor
      value={value}
      language={language}
      height={height}
      onChange={(v) => onChange(v ?? "")}
      loading={<div className="code-loading">Loading editor…</div>}
      options={{
        readOnly,
        minimap: { enabled: false },
        fontSize: 12,
        lineNumbers: "on",
        scrollBeyondLastLine: false,
        automaticLayout: true,
        ariaLabel,
        tabSize: 2,
      }}
    />
  );
}
