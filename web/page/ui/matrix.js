/* matrix.js: one matrix on the page, as a table: token labels on rows and
 * columns, a heatmap colour and the number in every cell, and (for inputs)
 * an <input> in every cell that can be typed into, nudged and scrubbed.
 * An input cell shows its number as text; its <input> is displayed only
 * while the cell is edited (thousands of displayed text inputs, each a
 * scroll box of its own, cost Chromium 100 ms a frame in Layerize and Commit).
 *
 * Keyboard: arrows move between cells (one cell of the grid is in the tab
 * order); Enter, F2 or typing edits. While editing: ↑/↓ nudge the exact
 * value by 0.1 (Shift 1, Alt 0.01), Enter keeps, Escape restores, Tab and a
 * click elsewhere keep. Mouse: click to edit, drag sideways to scrub.
 *
 * What is typed is used exactly (rounded only to float32 by the core), and
 * only when it is a complete number in range: while the text is not one,
 * the cell says why and the value from before the edit stays in use.
 *
 * Every cell carries data-row, data-col (data-head in per-head stages) and
 * data-value, the full float32 value: the testing contract in README.md
 * (a stage's heatmap writes data-value once the edits rest: see below).
 *
 * A classic script: the global AttnMatrix.
 * needs: AttnFormat, AttnText, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, { el, label, place, setHidden, whenIdle } = root.AttnDom;
  const ARROWS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const SCRUB_THRESHOLD_PX = 4;
  let edits = 0; /* each edit of a cell (typing, a scrub) is one group: one history entry */

  /* A stage's heatmap (compact, not editable) writes its cells' data-value
   * once the edits rest, when the browser is idle: no one reads it on screen
   * (a cell's colour is its picture, its number is in the readout), and at
   * the largest example the ~2,500 values one edit changes held the next
   * frame back 6-10 ms. A drag writes them once, at its end. Until then the
   * table carries data-values-pending. */
  const unwritten = new Map(); /* matrix -> the indices of its cells whose data-value is behind */
  let writing = 0;
  function writeLater(matrix, index) {
    let indices = unwritten.get(matrix);
    if (!indices) {
      unwritten.set(matrix, (indices = new Set()));
      matrix.element.setAttribute('data-values-pending', '');
    }
    indices.add(index);
    if (!writing) writing = whenIdle(writeValues);
  }
  /* As many as the idle time allows (deadline: requestIdleCallback's), the
   * rest in the next: a frame due meanwhile is not held back. */
  function writeValues(deadline) {
    writing = 0;
    let written = 0;
    for (const [matrix, indices] of unwritten) {
      for (const index of indices) {
        if (++written % 64 === 0 && deadline && !deadline.didTimeout && deadline.timeRemaining() < 1) {
          writing = whenIdle(writeValues);
          return;
        }
        matrix.cells[index].setAttribute('data-value', Format.dataText(matrix.values[index]));
        indices.delete(index);
      }
      matrix.element.removeAttribute('data-values-pending');
      unwritten.delete(matrix);
    }
  }

  /* What a matrix is given:
   *   stage, head (or null), rows, cols, rowLabels, colLabels, label (for screen readers)
   *   kind: 'diverging' | 'sequential' | 'bool'
   *   editable: cells hold an <input>; onEdit(index, value, group) applies a
   *     value and returns an error message, or null; exactValue(index): the
   *     number in use as typed (values are float32), which Escape and a bad
   *     text put back
   *   rowBands / colBands: [{ label, size }] drawn as separators and captions
   *   vertical: a vector (rows = 1) drawn as a column, one number a row (its
   *     cells keep data-row 0 and data-col j)
   *   compact: colour only; the number shows in the explanation's readout
   *   Backdrop: given (backdrop.js), the colours are drawn on a canvas under
   *     the table instead of a class per cell (the page's heatmaps)
   *   onPoint(index, cell, how) / onLeave(index, how): a cell is pointed at
   *     (how: 'hover' or 'focus') or left; onPin(index, cell): clicked
   *   rowHeader(row): makes a row's <th> (the editable token names), if given
   *   idPrefix: for the ids of the cells' error messages
   *   panelRoot: the view's root, inside which error messages stay
   *   messages: the element that holds the error messages (out of the card,
   *     whose layout containment would clip them)
   *   lang: the language of its labels and messages (text/; English if not given) */
  class Matrix {
    constructor(options) {
      this.o = options;
      this.t = (key, values) => Text.t(options.lang, key, values); /* (options.lang: the words', English when not given) */
      this.cells = [];   /* row-major <td>s */
      this.values = new Float64Array(options.rows * options.cols);
      this.colours = new Array(this.values.length); /* each cell's colour class (null: not finite; undefined: not painted) */
      this.texts = new Array(this.values.length).fill(null);
      this.bubbles = new Map(); /* cell index -> its error message */
      this.shownError = null;   /* the cell whose message is on screen (one at a time: two side by side would cover each other and the cells around) */
      this.painted = false;
      this.focusIndex = 0;
      /* cell index -> { before, group } while its edit is open (or its text
       * is bad): the value in use when it began, which Escape and bad text
       * restore, and its history group */
      this.editsOpen = new Map();
      this.disposed = false; /* no longer shown (dispose) */
      this.element = this.build();
      this.listen();
      this.backdrop = options.Backdrop ? new options.Backdrop(this.element, this.cells) : null;
    }

    build() {
      const o = this.o;
      if (o.vertical) return this.buildVertical();
      const table = el('table', {
        className: `matrix matrix-${o.kind}${o.compact ? ' is-compact' : ''}${o.editable ? ' is-editable' : ''}`,
        role: 'grid', 'aria-label': o.label, 'aria-rowcount': o.rows, 'aria-colcount': o.cols,
      });
      if (o.colBands) {
        const bandRow = el('tr', { className: 'bands' }, [el('td', { className: 'corner' })]);
        for (const band of o.colBands) bandRow.append(el('th', { colspan: band.size, scope: 'colgroup', text: band.label }));
        table.append(el('thead', {}, [bandRow]));
      }
      const header = el('tr', {}, [el('td', { className: 'corner' })]);
      this.colHeaders = o.colLabels.map((text, j) => el('th', { scope: 'col', className: this.bandEdge(o.colBands, j) ? 'band-start' : null }, [label(text)]));
      this.rowHeaders = [];
      header.append(...this.colHeaders);
      (table.tHead || table.appendChild(el('thead'))).append(header);
      const body = el('tbody');
      for (let i = 0; i < o.rows; i++) {
        const rowBand = this.bandEdge(o.rowBands, i);
        const tr = el('tr', { className: rowBand ? 'band-start' : null });
        const rowHeader = o.rowHeader ? o.rowHeader(i) : el('th', { scope: 'row' }, [label(o.rowLabels[i])]);
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

    /* A vector as a column: its name on top, a row a number, labelled (and
     * banded) as its columns are. */
    buildVertical() {
      const o = this.o;
      const table = el('table', {
        className: `matrix matrix-${o.kind} is-vertical${o.compact ? ' is-compact' : ''}${o.editable ? ' is-editable' : ''}`,
        role: 'grid', 'aria-label': o.label, 'aria-rowcount': o.cols, 'aria-colcount': 1,
      });
      this.colHeaders = [];
      this.rowHeaders = [el('th', { scope: 'col' }, [label(o.rowLabels[0])])];
      table.append(el('thead', {}, [el('tr', {}, [el('td', { className: 'corner' }), this.rowHeaders[0]])]));
      const body = el('tbody');
      for (let j = 0; j < o.cols; j++) {
        const band = this.bandEdge(o.colBands, j);
        const header = el('th', { scope: 'row' }, [label(o.colLabels[j])]);
        if (band) header.prepend(el('span', { className: 'band-label', text: band.label }));
        this.colHeaders.push(header);
        body.append(el('tr', { className: band ? 'band-start' : null }, [header, this.buildCell(0, j)]));
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
      if (o.kind === 'bool') td.append(el('input', { type: 'checkbox', tabindex: '-1', 'aria-label': this.cellName(i, j) }));
      else if (o.editable) {
        td.tabIndex = -1; /* (named by its row and column headers and its number, as a grid cell is) */
        td.append(el('span', { className: 'cell-text' }), el('input', {
          type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', tabindex: '-1', size: 5,
          'aria-label': this.cellName(i, j),
        }));
      } else {
        td.tabIndex = -1;
        td.setAttribute('aria-readonly', 'true');
      }
      this.cells.push(td);
      return td;
    }

    /* One listener of each kind on the table, not one per cell (the
     * largest example has ~4,800 editable cells, ~40,000 listeners that
     * took 155 ms to add): each finds its cell from the event. */
    listen() {
      const o = this.o, table = this.element;
      const on = (type, handler) => table.addEventListener(type, (e) => {
        const td = e.target.closest?.('td[data-row]');
        if (td && table.contains(td)) handler(e, td, Number(td.dataset.row) * o.cols + Number(td.dataset.col));
      });
      on('pointerover', (e, td, index) => {
        if (td.contains(e.relatedTarget)) return; /* (moved within the cell) */
        this.showBubble(index);
        o.onPoint?.(index, td, 'hover');
      });
      on('pointerout', (e, td, index) => { if (!td.contains(e.relatedTarget)) o.onLeave?.(index, 'hover'); });
      on('focusin', (e, td, index) => {
        this.setFocusable(index);
        this.showBubble(index);
        if (!this.isEditing(td)) o.onPoint?.(index, td, 'focus');
      });
      on('focusout', (e, td, index) => {
        if (e.target !== td && o.editable && this.isEditing(td)) this.commit(index, false); /* the input lost focus */
        o.onLeave?.(index, 'focus');
      });
      if (o.kind === 'bool') {
        on('change', (e, td, index) => o.onEdit(index, e.target.checked, `cell-${++edits}`));
        on('keydown', (e, td, index) => this.navigate(e, index));
      } else if (o.editable) {
        on('pointerdown', (e, td, index) => this.scrub(e, td, index));
        on('keydown', (e, td, index) => (e.target === td ? this.cellKey(e, td, index) : this.inputKey(e, index)));
        on('input', (e, td, index) => { this.startEdit(index, false, true); this.apply(index); });
        /* change: a value set by a script (typing comes with input events) */
        on('change', (e, td, index) => {
          if (this.isEditing(td)) return this.commit(index, false);
          if (e.target.value === '') return;
          this.startEdit(index, false, true);
          this.commit(index, false);
        });
      } else {
        on('keydown', (e, td, index) => {
          if (this.navigate(e, index)) return;
          if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); o.onPin?.(index, td); }
        });
        on('click', (e, td, index) => o.onPin?.(index, td));
      }
    }

    /* New row and column labels (tokens renamed). */
    setLabels(rowLabels, colLabels) {
      this.o.rowLabels = rowLabels;
      this.o.colLabels = colLabels;
      const relabel = (th, text) => {
        const band = th.querySelector('.band-label');
        th.replaceChildren(label(text));
        if (band) th.prepend(band);
      };
      this.colHeaders.forEach((th, j) => relabel(th, colLabels[j]));
      this.rowHeaders.forEach((th, i) => relabel(th, rowLabels[i]));
      this.cells.forEach((td, index) => {
        const input = td.querySelector('input');
        if (input) input.setAttribute('aria-label', this.cellName(Math.floor(index / this.o.cols), index % this.o.cols));
      });
    }

    cellName(i, j) {
      return this.t('m.cell', { label: this.o.label, row: this.o.rowLabels[i], col: this.o.colLabels[j] });
    }

    /* The element of cell `index` that takes focus: the cell, or a mask's checkbox. */
    focusTarget(index) {
      const td = this.cells[index];
      return this.o.kind === 'bool' ? td.firstChild : td;
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
      let step = ARROWS[e.key];
      if (!step || e.altKey || e.ctrlKey || e.metaKey) return false;
      if (this.o.vertical) step = [step[1], step[0]]; /* up and down move along the vector */
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

    /* ---- editing a number ---- */

    /* Whether a cell's edit is open: its input shown, its entry in editsOpen. */
    isEditing(td) { return td.classList.contains('is-editing'); }

    /* keepText: the text is the user's already (an input event that came
     * with no key first, e.g. from a script or an IME) */
    startEdit(index, selectAll, keepText = false) {
      const td = this.cells[index], input = td.querySelector('input');
      if (this.isEditing(td)) return;
      this.editsOpen.set(index, { before: this.o.exactValue ? this.o.exactValue(index) : this.values[index], group: `cell-${++edits}` });
      td.classList.add('is-editing');
      /* an input wider than its cell opens leftwards where it would pass
         the right edge of the matrix's scroll box (which would scroll
         sideways, or cut it) */
      const box = td.closest('.stage');
      td.classList.toggle('opens-left', Boolean(box) && input.getBoundingClientRect().right > box.getBoundingClientRect().right);
      this.o.onLeave?.(index, 'focus'); /* the explanation makes way for the typing */
      if (!keepText && !td.classList.contains('is-invalid')) input.value = Format.fullText(this.values[index]);
      input.focus({ preventScroll: true });
      if (selectAll) input.select();
    }

    /* backToCell: the edit ended by a key in the cell (Enter, Escape), not
     * by focus going elsewhere */
    stopEdit(index, backToCell) {
      const td = this.cells[index];
      td.classList.remove('is-editing');
      this.editsOpen.delete(index);
      if (!td.classList.contains('is-invalid')) td.querySelector('input').value = '';
      if (backToCell) td.focus({ preventScroll: true });
    }

    /* The value the text says, used at once; or the error, and the value
     * from before the edit in use. Returns whether the text is good. */
    apply(index) {
      const { before, group } = this.editsOpen.get(index);
      const parsed = Format.parseNumber(this.cells[index].querySelector('input').value, this.o.lang);
      const value = parsed.error ? before : parsed.value;
      const rejected = Object.is(Math.fround(value), this.values[index]) ? null : this.o.onEdit(index, value, group);
      const message = parsed.error || rejected;
      if (message) this.showError(index, message);
      else this.clearError(index);
      return !message;
    }

    /* (not once disposed: a cell removed while typed in, as by Back, blurs in
     * Chromium, and what it held was for the case before) */
    commit(index, backToCell) { if (!this.disposed && this.apply(index)) this.stopEdit(index, backToCell); }

    /* A key on an editable cell, not being edited. */
    cellKey(e, td, index) {
      if (this.navigate(e, index)) return;
      if (e.key === 'Enter' || e.key === 'F2') { e.preventDefault(); this.startEdit(index, true); }
      else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) { this.startEdit(index, false); td.querySelector('input').value = ''; } /* the key then types into the input */
    }

    /* A key in a cell's input. */
    inputKey(e, index) {
      const input = e.target;
      if (e.key === 'Enter') {
        e.preventDefault();
        this.commit(index, true);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation(); /* the cell's Escape: nothing else closes */
        const { before, group } = this.editsOpen.get(index);
        this.clearError(index);
        this.o.onEdit(index, before, group);
        this.stopEdit(index, true);
      } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
        e.preventDefault();
        const step = (e.shiftKey ? 1 : e.altKey ? 0.01 : 0.1) * (e.key === 'ArrowUp' ? 1 : -1);
        const typed = Format.parseNumber(input.value, this.o.lang);
        const base = typed.error || !Number.isFinite(typed.value) ? this.values[index] : typed.value;
        if (!Number.isFinite(base)) return;
        input.value = Format.fullText(Format.nudge(base, step));
        this.apply(index);
      }
    }

    /* Drag sideways on a cell to scrub its value: 0.01 a pixel, Shift 0.1.
     * A press without a drag is a click, which edits. Mouse and pen only, so
     * that touch still scrolls. */
    scrub(down, td, index) {
      if (this.isEditing(td)) return; /* a click in the input places the caret */
      if (down.pointerType === 'touch' || down.button !== 0) return void td.addEventListener('click', () => this.startEdit(index, true), { once: true });
      down.preventDefault(); /* no text selection while dragging; focus follows below */
      const start = this.values[index], group = `scrub-${++edits}`;
      let dragging = false;
      const move = (e) => {
        const dx = Math.round(e.clientX - down.clientX);
        if (!dragging && Math.abs(dx) < SCRUB_THRESHOLD_PX) return;
        if (!dragging) { dragging = true; td.setPointerCapture(down.pointerId); td.classList.add('is-scrubbing'); }
        e.preventDefault();
        if (!Number.isFinite(start)) return;
        this.clearError(index);
        this.o.onEdit(index, Format.nudge(start, dx * (e.shiftKey ? 0.1 : 0.01)), group);
      };
      const up = () => {
        td.removeEventListener('pointermove', move);
        td.removeEventListener('pointerup', up);
        td.removeEventListener('pointercancel', up);
        td.classList.remove('is-scrubbing');
        if (dragging) td.focus({ preventScroll: true });
        else this.startEdit(index, true); /* a click selects the number: typing replaces it, as in a spreadsheet */
      };
      td.addEventListener('pointermove', move);
      td.addEventListener('pointerup', up);
      td.addEventListener('pointercancel', up);
    }

    /* The message beside a cell; it stays inside the viewport and the view.
     * One message is on screen: the last cell to go wrong, or the invalid
     * cell pointed at or focused; the others keep their mark, and their
     * message as their input's description. */
    showError(index, message) {
      const td = this.cells[index], input = td.querySelector('input');
      td.classList.add('is-invalid');
      input.setAttribute('aria-invalid', 'true');
      let bubble = this.bubbles.get(index);
      if (!bubble) {
        bubble = el('span', { className: 'cell-error', role: 'alert', id: `${this.o.idPrefix}-e${index}` });
        bubble.dataset.for = `${this.o.stage}:${this.o.head ?? ''}:${index}`;
        (this.o.messages || td).append(bubble);
        this.bubbles.set(index, bubble);
        input.setAttribute('aria-describedby', bubble.id);
      }
      bubble.textContent = this.t('m.still', { message, value: Format.fullText(this.values[index]) });
      this.showBubble(index);
    }

    /* Puts the message of the cell at index (if it has one) on screen, alone. */
    showBubble(index) {
      if (!this.bubbles.has(index)) return;
      for (const [i, bubble] of this.bubbles) setHidden(bubble, i !== index);
      this.shownError = index;
      this.placeError(index);
    }

    /* Beside its cell, on the side the explanation box (explanation.js) does
     * not cover, when one is open. */
    placeError(index) {
      const bubble = this.bubbles.get(index);
      if (!bubble || !this.o.panelRoot) return;
      const box = this.o.panelRoot.querySelector('.explain:not([hidden])');
      place(bubble, this.cells[index].getBoundingClientRect(), this.o.panelRoot, { gap: 3, avoid: box && box.getBoundingClientRect() });
    }

    clearError(index) {
      const td = this.cells[index];
      if (!td.classList.contains('is-invalid')) return;
      td.classList.remove('is-invalid');
      const input = td.querySelector('input');
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
      this.bubbles.get(index)?.remove();
      this.bubbles.delete(index);
      if (this.shownError === index) {
        this.shownError = null;
        this.showBubble([...this.bubbles.keys()].pop()); /* (the last one set, if any) */
      }
    }

    /* The error message of a cell, if it has one. */
    errorOf(index) { return this.bubbles.get(index) || null; }

    /* The error messages shown: placed again after a scroll or a resize. */
    placeErrors() {
      if (this.shownError !== null) this.placeError(this.shownError);
    }

    /* The matrix is no longer shown: its messages go with it. */
    dispose() {
      this.disposed = true;
      unwritten.delete(this);
      this.backdrop?.dispose();
      for (const bubble of this.bubbles.values()) bubble.remove();
      this.bubbles.clear();
      this.shownError = null;
    }

    /* ---- painting ---- */

    /* New values (row-major, rows·cols of them). scale: the |value| at the
     * ends of a diverging palette (the view's niceScale). Only what changed
     * is written to the DOM: the value, the colour class, the text. Cells
     * being edited keep their text. */
    update(data, { scale = 1 } = {}) {
      const rescaled = scale !== this.scale;
      this.scale = scale;
      for (let index = 0; index < this.cells.length; index++) {
        const x = data[index];
        if (this.painted && Object.is(this.values[index], x)) {
          if (rescaled && this.o.kind === 'diverging') this.paintColour(index, x);
          continue;
        }
        this.values[index] = x;
        this.paintCell(index, x);
      }
      this.painted = true;
    }

    paintCell(index, x) {
      const o = this.o, td = this.cells[index];
      if (o.kind === 'bool') {
        td.setAttribute('data-value', String(x !== 0));
        td.firstChild.checked = x !== 0;
        return;
      }
      if (o.compact && !o.editable && this.painted) writeLater(this, index); /* a stage's heatmap: its number is in the readout */
      else td.setAttribute('data-value', Format.dataText(x));
      this.paintColour(index, x);
      if (o.compact) return;
      const text = Format.cellText(x);
      if (text === this.texts[index]) return;
      this.texts[index] = text;
      (o.editable ? td.firstChild : td).textContent = text;
    }

    /* Sensitivity: each cell's ∂result/∂cell (row-major), carried in
     * data-grad and painted in the gradient palette over its value's
     * colour (its number stays); null ends it. */
    overlay(grads, scale = 1) {
      if (!grads && !this.grads) return;
      this.grads = grads;
      this.gradScale = scale;
      this.cells.forEach((td, index) => {
        if (grads) td.setAttribute('data-grad', Format.dataText(grads[index]));
        else td.removeAttribute('data-grad');
        this.paintColour(index, this.values[index]);
      });
    }

    /* The colour class of a cell (the stylesheet of Format.paletteCSS holds
     * both themes: a theme change repaints without touching the cells), or
     * its colour on the backdrop. */
    paintColour(index, value) {
      const td = this.cells[index];
      const [kind, x, scale] = this.grads ? ['gradient', this.grads[index], this.gradScale] : [this.o.kind, value, this.scale];
      const step = Number.isFinite(x) ? Format.colourIndex(x, kind, scale) : -1;
      const colour = step < 0 ? null : Format.colourClass(kind, step);
      const previous = this.colours[index];
      if (colour === previous) return;
      if (this.backdrop) this.backdrop.paint(index, kind, step);
      else {
        if (previous) td.classList.remove(previous);
        if (colour) td.classList.add(colour);
      }
      this.colours[index] = colour;
      if (colour && previous) return; /* finite before and after: no mark to change */
      td.classList.toggle('is-nan', Number.isNaN(x));
      td.classList.toggle('is-infinite', !colour && !Number.isNaN(x));
    }

    /* Mark cells (the inputs of the explained one, say); clearHighlight unmarks. */
    highlight(indices, className) {
      for (const index of indices) this.cells[index]?.classList.add(className);
    }

    clearHighlight(className) {
      for (const td of this.element.querySelectorAll(`.${className}`)) td.classList.remove(className);
    }
  }

  root.AttnMatrix = { Matrix };
})(typeof globalThis !== 'undefined' ? globalThis : this);
