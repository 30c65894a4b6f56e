// tensorfiles.mjs: .safetensors and .npz files written in JS, for the tests of
// web/page/model/modelfile.js on machines without Python (and for files
// Python would not write: damaged ones).
import { deflateRawSync, crc32 } from 'node:zlib';
import { flatten } from './helpers.mjs';

const concat = (parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
  return out;
};
const bytesOf = (typed) => new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);

/* tensors: { name: { dtype: 'F32', shape: [3, 2], data } }, data a typed
 * array whose bytes are written as they are (Float64Array for F64,
 * Float32Array for F32, Uint16Array of the bits for F16 and BF16, Uint8Array
 * for BOOL). metadata: { key: string }. The header is padded with spaces so
 * that the data starts at a multiple of 8 bytes, as safetensors pads it, or
 * with `misalign` one byte after (no tensor is 4-byte aligned then).
 * -> the file's bytes */
export function safetensors(tensors, metadata = null, { misalign = false } = {}) {
  const header = metadata ? { __metadata__: metadata } : {};
  const blobs = [];
  let offset = 0;
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    const bytes = bytesOf(data);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8 + (misalign ? 1 : 0));
  const text = new TextEncoder().encode(json);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setUint32(0, text.length, true);
  return concat([size, text, ...blobs]);
}

/* One .npy array: descr such as '<f4', shape, data a typed array (its bytes
 * as they are) -> bytes, version 1.0, the header padded to 64 as numpy does. */
export function npy(descr, shape, data, { fortran = false } = {}) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = new Uint8Array(10);
  head.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  return concat([head, new TextEncoder().encode(header), bytesOf(data)]);
}

/* A zip of files: { name: bytes }, each stored (method 0) or deflated (8).
 * method: 0, 8, or another number written as it is (for a test). */
export function zip(files, { method = 0 } = {}) {
  const locals = [], central = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const nameBytes = new TextEncoder().encode(name);
    const body = method === 8 ? new Uint8Array(deflateRawSync(content)) : content;
    const crc = crc32(content);
    const local = new Uint8Array(30 + nameBytes.length), l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true); l.setUint16(4, 20, true); l.setUint16(8, method, true);
    l.setUint32(14, crc, true); l.setUint32(18, body.length, true); l.setUint32(22, content.length, true);
    l.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const entry = new Uint8Array(46 + nameBytes.length), c = new DataView(entry.buffer);
    c.setUint32(0, 0x02014b50, true); c.setUint16(4, 20, true); c.setUint16(6, 20, true); c.setUint16(10, method, true);
    c.setUint32(16, crc, true); c.setUint32(20, body.length, true); c.setUint32(24, content.length, true);
    c.setUint16(28, nameBytes.length, true); c.setUint32(42, offset, true);
    entry.set(nameBytes, 46);
    locals.push(local, body);
    central.push(entry);
    offset += local.length + body.length;
  }
  const directory = concat(central);
  const end = new Uint8Array(22), e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true); e.setUint16(8, central.length, true); e.setUint16(10, central.length, true);
  e.setUint32(12, directory.length, true); e.setUint32(16, offset, true);
  return concat([...locals, directory, end]);
}

/* arrays: { name: { descr, shape, data } } -> the bytes of an .npz */
export function npz(arrays, { compressed = false } = {}) {
  return zip(Object.fromEntries(Object.entries(arrays).map(([name, a]) => [`${name}.npy`, npy(a.descr, a.shape, a.data)])), { method: compressed ? 8 : 0 });
}

/* A case's tensors (the JSON format) as float32 tensors for safetensors(),
 * bool masks as BOOL; the state_dict's bias_k and bias_v as PyTorch holds
 * them, 1×1×E. prefix: a module path before the state_dict's names. */
export function caseTensors(c, prefix = '') {
  const PARAMS = ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias'];
  const INPUTS = ['query', 'key', 'value', 'attn_mask', 'key_padding_mask'];
  const tensors = {};
  for (const key of [...PARAMS, ...INPUTS]) {
    if (c[key] === undefined || c[key] === null) continue;
    const { shape, data } = flatten(c[key]);
    const bool = typeof [c[key]].flat(Infinity)[0] === 'boolean';
    const name = PARAMS.includes(key) ? prefix + key : key;
    tensors[name] = bool ? { dtype: 'BOOL', shape, data: Uint8Array.from(data) }
      : { dtype: 'F32', shape: key === 'bias_k' || key === 'bias_v' ? [1, 1, ...shape] : shape, data: Float32Array.from(data) };
  }
  return tensors;
}

/* The same tensors as numpy arrays for npz(). */
export const asNumpy = (tensors) => Object.fromEntries(Object.entries(tensors).map(([name, t]) =>
  [name, { descr: { F64: '<f8', F32: '<f4', F16: '<f2', BF16: '|V2', BOOL: '|b1' }[t.dtype], shape: t.shape, data: t.data }]));
