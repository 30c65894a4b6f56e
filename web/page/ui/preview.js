/* preview.js: beside the embeddings, a small live copy of the attention
 * weights and the output, so that editing X shows at once what follows
 * without scrolling. A picture only: the numbers' own cards (and their
 * data-stage contract) are further down; its buttons go there.
 *
 * A classic script: the global AttnPreview.
 * needs: AttnText, AttnFormat, AttnDom */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Text = root.AttnText, { el, label, setHidden } = root.AttnDom;

  class Preview {
    constructor(session, viewRoot) {
      this.session = session;
      const t = Text.of(session);
      this.weights = el('div', { className: 'preview-matrix', 'aria-hidden': 'true' });
      this.output = el('div', { className: 'preview-matrix', 'aria-hidden': 'true' });
      const link = (text, card) => {
        const b = el('button', { type: 'button', className: 'preview-link', text, title: t('v.go', { card }) });
        b.addEventListener('click', () => {
          const target = viewRoot.querySelector(`[data-card="${card}"]`);
          target?.scrollIntoView({ block: 'center' });
          target?.querySelector('[tabindex="0"]')?.focus({ preventScroll: true });
        });
        return b;
      };
      this.figure = el('figure', { className: 'card card-preview', 'data-card': 'preview' }, [
        el('figcaption', {}, [
          el('span', { className: 'card-title', text: t('v.title') }),
          el('span', { className: 'card-formula', text: t('v.formula') }),
        ]),
        el('div', { className: 'preview-pair' }, [
          el('div', {}, [link('attn_weights ↓', 'attn_weights'), this.weights]),
          el('div', {}, [link('output ↓', 'output'), this.output]),
        ]),
      ]);
    }

    /* A small table: labels and coloured numbers, no data attributes. */
    draw(holder, stage, kind, rowLabels, colLabels) {
      const { shape, data } = this.session.stages[stage];
      const rows = shape.length === 3 ? shape[1] : shape[0], cols = shape[shape.length - 1];
      const scale = kind === 'diverging' ? Format.niceScale(Format.maxAbs(data)) : 1; /* as the page scales */
      const table = el('table', { className: 'preview-table' });
      table.append(el('tr', {}, [el('td'), ...colLabels.slice(0, cols).map((text) => el('th', {}, [label(text, 6)]))]));
      for (let i = 0; i < rows; i++) {
        const tr = el('tr', {}, [el('th', {}, [label(rowLabels[i], 6)])]);
        for (let j = 0; j < cols; j++) {
          const x = data[i * cols + j];
          tr.append(el('td', { text: Format.cellText(x), className: Number.isFinite(x) ? Format.colourClass(kind, Format.colourIndex(x, kind, scale)) : 'is-nan' }));
        }
        table.append(tr);
      }
      holder.replaceChildren(table);
    }

    update() {
      const s = this.session, lab = s.labels(), c = s.config;
      const averaged = c.average_attn_weights || c.num_heads === 1;
      setHidden(this.figure, !averaged || c.tgt_len > 8 || c.embed_dim > 8); /* small cases only: bigger ones have room for nothing else */
      if (this.figure.hidden) return;
      this.draw(this.weights, 'attn_weights', 'sequential', lab.query, lab.extended);
      this.draw(this.output, 'output', 'diverging', lab.query, Array.from({ length: c.embed_dim }, (_, j) => String(j)));
    }
  }

  root.AttnPreview = { Preview };
})(typeof globalThis !== 'undefined' ? globalThis : this);
