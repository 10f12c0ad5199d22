"use client";
// A TTS prompt: text, engine and voice (Debian's flite and espeak-ng), a preview, then save.
import { useEffect, useState } from "react";
import { errorText } from "../../lib/client/api";
import { previewTts, saveTtsPrompt, ttsVoices, type PromptView } from "../../lib/client/prompts";

export function TtsForm({ onSaved }: { onSaved: (p: PromptView) => void }) {
  const [engines, setEngines] = useState<Record<string, string[]>>({});
  const [engine, setEngine] = useState("flite");
  const [voice, setVoice] = useState("slt");
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ttsVoices().then(setEngines, (e) => setError(errorText(e)));
  }, []);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);
  const voices = engines[engine] ?? [];

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="tts-form card"
      aria-label="Text to speech prompt"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const p = await saveTtsPrompt({ text, engine, voice, name: name.trim() });
          onSaved(p);
          setText("");
          setName("");
        });
      }}
    >
      <h2>Text to speech</h2>
      <label>
        Text
        <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} aria-label="TTS text" required maxLength={2000} />
      </label>
      <div className="row">
        <label>
          Engine
          <select
            value={engine}
            aria-label="TTS engine"
            onChange={(e) => {
              setEngine(e.target.value);
              setVoice(engines[e.target.value]?.[0] ?? "");
            }}
          >
            {Object.keys(engines).map((en) => (
              <option key={en}>{en}</option>
            ))}
          </select>
        </label>
        <label>
          Voice
          <select value={voice} aria-label="TTS voice" onChange={(e) => setVoice(e.target.value)}>
            {voices.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} aria-label="TTS prompt name" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" />
        </label>
        <button type="button" disabled={busy || !text.trim()} onClick={() => void run(async () => setPreview(await previewTts({ text, engine, voice })))}>
          Preview
        </button>
        <button type="submit" className="primary" disabled={busy || !text.trim() || !name.trim()}>
          Save as prompt
        </button>
      </div>
      {preview && <audio src={preview} controls autoPlay aria-label="TTS preview" />}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
