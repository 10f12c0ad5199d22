"use client";
// Record a prompt in the browser (MediaRecorder, usually webm/opus), listen, then upload it.
import { useRef, useState } from "react";
import { errorText } from "../../lib/client/api";
import { uploadPrompt, type PromptView } from "../../lib/client/prompts";

export function Recorder({ onSaved }: { onSaved: (p: PromptView) => void }) {
  const rec = useRef<MediaRecorder | null>(null);
  const [blob, setBlob] = useState<Blob | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [state, setState] = useState<"idle" | "recording" | "saving">("idle");
  const [error, setError] = useState<string | null>(null);
  if (typeof window !== "undefined" && typeof window.MediaRecorder === "undefined") return null;

  const start = async () => {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks: Blob[] = [];
      const r = new MediaRecorder(stream);
      r.ondataavailable = (e) => e.data.size && chunks.push(e.data);
      r.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        const b = new Blob(chunks, { type: r.mimeType || "audio/webm" });
        setBlob(b);
        setUrl((old) => {
          if (old) URL.revokeObjectURL(old);
          return URL.createObjectURL(b);
        });
        setState("idle");
      };
      rec.current = r;
      r.start();
      setState("recording");
    } catch (e) {
      setError(`The microphone is not available: ${errorText(e)}`);
    }
  };

  return (
    <div className="recorder card" aria-label="Record a prompt">
      <h2>Record</h2>
      <div className="row">
        {state === "recording" ? (
          <button type="button" className="danger" onClick={() => rec.current?.stop()}>
            Stop
          </button>
        ) : (
          <button type="button" onClick={() => void start()} disabled={state === "saving"}>
            Record
          </button>
        )}
        {url && <audio src={url} controls aria-label="Recording" />}
        {blob && (
          <>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="name" aria-label="Recording name" />
            <button
              type="button"
              className="primary"
              disabled={!name.trim() || state === "saving"}
              onClick={() => {
                setState("saving");
                uploadPrompt(blob, "recording.webm", { name: name.trim(), trim: true, source: "recording" })
                  .then((p) => {
                    onSaved(p);
                    setBlob(null);
                    setName("");
                  })
                  .catch((e) => setError(errorText(e)))
                  .finally(() => setState("idle"));
              }}
            >
              Save as prompt
            </button>
          </>
        )}
      </div>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
