// In-band DTMF detector for 8 kHz PCM, a pure processor: processInput(samples) -> digits.
//
// Over 102-sample windows (12.75 ms; short windows keep the Goertzel main lobe wide enough for the
// ±1.5% frequency tolerance of ITU-T Q.24), advanced by half a window, it measures the 8 DTMF
// frequencies and accepts a window as a digit only when all of these hold (the checks follow
// spandsp's detector, which FreeSWITCH uses, plus a harmonic check):
//   - each of the two tones is above an absolute level,
//   - twist: the row tone at most 8 dB above the column tone (normal), at most 4 dB below (reverse),
//   - the strongest row/column beat every other row/column by 8 dB (relative peak),
//   - the two tones carry most of the block's energy (speech and noise spread theirs out),
//   - their 2nd harmonics are weak (voiced speech is rich in harmonics, DTMF is not); a row's
//     harmonic is only checked when it is far from the column tone (2 x 697 Hz sits near 1336 Hz).
// A digit needs as many consecutive accepted windows as fit inside a tone of the minimum duration
// (half-window steps make 40 ms tones always pass and 20 ms blips never), and ends after as many
// rejected windows as fit inside the minimum inter-digit pause (shorter drop-outs are bridged).

const SAMPLE_RATE = 8000;
const ROW_FREQS = [697, 770, 852, 941] as const;
const COL_FREQS = [1209, 1336, 1477, 1633] as const;
const KEYPAD = ["123A", "456B", "789C", "*0#D"] as const;

const dbToPower = (db: number) => 10 ** (db / 10);

export interface GoertzelDetectorOptions {
  /** Samples per analysis window; 102 (12.75 ms) by default. */
  blockSize?: number;
  /** Samples between two analyses; half a window by default. */
  hopSize?: number;
  /** Tones at least this long are always detected. */
  minDurationMs?: number;
  /** Silences at least this long always separate two digits; shorter drop-outs may be bridged. */
  minPauseMs?: number;
  /** Minimum level of each tone, in dBm0 (G.711: a full-scale sine is +3.17 dBm0). */
  minToneLevelDbm0?: number;
  normalTwistDb?: number;
  reverseTwistDb?: number;
  relativePeakDb?: number;
  /** Share of the block's energy the two tones must hold (0..1). */
  minToneEnergyShare?: number;
  /** How far below its fundamental each 2nd harmonic must stay. */
  harmonicRejectionDb?: number;
}

export interface InbandDigitEvent {
  digit: string;
  durationSamples: number;
  durationMs: number;
  /** Sample index (since the detector started) where the tone was first seen. */
  startSample: number;
}

export interface GoertzelDetectorStats {
  samples: number;
  blocks: number;
  toneBlocks: number;
  digits: number;
}

interface Goertzel {
  coeff: number;
}

function goertzelFor(freq: number): Goertzel {
  return { coeff: 2 * Math.cos((2 * Math.PI * freq) / SAMPLE_RATE) };
}

