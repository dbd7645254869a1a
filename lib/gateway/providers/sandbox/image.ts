// sandbox/image: a small real PNG per image, drawn locally and deterministically from the prompt
// (a two-colour gradient with a band), encoded with node:zlib. No network, no dependencies.
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { ImageRequest, ImagesResponse } from "../../images/schema";
import type { Call } from "../types";

const SIZE = 64;

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

export function drawPng(seed: string, size = SIZE): Buffer {
  const h = createHash("sha256").update(seed).digest();
  const [r1, g1, b1, r2, g2, b2] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!];
  const band = h[6]! % size;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0, then RGB
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * (size - 1));
      const inBand = Math.abs(y - band) < size / 10;
      row[1 + x * 3] = inBand ? 255 - r1 : Math.round(r1 + (r2 - r1) * t);
      row[2 + x * 3] = inBand ? 255 - g1 : Math.round(g1 + (g2 - g1) * t);
      row[3 + x * 3] = inBand ? 255 - b1 : Math.round(b1 + (b2 - b1) * t);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export async function sandboxImages(call: Call<ImageRequest>): Promise<ImagesResponse> {
  const data = Array.from({ length: call.body.n }, (_, i) => {
    const b64 = drawPng(`${call.body.prompt}#${i}`).toString("base64");
    return call.body.response_format === "b64_json"
      ? { b64_json: b64, revised_prompt: call.body.prompt }
      : { url: `data:image/png;base64,${b64}`, revised_prompt: call.body.prompt };
  });
  return { created: Math.floor(Date.now() / 1000), data };
}
