"use client";
// The prompt library: upload (drag and drop, progress), record, TTS, and every prompt with its
// waveform, a player, its duration and where flows play it from; delete is refused by the
// server while a published flow version plays the prompt (the message lists the flows).
import { useCallback, useEffect, useState } from "react";
import { errorText } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { deletePrompt, formatDuration, listPrompts, promptAudioUrl, type PromptView } from "../lib/client/prompts";
import { AppHeader } from "./AppHeader";
import { Dialog } from "./Dialog";
import { Recorder } from "./prompts/Recorder";
import { TtsForm } from "./prompts/TtsForm";
import { UploadZone } from "./prompts/UploadZone";
import { Waveform } from "./prompts/Waveform";

export function PromptsPage() {
  const { user, error: authError } = useRequireUser();
  const [prompts, setPrompts] = useState<PromptView[] | null>(null);
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<PromptView | null>(null);
  const canEdit = user?.role !== "viewer";

  const refresh = useCallback(() => {
    listPrompts()
      .then((r) => setPrompts(r.prompts))
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    if (user) refresh();
  }, [user, refresh]);

  const remove = async (p: PromptView) => {
    setDeleting(null);
    setError(null);
    try {
      await deletePrompt(p.name);
      refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (authError) return <main className="page error-box">{authError}</main>;
  const shown = (prompts ?? []).filter((p) => !filter || p.name.toLowerCase().includes(filter.toLowerCase()) || (p.tts?.text ?? "").toLowerCase().includes(filter.toLowerCase()));
  return (
    <>
      <AppHeader user={user} current="prompts" />
      <main className="page prompts-page">
        <h1>Prompts</h1>
        <p className="help">
          Audio your flows play. Each prompt is stored at 8 and 16 kHz in FreeSWITCH&apos;s layout; a flow plays it as <code>prompts/NAME.wav</code>.
        </p>
        {canEdit && (
          <section className="prompt-sources">
            <UploadZone onUploaded={refresh} />
            <TtsForm onSaved={refresh} />
            <Recorder onSaved={refresh} />
          </section>
        )}
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <input type="search" placeholder="Search prompts" aria-label="Search prompts" value={filter} onChange={(e) => setFilter(e.target.value)} />
        {!prompts ? (
          <p className="muted">Loading…</p>
        ) : shown.length === 0 ? (
          <p className="muted">{prompts.length ? "No prompt matches." : "No prompts yet."}</p>
        ) : (
          <table className="data-table" aria-label="Prompts">
            <thead>
              <tr>
                <th>Name</th>
                <th>Waveform</th>
                <th>Listen</th>
                <th>Duration</th>
                <th>Source</th>
                <th>Added</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shown.map((p) => (
                <tr key={p.name} data-prompt={p.name}>
                  <td>
                    <strong>{p.name}</strong>
                    <div>
                      <code>{p.path}</code>
                    </div>
                  </td>
                  <td>
                    <Waveform name={p.name} version={p.checksum} />
                  </td>
                  <td>
                    <audio controls preload="none" src={promptAudioUrl(p.name, p.checksum)} aria-label={`Play ${p.name}`} />
                  </td>
                  <td data-testid="duration">{formatDuration(p.durationMs)}</td>
                  <td>
                    {p.source === "tts" && p.tts ? (
                      <span title={p.tts.text}>
                        TTS {p.tts.engine}/{p.tts.voice}
                      </span>
                    ) : (
                      `${p.source} (${p.format})`
                    )}
                  </td>
                  <td>
                    {p.createdBy} · {new Date(p.updatedAt).toLocaleString()}
                  </td>
                  <td className="actions">
                    {canEdit && (
                      <button type="button" className="small danger" aria-label={`Delete prompt ${p.name}`} onClick={() => setDeleting(p)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
      {deleting && (
        <Dialog title={`Delete ${deleting.name}?`} onClose={() => setDeleting(null)}>
          <p>Flows that play {deleting.path} will fail to play it. Published versions that use it keep it from being deleted.</p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setDeleting(null)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void remove(deleting)}>
              Delete
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
