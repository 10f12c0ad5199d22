// The RTP side of an outbound leg: our offer for the INVITE, the far end's answer applied to
// the stream, and the MediaPort a script plays to when it drives the leg itself.
import type { Channel } from "../session/channel";
import type { MediaPort, PlayHandle, RecordHandle } from "../session/ports";

export interface LegMedia {
  /** Our SDP offer. */
  readonly offer: string;
  /** Point the stream at the far end's SDP (183 or 200); false: nothing usable in it. */
  remote(sdp: string): Promise<boolean>;
  /** What session methods on the leg play and record through. */
  readonly port: MediaPort;
  /** The engine's stream, for relaying audio between bridged legs (undefined without media). */
  readonly stream?: unknown;
  /** Once answered: no RTP from the far end for the media timeout calls `onTimeout` (optional). */
  watchTimeout?(onTimeout: () => void): void;
  close(): Promise<void>;
}

export interface LegMediaFactory {
  /**
   * `affinity` groups the legs of one call (both legs of a bridge may share a media worker);
   * `channel` is the leg's (prompt paths resolve against its sound_prefix).
   */
  create(affinity: string, channel: Channel): Promise<LegMedia>;
}

/** A leg without RTP (tests, signalling-only setups): playback ends at once. */
export class SilentMedia implements MediaPort {
  play(): PlayHandle {
    const done = Promise.resolve({ reason: "done" as const, ms: 0, samples: 0 });
    return { done, stop() {}, pause() {}, seek() {}, restart() {}, adjust() {} };
  }

  record(): RecordHandle {
    const done = Promise.resolve({ reason: "stopped" as const, ms: 0, samples: 0 });
    return { done, stop() {}, truncate() {} };
  }

  async synthesize(): Promise<string> {
    return "silence_stream://0";
  }

  setInbandDtmf(): void {}
}

export const silentLegMedia: LegMediaFactory = {
  async create() {
    return {
      offer: "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n",
      remote: async () => true,
      port: new SilentMedia(),
      close: async () => {},
    };
  },
};
