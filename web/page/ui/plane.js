/* plane.js: when E = 2, the embeddings and Q, K and V as arrows in the plane.
 * Dragging an embedding's tip (or focusing it and pressing the arrow keys,
 * Shift for bigger steps) edits that embedding, and everything follows.
 * The window fits the arrows shown and the origin (fit).
 * Each arrow's label sits beside its tip, inside the plane, where it covers
 * least of the other labels, the tips, the arrowheads and the arrows
 * (placeLabels), in type of the same size on screen however small the plane
 * is drawn (the pass draws it 12rem wide).
 *
 * A drag, or the keys held down, is one edit in the history.
 *
 * A classic script: the global AttnPlane.
 * needs: AttnFormat, AttnText, AttnCases, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, Cases = root.AttnCases, { el, svg, setAttr, setText } = root.AttnDom;
  const SIZE = 340, HALF = SIZE / 2; /* the viewBox's side, user units */
  const MARGIN = 30, LEAST_SPAN = 1;  /* the window: room round the vectors, user units; its least side, data units */
  const KEPT_FILL = 0.8;             /* the window stays while the vectors fill this much of it, and no less (fit) */
  const LABEL_PX = 11, TICK_PX = 9;  /* the labels' and ticks' type on screen, CSS px */
  const GAP_PX = 4;                  /* between a tip and its label */
  const SPACE_PX = 4, EDGE_PX = 3;   /* between two labels side by side; between a label and the plane's edge */
  const TIP_PX = 6;                  /* half a tip's side that labels keep off */
  const STROKE = 2, X_STROKE = 2.5;  /* the arrows' widths (an embedding's wider), user units */
  const HEAD = 7;                    /* an arrowhead's length and width, in its arrow's widths (a marker scales with it) */
  const HANDLE_R = 8;                /* an embedding's tip, user units (its stroke: 1 more) */
  /* what a place costs: px² covered of a tip; of a label, LABEL_COST times
   * that; LINE_COST for each point of an arrow (points LINE_STEP apart) */
  const LABEL_COST = 3, LINE_COST_PX = 8, LINE_STEP_PX = 5;
  const PLACED_LABELS = 60;          /* past this many, labels go up-right of their tips, unplaced (the cost is quadratic) */
  const PLACING_ROUNDS = 3;          /* rounds of placing each label again, given all the others */
  /* where a label may go, as [x, y] steps from its tip (y down): around it, eight ways */
  const AROUND = [[1, 0], [1, -1], [0, -1], [-1, -1], [-1, 0], [-1, 1], [0, 1], [1, 1]];
  /* Okabe–Ito colours, safe for colour-blind readers */
  const SERIES = [
    { key: 'query', label: 'X', colour: 'var(--plane-x)', editable: true }, /* (+ pl.embeddings) */
    { key: 'q', label: 'Q', colour: '#0072B2' },
    { key: 'k', label: 'K', colour: '#D55E00' },
    { key: 'v', label: 'V', colour: '#009E73' },
  ];

  /* A round step for grid lines: 0.5, 1, 2, 5, ... */
  function gridStep(extent) {
    const raw = extent / 4, power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  }

  let moves = 0; /* each drag or run of keys: one group of edits */

  class Plane {
    constructor(session, id) {
      this.session = session;
      this.t = Text.of(session);
      this.id = id;
      this.scale = null;      /* the window: data units per user unit, and the data point at */
      this.centre = [0, 0];   /* its middle; both kept fixed while dragging (fit) */
      this.fitted = null;     /* the case the window was fitted to (an edit in place keeps the object) */
      this.dragging = null;
      this.shown = { query: true, q: true, k: true, v: false };
      this.layout = null;     /* which vectors the marks are drawn for ('q0 q1 …'), and their marks */
      this.marks = [];
      this.gridWindow = null; /* the window the grid is drawn for (scale, centre) */
      this.unitsPerPx = 1;    /* user units per CSS px: SIZE over the width the plane is drawn at */
      this.laidOut = false;   /* whether the ResizeObserver has reported the plane laid out */
      this.widths = new Map(); /* a label's text -> its width, user units, at this unitsPerPx (setLabel) */
      this.figure = this.build();
      /* (a ResizeObserver reports after layout: no layout is forced to learn the width) */
      this.resizes = typeof ResizeObserver === 'function' ? new ResizeObserver(([entry]) => this.resized(entry.contentRect.width)) : null;
      this.resizes?.observe(this.svg);
    }

    /* Laid out, or drawn at another width: the type keeps its size on screen. */
    resized(width) {
      if (!(width > 0) || (this.laidOut && Math.abs(SIZE / width - this.unitsPerPx) < 1e-3)) return;
      this.laidOut = true; /* (from now on labels are measured: setLabel) */
      this.unitsPerPx = SIZE / width;
      this.widths.clear();
      this.svg.style.setProperty('--plane-label', `${LABEL_PX * this.unitsPerPx}px`);
      this.svg.style.setProperty('--plane-tick', `${TICK_PX * this.unitsPerPx}px`);
      this.gridWindow = null; /* (its ticks move with their type) */
      this.update();
    }

    build() {
      const id = this.id;
      this.svg = svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, class: 'plane', role: 'group', 'aria-labelledby': `${id}-plane-title` });
      this.svg.append(svg('title', { id: `${id}-plane-title` }, [this.t('pl.svg')]));
      const defs = svg('defs');
      for (const s of SERIES)
        defs.append(svg('marker', { id: `${id}-head-${s.key}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: HEAD, markerHeight: HEAD, orient: 'auto-start-reverse' },
          [svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: s.colour })]));
      this.grid = svg('g', { class: 'plane-grid' });
      this.arrows = svg('g');
      this.handles = svg('g'); /* on top, so that no arrow covers a tip */
      this.svg.append(defs, this.grid, this.arrows, this.handles);
      const legend = el('p', { className: 'plane-legend' });
      for (const s of SERIES) {
        const box = el('input', { type: 'checkbox', checked: this.shown[s.key] });
        box.addEventListener('change', () => { this.shown[s.key] = box.checked; this.update(); });
        const swatch = el('span', { className: 'swatch' });
        swatch.style.setProperty('--swatch', s.colour); /* CSSOM, allowed by a strict CSP */
        legend.append(el('label', {}, [box, swatch, s.editable ? `${s.label} (${this.t('pl.embeddings')})` : s.label]));
      }
      return el('figure', { className: 'card card-plane', 'data-card': 'plane' }, [
        el('figcaption', {}, [
          el('span', { className: 'card-title', text: this.t('pl.title') }),
          el('span', { className: 'card-formula', text: this.t('pl.formula') }),
        ]),
        this.svg, legend,
      ]);
    }

    /* data coordinates -> user units, and back */
    toPixel(x, y) { return [HALF + (x - this.centre[0]) / this.scale, HALF - (y - this.centre[1]) / this.scale]; }
    toData(px, py) { return [this.centre[0] + (px - HALF) * this.scale, this.centre[1] + (HALF - py) * this.scale]; }

    /* The window: the box round the vectors and the origin (where every
     * arrow starts), with MARGIN round it, at one scale across and up so
     * that angles and lengths stay true. The lecture's vectors lie up and to
     * the right: a window centred on the origin would leave three quarters
     * of the plane empty and draw them half as long. The window stays while
     * it holds the box and the box fills KEPT_FILL of it: a small edit does
     * not move the grid under the reader (nor draw it again). A case shown
     * anew (an example, a link, undo) gets a window of its own: the same
     * case is drawn the same however it was reached. */
    fit(series) {
      if (this.session.case !== this.fitted) {
        this.fitted = this.session.case;
        this.scale = null;
      }
      const low = [0, 0], high = [0, 0];
      for (const s of series)
        for (const [x, y] of s.points)
          if (Number.isFinite(x) && Number.isFinite(y)) [x, y].forEach((v, d) => { low[d] = Math.min(low[d], v); high[d] = Math.max(high[d], v); });
      const span = Math.max(LEAST_SPAN, high[0] - low[0], high[1] - low[1]);
      if (this.scale !== null) {
        const [left, top] = this.toData(MARGIN, MARGIN), [right, bottom] = this.toData(SIZE - MARGIN, SIZE - MARGIN);
        if (low[0] >= left && high[0] <= right && low[1] >= bottom && high[1] <= top && span >= KEPT_FILL * (right - left)) return;
      }
      this.scale = span / (SIZE - 2 * MARGIN);
      this.centre = [(low[0] + high[0]) / 2, (low[1] + high[1]) / 2];
    }

    rows(key) {
      const s = this.session;
      const data = key === 'query' ? s.parsed.inputs.query : s.stages[key].data;
      const count = key === 'query' ? s.config.tgt_len : s.stages[key].shape[0];
      return Array.from({ length: count }, (_, i) => [data[2 * i], data[2 * i + 1]]);
    }

    /* Each shown vector an arrow from the origin (the embeddings' tips a
     * handle). The same arrows as last time are moved, not made again: an
     * edit at the lecture made 20 SVG elements anew (about 2 ms). */
    update() {
      if (this.session.config.embed_dim !== 2) return;
      const lab = this.session.labels();
      const series = SERIES.filter((s) => this.shown[s.key]).map((s) => ({ ...s, points: this.rows(s.key) }));
      if (this.dragging === null) this.fit(series);
      this.drawGrid();
      const vectors = []; /* [series, i, x, y, token] of every finite one */
      for (const s of series) {
        const labels = s.key === 'k' || s.key === 'v' ? lab.extended : lab.query;
        s.points.forEach(([x, y], i) => { if (Number.isFinite(x) && Number.isFinite(y)) vectors.push([s, i, x, y, labels[i]]); });
      }
      const layout = vectors.map(([s, i]) => `${s.key}${i}`).join(' ');
      if (layout !== this.layout) {
        this.layout = layout;
        this.marks = vectors.map(([s, i]) => this.mark(s, i));
        this.arrows.replaceChildren(...this.marks.map((m) => m.arrow));
        this.handles.replaceChildren(...this.marks.filter((m) => m.handle).map((m) => m.handle));
      }
      const origin = this.toPixel(0, 0), tips = vectors.map(([, , x, y]) => this.toPixel(x, y));
      const widths = vectors.map(([s, , , , token], n) => this.setLabel(this.marks[n].label, `${s.key === 'query' ? '' : `${s.label} `}${token}`));
      const places = this.placeLabels(origin, tips, widths);
      vectors.forEach(([s, i, x, y, token], n) => {
        const { line, label, handle } = this.marks[n], [px, py] = tips[n];
        setAttr(line, 'x1', String(origin[0]));
        setAttr(line, 'y1', String(origin[1]));
        setAttr(line, 'x2', String(px));
        setAttr(line, 'y2', String(py));
        setAttr(label, 'x', String(places[n][0]));
        setAttr(label, 'y', String(places[n][1]));
        if (!handle) return;
        setAttr(handle, 'cx', String(px));
        setAttr(handle, 'cy', String(py));
        setAttr(handle, 'aria-label', this.t('pl.handle', { token, x: Format.cellText(x), y: Format.cellText(y) }));
      });
    }

    /* Writes a label's text; returns its width, user units. Measured once a text (a
     * layout read: not at every edit, whose labels stay, nor while the page
     * is built, before the first layout); estimated until then. */
    setLabel(label, text) {
      setText(label, text);
      if (!this.widths.has(text)) {
        const measured = this.laidOut ? label.getComputedTextLength() : 0;
        if (!(measured > 0)) return text.length * 0.7 * LABEL_PX * this.unitsPerPx;
        this.widths.set(text, measured);
      }
      return this.widths.get(text);
    }

    /* Where each label goes (widths: theirs; the arrows start at [ox, oy]),
     * [x, y] of its text's start on its baseline. Each of the eight places
     * around its tip (slid back inside the plane where it would cross its
     * edge) costs what it covers of the other labels (and a space beside
     * them), of the tips, of the arrowheads (its own too), of the grid's
     * numbers and of the arrows (a line's point costs less: a label may
     * cross a line). In the order given, each label takes the cheapest
     * place, the one straight past its tip first when places cost the same;
     * then, a few rounds, each takes the cheapest given all the others (a
     * label placed early no longer crowds one placed after it). */
    placeLabels([ox, oy], tips, widths) {
      const u = this.unitsPerPx, height = LABEL_PX * u, gap = GAP_PX * u, tip = Math.max(TIP_PX * u, HANDLE_R + 1), space = SPACE_PX * u, edge = EDGE_PX * u;
      if (tips.length > PLACED_LABELS) return tips.map(([x, y]) => [x + gap, y - gap]);
      const tipBoxes = tips.map(([x, y]) => [x - tip, y - tip, x + tip, y + tip]);
      /* each arrowhead, which lies back from its tip along its arrow, its
       * middle 0.4 of its length back (the marker's point is at 0.9): no
       * label, its own either, goes over it. Its size is in user units, so
       * on a plane drawn large (a phone's) it is more px than on a small one;
       * every head is taken as big as the widest arrow's (an embedding's). */
      const head = HEAD * X_STROKE;
      const headBoxes = tips.map(([x, y]) => {
        const length = Math.hypot(x - ox, y - oy) || 1, back = Math.min(0.4 * head, length / 2);
        const [cx, cy] = [x - ((x - ox) / length) * back, y - ((y - oy) / length) * back], half = head / 2;
        return [cx - half, cy - half, cx + half, cy + half];
      });
      const obstacles = [...headBoxes, ...this.tickBoxes]; /* what every label keeps off */
      const overlap = (a, b) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
      const points = []; /* every LINE_STEP_PX along each arrow, from the origin to its tip */
      for (const [x, y] of tips) {
        const steps = Math.floor(Math.hypot(x - ox, y - oy) / (LINE_STEP_PX * u));
        for (let k = 0; k < steps; k++) points.push([ox + (x - ox) * k / steps, oy + (y - oy) * k / steps]);
      }
      /* label n's places, in the order tried: [left, top, right, bottom] and whether slid */
      const places = tips.map(([x, y], n) => {
        const width = widths[n], angle = Math.atan2(y - oy, x - ox) || -Math.PI / 4; /* (a zero vector: up and right) */
        const turn = ([sx, sy]) => { const d = Math.abs(Math.atan2(sy, sx) - angle); return Math.min(d, 2 * Math.PI - d); };
        return [...AROUND].sort((a, b) => turn(a) - turn(b)).map(([sx, sy]) => {
          const cx = x + sx * (gap + width / 2), cy = y + sy * (gap + height / 2);
          const left = Math.min(Math.max(edge, cx - width / 2), SIZE - edge - width), top = Math.min(Math.max(edge, cy - height / 2), SIZE - edge - height);
          return { box: [left, top, left + width, top + height], slid: left !== cx - width / 2 || top !== cy - height / 2 };
        });
      });
      const chosen = new Array(tips.length).fill(null); /* each label's place, once placed */
      const cost = (n, { box, slid }) => {
        let sum = 0;
        for (const [x, y] of points) if (x > box[0] && x < box[2] && y > box[1] && y < box[3]) sum += LINE_COST_PX * u * u;
        tipBoxes.forEach((other, k) => { if (k !== n || slid) sum += overlap(box, other); }); /* (its own tip: if slid onto it) */
        for (const other of obstacles) sum += overlap(box, other);
        chosen.forEach((other, k) => { if (other && k !== n) sum += LABEL_COST * overlap(box, [other.box[0] - space, other.box[1], other.box[2] + space, other.box[3]]); });
        return sum;
      };
      const cheapest = (n) => places[n].reduce((best, place) => {
        const c = best.cost === 0 ? Infinity : cost(n, place); /* (a place that covers nothing ends the search) */
        return c < best.cost ? { place, cost: c } : best;
      }, { place: null, cost: Infinity }).place;
      for (let n = 0; n < tips.length; n++) chosen[n] = cheapest(n);
      for (let round = 0; round < PLACING_ROUNDS; round++) {
        let moved = false;
        for (let n = 0; n < tips.length; n++) {
          const place = cheapest(n);
          if (place !== chosen[n]) { chosen[n] = place; moved = true; }
        }
        if (!moved) break;
      }
      return chosen.map(({ box }) => [box[0], box[3] - 0.2 * height]); /* (the baseline: a fifth of the type above the box's foot) */
    }

    /* The arrow of vector i of a series, and its handle if it is an embedding (placed by update). */
    mark(s, i) {
      const line = svg('line', { stroke: s.colour, 'stroke-width': s.editable ? X_STROKE : STROKE, 'marker-end': `url(#${this.id}-head-${s.key})` });
      const label = svg('text', { fill: s.colour, class: 'arrow-label' });
      return { arrow: svg('g', { class: `arrow arrow-${s.key}` }, [line, label]), line, label, handle: s.editable ? this.handle(i) : null };
    }

    /* Grid lines a round step apart, the axes darker; each line's number
     * beside the other axis (kept inside the plane). */
    drawGrid() {
      const shown = `${this.scale} ${this.centre}`;
      if (shown === this.gridWindow) return; /* (the same grid) */
      this.gridWindow = shown;
      const u = this.unitsPerPx, step = gridStep(this.scale * HALF), [left, bottom] = this.toData(0, SIZE), [right, top] = this.toData(SIZE, 0);
      const [ox, oy] = this.toPixel(0, 0), lines = [];
      this.tickBoxes = []; /* (for placeLabels: a label keeps off a tick's number too) */
      const tick = (x, y, t) => {
        const text = Format.fullText(Math.round(t * 1e6) / 1e6);
        this.tickBoxes.push([x, y - TICK_PX * u, x + text.length * 0.6 * TICK_PX * u, y]);
        return svg('text', { x, y, class: 'tick' }, [text]);
      };
      for (let t = Math.ceil(left / step) * step; t <= right; t += step) {
        const [gx] = this.toPixel(t, 0), axis = Math.abs(t) < step / 2;
        lines.push(svg('line', { x1: gx, y1: 0, x2: gx, y2: SIZE, class: axis ? 'axis' : '' }));
        if (!axis) lines.push(tick(gx + 2 * u, Math.min(oy + (TICK_PX + 2) * u, SIZE - 2 * u), t));
      }
      for (let t = Math.ceil(bottom / step) * step; t <= top; t += step) {
        const [, gy] = this.toPixel(0, t), axis = Math.abs(t) < step / 2;
        lines.push(svg('line', { x1: 0, y1: gy, x2: SIZE, y2: gy, class: axis ? 'axis' : '' }));
        if (!axis) lines.push(tick(Math.max(ox + 2 * u, 2 * u), gy - 2 * u, t));
      }
      this.grid.replaceChildren(...lines);
    }

    /* The draggable, focusable tip of embedding i. */
    handle(i) {
      const c = svg('circle', { r: HANDLE_R, class: 'handle', 'data-index': i, tabindex: 0, role: 'button' });
      c.addEventListener('pointerdown', (e) => this.drag(e, i));
      c.addEventListener('keydown', (e) => {
        const step = e.shiftKey ? 0.25 : 0.05;
        const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key];
        if (!move) return;
        e.preventDefault();
        e.stopPropagation();
        if (!e.repeat || !this.keyGroup) this.keyGroup = `plane-keys-${++moves}`; /* a held key: one edit */
        const [x, y] = this.rows('query')[i];
        this.set(i, Format.nudge(x, move[0]), Format.nudge(y, move[1]), this.keyGroup);
        this.handles.querySelector(`[data-index="${i}"]`)?.focus(); /* (drawn anew if the vectors shown changed) */
      });
      return c;
    }

    /* The svg, not the handle, holds the pointer (a handle may be drawn anew
     * during the move). */
    drag(down, i) {
      down.preventDefault();
      const target = this.svg;
      target.setPointerCapture(down.pointerId);
      this.dragging = i;
      const box = this.svg.getBoundingClientRect(), group = `plane-drag-${++moves}`;
      const move = (e) => {
        const [x, y] = this.toData(((e.clientX - box.left) / box.width) * SIZE, ((e.clientY - box.top) / box.height) * SIZE);
        this.set(i, Cases.round2(x), Cases.round2(y), group);
      };
      const up = () => {
        target.removeEventListener('pointermove', move);
        target.removeEventListener('pointerup', up);
        target.removeEventListener('pointercancel', up);
        this.dragging = null;
        this.update();
      };
      target.addEventListener('pointermove', move);
      target.addEventListener('pointerup', up);
      target.addEventListener('pointercancel', up);
    }

    /* Embedding i := (x, y): two cell edits of one group, through the session. */
    set(i, x, y, group) {
      this.session.apply({ type: 'cell', key: 'query', index: 2 * i, value: x, group });
      this.session.apply({ type: 'cell', key: 'query', index: 2 * i + 1, value: y, group });
    }
  }

  root.AttnPlane = { Plane };
})(typeof globalThis !== 'undefined' ? globalThis : this);
