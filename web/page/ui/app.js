/* app.js: the visualiser in one element (the page's, or a widget's shadow
 * root): a session, and the views of it: the controls, the stages (the
 * pass or the steps), the token lines, the player, the explanation, the
 * walk-through, the export panel. The views read the session and send it
 * edits; after every change the session tells this app, which tells each
 * view, and carries what one view points at to another (a cell to its
 * line, a token to its row, a lesson's number to its cells). Nothing here
 * holds a piece of the case.
 *
 *   const app = new App(host, { attention, state, history, onChange });
 *
 * state: { case, view } (link.js). history: { undo(), redo() } when undo
 * must go through something else (the page's Back and Forward); the
 * session's own by default. onChange(change, session): after every change.
 * lang: the host's language, for a view without its own (view.lang); the
 * app is made in it if its table is here (text/text.js), and calls
 * onLanguage(lang) when the view asks for another: the host makes a new
 * app in that one (the words are written once, when the views are made).
 *
 * Keyboard: Ctrl+Z undoes, Ctrl+Shift+Z or Ctrl+Y redoes (outside a field
 * being typed in); Escape closes the explanation or the export panel, then
 * ends a sensitivity; g on an output or weights cell shows what moves it.
 *
 * A classic script: the global AttnApp.
 * needs: AttnFormat, AttnText, AttnSession, AttnCatalogue, AttnDom, AttnStages, AttnLines, AttnPlayer, AttnSentence, AttnControls, AttnExplanation, AttnWalkthrough, AttnShare, AttnSensitivityBar, AttnTrainer */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, { el, setHidden, setText } = root.AttnDom;
  const BUILD_NAMES = { relaxed: 'relaxed-SIMD', simd: 'SIMD', scalar: 'scalar' }; /* the core's builds, for the footer */
  let apps = 0; /* several views in one page need distinct ids */
  const paletteSheets = new WeakMap(); /* document or shadow root -> its palette stylesheet */

  class App {
    constructor(host, { attention, state, history = null, onChange = () => {}, lang = 'en', onLanguage = () => {} }) {
      this.id = `attn${++apps}`;
      this.onChange = onChange;
      this.hostLang = lang;
      this.onLanguage = onLanguage;
      const wanted = language(state.view, lang);
      this.session = new root.AttnSession.Session({ attention, state, lang: Text.has(wanted) ? wanted : 'en' });
      const s = this.session, t = Text.of(s);
      this.t = t;
      this.history = history || { undo: () => s.undo(), redo: () => s.redo() };
      this.root = el('div', { className: 'attn-view', lang: s.lang });
      host.append(this.root);
      adoptPalette(this.root.getRootNode());

      this.banner = el('p', { className: 'banner', role: 'alert', hidden: true });
      this.skip = el('a', { className: 'skip-link', href: `#${this.id}-stages`, text: t('app.skip') });
      this.skip.addEventListener('click', (e) => { e.preventDefault(); this.focusMatrices(); });
      this.lines = new root.AttnLines.Lines(s, { id: this.id, onToken: (token) => this.lightToken(token) });
      this.player = new root.AttnPlayer.Player(s, { id: this.id });
      this.sentence = new root.AttnSentence.Sentence(s, { id: this.id });
      this.trainer = new root.AttnTrainer.Trainer(s, { id: this.id, root: this.root, weights: () => this.stages.matrices.weights || [] });
      const app = this;
      this.stages = new root.AttnStages.Stages(s, {
        id: this.id, root: this.root,
        extras: {
          sentence: { element: this.sentence.element, column: 1, section: 'embeddings', first: true },
          lines: { element: this.lines.element, column: 4, section: 'softmax' },
          player: { element: this.player.element, column: 5, section: 'output' },
          /* read when placed: a widget's stand-in (widget.js: LazyTrainer) hands over its card */
          train: { get element() { return app.trainer.element; }, column: 4, section: 'softmax' },
        },
        onPoint: (card, head, index, td, how) => { this.explanation.point(card, head, index, td, how); this.lightLine(card, head, index); },
        onLeave: (how) => { this.explanation.leave(how); this.lines.light(null); },
        onPin: (card, head, index, td) => {
          if (this.trainer.marking && card.stage === 'weights') this.trainer.mark(head ?? 0, Math.floor(index / card.cols), index % card.cols);
          else this.explanation.pin(card, head, index, td);
        },
      });
      this.explanation = new root.AttnExplanation.Explanation(s, {
        root: this.root, stages: this.stages,
        canPlay: (stage) => ['scores', 'weights', 'context', 'output'].includes(stage),
        onPlay: (stage, head, row, col) => this.play(stage, head, row, col),
      });
      this.share = new root.AttnShare.Share(s, { id: this.id, root: this.root });
      this.walkthrough = new root.AttnWalkthrough.Walkthrough(s, { id: this.id, root: this.root, stages: this.stages, onCite: (cells, options) => this.cite(cells, options) });
      this.controls = new root.AttnControls.Controls(s, {
        id: this.id, share: this.share,
        actions: { walk: () => this.walkthrough.open(1), undo: () => this.history.undo(), redo: () => this.history.redo() },
      });
      this.focusBar = el('p', { className: 'focus-bar', hidden: true });
      this.sensitivity = new root.AttnSensitivityBar.SensitivityBar(s);
      this.footer = el('p', { className: 'footer', text: t('app.footer', { build: BUILD_NAMES[attention.build] }) });
      /* the view and, beside it (below it on a phone), the lesson */
      this.workspace = el('div', { className: 'workspace' }, [this.stages.element, this.walkthrough.element]);
      this.root.append(this.skip, this.banner, this.controls.element, this.focusBar, this.sensitivity.element, this.workspace,
        this.stages.messages, this.explanation.element, this.share.panel, this.footer);
      /* the messages beside cells stay beside them */
      const follow = () => this.stages.placeErrors();
      addEventListener('scroll', follow, { capture: true, passive: true });
      addEventListener('resize', follow);

      this.systemDark = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
      this.systemDark?.addEventListener('change', () => this.showTheme());
      this.root.addEventListener('keydown', (e) => this.key(e));
      this.root.addEventListener('focusin', (e) => {
        const target = e.composedPath()[0];
        this.keepClearOfToolbar(target);
        this.root.toggleAttribute('data-editing', target instanceof Element && target.matches('.matrix td input[type="text"]'));
      });
      this.root.addEventListener('focusout', () => this.root.removeAttribute('data-editing'));
      s.subscribe((change) => this.update(change));
      this.update({ structure: false, values: true, labels: false, view: true, edit: { type: 'start' } });
    }

    /* ---- after every change ---- */

    update(change) {
      this.stages.update(change);
      this.controls.update();
      this.explanation.update();
      this.sensitivity.update();
      this.trainer.update(change);
      this.walkthrough.update(change);
      this.lines.update(change);
      this.player.update(change);
      this.sentence.update(change);
      this.share.update(change);
      if (change.view || change.structure) {
        const view = this.session.view;
        this.showTheme();
        this.root.dataset.controls = view.controls;
        this.root.dataset.layout = view.layout;
        this.root.classList.toggle('is-present', view.present);
        this.applyHide(view.hide);
        this.showFocusBar();
      }
      this.onChange(change, this.session);
      if (change.view && language(this.session.view, this.hostLang) !== this.session.lang) this.onLanguage(language(this.session.view, this.hostLang));
    }

    /* data-theme as chosen (auto, light, dark); data-resolved-theme as shown. */
    showTheme() {
      const theme = this.session.view.theme;
      this.root.dataset.theme = theme;
      this.root.dataset.resolvedTheme = theme === 'auto' ? (this.systemDark?.matches ? 'dark' : 'light') : theme;
    }

    /* view.stage: that stage alone (and X, to edit), the rest behind a button. */
    showFocusBar() {
      const stage = this.session.view.stage;
      this.focusBar.hidden = !stage;
      if (!stage) return;
      const all = el('button', { type: 'button', text: this.t('app.every') });
      all.addEventListener('click', () => this.session.apply({ type: 'view', stage: null }));
      this.focusBar.replaceChildren(this.t('app.showing', { stage }), all);
    }

    /* view.hide: the controls and parts a lesson link leaves out. */
    applyHide(hide) {
      for (const node of this.root.querySelectorAll('[data-control]'))
        node.hidden = hide.includes(node.dataset.control) || hide.includes('controls');
      this.controls.element.hidden = hide.includes('controls');
      this.lines.element.hidden = hide.includes('lines');
      this.player.element.hidden = hide.includes('player');
      this.trainer.element.hidden = hide.includes('train');
      this.stages.connectors.element.toggleAttribute('hidden', hide.includes('connectors'));
      if (this.stages.plane) this.stages.plane.figure.hidden = hide.includes('plane');
    }

    /* A cell of the weights pointed at: its line lit. */
    lightLine(card, head, index) {
      if (card.stage !== 'weights' && card.stage !== 'attn_weights') return;
      this.lines.light(card.perHead ? head : null, Math.floor(index / card.cols), index % card.cols);
    }

    /* A token of the lines pointed at: its row (a query) or column (a key) lit in the heatmap. */
    lightToken(token) {
      this.stages.clearHighlight('is-lit');
      if (!token) return;
      const shape = this.session.stages[token.stage].shape;
      const [heads, rows, cols] = shape.length === 3 ? shape : [1, ...shape];
      const cells = [];
      for (let h = 0; h < heads; h++)
        for (let k = 0; k < (token.side === 'query' ? cols : rows); k++)
          cells.push({ stage: token.stage, head: shape.length === 3 ? h : null, row: token.side === 'query' ? token.index : k, col: token.side === 'query' ? k : token.index });
      this.stages.highlight(cells, 'is-lit');
    }

    /* A lesson's number pointed at: its cells lit; clicked: brought into view too. */
    cite(cells, { reveal = false } = {}) {
      this.stages.clearHighlight('is-cited');
      if (!cells) return;
      this.stages.highlight(cells, 'is-cited');
      if (reveal) {
        const { stage, head, row, col } = cells[0];
        this.stages.cell(stage, head, row, col)?.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'smooth' });
      }
    }

    /* A cell pinned from outside (a widget's highlight attribute): its
     * explanation shown, its sources lit. head: for per-head stages (else
     * ignored). False when the stage or cell is not drawn. */
    pinCell(stage, head, row, col) {
      const card = root.AttnCatalogue.matrixCards(this.session.sections()).find((c) => c.stage === stage);
      if (!card || !(row >= 0 && row < card.rows && col >= 0 && col < card.cols)) return false;
      const h = card.perHead ? head : null;
      const td = this.stages.cell(stage, h, row, col);
      if (!td) return false;
      this.explanation.show(card, h, row * card.cols + col, td, 'pin', true);
      return Boolean(this.explanation.shown);
    }

    /* The Play of an explanation: the player takes that cell's operation. */
    play(stage, head, row, col) {
      if (!this.player.load(stage, head, row, col)) return false;
      this.player.element.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      this.player.play();
      return true;
    }

    showBanner(message) {
      setText(this.banner, message || '');
      setHidden(this.banner, !message);
    }

    focusMatrices() {
      const first = this.stages.element.querySelector('.matrix [tabindex="0"]');
      (first || this.stages.element).focus();
    }

    /* The sticky toolbar never hides what has focus. Scroll padding
     * (style.css) does it where the browser honours it when focus moves;
     * this covers the rest. */
    keepClearOfToolbar(target) {
      const bar = this.controls.element;
      if (!(target instanceof Element) || bar.contains(target) || getComputedStyle(bar).position !== 'sticky') return;
      const hidden = bar.getBoundingClientRect().bottom - target.getBoundingClientRect().top;
      if (hidden > 0) window.scrollBy(0, -(hidden + 8));
    }

    key(e) {
      const target = e.composedPath()[0];
      const typing = target instanceof Element && (target.closest('textarea, select, input:not([type=checkbox])') && (target.closest('.is-editing') || !target.closest('.matrix')));
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !typing) {
        const key = e.key.toLowerCase();
        if (key === 'z' && !e.shiftKey) { e.preventDefault(); this.history.undo(); }
        else if ((key === 'z' && e.shiftKey) || key === 'y') { e.preventDefault(); this.history.redo(); }
        return;
      }
      if (e.key === 'Escape' && !e.defaultPrevented && (this.explanation.escape() || this.share.close() || this.stages.escape() || this.sensitivity.close())) e.preventDefault();
      const cell = target instanceof Element && target.closest('[data-stage="output"] td[data-row], [data-stage="weights"] td[data-row]');
      if (e.key === 'g' && !e.ctrlKey && !e.metaKey && !e.altKey && cell) {
        const stage = cell.closest('[data-stage]').dataset.stage, d = cell.dataset;
        const grad = stage === 'output' ? `output:${d.row},${d.col}` : `weights:${d.head},${d.row},${d.col}`;
        this.session.apply({ type: 'view', grad: this.session.view.grad === grad ? null : grad });
      }
    }
  }

  /* The language a view is shown in: its own (view.lang), else the host's. */
  const language = (view, hostLang) => Text.pick(view.lang || hostLang);

  /* The palette classes (Format.paletteCSS), once per document or shadow root. */
  function adoptPalette(rootNode) {
    if (paletteSheets.has(rootNode) || !('adoptedStyleSheets' in rootNode)) return;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(Format.paletteCSS('.attn-view'));
    rootNode.adoptedStyleSheets = [...rootNode.adoptedStyleSheets, sheet];
    paletteSheets.set(rootNode, sheet);
  }

  root.AttnApp = { App, language };
})(typeof globalThis !== 'undefined' ? globalThis : this);
