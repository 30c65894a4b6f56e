/* explanation.js: the box that says how one number was made, with its real
 * operands, and lights the cells it was made from. Hovering or focusing a
 * cell previews it; a click (or Enter, or a tap) pins it until Escape, the
 * close button, a click elsewhere, or another pin. It opens below its cell,
 * or above when there is no room below; it stays inside the viewport and
 * the view, and follows its cell on scroll and resize. It is also the
 * readout: it carries the cell's data-stage, data-head, data-row, data-col
 * and data-value, so a heatmap too small for numbers can be read.
 *
 * Sensitivity: a pinned output or weights cell offers "What moves this?",
 * which pins that result (view.grad); then an input cell's box says what
 * nudging it does to the result, and the readout carries its data-grad.
 *
 * A classic script: the global AttnExplanation.
 * needs: AttnFormat, AttnText, AttnCatalogue, AttnExplain, AttnSensitivity, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, Catalogue = root.AttnCatalogue, Explain = root.AttnExplain, Sensitivity = root.AttnSensitivity;
  const { el, place } = root.AttnDom;

  class Explanation {
    /* canPlay(stage): whether a stage's cells have a player; onPlay(stage,
     * head, row, col): its Play button (in a pinned box) was pressed */
    constructor(session, { root: viewRoot, stages, canPlay = () => false, onPlay = () => {} }) {
      this.session = session;
      this.viewRoot = viewRoot;
      this.stages = stages;
      this.canPlay = canPlay;
      const t = this.t = Text.of(session);
      this.shown = null; /* { card, head, index, td, how, pinned } */
      this.body = el('div', { className: 'explain-body' });
      this.close = el('button', { type: 'button', className: 'explain-close', text: '×', 'aria-label': t('x.close'), hidden: true });
      this.close.addEventListener('click', () => this.hide());
      this.playButton = el('button', { type: 'button', className: 'explain-play', text: t('x.play'), hidden: true });
      this.playButton.addEventListener('click', () => {
        const { card, head, index } = this.shown;
        this.hide(); /* the player takes the cell's arithmetic over (the box could cover it: at 1194 it hid its buttons) */
        onPlay(card.stage, head, Math.floor(index / card.cols), index % card.cols);
      });
      this.gradButton = el('button', { type: 'button', className: 'explain-grad', hidden: true });
      this.gradButton.addEventListener('click', () => {
        const grad = this.resultOf(this.shown);
        this.hide();
        session.apply({ type: 'view', grad: session.view.grad === grad ? null : grad });
      });
      this.element = el('div', { className: 'explain', role: 'status', 'aria-live': 'polite', 'data-readout': '', hidden: true }, [this.close, this.body, this.playButton, this.gradButton]);
      const follow = () => {
        if (this.shown && !this.following) {
          this.following = true;
          requestAnimationFrame(() => { this.following = false; this.place(); });
        }
      };
      addEventListener('scroll', follow, { capture: true, passive: true });
      addEventListener('resize', follow);
      /* a click or tap outside closes a pinned box */
      this.viewRoot.getRootNode().addEventListener('pointerdown', (e) => {
        if (this.shown?.pinned && !this.element.contains(e.composedPath()[0]) && !e.composedPath().includes(this.shown.td)) this.hide();
      });
    }

    /* A cell is hovered or focused: preview it, unless another is pinned. */
    point(card, head, index, td, how) {
      if (this.shown?.pinned) return;
      if (card.editable && !td.closest('.is-compact') && !this.gradOf(card)) return; /* its number is in the cell, ready to edit */
      this.show(card, head, index, td, how, false);
    }

    leave(how) {
      if (this.shown && !this.shown.pinned && this.shown.how === how) this.hide();
    }

    /* A cell is clicked, or Enter pressed on it: pin it (again: unpin). */
    pin(card, head, index, td) {
      if (this.shown?.pinned && this.shown.td === td) return this.hide();
      this.show(card, head, index, td, 'pin', true);
    }

    show(card, head, index, td, how, pinned) {
      this.hide();
      const s = this.session;
      const row = Math.floor(index / card.cols), col = index % card.cols;
      const value = Catalogue.cardData(s, card)[head ?? 0][index];
      const explanation = card.editable ? this.inputText(card, row, col, value)
        : Explain.explain({ parsed: s.parsed, stages: s.stages, labels: s.labels(), lang: s.lang }, card.stage, head, row, col);
      if (!explanation) return;
      this.shown = { card, head, index, td, how, pinned };
      td.classList.add('is-explained');
      this.body.replaceChildren(el('p', { className: 'explain-title', text: explanation.title }), ...explanation.lines.map((line) => el('p', { text: line })));
      Object.assign(this.element.dataset, { stage: card.stage, row, col, value: Format.dataText(value) });
      const grad = this.gradOf(card);
      if (grad) this.element.dataset.grad = Format.dataText(grad.data[(head ?? 0) * card.rows * card.cols + index]);
      else delete this.element.dataset.grad;
      if (head === null) delete this.element.dataset.head;
      else this.element.dataset.head = head;
      this.element.classList.toggle('is-pinned', pinned);
      this.close.hidden = !pinned;
      this.playButton.hidden = !pinned || !this.canPlay(card.stage);
      const result = pinned && this.resultOf(this.shown);
      this.gradButton.hidden = !result;
      if (result) this.gradButton.textContent = this.t(s.view.grad === result ? 'x.gradEnd' : 'x.grad');
      this.element.hidden = false;
      this.stages.highlight(explanation.sources);
      this.place();
    }

    /* An input cell's number, where a heatmap draws none; and, in
     * sensitivity, what it does to the pinned result. */
    inputText(card, row, col, value) {
      const s = this.session, lab = s.labels();
      const rows = Catalogue.cardLabels(card.rowLabels, lab), cols = Catalogue.cardLabels(card.colLabels, lab);
      const lines = [this.t('x.input')];
      const grad = this.gradOf(card), sensitivity = grad && s.sensitivity();
      if (grad) {
        const index = row * card.cols + col, d = grad.data[index];
        const result = Sensitivity.resultName(sensitivity.result, lab, s.config.num_heads);
        const cell = Sensitivity.cellName(card.stage, index, s.inputShapes[card.stage], lab);
        lines.unshift(`∂${result}/∂${cell} = ${Format.fullText(d)}: ${Sensitivity.effect(d, cell, result, s.lang)}.`);
      }
      return { title: `${card.stage}[${Format.isolate(rows[row])}][${Format.isolate(cols[col])}] = ${Format.fullText(value)}`, lines, sources: [] };
    }

    /* ∂result/∂ the card's input while a result is pinned, or null. */
    gradOf(card) {
      const sensitivity = card.source === 'input' && this.session.sensitivity();
      return (sensitivity && sensitivity.grads[card.stage]) || null;
    }

    /* The result a shown output or weights cell is, as view.grad names it; or null. */
    resultOf(shown) {
      if (!shown || (shown.card.stage !== 'output' && shown.card.stage !== 'weights')) return null;
      const { card, head, index } = shown;
      return Sensitivity.text({ stage: card.stage, head: head ?? 0, row: Math.floor(index / card.cols), col: index % card.cols });
    }

    /* Next to its cell; pinned on a phone, a sheet at the bottom of the screen. */
    place() {
      if (!this.shown) return;
      if (!this.shown.td.isConnected) return this.hide();
      /* (not in a widget: a figure in someone's page keeps its box by its cell) */
      const sheet = this.shown.pinned && typeof matchMedia === 'function' && matchMedia('(max-width: 700px)').matches && !this.viewRoot.classList.contains('is-embedded');
      this.element.classList.toggle('is-sheet', sheet);
      if (sheet) { this.element.style.left = ''; this.element.style.top = ''; this.element.style.maxWidth = ''; }
      else place(this.element, this.shown.td.getBoundingClientRect(), this.viewRoot);
      this.stages.placeErrors(); /* a cell's error message moves off the box */
    }

    hide() {
      if (!this.shown) return;
      this.shown.td.classList.remove('is-explained');
      this.shown = null;
      this.stages.clearHighlight();
      this.element.hidden = true;
      this.stages.placeErrors(); /* back to its own side */
    }

    /* Escape: true when it closed something. */
    escape() {
      if (!this.shown) return false;
      this.hide();
      return true;
    }

    /* After a change of the session: the numbers again, or gone with its cell. */
    update() {
      if (!this.shown) return;
      const { card, head, index, how, pinned } = this.shown;
      const fresh = Catalogue.matrixCards(this.session.sections()).find((c) => c.stage === card.stage && c.rows === card.rows && c.cols === card.cols);
      const td = fresh && this.stages.cell(card.stage, head, Math.floor(index / card.cols), index % card.cols);
      if (!td) return this.hide();
      this.show(fresh, head, index, td, how, pinned);
    }
  }

  root.AttnExplanation = { Explanation };
})(typeof globalThis !== 'undefined' ? globalThis : this);
