/* connectors.js: the lines of the pass that show which stage feeds which:
 * a curve from each card to each card made from it, drawn behind the cards
 * and drawn again whenever a card moves or changes size.
 *
 *   const connectors = new Connectors(container);   // container: position: relative
 *   container.append(connectors.element);
 *   connectors.draw([[fromFigure, toFigure], ...]);  // [] to draw none
 *
 * A classic script: the global AttnConnectors.
 * needs: AttnDom */
(function (root) {
  'use strict';

  const { svg } = root.AttnDom;

  class Connectors {
    constructor(container) {
      this.container = container;
      this.pairs = [];
      this.element = svg('svg', { class: 'connectors', 'aria-hidden': 'true', focusable: 'false' });
      this.defs = svg('defs', {}, [svg('marker', { id: `arrow-${Math.random().toString(36).slice(2, 8)}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, [svg('path', { d: 'M0,0 L10,5 L0,10 z' })])]);
      this.paths = svg('g');
      this.element.append(this.defs, this.paths);
      this.observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.later()) : null;
    }

    draw(pairs) {
      this.observer?.disconnect();
      this.pairs = pairs;
      if (this.observer) {
        this.observer.observe(this.container);
        for (const figure of new Set(pairs.flat())) this.observer.observe(figure);
      }
      this.later();
    }

    /* once a frame at most, after layout */
    later() {
      if (this.pending) return;
      this.pending = requestAnimationFrame(() => { this.pending = null; this.render(); });
    }

    render() {
      /* as big as the cards: measured with the picture at no size, or it
       * would keep the container as wide as itself once the window narrows
       * (the page then scrolled sideways into nothing) */
      this.element.setAttribute('width', 0);
      this.element.setAttribute('height', 0);
      const box = this.container.getBoundingClientRect(), width = this.container.scrollWidth, height = this.container.scrollHeight;
      const marker = this.defs.firstChild.id;
      const paths = [];
      for (const [from, to] of this.pairs) {
        if (!from.isConnected || !to.isConnected || from.offsetParent === null || to.offsetParent === null) continue;
        const a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
        const x = (v) => v - box.left, y = (v) => v - box.top;
        let d;
        if (b.left >= a.right - 4) { /* to the right: side to side */
          const x1 = x(a.right), y1 = y(a.top + Math.min(a.height / 2, 40)), x2 = x(b.left), y2 = y(b.top + Math.min(b.height / 2, 40));
          const bend = Math.max(12, (x2 - x1) / 2);
          d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
        } else { /* in one column (or back): bottom to top */
          const x1 = x(a.left + Math.min(a.width / 2, 60)), y1 = y(a.bottom), x2 = x(b.left + Math.min(b.width / 2, 60)), y2 = y(b.top);
          const bend = Math.max(12, Math.abs(y2 - y1) / 2);
          d = `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`;
        }
        paths.push(svg('path', { d, 'marker-end': `url(#${marker})`, 'data-from': from.dataset.card, 'data-to': to.dataset.card }));
      }
      this.paths.replaceChildren(...paths);
      this.element.setAttribute('width', Math.ceil(width));
      this.element.setAttribute('height', Math.ceil(height));
    }
  }

  root.AttnConnectors = { Connectors };
})(typeof globalThis !== 'undefined' ? globalThis : this);
