// The prompt library from the browser: list, upload with progress (XMLHttpRequest reports
// upload progress, fetch does not), TTS, delete, and URLs to play a prompt or any sound file.
import { api, ApiError } from "./api";
export type { PromptView } from "../server/prompts/library";
import type { PromptView } from "../server/prompts/library";

export interface PromptList {
  prompts: PromptView[];
  root: string;
  files: Array<{ path: string; size: number }>;
}

export const listPrompts = () => api<PromptList>("GET", "/api/prompts");

export const promptAudioUrl = (name: string, version = "") => `/api/prompts/${encodeURIComponent(name)}/audio?rate=16000${version ? `&v=${encodeURIComponent(version)}` : ""}`;

/** A sound as a flow names it (prompts/x.wav, ivr/ivr-welcome.wav...): the library's file or any file in the media folder. */
export const soundUrl = (flowPath: string) => `/api/prompts/file?path=${encodeURIComponent(flowPath)}`;

export interface UploadOptions {
  name?: string;
  replace?: boolean;
  trim?: boolean;
  normalize?: boolean;
  source?: "upload" | "recording";
  /** 0..1 as the bytes go out. */
  onProgress?: (fraction: number) => void;
}

export function uploadPrompt(file: Blob, fileName: string, o: UploadOptions = {}): Promise<PromptView> {
  const form = new FormData();
  form.set("file", file, fileName);
  if (o.name) form.set("name", o.name);
  if (o.replace) form.set("replace", "true");
  if (o.trim) form.set("trim", "true");
  if (o.normalize) form.set("normalize", "true");
  if (o.source) form.set("source", o.source);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/prompts");
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => e.lengthComputable && o.onProgress?.(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, "network", "The server could not be reached.", {}));
    xhr.onload = () => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(xhr.responseText || "{}");
      } catch {
        data = { message: xhr.responseText.slice(0, 200) };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data.prompt as PromptView);
      else reject(new ApiError(xhr.status, String(data.error ?? "http_error"), String(data.message ?? `Upload failed (HTTP ${xhr.status}).`), data));
    };
    xhr.send(form);
  });
}

export interface TtsRequest {
  text: string;
  engine: string;
  voice: string;
  name?: string;
  replace?: boolean;
}

export const saveTtsPrompt = (r: TtsRequest) => api<{ prompt: PromptView }>("POST", "/api/prompts/tts", r).then((x) => x.prompt);

/** The TTS rendering as a playable object URL (the caller revokes it). */
export async function previewTts(r: TtsRequest): Promise<string> {
  const res = await fetch("/api/prompts/tts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...r, preview: true }),
    credentials: "same-origin",
  });
  if (!res.ok) {
    const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    throw new ApiError(res.status, String(data.error ?? "http_error"), String(data.message ?? `Preview failed (HTTP ${res.status}).`), data);
  }
  return URL.createObjectURL(await res.blob());
}

export const ttsVoices = () => api<{ engines: Record<string, string[]> }>("GET", "/api/prompts/voices").then((r) => r.engines);
export const promptPeaks = (name: string, points = 240) =>
  api<{ peaks: number[] }>("GET", `/api/prompts/${encodeURIComponent(name)}/waveform?points=${points}`).then((r) => r.peaks);
export const deletePrompt = (name: string) => api<void>("DELETE", `/api/prompts/${encodeURIComponent(name)}`);

export const formatDuration = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);
