/* backdrop.js: a heatmap table's colours drawn on one <canvas> under it
 * (the page's heatmaps, stages.js), where a colour class on each cell made
 * an edit restyle and repaint thousands of cells (at the largest example
 * about 3,600 change at every edit). The cells stay in the table, transparent,
 * with their data-value, focus, marks and events; only their colours are
 * drawn here, at the rectangles the table lays them out at, measured again
 * whenever the table's size changes. A non-finite cell has no colour here:
 * its own class (is-nan, is-infinite) paints it.
 *
 *   const backdrop = new Backdrop(table, cells);
 *   backdrop.box          the table in a box with its canvas: to place in its stead
 *   backdrop.paint(index, kind, colour)   colour: a palette index (format.js), or -1
 *   backdrop.dispose()
 *
 * The colours are the theme's (the view's data-resolved-theme), the light
 * ones in print, as the cells' classes are.
 *
 * A classic script: the global AttnBackdrop.
 * needs: AttnFormat, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, { el } = root.AttnDom;

  class Backdrop {
    /* table: the <table>; cells: its cells in the order of their indices */
    constructor(table, cells) {
      this.table = table;
      this.cells = cells;
      this.kinds = new Array(cells.length).fill(null);
      this.colours = new Int16Array(cells.length).fill(-1);
      this.rects = null; /* per cell [left, top, right, bottom] in device pixels of the canvas, once laid out */
      this.canvas = el('canvas', { className: 'backdrop', 'aria-hidden': 'true' });
      this.box = el('div', { className: 'backdrop-box' }, [this.canvas, table]);
      this.context = null;
      this.resized = new ResizeObserver(() => this.measure());
      this.resized.observe(table);
      this.themes = new MutationObserver(() => this.drawAll());
      this.watching = false;
      this.waiting = null; /* the element content-visibility skips, until it shows the table */
      /* print: a browser that prints a copy of the page (Firefox) makes it
       * at beforeprint, before the print media query holds */
      this.print = typeof matchMedia === 'function' ? matchMedia('print') : null;
      this.printing = false;
      this.onPrint = (e) => {
        if (e.type !== 'change') this.printing = e.type === 'beforeprint';
        this.drawAll();
      };
      this.print?.addEventListener('change', this.onPrint);
      for (const type of ['beforeprint', 'afterprint']) root.addEventListener?.(type, this.onPrint);
    }

    paint(index, kind, colour) {
      this.kinds[index] = kind;
      this.colours[index] = colour;
      if (this.rects) this.drawCell(index);
    }

    dispose() {
      this.resized.disconnect();
      this.themes.disconnect();
      this.print?.removeEventListener('change', this.onPrint);
      for (const type of ['beforeprint', 'afterprint']) root.removeEventListener?.(type, this.onPrint);
    }

    /* The table laid out (again, at another size): the canvas's pixels as
     * many as it has (its size on screen is the table's: style.css), every
     * cell's rectangle. A table skipped off screen (content-visibility: its
     * cells' boxes are not up to date) is measured when it comes into view. */
    measure() {
      const table = this.table;
      if (!table.isConnected) return;
      if (!this.watching) {
        const view = table.closest('[data-resolved-theme]');
        if (view) this.themes.observe(view, { attributes: true, attributeFilter: ['data-resolved-theme'] });
        this.watching = Boolean(view);
      }
      const box = table.getBoundingClientRect();
      if (!box.width) return; /* not shown: measured when it is (its size changes) */
      if (!table.checkVisibility({ contentVisibilityAuto: true })) return this.measureWhenShown();
      /* every rectangle first: a write (the canvas's size) could move the page (scroll anchoring) */
      const ratio = root.devicePixelRatio || 1, x = (v) => Math.round((v - box.left) * ratio), y = (v) => Math.round((v - box.top) * ratio);
      this.rects = new Int32Array(4 * this.cells.length);
      this.cells.forEach((td, index) => {
        const r = td.getBoundingClientRect();
        this.rects.set([x(r.left), y(r.top), x(r.right), y(r.bottom)], 4 * index);
      });
      this.canvas.width = Math.round(box.width * ratio);
      this.canvas.height = Math.round(box.height * ratio);
      this.context = this.canvas.getContext('2d', { alpha: true });
      this.drawAll();
    }

    measureWhenShown() {
      let skipping = this.table.parentElement;
      while (skipping && getComputedStyle(skipping).contentVisibility !== 'auto') skipping = skipping.parentElement;
      if (!skipping || this.waiting === skipping) return;
      this.waiting = skipping;
      const shown = (e) => {
        if (e.skipped) return;
        skipping.removeEventListener('contentvisibilityautostatechange', shown);
        this.waiting = null;
        this.measure();
      };
      skipping.addEventListener('contentvisibilityautostatechange', shown);
    }

    /* Every cell again, in the theme's palettes: light in print (as the
     * cells' classes), else the view's theme. */
    drawAll() {
      if (!this.rects) return;
      const dark = !this.printing && !this.print?.matches && this.table.closest('[data-resolved-theme]')?.dataset.resolvedTheme === 'dark';
      this.theme = dark ? 'dark' : 'light';
      this.context.clearRect(0, 0, this.canvas.width, this.canvas.height);
      for (let index = 0; index < this.cells.length; index++) this.drawCell(index);
    }

    drawCell(index) {
      const r = this.rects, k = 4 * index, colour = this.colours[index];
      if (colour < 0) return this.context.clearRect(r[k], r[k + 1], r[k + 2] - r[k], r[k + 3] - r[k + 1]);
      this.context.fillStyle = Format.colourTable(this.kinds[index], this.theme)[colour].background;
      this.context.fillRect(r[k], r[k + 1], r[k + 2] - r[k], r[k + 3] - r[k + 1]);
    }
  }

  root.AttnBackdrop = { Backdrop };
})(typeof globalThis !== 'undefined' ? globalThis : this);
