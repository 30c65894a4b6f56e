/* player.js: one operation played with its real numbers (operations.js): a
 * score (the pairs, each product, the sum, the mask), a row of weights (the
 * scores as bars, minus the largest, exp, the sum, the division), a row of
 * context (each value row scaled by its weight, then their sum) or an
 * output (the context row against a row of W_o, plus the bias). Play,
 * pause, a step back or forward, replay. With prefers-reduced-motion the
 * frames are a static sequence, the current one marked; otherwise they are
 * stacked in one place and only the current one is visible.
 *
 * Contract: the player carries data-play (the operation: scores, weights,
 * context, output), data-frame (the current frame, from 1) and data-frames;
 * its frames are [data-frame="k"] in order, each number [data-role] with
 * data-value (full float32).
 *
 *   const player = new Player(session, { id });
 *   player.element; player.load(stage, head, row, col) -> whether it plays that stage;
 *   player.play(); player.update(change)
 *
 * A classic script: the global AttnPlayer.
 * needs: AttnFormat, AttnText, AttnOperations, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Operations = root.AttnOperations, Text = root.AttnText, { el, reducedMotion } = root.AttnDom;
  const FRAME_MS = 1100;


  class Player {
    constructor(session, { id }) {
      this.session = session;
      this.id = id;
      this.loaded = null;  /* { stage, head, row, col, operation, at } */
      this.frames = [];
      this.frame = 0;      /* 0-based here; data-frame counts from 1 */
      this.timer = null;
      const t = this.t = Text.of(session);
      const button = (text, label, action) => {
        const b = el('button', { type: 'button', text, 'aria-label': label });
        b.addEventListener('click', action);
        return b;
      };
      /* both words in the button, one seen: it is as wide playing as paused, so the buttons do not wrap anew */
      this.playButton = button('', t('p.playL'), () => (this.timer ? this.pause() : this.play()));
      this.playButton.className = 'player-play';
      this.playButton.append(el('span', { text: t('p.play') }), el('span', { text: t('p.pause') }));
      this.back = button('◀', t('p.back'), () => this.step(-1));
      this.forward = button('▶|', t('p.forward'), () => this.step(1));
      this.replay = button('⟲', t('p.replay'), () => { this.go(0); this.play(); });
      this.counter = el('span', { className: 'player-counter', 'aria-live': 'polite' });
      this.title = el('p', { className: 'player-title' });
      this.view = el('ol', { className: 'player-frames' });
      this.element = el('figure', { className: 'card card-player', 'data-card': 'player', 'data-play': '' }, [
        el('figcaption', {}, [el('span', { className: 'card-title', text: t('p.title') })]),
        this.title,
        el('p', { className: 'player-buttons' }, [this.back, this.playButton, this.forward, this.replay, this.counter]),
        this.view,
      ]);
      this.unload();
    }

    /* The operation of a computed cell: true when there is one to play. */
    load(stage, head, row, col) {
      const found = Operations.operationAt(this.session, stage, head, row, col);
      if (!found) return false;
      this.pause();
      this.loaded = { stage, head, row, col, ...found };
      this.frames = Operations.frames(this.session, found.operation, found.at);
      this.frame = 0;
      this.render();
      return true;
    }

    unload() {
      this.pause();
      this.loaded = null;
      this.frames = [];
      this.element.dataset.play = '';
      delete this.element.dataset.frame;
      delete this.element.dataset.frames;
      this.title.textContent = this.t('p.pick');
      this.view.replaceChildren();
      this.counter.textContent = '';
      for (const b of [this.back, this.playButton, this.forward, this.replay]) b.disabled = true;
    }

    play() {
      if (!this.loaded) return;
      if (this.frame >= this.frames.length - 1) this.go(0);
      this.pause();
      if (reducedMotion()) return; /* the frames are all shown: no motion */
      this.timer = setInterval(() => (this.frame < this.frames.length - 1 ? this.go(this.frame + 1) : this.pause()), FRAME_MS);
      this.playButton.toggleAttribute('data-playing', true);
      this.playButton.setAttribute('aria-label', this.t('p.pauseL'));
    }

    pause() {
      clearInterval(this.timer);
      this.timer = null;
      this.playButton.toggleAttribute('data-playing', false);
      this.playButton.setAttribute('aria-label', this.t('p.playL'));
    }

    step(delta) {
      this.pause();
      this.go(Math.max(0, Math.min(this.frames.length - 1, this.frame + delta)));
    }

    go(frame) {
      this.frame = frame;
      this.render();
    }

    /* After a change of the session: the same cell's numbers again, or
     * nothing when it is gone. */
    update(change) {
      if (!this.loaded || !(change.values || change.structure)) return;
      const { stage, head, row, col } = this.loaded;
      const shape = this.session.stages[stage]?.shape;
      const fits = shape && (shape.length === 3 ? head < shape[0] && row < shape[1] && col < shape[2] : row < shape[0] && col < shape[1]);
      if (!fits) return this.unload();
      const frame = this.frame, playing = Boolean(this.timer);
      this.load(stage, head, row, col);
      this.go(Math.min(frame, this.frames.length - 1));
      if (playing) this.play();
    }

    render() {
      const { operation, stage, row, col, head } = this.loaded;
      const n = this.frames.length;
      Object.assign(this.element.dataset, { play: operation, frame: this.frame + 1, frames: n });
      this.title.textContent = `${stage}${head !== null && head !== undefined ? `[${this.t('x.head', { h: head + 1 })}]` : ''}[${row}]${operation === 'weights' || operation === 'context' ? '' : `[${col}]`}: ${this.t(operation === 'weights' ? 'p.softmax' : operation === 'context' ? 'p.row' : 'p.number')}`;
      this.counter.textContent = this.t('p.frame', { k: this.frame + 1, n });
      for (const b of [this.back, this.playButton, this.forward, this.replay]) b.disabled = false;
      this.back.disabled = this.frame === 0;
      this.forward.disabled = this.frame === n - 1;
      /* Every frame is drawn. Still: one after another, the current one marked.
         Moving: stacked in one place, only the current one visible and its new
         numbers flying in, so the box is as tall as its tallest frame and
         nothing around it moves while it plays. */
      const moving = !reducedMotion();
      this.view.classList.toggle('is-static', !moving);
      this.view.classList.toggle('is-moving', moving);
      this.view.replaceChildren(...this.frames.map((frame, k) => this.frameElement(frame, k, moving)));
    }

    frameElement(frame, k, moving) {
      const current = k === this.frame, waiting = moving && !current;
      /* a number is new when the frame before had none of its role and label */
      const before = moving && current && k > 0 ? new Set(this.frames[k - 1].items.map((item) => `${item.role} ${item.label}`)) : null;
      const bars = this.loaded.operation === 'weights';
      const max = Math.max(1e-9, ...frame.items.map((item) => (Number.isFinite(item.value) ? Math.abs(item.value) : 0)));
      const items = frame.items.map((item) => {
        const bar = bars && Number.isFinite(item.value) ? el('span', { className: 'player-bar' }) : null;
        if (bar) bar.style.setProperty('--size', String(Math.abs(item.value) / max));
        const fresh = before && !before.has(`${item.role} ${item.label}`);
        return el('li', { className: `player-item is-${item.role}${fresh ? ' is-new' : ''}`, 'data-role': item.role, 'data-value': Format.dataText(item.value) }, [
          el('span', { className: 'player-label', text: item.label }), bar, el('span', { className: 'player-number', text: Format.cellText(item.value) }),
        ]);
      });
      return el('li', { className: `player-frame${waiting ? ' is-waiting' : ''}`, 'data-frame': k + 1, 'aria-current': current ? 'step' : null, 'aria-hidden': waiting ? 'true' : null }, [
        el('p', { className: 'player-caption', text: frame.caption }), el('ol', { className: 'player-items' }, items),
      ]);
    }
  }

  root.AttnPlayer = { Player };
})(typeof globalThis !== 'undefined' ? globalThis : this);
