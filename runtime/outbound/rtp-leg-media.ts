// Outbound legs' RTP in the media worker: a stream opened before the INVITE (its port goes in
// our offer), pointed at the far end once its SDP arrives (183 or 200), closed with the leg.
import { CallMedia } from "../call-media";
import type { MediaEngine } from "../media/engine";
import { SdpAnswerer } from "../media/sdp";
import type { Channel } from "../session/channel";
import type { FliteTts } from "../speech/tts";
import type { FsSession } from "../session/session";
import type { LegMedia, LegMediaFactory } from "./leg-media";
import type { MediaRelay } from "./outbound";

export interface RtpLegMediaOptions {
  /** No RTP from an answered far end for this long ends the leg with MEDIA_TIMEOUT; 0 = off. */
  mediaTimeoutMs?: number;
  soundsDir: string;
  recordingsDir?: string;
  tts: FliteTts;
  log: (level: string, message: string, callId?: string) => void;
}

export class RtpLegMediaFactory implements LegMediaFactory {
  constructor(
    private readonly engine: MediaEngine,
    private readonly options: RtpLegMediaOptions,
  ) {}

  async create(affinity: string, channel: Channel): Promise<LegMedia> {
    // PCMU until the answer says which codec the far end took; RFC 4733 on 101 as offered. The
    // A leg's uuid as affinity puts this stream on the A leg's media worker, so the relay is local.
    const stream = await this.engine.createStream({ codec: "PCMU", ptime: 20, dtmfPt: 101, affinity: affinity || undefined });
    const sdp = new SdpAnswerer({ address: stream.address });
    const offer = sdp.offer(stream.port);
    const log = (level: string, msg: string) => this.options.log(level, msg, channel.uuid);
    stream.on("dtmf", (d) => channel.pushDtmf(d.digit, d.durationSamples));
    let applied: string | undefined;
    return {
      offer,
      stream,
      port: new CallMedia(stream, channel, this.options.soundsDir, this.options.tts, log, this.options.recordingsDir),
      remote: async (answer: string) => {
        if (answer === applied) return true; // the 200 repeats the 183's SDP
        const a = sdp.readAnswer(answer);
        if (!a.ok) {
          log("notice", `outbound leg: no usable media in the answer (${a.reason})`);
          return false;
        }
        applied = answer;
        const m = a.media;
        await stream.update({
          remote: { address: m.remoteAddress, port: m.remotePort },
          codec: m.codec,
          payloadType: m.payloadType,
          dtmfPt: m.dtmfPayloadType ?? null,
          sending: m.direction === "sendrecv" || m.direction === "sendonly",
        });
        return true;
      },
      watchTimeout: (onTimeout) => {
        const ms = this.options.mediaTimeoutMs ?? 0;
        if (ms <= 0) return;
        stream.on("mediaTimeout", () => {
          log("notice", "no RTP from the far end: MEDIA_TIMEOUT");
          onTimeout();
        });
        void stream.update({ mediaTimeoutMs: ms }).catch(() => undefined);
      },
      close: async () => {
        await stream.close().catch(() => undefined);
      },
    };
  }
}

/** Relays audio both ways between two bridged sessions' RTP streams, in their media worker. */
export class StreamRelay implements MediaRelay {
  async connect(a: FsSession, b: FsSession): Promise<(() => Promise<void>) | undefined> {
    const sa = a.mediaPort instanceof CallMedia ? a.mediaPort.stream : undefined;
    const sb = b.mediaPort instanceof CallMedia ? b.mediaPort.stream : undefined;
    if (!sa || !sb) return undefined;
    await sa.relayTo(sb);
    await sb.relayTo(sa);
    return async () => {
      await Promise.all([sa.relayTo(null).catch(() => undefined), sb.relayTo(null).catch(() => undefined)]);
    };
  }
}
