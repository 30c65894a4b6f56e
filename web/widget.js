/* widget.js: <attention-viz>, the visualiser as a custom element for other
 * people's pages. Built into dist/attention-viz.js by `make dist`.
 *
 *   <attention-viz tokens="the cat sat" heads="1" stage="weights"
 *                  controls="compact" theme="auto"></attention-viz>
 *
 * Attributes: state (a link's hash, "#v=1&...", or a JSON case), tokens (a
 * JSON array or words separated by spaces), heads, stage (the one to show),
 * controls (none | compact | full) and theme (auto | light | dark). Each
 * element has its own shadow root and its own core, starts when it nears the
 * viewport, and fires "change" with { detail: state } after every edit.
 *
 * A classic script (needs AttnCore, AttnState, AttnView, AttnStyles). */
(function (root) {
  'use strict';

  const State = root.AttnState;
  const ATTRIBUTES = ['state', 'tokens', 'heads', 'stage', 'controls', 'theme'];
  let sheet = null; /* one constructed stylesheet shared by every element: no inline <style>, so a strict CSP holds */

  function styles() {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(`:host { display: block; } :host([hidden]) { display: none; } ${root.AttnStyles}
        .attn-view .controls { position: static; }`);
    }
    return sheet;
  }

  /* The state the attributes ask for; problems are collected, not thrown, and
   * whatever they concern keeps its default. */
  function stateFrom(element, problems) {
    const text = (element.getAttribute('state') || '').trim();
    let state = { case: State.lectureCase(), view: {} };
    if (text) {
      try {
        if (text.startsWith('{')) {
          const c = JSON.parse(text);
          State.check(c);
          state = { case: c, view: {} };
        } else state = State.decodeHash(text.startsWith('#') ? text : `#${text}`);
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
        if (list.length > State.LIMITS.tokens) throw new Error(`at most ${State.LIMITS.tokens} tokens`);
        if (!State.isSelfAttention(c)) throw new Error('tokens can be set only for self-attention');
        while (c.query.length < list.length) c = State.withTokenAdded(c, c.query.length, '', State.seededRandom(c.query.length));
        while (c.query.length > list.length) c = State.withTokenRemoved(c, c.query.length - 1);
        c = { ...c, tokens: list };
        State.check(c);
      } catch (e) {
        problems.push(`tokens: ${e.message}`);
        c = state.case;
      }
    }
    const heads = element.getAttribute('heads');
    if (heads !== null) {
      const H = Number(heads);
      if (!Number.isInteger(H) || H < 1 || State.embedDim(c) % H) problems.push(`heads: ${heads} does not divide embed_dim ${State.embedDim(c)}`);
      else c = State.withHeads(c, H);
    }
    const view = { ...state.view };
    for (const name of ['controls', 'theme']) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      if (State.VIEW_KEYS[name].includes(value)) view[name] = value;
      else problems.push(`${name}: expected ${State.VIEW_KEYS[name].join(', ')}, got "${value}"`);
    }
    if (element.getAttribute('stage')) view.stage = element.getAttribute('stage');
    return { case: c, view };
  }

  class AttentionViz extends HTMLElement {
    static get observedAttributes() { return ATTRIBUTES; }

    constructor() {
      super();
      const shadow = this.attachShadow({ mode: 'open' });
      shadow.adoptedStyleSheets = [styles()];
      this.container = document.createElement('div');
      this.placeholder = document.createElement('p');
      this.placeholder.className = 'attn-placeholder';
      this.placeholder.textContent = 'Attention visualiser: loading when it comes into view…';
      shadow.append(this.placeholder, this.container);
      this.view = null;
      this.starting = null;
    }

    connectedCallback() {
      if (this.view || this.observer) return;
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

    attributeChangedCallback() {
      if (this.view) this.apply();
    }

    async start() {
      this.observer?.disconnect();
      this.observer = null;
      if (this.starting) return this.starting;
      this.starting = (async () => {
        const attention = await root.AttnCore.createAttention();
        const problems = [];
        const state = stateFrom(this, problems);
        this.view = new root.AttnView(this.container, {
          attention, state: safe(state, problems),
          onChange: (view) => this.dispatchEvent(new CustomEvent('change', { detail: view.getState() })),
        });
        this.view.root.classList.add('is-embedded');
        this.view.showBanner(problems.length ? `attention-viz: ${problems.join('; ')}` : null);
        this.placeholder.remove();
        this.dataset.ready = 'true';
      })();
      return this.starting;
    }

    /* The attributes changed after start: show what they now ask for. */
    apply() {
      const problems = [];
      this.view.setState(safe(stateFrom(this, problems), problems));
      this.view.showBanner(problems.length ? `attention-viz: ${problems.join('; ')}` : null);
    }

    /* The current state, as a link's hash (the state attribute's format). */
    get hash() { return this.view ? State.encodeHash(this.view.getState()) : null; }
  }

  /* A state that cannot be shown falls back to the lecture's, with a message. */
  function safe(state, problems) {
    try {
      State.check(state.case);
      return state;
    } catch (e) {
      problems.push(e.message);
      return { case: State.lectureCase(), view: state.view };
    }
  }

  if (typeof customElements !== 'undefined' && !customElements.get('attention-viz')) customElements.define('attention-viz', AttentionViz);
})(typeof globalThis !== 'undefined' ? globalThis : this);
