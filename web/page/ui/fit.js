/* fit.js: the pass's columns side by side wherever slightly smaller type
 * lets them be. The pass's sizes are set for the examples (style.css); a
 * wider case wraps its last columns below the first screen: the lecture
 * with add_bias_kv or add_zero_attn (five keys), or at E = 3 or 4 (numbers
 * in every cell), at 1366 or 1280; the paragraph (E = 32) even at 1920.
 * There the pass's type, and its heatmaps' squares with it, are scaled down
 * (--fit on .stages, style.css) to the largest size, in steps of 1%, at
 * which the columns stand on one line, never below FLOOR_PX; where even
 * that wraps, the pass keeps its size and wraps. Each size tried is a
 * layout of the pass: the paragraph's takes two more, which made choosing
 * it at 1920 0.25 to 0.55 s slower (Chromium and Firefox). A change of
 * the pass's height alone, its columns as they were, tries none (a
 * training step's card grown: that took 0.8 s in Chromium).
 *
 *   const fit = new AttnFit.PassFit(stagesElement, onFit); // fits at each change of its size
 *   fit.later();                                           // and before the next frame (a change of structure)
 *
 * onFit() follows a change of the pass's size: what was scrolled into view
 * before it (a walk-through step's card) may have moved.
 *
 * The page's alone (build-dist.mjs: PAGE_ONLY): a widget's sizes are its own.
 *
 * A classic script: the global AttnFit.
 * needs: (nothing) */
(function (root) {
  'use strict';

  const FLOOR_PX = 14; /* the pass's least type, CSS px: a snug pass's at 1024 (style.css) */
  const TRIES = 3;     /* smaller sizes tried after the first guess (rem-sized cards do not shrink) */

  class PassFit {
    constructor(stages, onFit = () => {}) {
      this.stages = stages;
      this.onFit = onFit;
      this.scale = 1;
      /* what the last check left: the stages' size (a report of it is the
       * check's own change) and the pass's columns as measured at its scale */
      this.fitted = null;
      this.pending = 0;   /* the frame a check waits for (later) */
      /* (a ResizeObserver reports after layout, before paint: a wrapped pass is never shown) */
      new ResizeObserver(([entry]) => {
        const [{ inlineSize, blockSize }] = entry.borderBoxSize;
        const near = (a, b) => Math.abs(a - b) <= 0.5, fitted = this.fitted;
        if (fitted && near(inlineSize, fitted.width) && (near(blockSize, fitted.height) || this.unchanged())) fitted.height = blockSize;
        else this.check();
      }).observe(stages);
    }

    /* The pass's (laid-out) columns as the last check left them: a change of
     * height alone (a card grown or drawn late, a row of the lesson) then
     * needs no check, whose sizes tried are a layout each. */
    unchanged() {
      const pass = this.pass(), columns = this.fitted.columns;
      if (!pass || !columns) return !pass && !columns;
      const now = this.measure(pass);
      return now.oneLine === columns.oneLine && Math.abs(now.need - columns.need) <= 0.5 && now.have === columns.have;
    }

    pass() {
      const pass = this.stages.querySelector(':scope > .pass');
      return pass && getComputedStyle(pass).flexDirection === 'row' ? pass : null; /* (a phone's pass is one column) */
    }

    /* A check before the next frame is drawn, once however many changes ask
     * for it (a layout now, at each change, would cost one a change). */
    later() {
      if (!this.pending) this.pending = requestAnimationFrame(() => { this.pending = 0; this.check(); });
    }

    set(scale) {
      if (scale === this.scale) return;
      this.scale = scale;
      this.stages.style.setProperty('--fit', String(scale));
      this.stages.toggleAttribute('data-fit', scale !== 1);
    }

    /* Whether the pass's shown columns stand on one line, the width they need to, and the width they have. */
    measure(pass) {
      const boxes = [...pass.children].filter((c) => c.offsetParent !== null).map((c) => c.getBoundingClientRect());
      const gap = parseFloat(getComputedStyle(pass).columnGap) || 0;
      return {
        oneLine: boxes.every((b) => Math.abs(b.top - boxes[0].top) < 1),
        need: boxes.reduce((sum, b) => sum + b.width, 0) + gap * (boxes.length - 1),
        have: pass.clientWidth,
      };
    }

    /* Fits the pass anew; onFit() if its size changed. */
    check() {
      const was = this.scale;
      const columns = this.choose();
      const { width, height } = this.stages.getBoundingClientRect();
      this.fitted = { width, height, columns };
      if (this.scale !== was) this.onFit();
    }

    /* Sets the largest scale at which the columns stand on one line. Each
     * guess takes the width needed as F + scale·S: F what does not shrink
     * (rem-sized cards, the gaps), S what does, found from the last two
     * sizes measured (at first, as if everything shrank). Returns the
     * columns measured at the scale set (null: no pass side by side). */
    choose() {
      this.set(1);
      const pass = this.pass();
      if (!pass) return null;
      const least = FLOOR_PX / parseFloat(getComputedStyle(pass).fontSize);
      const first = this.measure(pass);
      let scale = 1, seen = first, before = null;
      for (let tries = 0; !seen.oneLine && tries <= TRIES; tries++) {
        const shrinks = before ? (before.need - seen.need) / (before.scale - scale) : seen.need / scale; /* S */
        const next = Math.floor(100 * Math.min(scale - 0.01, scale - (seen.need - seen.have) / shrinks)) / 100;
        if (!(shrinks > 0 && next >= least)) break;
        before = { scale, need: seen.need };
        scale = next;
        this.set(scale);
        seen = this.measure(pass);
      }
      if (seen.oneLine) return seen;
      this.set(1);
      return first;
    }
  }

  root.AttnFit = { PassFit };
})(typeof globalThis !== 'undefined' ? globalThis : this);
