/* sensitivity.js (ui): the bar that says what a pinned result (view.grad)
 * is and what moves it most, in words with the live numbers, and ends it.
 * The overlay itself is painted by the stages (stages.js); the session
 * computes the gradient (session.sensitivity()).
 *
 *   const bar = new SensitivityBar(session);  bar.element; bar.update();
 *
 * A classic script: the global AttnSensitivityBar.
 * needs: AttnText, AttnFormat, AttnSensitivity, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Sensitivity = root.AttnSensitivity, Text = root.AttnText, { el, setHidden, reducedMotion } = root.AttnDom;

  class SensitivityBar {
    constructor(session) {
      this.session = session;
      const t = this.t = Text.of(session);
      this.text = el('span', { className: 'sensitivity-text' });
      this.end = el('button', { type: 'button', text: t('s.end'), 'aria-label': t('s.endL') });
      this.end.addEventListener('click', () => this.close());
      this.element = el('p', { className: 'sensitivity-bar', role: 'status', hidden: true }, [this.text, ' ', this.end]);
      this.shownGrad = null; /* the result the bar speaks of (view.grad) */
    }

    /* Escape: true when it ended a sensitivity. */
    close() {
      if (!this.session.view.grad) return false;
      this.session.apply({ type: 'view', grad: null });
      return true;
    }

    update() {
      const s = this.session, sensitivity = s.sensitivity();
      setHidden(this.element, !sensitivity);
      const shown = this.shownGrad;
      this.shownGrad = sensitivity ? s.view.grad : null;
      if (!sensitivity) return;
      const lab = s.labels();
      const result = Sensitivity.resultName(sensitivity.result, lab, s.config.num_heads);
      const top = Sensitivity.largest(sensitivity.grads, Sensitivity.OVERLAID.filter((name) => s.inputShapes[name]));
      const most = top ? this.t('s.most', { effect: Sensitivity.effect(top.value, Sensitivity.cellName(top.name, top.index, s.inputShapes[top.name], lab), result, s.lang) }) : '';
      this.text.textContent = this.t('s.what', { result, value: Format.cellText(sensitivity.value), most });
      if (s.view.grad !== shown) this.reveal();
    }

    /* A new result: the bar, and the inputs it colours under it, brought on
     * screen when the bar is off it (a phone, far down at the output). A
     * widget never scrolls the page it is in. */
    reveal() {
      const r = this.element.getBoundingClientRect();
      if (this.element.closest('.is-embedded') || (r.bottom > 0 && r.top < innerHeight)) return;
      this.element.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
    }
  }

  root.AttnSensitivityBar = { SensitivityBar };
})(typeof globalThis !== 'undefined' ? globalThis : this);
