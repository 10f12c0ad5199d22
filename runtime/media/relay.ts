// Audio relayed between two bridged streams of one worker: what one leg receives waits here, in
// the other leg's codec, until that leg's clock sends it. G.711 is one byte per sample, so the
// queue is a byte FIFO: packet sizes may differ on the two sides (30 ms in, 20 ms out). Same codec
// on both sides: the bytes are copied; PCMU <-> PCMA: decoded and encoded again.
import { decodeG711, encodeG711, type G711Codec } from "./g711";

/** Longest wait before the oldest relayed audio is dropped (bounds the bridge's added delay). */
export const RELAY_MAX_MS = 120;

export class RelayFifo {
  private buf: Uint8Array;
  private len = 0;
  private pcm = new Int16Array(160);
  /** Bytes dropped because the sending side ran ahead (counted for tests and stats). */
  dropped = 0;

  constructor(maxMs = RELAY_MAX_MS) {
    this.buf = new Uint8Array(maxMs * 8);
  }

  get available(): number {
    return this.len;
  }

  /** Queue a received G.711 payload, in `from` codec, for a stream sending `to`. */
  push(from: G711Codec, payload: Uint8Array, to: G711Codec): void {
    let bytes = payload;
    if (from !== to) {
      if (this.pcm.length < payload.length) this.pcm = new Int16Array(payload.length);
      const pcm = decodeG711(from, payload, this.pcm.subarray(0, payload.length));
      bytes = encodeG711(to, pcm);
    }
    if (bytes.length >= this.buf.length) {
      this.dropped += this.len + bytes.length - this.buf.length;
      this.buf.set(bytes.subarray(bytes.length - this.buf.length));
      this.len = this.buf.length;
      return;
    }
    const over = this.len + bytes.length - this.buf.length;
    if (over > 0) {
      this.buf.copyWithin(0, over, this.len);
      this.len -= over;
      this.dropped += over;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Take one frame of `n` bytes into `out` (false, nothing taken, when fewer are queued). */
  take(n: number, out: Uint8Array): boolean {
    if (this.len < n) return false;
    out.set(this.buf.subarray(0, n));
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    return true;
  }

  clear(): void {
    this.len = 0;
  }
}
