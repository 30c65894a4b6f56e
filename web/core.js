/* core.js: the JS binding of the wasm attention core, for Node and pages.
 *
 *   const attention = await createAttention({ simd });  // simd: true, false, or auto
 *   const stages = attention.forward(aCase);             // { q: { shape, data }, ... }
 *
 * It loads the SIMD build when the engine validates it, the scalar one
 * otherwise. Inputs are written straight into wasm memory; each stage is
 * copied out once, so results stay valid across later calls. Views of wasm
 * memory are made afresh for every access, as memory may grow in between.
 *
 * A classic script: a global AttnCore in a page (after AttnWasm and AttnCase),
 * module.exports in Node. */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('./case.js') : root.AttnCase;
  const wasmBase64 = () => (isNode ? require('../build/attn-wasm.js') : root.AttnWasm);

  function decodeBase64(text) {
    if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(text, 'base64'));
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  const STATUS = ['ok', 'invalid configuration', 'past a limit', 'out of memory', 'out of order'];

  /* An error of the core: .code is its ATTN_ERR_* status. */
  class CoreError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'CoreError';
      this.code = code;
    }
  }

  /* simd: true (SIMD or fail), false (scalar), undefined (SIMD when the
   * engine supports it). */
  async function createAttention({ simd } = {}) {
    const sources = wasmBase64();
    if (!sources) throw new Error('the wasm core is not loaded: run make, and load build/attn-wasm.js first');
    const simdBytes = decodeBase64(sources.simd);
    const simdSupported = WebAssembly.validate(simdBytes);
    if (simd === true && !simdSupported) throw new Error('this engine does not support wasm SIMD');
    const useSimd = simd === false ? false : simdSupported;
    const bytes = useSimd ? simdBytes : decodeBase64(sources.scalar);
    const { instance } = await WebAssembly.instantiate(bytes, {
      env: { emscripten_notify_memory_growth() {} }, /* views are made per access anyway */
    });
    const core = instance.exports;
    if (core._initialize) core._initialize();
    return new Attention(core, useSimd);
  }

  class Attention {
    constructor(core, simd) {
      this.core = core;
      this.simd = simd;
      this.handle = core.attn_new();
      this.scratch = core.malloc(4 * 16); /* the config (13 ints), then 3 dims */
      if (!this.handle || !this.scratch) throw new CoreError(3, 'out of memory');
      this.configFields = this.names(core.attn_config_field_name);
      this.inputNames = this.names(core.attn_input_name);
      this.stageNames = this.names(core.attn_stage_name);
    }

    memory() { return this.core.memory.buffer; }

    cString(pointer) {
      const bytes = new Uint8Array(this.memory(), pointer);
      return new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)));
    }

    /* The core's name tables, read until the NULL that ends them. */
    names(nameOf) {
      const list = [];
      for (let i = 0, p; (p = nameOf(i)); i++) list.push(this.cString(p));
      return list;
    }

    /* Shape of an input or stage under the current configuration, or null. */
    shape(shapeOf, index) {
      const dimsPointer = this.scratch + 4 * 13;
      const rank = shapeOf(this.handle, index, dimsPointer);
      return rank ? Array.from(new Int32Array(this.memory(), dimsPointer, rank)) : null;
    }

    check(status) {
      if (status !== 0) throw new CoreError(status, this.cString(this.core.attn_error(this.handle)) || STATUS[status]);
    }

    /* Validates config (attn_config's fields by name) and sizes the buffers. */
    configure(config) {
      const ints = new Int32Array(this.memory(), this.scratch, this.configFields.length);
      this.configFields.forEach((name, i) => { ints[i] = config[name]; });
      this.check(this.core.attn_configure(this.handle, this.scratch));
    }

    /* One forward pass. aCase: the JSON format (numbers or { shape, data }
     * arrays), or what AttnCase.parseCase returned for it. Returns every stage
     * as { shape, data: Float32Array }, in the order they are computed. */
    forward(aCase) {
      const { config, inputs } = aCase.config && aCase.inputs ? aCase : Case.parseCase(aCase);
      this.configure(config);
      this.inputNames.forEach((name, i) => {
        const pointer = this.core.attn_input(this.handle, i);
        if (!pointer) return;
        const shape = this.shape(this.core.attn_input_shape, i);
        const count = shape.reduce((n, d) => n * d, 1);
        const data = inputs[name];
        if (!data || data.length !== count)
          throw new CoreError(1, `${name}: expected ${count} numbers (${shape.join('×')}), got ${data ? data.length : 'none'}`);
        new Float32Array(this.memory(), pointer, count).set(data);
      });
      this.check(this.core.attn_forward(this.handle));
      const stages = {};
      this.stageNames.forEach((name, i) => {
        const shape = this.shape(this.core.attn_stage_shape, i);
        const count = shape.reduce((n, d) => n * d, 1);
        stages[name] = { shape, data: new Float32Array(this.memory(), this.core.attn_stage(this.handle, i), count).slice() };
      });
      return stages;
    }

    /* Bytes of wasm memory in use: it only grows. */
    memoryBytes() { return this.memory().byteLength; }

    /* Frees the core's buffers; the object is unusable afterwards. */
    dispose() {
      this.core.attn_free(this.handle);
      this.core.free(this.scratch);
      this.handle = 0;
    }
  }

  const api = { createAttention, CoreError };
  if (isNode) module.exports = api;
  else root.AttnCore = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
