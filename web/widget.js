/* widget.js: <attention-viz>, the visualiser as a custom element for other
 * people's pages. Built into dist/attention-viz.js by `make dist`.
 *
 *   <attention-viz tokens="the cat sat" heads="1" stage="weights"
 *                  controls="compact" theme="auto"></attention-viz>
 *
 * Attributes: state (a link's hash, "#v=1&...", or a JSON case), tokens (a
 * JSON array or words separated by spaces), heads, stage (the one to show),
 * controls (none | compact | full), theme (auto | light | dark), lang (en |
 * es: the words' language; without it the page's, the nearest lang= up the
 * tree; another than English loads attention-viz-LANG.js from beside this
 * script, and a change shows the view anew in it) and build
 * (relaxed | simd | scalar: the core's build, chosen by the engine when not
 * given; each loads from beside this script when first needed). Each
 * element has its own shadow root and its own core, starts when it nears the
 * viewport, fires "ready" once it shows its view, and "change" with
 * { detail: state } after every edit.
 *
 * Driven by the prose, never touching the case: step (a walk-through step),
 * highlight ("weights:2,1", or head,row,col: that cell pinned), view (matrix
 * | lines) and stages ("scores..weights", or a list), as attributes and
 * same-named properties; el.highlight(stage, row, col[, head]) and
 * el.play(stage, row, col[, head]). Until it starts it shows its own
 * content (a poster), else a placeholder; themed from outside by CSS custom
 * properties (--attention-viz-low, ... : restyle()) and ::part() names.
 *
 * A classic script.
 * needs: AttnCore, AttnText, AttnExamples, AttnCases, AttnCatalogue, AttnFormat, AttnLink, AttnStages, AttnApp, AttnStyles, AttnWasm */
