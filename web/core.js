/* core.js: the JS binding of the wasm attention core, for Node and pages.
 *
 *   const attention = await createAttention({ simd });  // simd: true, false, or auto
 *   const stages = attention.forward(aCase);             // { q: { shape, data }, ... }
 *   attention.warnings;                                  // PyTorch 2's warnings for that case
 *   const grads = attention.backward({ output: dOut });  // { query: { shape, data }, ..., q: ..., output: ... }
 *
 * It loads the SIMD build when the engine validates it, the scalar one
 * otherwise. Inputs are written straight into wasm memory; each stage is
 * copied out once, so results stay valid across later calls. The view of wasm
 * memory is made again whenever memory has grown (heap()).
 *
 * A classic script: a global AttnCore in a page, module.exports in Node.
 * needs: AttnWasm, AttnCase */
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
      env: { emscripten_notify_memory_growth() {} }, /* heap() sees a grown memory by itself */
    });
    const core = instance.exports;
    if (core._initialize) core._initialize();
    return new Attention(core, useSimd);
  }

  class Attention {
    constructor(core, simd) {
      this.core = core;
      this.simd = simd;
      this.configFields = this.names(core.attn_config_field_name);
      this.inputNames = this.names(core.attn_input_name);
      this.stageNames = this.names(core.attn_stage_name);
      this.handle = core.attn_new();
      this.dimsOffset = 4 * this.configFields.length;
      this.scratch = core.malloc(this.dimsOffset + 4 * 3); /* the config's ints, then up to 3 dims of a shape */
      if (!this.handle || !this.scratch) throw new CoreError(3, 'out of memory');
      this.plan = null; /* see planFor() */
      this.parsed = NOT_PARSED; /* see parse() */
      this.warnings = []; /* what PyTorch 2 warns of the last forward()'s case, e.g. mixed mask types */
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
      const dimsPointer = this.scratch + this.dimsOffset;
      const rank = shapeOf(this.handle, index, dimsPointer);
      return rank ? Array.from(new Int32Array(this.memory(), dimsPointer, rank)) : null;
    }

    check(status) {
      if (status !== 0) throw new CoreError(status, this.cString(this.core.attn_error(this.handle)) || STATUS[status]);
    }

    /* Validates config (attn_config's fields by name) and sizes the buffers. */
    configure(config) {
      this.plan = null; /* see planFor() */
      const ints = new Int32Array(this.memory(), this.scratch, this.configFields.length);
      this.configFields.forEach((name, i) => { ints[i] = config[name]; });
      this.check(this.core.attn_configure(this.handle, this.scratch));
    }

    /* One forward pass. aCase: the JSON format (numbers or { shape, data }
     * arrays), or what AttnCase.parseCase returned for it. Returns every stage
     * as { shape, data: Float32Array }, in the order they are computed. */
    forward(aCase) {
      const parsed = aCase.config && aCase.inputs ? aCase : this.parse(aCase);
      const { config, inputs } = parsed;
      const plan = this.planFor(config, parsed === this.parsed.result);
      let heap = this.heap();
      for (const { name, offset, count, shape } of plan.inputs) {
        const data = inputs[name];
        if (!data || data.length !== count)
          throw new CoreError(1, `${name}: expected ${count} numbers (${shape.join('×')}), got ${data ? data.length : 'none'}`);
        if (count > SMALL) heap.set(data, offset);
        else for (let i = 0; i < count; i++) heap[offset + i] = data[i];
      }
      this.check(this.core.attn_forward(this.handle));
      this.warnings = Case.warningsFor(config); /* PyTorch 2's, for this case */
      this.forwardInputs = inputs; /* which of query, key and value are one array: backward() */
      if (!plan.stages) plan.stages = this.stageNames.map((name, i) => this.located(name, this.core.attn_stage(this.handle, i), this.shape(this.core.attn_stage_shape, i)));
      heap = this.heap();
      const stages = {};
      for (const { name, offset, count, shape } of plan.stages) {
        let data;
        if (count > SMALL) data = heap.slice(offset, offset + count);
        else {
          data = new Float32Array(count);
          for (let i = 0; i < count; i++) data[i] = heap[offset + i];
        }
        stages[name] = { shape: shape.slice(), data };
      }
      return stages;
    }

    /* The gradients of a loss L of the last forward()'s results: given holds
     * dL/d output (L×E), and when L also reads them dL/d attn_weights and
     * dL/d weights (H×L×S'), each as nested arrays or { shape, data }; a
     * missing one counts as zeros. Returns dL/d every input the case uses
     * but the masks (query, key, value, the weights and biases), then every
     * stage, as { name: { shape, data: Float32Array } }. query, key and
     * value that were one array (self-attention: key and value default to
     * query) are one tensor: its gradient, the sum over its uses as autograd
     * gives, is under the first of their names only. into: an earlier result
     * of backward(), whose Float32Arrays of the right lengths are filled
     * instead of new ones made (a loop that keeps no result needs no
     * allocation); the returned object is a new one all the same. */
    backward(given = {}, into = null) {
      const plan = this.plan;
      if (!plan || !plan.stages) throw new CoreError(4, 'backward called before forward');
      const config = Object.fromEntries(this.configFields.map((name, i) => [name, plan.config[i]]));
      const grads = Case.readGradients(given, config);
      if (!plan.gradInputs) plan.gradInputs = ['output', 'attn_weights', 'weights'].map((name) => {
        const index = this.stageNames.indexOf(name);
        return this.located(name, this.gradInput(index), this.shape(this.core.attn_stage_grad_shape, index));
      });
      let heap = this.heap();
      for (const { name, offset, count } of plan.gradInputs) {
        if (grads[name]) heap.set(grads[name].data, offset);
        else heap.fill(0, offset, offset + count);
      }
      this.check(this.core.attn_backward(this.handle));
      if (!plan.grads) {
        const inputs = [];
        this.inputNames.forEach((name, i) => {
          const pointer = this.core.attn_grad(this.handle, i);
          if (pointer) inputs.push(this.located(name, pointer, this.shape(this.core.attn_grad_shape, i)));
        });
        plan.grads = [...inputs, ...this.stageNames.map((name, i) => this.located(name, this.core.attn_stage_grad(this.handle, i), this.shape(this.core.attn_stage_grad_shape, i)))];
      }
      heap = this.heap();
      const result = {};
      for (const { name, offset, count, shape } of plan.grads) {
        const old = into && into[name] && into[name].data;
        const data = old instanceof Float32Array && old.length === count ? old : null;
        if (data) data.set(heap.subarray(offset, offset + count));
        result[name] = { shape: shape.slice(), data: data || heap.slice(offset, offset + count) };
      }
      return sumSharedInputs(result, this.forwardInputs);
    }

    /* Where dL/d stage goes (attn_grad_input). It gives no status when the
     * gradient buffers cannot be had; attn_backward() meets the same limit
     * and returns it. */
    gradInput(stage) {
      const pointer = this.core.attn_grad_input(this.handle, stage);
      if (pointer) return pointer;
      this.check(this.core.attn_backward(this.handle));
      throw new CoreError(3, 'out of memory for the gradients');
    }

    /* ---- the fast path: what forward() would work out afresh each call,
     * kept while it cannot have changed ---- */

    /* A Float32Array over all of wasm memory, made again after it grows. */
    heap() {
      const buffer = this.memory();
      if (!this.heapView || this.heapView.buffer !== buffer) this.heapView = new Float32Array(buffer);
      return this.heapView;
    }

    located(name, pointer, shape) {
      return { name, offset: pointer / 4, count: shape.reduce((n, d) => n * d, 1), shape };
    }

    /* Configures for config unless the core already holds it, and returns the
     * inputs it uses: where they go and their shapes. attn_configure with the
     * configuration it holds changes nothing, so it is skipped; configure()
     * and dispose() drop the plan. */
    planFor(config, ours) {
      const fields = this.configFields;
      let plan = this.plan;
      if (plan && ours && config === plan.from) return plan;
      if (plan && fields.every((name, i) => plan.config[i] === (config[name] | 0))) {
        plan.from = ours ? config : null;
        return plan;
      }
      this.configure(config);
      const inputs = [];
      this.inputNames.forEach((name, i) => {
        const pointer = this.core.attn_input(this.handle, i);
        if (pointer) inputs.push(this.located(name, pointer, this.shape(this.core.attn_input_shape, i)));
      });
      /* from: the config object itself when it is parse()'s own, which no
       * caller sees and nothing changes */
      plan = this.plan = { config: fields.map((name) => config[name] | 0), from: ours ? config : null, inputs, stages: null };
      return plan;
    }

    /* Case.parseCase(aCase), or, when aCase has the same layout as the last
     * case parsed (the same keys and options, and typed { shape, data }
     * inputs of the same shapes and Float32Array data), the last result with
     * this case's arrays. For such a case parseCase reads nothing but that
     * layout, so the answer is the same. */
    parse(aCase) {
      const memo = this.parsed;
      if (memo.layout && sameLayout(aCase, memo.layout, memo.result.inputs)) return memo.result;
      const parsed = Case.parseCase(aCase);
      this.parsed = NOT_PARSED;
      const layout = layoutOf(aCase, parsed.inputs);
      if (layout) this.parsed = { layout, result: { config: parsed.config, inputs: { ...parsed.inputs } } };
      return parsed;
    }

    /* { name: shape } of the inputs the current configuration uses, and of
     * every stage, as the core reports them (attn_input_shape,
     * attn_stage_shape). Empty before the first configuration. */
    inputShapes() { return this.shapesOf(this.inputNames, this.core.attn_input_shape); }
    stageShapes() { return this.shapesOf(this.stageNames, this.core.attn_stage_shape); }
    shapesOf(names, shapeOf) {
      const shapes = {};
      names.forEach((name, i) => {
        const shape = this.shape(shapeOf, i);
        if (shape) shapes[name] = shape;
      });
      return shapes;
    }

    /* Bytes of wasm memory in use: it only grows. */
    memoryBytes() { return this.memory().byteLength; }

    /* Frees the core's buffers; the object is unusable afterwards. */
    dispose() {
      this.core.attn_free(this.handle);
      this.core.free(this.scratch);
      this.handle = 0;
      this.plan = null;
      this.parsed = NOT_PARSED;
    }
  }

  /* Inputs and stages up to this many floats are copied by a loop, which
   * beats TypedArray set() and slice() on a few floats. */
  const SMALL = 32;
  const NOT_PARSED = { layout: null, result: null };

  /* A case's layout for Attention.parse(): its keys, its options, the
   * shapes of its inputs, and which parsed inputs take each one's data; null
   * when it holds anything else (nested arrays, tokens, data that is not a
   * Float32Array) or an input that is not some key's data as it is. */
  function layoutOf(aCase, inputs) {
    if (!aCase || Object.getPrototypeOf(aCase) !== Object.prototype) return null;
    const keys = Object.keys(aCase), values = [];
    for (const key of keys) {
      const v = aCase[key];
      if (v === null || typeof v !== 'object') values.push(v);
      else if (v.data instanceof Float32Array && Array.isArray(v.shape) && !Array.isArray(v))
        values.push({ shape: v.shape.slice(), length: v.data.length, dtype: v.dtype });
      else return null;
    }
    /* each input from the key of its name, else (key and value default to
     * query) the first key whose data it is */
    const targets = keys.map(() => []);
    for (const name of Object.keys(inputs)) {
      const from = (k) => aCase[k] && aCase[k].data === inputs[name];
      const at = from(name) ? keys.indexOf(name) : keys.findIndex(from);
      if (at < 0) return null;
      targets[at].push(name);
    }
    return { keys, values, targets };
  }

  /* Whether aCase has this layout; on the way, puts its arrays in inputs. */
  function sameLayout(aCase, layout, inputs) {
    if (!aCase || Object.getPrototypeOf(aCase) !== Object.prototype) return false;
    const { keys, values, targets } = layout;
    let i = 0;
    for (const key in aCase) {
      if (key !== keys[i]) return false;
      const v = aCase[key], want = values[i], names = targets[i++];
      if (want === null || typeof want !== 'object') {
        if (v !== want) return false;
        continue;
      }
      if (!v || typeof v !== 'object' || Array.isArray(v) || !(v.data instanceof Float32Array) || !Array.isArray(v.shape)
        || v.data.length !== want.length || v.dtype !== want.dtype || v.shape.length !== want.shape.length) return false;
      for (let d = 0; d < want.shape.length; d++) if (v.shape[d] !== want.shape[d]) return false;
      for (let n = 0; n < names.length; n++) inputs[names[n]] = v.data;
    }
    return i === keys.length;
  }

  /* grads (backward()'s, or the same names from the native driver) with
   * query, key and value that are one array in inputs (a parsed case's) made
   * one tensor: the sum of their gradients under the first name, the others
   * dropped, as autograd gives for one tensor used several times. */
  function sumSharedInputs(grads, inputs) {
    const names = ['query', 'key', 'value'];
    for (let j = 1; j < names.length; j++) {
      const into = names.slice(0, j).find((name) => grads[name] && inputs[name] === inputs[names[j]]);
      if (!into || !grads[names[j]]) continue;
      const sum = grads[into].data, add = grads[names[j]].data;
      for (let i = 0; i < sum.length; i++) sum[i] += add[i];
      delete grads[names[j]];
    }
    return grads;
  }

  const api = { createAttention, CoreError, sumSharedInputs };
  if (isNode) module.exports = api;
  else root.AttnCore = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
