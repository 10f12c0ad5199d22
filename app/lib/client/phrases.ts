// The phrase library and prompt rename from the browser (types come from the server's modules).
import { api } from "./api";
import type { PhraseView } from "../server/prompts/phrases";
import type { RenameResult } from "../server/prompts/library";
import type { PhraseDiagnostic, PhraseMacroInput } from "../../../flow/phrases";
export type { PhraseView } from "../server/prompts/phrases";
export type { RenameResult } from "../server/prompts/library";

export interface PhraseSaved {
  phrase: PhraseView;
  diagnostics: PhraseDiagnostic[];
}

export const listPhrases = () => api<{ phrases: PhraseView[] }>("GET", "/api/phrases").then((r) => r.phrases);
export const createPhrase = (p: PhraseMacroInput) => api<PhraseSaved>("POST", "/api/phrases", p);
export const updatePhrase = (id: string, p: PhraseMacroInput & { revision: number }) => api<PhraseSaved>("PUT", `/api/phrases/${encodeURIComponent(id)}`, p);
export const deletePhrase = (id: string) => api<void>("DELETE", `/api/phrases/${encodeURIComponent(id)}`);
export const renamePrompt = (name: string, to: string) => api<RenameResult>("PATCH", `/api/prompts/${encodeURIComponent(name)}`, { name: to });
