//  RTP fixed header (RFC 3550 section 5.1):
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           timestamp                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           synchronization source (SSRC) identifier            |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |            contributing source (CSRC) identifiers             |
//  |                             ....                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | profile-defined ext. id (16)  |   extension length in words   |  (if X)
//  |                        extension data                         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 payload ...   | padding ... | padding count   |  (if P)

export const RTP_VERSION = 2;
export const RTP_HEADER_SIZE = 12;

const OFFSET_FLAGS = 0; // V, P, X, CC
const OFFSET_MARKER_PT = 1; // M, PT
const OFFSET_SEQUENCE = 2;
const OFFSET_TIMESTAMP = 4;
const OFFSET_SSRC = 8;
const OFFSET_CSRC = 12;
const CSRC_SIZE = 4;
const EXTENSION_HEADER_SIZE = 4;

export interface RtpHeaderExtension {
  /** The 16-bit profile-defined identifier (e.g. 0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  /** Extension body, a multiple of 4 bytes. */
  data: Uint8Array;
}

export interface RtpPacketInit {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrcs?: number[];
  extension?: RtpHeaderExtension;
  /** Padding bytes to append (count byte included); 0 = none. */
  paddingSize?: number;
  payload: Uint8Array;
}

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: string };

export class RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  csrcs: number[];
  extension: RtpHeaderExtension | undefined;
  paddingSize: number;
  /** A view into the parsed buffer (no copy) or the caller's array. */
  payload: Uint8Array;

  constructor(init: RtpPacketInit) {
    this.payloadType = init.payloadType;
    this.sequenceNumber = init.sequenceNumber;
    this.timestamp = init.timestamp;
    this.ssrc = init.ssrc;
    this.marker = init.marker ?? false;
    this.csrcs = init.csrcs ?? [];
    this.extension = init.extension;
    this.paddingSize = init.paddingSize ?? 0;
    this.payload = init.payload;
  }

  /** Parses one datagram. Malformed input is reported, never thrown. Payload and extension are views. */
  static parse(buf: Uint8Array): RtpParseResult {
    if (buf.length < RTP_HEADER_SIZE) return { ok: false, reason: `too short (${buf.length} bytes)` };
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const flags = buf[OFFSET_FLAGS];
    const version = flags >> 6;
    if (version !== RTP_VERSION) return { ok: false, reason: `version ${version}` };
    const hasPadding = (flags & 0x20) !== 0;
    const hasExtension = (flags & 0x10) !== 0;
    const csrcCount = flags & 0x0f;
    let offset = OFFSET_CSRC + csrcCount * CSRC_SIZE;
    if (buf.length < offset) return { ok: false, reason: "truncated CSRC list" };
    const csrcs: number[] = [];
    for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(OFFSET_CSRC + i * CSRC_SIZE));
    let extension: RtpHeaderExtension | undefined;
    if (hasExtension) {
      if (buf.length < offset + EXTENSION_HEADER_SIZE) return { ok: false, reason: "truncated extension header" };
      const profile = view.getUint16(offset);
      const length = view.getUint16(offset + 2) * 4;
      offset += EXTENSION_HEADER_SIZE;
      if (buf.length < offset + length) return { ok: false, reason: "truncated extension" };
      extension = { profile, data: buf.subarray(offset, offset + length) };
      offset += length;
    }
    let end = buf.length;
    let paddingSize = 0;
    if (hasPadding) {
      paddingSize = buf[buf.length - 1];
      if (paddingSize === 0 || end - paddingSize < offset) return { ok: false, reason: `bad padding count ${paddingSize}` };
      end -= paddingSize;
    }
    return {
      ok: true,
      packet: new RtpPacket({
        payloadType: buf[OFFSET_MARKER_PT] & 0x7f,
        marker: (buf[OFFSET_MARKER_PT] & 0x80) !== 0,
        sequenceNumber: view.getUint16(OFFSET_SEQUENCE),
        timestamp: view.getUint32(OFFSET_TIMESTAMP),
        ssrc: view.getUint32(OFFSET_SSRC),
        csrcs,
        extension,
        paddingSize,
        payload: buf.subarray(offset, end),
      }),
    };
  }

  get headerSize(): number {
    return RTP_HEADER_SIZE + this.csrcs.length * CSRC_SIZE + (this.extension ? EXTENSION_HEADER_SIZE + this.extension.data.length : 0);
  }

  get serializeSize(): number {
    return this.headerSize + this.payload.length + this.paddingSize;
  }

  /** One allocation: the returned Buffer. */
  serialize(): Buffer {
    const buf = Buffer.allocUnsafe(this.serializeSize);
    this.serializeInto(buf);
    return buf;
  }

  /** Writes into `buf` (at least serializeSize bytes); returns the number of bytes written. */
  serializeInto(buf: Uint8Array): number {
    if (this.csrcs.length > 15) throw new RangeError("RTP: at most 15 CSRCs");
    if (this.extension && this.extension.data.length % 4 !== 0) throw new RangeError("RTP: extension data must be a multiple of 4 bytes");
    if (this.paddingSize < 0 || this.paddingSize > 255) throw new RangeError("RTP: padding must be 0..255 bytes");
    const size = this.serializeSize;
    if (buf.length < size) throw new RangeError(`RTP: buffer of ${buf.length} bytes, need ${size}`);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    buf[OFFSET_FLAGS] = (RTP_VERSION << 6) | (this.paddingSize > 0 ? 0x20 : 0) | (this.extension ? 0x10 : 0) | this.csrcs.length;
    buf[OFFSET_MARKER_PT] = (this.marker ? 0x80 : 0) | (this.payloadType & 0x7f);
    view.setUint16(OFFSET_SEQUENCE, this.sequenceNumber & 0xffff);
    view.setUint32(OFFSET_TIMESTAMP, this.timestamp >>> 0);
    view.setUint32(OFFSET_SSRC, this.ssrc >>> 0);
    let offset = OFFSET_CSRC;
    for (const csrc of this.csrcs) {
      view.setUint32(offset, csrc >>> 0);
      offset += CSRC_SIZE;
    }
    if (this.extension) {
      view.setUint16(offset, this.extension.profile & 0xffff);
      view.setUint16(offset + 2, this.extension.data.length / 4);
      offset += EXTENSION_HEADER_SIZE;
      buf.set(this.extension.data, offset);
      offset += this.extension.data.length;
    }
    buf.set(this.payload, offset);
    offset += this.payload.length;
    if (this.paddingSize > 0) {
      buf.fill(0, offset, offset + this.paddingSize - 1);
      buf[offset + this.paddingSize - 1] = this.paddingSize;
      offset += this.paddingSize;
    }
    return offset;
  }
}

