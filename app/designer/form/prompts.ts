"use client";
// What prompt pickers offer: the prompt library (prompts/NAME.wav) and every sound file in the
// media folder as a flow names it (FreeSWITCH's rate folders folded: ivr/8000/x.wav -> ivr/x.wav).
// Fetched once per page load, refreshed after an upload from a picker.
import { useEffect, useState } from "react";
import { listPrompts } from "../../lib/client/prompts";

export interface PromptChoice {
  /** What the node's parameter gets. */
  path: string;
  /** Shown beside it: a duration, "TTS", "FreeSWITCH sound"... */
  note: string;
}

let cache: Promise<PromptChoice[]> | null = null;
const listeners = new Set<(c: PromptChoice[]) => void>();

/** ivr/8000/ivr-welcome.wav -> ivr/ivr-welcome.wav (the path a flow plays). */
export function flowPathOf(file: string): string {
  return file.replace(/(^|\/)(8000|16000|32000|48000)\/([^/]+)$/, "$1$3");
}

function load(): Promise<PromptChoice[]> {
  cache ??= listPrompts()
    .then((r) => {
      const out = new Map<string, PromptChoice>();
      for (const p of r.prompts) out.set(p.path, { path: p.path, note: `${(p.durationMs / 1000).toFixed(1)} s${p.source === "tts" ? " · TTS" : ""}` });
      for (const f of r.files) {
        const path = flowPathOf(f.path);
        if (!out.has(path)) out.set(path, { path, note: "sound file" });
      }
      return [...out.values()];
    })
    .catch(() => []);
  return cache;
}

/** Forget the cached list (after an upload) and tell every picker. */
export function reloadPromptChoices(): void {
  cache = null;
  void load().then((c) => listeners.forEach((l) => l(c)));
}

export function usePromptChoices(): PromptChoice[] {
  const [choices, setChoices] = useState<PromptChoice[]>([]);
  useEffect(() => {
    let live = true;
    const set = (c: PromptChoice[]) => live && setChoices(c);
    listeners.add(set);
    void load().then(set);
    return () => {
      live = false;
      listeners.delete(set);
    };
  }, []);
  return choices;
}

/** The plain paths, for callers that only need those. */
export function usePromptFiles(): string[] {
  return usePromptChoices().map((c) => c.path);
}
