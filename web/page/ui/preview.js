/* preview.js: beside the embeddings, a small live copy of the attention
 * weights and the output, so that editing X shows at once what follows
 * without scrolling. It is a picture only: the numbers' own cards (and their
 * data-stage contract) are further down; clicking it goes there.
 *
 * A classic script: the global AttnPreview (needs AttnFormat, AttnMatrix). */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, { el } = root.AttnMatrix;

  class Preview {
    constructor(view) {
      this.view = view;
      this.weights = el('div', { className: 'preview-matrix' });
      this.output = el('div', { className: 'preview-matrix' });
      const go = (card) => () => view.root.querySelector(`[data-card="${card}"]`)?.scrollIntoView({ block: 'center' });
      const link = (text, card) => {
        const b = el('button', { type: 'button', className: 'preview-link', text });
        b.addEventListener('click', go(card));
        return b;
      };
      this.figure = el('figure', { className: 'card card-preview', 'data-card': 'preview', 'aria-hidden': 'true' }, [
        el('figcaption', {}, [
          el('span', { className: 'card-title', text: 'Live' }),
          el('span', { className: 'card-formula', text: 'what your edits do, at a glance' }),
        ]),
        el('div', { className: 'preview-pair' }, [
          el('div', {}, [link('attn_weights ↓', 'attn_weights'), this.weights]),
          el('div', {}, [link('output ↓', 'output'), this.output]),
        ]),
      ]);
    }

    /* A small table: labels and coloured numbers, no data attributes. */
    draw(holder, stage, kind, rowLabels, colLabels) {
      const { shape, data } = this.view.stages[stage];
      const rows = shape.length === 3 ? shape[1] : shape[0], cols = shape[shape.length - 1];
      const theme = this.view.theme(), scale = kind === 'diverging' ? Format.niceScale(Format.maxAbs(data)) : 1; /* as the page scales */
      const table = el('table', { className: 'preview-table' });
      table.append(el('tr', {}, [el('th'), ...colLabels.slice(0, cols).map((label) => el('th', { text: label }))]));
      for (let i = 0; i < rows; i++) {
        const tr = el('tr', {}, [el('th', { text: rowLabels[i] })]);
        for (let j = 0; j < cols; j++) {
          const x = data[i * cols + j];
          const td = el('td', { text: Format.cellText(x) });
          if (Number.isFinite(x)) {
            const { background, color } = Format.cellColours(x, kind, scale, theme);
            td.style.backgroundColor = background;
            td.style.color = color;
          }
          tr.append(td);
        }
        table.append(tr);
      }
      holder.replaceChildren(table);
    }

    update() {
      const lab = this.view.labels(), c = this.view.parsed.config;
      const averaged = c.average_attn_weights || c.num_heads === 1;
      this.figure.hidden = !averaged || c.tgt_len > 8 || c.embed_dim > 8; /* small cases only: bigger ones have room for nothing else */
      if (this.figure.hidden) return;
      this.draw(this.weights, 'attn_weights', 'sequential', lab.query, lab.extended);
      this.draw(this.output, 'output', 'diverging', lab.query, Array.from({ length: c.embed_dim }, (_, j) => String(j)));
    }
  }

  root.AttnPreview = { Preview };
})(typeof globalThis !== 'undefined' ? globalThis : this);
