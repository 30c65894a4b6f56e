/* matrix.js: one matrix on the page, as a table: token labels on rows and
 * columns, a heatmap colour and the number in every cell, and (for inputs)
 * an <input> in every cell that can be typed into, nudged and scrubbed.
 *
 * Keyboard: arrows move between cells; Enter (or typing) edits; while
 * editing, Up/Down nudge by 0.1 (Shift 1, Alt 0.01), Enter keeps, Escape
 * restores. Mouse: click to edit, drag sideways to scrub.
 *
 * Every cell carries data-row, data-col (data-head in per-head stages) and
 * data-value, the full float32 value: the testing contract in README.md.
 *
 * A classic script: the global AttnMatrix (needs AttnFormat). */
(function (root) {
  'use strict';

  const Format = root.AttnFormat;
  const ARROWS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const SCRUB_THRESHOLD_PX = 4;

  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  /* What a matrix is given:
   *   stage, head (or null), rows, cols, rowLabels, colLabels, label (for screen readers)
   *   kind: 'diverging' | 'sequential' | 'bool'
   *   editable: cells hold an <input>; onEdit(row, col, value) is called on every change
   *   rowBands / colBands: [{ label, size }] drawn as separators and captions
   *   compact: colour only, numbers on hover and focus
   *   onFocusCell(row, col, cell) / onLeaveCell(): for explanations, on hover
   *   and (computed cells) on focus
   *   rowHeader(row): makes a row's <th> (the editable token names), if given
   *   idPrefix: for the ids of the cells' error messages */
  class Matrix {
    constructor(options) {
      this.o = options;
      this.cells = [];   /* row-major <td>s */
      this.values = new Float64Array(options.rows * options.cols);
      this.focusIndex = 0;
      this.element = this.build();
    }

    build() {
      const o = this.o;
      const table = el('table', {
        className: `matrix matrix-${o.kind}${o.compact ? ' is-compact' : ''}${o.editable ? ' is-editable' : ''}`,
        role: 'grid', 'aria-label': o.label, 'aria-rowcount': o.rows, 'aria-colcount': o.cols,
      });
      if (o.colBands) {
        const bandRow = el('tr', { className: 'bands' }, [el('th')]);
        for (const band of o.colBands) bandRow.append(el('th', { colspan: band.size, scope: 'colgroup', text: band.label }));
        table.append(el('thead', {}, [bandRow]));
      }
      const header = el('tr', {}, [el('th', { className: 'corner', 'aria-hidden': 'true' })]);
      this.colHeaders = o.colLabels.map((label, j) => el('th', { scope: 'col', className: this.bandEdge(o.colBands, j) ? 'band-start' : null, text: label }));
      this.rowHeaders = [];
      header.append(...this.colHeaders);
      (table.tHead || table.appendChild(el('thead'))).append(header);
      const body = el('tbody');
      for (let i = 0; i < o.rows; i++) {
        const rowBand = this.bandEdge(o.rowBands, i);
        const tr = el('tr', { className: rowBand ? 'band-start' : null });
        const rowHeader = o.rowHeader ? o.rowHeader(i) : el('th', { scope: 'row', text: o.rowLabels[i] });
        if (!o.rowHeader) this.rowHeaders.push(rowHeader);
        if (rowBand && o.rowBands) rowHeader.prepend(el('span', { className: 'band-label', text: rowBand.label }));
        tr.append(rowHeader);
        for (let j = 0; j < o.cols; j++) tr.append(this.buildCell(i, j));
        body.append(tr);
      }
      table.append(body);
      this.setFocusable(0);
      return table;
    }

    /* The band that starts at index i, if any. */
    bandEdge(bands, i) {
      if (!bands) return null;
      let start = 0;
      for (const band of bands) {
        if (start === i) return band;
        start += band.size;
      }
      return null;
    }

    buildCell(i, j) {
      const o = this.o;
      const td = el('td', {
        'data-row': i, 'data-col': j, 'data-head': o.head ?? undefined, role: 'gridcell',
        className: this.bandEdge(o.colBands, j) && j > 0 ? 'band-start' : null,
      });
      const index = i * o.cols + j;
      if (o.kind === 'bool') {
        const box = el('input', { type: 'checkbox', tabindex: '-1', 'aria-label': this.cellName(i, j) });
        box.addEventListener('change', () => o.onEdit(i, j, box.checked ? 1 : 0));
        box.addEventListener('keydown', (e) => this.navigate(e, index));
        box.addEventListener('focus', () => this.setFocusable(index));
        td.append(box);
      } else if (o.editable) {
        const input = el('input', {
          type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', tabindex: '-1', size: 5,
          'aria-label': this.cellName(i, j),
        });
        this.wireInput(input, td, i, j, index);
        td.append(input);
      } else {
        td.tabIndex = -1;
        td.addEventListener('keydown', (e) => this.navigate(e, index));
        if (o.compact) td.addEventListener('focus', () => this.labelOnFocus(td, index));
      }
      if (o.onFocusCell) { /* editable cells explain on hover only: focus is for typing */
        const show = () => o.onFocusCell(i, j, td);
        td.addEventListener('pointerenter', show);
        td.addEventListener('pointerleave', () => o.onLeaveCell());
        if (!o.editable) {
          td.addEventListener('focusin', show);
          td.addEventListener('focusout', () => o.onLeaveCell());
        }
      }
      td.addEventListener('focusin', () => this.setFocusable(index));
      this.cells.push(td);
      return td;
    }

    /* New row and column labels (tokens renamed). */
    setLabels(rowLabels, colLabels) {
      this.o.rowLabels = rowLabels;
      this.o.colLabels = colLabels;
      this.colHeaders.forEach((th, j) => { th.textContent = colLabels[j]; });
      this.rowHeaders.forEach((th, i) => {
        const band = th.querySelector('.band-label');
        th.textContent = rowLabels[i];
        if (band) th.prepend(band);
      });
      this.cells.forEach((td, index) => {
        const input = td.querySelector('input');
        if (input) input.setAttribute('aria-label', this.cellName(Math.floor(index / this.o.cols), index % this.o.cols));
      });
    }

    cellName(i, j) {
      return `${this.o.label}, row ${this.o.rowLabels[i]}, column ${this.o.colLabels[j]}`;
    }

    /* The element of cell `index` that takes focus. */
    focusTarget(index) {
      const td = this.cells[index];
      return td.querySelector('input') || td;
    }

    /* Roving tabindex: one cell of the grid is in the tab order. */
    setFocusable(index) {
      if (!this.cells.length) return;
      this.focusTarget(this.focusIndex).tabIndex = -1;
      this.focusIndex = index;
      this.focusTarget(index).tabIndex = 0;
    }

    /* Arrow keys move between cells; true when the key was one. */
    navigate(e, index) {
      const step = ARROWS[e.key];
      if (!step || e.altKey || e.ctrlKey || e.metaKey) return false;
      const { rows, cols } = this.o;
      const i = Math.min(rows - 1, Math.max(0, Math.floor(index / cols) + step[0]));
      const j = Math.min(cols - 1, Math.max(0, (index % cols) + step[1]));
      e.preventDefault();
      this.focusCell(i, j);
      return true;
    }

    focusCell(i, j) {
      const index = i * this.o.cols + j;
      this.setFocusable(index);
      this.focusTarget(index).focus();
    }

    wireInput(input, td, i, j, index) {
      const o = this.o;
      let before = null; /* the value when editing began: Escape restores it */
      /* keepText: the text is the user's already (an input event that came
       * with no click or key first, e.g. from a script or an IME) */
      const startEdit = (selectAll, keepText = false) => {
        if (td.classList.contains('is-editing')) return;
        before = this.values[index];
        td.classList.add('is-editing');
        if (!keepText) input.value = Format.fullText(before);
        if (selectAll) input.select();
      };
      const stopEdit = () => {
        td.classList.remove('is-editing');
        if (!td.classList.contains('is-invalid')) input.value = Format.cellText(this.values[index]);
      };
      const apply = () => {
        const parsed = Format.parseNumber(input.value);
        if (parsed.error) return this.showError(index, parsed.error);
        this.clearError(index);
        if (Object.is(Math.fround(parsed.value), this.values[index])) return; /* already in (Enter and change come after input) */
        o.onEdit(i, j, parsed.value);
      };
      input.addEventListener('pointerdown', (e) => this.scrub(e, input, index, startEdit));
      input.addEventListener('input', () => { startEdit(false, true); apply(); });
      input.addEventListener('change', () => apply());
      input.addEventListener('blur', stopEdit);
      input.addEventListener('keydown', (e) => {
        const editing = td.classList.contains('is-editing');
        if (!editing) {
          if (this.navigate(e, index)) return;
          if (e.key === 'Enter' || e.key === 'F2') { e.preventDefault(); startEdit(true); }
          else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) { startEdit(false); input.value = ''; }
          return;
        }
        if (e.key === 'Enter') {
          e.preventDefault();
          apply();
          if (!td.classList.contains('is-invalid')) stopEdit();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          input.value = Format.fullText(before);
          this.clearError(index);
          o.onEdit(i, j, before);
          stopEdit();
        } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
          e.preventDefault();
          const step = (e.shiftKey ? 1 : e.altKey ? 0.01 : 0.1) * (e.key === 'ArrowUp' ? 1 : -1);
          const current = Format.parseNumber(input.value);
          const base = current.error || !Number.isFinite(current.value) ? this.values[index] : current.value;
          input.value = Format.fullText(Math.round((base + step) * 1e6) / 1e6);
          apply();
        }
      });
    }

    /* Drag sideways on a cell to scrub its value: 0.01 a pixel, Shift 0.1.
     * A press without a drag is a click, which edits. Mouse and pen only, so
     * that touch still scrolls. */
    scrub(down, input, index, startEdit) {
      if (down.pointerType === 'touch' || down.button !== 0) { startEdit(false); return; }
      const start = this.values[index];
      const i = Math.floor(index / this.o.cols), j = index % this.o.cols;
      let dragging = false;
      const move = (e) => {
        const dx = e.clientX - down.clientX;
        if (!dragging && Math.abs(dx) < SCRUB_THRESHOLD_PX) return;
        if (!dragging) { dragging = true; input.setPointerCapture(down.pointerId); this.cells[index].classList.add('is-scrubbing'); }
        e.preventDefault();
        const value = Math.round((start + dx * (e.shiftKey ? 0.1 : 0.01)) * 100) / 100;
        this.clearError(index);
        this.o.onEdit(i, j, value);
      };
      const up = () => {
        input.removeEventListener('pointermove', move);
        input.removeEventListener('pointerup', up);
        input.removeEventListener('pointercancel', up);
        this.cells[index].classList.remove('is-scrubbing');
        if (dragging) input.blur();
        else startEdit(true); /* a click selects the number: typing replaces it, as in a spreadsheet */
      };
      input.addEventListener('pointermove', move);
      input.addEventListener('pointerup', up);
      input.addEventListener('pointercancel', up);
    }

    showError(index, message) {
      const td = this.cells[index];
      td.classList.add('is-invalid');
      const input = td.querySelector('input');
      input.setAttribute('aria-invalid', 'true');
      let bubble = td.querySelector('.cell-error');
      if (!bubble) {
        bubble = el('span', { className: 'cell-error', role: 'alert', id: `${this.o.idPrefix}-e${index}` });
        td.append(bubble);
        input.setAttribute('aria-describedby', bubble.id);
      }
      bubble.textContent = `${message} — still using ${Format.fullText(this.values[index])}`;
    }

    clearError(index) {
      const td = this.cells[index];
      if (!td.classList.contains('is-invalid')) return;
      td.classList.remove('is-invalid');
      const input = td.querySelector('input');
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
      td.querySelector('.cell-error').remove();
    }

    /* New values (row-major, rows·cols of them). scale: the |value| at the
     * ends of a diverging palette (the view's niceScale). Only what changed is written to the DOM: the value,
     * the colour (one of 256), the text. Cells being edited keep their text. */
    update(data, { scale = 1, theme = 'light' } = {}) {
      if (!this.colours) {
        this.colours = new Int16Array(this.cells.length).fill(-2); /* -1: not finite */
        this.texts = new Array(this.cells.length).fill(null);
      }
      const recolour = scale !== this.scale || theme !== this.theme;
      this.scale = scale;
      this.theme = theme;
      for (let index = 0; index < this.cells.length; index++) {
        const x = data[index];
        if (this.painted && !recolour && Object.is(this.values[index], x)) continue;
        this.values[index] = x;
        this.paintCell(index, x);
      }
      this.painted = true;
    }

    paintCell(index, x) {
      const o = this.o, td = this.cells[index];
      td.setAttribute('data-value', o.kind === 'bool' ? String(x !== 0) : Format.dataText(x));
      if (o.kind === 'bool') {
        td.firstChild.checked = x !== 0;
        return;
      }
      const colour = Number.isFinite(x) ? Format.colourIndex(x, o.kind, this.scale) : -1;
      if (colour !== this.colours[index]) {
        if (colour < 0 || this.colours[index] < 0) {
          td.classList.toggle('is-nan', Number.isNaN(x));
          td.classList.toggle('is-infinite', colour < 0 && !Number.isNaN(x));
        }
        const { background, color } = colour < 0 ? { background: '', color: '' } : Format.colourTable(o.kind, this.theme)[colour];
        td.style.backgroundColor = background;
        if (!o.compact || o.editable) td.style.color = color; /* compact cells draw no text */
        this.colours[index] = colour;
      } else if (colour < 0) td.classList.toggle('is-nan', Number.isNaN(x)); /* NaN <-> ±∞ */
      if (o.compact && !o.editable) return;
      const text = Format.cellText(x);
      if (text === this.texts[index]) return;
      this.texts[index] = text;
      if (!o.editable) td.textContent = text;
      else if (!td.classList.contains('is-editing') && !td.classList.contains('is-invalid')) td.firstChild.value = text;
    }

    /* A compact cell draws no number: a screen reader gets it on focus. */
    labelOnFocus(td, index) {
      const o = this.o;
      td.setAttribute('aria-label', `${o.rowLabels[Math.floor(index / o.cols)]}, ${o.colLabels[index % o.cols]}: ${Format.cellText(this.values[index])}`);
    }

    /* Mark cells as the inputs of the explained one (clearHighlight unmarks). */
    highlight(indices, className) {
      for (const index of indices) this.cells[index]?.classList.add(className);
    }

    clearHighlight(className) {
      for (const td of this.cells) td.classList.remove(className);
    }
  }

  root.AttnMatrix = { Matrix, el };
})(typeof globalThis !== 'undefined' ? globalThis : this);
