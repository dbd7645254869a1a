// A tiny GIF89a encoder (indexed frames, one global palette, LZW, looping) for the sandbox's videos.
// Written here rather than adding a dependency: it is ~80 lines and fully covered by the sandbox tests.

/** GIF's variable-width LZW over palette indices, packed into 255-byte sub-blocks. */
export function lzwEncode(minCodeSize: number, indices: Uint8Array): Buffer {
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  const out: number[] = [];
  let bitBuffer = 0;
  let bitCount = 0;
  let codeSize = minCodeSize + 1;
  let nextCode = endCode + 1;
  let table = new Map<number, number>();
  const emit = (code: number) => {
    bitBuffer |= code << bitCount;
    bitCount += codeSize;
    while (bitCount >= 8) {
      out.push(bitBuffer & 0xff);
      bitBuffer >>>= 8;
      bitCount -= 8;
    }
  };
  emit(clearCode);
  let prefix = indices[0] ?? 0;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i]!;
    const key = (prefix << 8) | k;
    const found = table.get(key);
    if (found !== undefined) {
      prefix = found;
      continue;
    }
    emit(prefix);
    if (nextCode === 4096) {
      emit(clearCode);
      table = new Map();
      codeSize = minCodeSize + 1;
      nextCode = endCode + 1;
    } else {
      if (nextCode >= 1 << codeSize) codeSize++;
      table.set(key, nextCode++);
    }
    prefix = k;
  }
  emit(prefix);
  emit(endCode);
  if (bitCount > 0) out.push(bitBuffer & 0xff);
  const blocks: number[] = [];
  for (let i = 0; i < out.length; i += 255) {
    const block = out.slice(i, i + 255);
    blocks.push(block.length, ...block);
  }
  blocks.push(0);
  return Buffer.from(blocks);
}

/**
 * An animated, looping GIF. `palette` has 2^n RGB colours (n = 1..8); each frame is width*height
 * palette indices; `delayCs` is each frame's duration in hundredths of a second.
 */
export function encodeGif(width: number, height: number, palette: [number, number, number][], frames: Uint8Array[], delayCs: number): Buffer {
  const bits = Math.max(1, Math.ceil(Math.log2(palette.length)));
  if (palette.length !== 1 << bits) throw new Error("palette size must be a power of two");
  const minCodeSize = Math.max(2, bits);
  const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
  const parts: Buffer[] = [
    Buffer.from("GIF89a", "ascii"),
    Buffer.from([...u16(width), ...u16(height), 0x80 | ((bits - 1) << 4) | (bits - 1), 0, 0]),
    Buffer.from(palette.flat()),
    // NETSCAPE2.0: loop forever.
    Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from("NETSCAPE2.0", "ascii"), 0x03, 0x01, 0x00, 0x00, 0x00]),
  ];
  for (const frame of frames) {
    parts.push(Buffer.from([0x21, 0xf9, 0x04, 0x04, ...u16(delayCs), 0x00, 0x00]));
    parts.push(Buffer.from([0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0x00]));
    parts.push(Buffer.from([minCodeSize]), lzwEncode(minCodeSize, frame));
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}
