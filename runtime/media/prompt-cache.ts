// Prompts in memory, per media worker: a file is transcoded (disk cache) and parsed once, and each
// playback after that costs one stat() to see that the file has not changed (same mtime and size).
// Each prompt is encoded to G.711 at most once per codec, lazily, so a playback copies ready bytes
// into its packets instead of encoding 8000 samples a second. Bounded by total bytes (LRU).
import { stat as fsStat } from "node:fs/promises";
import { resolve } from "node:path";
import { encodeG711, type G711Codec } from "./g711";
import type { PcmLoader, PcmLoadResult } from "./sources";

export interface FileIdentity {
  mtimeMs: number;
  size: number;
}

export interface PromptCacheOptions {
  /** Loads a file as 8 kHz PCM (through the transcoder). */
  load: PcmLoader;
  /** mtime and size of a file; rejects when it is missing. Default fs.stat. */
  stat?: (path: string) => Promise<FileIdentity>;
  /**
   * The files the loader may read for a path (it takes the first that exists): all of them are
   * checked, so a change to any of them is seen. Default: the path alone.
   */
  candidates?: (path: string) => string[];
  /** Upper bound on PCM + encoded bytes kept (default 64 MiB). */
  maxBytes?: number;
}

export interface PromptCacheStats {
  hits: number;
  loads: number;
  evictions: number;
  encodings: number;
  bytes: number;
  entries: number;
}

interface Entry {
  key: string;
  /** mtime:size of each candidate file ("-" for a missing one). */
  id: string;
  samples: Int16Array;
  encoded: Partial<Record<G711Codec, Uint8Array>>;
  bytes: number;
}

export class PromptCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = LRU order
  private readonly inflight = new Map<string, Promise<PcmLoadResult>>();
  private readonly stat: (path: string) => Promise<FileIdentity>;
  private readonly maxBytes: number;
  private readonly counters = { hits: 0, loads: 0, evictions: 0, encodings: 0 };
  private bytes = 0;

  constructor(private readonly options: PromptCacheOptions) {
    this.stat = options.stat ?? (async (p) => {
      const st = await fsStat(p);
      if (!st.isFile()) throw new Error(`not a file: ${p}`);
      return { mtimeMs: st.mtimeMs, size: st.size };
    });
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** A PcmLoader: cached samples while the file is unchanged, plus their cached encodings. */
  readonly loader: PcmLoader = async (path) => {
    const key = resolve(path);
    const id = await this.identity(path);
    if (id === undefined) {
      this.entries.delete(key);
      return this.options.load(path); // reports NOTFOUND (or whatever the loader says) in its own words
    }
    const e = this.entries.get(key);
    if (e && e.id === id) {
      this.counters.hits++;
      this.entries.delete(key); // most recently used goes last
      this.entries.set(key, e);
      return { ok: true, samples: e.samples, encoded: (codec) => this.encoded(e, codec) };
    }
    const flightKey = `${key}\0${id}`;
    let job = this.inflight.get(flightKey);
    if (!job) {
      job = this.fill(key, path, id).finally(() => this.inflight.delete(flightKey));
      this.inflight.set(flightKey, job);
    }
    return job;
  };

  /** What the loader would read, as one string; undefined when no candidate exists. */
  private async identity(path: string): Promise<string | undefined> {
    const files = this.options.candidates?.(path) ?? [path];
    const ids = await Promise.all(files.map((f) => this.stat(resolve(f)).then((st) => `${st.mtimeMs}:${st.size}`, () => "-")));
    return ids.every((i) => i === "-") ? undefined : ids.join("|");
  }

  private async fill(key: string, path: string, id: string): Promise<PcmLoadResult> {
    const r = await this.options.load(path);
    if (!r.ok) return r;
    this.counters.loads++;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const e: Entry = { key, id, samples: r.samples, encoded: {}, bytes: r.samples.byteLength };
    this.entries.set(key, e);
    this.bytes += e.bytes;
    this.evict(e);
    return { ok: true, samples: e.samples, encoded: (codec) => this.encoded(e, codec) };
  }

  private encoded(e: Entry, codec: G711Codec): Uint8Array {
    let bytes = e.encoded[codec];
    if (!bytes) {
      bytes = encodeG711(codec, e.samples);
      e.encoded[codec] = bytes;
      this.counters.encodings++;
      if (this.entries.get(e.key) === e) {
        e.bytes += bytes.byteLength;
        this.bytes += bytes.byteLength;
        this.evict(e);
      }
    }
    return bytes;
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }

  /** Least recently used first; the entry just touched stays even if it alone is over the bound. */
  private evict(keep: Entry): void {
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (v === keep) continue;
      this.drop(k, v);
      this.counters.evictions++;
    }
  }

  toJSON(): PromptCacheStats {
    return { ...this.counters, bytes: this.bytes, entries: this.entries.size };
  }
}
