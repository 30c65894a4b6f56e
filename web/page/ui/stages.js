/* stages.js: the stages drawn, and redrawn after each change of the
 * session. Two layouts (view.layout):
 *   pass   the one-screen view: the whole pass as the formula reads, in
 *          five columns (inputs; Q, K, V; scores; the attention; context and
 *          output), small cards joined by connectors; clicking a card's
 *          title opens its detail (formula, shapes, every number, notes)
 *   steps  the worksheet: one section per step of catalogue.js, every card
 *          with its formula and shapes
 * Either way a card per input or stage, a matrix per card (per head in
 * per-head stages), each card marked with its step (section N is step N of
 * the walk-through and step=N in a link). It draws what the session holds
 * and sends the user's edits to it; it keeps no state of the case.
 *
 *   const stages = new Stages(session, { id, root, extras, onPoint, onLeave, onPin });
 *   stages.element    for the view to place; stages.messages, the cells' messages
 *   stages.update(change)   after a change of the session
 * extras: other views' cards to place, { name: { element, column, section, first } }:
 * in that column of the pass, in that section of the steps, at the start
 * when `first`, else at the end.
 *
 * A classic script: the global AttnStages.
 * Sensitivity (view.grad): every input's cells painted with ∂result/∂cell
 * (data-grad), their matrix element naming the result (data-grad-of), the
 * result's cell marked (is-grad-result).
 *
 * needs: AttnFormat, AttnText, AttnCases, AttnCatalogue, AttnSensitivity, AttnDom, AttnMatrix, AttnBackdrop, AttnCanvas, AttnPlane, AttnPreview, AttnConnectors */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, Cases = root.AttnCases, Catalogue = root.AttnCatalogue, Sensitivity = root.AttnSensitivity;
  const { el, place, setHidden, setText, markInvalid } = root.AttnDom, { Matrix } = root.AttnMatrix;
  const CanvasMatrix = root.AttnCanvas ? root.AttnCanvas.CanvasMatrix : null; /* (not in the widget, whose limits need none) */
  /* a heatmap's colours on a canvas under its cells (not in the widget, whose palettes a host page sets) */
  const Backdrop = root.AttnBackdrop ? root.AttnBackdrop.Backdrop : null;

  /* wider or taller matrices show colour only (numbers in the readout) */
  const COMPACT = { steps: { cols: 10, rows: 24 }, pass: { cols: 5, rows: 12 } };
  const BIG_CELLS = 4000; /* from this many table cells, steps (or heads) off screen are skipped */
  /* a matrix with more cells than this (the largest at the old limits:
   * in_proj_weight at E = 64) is a canvas (canvas.js), not a table; so is
   * the bias of such a weight (a table lays out in time that grows with its
   * cells: in_proj_bias at E = 768, 2,304 rows beside its weight, took most
   * of a BERT-size file's first layout, and 2,304 columns most of the
   * switch to the steps) */
  const CANVAS_CELLS = 3 * 64 * 64;
  /* ... and so is one wider than this, whatever its rows: a table of 768
   * columns lays out slowly and shows no more (a BERT layer on 16 rows: its
   * X, Q, K, V, context and output as tables took 1.8-1.9 s to open,
   * 0.29-0.34 s as canvases, in Chromium) */
  const CANVAS_COLS = 128;
  /* What draws a matrix of `cells` cells in `cols` columns: a canvas past those limits, else a table. */
  const matrixKind = (cells, cols) => (CanvasMatrix && (cells > CANVAS_CELLS || cols > CANVAS_COLS) ? CanvasMatrix : Matrix);
  /* a view this wide, CSS px (a tablet held sideways, an XGA projector, a
   * laptop with the lesson beside the view), draws the pass snug
   * (style.css: data-snug), so that its five columns stay side by side;
   * from 860 to 1235 px: a window 900 to 1267 px wide, or 1279 with a
   * 12 px scrollbar (Firefox); 1280 and 1366 with the lesson (896 and 982 px) */
  const SNUG_PX = [860, 1236];

  /* "W_{q}ᵀ" -> W<sub>q</sub>ᵀ: formulas as DOM, never as HTML text. */
  function formula(text) {
    const span = el('span', { className: 'formula' });
    for (const part of text.split(/(_\{[^}]*\})/)) {
      if (/^_\{.*\}$/.test(part)) span.append(el('sub', { text: part.slice(2, -1) }));
      else if (part) span.append(part);
    }
    return span;
  }

  const idOf = (name) => name.replace('.', '-');
  /* The flat index in its input of a card's cell (a per-head card shows one head's block). */
  const inputIndex = (card, head, index) => (head === null ? 0 : head * card.rows * card.cols) + index;

  class Stages {
    constructor(session, { id, root: viewRoot, extras = {}, onPoint, onLeave, onPin }) {
      this.session = session;
      this.t = Text.of(session);
      this.id = id;
      this.viewRoot = viewRoot;
      this.extras = extras;
      this.callbacks = { onPoint, onLeave, onPin };
      this.matrices = {};   /* stage -> [Matrix], one per head */
      this.figures = {};    /* stage -> its card's <figure> */
      this.detail = null;   /* the stage whose detail is open (pass layout) */
      this.element = el('div', { className: 'stages', id: `${id}-stages`, tabindex: '-1' });
      /* the cells' and tokens' messages, out of the cards (whose layout
       * containment would clip them): the view puts it at its root */
      this.messages = el('div', { className: 'cell-messages' });
      this.connectors = new root.AttnConnectors.Connectors(this.element);
      /* The pass's heatmap squares: 0.65% of the view's width (style.css
       * clamps it), and whether the pass is snug (SNUG_PX), set from a
       * ResizeObserver, which reports after layout.
       * (A container query did the same, but made every cell's style wait
       * for the view's layout: the sentence's pass took twice as long to
       * lay out.) */
      this.resizes = typeof ResizeObserver === 'function'
        ? new ResizeObserver(([entry]) => {
          const width = Math.round(entry.contentRect.width);
          this.element.style.setProperty('--view-width', `${width}px`);
          this.element.toggleAttribute('data-snug', width >= SNUG_PX[0] && width < SNUG_PX[1]);
          this.measured = true;
          /* the step a page opened on, at once (not a widget's: a figure never scrolls the page it is in) */
          if (this.stepToShow !== null && !this.viewRoot.classList.contains('is-embedded')) this.showStep(this.stepToShow, false);
          this.stepToShow = null;
        })
        : null;
      this.measured = false; /* (no report yet: the pass's size, which decides where its cards are, is not known) */
      this.stepToShow = null;
      this.resizes?.observe(this.element);
      this.layout = null;
      this.only = null; /* showOnly() */
      this.build();
    }

    update(change) {
      if (change.structure || this.layout !== this.session.view.layout) this.build();
      else if (change.labels) this.updateLabels();
      if (change.values || change.structure || this.built) this.paint(this.built || change.structure ? null : change);
      else if (change.view) this.paintSensitivity();
      if (change.view || change.structure || this.built) { this.applyFocus(); this.applyStep(); }
      this.built = false;
    }

    /* ---- building ---- */

    build() {
      const s = this.session;
      const focus = this.focusBefore();
      for (const list of Object.values(this.matrices)) for (const m of list) m.dispose();
      this.messages.replaceChildren();
      this.matrices = {};
      this.figures = {};
      this.tokenInputs = [];
      this.layout = s.view.layout;
      if (this.detail && !Catalogue.matrixCards(s.sections()).some((c) => c.stage === this.detail)) this.detail = null;
      this.element.dataset.layout = this.layout;
      const parts = this.layout === 'pass' ? this.buildPass() : this.buildSteps();
      this.element.replaceChildren(...parts);
      /* Big views skip the steps off screen (style.css), once laid out: the
       * frame after the next has their real heights remembered. Small ones
       * stay whole, for full-page screenshots. (A canvas has no cells.) */
      const cells = Object.values(this.matrices).flat().reduce((sum, m) => sum + m.cells.length, 0);
      if (cells >= BIG_CELLS) {
        const lazy = this.layout === 'steps' ? parts : [...this.element.querySelectorAll('.stage > .head')];
        requestAnimationFrame(() => requestAnimationFrame(() => lazy.forEach((part) => part.classList.add('is-lazy'))));
      }
      this.connectors.draw(this.layout === 'pass' ? this.feeds() : []);
      this.focusAgain(focus);
      this.built = true;
    }

    /* What had focus in the view before a rebuild, so that it has it again
     * after (a keyboard user who pressed "+ token" stays there, not at the
     * top of the page): a cell by its place, anything else by its class and
     * its place among those of its class. */
    focusBefore() {
      const focused = this.viewRoot.getRootNode().activeElement;
      if (!focused || !this.element.contains(focused)) return null;
      const td = focused.closest('td[data-row]'), stage = td?.closest('[data-stage]')?.dataset.stage;
      if (td && stage) return { focused, cell: [stage, td.dataset.head === undefined ? null : Number(td.dataset.head), Number(td.dataset.row), Number(td.dataset.col)] };
      const kind = focused.classList[0];
      return { focused, kind, index: kind ? [...this.element.getElementsByClassName(kind)].indexOf(focused) : -1 };
    }

    /* The element itself where it was kept (the sentence's field, the
     * lines' buttons), else its namesake in the new view: the cell at the
     * same place, or the control of its class at its place (a token's ×
     * that removed it: the next token's ×, or the last one's). */
    focusAgain(before) {
      if (!before || before.focused.isConnected && this.viewRoot.getRootNode().activeElement === before.focused) return;
      const same = before.kind ? this.element.getElementsByClassName(before.kind) : [];
      const target = before.focused.isConnected ? before.focused
        : before.cell ? this.cell(...before.cell)
          : same[Math.min(before.index, same.length - 1)];
      if (target instanceof Element) target.focus({ preventScroll: true }); /* (a canvas matrix's cellAt is not one) */
    }

    /* The worksheet: a section per step, each with its cards. */
    buildSteps() {
      const s = this.session;
      return s.sections().map((section) => {
        const titleId = `${this.id}-step-${section.number}`;
        const row = el('div', { className: 'cards' });
        for (const card of section.cards) row.append(...[this.buildCard(card, section.number)].filter(Boolean));
        for (const extra of Object.values(this.extras)) if (extra.section === section.id) (extra.first ? row.prepend(extra.element) : row.append(extra.element));
        return el('section', { className: `step step-${section.id}`, 'data-step': section.number, 'aria-labelledby': titleId }, [
          el('h2', { id: titleId }, [el('span', { className: 'step-number', text: String(section.number) }), ` ${section.title}`]),
          row,
        ]);
      });
    }

    /* The pass: five columns in the order of the formula, the connectors behind. */
    buildPass() {
      const s = this.session;
      const columns = Catalogue.PASS_COLUMNS.map((name, i) => el('div', { className: 'pass-column', 'data-column': i + 1, 'aria-label': this.t(`st.col${i + 1}`), role: 'group' }));
      const column = (n) => columns[n - 1];
      let planeCard = null; /* (E = 2) last, after the output: a picture of X, Q, K and V */
      for (const section of s.sections())
        for (const card of section.cards) {
          if (card.custom === 'preview') { column(1).prepend(this.buildCard(card, section.number)); continue; }
          if (card.custom === 'plane') { planeCard = [card, section.number]; continue; }
          const figure = this.buildCard(card, section.number);
          const partner = card.beside && this.figures[card.beside];
          if (partner) { /* a bias beside its weight (canvases: row for row as they zoom and pan) */
            const [bias] = this.matrices[card.stage], [weight] = this.matrices[card.beside];
            if (bias.linkRows && weight.linkRows) bias.linkRows(weight);
            let pair = partner.parentElement;
            if (!pair.classList.contains('pair')) {
              pair = el('div', { className: 'pair' });
              partner.replaceWith(pair);
              pair.append(partner);
            }
            pair.append(figure);
          } else column(card.column).append(figure);
        }
      for (const extra of Object.values(this.extras)) (extra.first ? column(extra.column).prepend(extra.element) : column(extra.column).append(extra.element));
      if (planeCard && root.AttnPlane) column(5).append(this.buildCard(...planeCard));
      return [this.connectors.element, el('div', { className: 'pass' }, columns)];
    }

    /* What feeds what, among the cards drawn: [[from figure, to figure]]. */
    feeds() {
      const pairs = [];
      for (const card of Catalogue.matrixCards(this.session.sections()))
        for (const from of card.feeds || []) if (this.figures[from] && this.figures[card.stage]) pairs.push([this.figures[from], this.figures[card.stage]]);
      return pairs;
    }

    buildCard(card, step) {
      if (card.custom === 'plane') {
        if (!root.AttnPlane) return null; /* (not in the widget) */
        this.plane = this.plane || new root.AttnPlane.Plane(this.session, this.id);
        this.plane.figure.dataset.step = step;
        return this.plane.figure;
      }
      if (card.custom === 'preview') {
        this.preview = this.preview || new root.AttnPreview.Preview(this.session, this.viewRoot);
        return this.preview.figure;
      }
      const s = this.session, lab = s.labels(), H = s.config.num_heads;
      const pass = this.layout === 'pass', open = pass && this.detail === card.stage;
      const vertical = pass && card.vertical;
      const figure = el('figure', { className: `card card-${card.kind}${card.big ? ' is-big' : ''}${open ? ' is-open' : ''}${vertical ? ' is-vertical' : ''}`, 'data-card': card.stage, 'data-step': step });
      const title = el('span', { className: 'card-title' }, [formula(pass && card.passTitle && !open ? card.passTitle : card.title)]);
      const heading = pass ? el('button', { type: 'button', className: 'card-open', 'aria-expanded': String(open), title: this.t(open ? 'st.close' : 'st.open') }, [title]) : title;
      if (pass) heading.addEventListener('click', () => this.toggleDetail(card.stage));
      figure.append(el('figcaption', {}, [
        heading,
        el('span', { className: 'card-shape', text: card.shape.join('×') }),
        el('span', { className: 'card-letters', text: card.letters }),
        el('span', { className: 'card-step', text: String(step), title: this.t('st.step', { step }) }),
        card.editable ? el('span', { className: 'card-editable', text: this.t('st.editable') }) : null,
        el('span', { className: 'card-formula' }, [formula(card.formula)]),
        card.shapes ? el('span', { className: 'card-shapes' }, [formula(card.shapes)]) : null,
      ]));
      if (open) {
        const close = el('button', { type: 'button', className: 'card-close', text: '×', 'aria-label': this.t('st.closeOf', { stage: card.stage }) });
        close.addEventListener('click', () => this.toggleDetail(card.stage));
        figure.append(close);
      }
      const group = el('div', { className: 'stage', 'data-stage': card.stage });
      const limits = COMPACT[pass ? 'pass' : 'steps'];
      const compact = !open && (card.vertical ? card.cols > limits.rows : card.cols > limits.cols || card.rows > limits.rows);
      const summaryId = `${this.id}-${idOf(card.stage)}-summary`;
      /* (a bias: as its weight is, a column beside it in the pass, a strip in the steps) */
      const cells = card.beside ? this.session.inputShapes[card.beside].reduce((a, b) => a * b) : card.rows * card.cols;
      const Kind = matrixKind(cells, card.cols);
      /* more than 8 heads: a grid of them, √H across, in the pass (style.css); up to 8, one above the other, so that
       * context and output stay beside them on the first screen. Tables (a BERT layer on a few tokens) keep their
       * size; canvases (on 128 tokens) share one canvas's width, as BertViz's model view shows every head at once. */
      const across = pass && card.perHead && H > 8 ? Math.min(4, Math.ceil(Math.sqrt(H))) : 1;
      this.matrices[card.stage] = [];
      for (let h = 0; h < (card.perHead ? H : 1); h++) {
        const head = card.perHead ? h : null;
        const matrix = new Kind({
          Backdrop: compact ? Backdrop : null,
          stage: card.stage, head, shape: card.perHead ? [H, card.rows, card.cols] : [card.rows, card.cols], rows: card.rows, cols: card.cols, kind: card.kind, editable: Boolean(card.editable), compact,
          vertical, withVectorBeside: pass && Boolean(card.biasBeside), across,
          rowLabels: Catalogue.cardLabels(card.rowLabels, lab), colLabels: Catalogue.cardLabels(card.colLabels, lab),
          rowBands: card.rowBands, colBands: card.colBands,
          idPrefix: `${this.id}-${idOf(card.stage)}-${h}`, panelRoot: this.viewRoot, messages: this.messages, lang: this.session.lang,
          label: `${card.stage}${card.perHead ? `, ${this.t('x.head', { h: h + 1 })}` : ''}`,
          rowHeader: card.tokens ? (i) => this.tokenHeader(i) : null,
          onEdit: card.editable ? (index, value, group) => this.edit(card, head, index, value, group) : null,
          exactValue: card.editable ? (index) => this.session.numberAt(card.stage, inputIndex(card, head, index)) : null,
          onPoint: (index, td, how) => this.callbacks.onPoint(card, head, index, td, how),
          onLeave: (index, how) => this.callbacks.onLeave(how),
          onPin: (index, td) => this.callbacks.onPin(card, head, index, td),
        });
        matrix.element.setAttribute('aria-describedby', summaryId);
        this.matrices[card.stage].push(matrix);
        group.append(el('div', { className: 'head' }, [H > 1 && card.perHead ? el('p', { className: 'head-label', text: this.t('x.head', { h: h + 1 }) }) : null, matrix.backdrop ? matrix.backdrop.box : matrix.element]));
      }
      if (compact && card.big) figure.style.setProperty('--side', String(Math.max(card.rows, card.cols))); /* (its squares' size: style.css) */
      if (across > 1) {
        group.classList.add('is-head-grid', ...(Kind === Matrix ? [] : ['is-canvas-grid']));
        group.style.setProperty('--head-columns', String(across));
      }
      figure.append(group);
      if (card.kind !== 'bool') figure.append(this.legend(card));
      if (card.tokens) figure.append(this.tokenButtons());
      /* a short text summary of every matrix: shown for the attention
       * weights, for screen readers only elsewhere */
      figure.append(el('p', { className: card.summary ? 'summary' : 'summary sr-only', id: summaryId }));
      if (card.stage === 'weights') figure.append(el('p', { className: 'note nan-note', hidden: true }));
      if (card.editable && card.kind !== 'bool') figure.append(el('p', { className: 'note input-note', hidden: true }));
      this.figures[card.stage] = figure;
      return figure;
    }

    /* A heatmap's colour legend: its palette from one end to the other, and
     * the numbers at the ends (painted with the matrix: the scale moves). */
    legend(card) {
      return el('p', { className: `legend legend-${card.kind}`, 'data-legend': card.stage, role: 'img', 'aria-label': this.t('st.scale') }, [
        el('span', { className: 'legend-low' }), el('span', { className: 'legend-bar' }), el('span', { className: 'legend-high' }),
      ]);
    }

    /* kind: the card's, or 'gradient' while its cells show a sensitivity. */
    paintLegend(card, scale, kind = card.kind) {
      const legend = this.figures[card.stage]?.querySelector('.legend');
      if (!legend || legend.dataset.scale === `${kind} ${scale}`) return;
      legend.dataset.scale = `${kind} ${scale}`;
      legend.className = `legend legend-${kind}`;
      const [low, high] = kind === 'sequential' ? ['0', '1'] : [Format.cellText(-scale), Format.cellText(scale)];
      legend.querySelector('.legend-low').textContent = low;
      legend.querySelector('.legend-high').textContent = high;
      legend.setAttribute('aria-label', this.t(kind === 'gradient' ? 'st.scaleG' : 'st.scaleFrom', { low, high }));
    }

    /* The pinned result's gradient over every input's cells (one scale for
     * them all, so that cells compare across matrices), or the values again.
     * With nothing pinned now or before, there is nothing to do (paint()
     * gives the values' legends). */
    paintSensitivity() {
      const s = this.session, sensitivity = s.sensitivity();
      if (!sensitivity && !this.sensitivityShown) return;
      this.sensitivityShown = Boolean(sensitivity);
      const cards = Catalogue.matrixCards(s.sections()).filter((card) => card.source === 'input' && Sensitivity.OVERLAID.includes(card.stage));
      const grads = sensitivity ? cards.map((card) => sensitivity.grads[card.stage]) : [];
      const scale = Format.niceScale(Math.max(0, ...grads.map((g) => (g ? Format.maxAbs(g.data) : 0))));
      cards.forEach((card) => {
        const group = this.figures[card.stage].querySelector('[data-stage]');
        const grad = sensitivity && sensitivity.grads[card.stage];
        if (grad) group.dataset.gradOf = s.view.grad;
        else delete group.dataset.gradOf;
        this.matrices[card.stage].forEach((m) => m.overlay(grad ? grad.data : null, scale));
        if (grad) this.paintLegend(card, scale, 'gradient');
        else this.paintLegend(card, card.kind === 'diverging' ? Format.niceScale(Math.max(...Catalogue.cardData(s, card).map(Format.maxAbs))) : 1);
      });
      this.clearHighlight('is-grad-result');
      if (sensitivity) this.highlight([sensitivity.result], 'is-grad-result');
    }

    /* Opens a card's detail in the pass (or closes it): the card over the
     * view, with its formula, its shapes and every number. */
    toggleDetail(stage) {
      this.detail = this.detail === stage ? null : stage;
      this.build();
      this.paint();
      this.applyFocus();
      this.applyStep();
      const figure = this.figures[stage];
      (this.detail ? figure?.querySelector('.card-close') : figure?.querySelector('.card-open'))?.focus({ preventScroll: !this.detail });
    }

    /* Escape: true when it closed a detail. */
    escape() {
      if (!this.detail) return false;
      this.toggleDetail(this.detail);
      return true;
    }

    /* An edit of one cell: to the session, which recomputes and tells every view. */
    edit(card, head, index, value, group) {
      const bool = card.kind === 'bool';
      const result = this.session.apply({ type: 'cell', key: card.stage, index: inputIndex(card, head, index), value: bool ? Boolean(value) : value, group });
      return result.ok ? null : this.t.message(result.error);
    }

    /* A query row's header: the token's name, editable, and a remove button. */
    tokenHeader(i) {
      const s = this.session;
      const th = el('th', { scope: 'row', className: 'token-header' });
      const input = el('input', {
        type: 'text', className: 'token', value: s.parsed.tokens.query[i], dir: 'auto', 'aria-label': this.t('st.token', { i: i + 1 }),
        maxlength: Cases.LIMITS.tokenLength, spellcheck: 'false', title: s.parsed.tokens.query[i],
      });
      this.tokenInputs[i] = input;
      const message = el('span', { className: 'cell-error', role: 'alert', id: `${this.id}-token-${i}-error`, hidden: true });
      input.addEventListener('input', () => {
        const result = s.apply({ type: 'token', index: i, name: input.value, group: `token-${i}-${this.id}` });
        message.hidden = result.ok;
        message.textContent = result.ok ? '' : this.t.message(result.error);
        markInvalid(input, result.ok ? null : message);
        if (!result.ok) place(message, input.getBoundingClientRect(), this.viewRoot, { gap: 3 });
      });
      input.addEventListener('blur', () => {
        input.value = s.parsed.tokens.query[i]; /* what is in use */
        message.hidden = true;
        markInvalid(input, null);
      });
      this.messages.append(message);
      th.append(input);
      if (Cases.isSelfAttention(s.case) && s.config.tgt_len > 1) {
        const remove = el('button', { type: 'button', className: 'remove-token', text: '×', 'aria-label': this.t('st.removeL', { token: s.parsed.tokens.query[i] }), title: this.t('st.remove') });
        remove.addEventListener('click', () => this.controlResult(s.apply({ type: 'remove-token', index: i }), 'tokens'));
        th.append(remove);
      }
      return th;
    }

    tokenButtons() {
      const s = this.session;
      const add = el('button', { type: 'button', className: 'add-token', text: this.t('st.add') });
      this.tokenMessage = el('span', { className: 'control-error', role: 'alert' });
      add.disabled = !Cases.isSelfAttention(s.case);
      add.title = this.t(add.disabled ? 'st.addNo' : 'st.addT');
      add.addEventListener('click', () => this.controlResult(s.apply({ type: 'add-token' }), 'tokens'));
      return el('p', { className: 'token-buttons', 'data-control': 'tokens' }, [add, this.tokenMessage]);
    }

    controlResult(result) {
      if (this.tokenMessage?.isConnected) this.tokenMessage.textContent = result.ok ? '' : this.t.message(result.error);
    }

    /* Token names changed: every header that shows them. */
    updateLabels() {
      const s = this.session, lab = s.labels();
      const typing = this.viewRoot.getRootNode().activeElement;
      this.tokenInputs.forEach((input, i) => {
        if (input !== typing) input.value = lab.query[i];
        input.title = lab.query[i];
        input.parentElement.querySelector('.remove-token')?.setAttribute('aria-label', this.t('st.removeL', { token: lab.query[i] }));
      });
      for (const card of Catalogue.matrixCards(s.sections()))
        if (typeof card.rowLabels === 'string' || typeof card.colLabels === 'string')
          for (const m of this.matrices[card.stage]) m.setLabels(Catalogue.cardLabels(card.rowLabels, lab), Catalogue.cardLabels(card.colLabels, lab));
      this.paint(); /* the summaries name the tokens */
    }

    /* ---- painting ---- */

    /* New values in every matrix, and the notes and shown summaries that
     * depend on them. The summaries for screen readers only follow a moment
     * later (after the first paint): while one scrubs, they need not be
     * rewritten at every step. */
    /* change: after one cell's edit, the other inputs are as painted and
     * skipped (a BERT-size layer's weights: 2.4 M numbers to look at). */
    paint(change = null) {
      const s = this.session;
      s.sensitivity(); /* first: its backward pass may renew the stages' views */
      const edited = change && change.edit && change.edit.type === 'cell' ? change.edit.key : null;
      for (const card of Catalogue.matrixCards(s.sections())) {
        if (edited && card.source === 'input' && card.stage !== edited) continue;
        const data = Catalogue.cardData(s, card);
        const scale = card.kind === 'diverging' ? Format.niceScale(Math.max(...data.map(Format.maxAbs))) : 1;
        this.matrices[card.stage].forEach((m, h) => m.update(data[h], { scale }));
        if (card.kind !== 'bool') this.paintLegend(card, scale);
        if (card.summary && (!change || this.summaryShown(card))) setText(this.figures[card.stage].querySelector('.summary'), this.summary(card));
        if (card.stage === 'weights') this.nanNote(this.figures.weights.querySelector('.nan-note'));
        if (card.editable && card.kind !== 'bool') this.inputNote(card, data);
      }
      this.paintSensitivity();
      this.plane?.update();
      this.preview?.update();
      clearTimeout(this.summariesLater);
      this.summariesLater = setTimeout(() => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => this.describe(), { timeout: 1000 }) : this.describe()), 250);
    }

    /* The summaries in words for screen readers (the shown ones are painted). */
    describe() {
      const s = this.session;
      for (const card of Catalogue.matrixCards(s.sections()))
        if (!this.summaryShown(card)) setText(this.figures[card.stage].querySelector('.summary'), card.summary ? this.summary(card) : this.range(card));
    }

    /* A summary is shown under its matrix in the steps and in an open
     * detail; elsewhere it is for screen readers only (style.css). */
    summaryShown(card) {
      return Boolean(card.summary) && (this.layout === 'steps' || this.detail === card.stage);
    }

    /* In words, for each query row, the key it attends to most. Token names
     * are isolated, so a right-to-left one keeps the sentence in order. */
    summary(card) {
      const s = this.session, lab = s.labels(), name = (t) => Format.isolate(t);
      const parts = Catalogue.cardData(s, card).map((data, h, all) => {
        const rows = lab.query.map((token, i) => {
          let best = -1;
          for (let j = 0; j < card.cols; j++) if (best < 0 || data[i * card.cols + j] > data[i * card.cols + best]) best = j;
          const w = data[i * card.cols + best];
          return Number.isNaN(w) ? `${name(token)} → NaN` : `${name(token)} → ${name(lab.extended[best])} (${Format.cellText(w)})`;
        });
        return (all.length > 1 ? `${this.t('x.head', { h: h + 1 })}: ` : '') + rows.join(', ');
      });
      return this.t('st.summary', { rows: parts.join('; ') });
    }

    /* "q: 3×2 numbers from −0.14 (I, 1) to 1.66 (good, 1)." */
    range(card) {
      const s = this.session, lab = s.labels();
      const data = Catalogue.cardData(s, card);
      const rowLabels = Catalogue.cardLabels(card.rowLabels, lab), colLabels = Catalogue.cardLabels(card.colLabels, lab);
      let low = null, high = null;
      data.forEach((d, h) => {
        for (let index = 0; index < d.length; index++) { /* (indexed: millions of numbers at BERT size) */
          const x = d[index];
          if (x - x !== 0) continue;
          if (!low || x < low.x) low = { x, h, index };
          if (!high || x > high.x) high = { x, h, index };
        }
      });
      if (!low) return this.t('st.noFinite', { stage: card.stage });
      const at = ({ h, index }) => `${data.length > 1 ? `${this.t('x.head', { h: h + 1 })}, ` : ''}${Format.isolate(rowLabels[Math.floor(index / card.cols)])}, ${Format.isolate(colLabels[index % card.cols])}`;
      return this.t('st.range', { stage: card.stage, shape: `${data.length > 1 ? `${data.length}×` : ''}${card.rows}×${card.cols}`, low: Format.cellText(low.x), lowAt: at(low), high: Format.cellText(high.x), highAt: at(high) });
    }

    /* NaN or ±∞ given on purpose is not an error: it is marked, and it
     * propagates as PyTorch propagates it. */
    inputNote(card, data) {
      const note = this.figures[card.stage].querySelector('.input-note');
      const kinds = new Set();
      for (const d of data)
        for (let k = 0; k < d.length; k++) if (d[k] - d[k] !== 0) kinds.add(Number.isNaN(d[k]) ? 'NaN' : d[k] > 0 ? '+∞' : '−∞'); /* (x − x is NaN for NaN and ±∞ alone) */
      const masks = card.stage === 'attn_mask' || card.stage === 'key_padding_mask';
      setHidden(note, kinds.size === 0 || (masks && [...kinds].every((k) => k === '−∞')));
      setText(note, note.hidden ? '' : this.t('st.holds', { stage: card.stage, kinds: [...kinds].length > 1 ? this.t('x.and', { a: [...kinds].slice(0, -1).join(', '), b: [...kinds].at(-1) }) : [...kinds][0] }));
    }

    nanNote(note) {
      const s = this.session, c = s.config, lab = s.labels();
      const S2 = s.stages.weights.shape[2];
      const rows = new Set();
      const weights = s.stages.weights.data;
      for (let r = 0; r < c.num_heads * c.tgt_len; r++) if (Number.isNaN(weights[r * S2])) rows.add(lab.query[r % c.tgt_len]);
      setHidden(note, rows.size === 0);
      if (!rows.size) return;
      const masked = s.stages.scores.data.some((x, index) => x === -Infinity && Number.isNaN(weights[index]));
      note.textContent = this.t(masked ? 'st.nanMasked' : 'st.nan', { s: rows.size > 1 ? 's' : '', rows: [...rows].map((t) => `“${Format.isolate(t)}”`).join(', ') });
    }

    /* ---- the walk-through's step: its cards and section marked ---- */

    applyStep() {
      const step = this.session.view.step;
      for (const node of this.element.querySelectorAll('.step, .card[data-step]')) node.classList.toggle('is-current', step !== null && Number(node.dataset.step) === step);
    }

    /* Brings step N's first card into view (once the pass is laid out at its size). */
    showStep(step, smooth) {
      this.stepToShow = this.resizes && !this.measured ? step : null;
      if (this.stepToShow !== null) return;
      const first = this.element.querySelector(`.card[data-step="${step}"]`) || this.element.querySelector(`.step[data-step="${step}"]`);
      first?.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
    }

    /* ---- one stage alone (view.stage) ---- */

    /* names: the cards to show alone (with X), as view.stage shows one:
     * stages, and extras by name (lines, player), e.g. a widget's
     * stages="scores..weights"; null: view.stage decides. */
    showOnly(names) {
      this.only = names;
      this.applyFocus();
    }

    applyFocus() {
      const focus = this.only || (this.session.view.stage ? [this.session.view.stage] : null);
      this.element.toggleAttribute('data-focus', Boolean(focus));
      for (const [stage, figure] of Object.entries(this.figures)) figure.classList.toggle('is-focus', Boolean(focus) && (focus.includes(stage) || stage === 'query'));
      for (const [name, extra] of Object.entries(this.extras)) extra.element.classList.toggle('is-focus', Boolean(focus) && focus.includes(name));
      for (const section of this.element.querySelectorAll('.step')) section.classList.toggle('is-focus', Boolean(section.querySelector('.card.is-focus')));
    }

    /* ---- for the explanation ---- */

    /* Lights the cells a number was made from: [{ stage, head, row, col }]. */
    highlight(sources, className = 'is-source') {
      for (const source of sources) {
        const m = this.matrices[source.stage]?.[source.head ?? 0];
        if (m) m.highlight([source.row * m.o.cols + source.col], className);
      }
    }

    clearHighlight(className = 'is-source') {
      for (const list of Object.values(this.matrices)) for (const m of list) m.clearHighlight(className);
    }

    /* The matrix and cell of a stage's (head, row, col), if drawn. */
    cell(stage, head, row, col) {
      const m = this.matrices[stage]?.[head ?? 0];
      return m ? (m.cellAt ? m.cellAt(row * m.o.cols + col) : m.cells[row * m.o.cols + col]) : null;
    }

    placeErrors() {
      for (const list of Object.values(this.matrices)) for (const m of list) m.placeErrors();
    }
  }

  /* canvases: whether big layers can be drawn (the page; not the widget); matrixKind: for a matrix drawn elsewhere (the train card's target) */
  root.AttnStages = { Stages, formula, canvases: Boolean(CanvasMatrix), matrixKind };
})(typeof globalThis !== 'undefined' ? globalThis : this);
