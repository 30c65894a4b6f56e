/* canvas.js: one big matrix on the page, as a heatmap on a <canvas>: what
 * stages.js draws in place of a Matrix (matrix.js) when a matrix has more
 * cells than DOM cells can carry (a BERT-size layer: 12×128×128 weights).
 * One colour per cell, zoom and pan down to readable numbers drawn on it.
 *
 * The testing contract (README.md): the element carries data-stage and
 * data-shape (the stage's whole shape, "12,128,128"; data-head when it is
 * one head of it). Hovering or focusing cell (h, i, j) calls onPoint, and
 * the explanation fills the [data-readout] element with data-stage,
 * data-head, data-row, data-col and data-value (the full float32).
 *
 * Mouse: hover reads a cell, a click pins it (or, in an input, edits it;
 * the explained cell is ringed), a drag pans, the wheel zooms around the
 * pointer; touch: the same, and two fingers pinch. Keyboard (the canvas is
 * one tab stop): arrows move the focused cell (a ring), Enter pins it or,
 * in an input, edits it in a small <input> over the cell (the typed-number
 * rules of matrix.js: Format.parseNumber; Enter keeps, Escape restores),
 * + and − zoom around it, 0 fits the whole matrix again.
 *
 * A matrix of few rows (a BERT layer on 16 tokens) has rows LABEL_ROW_PX
 * tall at least, and their labels (its tokens) beside them, as a table
 * has; they follow a zoom. For the eye only: the readout names the cell.
 * A matrix of more rows has none, as its rows are too thin to read them.
 *
 * A vector drawn vertically (options.vertical, rows = 1: a bias beside its
 * weight in the pass) is a column: a cell a row, each as wide as the canvas
 * (VECTOR_PX) and as tall as the zoom; its cells keep the vector's indices.
 * Any other one-row matrix (a bias in the steps) is a strip: its cells as
 * wide as the zoom and as tall as the canvas (VECTOR_PX). Two canvases whose
 * rows are the same (linkRows: a bias column and its weight) zoom and pan
 * down together, so that they stay row for row.
 *
 * It has the interface stages.js uses on a Matrix: element, o, cells (none),
 * cellAt(index) (a stand-in for a <td> that the explanation places its box
 * by), update(data, { scale }), overlay(grads, scale), highlight /
 * clearHighlight, setLabels, placeErrors, dispose; and its options (a
 * refused number's message goes into options.messages, with the cells').
 *
 * A classic script: the global AttnCanvas.
 * needs: AttnFormat, AttnText, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, { el, label, LABEL_MAX, place, markInvalid } = root.AttnDom;
  const ARROWS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const MAX_SIDE_PX = 480;   /* the canvas's largest side on the page, CSS px (but 0.25 px a cell at least: fitToWindow) */
  const VIEW_MARGIN_PX = 56; /* the page's and a card's padding, both sides: a canvas on a phone is narrower than the window by this */
  const BESIDE_PX = 64;      /* a vector's column beside a canvas, with its card's padding and the gap (options.withVectorBeside) */
  const ACROSS_GAP_PX = 8;   /* between heads side by side (options.across; style.css: .is-canvas-grid) */
  const MAX_CELL_PX = 6;     /* a cell's side when the whole matrix fits */
  const MIN_HEIGHT_PX = 96;  /* a wide, short matrix is at least this tall (rows of MAX_CELL_PX at most): its rows not hairlines */
  const LABEL_ROW_PX = 11;   /* a labelled row's height at least (a matrix of at most MAX_SIDE_PX / LABEL_ROW_PX rows) */
  const LABEL_CHAR_PX = 6.5; /* a label's character, at the labels' 10 px type (style.css: .canvas-rows), about */
  const TEXT_CELL_PX = 34;   /* from this zoom, numbers are drawn in the cells */
  const MAX_ZOOM_PX = 80;
  const VECTOR_PX = 40;      /* a vector's cross side (a column's width, a strip's height): its numbers fit when zoomed in */
  const DRAG_PX = 4;
  let edits = 0; /* each edit is one history group */
  /* the canvases on the page: fitted again when the window's width changes (a phone turned), once a frame */
  const live = new Set();
  let fitting = false;
  if (typeof addEventListener === 'function') addEventListener('resize', () => {
    if (fitting) return;
    fitting = true;
    requestAnimationFrame(() => { fitting = false; for (const canvas of live) canvas.fitToWindow(); });
  });
  /* Pixels are written by the CPU (putImageData): a canvas kept in memory */
  const CONTEXT = { willReadFrequently: true };

  /* A palette's 256 colours as RGBA words (little-endian: R in the low byte), for ImageData. */
  const GREY = 0xff808080;
  const packedTables = {};
  function packed(kind, theme) {
    const key = `${kind}-${theme}`;
    if (!packedTables[key]) packedTables[key] = Uint32Array.from(Format.colourTable(kind, theme), ({ rgb: [r, g, b] }) => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0);
    return packedTables[key];
  }

  /* options: those of a Matrix (matrix.js) plus shape (the stage's, for
   * data-shape) and withVectorBeside (a bias column is drawn beside it). */
  class CanvasMatrix {
    constructor(options) {
      this.vertical = Boolean(options.vertical);
      /* (a vertical vector: N rows of one cell, row k its number k) */
      const o = this.o = this.vertical ? { ...options, rows: options.cols, cols: 1, rowLabels: options.colLabels, colLabels: options.rowLabels } : options;
      this.strip = !this.vertical && o.rows === 1;
      this.t = (key, values) => Text.t(o.lang, key, values);
      this.cells = [];
      this.values = new Float32Array(o.rows * o.cols);
      this.scale = 1;
      this.grads = null;
      this.marks = new Map();     /* className -> Set of cell indices */
      this.refs = new Map();      /* cell index -> its stand-in for a <td> */
      this.focusIndex = 0;
      this.rowsLinked = null;     /* the canvas whose rows are this one's (linkRows) */
      this.fit = null;            /* CSS px per cell with the whole matrix shown (fitToWindow) */
      this.zoom = null;           /* CSS px per cell (its side; a vector's cells: cellWidth(), cellHeight()) */
      this.rowMin = 0;            /* CSS px a row at least (fitToWindow): a wide, short matrix's rows taller than its cells are wide */
      this.x0 = 0; this.y0 = 0;   /* the cell coordinates at the canvas's top left */
      this.width = this.height = 0; /* the canvas's size, CSS px */
      this.screen = null; /* the canvas's pixels (paintScreen) */
      /* (a vector has no row labels: a bias's column stands beside its weight's, a strip's one row is the vector) */
      this.labelled = !this.vertical && !this.strip && o.rows * LABEL_ROW_PX <= MAX_SIDE_PX;
      this.rowNames = this.labelled ? el('div', { className: 'canvas-rows', 'aria-hidden': 'true' }) : null;
      this.setRowNames();
      this.canvas = el('canvas', {
        tabindex: '0', role: 'img',
        'aria-label': this.t(o.editable ? 'm.heatmapE' : 'm.heatmap', { label: o.label, rows: o.rows, cols: o.cols }),
      });
      this.fitToWindow();
      this.input = el('input', { type: 'text', className: 'canvas-input', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', hidden: true, 'aria-label': o.label });
      /* (with the cells' messages, out of the card, which would clip it) */
      this.error = el('span', { className: 'cell-error canvas-error', role: 'alert', id: `${o.idPrefix}-error`, hidden: true });
      o.messages.append(this.error);
      this.element = el('div', {
        className: `canvas-matrix matrix-${o.kind} is-compact${o.editable ? ' is-editable' : ''}`,
        'data-stage': o.stage, 'data-shape': o.shape.join(','), 'data-head': o.head ?? undefined,
      }, [this.rowNames, this.canvas, this.input]);
      this.wire();
      live.add(this);
      /* a theme change repaints (the colours are the theme's): watched from
       * the first paint in the document (watchTheme) */
      this.themes = new MutationObserver(() => { if (this.theme() !== this.paintedTheme) this.repaint(); });
      this.watching = false;
    }

    /* Another canvas whose rows are this one's, as tall (a bias column
     * beside its weight): each zooms and pans down as the other does. */
    linkRows(other) {
      this.rowsLinked = other;
      other.rowsLinked = this;
    }

    /* Draws the canvas after the user zoomed or panned; the linked canvas takes the same rows. */
    drawView() {
      this.draw();
      const other = this.rowsLinked;
      if (!other || (other.zoom === this.zoom && other.y0 === this.y0)) return;
      other.zoom = this.zoom;
      other.y0 = this.y0;
      other.clampView();
      other.draw();
    }

    /* The canvas's size for the window's width: at most MAX_SIDE_PX a side,
     * and no wider than a phone's window leaves room for (so the page never
     * scrolls sideways); at least 0.25 px a cell where as wide fits (so a
     * weight of 2,304 rows is 576 px tall; a long strip may have fewer).
     * Heads side by side (options.across: a BERT layer's 12 in a grid, 4
     * across) share that side. A zoom the user chose stays. */
    fitToWindow() {
      const o = this.o, across = o.across || 1;
      const room = Math.min(MAX_SIDE_PX, Math.max(MAX_SIDE_PX / 4, (root.innerWidth || Infinity) - VIEW_MARGIN_PX - (o.withVectorBeside ? BESIDE_PX : 0) - this.rowNamesPx));
      const side = (room - (across - 1) * ACROSS_GAP_PX) / across;
      const fit = Math.max(Math.min(MAX_CELL_PX, this.vertical ? Infinity : side / o.cols, side / o.rows), Math.min(0.25, side / o.cols));
      if (fit === this.fit) return;
      this.zoom = this.zoom === null || this.zoom === this.fit ? fit : Math.max(fit, this.zoom);
      this.fit = fit;
      /* (16×768, a BERT layer on 16 rows: 0.625 px a cell, 10 px tall; its rows LABEL_ROW_PX tall instead, labelled;
       * 128×768: rows of 0.75 px, MIN_HEIGHT_PX in all) */
      this.rowMin = this.vertical ? 0 : Math.max(fit, this.labelled ? LABEL_ROW_PX : Math.min(o.rows * MAX_CELL_PX, MIN_HEIGHT_PX) / o.rows);
      this.width = this.vertical ? VECTOR_PX : Math.max(1, Math.round(o.cols * fit));
      this.height = this.strip ? VECTOR_PX : Math.max(1, Math.round(o.rows * Math.max(fit, this.rowMin)));
      this.canvas.style.width = `${this.width}px`;
      this.canvas.style.height = `${this.height}px`;
      this.clampView();
      if (this.painted) this.draw();
    }

    /* ---- cells ---- */

    /* A cell's width and height, CSS px: the zoom, but a vector's cells span the canvas across it,
     * and a row is never shorter than rowMin. */
    cellWidth() {
      return this.vertical ? this.width : this.zoom;
    }

    cellHeight() {
      return this.strip ? this.height : Math.max(this.zoom, this.rowMin);
    }

    /* The cell under a point of the viewport, or -1. */
    indexAt(clientX, clientY) {
      const r = this.canvas.getBoundingClientRect();
      const j = Math.floor(this.x0 + (clientX - r.left) / this.cellWidth()), i = Math.floor(this.y0 + (clientY - r.top) / this.cellHeight());
      return i >= 0 && j >= 0 && i < this.o.rows && j < this.o.cols ? i * this.o.cols + j : -1;
    }

    /* A cell's rectangle in the viewport (clipped to the canvas). */
    rectOf(index) {
      const r = this.canvas.getBoundingClientRect(), i = Math.floor(index / this.o.cols), j = index % this.o.cols, w = this.cellWidth(), h = this.cellHeight();
      const left = Math.max(r.left, r.left + (j - this.x0) * w), top = Math.max(r.top, r.top + (i - this.y0) * h);
      const right = Math.min(r.right, Math.max(left, r.left + (j + 1 - this.x0) * w)), bottom = Math.min(r.bottom, Math.max(top, r.top + (i + 1 - this.y0) * h));
      return { left, top, right, bottom, width: right - left, height: bottom - top, x: left, y: top };
    }

    /* What the explanation keeps of a cell (it expects a <td>): the same
     * object for the same cell, so that a second pin unpins. */
    cellAt(index) {
      if (index < 0 || index >= this.values.length) return null;
      if (!this.refs.has(index)) {
        const self = this;
        this.refs.set(index, {
          index,
          get isConnected() { return self.canvas.isConnected; },
          getBoundingClientRect: () => self.rectOf(index),
          closest: (selector) => self.element.closest(selector),
          /* a class on the cell is a ring on the canvas (the explained cell's) */
          classList: {
            add: (name) => self.mark(index, name, true),
            remove: (name) => self.mark(index, name, false),
            toggle: (name, on = !self.marks.get(name)?.has(index)) => self.mark(index, name, on),
            contains: (name) => Boolean(self.marks.get(name)?.has(index)),
          },
        });
      }
      return this.refs.get(index);
    }

    point(index, how) {
      if (index >= 0) this.o.onPoint?.(index, this.cellAt(index), how);
    }

    /* ---- mouse and keys ---- */

    wire() {
      const c = this.canvas, o = this.o;
      let hovered = -1;
      c.addEventListener('pointermove', (e) => {
        if (this.dragging) return;
        const index = this.indexAt(e.clientX, e.clientY);
        if (index === hovered) return;
        hovered = index;
        if (index < 0) o.onLeave?.(index, 'hover');
        else this.point(index, 'hover');
      });
      c.addEventListener('pointerleave', () => { hovered = -1; o.onLeave?.(-1, 'hover'); });
      c.addEventListener('pointerdown', (e) => { this.pinch(e); this.drag(e); });
      c.addEventListener('wheel', (e) => {
        e.preventDefault();
        const r = c.getBoundingClientRect();
        this.zoomAt(this.zoom * (e.deltaY < 0 ? 1.25 : 0.8), e.clientX - r.left, e.clientY - r.top);
      }, { passive: false });
      c.addEventListener('focus', () => { this.focused = true; this.draw(); this.point(this.focusIndex, 'focus'); });
      c.addEventListener('blur', () => { this.focused = false; this.draw(); o.onLeave?.(this.focusIndex, 'focus'); });
      c.addEventListener('keydown', (e) => this.key(e));
      this.input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') { e.preventDefault(); this.commit(true); }
        else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.stopEdit(true); }
      });
      this.input.addEventListener('blur', () => { if (!this.input.hidden) this.commit(false); });
    }

    /* Two fingers: a pinch zooms around their middle (a phone has neither
     * wheel nor + and −). Until every finger is lifted, no press is a tap. */
    pinch(down) {
      const c = this.canvas, touches = this.touches ??= new Map(); /* pointerId -> { x, y } of the fingers down */
      if (!touches.size) this.pinched = false; /* (kept until the next press: the last finger's lift is no tap) */
      if (down.pointerType !== 'touch') return;
      touches.set(down.pointerId, { x: down.clientX, y: down.clientY });
      const lift = (e) => {
        if (e.pointerId !== down.pointerId) return;
        touches.delete(e.pointerId);
        c.removeEventListener('pointerup', lift);
        c.removeEventListener('pointercancel', lift);
      };
      c.addEventListener('pointerup', lift);
      c.addEventListener('pointercancel', lift);
      if (touches.size !== 2) return;
      this.pinched = true;
      const spread = () => { const [a, b] = [...touches.values()]; return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }; };
      const start = spread(), zoom = this.zoom;
      const move = (e) => {
        if (!touches.has(e.pointerId)) return;
        touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
        if (touches.size !== 2) return;
        const now = spread(), r = c.getBoundingClientRect();
        this.zoomAt(zoom * (now.d / start.d), now.x - r.left, now.y - r.top);
      };
      const end = () => {
        if (touches.size >= 2) return;
        c.removeEventListener('pointermove', move);
        c.removeEventListener('pointerup', end);
        c.removeEventListener('pointercancel', end);
      };
      c.addEventListener('pointermove', move);
      c.addEventListener('pointerup', end);
      c.addEventListener('pointercancel', end);
    }

    /* A press: a drag pans; a press without one pins (or edits) the cell. */
    drag(down) {
      if (down.button !== 0) return;
      const start = { x: this.x0, y: this.y0 };
      let moved = false;
      const move = (e) => {
        if (this.pinched) return; /* (two fingers zoom) */
        const dx = e.clientX - down.clientX, dy = e.clientY - down.clientY;
        if (!moved && Math.hypot(dx, dy) < DRAG_PX) return;
        if (!moved) { moved = this.dragging = true; this.canvas.setPointerCapture(down.pointerId); }
        this.x0 = start.x - dx / this.cellWidth();
        this.y0 = start.y - dy / this.cellHeight();
        this.clampView();
        this.drawView();
      };
      const up = (e) => {
        this.canvas.removeEventListener('pointermove', move);
        this.canvas.removeEventListener('pointerup', up);
        this.canvas.removeEventListener('pointercancel', up);
        this.dragging = false;
        if (moved || e.type === 'pointercancel' || this.pinched) return;
        const index = this.indexAt(e.clientX, e.clientY);
        if (index < 0) return;
        this.focusIndex = index;
        if (this.o.editable) this.startEdit(index);
        else { this.draw(); this.o.onPin?.(index, this.cellAt(index)); }
      };
      this.canvas.addEventListener('pointermove', move);
      this.canvas.addEventListener('pointerup', up);
      this.canvas.addEventListener('pointercancel', up);
    }

    key(e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const step = ARROWS[e.key];
      if (step) {
        e.preventDefault();
        const { rows, cols } = this.o;
        const i = Math.min(rows - 1, Math.max(0, Math.floor(this.focusIndex / cols) + step[0]));
        const j = Math.min(cols - 1, Math.max(0, (this.focusIndex % cols) + step[1]));
        this.focusIndex = i * cols + j;
        this.showCell(i, j);
        this.drawView();
        this.point(this.focusIndex, 'focus');
      } else if (e.key === 'Enter' || e.key === 'F2') {
        e.preventDefault();
        if (this.o.editable) this.startEdit(this.focusIndex);
        else this.o.onPin?.(this.focusIndex, this.cellAt(this.focusIndex));
      } else if (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '0') {
        e.preventDefault();
        if (e.key === '0') { this.zoom = this.fit; this.x0 = this.y0 = 0; this.drawView(); return; }
        const i = Math.floor(this.focusIndex / this.o.cols), j = this.focusIndex % this.o.cols;
        this.zoomAt(this.zoom * (e.key === '-' ? 0.8 : 1.25), (j + 0.5 - this.x0) * this.cellWidth(), (i + 0.5 - this.y0) * this.cellHeight());
      }
    }

    /* Zoom to `zoom` px a cell, keeping the cell at canvas point (px, py) in place. */
    zoomAt(zoom, px, py) {
      const z = Math.min(MAX_ZOOM_PX, Math.max(this.fit, zoom));
      const cx = this.x0 + px / this.cellWidth(), cy = this.y0 + py / this.cellHeight();
      this.zoom = z;
      this.x0 = cx - px / this.cellWidth();
      this.y0 = cy - py / this.cellHeight();
      this.clampView();
      this.drawView();
    }

    clampView() {
      this.x0 = Math.min(Math.max(0, this.o.cols - this.width / this.cellWidth()), Math.max(0, this.x0));
      this.y0 = Math.min(Math.max(0, this.o.rows - this.height / this.cellHeight()), Math.max(0, this.y0));
    }

    /* Pans so that cell (i, j) is on the canvas. */
    showCell(i, j) {
      const w = this.width / this.cellWidth(), h = this.height / this.cellHeight();
      if (j < this.x0) this.x0 = j;
      else if (j + 1 > this.x0 + w) this.x0 = j + 1 - w;
      if (i < this.y0) this.y0 = i;
      else if (i + 1 > this.y0 + h) this.y0 = i + 1 - h;
      this.clampView();
    }

    /* ---- editing a number ---- */

    startEdit(index) {
      if (this.o.kind === 'bool') return void this.o.onEdit(index, this.values[index] === 0, `cell-${++edits}`); /* a mask's cell: toggled */
      const i = Math.floor(index / this.o.cols), j = index % this.o.cols;
      this.focusIndex = index;
      if (this.zoom < 16) this.zoomAt(24, (j + 0.5 - this.x0) * this.cellWidth(), (i + 0.5 - this.y0) * this.cellHeight());
      this.showCell(i, j);
      this.drawView();
      this.o.onLeave?.(index, 'focus'); /* the explanation makes way for the typing */
      this.editing = { index, before: this.values[index], group: `cell-${++edits}` };
      const r = this.rectOf(index), box = this.element.getBoundingClientRect();
      Object.assign(this.input.style, { left: `${r.left - box.left}px`, top: `${r.top - box.top}px`, minWidth: `${Math.max(r.width, 80)}px` });
      this.input.setAttribute('aria-label', this.cellName(i, j));
      this.input.value = Format.fullText(this.values[index]);
      this.input.hidden = false;
      this.input.focus({ preventScroll: true });
      this.input.select();
    }

    /* Uses what is typed; a text that is no number stays, with its message. */
    commit(backToCanvas) {
      if (!this.editing) return;
      const { index, group } = this.editing;
      const parsed = Format.parseNumber(this.input.value, this.o.lang);
      const message = parsed.error || (Object.is(Math.fround(parsed.value), this.values[index]) ? null : this.o.onEdit(index, parsed.value, group));
      if (message && backToCanvas) return this.showError(message);
      this.stopEdit(backToCanvas);
    }

    stopEdit(backToCanvas) {
      this.editing = null;
      this.input.hidden = true;
      this.error.hidden = true;
      markInvalid(this.input, null);
      if (backToCanvas) this.canvas.focus({ preventScroll: true });
    }

    showError(message) {
      this.error.textContent = this.t('m.still', { message, value: Format.fullText(this.values[this.editing.index]) });
      this.error.hidden = false;
      this.placeErrors();
      markInvalid(this.input, this.error);
    }

    cellName(i, j) {
      return `${this.o.label}, row ${this.o.rowLabels[i]}, column ${this.o.colLabels[j]}`;
    }

    setLabels(rowLabels, colLabels) {
      this.o.rowLabels = this.vertical ? colLabels : rowLabels;
      this.o.colLabels = this.vertical ? rowLabels : colLabels;
      this.setRowNames();
      this.fitToWindow(); /* (a longer name, a wider column of names: on a phone, a narrower canvas) */
      if (this.painted) this.draw();
    }

    /* The labels' column as wide as the longest (in characters: its width
     * is known before the canvas is on the page, for fitToWindow). */
    setRowNames() {
      this.rowNamesPx = 0;
      if (!this.rowNames) return;
      let longest = 0;
      for (const name of this.o.rowLabels) longest = Math.max(longest, Math.min(LABEL_MAX, [...String(name)].length)); /* (as label() shortens it) */
      this.rowNames.style.width = `${longest}ch`;
      this.rowNamesPx = Math.ceil(longest * LABEL_CHAR_PX) + 4; /* (and its margin) */
      this.rowNamesShown = null;
    }

    /* The labels of the rows on the canvas (a zoom shows some), each at its row's middle. */
    drawRowNames(rowHeight) {
      const shown = this.rowNames && `${this.y0},${rowHeight},${this.height}`;
      if (!shown || shown === this.rowNamesShown) return;
      this.rowNamesShown = shown;
      this.rowNames.style.height = `${this.height}px`;
      const names = [];
      for (let i = Math.floor(this.y0); i < Math.min(this.o.rows, Math.ceil(this.y0 + this.height / rowHeight)); i++) {
        const middle = (i + 0.5 - this.y0) * rowHeight;
        if (middle >= 0 && middle <= this.height) names.push(el('span', { style: `top: ${middle}px` }, [label(String(this.o.rowLabels[i]))]));
      }
      this.rowNames.replaceChildren(...names);
    }

    /* The message below its box (or above), inside the view and the viewport. */
    placeErrors() {
      if (!this.error.hidden) place(this.error, this.input.getBoundingClientRect(), this.o.panelRoot, { gap: 3 });
    }

    dispose() {
      this.editing = null; /* (its box, removed while typed in, blurs in Chromium: that number was for the case before) */
      this.error.remove();
      live.delete(this);
      this.themes.disconnect();
    }

    /* ---- painting ---- */

    /* New values (row-major, rows·cols of them); scale: a diverging palette's ends. */
    update(data, { scale = 1 } = {}) {
      if (this.painted && scale === this.scale && this.same(data)) return; /* (a weight's canvas, when an embedding changes) */
      this.values.set(data.length === this.values.length ? data : data.subarray(0, this.values.length));
      this.scale = scale;
      this.painted = true;
      this.repaint();
    }

    /* Whether data holds the values painted (NaN equal to NaN): a far quicker look than a repaint. */
    same(data) {
      const v = this.values;
      for (let k = 0; k < v.length; k++) if (v[k] !== data[k] && !(v[k] !== v[k] && data[k] !== data[k])) return false;
      return true;
    }

    /* Sensitivity: ∂result/∂cell painted in the gradient palette; null ends it. */
    overlay(grads, scale = 1) {
      if (!grads && !this.grads) return;
      this.grads = grads;
      this.gradScale = scale;
      this.repaint();
    }

    watchTheme() {
      const view = !this.watching && this.element.isConnected && this.element.closest('[data-resolved-theme]');
      if (!view) return;
      this.themes.observe(view, { attributes: true, attributeFilter: ['data-resolved-theme'] });
      this.watching = true;
    }

    theme() {
      return this.element.closest('[data-resolved-theme]')?.dataset.resolvedTheme === 'dark' ? 'dark' : 'light';
    }

    /* New colours: the canvas again. */
    repaint() {
      this.watchTheme();
      this.paintedTheme = this.theme();
      this.draw();
    }

    /* A cell's colour as an RGBA word, for the values (or gradients) painted:
     * Format.colourIndex, inlined (millions of cells at BERT size). */
    colourWord() {
      const o = this.o;
      const [kind, scale] = this.grads ? ['gradient', this.gradScale] : [o.kind === 'bool' ? 'sequential' : o.kind, this.scale];
      const rgba = packed(kind, this.theme()), sequential = kind === 'sequential', half = 1 / (2 * (scale || 1));
      return (x) => {
        if (x - x !== 0) return GREY; /* NaN, ±∞ (the readout names them) */
        const t = sequential ? x : 0.5 + x * half;
        return rgba[Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * 255)];
      };
    }

    /* The heatmap's pixels, W×H device pixels, `step` cells a pixel down
     * and `stepX` across: each pixel takes the colour of the cell under its
     * centre (nearest, as an image scaled without smoothing would), from the
     * values themselves. So a big weight at its fit (0.25 px a cell) costs
     * its screen's pixels, not its millions of cells; and no image is scaled
     * (headless Chromium's first drawImage of a page took 230 ms). */
    paintScreen(g, W, H, step, stepX = step) {
      if (!this.screen || this.screen.width !== W || this.screen.height !== H) this.screen = g.createImageData(W, H);
      const values = this.grads || this.values, word = this.colourWord(), { rows, cols } = this.o;
      const words = new Uint32Array(this.screen.data.buffer, this.screen.data.byteOffset, W * H);
      let previousRow = -1;
      for (let y = 0; y < H; y++) {
        const i = Math.floor(this.y0 + (y + 0.5) * step);
        if (i === previousRow) { words.copyWithin(y * W, (y - 1) * W, y * W); continue; } /* zoomed in: the cell row's next pixel row */
        previousRow = i;
        let previousCol = -1, colour = 0;
        for (let x = 0; x < W; x++) {
          const j = Math.floor(this.x0 + (x + 0.5) * stepX);
          if (j !== previousCol) { previousCol = j; colour = i < rows && j < cols ? word(values[i * cols + j]) : 0; }
          words[y * W + x] = colour;
        }
      }
      g.putImageData(this.screen, 0, 0);
    }

    /* The visible part of the heatmap, the numbers when zoomed in, the rings. */
    draw() {
      const c = this.canvas, ratio = root.devicePixelRatio || 1;
      const W = Math.round(this.width * ratio), H = Math.round(this.height * ratio);
      if (c.width !== W || c.height !== H) { c.width = W; c.height = H; }
      const g = c.getContext('2d', CONTEXT), z = this.cellHeight(), w = this.cellWidth();
      this.paintScreen(g, W, H, 1 / (z * ratio), 1 / (w * ratio));
      this.drawRowNames(z);
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      const cols = this.o.cols;
      if (Math.min(w, z) >= TEXT_CELL_PX) {
        const kind = this.grads ? null : this.o.kind === 'bool' ? 'sequential' : this.o.kind, table = kind && Format.colourTable(kind, this.theme());
        g.font = `${Math.min(13, w / 3.2, z / 3.2)}px system-ui, sans-serif`;
        g.textAlign = 'center';
        g.textBaseline = 'middle';
        const i0 = Math.floor(this.y0), j0 = Math.floor(this.x0);
        const i1 = Math.min(this.o.rows, Math.ceil(this.y0 + this.height / z)), j1 = Math.min(cols, Math.ceil(this.x0 + this.width / w));
        for (let i = i0; i < i1; i++)
          for (let j = j0; j < j1; j++) {
            const x = this.values[i * cols + j];
            g.fillStyle = table && Number.isFinite(x) ? table[Format.colourIndex(x, kind, this.scale)].color : '#000';
            g.fillText(Format.cellText(x), (j + 0.5 - this.x0) * w, (i + 0.5 - this.y0) * z);
          }
      }
      /* a line around the cell, inside the canvas where the cell meets its edge
       * (a vector's cells span it across: their rings keep their sides) */
      const ring = (index, colour, width) => {
        const x = (index % cols - this.x0) * w, y = (Math.floor(index / cols) - this.y0) * z; /* its top left */
        if (x + w <= 0 || y + z <= 0 || x >= this.width || y >= this.height) return; /* (panned off) */
        const left = Math.max(width / 2, x - width / 2), top = Math.max(width / 2, y - width / 2);
        const right = Math.min(this.width - width / 2, x + Math.max(w, 2) + width / 2), bottom = Math.min(this.height - width / 2, y + Math.max(z, 2) + width / 2);
        g.strokeStyle = colour;
        g.lineWidth = width;
        g.strokeRect(left, top, right - left, bottom - top);
      };
      const dark = this.theme() === 'dark';
      const colours = { 'is-grad-result': '#d0f', 'is-explained': dark ? '#8ab4f8' : '#0b57d0', 'is-target': dark ? '#ffb547' : '#e07b00' }; /* (is-target: style.css's --source, as a marked td's) */
      for (const [className, set] of this.marks) for (const index of set) ring(index, colours[className] ?? '#e6007e', className === 'is-explained' || className === 'is-target' ? 2.5 : 1.5);
      if (this.focused || this.editing) ring(this.focusIndex, this.theme() === 'dark' ? '#fff' : '#000', 2);
    }

    /* Mark cells (the inputs of the explained one); clearHighlight unmarks. */
    highlight(indices, className) {
      if (!this.marks.has(className)) this.marks.set(className, new Set());
      for (const index of indices) this.marks.get(className).add(index);
      this.draw();
    }

    /* One cell's mark on or off. */
    mark(index, className, on) {
      if (on) return this.highlight([index], className);
      if (this.marks.get(className)?.delete(index)) this.draw();
    }

    clearHighlight(className) {
      if (!this.marks.get(className)?.size) return;
      this.marks.delete(className);
      this.draw();
    }
  }

  root.AttnCanvas = { CanvasMatrix };
})(typeof globalThis !== 'undefined' ? globalThis : this);
