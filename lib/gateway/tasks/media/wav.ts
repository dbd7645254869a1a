// PCM 16-bit mono WAV, and the sandbox's melody: notes of a pentatonic scale chosen by the prompt's hash.
import { createHash } from "node:crypto";

export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i]!, i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16); // PCM chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const PENTATONIC = [0, 2, 4, 7, 9, 12, 14, 16];

/** A melody of `seconds` (eighth notes at 120 bpm) derived from the prompt; the same prompt, the same tune. */
export function melodyWav(prompt: string, seconds = 4, sampleRate = 22_050): Buffer {
  const hash = createHash("sha256").update(prompt).digest();
  const noteSeconds = 0.25;
  const notes = Math.max(1, Math.round(seconds / noteSeconds));
  const perNote = Math.round(noteSeconds * sampleRate);
  const samples = new Int16Array(notes * perNote);
  const root = 220 * 2 ** ((hash[0]! % 12) / 12); // A3 transposed by the prompt
  for (let n = 0; n < notes; n++) {
    const step = PENTATONIC[hash[(n % 31) + 1]! % PENTATONIC.length]!;
    const freq = root * 2 ** (step / 12);
    for (let i = 0; i < perNote; i++) {
      const t = i / sampleRate;
      const attack = Math.min(1, i / (0.01 * sampleRate));
      const envelope = attack * Math.exp(-3 * t);
      const tone = Math.sin(2 * Math.PI * freq * t) * 0.8 + Math.sin(4 * Math.PI * freq * t) * 0.2;
      samples[n * perNote + i] = Math.round(tone * envelope * 0.5 * 32767);
    }
  }
  return encodeWav(samples, sampleRate);
}
