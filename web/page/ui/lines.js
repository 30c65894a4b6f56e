/* lines.js: who attends to whom. The query tokens in one column, the keys in
 * the other, and a line for every pair whose opacity grows with its weight:
 * one colour per head (weights), or the mean the module returns
 * (attn_weights). Click a head to show or hide it, double-click it (or press
 * S on it) to show it alone. Hovering or focusing a token keeps only its
 * lines and lights its row (or column) in the heatmap; a heatmap cell
 * pointed at lights its line (light()).
 *
 * Contract: the <svg> carries data-view="lines" and data-stage ("weights"
 * or "attn_weights"); each line carries data-head, data-row, data-col and
 * data-value (the full float32 weight). Past MAX_SVG_LINES lines (a
 * BERT-size layer has 12×128×128) the lines are drawn on a <canvas> under
 * the labels instead, and the readout of the heatmaps gives the numbers.
 *
 *   const lines = new Lines(session, { id, onToken(stage, row, col) });
 *   lines.element; lines.update(change); lines.light(head, row, col) / lines.light(null)
 *
 * A classic script: the global AttnLines.
 * needs: AttnFormat, AttnText, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, { el, svg, setHidden, setAttr } = root.AttnDom;
  const HEAD_COLOURS = 8;           /* --head-0 … --head-7 in style.css, then again */
  const WIDTH = 260, LABEL = 76;    /* the picture's width, and room for a column's labels */
  const MAX_SVG_LINES = 512;        /* more lines are drawn on a canvas (the largest example has 1024) */

  /* A line's opacity for a weight: 0 for nothing, 1 for all, rising with it. */
  const opacity = (w) => (Number.isFinite(w) ? Math.max(0, Math.min(1, w)) : 0);

  class Lines {
    constructor(session, { id, onToken = () => {} }) {
      this.session = session;
      this.id = id;
      this.onToken = onToken;
      const t = this.t = Text.of(session);
      this.stage = 'weights';  /* what the lines show: weights (per head) or attn_weights */
      this.hidden = new Set(); /* heads not drawn */
      this.picture = svg('svg', { class: 'lines', 'data-view': 'lines', 'data-stage': this.stage, role: 'group' });
      this.canvas = el('canvas', { className: 'lines-canvas', 'aria-hidden': 'true', hidden: true });
      /* the width the picture is drawn at, for the canvas: from a
       * ResizeObserver, which reports after layout (a read in draw() laid
       * out the whole page in the middle of building it: 470 ms at the
       * largest example); 0 until laid out (or hidden), and then drawn */
      this.pictureWidth = 0;
      this.resizes = typeof ResizeObserver === 'function' ? new ResizeObserver(([entry]) => {
        this.pictureWidth = entry.contentRect.width;
        if (this.big) this.draw();
      }) : null;
      this.resizes?.observe(this.picture);
      this.focused = null; /* { side, k }: the token pointed at (canvas drawing) */
      this.legend = el('div', { className: 'lines-legend', role: 'group', 'aria-label': t('n.heads') });
      this.toggle = el('button', { type: 'button', className: 'lines-toggle' });
      this.toggle.addEventListener('click', () => { this.stage = this.stage === 'weights' ? 'attn_weights' : 'weights'; this.build(); });
      this.element = el('figure', { className: 'card card-lines', 'data-card': 'lines' }, [
        el('figcaption', {}, [el('span', { className: 'card-title', text: t('n.title') }), el('span', { className: 'card-letters', text: t('n.letters') })]),
        el('p', { className: 'lines-bar' }, [this.toggle]), this.legend, el('div', { className: 'lines-box' }, [this.canvas, this.picture]),
      ]);
      this.build();
    }

    update(change) {
      if (change.structure) this.build();
      else if (change.values || change.labels) this.paint(change.labels);
    }

    /* The shape of what is drawn: heads (1 for the mean), rows, keys. */
    shape() {
      const s = this.session.stages[this.stage].shape;
      return s.length === 3 ? { heads: s[0], rows: s[1], cols: s[2] } : { heads: 1, rows: s[0], cols: s[1] };
    }

    build() {
      const { heads, rows, cols } = this.shape();
      const perHead = this.session.stages[this.stage].shape.length === 3;
      /* room between tokens: more for a few (the lecture's three are read from the back of a room), less for many */
      const n = Math.max(rows, cols), gap = Math.max(14, Math.min(40, 360 / n, 26 + (8 - n) * 4));
      this.height = n * gap + 8;
      this.y = (k, count) => 4 + gap / 2 + k * gap + (n - count) * gap / 2;
      this.picture.setAttribute('viewBox', `0 0 ${WIDTH} ${this.height}`);
      this.picture.dataset.stage = this.stage;
      this.picture.setAttribute('aria-label', this.t('n.picture', { stage: this.stage }));
      this.toggle.textContent = this.t(this.stage === 'weights' ? 'n.mean' : 'n.each');
      for (const h of [...this.hidden]) if (h >= heads) this.hidden.delete(h);
      /* the lines, behind the labels */
      this.lines = [];
      const group = svg('g', { class: 'lines-pairs' });
      this.big = heads * rows * cols > MAX_SVG_LINES;
      this.canvas.hidden = !this.big;
      if (!this.big) for (let h = 0; h < heads; h++)
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const line = svg('line', {
              x1: LABEL, y1: this.y(i, rows), x2: WIDTH - LABEL, y2: this.y(j, cols),
              class: perHead ? `head-${h % HEAD_COLOURS}` : 'head-mean', 'data-row': i, 'data-col': j,
            });
            if (perHead) line.dataset.head = h;
            this.lines.push(line);
            group.append(line);
          }
      this.queryLabels = [];
      this.keyLabels = [];
      const labels = svg('g', { class: 'lines-labels' });
      const token = (side, k, count) => {
        const x = side === 'query' ? LABEL - 6 : WIDTH - LABEL + 6;
        const text = svg('text', { x, y: this.y(k, count), class: `lines-token lines-${side}`, 'text-anchor': side === 'query' ? 'end' : 'start', 'dominant-baseline': 'middle', tabindex: 0, role: 'button', direction: 'ltr' });
        const point = () => this.focusToken(side, k);
        text.addEventListener('pointerenter', point);
        text.addEventListener('focus', point);
        text.addEventListener('pointerleave', () => this.focusToken(null));
        text.addEventListener('blur', () => this.focusToken(null));
        (side === 'query' ? this.queryLabels : this.keyLabels).push(text);
        labels.append(text);
      };
      for (let i = 0; i < rows; i++) token('query', i, rows);
      for (let j = 0; j < cols; j++) token('key', j, cols);
      this.picture.replaceChildren(group, labels);
      this.buildLegend(heads, perHead);
      this.values = new Float64Array(this.lines.length).fill(NaN);
      this.shades = new Float64Array(this.lines.length).fill(NaN); /* each line's opacity as drawn */
      this.painted = false;
      this.paint(true);
    }

    buildLegend(heads, perHead) {
      const buttons = [];
      if (perHead) for (let h = 0; h < heads; h++) {
        const b = el('button', { type: 'button', className: `lines-head head-${h % HEAD_COLOURS}`, 'data-head': h, 'aria-pressed': String(!this.hidden.has(h)), title: this.t('n.headT') }, [el('span', { className: 'swatch' }), this.t('x.head', { h: h + 1 })]);
        b.addEventListener('click', () => this.showHead(h, this.hidden.has(h)));
        b.addEventListener('dblclick', () => this.solo(h));
        b.addEventListener('keydown', (e) => { if (e.key === 's' || e.key === 'S') { e.preventDefault(); this.solo(h); } });
        buttons.push(b);
      }
      this.legend.replaceChildren(...buttons);
      setHidden(this.legend, !perHead || heads < 2);
    }

    showHead(h, shown) {
      if (shown) this.hidden.delete(h); else this.hidden.add(h);
      this.applyHeads();
    }

    /* Head h alone; again: every head. */
    solo(h) {
      const { heads } = this.shape();
      const alone = this.hidden.size === heads - 1 && !this.hidden.has(h);
      this.hidden = new Set(alone ? [] : Array.from({ length: heads }, (_, k) => k).filter((k) => k !== h));
      this.applyHeads();
    }

    applyHeads() {
      if (this.big) this.drawLater();
      for (const b of this.legend.children) setAttr(b, 'aria-pressed', String(!this.hidden.has(Number(b.dataset.head))));
      for (const line of this.lines) line.classList.toggle('is-off', line.dataset.head !== undefined && this.hidden.has(Number(line.dataset.head)));
    }

    /* New weights (and, with labels, new token names): only what changed. */
    paint(labels) {
      const s = this.session, data = s.stages[this.stage].data, lab = s.labels();
      if (this.big) this.drawLater();
      this.lines.forEach((line, k) => {
        const w = data[k];
        if (this.painted && Object.is(this.values[k], w)) return;
        this.values[k] = w;
        line.setAttribute('data-value', Format.dataText(w));
        /* the look only when it changes as drawn (to 1/1000): most lines keep theirs */
        const shade = Math.round(opacity(w) * 1000) / 1000;
        if (this.painted && this.shades[k] === shade) return;
        this.shades[k] = shade;
        line.setAttribute('stroke-opacity', String(shade));
        line.setAttribute('stroke-width', String(1 + 3 * shade));
      });
      if (labels) {
        this.queryLabels.forEach((t, i) => { t.textContent = shorten(lab.query[i]); t.setAttribute('aria-label', this.t('n.query', { token: lab.query[i] })); });
        this.keyLabels.forEach((t, j) => { t.textContent = shorten(lab.extended[j]); t.setAttribute('aria-label', this.t('n.key', { token: lab.extended[j] })); });
      }
      this.painted = true;
      if (labels) this.applyHeads(); /* (after a build; a head shown or hidden applies itself) */
    }

    /* A token pointed at: only its lines (a query's row, a key's column), and
     * its row or column lit in the heatmap; null: every line again. */
    focusToken(side, k) {
      this.focused = side === null ? null : { side, k };
      if (this.big) this.draw();
      const attr = side === 'query' ? 'row' : 'col';
      for (const line of this.lines) line.classList.toggle('is-faded', side !== null && Number(line.dataset[attr]) !== k);
      for (const t of [...this.queryLabels, ...this.keyLabels]) t.classList.remove('is-lit');
      if (side !== null) (side === 'query' ? this.queryLabels : this.keyLabels)[k].classList.add('is-lit');
      this.onToken(side === null ? null : { stage: this.stage, side, index: k });
    }

    /* A heatmap cell pointed at: its line lit (null: none). */
    light(head, row, col) {
      if (this.big) {
        const lit = row === null ? null : { head, row, col };
        if (JSON.stringify(lit) === JSON.stringify(this.lit ?? null)) return; /* (a redraw of 190 k lines for nothing) */
        this.lit = lit;
        return this.draw();
      }
      for (const line of this.lines) {
        const on = row !== null && Number(line.dataset.row) === row && Number(line.dataset.col) === col && (line.dataset.head === undefined || head === null || Number(line.dataset.head) === head);
        line.classList.toggle('is-lit', on);
      }
    }
  }

  /* ---- many lines: drawn on the canvas under the labels ---- */

  /* Drawn before the next frame, once however many changes come first (and
   * not in the middle of building the view: draw() reads the colours from
   * the style, which would have the whole new view's style computed then) */
  Lines.prototype.drawLater = function () {
    if (this.later) return;
    this.later = requestAnimationFrame(() => {
      this.later = null;
      if (this.big && this.picture.isConnected) this.draw();
    });
  };

  Lines.prototype.draw = function () {
    const { heads, rows, cols } = this.shape(), perHead = this.session.stages[this.stage].shape.length === 3;
    const data = this.session.stages[this.stage].data, ratio = root.devicePixelRatio || 1;
    const width = this.pictureWidth;
    if (!width) return; /* (drawn once laid out: the ResizeObserver) */
    const scale = width / WIDTH;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.aspectRatio = `${WIDTH} / ${this.height}`; /* (its height follows its width, as the picture's does: a px height went stale when the box narrowed) */
    const W = Math.round(WIDTH * scale * ratio), H = Math.round(this.height * scale * ratio);
    if (this.canvas.width !== W || this.canvas.height !== H) { this.canvas.width = W; this.canvas.height = H; }
    const g = this.canvas.getContext('2d'), style = getComputedStyle(this.element);
    g.setTransform(scale * ratio, 0, 0, scale * ratio, 0, 0);
    g.clearRect(0, 0, WIDTH, this.height);
    g.lineCap = 'round';
    const f = this.focused, lit = this.lit;
    for (let h = 0; h < heads; h++) {
      if (perHead && this.hidden.has(h)) continue;
      g.strokeStyle = style.getPropertyValue(perHead ? `--head-${h % HEAD_COLOURS}` : '--head-mean').trim() || '#0072b2';
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          const w = opacity(data[(h * rows + i) * cols + j]);
          if (w < 0.02) continue; /* (invisible anyway: 190 k lines would take long) */
          const faded = f && (f.side === 'query' ? i !== f.k : j !== f.k);
          g.globalAlpha = faded ? w * 0.06 : w;
          g.lineWidth = 1 + 3 * w;
          g.beginPath();
          g.moveTo(LABEL, this.y(i, rows));
          g.lineTo(WIDTH - LABEL, this.y(j, cols));
          g.stroke();
        }
    }
    if (lit && (!perHead || lit.head === null || !this.hidden.has(lit.head))) {
      g.globalAlpha = 1;
      g.lineWidth = 5;
      g.strokeStyle = style.getPropertyValue(perHead ? `--head-${(lit.head ?? 0) % HEAD_COLOURS}` : '--head-mean').trim() || '#0072b2';
      g.beginPath();
      g.moveTo(LABEL, this.y(lit.row, rows));
      g.lineTo(WIDTH - LABEL, this.y(lit.col, cols));
      g.stroke();
    }
    g.globalAlpha = 1;
  };

  const shorten = (text) => ([...text].length > 9 ? [...text].slice(0, 8).join('') + '…' : text);

  root.AttnLines = { Lines };
})(typeof globalThis !== 'undefined' ? globalThis : this);
