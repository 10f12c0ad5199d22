import { describe, expect, it } from "vitest";
import { decodeG711, encodeG711 } from "../../runtime/media/g711";
import { RelayFifo } from "../../runtime/media/relay";

const ramp = (n: number, from = 0) => Int16Array.from({ length: n }, (_, i) => (from + i) * 40);

describe("relay FIFO between bridged streams", () => {
  it("30 ms packets in, 20 ms frames out, same codec: the bytes pass unchanged and in order", () => {
    const f = new RelayFifo();
    const a = encodeG711("PCMA", ramp(240));
    const b = encodeG711("PCMA", ramp(240, 240));
    f.push("PCMA", a, "PCMA");
    f.push("PCMA", b, "PCMA");
    const out = new Uint8Array(160);
    const got: number[] = [];
    while (f.take(160, out)) got.push(...out);
    expect(got).toEqual([...a, ...b].slice(0, 480));
    expect(f.available).toBe(0);
    expect(f.take(160, out)).toBe(false);
  });

  it("PCMU in, PCMA out: transcoded, the signal survives", () => {
    const f = new RelayFifo();
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    f.push("PCMU", encodeG711("PCMU", pcm), "PCMA");
    const out = new Uint8Array(160);
    expect(f.take(160, out)).toBe(true);
    const back = decodeG711("PCMA", out);
    for (let i = 0; i < 160; i++) expect(Math.abs(back[i] - pcm[i])).toBeLessThan(Math.abs(pcm[i]) / 8 + 40);
  });

  it("a sender running ahead loses its oldest audio, never more than the cap is queued", () => {
    const f = new RelayFifo(40); // 320 bytes
    for (let i = 0; i < 5; i++) f.push("PCMU", new Uint8Array(160).fill(i), "PCMU");
    expect(f.available).toBe(320);
    expect(f.dropped).toBe(480);
    const out = new Uint8Array(160);
    f.take(160, out);
    expect(out[0]).toBe(3);
  });
});
