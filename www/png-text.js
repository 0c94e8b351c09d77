// A PNG's text chunks: the held-out emoji file carries each image's class in one (tEXt `pixelwise`),
// so a single fetch gives both the pixels and the labels.

/** The text of `bytes`' tEXt chunk named `keyword` (latin1, as PNG stores it), or null.
 * @param {Uint8Array} bytes a whole PNG file
 * @param {string} keyword */
export function pngText(bytes, keyword) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'tEXt') {
      const data = bytes.subarray(at + 8, at + 8 + len);
      const nul = data.indexOf(0);
      if (new TextDecoder('latin1').decode(data.subarray(0, nul)) === keyword) return new TextDecoder('latin1').decode(data.subarray(nul + 1));
    }
    at += 12 + len;
  }
  return null;
}
