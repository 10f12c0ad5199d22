"use client";
// The media folder's audio files for prompt pickers: fetched once per page load.
import { useEffect, useState } from "react";
import { api } from "../../lib/client/api";

let cache: Promise<string[]> | null = null;

function loadPrompts(): Promise<string[]> {
  cache ??= api<{ files: Array<{ path: string }> }>("GET", "/api/prompts")
    .then((r) => r.files.map((f) => f.path))
    .catch(() => []);
  return cache;
}

export function usePromptFiles(): string[] {
  const [files, setFiles] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    loadPrompts().then((f) => live && setFiles(f));
    return () => {
      live = false;
    };
  }, []);
  return files;
}
