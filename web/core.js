/* core.js: the JS binding of the wasm attention core, for Node and pages.
 *
 *   const attention = await createAttention();    // { build: 'relaxed' | 'simd' | 'scalar' }
 *   const stages = attention.forward(aCase);       // { q: { shape, data }, ... }, copies
 *   attention.set('in_proj_weight', 5, 0.25);      // one float into the resident input
 *   const views = attention.forward(null, { copy: false }); // views into wasm memory
 *   attention.warnings;                            // PyTorch 2's warnings for the case
 *   const grads = attention.backward({ output: dOut }); // { query: { shape, data }, ..., q: ..., output: ... }
 *
 * It loads the best build the engine validates: relaxed SIMD, then SIMD,
 * then scalar. Inputs live in the core between calls (resident): forward(aCase)
 * writes the case's inputs in, set() writes one input or one float of it,
 * forward() without a case computes from the inputs as they are. Each write
 * marks its input changed (attn_input_changed), so the core packs a weight
 * again only when it was written. Stages are copied out by default; with
 * { copy: false } they are views into wasm memory, valid until the next
 * forward(), configure() or dispose() (see forward()). backward() runs the
 * backward pass of the last forward() and copies the gradients out, or with
 * { copy: false } returns views of them (see backward()).
 *
 * A classic script: a global AttnCore in a page, module.exports in Node.
 * needs: AttnWasm, AttnCase */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('./case.js') : root.AttnCase;

  /* The builds by name, each as base64 (build/attn-wasm.js) or as bytes (a
   * Uint8Array: dist/attention-viz.js, which holds only some of them). */
  function wasmSources() {
    const sources = isNode ? require('../build/attn-wasm.js') : root.AttnWasm;
    if (!sources) throw new Error('the wasm core is not loaded: run make, and load build/attn-wasm.js first');
    return sources;
  }

  function decodeBase64(text) {
    if (typeof text !== 'string') return text; /* bytes already */
    if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(text, 'base64'));
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  const STATUS = ['ok', 'invalid configuration', 'past a limit', 'out of memory', 'out of order'];

  /* The builds in build/attn-wasm.js, best first, and what each needs. */
  const BUILDS = ['relaxed', 'simd', 'scalar'];
  const NEEDS = {
    relaxed: 'wasm relaxed SIMD (Chromium 114+, Firefox 120+; Node 20 only with --experimental-wasm-relaxed-simd)',
    simd: 'wasm SIMD',
    scalar: 'WebAssembly',
  };

  /* What the builds import. The emcc builds tell of memory growth (heap()
   * sees it by itself); the relaxed build links wasi-libc, whose stdio names
   * three WASI calls that the core never makes (it prints nothing): they
   * answer ENOSYS. */
  const ENOSYS = 52;
  const IMPORTS = {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: { fd_write: () => ENOSYS, fd_seek: () => ENOSYS, fd_close: () => ENOSYS },
  };

  /* An error of the core: .code is its ATTN_ERR_* status. */
  class CoreError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'CoreError';
      this.code = code;
    }
  }

  /* The builds loaded that this engine can run, best first. */
  function supportedBuilds() {
    const sources = wasmSources();
    return BUILDS.filter((name) => sources[name] && WebAssembly.validate(decodeBase64(sources[name])));
  }

  /* build: 'relaxed', 'simd' or 'scalar' (that build, or an error when the
   * engine cannot run it); or the older simd: true (the SIMD build) or false
   * (scalar). Neither: the first of BUILDS that WebAssembly.validate accepts. */
  async function createAttention({ build, simd } = {}) {
    const sources = wasmSources();
    if (build !== undefined && simd !== undefined) throw new Error('give build or simd, not both');
    if (build !== undefined && !BUILDS.includes(build))
      throw new Error(`build: expected one of ${BUILDS.join(', ')}, got ${JSON.stringify(build)}`);
    const wanted = build ?? (simd === true ? 'simd' : simd === false ? 'scalar' : null);
    if (wanted && !sources[wanted]) throw new Error(`the ${wanted} build is not loaded`);
    let chosen = null, bytes = null;
    for (const name of wanted ? [wanted] : BUILDS.filter((n) => sources[n])) {
      bytes = decodeBase64(sources[name]);
      if (WebAssembly.validate(bytes)) {
        chosen = name;
        break;
      }
    }
    if (!chosen) throw new Error(`this engine cannot run the ${wanted} build: it needs ${NEEDS[wanted]}`);
    const { instance } = await WebAssembly.instantiate(bytes, IMPORTS);
    const core = instance.exports;
    if (core._initialize) core._initialize();
    return new Attention(core, chosen);
  }

  class Attention {
    constructor(core, build) {
      this.core = core;
      this.build = build;             /* 'relaxed', 'simd' or 'scalar' */
      this.simd = build !== 'scalar'; /* a SIMD build, relaxed or not */
      this.configFields = this.names(core.attn_config_field_name);
      this.inputNames = this.names(core.attn_input_name);
      this.stageNames = this.names(core.attn_stage_name);
      this.handle = core.attn_new();
      this.dimsOffset = 4 * this.configFields.length;
      this.scratch = core.malloc(this.dimsOffset + 4 * 3); /* the config's ints, then up to 3 dims of a shape */
      if (!this.handle || !this.scratch) throw new CoreError(3, 'out of memory');
      this.plan = null; /* the configuration the core holds: see configure() */
      this.parsed = NOT_PARSED; /* see parse() */
      this.forwardInputs = null; /* the inputs object of the case the core holds: holds(), backward() */
      this.warnings = []; /* what PyTorch 2 warns of the last forward(aCase)'s case, e.g. mixed mask types */
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

    /* Validates config (attn_config's fields by name) and sizes the buffers.
     * Another configuration than the one the core holds zeroes every input.
     * Afterwards this.plan says where each used input and each stage is. */
    configure(config) {
      this.plan = null;
      this.forwardInputs = null; /* the core holds no case's inputs now: see holds() */
      const ints = new Int32Array(this.memory(), this.scratch, this.configFields.length);
      this.configFields.forEach((name, i) => { ints[i] = config[name]; });
      this.check(this.core.attn_configure(this.handle, this.scratch));
      const inputs = [];
      this.inputNames.forEach((name, index) => {
        const pointer = this.core.attn_input(this.handle, index);
        if (pointer) inputs.push({ index, ...located(name, pointer, this.shape(this.core.attn_input_shape, index)) });
      });
      this.plan = {
        config: this.configFields.map((name) => config[name] | 0),
        from: null, /* see planFor() */
        inputs,
        input: Object.fromEntries(inputs.map((input) => [input.name, input])),
        stageShapes: this.stageNames.map((name, i) => [name, this.shape(this.core.attn_stage_shape, i)]),
        stages: null, /* where each stage is, once computed (attn_stage is NULL before) */
        computed: false, /* the stages are those of the inputs as they are: see backward() */
        aliases: {},  /* see write() */
        views: null,  /* see views() */
        gradInputs: null, grads: null, /* where the gradients are: see backward() */
        gradViews: null, /* see gradientViews() */
      };
    }

    /* One forward pass. aCase: the JSON format (numbers or { shape, data }
     * arrays), or what AttnCase.parseCase returned for it; every input it
     * holds is written into the core. Without a case (null or undefined),
     * the pass runs on the inputs already in the core, as forward(aCase),
     * configure() and set() left them: nothing is copied in.
     *
     * Returns every stage as { shape, data: Float32Array }, in the order they
     * are computed. copy (the default): the data are copies, which stay as
     * they are. copy: false: the data are views into wasm memory, the same
     * frozen objects on every call until the configuration changes. A view
     * shows the stages of the latest forward(); it is valid until the next
     * forward(), configure() or dispose(). set() leaves it as it is. After
     * wasm memory grows (only a configuration larger than any before makes
     * it grow, and the first backward() of such a configuration, which
     * allocates the gradients' buffers) an older view is empty: its buffer is
     * detached. */
    forward(aCase, { copy = true } = {}) {
      if (aCase === null || aCase === undefined) {
        if (!this.plan) throw new CoreError(4, 'forward() without a case runs on the inputs in the core, and there are none yet: give a case first');
      } else {
        this.write(aCase);
      }
      this.check(this.core.attn_forward(this.handle));
      const plan = this.plan;
      plan.computed = true;
      if (!plan.stages)
        plan.stages = plan.stageShapes.map(([name, shape], i) => located(name, this.core.attn_stage(this.handle, i), shape));
      return copy ? this.copies(plan.stages) : this.views(plan);
    }

    /* Writes every input of aCase into the core, and marks each changed. */
    write(aCase) {
      const parsed = aCase.config && aCase.inputs ? aCase : this.parse(aCase);
      const { config, inputs } = parsed;
      const plan = this.planFor(config, parsed === this.parsed.result);
      plan.computed = false;
      this.forwardInputs = null; /* (until every input is written) */
      const heap = this.heap();
      for (const { name, index, offset, count, shape } of plan.inputs) {
        const data = inputs[name];
        if (!data || data.length !== count)
          throw new CoreError(1, `${name}: expected ${count} numbers (${shape.join('×')}), got ${data ? data.length : 'none'}`);
        if (count > SMALL) heap.set(data, offset);
        else for (let i = 0; i < count; i++) heap[offset + i] = data[i];
        this.core.attn_input_changed(this.handle, index);
      }
      /* inputs that are one array in the case (key and value default to
       * query): set() writes them together */
      plan.aliases = {};
      for (const a of plan.inputs)
        for (const b of plan.inputs)
          if (a !== b && inputs[a.name] === inputs[b.name]) (plan.aliases[a.name] ||= []).push(b.name);
      this.warnings = Case.warningsFor(config); /* PyTorch 2's, for this case */
      this.forwardInputs = inputs; /* which of query, key and value are one array: backward() */
    }

    /* Writes into an input that the core holds, and marks it changed:
     *   set(name, index, value)  one number (a bool mask takes true/false or 1/0),
     *                            at the flat index (row-major) in its shape
     *   set(name, values)        the whole input: an array-like of as many
     *                            numbers as its shape holds, row-major
     * The next forward() (with or without a case) sees it. The input must be
     * one the current configuration uses (inputShapes() lists them). Inputs
     * that the last forward(aCase) was given as one array are written
     * together: in self-attention (no key or value in the case) a write to
     * query is a write to key and value too, as the case says. */
    set(name, ...args) {
      const input = this.plan && Object.hasOwn(this.plan.input, name) ? this.plan.input[name] : null;
      if (!input) {
        const used = this.plan ? this.plan.inputs.map((i) => i.name).join(', ') : 'none yet: give a case to forward() first';
        throw new RangeError(`set: ${name} is not an input of this configuration (its inputs: ${used})`);
      }
      const { count, shape } = input;
      let write; /* (heap, offset of one input) */
      if (args.length === 2) {
        const [at, value] = args;
        if (!Number.isInteger(at) || at < 0 || at >= count)
          throw new RangeError(`set: ${name} holds ${count} numbers (${shape.join('×')}), so index ${at} is not in it`);
        if (typeof value !== 'number' && typeof value !== 'boolean')
          throw new TypeError(`set: ${name}[${at}]: expected a number, got ${typeof value}`);
        write = (heap, offset) => { heap[offset + at] = value; };
      } else {
        const values = args[0];
        if (args.length !== 1 || !values || typeof values.length !== 'number' || values.length !== count)
          throw new RangeError(`set: ${name}: expected ${count} numbers (${shape.join('×')}), got ${values && typeof values.length === 'number' ? values.length : typeof values}`);
        write = (heap, offset) => {
          if (count > SMALL) heap.set(values, offset);
          else for (let i = 0; i < count; i++) heap[offset + i] = values[i];
        };
      }
      const heap = this.heap();
      for (const target of [name, ...(this.plan.aliases[name] || [])]) {
        const { index, offset } = this.plan.input[target];
        write(heap, offset);
        this.core.attn_input_changed(this.handle, index);
      }
      this.plan.computed = false;
    }

    /* Whether the core holds the inputs of parsed (what AttnCase.parseCase
     * returned): the last forward(parsed) wrote them, and since then only
     * set() has written (no other case, no configure()). Then an edit of one
     * number needs only set() and forward() without a case. */
    holds(parsed) { return this.plan !== null && Boolean(parsed) && this.forwardInputs === parsed.inputs; }

    copies(located) {
      const heap = this.heap(), stages = {};
      for (const { name, offset, count, shape } of located) {
        let data;
        /* a copy of a subarray: heap.slice() is 3-14× slower in Chromium, Firefox and Node */
        if (count > SMALL) data = new Float32Array(heap.subarray(offset, offset + count));
        else {
          data = new Float32Array(count);
          for (let i = 0; i < count; i++) data[i] = heap[offset + i];
        }
        stages[name] = { shape: shape.slice(), data };
      }
      return stages;
    }

    /* Frozen { shape, data } views into wasm memory of located buffers, by name. */
    viewsOf(located) {
      const heap = this.heap(), views = {};
      for (const { name, offset, count, shape } of located)
        views[name] = Object.freeze({ shape: Object.freeze(shape.slice()), data: heap.subarray(offset, offset + count) });
      return views;
    }

    /* The stages as views, made once per configuration and memory buffer. */
    views(plan) {
      const heap = this.heap();
      if (!plan.views || plan.views.buffer !== heap.buffer) plan.views = { buffer: heap.buffer, stages: Object.freeze(this.viewsOf(plan.stages)) };
      return plan.views.stages;
    }

    /* The gradients of a loss L of the last forward()'s results: given holds
     * dL/d output (L×E), and when L also reads them dL/d attn_weights and
     * dL/d weights (H×L×S'), each as nested arrays or { shape, data }; a
     * missing one counts as zeros. Returns dL/d every input the case uses
     * but the masks (query, key, value, the weights and biases), then every
     * stage, as { name: { shape, data: Float32Array } }, copies. query, key
     * and value that were one array in the last forward(aCase) (self-attention:
     * key and value default to query) are one tensor: its gradient, the sum
     * over its uses as autograd gives, is under the first of their names only.
     * It works from the inputs in the core, however they got there (a case,
     * set()), and marks none changed; after a set(), run forward() first (it
     * throws otherwise: the stages would be of other inputs). into: an earlier
     * result of backward(), whose Float32Arrays of the right lengths are
     * filled instead of new ones made (a loop that keeps no result needs no
     * allocation); the returned object is a new one all the same. Or
     * { copy: false }: the data are views into wasm memory, as forward()'s
     * (the same frozen objects on every call while neither the configuration,
     * the memory nor which inputs are one array changes), valid until the
     * next forward(), backward(), configure() or dispose(), and empty after
     * wasm memory grows. */
    backward(given = {}, options = null) {
      const views = Boolean(options) && options.copy === false;
      const into = options && typeof options.copy !== 'boolean' ? options : null; /* an earlier result */
      const plan = this.plan;
      if (!plan || !plan.stages) throw new CoreError(4, 'backward called before forward');
      if (!plan.computed) throw new CoreError(4, 'backward: an input was set after the last forward(): run forward() first');
      const config = Object.fromEntries(this.configFields.map((name, i) => [name, plan.config[i]]));
      const grads = Case.readGradients(given, config);
      if (!plan.gradInputs) plan.gradInputs = ['output', 'attn_weights', 'weights'].map((name) => {
        const index = this.stageNames.indexOf(name);
        return located(name, this.gradInput(index), this.shape(this.core.attn_stage_grad_shape, index));
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
          if (pointer) inputs.push(located(name, pointer, this.shape(this.core.attn_grad_shape, i)));
        });
        plan.grads = [...inputs, ...this.stageNames.map((name, i) => located(name, this.core.attn_stage_grad(this.handle, i), this.shape(this.core.attn_stage_grad_shape, i)))];
      }
      if (views) return this.gradientViews(plan);
      heap = this.heap();
      const result = {};
      for (const { name, offset, count, shape } of plan.grads) {
        const old = into && into[name] && into[name].data;
        const data = old instanceof Float32Array && old.length === count ? old : null;
        if (data) data.set(heap.subarray(offset, offset + count));
        result[name] = { shape: shape.slice(), data: data || new Float32Array(heap.subarray(offset, offset + count)) };
      }
      return sumSharedInputs(result, this.forwardInputs);
    }

    /* The gradients as views, made once per configuration, memory buffer and
     * set of names. The sum of query, key and value that are one array is
     * written over query's gradient in wasm memory (attn_backward() writes
     * it afresh each call). */
    gradientViews(plan) {
      const heap = this.heap();
      if (!plan.gradViews || plan.gradViews.buffer !== heap.buffer) plan.gradViews = { buffer: heap.buffer, all: this.viewsOf(plan.grads), byNames: new Map() };
      const result = sumSharedInputs({ ...plan.gradViews.all }, this.forwardInputs);
      const names = Object.keys(result).join();
      const byNames = plan.gradViews.byNames;
      if (!byNames.has(names)) byNames.set(names, Object.freeze(result));
      return byNames.get(names);
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

    /* ---- the fast path: what forward(aCase) would work out afresh each
     * call, kept while it cannot have changed ---- */

    /* A Float32Array over all of wasm memory, made again after it grows. */
    heap() {
      const buffer = this.memory();
      if (!this.heapView || this.heapView.buffer !== buffer) this.heapView = new Float32Array(buffer);
      return this.heapView;
    }

    /* Configures for config unless the core already holds it, and returns
     * the plan. attn_configure with the configuration it holds changes
     * nothing, so it is skipped. */
    planFor(config, ours) {
      const fields = this.configFields;
      let plan = this.plan;
      if (plan && ours && config === plan.from) return plan;
      if (!plan || !fields.every((name, i) => plan.config[i] === (config[name] | 0))) {
        this.configure(config);
        plan = this.plan;
      }
      /* from: the config object itself when it is parse()'s own, which no
       * caller sees and nothing changes */
      plan.from = ours ? config : null;
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

  /* Where a buffer of the core is in the heap (in floats), and its shape. */
  function located(name, pointer, shape) {
    return { name, offset: pointer / 4, count: shape.reduce((n, d) => n * d, 1), shape };
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

  const api = { createAttention, supportedBuilds, CoreError, BUILDS, sumSharedInputs };
  if (isNode) module.exports = api;
  else root.AttnCore = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
