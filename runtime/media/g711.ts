// G.711 PCMU (mu-law) and PCMA (A-law) <-> 16-bit linear PCM.
// The formulas are those of spandsp's g711.h (what FreeSWITCH uses); every value is
// computed once into lookup tables at module load, so encode/decode are one array read.

function topBit(x: number): number {
  return 31 - Math.clz32(x);
}

const ULAW_BIAS = 0x84;

function linearToUlawSlow(linear: number): number {
  let mask: number;
  if (linear < 0) {
    linear = ULAW_BIAS - linear - 1;
    mask = 0x7f;
  } else {
    linear = ULAW_BIAS + linear;
    mask = 0xff;
  }
  const seg = topBit(linear | 0xff) - 7;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((linear >> (seg + 3)) & 0x0f)) ^ mask;
}

function ulawToLinearSlow(ulaw: number): number {
  ulaw = ~ulaw & 0xff;
  const t = (((ulaw & 0x0f) << 3) + ULAW_BIAS) << ((ulaw & 0x70) >> 4);
  return ulaw & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

function linearToAlawSlow(linear: number): number {
  let mask: number;
  if (linear >= 0) {
    mask = 0x55 | 0x80;
  } else {
    mask = 0x55;
    linear = -linear - 1;
  }
  const seg = topBit(linear | 0xff) - 7;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((linear >> (seg ? seg + 3 : 4)) & 0x0f)) ^ mask;
}

function alawToLinearSlow(alaw: number): number {
  alaw ^= 0x55;
  let i = (alaw & 0x0f) << 4;
  const seg = (alaw & 0x70) >> 4;
  if (seg) i = (i + 0x108) << (seg - 1);
  else i += 8;
  return alaw & 0x80 ? i : -i;
}

// Encode tables are indexed by the sample's 16-bit two's complement pattern (sample & 0xffff).
const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let i = 0; i < 65536; i++) {
  const s = i >= 32768 ? i - 65536 : i;
  ULAW_ENCODE[i] = linearToUlawSlow(s);
  ALAW_ENCODE[i] = linearToAlawSlow(s);
}
for (let b = 0; b < 256; b++) {
  ULAW_DECODE[b] = ulawToLinearSlow(b);
  ALAW_DECODE[b] = alawToLinearSlow(b);
}

export type G711Codec = "PCMU" | "PCMA";

/** RTP static payload types of the two codecs (RFC 3551). */
export const G711_PAYLOAD_TYPE: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

export function linearToUlaw(sample: number): number {
  return ULAW_ENCODE[sample & 0xffff];
}
export function ulawToLinear(byte: number): number {
  return ULAW_DECODE[byte & 0xff];
}
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE[sample & 0xffff];
}
export function alawToLinear(byte: number): number {
  return ALAW_DECODE[byte & 0xff];
}

/** Encodes PCM into `out` (allocated when omitted); returns the byte view written. */
export function encodeG711(codec: G711Codec, pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const table = codec === "PCMU" ? ULAW_ENCODE : ALAW_ENCODE;
  const dst = out ?? new Uint8Array(pcm.length);
  if (dst.length < pcm.length) throw new RangeError(`encodeG711: output holds ${dst.length} bytes, need ${pcm.length}`);
  for (let i = 0; i < pcm.length; i++) dst[i] = table[pcm[i] & 0xffff];
  return dst.length === pcm.length ? dst : dst.subarray(0, pcm.length);
}

/** Decodes G.711 bytes into `out` (allocated when omitted); returns the sample view written. */
export function decodeG711(codec: G711Codec, bytes: Uint8Array, out?: Int16Array): Int16Array {
  const table = codec === "PCMU" ? ULAW_DECODE : ALAW_DECODE;
  const dst = out ?? new Int16Array(bytes.length);
  if (dst.length < bytes.length) throw new RangeError(`decodeG711: output holds ${dst.length} samples, need ${bytes.length}`);
  for (let i = 0; i < bytes.length; i++) dst[i] = table[bytes[i]];
  return dst.length === bytes.length ? dst : dst.subarray(0, bytes.length);
}

/** The byte that decodes to (near) zero: what we send as silence. */
export function g711SilenceByte(codec: G711Codec): number {
  return codec === "PCMU" ? 0xff : 0xd5;
}
