/* training.js (ui): train the module's parameters live. Choose a target (an
 * attention pattern: mark cells of the weights, where each row should look;
 * or an output: edit the target numbers), an optimiser and a learning
 * rate, and press Train: steps run in batches, one batch a frame, each
 * batch one `inputs` edit of the session, so every view follows. A run is
 * one history entry (its edits share a group). Pause, Step, and Reset
 * (the case from before the run, bit for bit, as a new entry). A loss
 * curve beside it, and a lesson that says what changed, with the numbers.
 * The math is model/training.js.
 *
 * Contract: the card carries data-card="train" and data-state ("idle",
 * "running", "paused"); data-steps (steps taken) and data-loss (the last
 * loss, full float32 text) on it; marked weights cells carry data-target
 * (a canvas rings them).
 *
 *   const training = new Training(session, { id, root, weights: () -> the weights' matrices });
 *   training.element; training.update(change);
 *   training.marking: true while a click on a weights cell marks it (mark())
 *
 * A classic script: the global AttnTrainer.
 * needs: AttnFormat, AttnText, AttnCases, AttnTraining, AttnSensitivity, AttnDom, AttnStages */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Cases = root.AttnCases, Training = root.AttnTraining, Sensitivity = root.AttnSensitivity;
  const { el, svg, setText, markInvalid } = root.AttnDom, { matrixKind } = root.AttnStages;
  const STEPS_PER_FRAME = 2;  /* slow enough to watch the pattern form */
  const MAX_STEPS = 3000;     /* a run stops by itself after this many */
  const DONE_LOSS = 0.01;     /* ... or when the loss is this small */
  const CURVE = { width: 220, height: 64 };
  /* the rates ↑ and ↓ step through: 1, 2, 5 × 10ⁿ, from 0.000001 to 10 (the most a rate may be) */
  const RATES = [-6, -5, -4, -3, -2, -1, 0, 1].flatMap((n) => [1, 2, 5].map((m) => Number(`${m}e${n}`))).filter((r) => r <= 10);
  /* The next rate of RATES above (direction 1) or below (-1) x; x itself at the ends. */
  const nextRate = (x, direction) => (direction > 0 ? RATES.find((r) => r > x * (1 + 1e-9)) : RATES.findLast((r) => r < x * (1 - 1e-9))) ?? x;
  let runs = 0;

  class Trainer {
    constructor(session, { id, root: viewRoot, weights = () => [] }) {
      this.session = session;
      this.id = id;
      this.viewRoot = viewRoot;
      this.weights = weights; /* () -> the weights' matrices, a head each (stages.js): a canvas has no cells to mark */
      this.marks = [];        /* [{ head, row, col }] of weights */
      this.target = null;     /* Float32Array L×E: the wished-for output */
      this.run = null;        /* { trainer: Training.Run, before: case, group, start: { weights, scores, output, params } } */
      this.carried = null;    /* the before of a run ended by endKeepingBefore(), for the next run */
      this.state = 'idle';
      this.marking = false;
      this.frame = null;
      this.t = root.AttnText.of(session);
      this.build();
    }

    build() {
      const id = this.id, t = this.t;
      this.kind = el('select', { id: `${id}-train-kind`, 'aria-label': t('tr.kind') }, [
        el('option', { value: 'weights', text: t('tr.pattern') }), el('option', { value: 'output', text: t('tr.output') })]);
      this.kind.addEventListener('change', () => { this.stop(); this.showKind(); });
      this.markButton = el('button', { type: 'button', className: 'train-mark', 'aria-pressed': 'false', text: t('tr.mark') });
      this.markButton.addEventListener('click', () => this.setMarking(!this.marking));
      this.clearButton = el('button', { type: 'button', className: 'train-clear', text: t('tr.clear') });
      this.clearButton.addEventListener('click', () => { this.marks = []; this.showMarks(); });
      this.marksText = el('span', { className: 'train-marks' });
      this.weightsPart = el('div', { className: 'train-target' }, [
        el('p', { text: t('tr.markHow') }),
        el('p', {}, [this.markButton, ' ', this.clearButton, ' ', this.marksText]),
      ]);
      this.fromOutput = el('button', { type: 'button', text: t('tr.fromOutput') });
      this.fromOutput.addEventListener('click', () => { this.target = null; this.showTarget(); });
      this.targetBox = el('div', { className: 'train-output-target', 'data-train-target': 'output' });
      /* a refused number's message, placed beside its cell: out of the card, whose layout containment
       * would place it from the card's corner (it fell off the screen), as stages.js's */
      this.targetMessages = el('div', { className: 'cell-messages' });
      this.viewRoot.append(this.targetMessages);
      this.outputPart = el('div', { className: 'train-target', hidden: true }, [
        el('p', { text: t('tr.wish') }), this.targetBox, el('p', {}, [this.fromOutput]),
      ]);
      this.optimizer = el('select', { id: `${id}-train-optimizer`, 'aria-label': t('tr.optimizer') }, [
        el('option', { value: 'adam', text: 'Adam' }), el('option', { value: 'sgd', text: 'SGD' })]);
      /* text, not type="number": read as every typed number is (Format.parseNumber), and kept as typed */
      this.lr = el('input', { type: 'text', inputmode: 'decimal', className: 'train-lr', id: `${id}-train-lr`, value: '0.01', size: 6, 'aria-label': t('tr.lr'), title: t('tr.lrKeys'), 'aria-keyshortcuts': 'ArrowUp ArrowDown' });
      this.lrInUse = { value: 0.01, text: '0.01' };
      this.lrMessage = el('span', { className: 'control-error', role: 'alert', id: `${id}-train-lr-error` });
      this.optimizer.addEventListener('change', () => this.endKeepingBefore());
      this.lr.addEventListener('change', () => { if (this.readLr()) this.endKeepingBefore(); });
      this.lr.addEventListener('keydown', (e) => this.stepLr(e));
      this.trainButton = el('button', { type: 'button', className: 'train-go', text: t('tr.train') });
      this.trainButton.addEventListener('click', () => (this.state === 'running' ? this.pause() : this.start()));
      this.stepButton = el('button', { type: 'button', className: 'train-step', text: t('tr.step') });
      this.stepButton.addEventListener('click', () => { this.pause(); if (this.ensureRun()) this.steps(1); });
      this.resetButton = el('button', { type: 'button', className: 'train-reset', text: t('tr.reset'), title: t('tr.resetT'), disabled: true });
      this.resetButton.addEventListener('click', () => this.reset());
      this.message = el('p', { className: 'control-error', role: 'alert' });
      this.curve = svg('polyline', { class: 'train-curve', points: '' });
      this.picture = svg('svg', { class: 'train-loss', viewBox: `0 0 ${CURVE.width} ${CURVE.height}`, role: 'img', 'aria-label': t('tr.loss') }, [this.curve]);
      this.lossText = el('p', { className: 'train-loss-text' });
      this.lesson = el('p', { className: 'train-lesson', 'aria-live': 'polite' });
      this.element = el('figure', { className: 'card card-train', 'data-card': 'train', 'data-state': 'idle' }, [
        el('figcaption', {}, [el('span', { className: 'card-title', text: t('w.trainit') }), el('span', { className: 'card-letters', text: t('tr.letters') })]),
        el('p', {}, [el('label', { for: `${id}-train-kind`, text: t('tr.target') }), this.kind]),
        this.weightsPart, this.outputPart,
        el('p', { className: 'train-settings' }, [this.optimizer, ' ', el('label', { for: `${id}-train-lr`, text: 'lr ' }), this.lr, this.lrMessage]),
        el('p', { className: 'train-buttons' }, [this.trainButton, ' ', this.stepButton, ' ', this.resetButton]),
        this.message, this.picture, this.lossText, this.lesson,
      ]);
      this.showKind();
    }

    /* ---- the target ---- */

    showKind() {
      const output = this.kind.value === 'output';
      this.weightsPart.hidden = output;
      this.outputPart.hidden = !output;
      if (output) { this.setMarking(false); this.showTarget(); }
      this.showMarks();
    }

    setMarking(on) {
      this.marking = on;
      this.markButton.setAttribute('aria-pressed', String(on));
      this.markButton.textContent = this.t(on ? 'tr.marking' : 'tr.mark');
    }

    /* A click on weights cell (head, row, col) while marking: marked, or unmarked. */
    mark(head, row, col) {
      const i = this.marks.findIndex((m) => m.head === head && m.row === row && m.col === col);
      if (i >= 0) this.marks.splice(i, 1);
      else this.marks.push({ head, row, col });
      this.stop();
      this.showMarks();
    }

    showMarks() {
      const s = this.session, lab = s.labels(), H = s.config.num_heads;
      const shown = this.kind.value === 'weights' ? this.marks : [];
      if (!shown.length && !this.marksShown) return setText(this.marksText, this.t('tr.none')); /* (no search of every cell at every edit) */
      this.marksShown = shown.length > 0;
      for (const td of this.viewRoot.querySelectorAll('[data-stage="weights"] td[data-target]')) td.removeAttribute('data-target');
      for (const { head, row, col } of shown) this.viewRoot.querySelector(`[data-stage="weights"] td[data-head="${head}"][data-row="${row}"][data-col="${col}"]`)?.setAttribute('data-target', 'true');
      /* a canvas (a BERT layer's weights) rings its marked cells */
      const weights = this.weights(), isCanvas = (m) => Boolean(m?.cellAt); /* (as stages.js tells a canvas) */
      for (const m of weights.filter(isCanvas)) m.clearHighlight('is-target');
      for (const { head, row, col } of shown) if (isCanvas(weights[head])) weights[head].mark(row * weights[head].o.cols + col, 'is-target', true);
      setText(this.marksText, shown.length ? shown.map((m) => `${H > 1 ? `${this.t('x.head', { h: m.head + 1 })}: ` : ''}${Format.isolate(lab.query[m.row])} → ${Format.isolate(lab.extended[m.col])}`).join(', ') : this.t('tr.none'));
    }

    /* The wished-for output, as a matrix to type into (the output now, to begin). */
    showTarget() {
      const s = this.session, output = s.stages.output, [L, E] = output.shape;
      if (!this.target || this.target.length !== L * E) this.target = Float32Array.from(output.data);
      const lab = s.labels();
      this.targetMatrix?.dispose();
      /* as the output's card draws it: a BERT layer's 128×768 on a canvas (a table of 98,304 cells took 10 s) */
      const Kind = matrixKind(L * E, E);
      this.targetMatrix = new Kind({
        stage: 'target', head: null, shape: [L, E], rows: L, cols: E, kind: 'diverging', editable: true,
        rowLabels: lab.query, colLabels: Array.from({ length: E }, (_, j) => String(j)), label: this.t('tr.targetL'),
        idPrefix: `${this.id}-target`, panelRoot: this.viewRoot, messages: this.targetMessages, lang: s.lang,
        onEdit: (index, value) => {
          if (!Number.isFinite(value)) return this.t('tr.finite');
          this.target[index] = value;
          this.stop();
          this.paintTarget();
          return null;
        },
      });
      this.targetBox.replaceChildren(this.targetMatrix.element);
      this.paintTarget();
    }

    paintTarget() {
      this.targetMatrix.update(this.target, { scale: Format.niceScale(Format.maxAbs(this.target)) });
    }

    /* ---- running ---- */

    /* A run of the target and settings chosen (the current one if any). */
    ensureRun() {
      if (this.run) return true;
      const s = this.session;
      const output = this.kind.value === 'output';
      if (!output && !this.marks.length) return this.fail(this.t('tr.mustMark'));
      if (!this.readLr()) return false;
      const lr = this.lrInUse.value;
      const target = output ? { kind: 'output', values: Float32Array.from(this.target) } : { kind: 'weights', marks: this.marks.map((m) => ({ ...m })) };
      s.hold();
      const trainer = new Training.Run({ attention: s.attention, parsed: s.parsed, inputShapes: s.inputShapes, target, optimizer: { kind: this.optimizer.value, lr } });
      const copy = (name) => Float32Array.from(s.stages[name].data);
      this.run = {
        trainer, before: this.carried || Cases.copy(s.case), group: `train-${this.id}-${++runs}`,
        start: { weights: copy('weights'), scores: copy('scores'), output: copy('output'), params: Object.fromEntries(trainer.names.map((n) => [n, Float32Array.from(trainer.params[n])])) },
      };
      this.carried = null;
      this.message.textContent = '';
      this.resetButton.disabled = false;
      return true;
    }

    /* Ends the run (a run has one optimiser and one rate: new ones end it;
     * so does a step that diverges). The next run goes on from where it
     * ended, and its Reset still goes back to the case from before the first. */
    endKeepingBefore() {
      const before = this.run?.before || this.carried;
      this.stop();
      this.carried = before;
    }

    /* The learning rate typed, in use if it is a number in (0, 10]; if not,
     * the one in use stays, in the field too, and the message beside it
     * says what was refused. Returns whether the text was good. */
    readLr() {
      const text = this.lr.value.trim(), parsed = Format.parseNumber(text, this.t.lang);
      const error = parsed.error || (parsed.value > 0 && parsed.value <= 10 ? null : this.t('tr.badLr', { text: Format.isolate(text) }));
      if (error) this.lr.value = this.lrInUse.text;
      else this.lrInUse = { value: parsed.value, text };
      this.lrMessage.textContent = error ? this.t('m.still', { message: error, value: this.lrInUse.text }) : '';
      markInvalid(this.lr, error ? this.lrMessage : null);
      return !error;
    }

    /* ↑ and ↓ in the field: the next rate up or down of 1, 2, 5 × 10ⁿ (from
     * the typed one if it reads, else the one in use), in use at once. */
    stepLr(e) {
      if ((e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      const typed = Format.parseNumber(this.lr.value.trim(), this.t.lang);
      const from = !typed.error && typed.value > 0 && typed.value <= 10 ? typed.value : this.lrInUse.value;
      const next = nextRate(from, e.key === 'ArrowUp' ? 1 : -1);
      if (next === this.lrInUse.value && this.lr.value === this.lrInUse.text) return;
      this.lr.value = String(next);
      if (this.readLr()) this.endKeepingBefore();
    }

    fail(message) {
      this.message.textContent = message;
      return false;
    }

    start() {
      if (!this.ensureRun()) return;
      this.setState('running');
      const frame = () => {
        this.frame = null;
        if (this.state !== 'running') return;
        this.steps(STEPS_PER_FRAME);
        const losses = this.run?.trainer.losses;
        if (!losses || losses.length >= MAX_STEPS || losses[losses.length - 1] < DONE_LOSS) return this.pause();
        this.frame = requestAnimationFrame(frame);
      };
      this.frame = requestAnimationFrame(frame);
    }

    /* n steps, then one edit of the session with the new parameters. A
     * run that diverges shows the last parameters whose loss was finite,
     * and ends. */
    steps(n) {
      const s = this.session, trainer = this.run.trainer;
      for (let i = 0; i < n && !trainer.diverged; i++) trainer.step();
      this.applying = true;
      const result = s.apply({ type: 'inputs', values: trainer.params, group: this.run.group });
      this.applying = false;
      if (!result.ok) { this.pause(); this.fail(this.t.message(result.error)); }
      this.showRun();
      if (trainer.diverged) { this.fail(this.t('tr.nan')); this.endKeepingBefore(); }
    }

    pause() {
      if (this.frame) cancelAnimationFrame(this.frame);
      this.frame = null;
      this.setState(this.run ? 'paused' : 'idle');
    }

    /* The run is over: a new Train starts a new one (a new history entry). */
    stop() {
      this.pause();
      if (this.run) this.lastBefore = this.run.before; /* (Reset still goes back to it) */
      this.run = null;
      this.setState('idle');
    }

    /* The case from before the run, exactly, as a new history entry. */
    reset() {
      const before = this.run?.before || this.lastBefore;
      this.stop();
      if (!before) return;
      this.lastBefore = this.carried = null;
      this.session.apply({ type: 'case', case: before });
      this.resetButton.disabled = true;
      this.curve.setAttribute('points', '');
      this.lossText.textContent = '';
      this.lesson.textContent = '';
      delete this.element.dataset.loss;
      this.element.dataset.steps = '0';
    }

    setState(state) {
      this.state = state;
      this.element.dataset.state = state;
      this.trainButton.textContent = this.t(state === 'running' ? 'tr.pause' : this.run ? 'tr.goOn' : 'tr.train');
    }

    /* ---- what it shows ---- */

    showRun() {
      const run = this.run;
      if (!run || !run.trainer.losses.length) return;
      const losses = run.trainer.losses, last = losses[losses.length - 1];
      this.element.dataset.steps = String(losses.length);
      this.element.dataset.loss = Format.dataText(last);
      const top = Math.max(...losses, 1e-12); /* (every loss of a run is finite) */
      const step = CURVE.width / Math.max(1, losses.length - 1);
      this.curve.setAttribute('points', losses.map((l, i) => `${(i * step).toFixed(1)},${(CURVE.height - 2 - (l / top) * (CURVE.height - 4)).toFixed(1)}`).join(' '));
      const n = losses.length, from = Format.cellText(losses[0]), to = Format.cellText(last);
      this.lossText.textContent = this.t('tr.losses', { n, s: n > 1 ? 's' : '', from, to });
      this.picture.setAttribute('aria-label', this.t('tr.lossOver', { n, from, to }));
      this.lesson.textContent = this.lessonText();
    }

    /* What changed and why, with the numbers. */
    lessonText() {
      const s = this.session, run = this.run, lab = s.labels(), H = s.config.num_heads, t = this.t;
      const { start, trainer } = run;
      const n = trainer.losses.length;
      /* the parameter that moved most */
      let moved = null;
      for (const name of trainer.names)
        trainer.params[name].forEach((x, i) => {
          const d = x - start.params[name][i];
          if (!moved || Math.abs(d) > Math.abs(moved.d)) moved = { name, i, d, from: start.params[name][i], to: x };
        });
      const param = moved ? t('tr.moved', { cell: Sensitivity.cellName(moved.name, moved.i, s.inputShapes[moved.name], lab), from: Format.cellText(moved.from), to: Format.cellText(moved.to) }) : '';
      const how = t('tr.how', { n, optimizer: trainer.optimizer.kind === 'adam' ? 'Adam' : 'SGD', s: n > 1 ? 's' : '', lr: trainer.optimizer.lr });
      if (trainer.target.kind === 'output') {
        const [, E] = s.stages.output.shape, out = s.stages.output.data, goal = trainer.target.values;
        let worst = 0;
        for (let i = 0; i < out.length; i++) if (Math.abs(start.output[i] - goal[i]) > Math.abs(start.output[worst] - goal[worst])) worst = i;
        const cell = `output[${Format.isolate(lab.query[Math.floor(worst / E)])}][${worst % E}]`;
        return t('tr.afterOutput', { how, cell, target: Format.cellText(goal[worst]), from: Format.cellText(start.output[worst]), to: Format.cellText(out[worst]), param });
      }
      const { marks } = trainer.target, [, L, S2] = s.stages.weights.shape;
      const at = ({ head, row, col }) => (head * L + row) * S2 + col;
      const went = marks.map((m) => t('tr.went', {
        cell: `weights${H > 1 ? `[${t('x.head', { h: m.head + 1 })}]` : ''}[${Format.isolate(lab.query[m.row])}][${Format.isolate(lab.extended[m.col])}]`,
        from: Format.cellText(start.weights[at(m)]), to: Format.cellText(s.stages.weights.data[at(m)]),
      }));
      /* softmax sees differences: the first mark's score, and its lead over
       * the highest unmarked score of its row (when the row has one) */
      const m = marks[0], scores = s.stages.scores.data;
      const others = [];
      for (let col = 0; col < S2; col++)
        if (!marks.some((o) => o.head === m.head && o.row === m.row && o.col === col)) others.push(at({ ...m, col }));
      const lead = (data) => data[at(m)] - Math.max(...others.map((i) => data[i]).filter(Number.isFinite));
      const leads = [lead(start.scores), lead(scores)];
      const weightNow = s.stages.weights.data[at(m)], weightBefore = start.weights[at(m)];
      return t('tr.afterWeights', {
        how, went: went.join('; '), query: Format.isolate(lab.query[m.row]), key: Format.isolate(lab.extended[m.col]),
        from: Format.cellText(start.scores[at(m)]), to: Format.cellText(scores[at(m)]),
        lead: leads.every(Number.isFinite) ? t('tr.lead', { from: Format.cellText(leads[0]), to: Format.cellText(leads[1]) }) : '',
        share: t(weightNow > weightBefore ? 'tr.grew' : weightNow < weightBefore ? 'tr.shrank' : 'tr.same'), param,
      });
    }

    /* After a change of the session: a change not of this run ends it. */
    update(change) {
      if (change.structure) { this.marks = []; this.target = null; if (this.kind.value === 'output') this.showTarget(); }
      const ours = this.applying || (change.edit && change.edit.type === 'view') || change.edit?.type === 'start';
      if (!ours && this.run) this.stop();
      if (!ours) this.carried = null; /* (another edit: the next run starts from it) */
      if (change.structure || change.values) this.showMarks();
      if (change.structure) this.resetButton.disabled = true;
    }
  }

  root.AttnTrainer = { Trainer };
})(typeof globalThis !== 'undefined' ? globalThis : this);
