/* walkthrough.js: "Step through", the focus mode: the page's sections one at
 * a time, in the lecture's order, each with a few plain sentences that use
 * the numbers on screen (lessons.js). Step N is section N and step=N in the
 * link; the panel carries data-step="N". The step is the session's (view.step).
 *
 * Keys, whatever has focus: PageDown → Space go on, PageUp ← go back,
 * Escape closes (arrows and Space are left to the cells and fields that use
 * them). Opening moves focus into the panel; closing gives it back.
 *
 * A classic script: the global AttnWalkthrough.
 * needs: AttnLessons, AttnDom */
(function (root) {
  'use strict';

  const Lessons = root.AttnLessons, { el } = root.AttnDom;
  const FORWARD = new Set(['ArrowRight', 'PageDown', ' ']), BACKWARD = new Set(['ArrowLeft', 'PageUp']);

  class Walkthrough {
    constructor(session, { id, root: viewRoot, sections }) {
      this.session = session;
      this.viewRoot = viewRoot;
      this.sections = sections; /* the element holding the page's .step sections */
      this.opener = null;
      this.counter = el('p', { className: 'walk-counter' });
      this.title = el('h2', { className: 'walk-title', id: `${id}-walk-title` });
      this.body = el('div', { className: 'walk-body', 'aria-live': 'polite' });
      const button = (text, label, action) => {
        const b = el('button', { type: 'button', text, 'aria-label': label });
        b.addEventListener('click', action);
        return b;
      };
      this.previous = button('← Previous', 'previous step', () => this.go(-1));
      this.next = button('Next →', 'next step', () => this.go(1));
      this.element = el('section', { className: 'walk', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': this.title.id, tabindex: '-1', hidden: true }, [
        this.counter, this.title, this.body,
        el('p', { className: 'walk-buttons' }, [this.previous, this.next, button('Close', 'close the walk-through', () => this.close())]),
      ]);
      viewRoot.ownerDocument.addEventListener('keydown', (e) => this.key(e));
    }

    get active() { return this.session.view.step !== null; }

    key(e) {
      if (!this.active || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.composedPath()[0];
      const usesArrows = target instanceof Element && target.closest('input, select, textarea, [contenteditable], [role=gridcell], .handle');
      if (e.key === 'Escape') this.close();
      else if (e.key === 'PageDown' || (FORWARD.has(e.key) && !usesArrows && !(e.key === ' ' && target instanceof Element && target.closest('button')))) this.go(1);
      else if (e.key === 'PageUp' || (BACKWARD.has(e.key) && !usesArrows)) this.go(-1);
      else return;
      e.preventDefault();
    }

    /* Opens at step (1-based) and moves focus into the panel. */
    open(step = 1) {
      const active = this.viewRoot.getRootNode().activeElement;
      if (!this.active) this.opener = active && active !== this.viewRoot.ownerDocument.body ? active : null;
      this.session.apply({ type: 'view', step });
      this.element.focus({ preventScroll: true });
    }

    go(delta) {
      const steps = this.session.sections().length;
      const step = Math.max(1, Math.min(steps, this.session.view.step + delta));
      this.session.apply({ type: 'view', step });
    }

    close() {
      const hadFocus = this.element.contains(this.viewRoot.getRootNode().activeElement);
      this.session.apply({ type: 'view', step: null });
      const back = this.opener && this.opener.isConnected ? this.opener : this.viewRoot.querySelector('[name=walk]');
      if (hadFocus || this.opener) back?.focus({ preventScroll: true });
      this.opener = null;
    }

    /* After a change of the session: the step's text with the numbers of the
     * moment, and its section marked. `scroll`: a new step was opened. */
    update(change) {
      const step = this.session.view.step;
      const open = step !== null;
      const moved = step !== this.shownStep;
      this.shownStep = step;
      this.element.hidden = !open;
      this.viewRoot.classList.toggle('is-walking', open);
      for (const section of this.sections.querySelectorAll('.step')) section.classList.toggle('is-current', open && Number(section.dataset.step) === step);
      if (!open) {
        delete this.element.dataset.step;
        return;
      }
      if (!moved && !change.values && !change.structure) return;
      const sections = this.session.sections(), section = sections[step - 1];
      this.element.dataset.step = String(step);
      this.counter.textContent = `Step ${step} of ${sections.length}`;
      this.title.textContent = section.title;
      this.body.replaceChildren(...Lessons.lesson(this.session, section.id).map((line) => el('p', { text: line })));
      /* at the ends the buttons say so but keep their focus (disabled ones would drop it) */
      this.previous.setAttribute('aria-disabled', String(step === 1));
      this.next.setAttribute('aria-disabled', String(step === sections.length));
      if (moved) this.sections.querySelector(`.step[data-step="${step}"]`)?.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
    }
  }

  const reducedMotion = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

  root.AttnWalkthrough = { Walkthrough };
})(typeof globalThis !== 'undefined' ? globalThis : this);
