/* modelfile.js: a model file as a case. The file is a .safetensors file (a
 * state_dict saved with safetensors) or an .npz file (numpy.savez or
 * numpy.savez_compressed, the same names), optionally with the forward()
 * inputs (query, key, value, attn_mask, key_padding_mask) beside the weights.
 *
 *   await readModelFile(bytes, name, { options, base })
 *     -> { case, notes }                    a case whose tensors are { shape, data: Float32Array }
 *                                           (Uint8Array for a bool mask)
 *      | { missing: [{ key, message }] }    what the file does not say and the caller must
 *                                           ask for, in options: num_heads (with embed_dim),
 *                                           module (with choices: the modules' paths),
 *                                           query_rows (with rows: true and embed_dim)
 *      | { errors: [{ key, message }] }     every problem, key by key; nothing else. Never throws.
 *     notes: what was taken from elsewhere, as English strings (what the CLI
 *     prints); keyedNotes: the same as { message, id, values }, for the page.
 *   await readTensors(bytes, name)
 *     -> { tensors: { name: { shape, dtype, data } }, options: { key: value }, notes, keyedNotes }
 *      | { errors }
 *   nestedCase(c)      the case with every tensor as nested arrays (the JSON
 *                      format), as the page and a link hold a case
 *   isModelFile(name)  whether the name ends in .safetensors or .npz
 *
 * bytes: an ArrayBuffer or a Uint8Array (a Node Buffer) of the whole file;
 * name: the file's name, whose extension says the format.
 * options: what the caller was told (CLI flags, the page's form): module
 *   options by their case names (num_heads, add_zero_attn,
 *   average_attn_weights, ...) and tokens; they take the place of the file's.
 *   And `module`: in a file of several attention modules (a whole model,
 *   encoder.layers.0.self_attn … encoder.layers.5.self_attn), the path of
 *   the one to open; asked for (missing, with its choices) when not given.
 *   And `query_rows`: for a file with no query (a checkpoint), how many rows
 *   of random numbers to give it (randomRows); asked for when not given.
 * base: the page's case, lending its query, tokens and masks when the file
 *   has no query (as a paste borrows them, import.js).
 *
 * Tensors: F64, F32, F16 and BF16 become float32 exactly as PyTorch's
 * .float() makes them, bit for bit (round to nearest even; subnormals, ±inf
 * and −0 kept; a NaN keeps its payload and is quieted). F32 data at a 4-byte-aligned offset is
 * not copied: the case's tensors are views of `bytes` (which they keep
 * alive). Others are converted into one new Float32Array each. BOOL (numpy's
 * |b1) is read for the masks only. In an .npz, numpy's dtypes <f8, <f4, <f2;
 * bfloat16 has no numpy dtype, and numpy saves ml_dtypes' (JAX's) bfloat16
 * as a 2-byte void, <V2 or |V2, which is read as BF16.
 *
 * Options: in a .safetensors file, from its __metadata__, whose values are
 * strings: "num_heads": "12", "add_zero_attn": "true", "average_attn_weights":
 * "false", "tokens": JSON text (["I", "am", "good"] or {"query": [...],
 * "key": [...]}); any other option of the case format too (embed_dim, bias,
 * ...), read by its type; other metadata (e.g. safetensors' "format": "pt")
 * is ignored. In an .npz, as entries of the same names: 0-d arrays
 * (numpy.savez(..., num_heads=12, add_zero_attn=False)), and tokens as an
 * array of strings or a JSON string. A .safetensors entry named like an
 * option, one number, is read the same way.
 * What is not there: num_heads is asked for (missing); add_zero_attn is
 * PyTorch's default, false (a note says so); the rest as for a paste
 * (import.js: sizes from the weights' shapes, average_attn_weights true,
 * tokens t0, t1, ...). Without a query in the file, the page's is used when
 * it fits (base); else query_rows is asked for (missing, rows: true).
 *
 * BERT's names (bertModules, packBert: self.query/key/value and
 * output.dense under a path such as bert.encoder.layer.3.attention) are read
 * as the MultiheadAttention they compute, that path its module.
 * How a state_dict maps onto a case (prefixed keys such as
 * encoder.layers.3.self_attn.in_proj_weight, a batch of one, separate q/k/v
 * packed) is import.js's, and every check is the case format's
 * (AttnCase.parseCase, collecting every error): not written here again.
 *
 * Reading: an .npz entry stored (numpy.savez) is read in place; a deflated
 * one (savez_compressed) is inflated with the platform's DecompressionStream
 * (browsers, Node 18+), into one buffer of its declared size. CRCs are not
 * checked. Zip64 (over 4 GiB), encryption and other compression methods are
 * refused with a message.
 *
 * Words: every error, question and note is keyed as case.js's errors are:
 * its message the English (what the CLI prints), id a key of the words'
 * tables (mf.*, en.js) and values, so that the page writes it in its own
 * language (AttnText.message). An error's and a question's id and values
 * are not enumerable: the objects stay { key, message } to the API and in
 * JSON. The import's words that speak of a paste have a file's own
 * (FILE_WORDS: mf.imp.*).
 *
 * A classic script: the global AttnModelFile in a page, module.exports in Node.
 * needs: AttnText, AttnCase, AttnCases, AttnImport */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Import = isNode ? require('./import.js') : root.AttnImport;
  const Cases = isNode ? require('./cases.js') : root.AttnCases;
  const Text = isNode ? require('../text/text.js') : root.AttnText;

  const isModelFile = (name) => /\.(safetensors|npz)$/i.test(String(name));
  const OPTIONS = Case.KEYS.filter((k) => k.group === 'option').map((k) => k.key);
  const MASKS = ['attn_mask', 'key_padding_mask'];
  const INPUTS = Case.KEYS.filter((k) => k.group === 'input').map((k) => k.key); /* query, key, value and the masks */
  /* a state_dict name of a MultiheadAttention, after any module path */
  const PARAM = new RegExp(`(^|\\.)(${Case.PARAM_KEYS.map((k) => k.replace('.', '\\.')).join('|')})$`);
  const described = Case.described; /* a value in a few words, as case.js says it */

  /* The attention module a parameter's name is of: its path before the
   * parameter ("encoder.layers.3.self_attn"; "" at the top). */
  const moduleOf = (name) => name.slice(0, name.length - PARAM.exec(name)[0].length);
  /* names in a message: the first six, then how many */
  const listed = (names) => {
    const shown = names.map((name) => name || '""');
    return shown.length > 6 ? `${shown.slice(0, 6).join(', ')}, … (${shown.length})` : shown.join(', ');
  };

  /* BERT's names for the same attention (transformers' BertSelfAttention
   * and its BertSelfOutput's dense): under a module path
   * such as encoder.layer.3.attention, self.query, self.key and self.value
   * (weight, bias) are W_q, W_k and W_v, and output.dense is out_proj; the
   * output's LayerNorm is no part of a MultiheadAttention. -> path -> { 'query.weight': name, ... } */
  const BERT = /^(?:(.*)\.)?self\.(query|key|value)\.(weight|bias)$/;
  function bertModules(names) {
    const modules = new Map(), has = new Set(names);
    for (const name of names) {
      const m = BERT.exec(name);
      if (!m) continue;
      const path = m[1] ?? '';
      if (!modules.has(path)) modules.set(path, {});
      modules.get(path)[`${m[2]}.${m[3]}`] = name;
    }
    for (const [path, parts] of modules)
      for (const kind of ['weight', 'bias']) {
        const name = `${path ? `${path}.` : ''}output.dense.${kind}`;
        if (has.has(name)) parts[`dense.${kind}`] = name;
      }
    return modules;
  }

  /* A BERT module's tensors as MultiheadAttention's: in_proj_weight the
   * query, key and value weights stacked (3E×E, PyTorch's order), the same
   * for the biases; out_proj the dense. -> { tensors } | { errors } */
  function packBert(path, parts, all) {
    const prefix = path ? `${path}.` : '';
    const tensors = {};
    for (const kind of ['weight', 'bias']) {
      const names = ['query', 'key', 'value'].map((part) => parts[`${part}.${kind}`]);
      if (names.every((name) => !name)) continue;
      const absent = ['query', 'key', 'value'].filter((part, i) => !names[i]);
      if (absent.length) {
        const name = `${prefix}self.${absent[0]}.${kind}`;
        return { errors: [fault(name, 'mf.bertPart', { name, kind })] };
      }
      const [q, k, v] = names.map((name) => all[name]);
      const shape = q.shape.join('×');
      const odd = [k, v].findIndex((t) => t.shape.join('×') !== shape);
      if (odd >= 0) return { errors: [fault(names[odd + 1], 'mf.bertShape', { name: names[odd + 1], shape: [k, v][odd].shape.join('×'), query: names[0], want: shape })] };
      const data = new Float32Array(3 * q.data.length);
      [q, k, v].forEach((t, i) => data.set(t.data, i * q.data.length));
      tensors[`${prefix}in_proj_${kind}`] = { shape: [3 * q.shape[0], ...q.shape.slice(1)], dtype: 'F32', data };
      if (parts[`dense.${kind}`]) tensors[`${prefix}out_proj.${kind}`] = all[parts[`dense.${kind}`]];
    }
    return { tensors };
  }

  /* An error, or a question: { key, message } (the English), with its id
   * and values (a key of the tables, mf.*) not enumerable. */
  const fault = (key, id, values = {}) => Object.defineProperties({ key, message: Text.t('en', id, values) },
    { id: { value: id }, values: { value: values } });
  /* a note: { message, id, values } */
  const note = Text.keyed;

  /* An error on the way out, by its key of the tables. */
  class FileProblem extends Error {
    constructor(key, id, values = {}) {
      super(Text.t('en', id, values));
      Object.assign(this, { key, id, values });
    }
  }

  /* ---- the dtypes, to float32 ---- */

  const SIZES = { F64: 8, F32: 4, F16: 2, BF16: 2, BOOL: 1 };

  /* count elements of a Type at bytes[offset...]: a view when the offset is
   * aligned for the Type, else a copy (typed arrays need aligned views) */
  function elements(Type, bytes, offset, count) {
    const at = bytes.byteOffset + offset;
    if (at % Type.BYTES_PER_ELEMENT === 0) return new Type(bytes.buffer, at, count);
    return new Type(bytes.buffer.slice(at, at + count * Type.BYTES_PER_ELEMENT));
  }

  /* float16 bits -> float32 bits, for all 65536 of them (made once) */
  let halfTable = null;
  function halfToFloatBits() {
    if (halfTable) return halfTable;
    halfTable = new Uint32Array(65536);
    const f = new Float32Array(1), bits = new Uint32Array(f.buffer);
    for (let h = 0; h < 65536; h++) {
      const sign = (h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
      if (exponent === 0x1f) halfTable[h] = sign | (mantissa ? 0x7fc00000 : 0x7f800000) | (mantissa << 13); /* ±inf; NaN quieted, as torch's conversion does */
      else if (exponent === 0) { f[0] = mantissa * 2 ** -24; halfTable[h] = sign | bits[0]; } /* ±0, subnormals: exact */
      else halfTable[h] = sign | ((exponent + 112) << 23) | (mantissa << 13); /* rebias 15 -> 127 */
    }
    return halfTable;
  }

  /* The tensor at bytes[offset...] in dtype (a SIZES name), count elements,
   * little-endian: a Float32Array, or a Uint8Array for BOOL. */
  function decode(bytes, offset, count, dtype) {
    switch (dtype) {
      case 'F32': return elements(Float32Array, bytes, offset, count);
      case 'F64': return new Float32Array(elements(Float64Array, bytes, offset, count)); /* rounds to nearest even */
      case 'BOOL': return bytes.subarray(offset, offset + count);
      case 'F16': case 'BF16': {
        const halves = elements(Uint16Array, bytes, offset, count);
        const out = new Float32Array(count), bits = new Uint32Array(out.buffer); /* bits: NaNs copied, not canonicalised */
        if (dtype === 'BF16') for (let i = 0; i < count; i++) bits[i] = halves[i] << 16; /* bfloat16 is float32's top half */
        else { const table = halfToFloatBits(); for (let i = 0; i < count; i++) bits[i] = table[halves[i]]; }
        return out;
      }
      default: throw new Error(`no dtype ${dtype}`);
    }
  }

  const numel = (shape) => shape.reduce((n, d) => n * d, 1);
  const text = (bytes) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

  /* ---- .safetensors: u64 header size N, N bytes of JSON header, the data ----
   * header: { "__metadata__": { string: string }, name: { "dtype": "F32",
   * "shape": [3, 2], "data_offsets": [begin, end] }, ... }, offsets from the
   * start of the data, end exclusive. */
  function readSafetensors(bytes, fileName, problem) {
    if (bytes.length < 8) throw new FileProblem('', 'mf.short', { file: fileName, n: bytes.length });
    const size = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const low = size.getUint32(0, true), high = size.getUint32(4, true);
    if (high !== 0 || low > bytes.length - 8)
      throw new FileProblem('', high ? 'mf.header4' : 'mf.header', { file: fileName, size: low, n: bytes.length - 8 });
    let header;
    try {
      header = JSON.parse(text(bytes.subarray(8, 8 + low)));
    } catch (e) {
      throw new FileProblem('', 'mf.json', { file: fileName, error: e.message });
    }
    if (!header || typeof header !== 'object' || Array.isArray(header))
      throw new FileProblem('', 'mf.tensors', { file: fileName, got: described(header) });
    const data = bytes.subarray(8 + low), tensors = {}, options = {}, spans = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') {
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) { problem('', 'mf.metadata', { file: fileName, got: described(entry) }); continue; }
        for (const [key, value] of Object.entries(entry)) {
          if (key !== 'tokens' && !OPTIONS.includes(key)) continue; /* not ours: e.g. "format": "pt" */
          if (typeof value !== 'string') problem(key, 'mf.string', { key, got: described(value) });
          else options[key] = value;
        }
        continue;
      }
      const bad = (id, values = {}) => problem(name, id, { name, ...values });
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) { bad('mf.entry', { got: described(entry) }); continue; }
      const { dtype, shape, data_offsets: offsets } = entry;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) { bad('mf.shape', { got: String(JSON.stringify(shape)) }); continue; }
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(Number.isSafeInteger) || offsets[0] < 0 || offsets[0] > offsets[1]) { bad('mf.offsets', { got: String(JSON.stringify(offsets)) }); continue; }
      if (offsets[1] > data.length) { bad('mf.past', { offsets: String(offsets), n: data.length }); continue; }
      if (OPTIONS.includes(name)) { /* an option saved as a one-number tensor */
        const value = scalar(data.subarray(offsets[0], offsets[1]), shape, SCALAR_KINDS[dtype]);
        if (value === undefined) bad('mf.option', { dtype: String(dtype), shape: String(shape) });
        else options[name] = value;
        spans.push({ name, offsets });
        continue;
      }
      if (!(dtype in SIZES)) { bad(dtype === undefined ? 'mf.noDtype' : 'mf.dtype', { dtype: String(JSON.stringify(dtype)), bool: MASKS.includes(name) ? { id: 'mf.orBool' } : '' }); continue; }
      if (dtype === 'BOOL' && !MASKS.includes(name)) { bad('mf.bool'); continue; }
      const n = numel(shape);
      if (offsets[1] - offsets[0] !== n * SIZES[dtype]) { bad('mf.size', { offsets: String(offsets), n: offsets[1] - offsets[0], dtype, shape: String(shape), need: n * SIZES[dtype] }); continue; }
      spans.push({ name, offsets });
      tensors[name] = { shape, dtype, data: decode(data, offsets[0], n, dtype) };
    }
    spans.sort((a, b) => a.offsets[0] - b.offsets[0]);
    for (let i = 1; i < spans.length; i++) {
      const [before, here] = [spans[i - 1], spans[i]];
      if (here.offsets[0] < before.offsets[1])
        problem(here.name, 'mf.overlap', { name: here.name, offsets: String(here.offsets), other: before.name, others: String(before.offsets) });
    }
    return { tensors, options };
  }

  /* safetensors' dtypes as numpy's kind letter and size */
  const SCALAR_KINDS = { F64: 'f8', F32: 'f4', F16: 'f2', I64: 'i8', I32: 'i4', I16: 'i2', I8: 'i1', U64: 'u8', U32: 'u4', U16: 'u2', U8: 'u1', BOOL: 'b1' };

  /* One number (an option saved as a tensor): its value, or undefined when
   * it is not one number. kind: numpy's letter and size (f8, i4, b1, ...). */
  function scalar(bytes, shape, kind) {
    if (!kind || numel(shape) !== 1 || bytes.length !== Number(kind.slice(1))) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const read = {
      f8: () => view.getFloat64(0, true), f4: () => view.getFloat32(0, true), f2: () => decode(bytes.slice(), 0, 1, 'F16')[0],
      i8: () => Number(view.getBigInt64(0, true)), i4: () => view.getInt32(0, true), i2: () => view.getInt16(0, true), i1: () => view.getInt8(0),
      u8: () => Number(view.getBigUint64(0, true)), u4: () => view.getUint32(0, true), u2: () => view.getUint16(0, true), u1: () => view.getUint8(0),
      b1: () => view.getUint8(0) !== 0,
    }[kind];
    return read ? read() : undefined;
  }

  /* ---- .npz: a zip of NAME.npy files ---- */

  /* The entries of a zip, from its central directory: [{ name, method,
   * flags, compressedSize, size, localHeader }]. */
  function zipEntries(bytes, fileName) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (bytes.length < 22 || view.getUint32(0, true) !== 0x04034b50)
      throw new FileProblem('', 'mf.zip', { file: fileName });
    let end = -1; /* the end-of-central-directory record, after at most 64 KiB of comment */
    for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--)
      if (view.getUint32(at, true) === 0x06054b50) { end = at; break; }
    if (end < 0) throw new FileProblem('', 'mf.directory', { file: fileName });
    const total = view.getUint16(end + 10, true), directory = view.getUint32(end + 16, true);
    if (total === 0xffff || directory === 0xffffffff) throw new FileProblem('', 'mf.zip64', { file: fileName });
    const entries = [];
    for (let i = 0, at = directory; i < total; i++) {
      if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw new FileProblem('', 'mf.damaged', { file: fileName, i });
      const nameLength = view.getUint16(at + 28, true);
      const entry = {
        flags: view.getUint16(at + 8, true), method: view.getUint16(at + 10, true),
        compressedSize: view.getUint32(at + 20, true), size: view.getUint32(at + 24, true), localHeader: view.getUint32(at + 42, true),
        name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      };
      if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localHeader === 0xffffffff)
        throw new FileProblem('', 'mf.entry64', { file: fileName, entry: entry.name });
      entries.push(entry);
      at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    return entries;
  }

  /* An entry's bytes: in place when stored, inflated when deflated. */
  async function entryBytes(bytes, entry) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const at = entry.localHeader, what = { key: entry.key, entry: entry.name };
    if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) throw new FileProblem(entry.key, 'mf.local', { ...what, at });
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    if (start + entry.compressedSize > bytes.length) throw new FileProblem(entry.key, 'mf.end', what);
    const stored = bytes.subarray(start, start + entry.compressedSize);
    if (entry.flags & 1) throw new FileProblem(entry.key, 'mf.encrypted', what);
    if (entry.method === 0) return stored;
    if (entry.method !== 8) throw new FileProblem(entry.key, 'mf.method', { ...what, method: entry.method });
    return inflate(stored, entry.size, what);
  }

  /* Raw deflate data -> its size bytes, with DecompressionStream. what: the
   * entry, { key, entry } (its name), as the messages say it. */
  async function inflate(compressed, size, what) {
    if (typeof DecompressionStream !== 'function') throw new FileProblem('', 'mf.noInflate', what);
    const out = new Uint8Array(size);
    let at = 0;
    try {
      const reader = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (at + value.length > size) { reader.cancel().catch(() => {}); throw new FileProblem('', 'mf.inflatesMore', { ...what, size }); }
        out.set(value, at);
        at += value.length;
      }
    } catch (e) {
      if (e instanceof FileProblem) throw e;
      throw new FileProblem('', 'mf.inflateFails', { ...what, error: e.message });
    }
    if (at !== size) throw new FileProblem('', 'mf.inflatesTo', { ...what, n: at, size });
    return out;
  }

  /* A .npy file: "\x93NUMPY", version, header size (u16, or u32 from 2.0),
   * a Python dict {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), },
   * the data. Returns { shape, descr, data: the bytes after the header }. */
  function readNpy(bytes, key) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (bytes.length < 10 || text(bytes.subarray(1, 6)) !== 'NUMPY' || bytes[0] !== 0x93) throw new FileProblem(key, 'mf.npy', { key });
    const major = bytes[6], headerAt = major === 1 ? 10 : 12;
    if (major < 1 || major > 3 || bytes.length < headerAt) throw new FileProblem(key, 'mf.version', { key, major });
    const headerSize = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
    if (headerAt + headerSize > bytes.length) throw new FileProblem(key, 'mf.npyEnd', { key });
    const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerAt, headerAt + headerSize));
    const descr = /'descr':\s*'([^']+)'/.exec(header), fortran = /'fortran_order':\s*(True|False)/.exec(header), shape = /'shape':\s*\(([^)]*)\)/.exec(header);
    if (!descr || !fortran || !shape) throw new FileProblem(key, 'mf.npyHeader', { key, header: header.trim().slice(0, 80) });
    if (fortran[1] === 'True') throw new FileProblem(key, 'mf.fortran', { key });
    const dims = shape[1].split(',').map((d) => d.trim()).filter(Boolean).map(Number);
    if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FileProblem(key, 'mf.npyShape', { key, shape: shape[1] });
    return { shape: dims, descr: descr[1], data: bytes.subarray(headerAt + headerSize) };
  }

  /* numpy's descr -> our dtype ('<V2', '|V2': bfloat16, see the header) */
  const NPY_FLOATS = { '<f8': 'F64', '<f4': 'F32', '<f2': 'F16', '<V2': 'BF16', '|V2': 'BF16', '|b1': 'BOOL' };

  /* A numpy array of strings ('<U5': UTF-32, five characters each) as strings. */
  function npyStrings(npy, key) {
    const width = Number(npy.descr.slice(2)), n = numel(npy.shape);
    if (npy.data.length < n * width * 4) throw new FileProblem(key, 'mf.strings', { key });
    const chars = elements(Uint32Array, npy.data, 0, n * width), out = [];
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let j = 0; j < width && chars[i * width + j] !== 0; j++) s += String.fromCodePoint(chars[i * width + j]);
      out.push(s);
    }
    return out;
  }

  async function readNpz(bytes, fileName, problem) {
    const tensors = {}, options = {}, bfloat16 = [];
    const entries = zipEntries(bytes, fileName);
    if (!entries.some((entry) => entry.name.endsWith('.npy'))) {
      const names = entries.slice(0, 3).map((entry) => entry.name).join(', ') + (entries.length > 3 ? ', …' : '');
      const torchSave = entries.some((entry) => /(^|\/)data\.pkl$/.test(entry.name));
      throw new FileProblem('', !entries.length ? 'mf.npzEmpty' : torchSave ? 'mf.npzTorch' : 'mf.npz', { file: fileName, names });
    }
    for (const entry of entries) {
      const key = entry.name.replace(/\.npy$/, '');
      entry.key = key;
      if (!entry.name.endsWith('.npy')) {
        problem(key, 'mf.notNpy', { name: entry.name });
        continue;
      }
      if (key in tensors || key in options) { problem(key, 'mf.twice', { key }); continue; }
      try {
        const npy = readNpy(await entryBytes(bytes, entry), key);
        const n = numel(npy.shape);
        if (key === 'tokens' && /^<U\d+$/.test(npy.descr)) {
          const strings = npyStrings(npy, key);
          options.tokens = npy.shape.length === 0 ? strings[0] : strings; /* 0-d: JSON text */
          continue;
        }
        if (OPTIONS.includes(key)) {
          const kind = /^[<|]([fiub]\d)$/.exec(npy.descr);
          const value = kind && scalar(npy.data.subarray(0, Number(kind[1].slice(1))), npy.shape, kind[1]);
          if (value === undefined || value === null) throw new FileProblem(key, 'mf.optionNpy', { key, descr: npy.descr, shape: String(npy.shape) });
          options[key] = value;
          continue;
        }
        const dtype = NPY_FLOATS[npy.descr];
        if (!dtype || (dtype === 'BOOL' && !MASKS.includes(key)))
          throw new FileProblem(key, 'mf.npyDtype', { key, descr: npy.descr, bool: MASKS.includes(key) ? { id: 'mf.orB1' } : '', big: /^>/.test(npy.descr) ? { id: 'mf.big' } : '' });
        if (npy.data.length < n * SIZES[dtype]) throw new FileProblem(key, 'mf.npyShort', { key, descr: npy.descr, shape: String(npy.shape), need: n * SIZES[dtype], n: npy.data.length });
        if (dtype === 'BF16') bfloat16.push(key);
        tensors[key] = { shape: npy.shape, dtype, data: decode(npy.data, 0, n, dtype) };
      } catch (e) {
        if (!(e instanceof FileProblem)) throw e;
        problem(e.key || key, e.id, e.values);
      }
    }
    const n = bfloat16.length;
    const notes = n ? [n === 1 ? note('mf.n.bf16', { name: bfloat16[0] }) : note('mf.n.bf16s', { n })] : [];
    return { tensors, options, notes };
  }

  /* ---- the file ---- */

  /* The file's tensors (float32, or a bool mask's bytes) and options as
   * written (strings from __metadata__; numbers or booleans from an .npz). */
  async function readTensors(input, fileName = 'the file') {
    const errors = [];
    const problem = (key, id, values) => errors.push(fault(key, id, values));
    try {
      const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : null;
      if (!bytes) return { errors: [fault('', 'mf.bytes', { file: fileName, got: described(input) })] };
      const read = /\.npz$/i.test(fileName) ? await readNpz(bytes, fileName, problem)
        : /\.safetensors$/i.test(fileName) ? readSafetensors(bytes, fileName, problem)
          : null;
      if (!read) return { errors: [fault('', /\.(pt|pth|bin|ckpt)$/i.test(fileName) ? 'mf.torch' : 'mf.format', { file: fileName })] };
      if (errors.length) return { errors };
      const notes = read.notes || [];
      return { tensors: read.tensors, options: read.options, notes: notes.map((n) => n.message), keyedNotes: notes };
    } catch (e) {
      if (e instanceof FileProblem) return { errors: [...errors, fault(e.key, e.id, e.values)] };
      return { errors: [...errors, fault('', 'mf.unread', { file: fileName, error: e && e.message ? e.message : String(e) })] };
    }
  }

  /* An option as the file wrote it -> its value: a metadata string read by
   * the option's type, tokens as JSON text. Throws a FileProblem. */
  function optionValue(key, value) {
    if (typeof value !== 'string') return value; /* from an .npz: a number, a boolean, or tokens as strings */
    const type = key === 'tokens' ? 'tokens' : Case.KEY[key].type;
    const said = value.trim();
    if (type === 'tokens') {
      try { return JSON.parse(said); } catch (e) { throw new FileProblem('tokens', 'mf.tokens', { got: described(value), error: e.message }); }
    }
    if (type === 'bool') {
      if (/^(true|1)$/i.test(said)) return true;
      if (/^(false|0)$/i.test(said)) return false;
      throw new FileProblem(key, 'mf.trueFalse', { key, got: described(value) });
    }
    if (type === 'int' && /^\d+$/.test(said)) return Number(said);
    if (type === 'number' && said !== '' && Number.isFinite(Number(said))) return Number(said);
    throw new FileProblem(key, type === 'int' ? 'mf.whole' : 'mf.number', { key, got: described(value) });
  }

  /* import.js speaks of a paste; a file is saved: its words that a file can
   * meet and that speak of a paste have a file's own (mf.imp.*). */
  const FILE_WORDS = ['imp.batch', 'imp.noE', 'imp.noQuery', 'imp.withoutQuery', 'imp.noKV', 'imp.n.kept', 'imp.n.tokens'];
  const inFileTerms = (id) => (FILE_WORDS.includes(id) ? `mf.${id}` : id);
  /* an import's error (keyed; a CaseError without values is English only) */
  const fileError = (e) => (e.id ? fault(e.key, inFileTerms(e.id), e.values) : { key: e.key, message: e.message });

  async function readModelFile(bytes, fileName = 'the file', { options = {}, base = null } = {}) {
    const read = await readTensors(bytes, fileName);
    if (read.errors) return { errors: read.errors };
    try {
      const errors = [];
      const given = {};
      for (const [key, value] of Object.entries(read.options)) {
        try { given[key] = optionValue(key, value); } catch (e) { errors.push(fault(e.key, e.id, e.values)); }
      }
      const { module: moduleGiven, query_rows: rowsGiven, ...chosen } = options || {};
      const module = moduleGiven ?? null, queryRows = rowsGiven ?? null; /* (null: not given) */
      for (const [key, value] of Object.entries(chosen)) if (value !== undefined && value !== null) given[key] = value;
      if (errors.length) return { errors };
      /* a file of a bigger module (a whole layer): its attention's tensors, the rest left out */
      const names = Object.keys(read.tensors), weights = names.filter((name) => PARAM.test(name)), bert = bertModules(names);
      if (!weights.length && !bert.size)
        return { errors: [fault('', names.length ? 'mf.noWeights' : 'mf.noTensors', { file: fileName, names: names.slice(0, 4).join(', ') + (names.length > 4 ? ', …' : '') })] };
      /* ... or of a whole model, with several attention modules: the one named (options.module), asked for when not */
      const modules = [...new Set([...weights.map(moduleOf), ...bert.keys()])];
      const missing = [];
      if (module !== null && !modules.includes(module))
        return { errors: [fault('module', 'mf.noModule', { file: fileName, module, modules: listed(modules) })] };
      if (modules.length > 1 && module === null)
        missing.push(Object.assign(fault('module', 'mf.modules', { file: fileName, n: modules.length, modules: listed(modules) }), { choices: modules }));
      const picked = module ?? modules[0];
      const ofBert = new Set([...bert.values()].flatMap((parts) => Object.values(parts)));
      const tensors = {}, left = [];
      for (const name of names) {
        if (PARAM.test(name) ? moduleOf(name) === picked : INPUTS.includes(name)) tensors[name] = read.tensors[name];
        else if (!PARAM.test(name) && !ofBert.has(name)) left.push(name);
      }
      const picks = bert.get(picked); /* BERT's names, for the module picked */
      /* E: the rows of out_proj.weight, or of BERT's self.query.weight */
      const square = picks ? read.tensors[picks['query.weight']] : Object.entries(tensors).find(([name]) => /(^|\.)out_proj\.weight$/.test(name))?.[1];
      const E = square ? square.shape[0] : undefined;
      if (given.num_heads === undefined)
        missing.push(Object.assign(fault('num_heads', E ? 'mf.headsE' : 'mf.heads', { file: fileName, E }), { embed_dim: E }));
      /* no input in the file (a checkpoint has none), and none of the page's
       * that fits: how many rows of random numbers to give it */
      const baseE = Array.isArray(base?.query?.[0]) ? base.query[0].length : undefined;
      if (!('query' in tensors) && E && baseE !== E && queryRows === null)
        missing.push(Object.assign(fault('query_rows', 'mf.rows', { file: fileName, E }), { embed_dim: E, rows: true }));
      if (missing.length) return { missing };
      if (picks) {
        const packed = packBert(picked, picks, read.tensors);
        if (packed.errors) return packed;
        Object.assign(tensors, packed.tensors);
      }
      const notes = [...read.keyedNotes];
      if (!('query' in tensors) && E && queryRows !== null) {
        if (!Number.isInteger(queryRows) || queryRows < 1) return { errors: [fault('query_rows', 'mf.rowsBad', { got: described(queryRows) })] };
        tensors.query = randomRows(queryRows, E);
        notes.push(note('mf.n.random', { L: queryRows, E }));
      }
      if (!base && !('query' in tensors))
        return { errors: [fault('query', 'mf.noQuery', { file: fileName })] };
      if (picks) notes.push(note('mf.n.bert', { module: picked || '""' }));
      if (modules.length > 1) notes.push(note('mf.n.modules', { others: listed(modules.filter((m) => m !== picked)) }));
      if (left.length) notes.push(left.length > 6 ? note('mf.n.leftMore', { names: left.slice(0, 6).join(', '), n: left.length }) : note('mf.n.left', { names: left.join(', ') }));
      if (given.add_zero_attn === undefined) { /* the module's, which its state_dict cannot show */
        given.add_zero_attn = false;
        notes.push(note('mf.n.zero'));
      }
      const result = Import.importStateDict({ ...tensors, ...given }, base || {});
      if (result.errors) return { errors: result.errors.map(fileError) };
      const keyedNotes = [...result.notes.map((n) => note(inFileTerms(n.id), n.values)), ...notes];
      return { case: result.case, notes: keyedNotes.map((n) => n.message), keyedNotes };
    } catch (e) {
      return { errors: [fault('', 'mf.unread', { file: fileName, error: e && e.message ? e.message : String(e) })] };
    }
  }

  /* rows×E numbers of a standard normal, float32, seed 0: the same on
   * every machine. What a query asked for is made of (a checkpoint holds
   * no input); a layer's input after a LayerNorm is about as spread. */
  function randomRows(rows, E) {
    const random = Cases.seededRandom(0), data = new Float32Array(rows * E);
    for (let i = 0; i < data.length; i++) data[i] = Cases.standardNormal(random);
    return { data, shape: [rows, E] };
  }

  /* The case with its typed tensors as nested arrays (the JSON format:
   * non-finite numbers as strings, a bool mask's cells as booleans). */
  function nestedCase(c) {
    const out = {};
    for (const [key, value] of Object.entries(c)) {
      const typed = value && typeof value === 'object' && ArrayBuffer.isView(value.data) && Array.isArray(value.shape);
      if (!typed) { out[key] = value; continue; }
      const bool = value.data instanceof Uint8Array;
      out[key] = Case.nest(value.data, value.shape, bool ? (x) => x !== 0 : (x) => (Number.isFinite(x) ? x : Case.jsonNumber(x)));
    }
    return out;
  }

  const api = { readModelFile, readTensors, nestedCase, isModelFile };
  if (isNode) module.exports = api;
  else root.AttnModelFile = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
