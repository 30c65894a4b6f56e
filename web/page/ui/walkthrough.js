/* walkthrough.js: "Step through", the lesson beside the numbers: the page's
 * steps one at a time, in the lecture's order, each with a few sentences that
 * use the numbers on screen (lessons.js). A column beside the view on wide
 * screens, a sheet at the bottom on phones: it never covers what it talks
 * about. Every number its sentences name is a link that lights its cells.
 * A timeline scrubs between steps; on a phone a swipe moves a step. Step N
 * is section N and step=N in the link; the panel carries data-step="N".
 * The step is the session's (view.step).
 *
 * Keys, whatever has focus: PageDown → Space go on, PageUp ← go back,
 * Escape closes (arrows and Space are left to the cells and fields that use
 * them). Opening moves focus into the panel; closing gives it back.
 *
 *   new Walkthrough(session, { id, root, stages, onCite(cells | null) })
 *
 * A classic script: the global AttnWalkthrough.
 * needs: AttnFormat, AttnText, AttnLessons, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Lessons = root.AttnLessons, Text = root.AttnText, { el, label, setHidden, reducedMotion } = root.AttnDom;
  const FORWARD = new Set(['ArrowRight', 'PageDown', ' ']), BACKWARD = new Set(['ArrowLeft', 'PageUp']);
  const SWIPE_PX = 60;

  class Walkthrough {
    constructor(session, { id, root: viewRoot, stages, onCite }) {
      this.session = session;
      this.viewRoot = viewRoot;
      this.stages = stages;
      this.onCite = onCite;
      this.opener = null;
      const t = this.t = Text.of(session);
      this.counter = el('p', { className: 'walk-counter' });
      this.title = el('h2', { className: 'walk-title', id: `${id}-walk-title` });
      this.body = el('div', { className: 'walk-body', 'aria-live': 'polite' });
      this.timeline = el('input', { type: 'range', className: 'walk-timeline', min: 1, step: 1, 'aria-label': t('walk.timeline') });
      this.timeline.addEventListener('input', () => this.session.apply({ type: 'view', step: Number(this.timeline.value) }));
      const button = (text, label, action) => {
        const b = el('button', { type: 'button', text, 'aria-label': label });
        b.addEventListener('click', action);
        return b;
      };
      this.previous = button(t('walk.prev'), t('walk.prevL'), () => this.go(-1));
      this.next = button(t('walk.next'), t('walk.nextL'), () => this.go(1));
      this.element = el('section', { className: 'walk', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': this.title.id, tabindex: '-1', hidden: true }, [
        el('p', { className: 'walk-top' }, [this.counter, button('×', t('walk.close'), () => this.close())]),
        this.title, this.body, this.timeline,
        el('p', { className: 'walk-buttons' }, [this.previous, this.next]),
      ]);
      viewRoot.ownerDocument.addEventListener('keydown', (e) => this.key(e));
      this.element.addEventListener('pointerdown', (e) => this.swipe(e));
    }

    get active() { return this.session.view.step !== null; }

    key(e) {
      if (!this.active || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.composedPath()[0];
      const usesArrows = target instanceof Element && target.closest('input, select, textarea, [contenteditable], [role=gridcell], .handle, .lines-token');
      if (e.key === 'Escape') this.close();
      else if (e.key === 'PageDown' || (FORWARD.has(e.key) && !usesArrows && !(e.key === ' ' && target instanceof Element && target.closest('button')))) this.go(1);
      else if (e.key === 'PageUp' || (BACKWARD.has(e.key) && !usesArrows)) this.go(-1);
      else return;
      e.preventDefault();
    }

    /* A swipe sideways on the panel (touch): a step on or back. */
    swipe(down) {
      if (down.pointerType !== 'touch') return;
      const up = (e) => {
        const dx = e.clientX - down.clientX, dy = e.clientY - down.clientY;
        if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) this.go(dx < 0 ? 1 : -1);
      };
      this.element.addEventListener('pointerup', up, { once: true });
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
     * moment; a new step brings its cards into view. */
    update(change) {
      const step = this.session.view.step;
      const open = step !== null;
      const moved = step !== this.shownStep;
      this.shownStep = step;
      setHidden(this.element, !open);
      this.viewRoot.classList.toggle('is-walking', open);
      if (!open) {
        delete this.element.dataset.step;
        return;
      }
      if (!moved && !change.values && !change.structure && !change.labels) return;
      const sections = this.session.sections(), section = sections[step - 1];
      this.element.dataset.step = String(step);
      this.counter.textContent = this.t('walk.count', { step, steps: sections.length });
      this.title.textContent = section.title;
      this.timeline.max = String(sections.length);
      this.timeline.value = String(step);
      this.timeline.setAttribute('aria-valuetext', this.t('walk.value', { step, title: section.title }));
      const paragraphs = Lessons.lesson(this.session, section.id).map((segments) => el('p', {}, segments.map((x) => this.segment(x))));
      if (section.id === 'scale') paragraphs.push(this.whatIf());
      this.body.replaceChildren(...paragraphs.filter(Boolean));
      /* at the ends the buttons say so but keep their focus (disabled ones would drop it) */
      this.previous.setAttribute('aria-disabled', String(step === 1));
      this.next.setAttribute('aria-disabled', String(step === sections.length));
      if (moved) this.stages.showStep(step, !reducedMotion()); /* (on opening, once the pass has its size, and at once: stages.js) */
    }

    /* A piece of a sentence: text, or a number that lights its cells. */
    segment(x) {
      if (typeof x === 'string') return x;
      const link = el('button', { type: 'button', className: 'cite', text: x.text, title: this.t('walk.cite') });
      const light = () => this.onCite(x.cite);
      link.addEventListener('pointerenter', light);
      link.addEventListener('focus', light);
      link.addEventListener('click', () => this.onCite(x.cite, { reveal: true }));
      link.addEventListener('pointerleave', () => this.onCite(null));
      link.addEventListener('blur', () => this.onCite(null));
      return link;
    }

    /* The scaling step's "what if": the first row's weights with and without ÷√head_dim. */
    whatIf() {
      const w = Lessons.whatIf(this.session);
      if (!w) return null;
      const row = (label, values, className) => el('tr', { className }, [el('th', { scope: 'row', text: label }), ...values.map((x) => el('td', { text: Format.cellText(x) }))]);
      return el('figure', { className: 'what-if' }, [
        el('figcaption', { text: this.t('walk.whatif', { root: Format.cellText(w.root), token: Format.isolate(w.query) }) }),
        el('table', {}, [
          el('tr', {}, [el('td'), ...w.keys.map((k) => el('th', { scope: 'col' }, [label(k, 8)]))]),
          row(this.t('walk.scaled'), w.scaled, 'is-real'),
          row(this.t('walk.unscaled'), w.unscaled, 'is-what-if'),
        ]),
      ]);
    }
  }

  root.AttnWalkthrough = { Walkthrough };
})(typeof globalThis !== 'undefined' ? globalThis : this);
