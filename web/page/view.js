/* view.js: the visualiser, drawn into any element (the page's, or a widget's
 * shadow root): the controls, then every stage in the order it is computed,
 * recomputed by the wasm core on every edit.
 *
 *   const view = new AttnView(host, { attention, state, onChange });
 *
 * state is { case, view } (see state.js); onChange(view) is called after
 * every change (view.getState() gives the state), e.g. to write the URL hash.
 *
 * A classic script: the global AttnView (needs AttnCase, AttnFormat,
 * AttnState, AttnExplain, AttnMatrix, AttnWalkthrough, AttnPlane, AttnPreview,
 * AttnShare). */
(function (root) {
  'use strict';

  const { Matrix, el } = root.AttnMatrix;
  const State = root.AttnState, Format = root.AttnFormat, Explain = root.AttnExplain, Case = root.AttnCase;

  const COMPACT_COLS = 10; /* wider matrices show colour only; numbers on hover */
  const COMPACT_ROWS = 24;
  const FLAGS = ['bias', 'add_bias_kv', 'add_zero_attn', 'average_attn_weights']; /* the module's on/off options */
  const LAZY_CELLS = 4000; /* from this many cells, steps off screen are skipped (build) */
  let views = 0; /* several views in one page need distinct ids */

  /* "W_{q}ᵀ" -> W<sub>q</sub>ᵀ: formulas as DOM, never as HTML text. */
  function formula(text) {
    const span = el('span', { className: 'formula' });
    for (const part of text.split(/(_\{[^}]*\})/)) {
      if (/^_\{.*\}$/.test(part)) span.append(el('sub', { text: part.slice(2, -1) }));
      else if (part) span.append(part);
    }
    return span;
  }

  const range = (n, offset = 0) => Array.from({ length: n }, (_, i) => String(i + offset));
  const headBandsOf = (H, hd) => (H > 1 ? Array.from({ length: H }, (_, h) => ({ label: `head ${h + 1}`, size: hd })) : null);

  class AttnView {
    constructor(host, { attention, state, onChange = () => {} }) {
      this.id = `attn${++views}`;
      this.attention = attention;
      this.onChange = onChange;
      this.matrices = {};
      this.structure = null;
      this.root = el('div', { className: 'attn-view' });
      this.banner = el('p', { className: 'banner', role: 'status', hidden: true });
      this.controls = this.buildControls();
      this.stagesElement = el('div', { className: 'stages' });
      this.tooltip = el('div', { className: 'explain', role: 'status', 'aria-live': 'polite', hidden: true });
      this.footer = el('p', { className: 'footer', text: `Every number is computed by the attention core in WebAssembly (${attention.simd ? 'SIMD' : 'scalar'} build), float32, as torch.nn.MultiheadAttention computes it.` });
      this.focusBar = el('p', { className: 'focus-bar', hidden: true });
      this.root.append(this.banner, this.controls, this.focusBar, this.stagesElement, this.tooltip, this.footer);
      host.append(this.root);
      this.darkQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
      if (this.darkQuery) this.darkQuery.addEventListener('change', () => this.paint());
      /* print in the light palette, whatever the screen shows */
      if (typeof addEventListener === 'function') {
        addEventListener('beforeprint', () => { this.printing = true; this.paint(); });
        addEventListener('afterprint', () => { this.printing = false; this.paint(); });
      }
      this.walkthrough = new root.AttnWalkthrough.Walkthrough(this);
      this.setState(state);
    }

    /* ---- state ---- */

    /* Shows state; throws a CaseError (and keeps the current state) when it
     * cannot be shown. */
    setState(state) {
      const parsed = State.check(state.case);
      this.case = JSON.parse(JSON.stringify(state.case));
      this.view = { theme: 'auto', controls: 'full', ...state.view };
      this.parsed = parsed;
      this.compute();
      this.render();
      this.syncControls();
      if (Number.isInteger(this.view.step)) this.walkthrough.go(this.view.step);
      else if (this.walkthrough.active) this.walkthrough.stop();
    }

    getState() {
      return { case: JSON.parse(JSON.stringify(this.case)), view: { ...this.view } };
    }

    /* Tells onChange(view) that the state changed; view.getState() has it. */
    notify() { this.onChange(this); }

    /* A new case from a control: shown if valid, else the control says why. */
    commit(newCase, control) {
      try {
        this.parsed = State.check(newCase);
      } catch (e) {
        this.controlError(control, e.message);
        return false;
      }
      this.controlError(control, null);
      this.case = newCase;
      this.compute();
      this.render();
      this.syncControls();
      this.notify();
      return true;
    }

    /* After this.case was edited in place (the plane): values only. */
    refresh() {
      this.parsed = Case.parseCase(this.case);
      this.edited();
    }

    /* After any edit in place (a cell, a token, the plane): the example is no
     * longer the preset (Reset goes back to it); recompute, repaint, tell. */
    edited() {
      this.inputs.preset.value = 'custom';
      this.compute();
      this.paint();
      this.notify();
    }

    compute() {
      this.stages = this.attention.forward(this.parsed);
    }

    theme() {
      if (this.printing) return 'light';
      if (this.view.theme !== 'auto') return this.view.theme;
      return this.darkQuery && this.darkQuery.matches ? 'dark' : 'light';
    }

    showBanner(message) {
      this.banner.textContent = message || '';
      this.banner.hidden = !message;
    }

    /* ---- controls ---- */

    buildControls() {
      const bar = el('div', { className: 'controls', role: 'toolbar', 'aria-label': 'Attention settings' });
      const field = (label, input, name) => {
        const message = el('span', { className: 'control-error', role: 'alert', id: `${this.id}-${name}-error` });
        const wrap = el('label', { className: 'control', 'data-control': name }, [el('span', { text: label }), input, message]);
        return wrap;
      };
      const number = (name, min, max) => el('input', { type: 'number', min, max, step: 1, name, inputmode: 'numeric' });
      const check = (name) => el('input', { type: 'checkbox', name });
      const select = (name, options) => {
        const s = el('select', { name });
        for (const [value, label] of options) s.append(el('option', { value, text: label }));
        return s;
      };
      const button = (name, text, title) => el('button', { type: 'button', name, text, title });
      this.inputs = {
        preset: select('preset', Object.entries(State.PRESETS).map(([k, p]) => [k, p.label]).concat([['custom', 'custom']])),
        embed_dim: number('embed_dim', 1, State.LIMITS.embed_dim),
        num_heads: number('num_heads', 1, State.LIMITS.num_heads),
        ...Object.fromEntries(FLAGS.map((flag) => [flag, check(flag)])),
        mask: select('mask', [['none', 'no attn_mask'], ['causal', 'causal (bool)'], ['custom', 'bool, click cells'], ['float', 'float, type values']]),
        key_padding_mask: check('key_padding_mask'),
        theme: select('theme', [['auto', 'theme: auto'], ['light', 'light'], ['dark', 'dark']]),
      };
      const i = this.inputs;
      const groups = [
        el('div', { className: 'control-group' }, [field('example', i.preset, 'preset'), field('embed_dim E', i.embed_dim, 'embed_dim'), field('num_heads H', i.num_heads, 'num_heads')]),
        el('div', { className: 'control-group' }, FLAGS.map((flag) => field(flag, i[flag], flag))),
        el('div', { className: 'control-group' }, [field('attn_mask', i.mask, 'mask'), field('key_padding_mask', i.key_padding_mask, 'key_padding_mask')]),
        el('div', { className: 'control-group' }, [
          this.inputs.walk = button('walk', 'Step through', 'The stages one at a time, in the lecture’s order'),
          button('randomize', 'Randomize', 'New random weights'),
          button('pytorch', 'PyTorch init', 'The weights nn.MultiheadAttention starts with'),
          button('reset', 'Reset', 'Back to the example as it was'),
          field('', i.theme, 'theme'),
        ]),
      ];
      this.share = new root.AttnShare.Share(this);
      bar.append(...groups, this.share.element);
      this.wireControls(bar);
      return bar;
    }

    wireControls(bar) {
      const i = this.inputs;
      i.preset.addEventListener('change', () => {
        const preset = State.PRESETS[i.preset.value];
        if (preset) this.commit(preset.make(), 'preset');
      });
      i.embed_dim.addEventListener('change', () => {
        const E = Number(i.embed_dim.value);
        if (!Number.isInteger(E) || E < 1) return this.controlError('embed_dim', 'embed_dim: a whole number from 1');
        if (E > State.LIMITS.embed_dim) return this.controlError('embed_dim', `the page shows embed_dim up to ${State.LIMITS.embed_dim}`);
        this.commit(State.withEmbedDim(this.case, E), 'embed_dim');
      });
      i.num_heads.addEventListener('change', () => {
        const H = Number(i.num_heads.value);
        if (!Number.isInteger(H) || H < 1) return this.controlError('num_heads', 'num_heads: a whole number from 1');
        this.commit(State.withHeads(this.case, H), 'num_heads');
      });
      for (const flag of FLAGS)
        i[flag].addEventListener('change', () => this.commit(State.withFlag(this.case, flag, i[flag].checked), flag));
      i.mask.addEventListener('change', () => this.commit(this.withMaskMode(i.mask.value), 'mask'));
      i.key_padding_mask.addEventListener('change', () => {
        const c = { ...this.case };
        if (i.key_padding_mask.checked) c.key_padding_mask = new Array(this.parsed.config.src_len).fill(false);
        else delete c.key_padding_mask;
        this.commit(c, 'key_padding_mask');
      });
      i.theme.addEventListener('change', () => {
        this.view.theme = i.theme.value;
        this.root.dataset.theme = this.view.theme;
        this.paint();
        this.notify();
      });
      bar.querySelector('[name=walk]').addEventListener('click', () => this.walkthrough.start(0));
      bar.querySelector('[name=randomize]').addEventListener('click', () => this.commit(State.randomWeights(this.case), 'preset'));
      bar.querySelector('[name=pytorch]').addEventListener('click', () => this.commit(State.pytorchInit(this.case), 'preset'));
      bar.querySelector('[name=reset]').addEventListener('click', () => this.commit(State.PRESETS[this.basePreset || 'lecture'].make(), 'preset'));
    }

    /* The case with attn_mask as the mask control asks. */
    withMaskMode(mode) {
      const c = { ...this.case };
      const { tgt_len: L, src_len: S } = this.parsed.config;
      const current = c.attn_mask && (Array.isArray(c.attn_mask[0][0]) ? c.attn_mask[0] : c.attn_mask);
      const isBool = current && typeof current[0][0] === 'boolean';
      if (mode === 'none') delete c.attn_mask;
      if (mode === 'causal') c.attn_mask = State.causalMask(L, S);
      if (mode === 'custom') c.attn_mask = isBool ? current.map((r) => r.slice()) : Array.from({ length: L }, () => new Array(S).fill(false));
      if (mode === 'float') c.attn_mask = current ? current.map((r) => r.map((x) => (isBool ? (x ? '-Infinity' : 0) : x))) : Array.from({ length: L }, () => new Array(S).fill(0));
      return c;
    }

    maskMode() {
      const m = this.case.attn_mask;
      if (!m) return 'none';
      const first = Array.isArray(m[0][0]) ? m[0] : m;
      if (typeof first[0][0] !== 'boolean') return 'float';
      const causal = first.every((row, r) => row.every((x, j) => x === j > r));
      return causal && !Array.isArray(m[0][0]) ? 'causal' : 'custom';
    }

    syncControls() {
      const i = this.inputs, c = this.parsed.config;
      i.preset.value = State.presetOf(this.case);
      if (i.preset.value !== 'custom') this.basePreset = i.preset.value; /* what Reset goes back to */
      i.embed_dim.value = c.embed_dim;
      i.num_heads.value = c.num_heads;
      for (const flag of FLAGS) i[flag].checked = Boolean(c[flag]);
      i.mask.value = this.maskMode();
      i.key_padding_mask.checked = Boolean(this.case.key_padding_mask);
      i.theme.value = this.view.theme;
      this.root.dataset.theme = this.view.theme;
      this.root.dataset.controls = this.view.controls;
    }

    /* view.stage: show only that stage (and X, to edit); the rest behind a
     * button. For links and embeds that are about one stage. */
    applyFocus() {
      const stage = this.view.stage;
      const known = stage && this.root.querySelector(`.card[data-card="${CSS.escape(stage)}"]`);
      if (stage && !known) this.showBanner(`There is no stage “${stage}” to show; showing every stage.`);
      const focus = known ? stage : null;
      this.root.toggleAttribute('data-focus', Boolean(focus));
      for (const card of this.root.querySelectorAll('.card')) card.classList.toggle('is-focus', Boolean(focus) && (card.dataset.card === focus || card.dataset.card === 'query'));
      for (const section of this.root.querySelectorAll('.step')) section.classList.toggle('is-focus', Boolean(section.querySelector('.card.is-focus')));
      this.focusBar.hidden = !focus;
      if (!focus) return;
      const all = el('button', { type: 'button', text: 'Show every stage' });
      all.addEventListener('click', () => { this.view.stage = undefined; this.applyFocus(); this.notify(); });
      this.focusBar.replaceChildren(`Showing ${focus} and the embeddings. `, all);
    }

    /* The message beside a control, or none. */
    controlError(name, message) {
      const span = name && this.controls.querySelector(`[data-control="${name}"] .control-error`);
      if (!span) return message ? this.showBanner(message) : undefined;
      span.textContent = message || '';
      const input = span.parentElement.querySelector('input, select');
      if (message) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', span.id); }
      else { input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby'); }
    }

    /* ---- the stages ---- */

    /* Labels of the query rows, the key rows (S), and the keys after the
     * extra rows (S'). */
    labels() {
      const c = this.parsed.config, t = this.parsed.tokens;
      const query = t.query;
      const key = t.key || range(c.src_len).map((j) => `key ${j}`);
      const extended = key.concat(c.add_bias_kv ? ['bias_k'] : [], c.add_zero_attn ? ['zero'] : []);
      return { query, key, extended };
    }

    /* A card's row or column labels: a name in labels() ('query', 'key',
     * 'extended') or the labels themselves. */
    cardLabels(spec, lab = this.labels()) {
      return typeof spec === 'string' ? lab[spec] : spec;
    }

    /* The sections of the page, in the order of the formula, each with its
     * matrices. A card: { stage, title, formula, shapes, letters, kind,
     * editable, perHead, rows, cols, rowLabels, colLabels, rowBands, colBands,
     * data(), and optionally tokens (X: editable token names), summary (a
     * visible text summary), big, custom ('plane' or 'preview': no matrix) };
     * buildCard adds shape, as its caption gives it, and figure. */
    sections() {
      const c = this.parsed.config;
      const { embed_dim: E, num_heads: H, tgt_len: L, src_len: S } = c;
      const hd = E / H, S2 = S + c.add_bias_kv + c.add_zero_attn;
      const features = range(E), headBands = headBandsOf(H, hd);
      /* data() reads the values of the moment: they change on every edit */
      const input = (name) => () => [this.parsed.inputs[name]];
      const stage = (name) => () => [this.stages[name].data];
      const heads = (data, size) => Array.from({ length: H }, (_, h) => data.subarray(h * size, (h + 1) * size));
      const perHead = (name, rows, cols) => () => heads(this.stages[name].data, rows * cols);
      const packed = c.kdim === E && c.vdim === E;
      const bands = (names, size) => names.map((label) => ({ label, size }));

      const embeddings = [{ stage: 'query', title: 'X', formula: 'query: one row of E numbers per token', letters: 'L×E', kind: 'diverging', editable: true, rows: L, cols: E, rowLabels: 'query', colLabels: features, data: input('query'), tokens: true }];
      if (this.case.key) embeddings.push({ stage: 'key', title: 'key', formula: 'the key inputs (cross-attention)', letters: 'S×kdim', kind: 'diverging', editable: true, rows: S, cols: c.kdim, rowLabels: 'key', colLabels: range(c.kdim), data: input('key') });
      if (this.case.value) embeddings.push({ stage: 'value', title: 'value', formula: 'the value inputs', letters: 'S×vdim', kind: 'diverging', editable: true, rows: S, cols: c.vdim, rowLabels: 'key', colLabels: range(c.vdim), data: input('value') });

      const projection = [];
      if (packed) projection.push({
        stage: 'in_proj_weight', title: 'in_proj_weight', formula: '[W_{q}; W_{k}; W_{v}], stacked: PyTorch packs q, k, v in that order (the lecture draws k first)',
        letters: '3E×E', kind: 'diverging', editable: true, rows: 3 * E, cols: E, rowLabels: [...range(E), ...range(E), ...range(E)], colLabels: features,
        rowBands: bands(['W_q', 'W_k', 'W_v'], E), data: input('in_proj_weight'),
      });
      else projection.push(
        { stage: 'q_proj_weight', title: 'W_{q}', formula: 'q_proj_weight', letters: 'E×E', kind: 'diverging', editable: true, rows: E, cols: E, rowLabels: features, colLabels: features, data: input('q_proj_weight') },
        { stage: 'k_proj_weight', title: 'W_{k}', formula: 'k_proj_weight', letters: 'E×kdim', kind: 'diverging', editable: true, rows: E, cols: c.kdim, rowLabels: features, colLabels: range(c.kdim), data: input('k_proj_weight') },
        { stage: 'v_proj_weight', title: 'W_{v}', formula: 'v_proj_weight', letters: 'E×vdim', kind: 'diverging', editable: true, rows: E, cols: c.vdim, rowLabels: features, colLabels: range(c.vdim), data: input('v_proj_weight') });
      if (c.bias) projection.push({ stage: 'in_proj_bias', title: 'in_proj_bias', formula: '[b_{q}, b_{k}, b_{v}]', letters: '3E', kind: 'diverging', editable: true, rows: 1, cols: 3 * E, rowLabels: ['b'], colLabels: [...range(E), ...range(E), ...range(E)], colBands: bands(['b_q', 'b_k', 'b_v'], E), data: input('in_proj_bias') });
      if (c.add_bias_kv) projection.push(
        { stage: 'bias_k', title: 'bias_k', formula: 'appended to K as one more key', letters: 'E', kind: 'diverging', editable: true, rows: 1, cols: E, rowLabels: ['bias_k'], colLabels: features, data: input('bias_k') },
        { stage: 'bias_v', title: 'bias_v', formula: 'appended to V as one more value', letters: 'E', kind: 'diverging', editable: true, rows: 1, cols: E, rowLabels: ['bias_v'], colLabels: features, data: input('bias_v') });

      const src = this.case.key ? 'key' : 'X';
      const extraRows = (c.add_bias_kv ? ', then bias_k' : '') + (c.add_zero_attn ? ', then a zero row' : '');
      const b = (name, n) => (c.bias ? ` + ${name} ${n}` : '');
      const extra = S2 > S ? `, then ${S2 - S} more row${S2 - S > 1 ? 's' : ''} → ${S2}×${E}` : '';
      const qkv = [
        { stage: 'q', title: 'Q', formula: `X·W_{q}ᵀ${c.bias ? ' + b_{q}' : ''}`, letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, colBands: headBands, data: stage('q'), shapes: `X ${L}×${E} · W_{q}ᵀ ${E}×${E}${b('b_{q}', E)} → ${L}×${E}` },
        { stage: 'k', title: 'K', formula: `${src}·W_{k}ᵀ${c.bias ? ' + b_{k}' : ''}${extraRows}`, letters: S2 > S ? "S'×E" : 'S×E', kind: 'diverging', rows: S2, cols: E, rowLabels: 'extended', colLabels: features, colBands: headBands, data: stage('k'), shapes: `${src} ${S}×${c.kdim} · W_{k}ᵀ ${c.kdim}×${E}${b('b_{k}', E)} → ${S}×${E}${extra}` },
        { stage: 'v', title: 'V', formula: `${this.case.value ? 'value' : 'X'}·W_{v}ᵀ${c.bias ? ' + b_{v}' : ''}${extraRows.replace('bias_k', 'bias_v')}`, letters: S2 > S ? "S'×E" : 'S×E', kind: 'diverging', rows: S2, cols: E, rowLabels: 'extended', colLabels: features, colBands: headBands, data: stage('v'), shapes: `${this.case.value ? 'value' : 'X'} ${S}×${c.vdim} · W_{v}ᵀ ${c.vdim}×${E}${b('b_{v}', E)} → ${S}×${E}${extra}` },
      ];
      embeddings.push({ stage: 'preview', custom: 'preview' });
      if (E === 2) qkv.push({ stage: 'plane', custom: 'plane' });
      const scaled = [{ stage: 'q_scaled', title: 'Q / √head_dim', formula: `Q / √${hd}: PyTorch scales Q before the product, by head_dim = E / H = ${hd}`, letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, colBands: headBands, data: stage('q_scaled'), shapes: `Q ${L}×${E} / √${hd} → ${L}×${E}: the shape does not change` }];

      const scoring = [];
      if (this.case.attn_mask) {
        const isBool = c.attn_mask_kind === Case.MASK.bool;
        scoring.push({
          stage: 'attn_mask', title: 'attn_mask', formula: isBool ? 'true (ticked): this query may not attend to this key; becomes −∞' : 'added to the scores (−∞ masks)',
          letters: c.attn_mask_per_head ? 'H×L×S' : 'L×S', kind: isBool ? 'bool' : 'diverging', editable: true, perHead: Boolean(c.attn_mask_per_head),
          rows: L, cols: S, rowLabels: 'query', colLabels: 'key',
          data: () => (c.attn_mask_per_head ? heads(this.parsed.inputs.attn_mask, L * S) : [this.parsed.inputs.attn_mask]),
        });
      }
      if (this.case.key_padding_mask) {
        const isBool = c.key_padding_mask_kind === Case.MASK.bool;
        scoring.push({ stage: 'key_padding_mask', title: 'key_padding_mask', formula: isBool ? 'ticked keys are ignored by every query' : 'added to every query’s scores for that key', letters: 'S', kind: isBool ? 'bool' : 'diverging', editable: true, rows: 1, cols: S, rowLabels: ['pad'], colLabels: 'key', data: input('key_padding_mask') });
      }
      scoring.push({ stage: 'scores', title: 'scores', formula: `Q_{scaled}·Kᵀ per head${scoring.length ? ' + mask' : ''}`, letters: "H×L×S'", kind: 'diverging', perHead: true, rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', data: perHead('scores', L, S2), shapes: `each head: Q_{h} ${L}×${hd} · K_{h}ᵀ ${hd}×${S2} → ${L}×${S2}; ${H} head${H > 1 ? 's' : ''} → ${H}×${L}×${S2}` });

      const softmax = [{ stage: 'weights', title: 'weights', formula: 'softmax(scores), row by row: each row sums to 1', letters: "H×L×S'", kind: 'sequential', perHead: true, rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', data: perHead('weights', L, S2), summary: true, big: true, shapes: `${H}×${L}×${S2} → ${H}×${L}×${S2}: row i says how much token i attends to each key` }];
      if (c.average_attn_weights) softmax.push({ stage: 'attn_weights', title: 'attn_weights', formula: H > 1 ? `the mean of the ${H} heads: what the module returns` : 'what the module returns (one head: the weights themselves)', letters: "L×S'", kind: 'sequential', rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', data: stage('attn_weights'), summary: true });
      else softmax.push({ stage: 'attn_weights', title: 'attn_weights', formula: 'average_attn_weights=False: the module returns every head', letters: "H×L×S'", kind: 'sequential', perHead: true, rows: L, cols: S2, rowLabels: 'query', colLabels: 'extended', data: perHead('attn_weights', L, S2) });

      const context = [{ stage: 'context', title: 'context', formula: 'weights·V per head, the heads side by side', letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, colBands: headBands, data: stage('context'), shapes: `each head: weights_{h} ${L}×${S2} · V_{h} ${S2}×${hd} → ${L}×${hd}; ${H} side by side → ${L}×${E}` }];
      const out = [{ stage: 'out_proj.weight', title: 'W_{o}', formula: 'out_proj.weight', letters: 'E×E', kind: 'diverging', editable: true, rows: E, cols: E, rowLabels: features, colLabels: features, data: input('out_proj.weight') }];
      if (c.bias) out.push({ stage: 'out_proj.bias', title: 'b_{o}', formula: 'out_proj.bias', letters: 'E', kind: 'diverging', editable: true, rows: 1, cols: E, rowLabels: ['b_o'], colLabels: features, data: input('out_proj.bias') });
      const output = [{ stage: 'output', title: 'output', formula: `context·W_{o}ᵀ${c.bias ? ' + b_{o}' : ''}: the layer’s result, one row per token`, letters: 'L×E', kind: 'diverging', rows: L, cols: E, rowLabels: 'query', colLabels: features, data: stage('output'), shapes: `context ${L}×${E} · W_{o}ᵀ ${E}×${E}${b('b_{o}', E)} → ${L}×${E}` }];

      return [
        { id: 'embeddings', title: 'The embeddings', cards: embeddings },
        { id: 'in-projection', title: 'The in-projection weights', cards: projection },
        { id: 'qkv', title: 'Queries, keys and values', cards: qkv },
        { id: 'scale', title: 'Scaling', cards: scaled },
        { id: 'scores', title: 'Scores', cards: scoring },
        { id: 'softmax', title: 'Softmax: the attention weights', cards: softmax },
        { id: 'context', title: 'Context', cards: context },
        { id: 'out-projection', title: 'The out-projection', cards: out },
        { id: 'output', title: 'Output', cards: output },
      ];
    }

    /* Rebuilds the matrices when the shapes or options changed; always
     * repaints the numbers. */
    render() {
      const c = this.parsed.config;
      const key = JSON.stringify([c, Boolean(this.case.key), Boolean(this.case.value)]);
      if (key !== this.structure) {
        this.structure = key;
        this.build();
      }
      this.updateLabels();
      this.paint();
      this.applyFocus();
    }

    build() {
      this.hideExplanation();
      this.matrices = {};
      this.cards = this.sections();
      const sections = this.cards.map((section, number) => {
        const element = el('section', { className: `step step-${section.id}`, 'data-step': number, 'aria-labelledby': `${this.id}-s${number}` }, [
          el('h2', { id: `${this.id}-s${number}` }, [el('span', { className: 'step-number', text: `${number + 1}` }), ` ${section.title}`]),
        ]);
        const row = el('div', { className: 'cards' });
        for (const card of section.cards) row.append(this.buildCard(card));
        element.append(row);
        return element;
      });
      this.stagesElement.replaceChildren(...sections);
      this.share.fillStages(); /* the stages to export are the cards just built */
      /* Big views skip steps off screen (style.css), once laid out: the
       * frame after the next has their real heights remembered. Small ones
       * stay whole, for full-page screenshots. */
      const cells = Object.values(this.matrices).flat().reduce((sum, m) => sum + m.cells.length, 0);
      if (cells >= LAZY_CELLS) requestAnimationFrame(() => requestAnimationFrame(() => sections.forEach((s) => s.classList.add('is-lazy'))));
    }

    buildCard(card) {
      if (card.custom === 'plane') { /* the 2-D picture: not a matrix */
        this.plane = this.plane || new root.AttnPlane.Plane(this);
        return this.plane.figure;
      }
      if (card.custom === 'preview') {
        this.preview = this.preview || new root.AttnPreview.Preview(this);
        return this.preview.figure;
      }
      const lab = this.labels();
      const shape = card.shape = card.perHead ? [this.parsed.config.num_heads, card.rows, card.cols] : card.rows === 1 && /bias|padding/.test(card.stage) ? [card.cols] : [card.rows, card.cols];
      const figure = el('figure', { className: `card card-${card.kind}${card.big ? ' is-big' : ''}`, 'data-card': card.stage });
      const caption = el('figcaption', {}, [
        el('span', { className: 'card-title' }, [formula(card.title)]),
        el('span', { className: 'card-shape', text: `${shape.join('×')}` }),
        el('span', { className: 'card-letters', text: card.letters }),
        card.editable ? el('span', { className: 'card-editable', text: 'editable' }) : null,
        el('span', { className: 'card-formula' }, [formula(card.formula)]),
        card.shapes ? el('span', { className: 'card-shapes' }, [formula(card.shapes)]) : null,
      ]);
      const group = el('div', { className: 'stage', 'data-stage': card.stage });
      const count = card.perHead ? this.parsed.config.num_heads : 1;
      const compact = card.cols > COMPACT_COLS || card.rows > COMPACT_ROWS;
      this.matrices[card.stage] = [];
      for (let h = 0; h < count; h++) {
        const head = card.perHead ? h : null;
        const matrix = new Matrix({
          stage: card.stage, head, rows: card.rows, cols: card.cols, rowLabels: this.cardLabels(card.rowLabels, lab), colLabels: this.cardLabels(card.colLabels, lab),
          rowBands: card.rowBands, colBands: card.colBands, kind: card.kind, editable: card.editable, compact,
          idPrefix: `${this.id}-${card.stage.replace('.', '-')}-${h}`,
          label: `${card.stage}${card.perHead ? `, head ${h + 1}` : ''}`,
          rowHeader: card.tokens ? (i) => this.tokenHeader(i) : null,
          onEdit: card.editable ? (i, j, value) => this.editCell(card.stage, head, i, j, value) : null,
          onFocusCell: !card.editable ? (i, j, td) => this.showExplanation(card.stage, head, i, j, td)
            : compact ? (i, j, td) => this.showValue(card.stage, head, i, j, td) : null,
          onLeaveCell: () => this.hideExplanation(),
        });
        this.matrices[card.stage].push(matrix);
        const holder = el('div', { className: 'head' }, [count > 1 ? el('p', { className: 'head-label', text: `head ${h + 1}` }) : null, matrix.element]);
        group.append(holder);
      }
      figure.append(caption, group);
      if (card.tokens) figure.append(this.tokenButtons());
      /* a short text summary of every heatmap: shown for the attention
       * weights, for screen readers only elsewhere */
      const summary = el('p', { className: card.summary ? 'summary' : 'summary sr-only', id: `${this.id}-${card.stage.replace('.', '-')}-summary` });
      for (const m of this.matrices[card.stage]) m.element.setAttribute('aria-describedby', summary.id);
      figure.append(summary);
      if (card.stage === 'weights') figure.append(el('p', { className: 'note nan-note', hidden: true }));
      if (card.editable && card.kind !== 'bool') figure.append(el('p', { className: 'note input-note', hidden: true }));
      card.figure = figure;
      return figure;
    }

    /* A query row's header: the token's name, editable, and a remove button. */
    tokenHeader(i) {
      const th = el('th', { scope: 'row', className: 'token-header' });
      const self = State.isSelfAttention(this.case);
      const input = el('input', { type: 'text', className: 'token', value: this.parsed.tokens.query[i], 'aria-label': `token ${i + 1}`, maxlength: State.LIMITS.tokenLength, spellcheck: 'false' });
      if (i === 0) this.tokenInputs = [];
      this.tokenInputs[i] = input;
      const message = el('span', { className: 'cell-error', role: 'alert', hidden: true });
      input.addEventListener('input', () => {
        const name = input.value.trim();
        message.hidden = Boolean(name);
        message.textContent = name ? '' : 'a token needs a name';
        if (!name) return;
        const tokens = Array.isArray(this.case.tokens) ? this.case.tokens : this.case.tokens.query;
        tokens[i] = name;
        this.parsed = Case.parseCase(this.case);
        this.updateLabels();
        this.edited();
      });
      input.addEventListener('blur', () => { if (!input.value.trim()) { input.value = this.parsed.tokens.query[i]; message.hidden = true; } });
      th.append(input, message);
      if (self && this.parsed.config.tgt_len > 1) {
        const remove = el('button', { type: 'button', className: 'remove-token', text: '×', 'aria-label': `remove token ${this.parsed.tokens.query[i]}`, title: 'remove this token' });
        remove.addEventListener('click', () => this.commit(State.withTokenRemoved(this.case, i), 'tokens'));
        th.append(remove);
      }
      return th;
    }

    tokenButtons() {
      const add = el('button', { type: 'button', className: 'add-token', text: '+ token' });
      const message = el('span', { className: 'control-error', role: 'alert' });
      add.disabled = !State.isSelfAttention(this.case);
      add.addEventListener('click', () => {
        if (this.parsed.config.tgt_len >= State.LIMITS.tokens) { message.textContent = `the page shows at most ${State.LIMITS.tokens} tokens`; return; }
        this.commit(State.withTokenAdded(this.case, this.parsed.config.tgt_len, `token${this.parsed.config.tgt_len + 1}`), 'tokens');
      });
      return el('p', { className: 'token-buttons', 'data-control': 'tokens' }, [add, message]);
    }

    /* Token names changed: every header that shows them. A card's labels
     * are an array, or the name of a token list of labels(). */
    updateLabels() {
      const lab = this.labels();
      /* the query rows' own headers are the token inputs: all but the one being typed in */
      const typing = this.root.getRootNode().activeElement;
      (this.tokenInputs || []).forEach((input, i) => {
        if (!input.isConnected) return;
        if (input !== typing) input.value = lab.query[i];
        input.parentElement.querySelector('.remove-token')?.setAttribute('aria-label', `remove token ${lab.query[i]}`);
      });
      for (const section of this.cards) for (const card of section.cards)
        if (!card.custom && (typeof card.rowLabels === 'string' || typeof card.colLabels === 'string'))
          for (const m of this.matrices[card.stage]) m.setLabels(this.cardLabels(card.rowLabels, lab), this.cardLabels(card.colLabels, lab));
    }

    /* An edit of one input cell: the case and its parsed inputs change in
     * place (no parse: this is the hot path), then everything downstream is
     * recomputed and repainted. */
    editCell(stage, head, i, j, value) {
      const c = this.case, config = this.parsed.config;
      const isBool = (stage === 'attn_mask' && config.attn_mask_kind === Case.MASK.bool) || (stage === 'key_padding_mask' && config.key_padding_mask_kind === Case.MASK.bool);
      const stored = isBool ? value !== 0 : Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
      const target = c[stage], flat = this.parsed.inputs[stage];
      const m = this.matrices[stage][head ?? 0];
      const index = (head ?? 0) * m.o.rows * m.o.cols + i * m.o.cols + j;
      if (!Array.isArray(target[0])) target[j] = stored;
      else if (head !== null && Array.isArray(target[0][0])) target[head][i][j] = stored;
      else target[i][j] = stored;
      flat[index] = isBool ? (value !== 0 ? 1 : 0) : value;
      this.edited();
    }

    /* New values in every matrix, and the notes that depend on them. The
     * summaries for screen readers follow a moment later: while one scrubs,
     * they need not be rewritten at every step. */
    paint() {
      const theme = this.theme();
      for (const section of this.cards) for (const card of section.cards) {
        if (card.custom) continue;
        const data = card.data();
        const scale = card.kind === 'diverging' ? Format.niceScale(Math.max(...data.map(Format.maxAbs))) : 1;
        this.matrices[card.stage].forEach((m, h) => m.update(data[h], { scale, theme }));
        if (card.summary) card.figure.querySelector('.summary').textContent = this.summary(card);
        if (card.stage === 'weights') this.nanNote(card.figure.querySelector('.nan-note'));
        if (card.editable && card.kind !== 'bool') this.inputNote(card, data);
      }
      clearTimeout(this.summariesLater);
      this.summariesLater = setTimeout(() => this.describeRanges(), 250);
      this.plane?.update(); /* (it draws only when E = 2) */
      this.preview?.update();
      if (this.walkthrough?.active) this.walkthrough.render();
    }

    describeRanges() {
      for (const section of this.cards) for (const card of section.cards)
        if (!card.custom && !card.summary) card.figure.querySelector('.summary').textContent = this.range(card, card.data());
    }

    /* In words, for each query row, the key it attends to most. */
    summary(card) {
      const lab = this.labels();
      const parts = card.data().map((data, h, all) => {
        const rows = lab.query.map((token, i) => {
          let best = -1;
          for (let j = 0; j < card.cols; j++) if (best < 0 || data[i * card.cols + j] > data[i * card.cols + best]) best = j;
          const w = data[i * card.cols + best];
          return Number.isNaN(w) ? `${token} → NaN` : `${token} → ${lab.extended[best]} (${Format.cellText(w)})`;
        });
        return (all.length > 1 ? `head ${h + 1}: ` : '') + rows.join(', ');
      });
      return `Each row sums to 1. The key each token attends to most: ${parts.join('; ')}.`;
    }

    /* "q: 3×2 numbers from −0.14 (I, 1) to 1.66 (good, 1)." */
    range(card, data) {
      const rowLabels = this.cardLabels(card.rowLabels), colLabels = this.cardLabels(card.colLabels);
      let low = null, high = null;
      data.forEach((d, h) => d.forEach((x, index) => {
        if (!Number.isFinite(x)) return;
        if (!low || x < low.x) low = { x, h, index };
        if (!high || x > high.x) high = { x, h, index };
      }));
      if (!low) return `${card.stage}: no finite numbers.`;
      const at = ({ h, index }) => `${data.length > 1 ? `head ${h + 1}, ` : ''}${rowLabels[Math.floor(index / card.cols)]}, ${colLabels[index % card.cols]}`;
      return `${card.stage}: ${data.length > 1 ? `${data.length}×` : ''}${card.rows}×${card.cols} numbers from ${Format.cellText(low.x)} (${at(low)}) to ${Format.cellText(high.x)} (${at(high)}).`;
    }

    /* NaN or ±∞ given on purpose is not an error: it is marked, and it
     * propagates as PyTorch propagates it. */
    inputNote(card, data) {
      const note = card.figure.querySelector('.input-note');
      const kinds = new Set();
      for (const d of data) for (const x of d) if (!Number.isFinite(x)) kinds.add(Number.isNaN(x) ? 'NaN' : x > 0 ? '+∞' : '−∞');
      const masks = card.stage === 'attn_mask' || card.stage === 'key_padding_mask';
      note.hidden = kinds.size === 0 || (masks && [...kinds].every((k) => k === '−∞'));
      note.textContent = `${card.stage} holds ${[...kinds].join(' and ')}: it flows through every stage that uses it, as in PyTorch.`;
    }

    nanNote(note) {
      const c = this.parsed.config, lab = this.labels();
      const S2 = c.src_len + c.add_bias_kv + c.add_zero_attn;
      const rows = new Set();
      const weights = this.stages.weights.data;
      for (let r = 0; r < c.num_heads * c.tgt_len; r++) if (Number.isNaN(weights[r * S2])) rows.add(lab.query[r % c.tgt_len]);
      note.hidden = rows.size === 0;
      if (!rows.size) return;
      const masked = this.stages.scores.data.some((s, idx) => s === -Infinity && Number.isNaN(weights[idx]));
      note.textContent = `NaN in row${rows.size > 1 ? 's' : ''} ${[...rows].map((t) => `“${t}”`).join(', ')}: ` +
        (masked ? 'every key is masked there, so softmax computes 0 / 0. PyTorch gives NaN too, and it flows on into context and output. Unmask a key, or add add_zero_attn or add_bias_kv so there is always one key to attend to.'
          : 'a NaN or ∞ in the inputs reached the scores; softmax cannot make weights from it, as in PyTorch.');
    }

    /* ---- explaining a number ---- */

    showExplanation(stage, head, i, j, td) {
      const explanation = Explain.explain({ parsed: this.parsed, stages: this.stages, labels: this.labels() }, stage, head, i, j);
      if (!explanation) return;
      this.place(td, [el('p', { className: 'explain-title', text: explanation.title }), ...explanation.lines.map((line) => el('p', { text: line }))]);
      for (const source of explanation.sources) {
        const m = this.matrices[source.stage]?.[source.head ?? 0];
        if (m) m.highlight([source.row * m.o.cols + source.col], 'is-source');
      }
    }

    /* A compact input cell's value on hover (its number is not drawn). */
    showValue(stage, head, i, j, td) {
      const m = this.matrices[stage][head ?? 0];
      const value = m.values[i * m.o.cols + j];
      this.place(td, [el('p', { className: 'explain-title', text: `${stage}[${m.o.rowLabels[i]}][${m.o.colLabels[j]}] = ${Format.fullText(value)}` }),
        el('p', { text: 'an input: click to type a new value, or drag sideways' })]);
    }

    /* Shows the explanation box just below a cell. */
    place(td, children) {
      this.hideExplanation();
      this.explained = td;
      td.classList.add('is-explained');
      this.tooltip.replaceChildren(...children);
      this.tooltip.hidden = false;
      const box = td.getBoundingClientRect(), host = this.root.getBoundingClientRect();
      const left = Math.min(box.left - host.left, Math.max(0, host.width - 420));
      this.tooltip.style.left = `${Math.max(0, left)}px`;
      this.tooltip.style.top = `${box.bottom - host.top + 6}px`;
    }

    hideExplanation() {
      if (this.explained) this.explained.classList.remove('is-explained');
      this.explained = null;
      for (const list of Object.values(this.matrices)) for (const m of list) m.clearHighlight('is-source');
      this.tooltip.hidden = true;
    }
  }

  root.AttnView = AttnView;
})(typeof globalThis !== 'undefined' ? globalThis : this);
