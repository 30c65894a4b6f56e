/* walkthrough.js: "Step through": the stages one at a time, in the lecture's
 * order, each with a few plain sentences that use the numbers on screen. The
 * rest of the page dims. Next and previous from the buttons, or the keyboard:
 * → Space PageDown, ← PageUp, Escape closes.
 *
 * A classic script: the global AttnWalkthrough (needs AttnFormat, AttnExplain,
 * AttnMatrix). */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Explain = root.AttnExplain, { el } = root.AttnMatrix;
  const n = (x) => Format.cellText(x);

  /* Each step: the cards it shows, a title, and its sentences, from ctx =
   * { c, lab, stages, explain, masked }. */
  const STEPS = [
    {
      cards: ['query'], title: 'The sentence, as numbers',
      text: ({ c, lab }) => [
        `“${lab.query.join(' ')}” is ${c.tgt_len} token${c.tgt_len > 1 ? 's' : ''}. Each token is a row of E = ${c.embed_dim} numbers, its embedding.`,
        `Stacked, the rows make X, a ${c.tgt_len}×${c.embed_dim} matrix: L×E, L tokens by E features. Attention will turn it into another L×E matrix in which every row has looked at every other.`,
      ],
    },
    {
      cards: ['in_proj_weight', 'in_proj_bias', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'bias_k', 'bias_v'], title: 'Three weight matrices in one',
      text: ({ c }) => [
        `nn.MultiheadAttention keeps W_q, W_k and W_v stacked in one in_proj_weight of 3E×E = ${3 * c.embed_dim}×${c.embed_dim}, and their biases in in_proj_bias (3E = ${3 * c.embed_dim}). Each band is E×E.`,
        'The lecture drew the key’s band first. PyTorch’s order is q, k, v, and that is the order that runs here.',
        'These numbers start random (try “PyTorch init”); training would tune them. Change any of them and watch everything below follow.',
      ],
    },
    {
      cards: ['q', 'plane'], title: 'Queries: what each token looks for',
      text: ({ c, lab, explain }) => [
        `Q = X·W_qᵀ + b_q. X is ${c.tgt_len}×${c.embed_dim} and W_q is ${c.embed_dim}×${c.embed_dim}: transposed, its rows meet X’s columns, so ${c.tgt_len}×${c.embed_dim} · ${c.embed_dim}×${c.embed_dim} gives ${c.tgt_len}×${c.embed_dim}, and the bias is added to every row.`,
        `For example q[${lab.query[0]}][0] = ${explain('q', null, 0, 0).lines.join(' ')}.`,
        'Each row of Q is what that token is looking for in the others.',
      ],
    },
    {
      cards: ['k', 'v', 'plane'], title: 'Keys and values',
      text: ({ c }) => [
        'K and V are made the same way, from the same X, with W_k and W_v.',
        'A key row is what a token offers to be matched against; a value row is what it hands over when it is attended to.',
        c.add_bias_kv || c.add_zero_attn ? `With ${[c.add_bias_kv && 'add_bias_kv (one learned row)', c.add_zero_attn && 'add_zero_attn (one zero row)'].filter(Boolean).join(' and ')}, K and V get extra rows: keys every query can fall back on.` : '',
      ],
    },
    {
      cards: ['q_scaled'], title: 'Why divide by √head_dim',
      text: ({ c }) => {
        const hd = c.embed_dim / c.num_heads;
        return [
          `PyTorch divides Q by √head_dim = √${hd} = ${n(Math.sqrt(hd))} before the product. The lecture writes √E; with one head, head_dim is E.`,
          'A dot product of d numbers grows like √d. Dividing keeps the scores in a range where softmax still spreads its weight, instead of putting nearly all of it on one key.',
        ];
      },
    },
    {
      cards: ['attn_mask', 'key_padding_mask', 'scores'], title: 'Scores: every query against every key',
      text: ({ c, lab, stages, masked }) => {
        const S2 = stages.scores.shape[2], hd = c.embed_dim / c.num_heads;
        return [
          `scores = Q_scaled·Kᵀ: ${c.tgt_len}×${hd} · ${hd}×${S2} → ${c.tgt_len}×${S2}${c.num_heads > 1 ? ` for each of the ${c.num_heads} heads, each on its own ${hd} features` : ''}.`,
          `Row i, column j says how well token i’s query matches token j’s key: “${lab.query[0]}” against “${lab.extended[S2 - 1]}” scores ${n(stages.scores.data[S2 - 1])}.`,
          masked ? 'Masked pairs are −∞: softmax will give them nothing.' : '',
        ];
      },
    },
    {
      cards: ['weights', 'attn_weights'], title: 'Softmax: reading a row',
      text: ({ c, lab, stages }) => {
        const S2 = stages.weights.shape[2];
        const row = Array.from({ length: S2 }, (_, j) => stages.weights.data[j]);
        const shares = row.map((w, j) => `${n(w)} to “${lab.extended[j]}”`).join(', ');
        return [
          'Softmax turns each row of scores into weights that are positive and sum to 1: exp(s − max) / Σ exp(s − max).',
          row.some(Number.isNaN) ? `Row “${lab.query[0]}” is NaN: all its keys are masked.` : `Read a row: “${lab.query[0]}” gives ${shares}. That last number is how much “${lab.query[0]}” attends to “${lab.extended[S2 - 1]}”.`,
          c.num_heads > 1 ? `Each of the ${c.num_heads} heads has its own weights; attn_weights${c.average_attn_weights ? ', what the module returns, is their mean' : ' holds them all (average_attn_weights=False)'}.` : '',
        ];
      },
    },
    {
      cards: ['context'], title: 'Context: a weighted mix of values',
      text: ({ c, lab, stages }) => {
        const S2 = stages.weights.shape[2];
        const mix = Array.from({ length: Math.min(S2, 4) }, (_, j) => `${n(stages.weights.data[j])}·v[${lab.extended[j]}]`).join(' + ') + (S2 > 4 ? ' + …' : '');
        return [
          `context = weights·V: ${c.tgt_len}×${S2} · ${S2}×${c.embed_dim / c.num_heads} → ${c.tgt_len}×${c.embed_dim / c.num_heads} per head${c.num_heads > 1 ? ', the heads side by side' : ''}.`,
          `Each row is a mix of the value rows, in the proportions of its weights: context[${lab.query[0]}] = ${mix}.`,
        ];
      },
    },
    {
      cards: ['out_proj.weight', 'out_proj.bias', 'output'], title: 'The output',
      text: ({ c }) => [
        `output = context·W_oᵀ + b_o: ${c.tgt_len}×${c.embed_dim} · ${c.embed_dim}×${c.embed_dim} → ${c.tgt_len}×${c.embed_dim}, the same shape as X.`,
        'Every token’s row now carries what it gathered from the tokens it attended to. This is what the layer passes on to the next one.',
      ],
    },
  ];

  class Walkthrough {
    constructor(view) {
      this.view = view;
      this.step = null;
      this.counter = el('p', { className: 'walk-counter' });
      this.title = el('h2', { className: 'walk-title', id: `${view.id}-walk-title` });
      this.body = el('div', { className: 'walk-body' });
      const button = (text, label, action) => {
        const b = el('button', { type: 'button', text, 'aria-label': label });
        b.addEventListener('click', action);
        return b;
      };
      this.previous = button('← Previous', 'previous step', () => this.go(this.step - 1));
      this.next = button('Next →', 'next step', () => this.go(this.step + 1));
      this.panel = el('section', { className: 'walk', role: 'region', 'aria-labelledby': this.title.id, 'aria-live': 'polite', hidden: true }, [
        this.counter, this.title, this.body,
        el('p', { className: 'walk-buttons' }, [this.previous, this.next, button('Close', 'close the walk-through', () => this.stop())]),
      ]);
      view.root.append(this.panel);
      view.root.addEventListener('keydown', (e) => this.key(e));
    }

    get active() { return this.step !== null; }

    key(e) {
      if (!this.active || e.target.closest('input, select, textarea') || e.altKey || e.ctrlKey || e.metaKey) return;
      const moves = { ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1 };
      if (e.key === 'Escape') this.stop();
      else if (moves[e.key]) this.go(this.step + moves[e.key]);
      else return;
      e.preventDefault();
    }

    start(step = 0) {
      this.go(step);
      this.next.focus({ preventScroll: true });
    }

    stop() {
      this.step = null;
      this.panel.hidden = true;
      this.view.root.classList.remove('is-walking');
      for (const card of this.view.root.querySelectorAll('.is-current')) card.classList.remove('is-current');
      this.view.view.step = undefined;
      this.view.notify();
      this.view.inputs.walk?.focus({ preventScroll: true });
    }

    go(step) {
      this.step = Math.max(0, Math.min(STEPS.length - 1, step));
      this.view.view.step = this.step;
      this.panel.hidden = false;
      this.view.root.classList.add('is-walking');
      this.render({ scroll: true });
      this.view.notify();
    }

    /* The step's text again with the numbers of the moment, and the dimming. */
    render({ scroll = false } = {}) {
      if (!this.active) return;
      const step = STEPS[this.step], v = this.view, lab = v.labels();
      const ctx = {
        c: v.parsed.config, lab, stages: v.stages,
        masked: Boolean(v.case.attn_mask || v.case.key_padding_mask),
        explain: (...at) => Explain.explain({ parsed: v.parsed, stages: v.stages, labels: lab }, ...at),
      };
      this.counter.textContent = `Step ${this.step + 1} of ${STEPS.length}`;
      this.title.textContent = step.title;
      this.body.replaceChildren(...step.text(ctx).filter(Boolean).map((line) => el('p', { text: line })));
      this.previous.disabled = this.step === 0;
      this.next.disabled = this.step === STEPS.length - 1;
      let first = null;
      for (const card of v.root.querySelectorAll('.card')) {
        const current = step.cards.includes(card.dataset.card);
        card.classList.toggle('is-current', current);
        if (current && !first) first = card;
      }
      for (const section of v.root.querySelectorAll('.step')) section.classList.toggle('is-current', Boolean(section.querySelector('.card.is-current')));
      if (scroll && first && first.scrollIntoView) {
        const still = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
        first.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
      }
    }
  }

  root.AttnWalkthrough = { Walkthrough, STEPS };
})(typeof globalThis !== 'undefined' ? globalThis : this);
