/* session.js: the one owner of what the page shows. A session holds the case
 * (the JSON format, tokens included), what the format made of it (parsed:
 * the core's configuration and flat inputs), the stages the core computed
 * from it, and the view's settings; and the history of its edits.
 *
 *   const session = new Session({ attention, state: { case, view } });
 *   session.subscribe((change) => ...);       // after every change
 *   session.apply({ type: 'cell', key: 'query', index: 2, value: 1.234 });
 *     -> { ok: true } | { ok: false, error: CaseError }
 *   session.undo(); session.redo();
 *
 * Every change goes through apply(edit): it checks the edit, computes the
 * stages once, and tells the subscribers; an edit that cannot be shown
 * changes nothing. Views read the session and never write into it or into
 * each other. The edits (EDITS below) are:
 *   cell          { key, index, value }   one number (or mask cell) of an input
 *   token         { index, name }         rename query token i
 *   add-token     { }                     a token at the end (self-attention)
 *   remove-token  { index }
 *   option        { key, value }          a module option, a mask kind, padding on/off
 *   example       { name }                an example, as it is
 *   sentence      { text }                a trained example's words as the sentence (X = word + position)
 *   randomize, pytorch-init, reset        new weights; back to the example
 *   case          { case }                a whole case (an import)
 *   state         { state: { case, view } }  a link
 *   inputs        { values: { key: numbers } }  whole inputs at once (a training step)
 *   view          { theme, controls, layout, stage, step, present, hide, grad }  display only (VIEW)
 * Edits of the case are history entries; a run of edits with the same
 * `group` (a drag, a held key, the keys typed into one cell) is one entry.
 * `history: false` (a link opened by Back or Forward) makes none.
 *
 * A change tells subscribers { edit, structure, values, labels, view }:
 * structure when the shapes or options changed (the matrices are made
 * anew), values when numbers changed, labels when tokens did, view when a
 * display setting did. An edit made while subscribers are being told of a
 * change is refused (err.telling): it was meant for the state before it.
 *
 * A classic script: the global AttnSession in a page, module.exports in Node.
 *
 * Sensitivity (view.grad, a result such as "output:0,1"): sensitivity()
 * gives ∂result/∂ every input, one backward pass per change, kept until
 * the next change.
 *
 * needs: AttnCase, AttnCases, AttnVocabulary, AttnCatalogue, AttnSensitivity */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Case = isNode ? require('../../case.js') : root.AttnCase;
  const Cases = isNode ? require('./cases.js') : root.AttnCases;
  const Catalogue = isNode ? require('./catalogue.js') : root.AttnCatalogue;
  const Vocabulary = isNode ? require('./vocabulary.js') : root.AttnVocabulary;
  const Sensitivity = isNode ? require('./sensitivity.js') : root.AttnSensitivity;

  const HISTORY_LIMIT = 200;

  /* The view's settings: only about the display, never in the history. One
   * table drives their checks here and their text in a link (link.js).
   *   values   one of these (the first is the default)
   *   stage    a stage's name, or null
   *   step     a section's number, 1 to N, or null (the walk-through closed)
   *   flag     true or false
   *   list     a list of these names (what a lesson link hides)
   *   result   a result whose sensitivity is shown ("output:0,1",
   *            "weights:h,i,j": sensitivity.js), or null
   *   lang     a language tag ("es"), or null: the host's language
   *            (text/text.js picks the table; the app is made in it) */
  const HIDEABLE = ['example', 'embed_dim', 'num_heads', 'bias', 'add_bias_kv', 'add_zero_attn', 'average_attn_weights',
    'attn_mask', 'key_padding_mask', 'walk', 'randomize', 'pytorch', 'reset', 'undo', 'redo', 'theme', 'layout', 'present', 'share',
    'controls', 'lines', 'player', 'connectors', 'plane', 'train'];
  const VIEW = {
    theme: { values: ['auto', 'light', 'dark'] },
    controls: { values: ['full', 'compact', 'none'] },
    layout: { values: ['pass', 'steps'] },
    stage: { stage: true },
    step: { step: true },
    present: { flag: true },
    hide: { list: HIDEABLE },
    grad: { result: true },
    lang: { lang: true },
  };
  const VIEW_DEFAULTS = { theme: 'auto', controls: 'full', layout: 'pass', stage: null, step: null, present: false, hide: [], grad: null, lang: null };
  const error = (key, id, values = {}) => new Case.CaseError(key, id, values); /* (keyed: text/en.js, err.*) */

  /* Each edit: (session, edit) -> the new case, or undefined when it only
   * changes the case in place (cell, token: the hot path). Throws a
   * CaseError when it cannot be done. */
  const EDITS = {
    cell(s, { key, index, value }) {
      const data = s.parsed.inputs[key], shape = s.inputShapes[key];
      if (!data || !shape || key === 'key' && !s.case.key || key === 'value' && !s.case.value)
        throw error(key, 'err.notInput', { key });
      if (!Number.isInteger(index) || index < 0 || index >= data.length) throw error(key, 'err.noCell', { key, index });
      const bool = isBoolMask(s, key);
      if (bool ? typeof value !== 'boolean' : typeof value !== 'number')
        throw error(key, bool ? 'err.bool' : 'err.number', { key, path: key, got: Case.described(value) });
      if (!bool && !Case.inFloat32Range(value)) throw error(key, 'err.range', { path: key, value });
      setNested(s.case[key], shape, index, bool ? value : Number.isFinite(value) ? value : Case.jsonNumber(value));
      data[index] = bool ? Number(value) : value;
      s.changed = { key, index, value: data[index] };
      return undefined;
    },
    token(s, { index, name }) {
      const tokens = Cases.queryTokens(s.case);
      if (!Number.isInteger(index) || index < 0 || index >= tokens.length) throw error('tokens', 'err.noToken', { index });
      const text = String(name).trim();
      if (!text) throw error('tokens', 'err.tokenName');
      if (text.length > Cases.LIMITS.tokenLength) throw error('tokens', 'err.tokenLength', { n: Cases.LIMITS.tokenLength });
      tokens[index] = text;
      s.parsed.tokens.query[index] = text; /* (tokens.key is the same array in self-attention) */
      s.changed = { token: index, name: text };
      return undefined;
    },
    'add-token': (s) => {
      const L = s.parsed.config.tgt_len;
      if (L >= Cases.LIMITS.tokens) throw error('tokens', 'err.tokens', { n: Cases.LIMITS.tokens });
      return Cases.withTokenAdded(s.case, L, `token${L + 1}`);
    },
    'remove-token': (s, { index }) => Cases.withTokenRemoved(s.case, index),
    option(s, { key, value }) {
      const spec = Case.KEY[key];
      if (spec && spec.type === 'int' && (!Number.isInteger(value) || value < 1)) throw error(key, 'c.whole', { name: key });
      return Cases.withOption(s.case, key, value);
    },
    example(s, { name }) {
      if (!Object.hasOwn(Cases.EXAMPLES, name)) throw error('example', 'err.noExample', { name });
      return Cases.EXAMPLES[name].make();
    },
    sentence(s, { text }) {
      const vocabulary = s.vocabulary();
      if (!vocabulary) throw error('tokens', 'err.sentence');
      return Vocabulary.sentenceCase(vocabulary, text, s.case);
    },
    randomize: (s) => Cases.randomWeights(s.case),
    'pytorch-init': (s) => Cases.pytorchInit(s.case),
    reset: (s) => Cases.EXAMPLES[s.baseExample].make(),
    inputs(s, { values }) {
      const changed = [];
      for (const [key, numbers] of Object.entries(values)) {
        const data = s.parsed.inputs[key], shape = s.inputShapes[key];
        if (!data || !shape || isBoolMask(s, key) || key === 'key' && !s.case.key || key === 'value' && !s.case.value)
          throw error(key, 'err.notNumbers', { key });
        if (!numbers || numbers.length !== data.length) throw error(key, 'err.count', { key, n: data.length });
        for (let i = 0; i < numbers.length; i++)
          if (typeof numbers[i] !== 'number' || !Case.inFloat32Range(numbers[i])) throw error(key, 'err.float32', { key, got: Case.described(numbers[i]) });
        changed.push([key, numbers]);
      }
      for (const [key, numbers] of changed) {
        const shape = s.inputShapes[key];
        setAll(s.case[key], shape, numbers);
        s.parsed.inputs[key].set(numbers);
      }
      s.changed = { inputs: changed.map(([key]) => key) };
      return undefined;
    },
    /* owned: the caller gives the case away (a model file just read): no copy of its 2.4 M numbers */
    case: (s, { case: c, owned }) => (owned ? c : Cases.copy(c)),
    state: (s, { state }) => Cases.copy(state.case),
  };

  function isBoolMask(s, key) {
    const c = s.parsed.config;
    return (key === 'attn_mask' && c.attn_mask_kind === Case.MASK.bool) || (key === 'key_padding_mask' && c.key_padding_mask_kind === Case.MASK.bool);
  }

  /* nested[i][j]... = value, for the flat index of a row-major shape. */
  function setNested(nested, shape, index, value) {
    let node = nested;
    for (let d = 0; d < shape.length - 1; d++) {
      const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
      node = node[Math.floor(index / stride)];
      index %= stride;
    }
    node[index] = value;
  }

  /* nested[i][j]... for the flat index of a row-major shape (undefined past its end). */
  function getNested(nested, shape, index) {
    let node = nested;
    for (let d = 0; d < shape.length - 1 && node; d++) {
      const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
      node = node[Math.floor(index / stride)];
      index %= stride;
    }
    return node?.[index];
  }

  /* Input `key`'s number at a flat index in a case (a non-finite one is written as text: NaN, -Infinity). */
  const numberIn = (c, key, index) => Number(getNested(c[key], shapeOf(c[key]), index));

  /* The shape of nested arrays, from their first elements. */
  function shapeOf(nested) {
    const shape = [];
    for (let x = nested; Array.isArray(x); x = x[0]) shape.push(x.length);
    return shape;
  }

  /* Every number of a nested array from flat row-major numbers. */
  function setAll(nested, shape, numbers, offset = 0) {
    const stride = shape.slice(1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < shape[0]; i++) {
      if (shape.length > 1) setAll(nested[i], shape.slice(1), numbers, offset + i * stride);
      else nested[i] = Number.isFinite(numbers[offset + i]) ? numbers[offset + i] : Case.jsonNumber(numbers[offset + i]);
    }
  }

  class Session {
    /* lang: the language of the page's words (text/text.js), for as long as
     * the session lives: another language is another app */
    constructor({ attention, state, lang = 'en' }) {
      this.attention = attention;
      this.lang = lang;
      this.listeners = new Set();
      this.entries = [];     /* history: { case (null: the one shown), group, id } */
      this.position = -1;    /* the entry shown */
      this.entriesMade = 0;  /* entry ids: they outlive a trimmed history's positions */
      this.version = 0;      /* counts the changes (what sensitivity() keeps is of one) */
      this.telling = false;  /* the subscribers are being told of a change */
      const result = this.apply({ type: 'state', state });
      if (!result.ok) throw result.error;
    }

    /* ---- reading ---- */

    get config() { return this.parsed.config; }

    /* The query rows' labels, the key rows' (S), and the keys after the extra rows (S'). */
    labels() { return Catalogue.labels(this.parsed, this.lang); }

    /* The sections of the page, in the order of the formula (catalogue.js). */
    sections() { return this.catalogue; }

    /* The trained example the case came from (Reset goes back to it): its
     * EXAMPLES entry, or null for the lecture and the random ones. */
    trained() {
      const entry = Cases.EXAMPLES[this.baseExample];
      return entry && entry.kind === 'trained' ? entry : null;
    }

    /* Where the case's numbers come from, for the lessons: the kind of the
     * example it is ('lecture', 'trained' or 'random'); once edited, a
     * trained example's still ('trained', as its lesson stays); else null
     * (the user's own, or a file's). */
    origin() {
      return (Cases.EXAMPLES[this.example] || this.trained())?.kind ?? null;
    }

    /* Its title, summary and lesson in the session's language, or null. */
    trainedWords() {
      const entry = this.trained();
      return entry && Cases.wordsOf(entry, this.lang);
    }

    /* Its vocabulary, when the case can take its sentences (X as the words'
     * rows and the places', the same E). */
    vocabulary() {
      const entry = this.trained();
      return entry && Cases.isSelfAttention(this.case) && entry.vocabulary.positions[0].length === this.config.embed_dim ? entry.vocabulary : null;
    }

    /* The state as a link holds it: copies, free to keep. */
    getState() { return { case: Cases.copy(this.case), view: { ...this.view } }; }

    subscribe(listener) {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    }

    /* ---- changing ---- */

    /* Applies one edit. Returns { ok: true }, or { ok: false, error } with a
     * CaseError whose key names the input, option or control at fault; then
     * nothing has changed. */
    apply(edit) {
      /* An edit made while the subscribers are told of another change comes
       * from a field that change rebuilt or moved (Chromium fires blur and
       * change then), and means the state before it: it is refused. */
      if (this.telling) return { ok: false, error: error('', 'err.telling') };
      try {
        const change = edit.type === 'view' ? this.applyView(edit) : this.applyCase(edit);
        if (change) {
          this.telling = true;
          try { for (const listener of [...this.listeners]) listener(change); } finally { this.telling = false; }
        }
        return { ok: true };
      } catch (e) {
        if (e instanceof Case.CaseError || e.name === 'CoreError') return { ok: false, error: e.name === 'CoreError' ? new Case.CaseError('', e.message) : e };
        throw e;
      }
    }

    applyCase(edit) {
      const run = EDITS[edit.type];
      if (!run) throw error('', 'err.edit', { type: edit.type });
      if (!this.parsed && edit.type !== 'state') throw error('', 'err.noCase');
      const inPlace = edit.type === 'cell' || edit.type === 'token' || edit.type === 'inputs';
      const before = { structure: this.parsed ? Catalogue.structureOf(this.parsed, this.case) : '', view: JSON.stringify(this.view) };
      /* the entry shown gets its copy now, when this edit opens a new one:
       * a cell or a token changes the case in place */
      const current = this.entries[this.position];
      const opens = edit.history !== false && !(edit.group && current && current.group === edit.group && this.position === this.entries.length - 1);
      /* a cell's edit keeps only the number it replaces (a BERT-size case
       * has 2.4 M: a copy per edit would take 100 ms); a run of edits of
       * that cell goes on with it, any other edit makes the copy whole */
      const previous = this.entries[this.position - 1];
      if (!opens && previous && previous.case && previous.case.cell && !(edit.type === 'cell' && edit.key === previous.case.cell.key && edit.index === previous.case.cell.index))
        previous.case = this.caseOf(this.position - 1);
      const snapshot = !opens || !current ? null
        : edit.type === 'cell' && this.inputShapes?.[edit.key] && this.case[edit.key] && Number.isInteger(edit.index) ? { cell: { key: edit.key, index: edit.index, value: getNested(this.case[edit.key], shapeOf(this.case[edit.key]), edit.index) } }
          : Cases.copy(this.case);
      this.changed = null; /* (a cell edit says which number it changed) */
      const next = run(this, edit);
      this.version++;
      if (next === undefined) this.compute(); /* a cell or a token, changed in place */
      else this.show(next, edit);
      if (opens) {
        if (current) current.case = snapshot;
        this.entries.length = this.position + 1; /* a new edit drops what was undone */
        this.entries.push({ case: null, group: edit.group || null, id: ++this.entriesMade });
        if (this.entries.length > HISTORY_LIMIT) this.entries.shift();
        this.position = this.entries.length - 1;
      }
      return {
        edit, values: edit.type !== 'token', labels: !inPlace || edit.type === 'token',
        structure: !inPlace && Catalogue.structureOf(this.parsed, this.case) !== before.structure,
        view: !inPlace && JSON.stringify(this.view) !== before.view,
      };
    }

    /* A new case (and, from a link, a view): checked as the page shows it,
     * computed, and only then kept. */
    show(next, edit) {
      const parsed = Cases.check(next);
      let stages, inputShapes, catalogue, view;
      try {
        stages = this.attention.forward(parsed); /* copies: they outlast the views of compute() */
        inputShapes = this.attention.inputShapes();
        catalogue = Catalogue.sections({ parsed, case: next, stages, inputShapes, lang: this.lang });
        view = edit.type === 'state' ? checkedView(withDefaults({ ...VIEW_DEFAULTS, ...edit.state.view }), catalogue)
          : {
            ...this.view, step: this.view.step && Math.min(this.view.step, catalogue.length), stage: hasStage(catalogue, this.view.stage) ? this.view.stage : null,
            grad: this.view.grad && !Sensitivity.fault(this.view.grad, shapesOf(catalogue)) ? this.view.grad : null,
          };
      } catch (e) {
        /* refused: the core may hold the refused case, or none, and the
         * stages may be its views: the last good case goes back in */
        if (this.parsed && !this.attention.holds(this.parsed)) this.stages = this.attention.forward(this.parsed);
        throw e;
      }
      Object.assign(this, { case: next, parsed, stages, inputShapes, catalogue, view });
      this.example = this.shownExample = Cases.exampleOf(next);
      this.unlikeExample = new Set(); /* (exampleStill) */
      if (this.example) this.baseExample = this.example; /* what Reset goes back to */
      else if (!this.baseExample) this.baseExample = Cases.DEFAULT_EXAMPLE;
    }

    /* After a cell or a token changed in place. A token is a label: no
     * number changes. A cell: when the core holds this case, that one number
     * is written into it and the pass runs on what it holds, its stages read
     * as views into wasm memory (core.js: valid until the next forward();
     * nothing keeps them past a change); otherwise the case is written whole. */
    compute() {
      this.example = this.exampleStill();
      if (!this.changed || this.changed.token !== undefined) return;
      const { key, index, value, inputs } = this.changed;
      if (inputs && this.attention.holds(this.parsed)) {
        for (const name of inputs) this.attention.set(name, this.parsed.inputs[name]);
        this.stages = this.attention.forward(null, { copy: false });
      } else if (inputs) {
        this.stages = this.attention.forward(this.parsed, { copy: false });
      } else if (this.attention.holds(this.parsed)) {
        this.attention.set(key, index, value);
        this.stages = this.attention.forward(null, { copy: false });
      } else {
        this.stages = this.attention.forward(this.parsed, { copy: false });
      }
    }

    /* Input `key`'s number at a flat index as the case holds it: as typed,
     * not its float32 (so an edit put back restores it exactly). */
    numberAt(key, index) { return numberIn(this.case, key, index); }

    /* After an edit in place: the example the case still is, or null (an
     * edited example is the user's own). this.unlikeExample holds the cells
     * and tokens where the case differs from the example it was shown as,
     * so numbers put back (Escape, a text refused, the number typed again)
     * give the example back. Inputs set whole are not followed. */
    exampleStill() {
      const changed = this.changed;
      if (changed?.inputs) this.shownExample = null;
      if (!this.shownExample || !changed) return null;
      const original = Cases.exampleCase(this.shownExample);
      let id, same;
      if (changed.token !== undefined) {
        id = `token ${changed.token}`;
        same = Cases.queryTokens(original)[changed.token] === changed.name;
      } else {
        const number = Math.fround(numberIn(original, changed.key, changed.index));
        id = `${changed.key} ${changed.index}`;
        same = number === changed.value || Number.isNaN(number) && Number.isNaN(changed.value);
      }
      if (same) this.unlikeExample.delete(id);
      else this.unlikeExample.add(id);
      return this.unlikeExample.size ? null : this.shownExample;
    }

    applyView(edit) {
      const changes = {};
      for (const key of Object.keys(VIEW_DEFAULTS)) if (key in edit) changes[key] = edit[key];
      const view = checkedView(withDefaults({ ...this.view, ...changes }), this.catalogue);
      if (JSON.stringify(view) === JSON.stringify(this.view)) return null;
      this.view = view;
      this.version++;
      return { edit, structure: false, values: false, labels: false, view: true };
    }

    /* ---- gradients ---- */

    /* dL/d every input and stage of the case shown, for given dL/d output
     * (and weights): attention.backward() on the session's case. The core
     * holds it (else it is written in); backward() may grow wasm memory,
     * which empties the stages' views: they are read again. */
    gradients(given, into = null) {
      this.hold();
      const grads = this.attention.backward(given, into);
      if (Object.values(this.stages).some((stage) => stage.data.length === 0)) this.stages = this.attention.forward(null, { copy: false });
      return grads;
    }

    /* The core holds this case after this (what set() and backward() need). */
    hold() {
      if (!this.attention.holds(this.parsed)) this.stages = this.attention.forward(this.parsed, { copy: false });
    }

    /* The pinned result's sensitivity, or null: { result, value, grads },
     * grads[input] = ∂result/∂ input; computed once per change. */
    sensitivity() {
      if (!this.view.grad) return null;
      if (this.sensitivityOf && this.sensitivityOf.version === this.version) return this.sensitivityOf.value;
      const result = Sensitivity.parse(this.view.grad), shapes = shapesOf(this.catalogue);
      const [, L, S2] = shapes.weights, E = shapes.output[1];
      const value = result.stage === 'output' ? this.stages.output.data[result.row * E + result.col] : this.stages.weights.data[(result.head * L + result.row) * S2 + result.col];
      const grads = this.gradients(Sensitivity.given(result, shapes));
      const sensitivity = { result, value, grads };
      this.sensitivityOf = { version: this.version, value: sensitivity };
      return sensitivity;
    }

    /* ---- history: entries of the case, the one shown live (no copy) ---- */

    get canUndo() { return this.position > 0; }
    get canRedo() { return this.position < this.entries.length - 1; }

    undo() { return this.goTo(this.position - 1); }
    redo() { return this.goTo(this.position + 1); }

    /* The id of the entry shown, and the entry of an id (for the browser's history). */
    get entryId() { return this.entries[this.position].id; }
    goToEntry(id) { return this.goTo(this.entries.findIndex((entry) => entry.id === id)); }

    /* The entries after the one of id and before the one shown, each { id,
     * state } (copies, in the view shown): what a history written late (the
     * browser's) has not recorded yet. [] when there are none, or no entry
     * of that id. */
    entriesBetween(id) {
      const from = this.entries.findIndex((entry) => entry.id === id);
      if (from < 0) return [];
      return this.entries.slice(from + 1, this.position).map((entry, k) => ({ id: entry.id, state: { case: this.caseOf(from + 1 + k), view: { ...this.view } } }));
    }

    /* A copy of entry i's case. An entry holds its case, or null (the one
     * shown), or { cell: { key, index, value } }: entry i + 1's case with
     * that one number as it was before the edit that made entry i + 1. */
    caseOf(i) {
      let j = i;
      while (j < this.entries.length && this.entries[j].case && this.entries[j].case.cell) j++;
      const c = Cases.copy(j === this.entries.length || !this.entries[j].case ? this.case : this.entries[j].case);
      for (let k = j - 1; k >= i; k--) {
        const { key, index, value } = this.entries[k].case.cell;
        setNested(c[key], shapeOf(c[key]), index, value);
      }
      return c;
    }

    /* Shows history entry i (undo, redo, Back, Forward); false when there is none. */
    goTo(i) {
      if (!Number.isInteger(i) || i < 0 || i >= this.entries.length || i === this.position) return false;
      const from = this.position, current = this.entries[from], target = this.entries[i];
      const targetCase = this.caseOf(i);
      current.case = Cases.copy(this.case);
      for (const entry of this.entries) entry.group = null; /* no run of edits goes on across a jump */
      this.position = i; /* before apply: subscribers see where the history is */
      if (!this.apply({ type: 'case', case: targetCase, history: false }).ok) {
        this.position = from;
        current.case = null;
        return false;
      }
      target.case = null; /* live again */
      return true;
    }
  }

  /* The view's settings, checked against VIEW and the sections the case has. */
  function checkedView(view, catalogue) {
    for (const [key, spec] of Object.entries(VIEW)) {
      const value = view[key];
      if (spec.values && !spec.values.includes(value))
        throw error(key, 'err.values', { key, values: spec.values.join(', '), got: Case.described(value) });
      if (spec.flag && typeof value !== 'boolean') throw error(key, 'err.bool', { key, got: Case.described(value) });
      if (spec.list && !(Array.isArray(value) && value.every((x) => spec.list.includes(x))))
        throw error(key, 'err.names', { key, names: spec.list.join(', '), got: Case.described(Array.isArray(value) ? value.find((x) => !spec.list.includes(x)) : value) });
      if (spec.step && value !== null && !(Number.isInteger(value) && value >= 1 && value <= catalogue.length))
        throw error(key, 'err.step', { n: catalogue.length, got: Case.described(value) });
      if (spec.lang && value !== null && !(typeof value === 'string' && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(value)))
        throw error(key, 'err.lang', { got: Case.described(value) });
      if (spec.result && value !== null) {
        const problem = Sensitivity.fault(value, shapesOf(catalogue));
        if (problem) throw error(key, problem.id, problem.values);
      }
      if (spec.stage && value !== null && !hasStage(catalogue, value))
        throw error(key, 'err.stage', { stage: String(value).slice(0, 30), stages: catalogue.flatMap((s) => s.cards.filter((c) => c.stage).map((c) => c.stage)).join(', ') });
    }
    return view;
  }

  /* null or undefined: the default (a link or an edit that leaves a setting out). */
  const withDefaults = (view) => Object.fromEntries(Object.keys(VIEW_DEFAULTS).map((key) => [key, view[key] ?? VIEW_DEFAULTS[key]]));

  /* The shapes of output and weights, from the cards. */
  function shapesOf(catalogue) {
    const shape = (name) => catalogue.flatMap((s) => s.cards).find((card) => card.stage === name).shape;
    return { output: shape('output'), weights: shape('weights') };
  }

  const hasStage = (catalogue, name) => Boolean(name) && catalogue.some((section) => section.cards.some((card) => card.stage === name));

  const api = { Session, EDITS, VIEW, VIEW_DEFAULTS };
  if (isNode) module.exports = api;
  else root.AttnSession = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
