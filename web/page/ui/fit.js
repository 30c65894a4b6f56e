/* fit.js: the pass's columns side by side wherever slightly smaller type
 * lets them be. The pass's sizes are set for the examples (style.css); a
 * wider case wraps its last columns below the first screen: the lecture
 * with add_bias_kv or add_zero_attn (five keys), or at E = 3 or 4 (numbers
 * in every cell), at 1366 or 1280. There the pass's type is scaled down
 * (--fit on .stages, style.css) to the largest size, in steps of 1%, at
 * which the columns stand on one line, never below FLOOR_PX; where even
 * that wraps, the pass keeps its size and wraps.
 *
 *   const fit = new AttnFit.PassFit(stagesElement); // fits at each change of its size
 *   fit.check();                                    // and after a change of structure
 *
 * The page's alone (build-dist.mjs: PAGE_ONLY): a widget's sizes are its own.
 *
 * A classic script: the global AttnFit. */
(function (root) {
  'use strict';

  const FLOOR_PX = 14; /* the pass's least type, CSS px: a snug pass's at 1024 (style.css) */
  const TRIES = 3;     /* smaller sizes tried after the first guess (rem-sized cards do not shrink) */

  class PassFit {
    constructor(stages) {
      this.stages = stages;
      this.scale = 1;
      /* (a ResizeObserver reports after layout, before paint: a wrapped pass is never shown) */
      new ResizeObserver(() => this.check()).observe(stages);
    }

    set(scale) {
      if (scale === this.scale) return;
      this.scale = scale;
      this.stages.style.setProperty('--fit', String(scale));
      this.stages.toggleAttribute('data-fit', scale !== 1);
    }

    /* Whether the pass's shown columns stand on one line, and the width they need to. */
    measure(pass) {
      const boxes = [...pass.children].filter((c) => c.offsetParent !== null).map((c) => c.getBoundingClientRect());
      const gap = parseFloat(getComputedStyle(pass).columnGap) || 0;
      return {
        oneLine: boxes.every((b) => Math.abs(b.top - boxes[0].top) < 1),
        ratio: pass.clientWidth / (boxes.reduce((sum, b) => sum + b.width, 0) + gap * (boxes.length - 1)),
      };
    }

    check() {
      const pass = this.stages.querySelector(':scope > .pass');
      this.set(1);
      if (!pass || getComputedStyle(pass).flexDirection !== 'row') return; /* (a phone's pass is one column) */
      let seen = this.measure(pass);
      const least = FLOOR_PX / parseFloat(getComputedStyle(pass).fontSize);
      for (let scale = 1, tries = 0; !seen.oneLine && tries <= TRIES; tries++) {
        scale = Math.floor(100 * scale * Math.min(seen.ratio, 0.995)) / 100;
        if (scale < least) break;
        this.set(scale);
        seen = this.measure(pass);
      }
      if (!seen.oneLine) this.set(1);
    }
  }

  root.AttnFit = { PassFit };
})(typeof globalThis !== 'undefined' ? globalThis : this);