/** Writes a plain 12-byte header (no CSRC/extension/padding) at buf[0..12): the hot path of the sender. */
export function writeRtpHeader(buf: Uint8Array, payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number): void {
  buf[0] = RTP_VERSION << 6;
  buf[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  buf[2] = (sequenceNumber >> 8) & 0xff;
  buf[3] = sequenceNumber & 0xff;
  buf[4] = (timestamp >>> 24) & 0xff;
  buf[5] = (timestamp >>> 16) & 0xff;
  buf[6] = (timestamp >>> 8) & 0xff;
  buf[7] = timestamp & 0xff;
  buf[8] = (ssrc >>> 24) & 0xff;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
}

// --- the receiver's hot path: header fields read in place, nothing allocated ----------------------

/** Where the payload starts (after CSRCs and extension), or -1 when the datagram is not valid RTP. */
export function rtpPayloadStart(buf: Uint8Array): number {
  const len = buf.length;
  if (len < RTP_HEADER_SIZE) return -1;
  const flags = buf[OFFSET_FLAGS];
  if (flags >> 6 !== RTP_VERSION) return -1;
  let offset = OFFSET_CSRC + (flags & 0x0f) * CSRC_SIZE;
  if ((flags & 0x10) !== 0) {
    if (len < offset + EXTENSION_HEADER_SIZE) return -1;
    offset += EXTENSION_HEADER_SIZE + ((buf[offset + 2] << 8) | buf[offset + 3]) * 4;
  }
  if (len < offset) return -1;
  if ((flags & 0x20) !== 0) {
    const padding = buf[len - 1];
    if (padding === 0 || len - padding < offset) return -1;
  }
  return offset;
}

/** Where the payload ends (before padding); only for a buffer rtpPayloadStart accepted. */
export function rtpPayloadEnd(buf: Uint8Array): number {
  return (buf[OFFSET_FLAGS] & 0x20) !== 0 ? buf.length - buf[buf.length - 1] : buf.length;
}

// --- wraparound arithmetic (no BigInt: uint32 fits exactly in a double) -----------------------------

export function uint16Add(a: number, b: number): number {
  return (a + b) & 0xffff;
}

/** a - b modulo 2^16, as a signed distance in [-32768, 32767]. */
export function uint16Diff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** True when a is after b in 16-bit serial-number order (RFC 1982). */
export function uint16Gt(a: number, b: number): boolean {
  return uint16Diff(a, b) > 0;
}

export function uint32Add(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** a - b modulo 2^32 as a signed distance in [-2^31, 2^31). */
export function uint32Diff(a: number, b: number): number {
  return (a - b) | 0;
}

export function uint32Gt(a: number, b: number): boolean {
  return uint32Diff(a, b) > 0;
}
