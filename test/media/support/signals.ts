// Deterministic test signals: tones, DTMF, white noise (seeded), concatenation.

/** Mulberry32: a tiny seeded PRNG so noisy tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Amplitude of a sine at `dbm0` (G.711: full scale sine = +3.17 dBm0). */
export function dbm0ToAmplitude(dbm0: number): number {
  return 32767 * 10 ** ((dbm0 - 3.17) / 20);
}

export function tones(freqs: { freq: number; amplitude: number }[], ms: number, rate = 8000, phase = 0): Float64Array {
  const n = Math.round((ms * rate) / 1000);
  const out = new Float64Array(n);
  for (const { freq, amplitude } of freqs) {
    for (let i = 0; i < n; i++) out[i] += amplitude * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  }
  return out;
}

export function silence(ms: number, rate = 8000): Float64Array {
  return new Float64Array(Math.round((ms * rate) / 1000));
}

/** Adds Gaussian white noise at `snrDb` below the signal's mean power (measured over the non-silent samples). */
export function addNoise(signal: Float64Array, snrDb: number, seed = 1): Float64Array {
  let power = 0;
  let count = 0;
  for (const s of signal) if (s !== 0) (power += s * s), count++;
  power /= Math.max(1, count);
  const sigma = Math.sqrt(power / 10 ** (snrDb / 10));
  const rnd = prng(seed);
  const out = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) {
    const g = Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
    out[i] = signal[i] + sigma * g;
  }
  return out;
}

export function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

export function toInt16(signal: Float64Array): Int16Array {
  const out = new Int16Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(signal[i])));
  return out;
}