(function (root) {
  'use strict';

  const Cases = root.AttnCases, Link = root.AttnLink, Catalogue = root.AttnCatalogue, Text = root.AttnText;
  /* Without the page's canvases (build-dist.mjs leaves them out) every matrix
   * is a table: the limits a table can take, as the page had them */
  if (!root.AttnStages.canvases) Object.assign(Cases.LIMITS, { tokens: 32, embed_dim: 64 });
  const ATTRIBUTES = ['state', 'tokens', 'heads', 'stage', 'controls', 'theme', 'step', 'highlight', 'view', 'stages', 'lang'];
  /* the attributes that change only what is shown, never the case */
  const DISPLAY = ['step', 'highlight', 'view', 'stages'];
  /* The script's own address, read while it runs: the builds' scripts sit
   * beside it (the iframe page inlines it: then beside the page). */
  const SCRIPT_URL = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || (typeof document !== 'undefined' ? document.baseURI : '');
  let sheet = null; /* one constructed stylesheet shared by every element: no inline <style>, so a strict CSP holds */

  function styles() {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(`:host { display: block; } :host([hidden]) { display: none; } ${root.AttnStyles}
        .attn-placeholder { box-sizing: border-box; margin: 0; padding: 1rem; border: 1px dashed #c9ccd4; border-radius: 10px;
          background: #f6f7f9; color: #5b6170; font: 0.9rem system-ui, sans-serif; }
        .attn-placeholder[hidden] { display: none; }
        .attn-view { font-family: var(--attention-viz-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif); }
        .attn-view .matrix { zoom: var(--attention-viz-cell-scale, 1); }
        :host([theme="dark"]) .attn-placeholder { background: #1e2127; border-color: #343842; color: #a3a8b4; }
        @media (prefers-color-scheme: dark) { :host(:not([theme="light"])) .attn-placeholder { background: #1e2127; border-color: #343842; color: #a3a8b4; } }
        .attn-view .controls { position: static; }
        .attn-view.is-lines-view .card[data-card="weights"] { display: none; }`);
    }
    return sheet;
  }

  /* The state the attributes ask for; problems are collected, not thrown, and
   * whatever they concern keeps its default. */
  function stateFrom(element, problems) {
    const text = (element.getAttribute('state') || '').trim();
    let state = { case: Cases.lectureCase(), view: {} };
    if (text) {
      try {
        if (text.startsWith('{')) {
          const c = JSON.parse(text);
          Cases.check(c);
          state = { case: c, view: {} };
        } else {
          state = Link.decode(text.startsWith('#') ? text : `#${text}`);
          for (const e of state.problems || []) problems.push(`state: ${e.message}`); /* (the rest of it holds) */
          state = { case: state.case, view: state.view };
        }
      } catch (e) {
        problems.push(`state: ${e.message}`);
      }
    }
    let c = state.case;
    const tokens = element.getAttribute('tokens');
    if (tokens !== null) {
      try {
        const list = tokens.trim().startsWith('[') ? JSON.parse(tokens) : tokens.trim().split(/\s+/);
        if (!Array.isArray(list) || !list.length || list.some((t) => typeof t !== 'string' || !t)) throw new Error('expected a JSON array of strings or words separated by spaces');
        if (list.length > Cases.LIMITS.tokens) throw new Error(`at most ${Cases.LIMITS.tokens} tokens`);
        if (!Cases.isSelfAttention(c)) throw new Error('tokens can be set only for self-attention');
        while (c.query.length < list.length) c = Cases.withTokenAdded(c, c.query.length, '', Cases.seededRandom(c.query.length));
        while (c.query.length > list.length) c = Cases.withTokenRemoved(c, c.query.length - 1);
        c = { ...c, tokens: list };
        Cases.check(c);
      } catch (e) {
        problems.push(`tokens: ${e.message}`);
        c = state.case;
      }
    }
    const heads = element.getAttribute('heads');
    if (heads !== null) {
      const H = Number(heads);
      if (!Number.isInteger(H) || H < 1 || Cases.embedDim(c) % H) problems.push(`heads: ${heads} does not divide embed_dim ${Cases.embedDim(c)}`);
      else c = Cases.withHeads(c, H);
    }
    const view = { ...state.view };
    for (const name of ['controls', 'theme']) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      if (Link.VIEW_KEYS[name].values.includes(value)) view[name] = value;
      else problems.push(`${name}: expected ${Link.VIEW_KEYS[name].values.join(', ')}, got "${value}"`);
    }
    if (element.getAttribute('stage')) view.stage = element.getAttribute('stage');
    if (element.getAttribute('lang')) view.lang = element.getAttribute('lang');
    const step = stepFrom(element, problems);
    if (step !== undefined) view.step = step;
    return { case: c, view };
  }

  /* step="N": that step of the walk-through open; "" or absent: closed.
   * undefined when the attribute says nothing. */
  function stepFrom(element, problems) {
    const text = element.getAttribute('step');
    if (text === null) return undefined;
    if (!text.trim()) return null;
    const n = Number(text);
    if (Number.isInteger(n) && n >= 1) return n;
    problems.push(`step: expected a step number from 1, got "${text}"`);
    return undefined;
  }

  /* highlight="stage:row,col" or "stage:head,row,col" (per-head stages:
   * scores, weights; row,col means head 0) -> { stage, head, row, col }, or
   * null when empty. Throws on a malformed one. */
  function parseHighlight(text) {
    if (!text || !text.trim()) return null;
    const m = /^\s*([A-Za-z_.]+)\s*:\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*(\d+)\s*)?$/.exec(text);
    if (!m) throw new Error(`highlight: expected "stage:row,col" or "stage:head,row,col", got "${text}"`);
    const n = m.slice(2).filter((x) => x !== undefined).map(Number);
    return n.length === 3 ? { stage: m[1], head: n[0], row: n[1], col: n[2] } : { stage: m[1], head: 0, row: n[0], col: n[1] };
  }

  /* stages="scores..weights" (a range, in the pass's order) or
   * "q,k,weights" (a list) -> the stages to show; null: every stage. */
  function stagesFrom(text, session) {
    if (!text || !text.trim()) return null;
    const order = Catalogue.matrixCards(session.sections()).map((card) => card.stage);
    const range = /^\s*([A-Za-z_.]+)\s*\.\.\s*([A-Za-z_.]+)\s*$/.exec(text);
    const named = range ? [range[1], range[2]] : text.split(',').map((x) => x.trim());
    const unknown = named.filter((name) => !order.includes(name));
    if (unknown.length) throw new Error(`stages: no stage ${unknown.join(', ')} in this case (it has ${order.join(', ')})`);
    if (!range) return named;
    const [from, to] = [order.indexOf(range[1]), order.indexOf(range[2])].sort((a, b) => a - b);
    return order.slice(from, to + 1);
  }

  /* About the height an element's view will take, in px, from its
   * attributes and width: measured in Chromium at 700 and 320 px wide
   * (stage="weights": 319 px for 3 tokens, 432 for 8, at 700). */
  function estimatedHeight(element, width) {
    let tokens = 3;
    try { tokens = stateFrom(element, []).case.query.length; } catch { /* the default's */ }
    const narrow = width < 560;
    const controls = { none: 0, compact: narrow ? 127 : 71 }[element.getAttribute('controls')] ?? (narrow ? 212 : 102);
    const focused = element.getAttribute('stage') || element.getAttribute('stages');
    if (focused) return (narrow ? 480 + 19 * tokens : 250 + 23 * tokens) + controls;
    return (narrow ? 2600 : 1800) + 60 * tokens + controls;
  }

  /* ---- themed from outside ---- */

  /* The host page's palette ends, CSS custom properties on the element:
   * --attention-viz-low and -high (the weights' 0 and 1), -negative and
   * -positive (the signed stages' ends; 0 keeps the theme's middle). Stops
   * for Format.paletteCSS, or null when the page sets none. */
  function paletteFrom(element) {
    const style = getComputedStyle(element);
    const context = document.createElement('canvas').getContext('2d');
    const end = (name) => {
      const value = style.getPropertyValue(`--attention-viz-${name}`).trim();
      if (!value || !context) return null;
      context.fillStyle = '#000';
      context.fillStyle = value; /* any CSS colour, read back as #rrggbb */
      return /^#[0-9a-f]{6}$/i.test(context.fillStyle) ? context.fillStyle : null;
    };
    const [low, high, negative, positive] = ['low', 'high', 'negative', 'positive'].map(end);
    if (!low && !high && !negative && !positive) return null;
    const stops = (theme) => {
      const built = root.AttnFormat.PALETTES[theme];
      return {
        ...built, /* the gradient's, and any other the page does not set */
        sequential: low || high ? [low || built.sequential[0], high || built.sequential.at(-1)] : built.sequential,
        diverging: negative || positive ? [negative || built.diverging[0], built.diverging[4], positive || built.diverging.at(-1)] : built.diverging,
      };
    };
    return { light: stops('light'), dark: stops('dark') };
  }

  /* The parts a host page can style with ::part(): the element's main pieces. */
  function nameParts(app) {
    const parts = { view: app.root, banner: app.banner, controls: app.controls.element, stages: app.stages.element, lines: app.lines.element,
      player: app.player.element, explanation: app.explanation.element, walkthrough: app.walkthrough.element, footer: app.footer };
    for (const [name, node] of Object.entries(parts)) node?.setAttribute('part', name);
  }

  /* ---- the core's build ---- */

  /* Two modules of one function returning a v128: a constant, or three
   * constants through f32x4.relaxed_madd. What WebAssembly.validate says of
   * them tells which builds this engine runs, without decoding a build. */
  function probe(relaxed) {
    const constant = [0xfd, 0x0c, ...new Array(16).fill(0)]; /* v128.const 0 */
    const body = relaxed ? [0, ...constant, ...constant, ...constant, 0xfd, 0x85, 0x02, 0x0b] : [0, ...constant, 0x0b];
    return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, /* magic, version */
      1, 5, 1, 0x60, 0, 1, 0x7b, /* types: () -> v128 */
      3, 2, 1, 0, /* one function of that type */
      10, body.length + 2, 1, body.length, ...body]); /* its code */
  }

  const loading = {}; /* name -> the promise of its script */
  const added = new Set(); /* the names of the parts whose modules ran (addModules) */
  /* A part not inlined, loaded once by a classic script beside this one
   * (dist/attention-viz-NAME.js, so file:// works too), which hands it to
   * the element class (addBuild, addModules); resolves when has() says so. */
  function loadPart(name, has) {
    if (has()) return Promise.resolve();
    loading[name] = loading[name] || new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = new URL(`attention-viz-${name}.js`, SCRIPT_URL).href;
      script.onload = () => (has() ? resolve() : reject(new Error(`${script.src} gave nothing`)));
      script.onerror = () => reject(new Error(`could not load ${script.src}`));
      document.head.append(script);
    });
    return loading[name];
  }

  /* The host's language: the nearest lang= up the tree (the element's own
   * is in the view: stateFrom), else English. */
  const hostLang = (element) => element.parentElement?.closest('[lang]')?.getAttribute('lang') || 'en';

  /* A language's table, loaded (attention-viz-LANG.js) when not inlined. */
  const loadLanguage = (lang) => loadPart(lang, () => Text.has(lang));

  /* The trained examples (build/attn-examples.js, 10 KB gzipped) are
   * attention-viz-examples.js: loaded when the state names one, or when
   * the controls show the example list; a figure without controls never
   * pays for them. */
  async function loadExamples() {
    await loadPart('examples', () => Boolean(root.AttnExamples));
    if (!Object.keys(root.AttnExamples).every((name) => Object.hasOwn(Cases.EXAMPLES, name))) Cases.addTrained(root.AttnExamples);
  }
  const namesExample = (element) => {
    const named = /(?:^|[#&])example=([^&]*)/.exec(element.getAttribute('state') || '');
    return Boolean(named) && !Object.hasOwn(Cases.EXAMPLES, named[1]);
  };
  const listsExamples = ({ view }) => (view.controls || 'full') !== 'none' && !(view.hide || []).some((part) => part === 'example' || part === 'controls');

  /* The build to run: 'relaxed' when the engine takes relaxed SIMD, 'simd'
   * when it takes SIMD, else 'scalar'; or the one asked for. */
  async function loadBuild(asked) {
    const build = asked || (WebAssembly.validate(probe(true)) ? 'relaxed' : WebAssembly.validate(probe(false)) ? 'simd' : 'scalar');
    await loadPart(build, () => Boolean(root.AttnWasm[build]));
    return build;
  }

  /* ---- parts loaded when first asked for ---- */

  /* A stand-in for a view part that is a file of its own
   * (dist/attention-viz-NAME.js), with the part's face, until it is asked
   * for: then load() brings the file, makes the real part and hands over
   * this one's place (handOver). real(): the part's class once loaded. */
  class LazyPart {
    constructor(session, options, name, real) {
      this.session = session;
      this.options = options; /* { id, root }: the real part's too */
      this.name = name;
      this.realClass = real;
      this.real = null;
    }

    async load() {
      if (this.real) return this.real;
      await loadPart(this.name, () => this.realClass() !== this.constructor);
      if (!this.real) {
        this.real = new (this.realClass())(this.session, this.options);
        this.handOver(this.real);
      }
      return this.real;
    }

    fail(error) {
      this.button.title = error.message;
      console.error(`attention-viz: ${error.message}`);
    }

    update(change) { this.real?.update(change); }
  }

  /* The export and import panel (share.js with export, import, modelfile and
   * poster.js): until its button is pressed, or a file dropped onto the
   * view, the same face (share.js: element, panel, update, close). */
  class LazyShare extends LazyPart {
    constructor(session, options) {
      super(session, options, 'share', () => root.AttnShare.Share);
      const viewRoot = options.root;
      this.button = document.createElement('button');
      Object.assign(this.button, { type: 'button', className: 'share-toggle', textContent: Text.of(session)('w.share') });
      this.button.setAttribute('aria-expanded', 'false');
      this.button.addEventListener('click', () => this.load().then((real) => real.open(), (e) => this.fail(e)));
      this.element = document.createElement('span');
      this.element.className = 'share';
      this.element.append(this.button);
      this.panel = document.createElement('div');
      this.panel.hidden = true;
      viewRoot.addEventListener('dragover', (e) => { if (!this.real && hasFiles(e)) e.preventDefault(); });
      viewRoot.addEventListener('drop', (e) => {
        if (this.real || !hasFiles(e) || !e.dataTransfer.files.length) return;
        e.preventDefault();
        const file = e.dataTransfer.files[0];
        this.load().then((real) => real.openFile(file), (err) => this.fail(err));
      });
    }

    handOver(real) {
      real.element.dataset.control = 'share';
      real.element.hidden = this.element.hidden;
      this.element.replaceWith(real.element);
      this.panel.replaceWith(real.panel);
    }

    close(returnFocus) { return this.real ? this.real.close(returnFocus) : false; }
  }
  const hasFiles = (e) => Boolean(e.dataTransfer) && [...e.dataTransfer.types].includes('Files');
  if (!root.AttnShare) root.AttnShare = { Share: LazyShare };

  /* The train card (ui/training.js with model/training.js): a widget showing
   * the weights does not pay for it. Until its button is pressed, the same
   * card's title and one button, with the same face (training.js: element,
   * update, marking, mark). */
  class LazyTrainer extends LazyPart {
    constructor(session, options) {
      super(session, options, 'train', () => root.AttnTrainer.Trainer);
      const t = Text.of(session);
      this.button = document.createElement('button');
      Object.assign(this.button, { type: 'button', className: 'train-load', textContent: t('w.train') });
      this.button.addEventListener('click', () => this.load().then((real) => real.kind.focus(), (e) => this.fail(e)));
      const title = document.createElement('span');
      Object.assign(title, { className: 'card-title', textContent: t('w.trainit') });
      const caption = document.createElement('figcaption');
      caption.append(title);
      const line = document.createElement('p');
      line.append(this.button);
      this.card = document.createElement('figure');
      Object.assign(this.card, { className: 'card card-train' });
      Object.assign(this.card.dataset, { card: 'train', state: 'idle' });
      this.card.append(caption, line);
    }

    /* the card shown: this one's, then the real one's (app.js places it) */
    get element() { return this.real ? this.real.element : this.card; }
    get marking() { return Boolean(this.real?.marking); }

    handOver(real) {
      real.element.hidden = this.card.hidden;
      real.element.classList.toggle('is-focus', this.card.classList.contains('is-focus'));
      this.card.replaceWith(real.element);
    }

    mark(head, row, col) { this.real?.mark(head, row, col); }
  }
  if (!root.AttnTrainer) root.AttnTrainer = { Trainer: LazyTrainer };

  class AttentionViz extends HTMLElement {
    static get observedAttributes() { return ATTRIBUTES; }

    /* called by attention-viz-share.js and -train.js: their modules, run
     * once on this bundle's globals */
    static addModules(name, run) {
      if (added.has(name)) return;
      added.add(name);
      run(root);
    }

    /* called by a build's script (attention-viz-NAME.js): its wasm as hex */
    static addBuild(name, hex) {
      if (root.AttnWasm[name]) return;
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
      root.AttnWasm[name] = bytes;
    }

    constructor() {
      super();
      const shadow = this.attachShadow({ mode: 'open' });
      shadow.adoptedStyleSheets = [styles()];
      this.container = document.createElement('div');
      /* until it starts: the element's own content (a poster: an image, the
       * SVG of `node web/cli.mjs --svg`), else a placeholder of about its size */
      this.poster = document.createElement('slot');
      this.poster.setAttribute('part', 'poster');
      this.placeholder = document.createElement('p');
      this.placeholder.className = 'attn-placeholder';
      this.placeholder.setAttribute('part', 'placeholder');
      this.placeholder.textContent = Text.t('en', 'w.wait'); /* (the page's language once connected) */
      shadow.append(this.poster, this.placeholder, this.container);
      this.app = null;
      this.starting = null;
    }

    connectedCallback() {
      if (this.app || this.observer) return;
      const hasPoster = [...this.childNodes].some((n) => n.nodeType === 1 || n.textContent.trim());
      this.placeholder.textContent = Text.t(Text.pick(this.getAttribute('lang') || hostLang(this)), 'w.wait');
      this.placeholder.hidden = hasPoster;
      if (!hasPoster) this.placeholder.style.height = `${estimatedHeight(this, this.getBoundingClientRect().width)}px`;
      /* start only near the viewport, so a post with many figures stays light */
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) this.start();
      }, { rootMargin: '300px' });
      this.observer.observe(this);
    }

    disconnectedCallback() {
      this.observer?.disconnect();
      this.observer = null;
    }

    attributeChangedCallback(name) {
      if (!this.app) return;
      if (name === 'step') {
        const problems = [], step = this.getAttribute('step') === null ? null : stepFrom(this, problems); /* removed: closed */
        const result = step === undefined ? { ok: true } : this.app.session.apply({ type: 'view', step });
        if (!result.ok) problems.push(result.error.message);
        this.app.showBanner(problems.length ? `attention-viz: ${problems.join('; ')}` : null);
      } else if (DISPLAY.includes(name)) this.showDisplay();
      else this.apply();
    }

    /* ---- driven by the prose: properties beside the attributes ---- */

    get step() { const n = parseInt(this.getAttribute('step'), 10); return Number.isInteger(n) ? n : null; }
    set step(value) { this.setOrRemove('step', value); }
    get view() { return this.getAttribute('view'); }
    set view(value) { this.setOrRemove('view', value); }
    get stages() { return this.getAttribute('stages'); }
    set stages(value) { this.setOrRemove('stages', value); }
    /* el.highlight = "weights:2,1" sets the attribute; el.highlight(stage,
     * row, col[, head]) pins that cell at once (true when it is drawn). */
    get highlight() { return (stage, row, col, head = 0) => this.pin(stage, head, row, col); }
    set highlight(value) { this.setOrRemove('highlight', value); }

    setOrRemove(name, value) {
      if (value === null || value === undefined || value === '') this.removeAttribute(name);
      else this.setAttribute(name, String(value));
    }

    /* el.play(stage, row, col[, head]): that cell's arithmetic played, step
     * by step, in the player (scores, weights, context, output). Starts the
     * element first if it has not started. True when it plays. */
    async play(stage, row, col, head = 0) {
      await this.start();
      const card = Catalogue.matrixCards(this.app.session.sections()).find((c) => c.stage === stage);
      this.playing = true; /* the player is shown beside the stages shown alone */
      try { this.showFocus(); } catch { /* the banner says why */ }
      return this.app.play(stage, card?.perHead ? head : null, row, col);
    }

    async pin(stage, head, row, col) {
      await this.start();
      return this.app.pinCell(stage, head, row, col);
    }

    async start() {
      this.observer?.disconnect();
      this.observer = null;
      if (this.starting) return this.starting;
      this.starting = (async () => {
        const asked = ['relaxed', 'simd', 'scalar'].includes(this.getAttribute('build')) ? this.getAttribute('build') : undefined;
        const attention = await root.AttnCore.createAttention({ build: await loadBuild(asked) });
        const problems = [];
        if (namesExample(this)) await loadExamples().catch((e) => problems.push(e.message));
        let state = stateFrom(this, problems);
        if (listsExamples(state) && !root.AttnExamples) {
          await loadExamples().catch((e) => problems.push(e.message));
          state = stateFrom(this, []); /* (the same, its example now named) */
        }
        await loadLanguage(root.AttnApp.language(state.view, hostLang(this))).catch((e) => problems.push(e.message));
        const make = this.make = (shown) => new root.AttnApp.App(this.container, {
          attention, state: shown, lang: hostLang(this), onLanguage: (lang) => this.relanguage(lang),
          onChange: (change, session) => {
            if (change.edit.type === 'start') return;
            if ((change.view || change.structure) && this.app) try { this.showFocus(); } catch { /* the banner says why */ }
            /* once the session has told every view: what the host does in
               answer (an attribute set) is an edit of its own, not refused */
            const detail = session.getState();
            queueMicrotask(() => this.dispatchEvent(new CustomEvent('change', { detail })));
          },
        });
        try {
          this.app = make(safe(state, problems));
        } catch (e) { /* a view the case cannot have, e.g. a stage it has not */
          if (e.name !== 'CaseError') throw e;
          problems.push(e.message);
          this.app = make({ case: Cases.lectureCase(), view: {} });
        }
        this.app.root.classList.add('is-embedded');
        nameParts(this.app);
        this.restyle();
        this.showDisplay(problems);
        this.placeholder.remove();
        this.poster.remove(); /* the poster stays in the page's DOM, unshown */
        this.dataset.ready = 'true';
        this.dispatchEvent(new Event('ready'));
      })();
      return this.starting;
    }

    /* Another language asked for (lang, or a state's lang=): its table
     * loaded, and the view made anew in it, the same state shown. */
    async relanguage(lang) {
      try { await loadLanguage(lang); } catch (e) { return this.app.showBanner(`attention-viz: ${e.message}`); }
      if (this.app.session.lang === lang || root.AttnApp.language(this.app.session.view, hostLang(this)) !== lang) return;
      const state = this.app.session.getState(), old = this.app;
      /* the old view, detached, says nothing more, and its walk-through
         (listening on the document) takes no more keys */
      Object.assign(old, { onChange: () => {}, onLanguage: () => {} });
      old.session.apply({ type: 'view', step: null });
      old.root.remove();
      this.app = this.make(state);
      this.app.root.classList.add('is-embedded');
      nameParts(this.app);
      this.showDisplay();
    }

    /* The attributes changed after start: show what they now ask for. */
    apply(examplesLoaded = false) {
      if (!examplesLoaded && namesExample(this)) /* (a trained example's name: its part first) */
        return void loadExamples().catch((e) => console.error(`attention-viz: ${e.message}`)).then(() => this.apply(true));
      const problems = [];
      const result = this.app.session.apply({ type: 'state', state: safe(stateFrom(this, problems), problems) });
      if (!result.ok) problems.push(result.error.message);
      this.showDisplay(problems);
    }

    /* view, stages and highlight: what is shown, never the case. */
    showDisplay(problems = []) {
      const app = this.app, session = app.session;
      const view = this.getAttribute('view') || '';
      if (!['', 'matrix', 'lines'].includes(view)) problems.push(`view: expected matrix or lines, got "${view}"`);
      /* matrix: the weights without their lines; lines: the lines without the weights' matrix */
      const hide = session.view.hide.filter((part) => part !== 'lines').concat(view === 'matrix' ? ['lines'] : []);
      if (hide.length !== session.view.hide.length) session.apply({ type: 'view', hide });
      app.root.classList.toggle('is-lines-view', view === 'lines');
      try {
        this.showFocus();
      } catch (e) {
        problems.push(e.message);
      }
      try {
        const cell = parseHighlight(this.getAttribute('highlight'));
        const shown = app.stages.only; /* null: every stage */
        if (!cell) app.explanation.hide();
        else if (shown && !shown.includes(cell.stage) && cell.stage !== 'query') {
          app.explanation.hide();
          problems.push(`highlight: ${cell.stage} is not among the stages shown (${shown.join(', ')})`);
        } else if (!app.pinCell(cell.stage, cell.head, cell.row, cell.col))
          problems.push(`highlight: no cell ${this.getAttribute('highlight')} in this view`);
      } catch (e) {
        problems.push(e.message);
      }
      app.showBanner(problems.length ? `attention-viz: ${problems.join('; ')}` : null);
    }

    /* The cards shown alone: the stages attribute's, or the stage one's;
     * in the lines view the weights' lines in place of their matrix; the
     * player once play() ran. Throws on a bad stages attribute. */
    showFocus() {
      const session = this.app.session;
      let names = stagesFrom(this.getAttribute('stages'), session) || (session.view.stage ? [session.view.stage] : null);
      if (names && this.getAttribute('view') === 'lines' && names.includes('weights')) names = [...names.filter((n) => n !== 'weights'), 'lines'];
      if (names && this.playing) names = [...names, 'player'];
      this.app.stages.showOnly(names);
    }

    /* The palette ends of the host page's CSS (paletteFrom), read again:
     * at the start, and when the page changed them. */
    restyle() {
      const shadow = this.shadowRoot, stops = paletteFrom(this);
      const others = shadow.adoptedStyleSheets.filter((sheet) => sheet !== this.paletteSheet);
      this.paletteSheet = null;
      if (stops) {
        this.paletteSheet = new CSSStyleSheet();
        this.paletteSheet.replaceSync(root.AttnFormat.paletteCSS('.attn-view', stops));
      }
      shadow.adoptedStyleSheets = this.paletteSheet ? [...others, this.paletteSheet] : others;
    }

    /* The current state, as a link's hash (the state attribute's format). */
    get hash() { return this.app ? Link.encode(this.app.session.getState()) : null; }
  }

  /* A state that cannot be shown falls back to the lecture's, with a message. */
  function safe(state, problems) {
    try {
      Cases.check(state.case);
      return state;
    } catch (e) {
      problems.push(e.message);
      return { case: Cases.lectureCase(), view: state.view };
    }
  }

  if (typeof customElements !== 'undefined' && !customElements.get('attention-viz')) customElements.define('attention-viz', AttentionViz);
})(typeof globalThis !== 'undefined' ? globalThis : this);
