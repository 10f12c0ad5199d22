// The text-to-speech engines Debian ships, for TTS prompts: flite (FreeSWITCH mod_flite's
// voices) and espeak-ng (its built-in language voices, with a few voice variants). Text goes
// as an argument or on stdin, never through a shell; voices are checked against what the
// engine itself lists.
import { execFile, spawn } from "node:child_process";
import { FLITE_VOICES } from "../../flow/catalog/media";

export const TTS_ENGINES = ["flite", "espeak-ng"] as const;
export type TtsEngine = (typeof TTS_ENGINES)[number];
export const MAX_TTS_TEXT = 2000;
/** espeak-ng voice variants offered besides each language's default voice. */
const ESPEAK_VARIANTS = ["f3", "m3"];

export class TtsEngineError extends Error {}

let espeakVoices: Promise<string[]> | undefined;

/** espeak-ng's built-in language voices ("en-us", "en-gb", "de"...), from `espeak-ng --voices`. */
function listEspeakVoices(): Promise<string[]> {
  espeakVoices ??= new Promise((resolve) => {
    // A literal command: Next's file tracer follows execFile's first argument, and a variable
    // there made it trace (and ship) the whole project.
    execFile("espeak-ng", ["--voices"], { timeout: 10_000 }, (err, out) => {
      if (err) return resolve([]);
      const langs = new Set<string>();
      for (const line of String(out).split("\n").slice(1)) {
        const cols = line.trim().split(/\s+/);
        // Pty Language Age/Gender VoiceName File ...; mbrola voices (mb/) need extra packages.
        if (cols.length >= 5 && !cols[4].startsWith("mb/")) langs.add(cols[1]);
      }
      resolve([...langs].sort());
    });
  });
  return espeakVoices;
}

/** Voices per engine: what the designer offers and what synthesize() accepts. */
export async function ttsVoices(): Promise<Record<TtsEngine, string[]>> {
  const langs = await listEspeakVoices();
  const english = langs.filter((l) => l.startsWith("en"));
  return {
    flite: [...FLITE_VOICES],
    "espeak-ng": [...langs, ...english.flatMap((l) => ESPEAK_VARIANTS.map((v) => `${l}+${v}`))],
  };
}

/** Speaks `text` into `outFile` (WAV); throws TtsEngineError for an unknown engine/voice or a failed run. */
export async function synthesizeToFile(engine: string, voice: string, text: string, outFile: string): Promise<void> {
  if (!(TTS_ENGINES as readonly string[]).includes(engine)) throw new TtsEngineError(`Unknown TTS engine "${engine}": use ${TTS_ENGINES.join(" or ")}.`);
  if (!text.trim()) throw new TtsEngineError("The text to speak is empty.");
  if (text.length > MAX_TTS_TEXT) throw new TtsEngineError(`The text is too long (at most ${MAX_TTS_TEXT} characters).`);
  const voices = (await ttsVoices())[engine as TtsEngine];
  if (!voices.includes(voice)) throw new TtsEngineError(`Unknown ${engine} voice "${voice}".`);
  await new Promise<void>((resolve, reject) => {
    const args = engine === "flite" ? ["-voice", voice, "-t", text, "-o", outFile] : ["-v", voice, "-w", outFile, "--stdin"];
    const child = spawn(engine, args, { stdio: ["pipe", "ignore", "pipe"], timeout: 60_000 });
    let err = "";
    child.stderr.on("data", (d) => (err += String(d)));
    child.on("error", (e) => reject(new TtsEngineError(`${engine}: ${e.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new TtsEngineError(`${engine} failed (${code}): ${err.trim().slice(0, 300)}`))));
    child.stdin.end(engine === "espeak-ng" ? text : "");
  });
}
