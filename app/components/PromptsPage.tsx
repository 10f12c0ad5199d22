"use client";
// The prompt library: upload (drag and drop, progress), record, TTS, and every prompt with its
// waveform, a player, its duration and where flows play it from; delete is refused by the
// server while a published flow version plays the prompt (the message lists the flows). Rename
// keeps every reference: drafts and phrases follow, published versions keep the old name (an
// alias). The Phrases section below edits phrase macros.
import { useCallback, useEffect, useState } from "react";
import { errorText } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { deletePrompt, formatDuration, listPrompts, promptAudioUrl, type PromptView } from "../lib/client/prompts";
import { AppHeader } from "./AppHeader";
import { Dialog } from "./Dialog";
import { ConfirmDialog } from "./list/ConfirmDialog";
import { DataTable, ErrorLine, RowActions } from "./list/DataTable";
import { Recorder } from "./prompts/Recorder";
import { TtsForm } from "./prompts/TtsForm";
import { UploadZone } from "./prompts/UploadZone";
import { Waveform } from "./prompts/Waveform";
import { PhrasesEditor } from "./prompts/PhrasesEditor";
import { renamePrompt } from "../lib/client/phrases";

export function PromptsPage() {
  const { user, error: authError } = useRequireUser();
  const [prompts, setPrompts] = useState<PromptView[] | null>(null);
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<PromptView | null>(null);
  const [renaming, setRenaming] = useState<{ prompt: PromptView; to: string; error?: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
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

  const rename = async () => {
    if (!renaming) return;
    try {
      const r = await renamePrompt(renaming.prompt.name, renaming.to.trim());
      setRenaming(null);
      const parts = [`Renamed ${renaming.prompt.name} to ${r.prompt.name}.`];
      if (r.drafts.length) parts.push(`Drafts now playing ${r.prompt.path}: ${r.drafts.map((d) => d.flowName).join(", ")} (reload them if open).`);
      if (r.phrases.length) parts.push(`Phrases updated: ${r.phrases.map((p) => p.name).join(", ")}.`);
      if (r.keptFor.length) parts.push(`${renaming.prompt.path} stays playable for the published versions of ${r.keptFor.map((u) => `${u.flowName} (${u.versions.join(", ")})`).join("; ")}.`);
      setNotice(parts.join(" "));
      refresh();
    } catch (e) {
      setRenaming({ ...renaming, error: errorText(e) });
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
        <ErrorLine error={error} />
        {notice && (
          <p className="muted" role="status">
            {notice}
          </p>
        )}
        <input type="search" placeholder="Search prompts" aria-label="Search prompts" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <DataTable
          label="Prompts"
          rows={prompts ? shown : null}
          empty={prompts?.length ? "No prompt matches." : "No prompts yet."}
          columns={["Name", "Waveform", "Listen", "Duration", "Source", "Added", ""]}
        >
          {(p) => (
            <tr key={p.name} data-prompt={p.name}>
              <td>
                <strong>{p.name}</strong>
                <div>
                  <code>{p.path}</code>
                </div>
                {p.aliases.length > 0 && (
                  <div className="muted" title="Former names published flow versions still play">
                    also {p.aliases.map((a) => <code key={a}>{a}</code>)}
                  </div>
                )}
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
                {canEdit && <RowActions what="prompt" name={p.name} editText="Rename" onEdit={() => setRenaming({ prompt: p, to: p.name })} onDelete={() => setDeleting(p)} />}
              </td>
            </tr>
          )}
        </DataTable>
        {user && <PhrasesEditor canEdit={canEdit} />}
      </main>
      {renaming && (
        <Dialog title={`Rename ${renaming.prompt.name}`} onClose={() => setRenaming(null)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void rename();
            }}
          >
            <label>
              New name <input aria-label="New prompt name" autoFocus value={renaming.to} onChange={(e) => setRenaming({ ...renaming, to: e.target.value, error: undefined })} />
            </label>
            <p className="help">Drafts and phrases that play it are updated. Published versions never change: they keep playing {renaming.prompt.path}, which stays in place for them.</p>
            {renaming.error && (
              <p className="error-box" role="alert">
                {renaming.error}
              </p>
            )}
            <div className="dialog-actions">
              <button type="button" onClick={() => setRenaming(null)}>
                Cancel
              </button>
              <button type="submit" className="primary">
                Rename
              </button>
            </div>
          </form>
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog title={`Delete ${deleting.name}?`} onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>Flows that play {deleting.path} will fail to play it. Published versions that use it keep it from being deleted.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
