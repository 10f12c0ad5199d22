"use client";
// Drop audio files here (or pick them): each uploads with a progress bar; the name defaults
// to the file's name. Optional: trim silence, normalise loudness, replace an existing prompt.
import { useRef, useState, type DragEvent } from "react";
import { errorText } from "../../lib/client/api";
import { uploadPrompt, type PromptView } from "../../lib/client/prompts";

interface Job {
  id: number;
  file: string;
  progress: number;
  state: "uploading" | "done" | "failed";
  message?: string;
}

const nameOf = (fileName: string) => fileName.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^[_-]+|_+$/g, "").slice(0, 80) || "prompt";

export function UploadZone({ onUploaded, compact = false }: { onUploaded: (p: PromptView) => void; compact?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [name, setName] = useState("");
  const [trim, setTrim] = useState(true);
  const [normalize, setNormalize] = useState(false);
  const [replace, setReplace] = useState(false);
  const nextId = useRef(1);

  const start = (files: FileList | File[]) => {
    const list = [...files];
    list.forEach((f) => {
      const id = nextId.current++;
      const update = (patch: Partial<Job>) => setJobs((js) => js.map((j) => (j.id === id ? { ...j, ...patch } : j)));
      setJobs((js) => [...js, { id, file: f.name, progress: 0, state: "uploading" }]);
      const promptName = list.length === 1 && name.trim() ? name.trim() : nameOf(f.name);
      uploadPrompt(f, f.name, { name: promptName, trim, normalize, replace, onProgress: (p) => update({ progress: p }) })
        .then((p) => {
          update({ state: "done", progress: 1, message: `${p.name}: ${(p.durationMs / 1000).toFixed(1)} s` });
          onUploaded(p);
        })
        .catch((e) => update({ state: "failed", message: errorText(e) }));
    });
    setName("");
  };

  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) start(e.dataTransfer.files);
  };

  return (
    <div className={`upload ${compact ? "compact" : ""}`}>
      <div
        className={`dropzone ${over ? "over" : ""}`}
        role="button"
        tabIndex={0}
        aria-label="Upload audio: drop files here or press to choose"
        onClick={() => input.current?.click()}
        onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && input.current?.click()}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        Drop audio files here, or click to choose (wav, mp3, ogg/opus, m4a, flac, webm)
        <input
          ref={input}
          type="file"
          accept="audio/*,.wav,.mp3,.ogg,.opus,.m4a,.aac,.flac,.webm"
          multiple
          hidden
          data-testid="prompt-file-input"
          onChange={(e) => {
            if (e.target.files?.length) start(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      <div className="upload-options">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the file name" aria-label="Prompt name" />
        </label>
        <label>
          <input type="checkbox" checked={trim} onChange={(e) => setTrim(e.target.checked)} /> Trim silence
        </label>
        <label>
          <input type="checkbox" checked={normalize} onChange={(e) => setNormalize(e.target.checked)} /> Normalise loudness
        </label>
        <label>
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace same name
        </label>
      </div>
      {jobs.length > 0 && (
        <ul className="upload-jobs" aria-label="Uploads">
          {jobs.map((j) => (
            <li key={j.id} className={j.state}>
              <span>{j.file}</span>
              <progress max={1} value={j.progress} aria-label={`Upload of ${j.file}`} />
              <span role={j.state === "failed" ? "alert" : "status"}>{j.state === "uploading" ? `${Math.round(j.progress * 100)} %` : j.message}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
