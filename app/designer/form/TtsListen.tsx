"use client";
// "Listen" beside a text the call hears through TTS (UiHint.speech): renders it with the prompt
// library's TTS preview (POST /api/prompts/tts, preview: true; cached by text+engine+voice) in
// the node's voice, or the flow's when the node leaves it empty, and plays it.
import { useEffect, useRef, useState } from "react";
import { previewTts } from "../../lib/client/prompts";
import { useDesigner } from "../context";

/** ${var} is only known during a call: the preview reads the variable's name instead. */
export const speakableText = (text: string) =>
  text
    .replace(/\$\{([^}]*)\}/g, (_, name: string) => ` ${name.replace(/[_.]+/g, " ").trim()} `)
    .replace(/[ \t]+([.,;:!?])/g, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();

export function TtsListen({ text, voice }: { text: string; voice: string }) {
  const settings = useDesigner((s) => s.settings);
  const engine = settings.ttsEngine;
  const effectiveVoice = voice || settings.ttsVoice;
  const [state, setState] = useState<"idle" | "loading" | "playing">("idle");
  const [error, setError] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement | null>(null);
  const url = useRef<string | null>(null);

  const stop = () => {
    audio.current?.pause();
    audio.current = null;
    if (url.current) URL.revokeObjectURL(url.current);
    url.current = null;
    setState("idle");
  };
  useEffect(() => stop, []);

  const listen = async () => {
    stop();
    setError(null);
    setState("loading");
    try {
      url.current = await previewTts({ text: speakableText(text), engine, voice: effectiveVoice });
      const a = new Audio(url.current);
      a.onended = stop;
      audio.current = a;
      setState("playing");
      await a.play();
    } catch (e) {
      stop();
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const spoken = text.trim() !== "";
  return (
    <span className="tts-listen">
      {state === "playing" ? (
        <button type="button" className="small" onClick={stop} aria-label="Stop listening">
          ■ Stop
        </button>
      ) : (
        <button
          type="button"
          className="small"
          disabled={!spoken || state === "loading"}
          onClick={() => void listen()}
          title={spoken ? `Hear it as the call will (${engine}, voice ${effectiveVoice})` : "Type the text first"}
        >
          {state === "loading" ? "Rendering…" : "▶ Listen"}
        </button>
      )}
      <span className="muted">
        {engine}, voice {effectiveVoice}
        {voice ? "" : " (the flow's)"}
      </span>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