/** |X(f)|^2 over buf[0..n). */
function goertzelPower(g: Goertzel, buf: Float64Array, n: number): number {
  let s1 = 0;
  let s2 = 0;
  const c = g.coeff;
  for (let i = 0; i < n; i++) {
    const s = buf[i] + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

function minWholeWindows(ms: number, blockSize: number, hopSize: number): number {
  // However a tone of this length lines up with the analysis grid, at least this many whole windows lie inside it.
  const samples = Math.round((ms * SAMPLE_RATE) / 1000);
  return Math.max(1, Math.floor((samples - blockSize + 1) / hopSize));
}

export class GoertzelDtmfDetector {
  private readonly blockSize: number;
  private readonly hopSize: number;
  private readonly block: Float64Array;
  private fill = 0;
  private readonly rows: Goertzel[];
  private readonly cols: Goertzel[];
  private readonly rowHarmonics: Goertzel[];
  private readonly colHarmonics: Goertzel[];
  private readonly hitsNeeded: number;
  private readonly missesToRelease: number;
  private readonly minTonePower: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;
  private readonly relativePeak: number;
  private readonly energyShare: number;
  private readonly harmonicRejection: number;
  private readonly rowHarmonicUsable: ((colFreq: number) => boolean)[];

  private readonly rowPower = new Float64Array(4);
  private readonly colPower = new Float64Array(4);
  private current: string | undefined;
  private hits = 0;
  private misses = 0;
  private confirmed = false;
  private startBlock = 0;
  private lastHitBlock = 0;
  private blockIndex = 0;
  private readonly stats: GoertzelDetectorStats = { samples: 0, blocks: 0, toneBlocks: 0, digits: 0 };

  constructor(options: GoertzelDetectorOptions = {}) {
    this.blockSize = options.blockSize ?? 102;
    if (!Number.isInteger(this.blockSize) || this.blockSize < 40 || this.blockSize > 410) throw new RangeError(`blockSize ${this.blockSize} out of range 40..410`);
    this.hopSize = options.hopSize ?? Math.floor(this.blockSize / 2);
    if (!Number.isInteger(this.hopSize) || this.hopSize < 1 || this.hopSize > this.blockSize) throw new RangeError(`hopSize ${this.hopSize} out of range 1..blockSize`);
    this.block = new Float64Array(this.blockSize);
    this.rows = ROW_FREQS.map((f) => goertzelFor(f));
    this.cols = COL_FREQS.map((f) => goertzelFor(f));
    this.rowHarmonics = ROW_FREQS.map((f) => goertzelFor(2 * f));
    this.colHarmonics = COL_FREQS.map((f) => goertzelFor(2 * f));
    this.hitsNeeded = Math.max(2, minWholeWindows(options.minDurationMs ?? 40, this.blockSize, this.hopSize));
    this.missesToRelease = Math.max(1, minWholeWindows(options.minPauseMs ?? 40, this.blockSize, this.hopSize));
    this.rowHarmonicUsable = ROW_FREQS.map((f) => (colFreq: number) => Math.abs(2 * f - colFreq) >= (2 * SAMPLE_RATE) / this.blockSize);
    // Tone power as mean square (A^2/2); a full-scale sine (A = 32767) is +3.17 dBm0.
    const fullScalePower = (32767 * 32767) / 2;
    this.minTonePower = fullScalePower * dbToPower((options.minToneLevelDbm0 ?? -36) - 3.17);
    this.normalTwist = dbToPower(options.normalTwistDb ?? 8);
    this.reverseTwist = dbToPower(options.reverseTwistDb ?? 4);
    this.relativePeak = dbToPower(options.relativePeakDb ?? 8);
    this.energyShare = options.minToneEnergyShare ?? 0.6;
    this.harmonicRejection = dbToPower(options.harmonicRejectionDb ?? 10);
  }

  /** Feeds PCM (any length); returns the digits that ended within it. */
  processInput(samples: Int16Array): InbandDigitEvent[] {
    const out: InbandDigitEvent[] = [];
    this.stats.samples += samples.length;
    for (let i = 0; i < samples.length; i++) {
      this.block[this.fill++] = samples[i];
      if (this.fill === this.blockSize) {
        const ev = this.onBlock(this.classifyBlock());
        if (ev) out.push(ev);
        // Keep the last (blockSize - hopSize) samples: windows overlap.
        this.block.copyWithin(0, this.hopSize);
        this.fill = this.blockSize - this.hopSize;
      }
    }
    return out;
  }

  /** Ends detection: a digit still held is reported (e.g. when in-band detection is switched off). */
  flush(): InbandDigitEvent[] {
    const ev = this.confirmed ? this.finish() : undefined;
    this.reset();
    return ev ? [ev] : [];
  }

  toJSON(): GoertzelDetectorStats {
    return { ...this.stats };
  }

  /** The digit this block holds, or undefined. */
  private classifyBlock(): string | undefined {
    const n = this.blockSize;
    const buf = this.block;
    this.stats.blocks++;
    let energy = 0;
    for (let i = 0; i < n; i++) energy += buf[i] * buf[i];
    energy /= n; // mean power
    if (energy < this.minTonePower * 2) return undefined;

    // Normalised so that a sine of amplitude A at exactly f gives A^2/2.
    const norm = 2 / (n * n);
    let bestRow = 0;
    let bestCol = 0;
    const rowP = this.rowPower;
    const colP = this.colPower;
    for (let k = 0; k < 4; k++) {
      rowP[k] = goertzelPower(this.rows[k], buf, n) * norm;
      colP[k] = goertzelPower(this.cols[k], buf, n) * norm;
      if (rowP[k] > rowP[bestRow]) bestRow = k;
      if (colP[k] > colP[bestCol]) bestCol = k;
    }
    const r = rowP[bestRow];
    const c = colP[bestCol];
    if (r < this.minTonePower || c < this.minTonePower) return undefined;
    if (r > c * this.normalTwist || c > r * this.reverseTwist) return undefined;
    for (let k = 0; k < 4; k++) {
      if (k !== bestRow && rowP[k] * this.relativePeak > r) return undefined;
      if (k !== bestCol && colP[k] * this.relativePeak > c) return undefined;
    }
    if (r + c < this.energyShare * energy) return undefined;
    const ch = goertzelPower(this.colHarmonics[bestCol], buf, n) * norm;
    if (ch * this.harmonicRejection > c) return undefined;
    if (this.rowHarmonicUsable[bestRow](COL_FREQS[bestCol])) {
      const rh = goertzelPower(this.rowHarmonics[bestRow], buf, n) * norm;
      if (rh * this.harmonicRejection > r) return undefined;
    }
    this.stats.toneBlocks++;
    return KEYPAD[bestRow][bestCol];
  }

  private onBlock(digit: string | undefined): InbandDigitEvent | undefined {
    const index = this.blockIndex++;
    let ended: InbandDigitEvent | undefined;
    if (digit !== undefined && digit === this.current) {
      this.hits++;
      this.misses = 0;
      this.lastHitBlock = index;
      if (!this.confirmed && this.hits >= this.hitsNeeded) this.confirmed = true;
      return undefined;
    }
    if (digit !== undefined) {
      // A different digit: whatever was tracked is over.
      if (this.confirmed) ended = this.finish();
      this.current = digit;
      this.hits = 1;
      this.misses = 0;
      this.confirmed = false;
      this.startBlock = index;
      this.lastHitBlock = index;
      return ended;
    }
    if (this.current === undefined) return undefined;
    if (!this.confirmed) {
      // Hits must be consecutive until the digit is confirmed.
      this.reset();
      return undefined;
    }
    this.misses++;
    if (this.misses >= this.missesToRelease) {
      ended = this.finish();
      this.reset();
    }
    return ended;
  }

  private finish(): InbandDigitEvent {
    const durationSamples = (this.lastHitBlock - this.startBlock) * this.hopSize + this.blockSize;
    this.stats.digits++;
    return {
      digit: this.current!,
      durationSamples,
      durationMs: Math.round((durationSamples * 1000) / SAMPLE_RATE),
      startSample: this.startBlock * this.hopSize,
    };
  }

  private reset(): void {
    this.current = undefined;
    this.hits = 0;
    this.misses = 0;
    this.confirmed = false;
  }
}

/** Row and column frequencies of a digit (for tone generation and tests). */
export function dtmfFrequencies(digit: string): [number, number] | undefined {
  for (let r = 0; r < 4; r++) {
    const c = KEYPAD[r].indexOf(digit.toUpperCase());
    if (c >= 0 && digit.length === 1) return [ROW_FREQS[r], COL_FREQS[c]];
  }
  return undefined;
}

/** Mean power (A^2/2 scale) of `freq` in `samples`, via one Goertzel over the whole buffer. */
export function tonePower(samples: Int16Array, freq: number, sampleRate = SAMPLE_RATE): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const n = samples.length;
  return n === 0 ? 0 : ((s1 * s1 + s2 * s2 - coeff * s1 * s2) * 2) / (n * n);
}
