"use client";
// What the Phrase node's name field offers: the phrase library's macros (name and language),
// fetched once per page load.
import { useEffect, useState } from "react";
import { listPhrases } from "../../lib/client/phrases";

export interface PhraseChoice {
  name: string;
  note: string;
}

let cache: Promise<PhraseChoice[]> | null = null;

export function usePhraseChoices(): PhraseChoice[] {
  const [choices, setChoices] = useState<PhraseChoice[]>([]);
  useEffect(() => {
    let live = true;
    cache ??= listPhrases()
      .then((ps) => ps.map((p) => ({ name: p.name, note: `${p.language}${p.description ? ` · ${p.description.slice(0, 60)}` : ""}` })))
      .catch(() => []);
    void cache.then((c) => live && setChoices(c));
    return () => {
      live = false;
    };
  }, []);
  return choices;
}
