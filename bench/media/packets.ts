// Hot-path micro-benchmark: RTP parse/serialize, G.711 encode/decode, Goertzel detection per 20 ms frame.
//   npx tsx bench/media/packets.ts
import { GoertzelDtmfDetector } from "../../runtime/media/dtmf-goertzel";
import { decodeG711, encodeG711 } from "../../runtime/media/g711";
import { RtpPacket } from "../../runtime/media/rtp";

function bench(name: string, iterations: number, fn: (i: number) => void): void {
  for (let i = 0; i < 1000; i++) fn(i); // warm up
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  const ms = performance.now() - t0;
  const heapDelta = process.memoryUsage().heapUsed - heap0;
  console.log(`${name.padEnd(34)} ${((ms * 1000) / iterations).toFixed(3)} us/op  heap +${(heapDelta / 1024).toFixed(0)} KiB over ${iterations} ops`);
}

const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
const payload = encodeG711("PCMU", pcm);
const wire = new RtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 42, payload }).serialize();
const out = new Int16Array(160);
const bytes = new Uint8Array(160);
const det = new GoertzelDtmfDetector();

bench("RtpPacket.parse", 1_000_000, () => void RtpPacket.parse(wire));
bench("RtpPacket.serialize (1 alloc)", 1_000_000, (i) => void new RtpPacket({ payloadType: 0, sequenceNumber: i & 0xffff, timestamp: i * 160, ssrc: 42, payload }).serialize());
bench("encodeG711 PCMU 160 samples", 1_000_000, () => void encodeG711("PCMU", pcm, bytes));
bench("decodeG711 PCMU 160 samples", 1_000_000, () => void decodeG711("PCMU", payload, out));
bench("Goertzel detector, 20 ms frame", 200_000, () => void det.processInput(pcm));
