/* share.js: the "Export / import" panel of the controls: a stage as PNG, SVG,
 * LaTeX or Markdown, every stage as JSON, "Copy as PyTorch", the link; and a
 * pasted PyTorch state_dict read in, with its problems listed key by key.
 * The panel opens next to its button, inside the viewport and the view, and
 * closes on Escape, on a click outside, or from its button.
 *
 * A classic script: the global AttnShare.
 * needs: AttnCatalogue, AttnExport, AttnImport, AttnLink, AttnDom */
(function (root) {
  'use strict';

  const Catalogue = root.AttnCatalogue, Export = root.AttnExport, Import = root.AttnImport, Link = root.AttnLink;
  const { el, place } = root.AttnDom;

  class Share {
    constructor(session, { id, root: viewRoot }) {
      this.session = session;
      this.viewRoot = viewRoot;
      this.toggle = el('button', { type: 'button', className: 'share-toggle', text: 'Export / import', 'aria-expanded': 'false', 'aria-controls': `${id}-share` });
      this.toggle.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
      this.panel = this.build(id);
      this.element = el('span', { className: 'share' }, [this.toggle]);
      viewRoot.getRootNode().addEventListener('pointerdown', (e) => {
        const path = e.composedPath();
        if (this.isOpen && !path.includes(this.panel) && !path.includes(this.toggle)) this.close(false);
      });
      const follow = () => { if (this.isOpen) this.place(); };
      addEventListener('resize', follow);
      addEventListener('scroll', follow, { capture: true, passive: true });
    }

    build(id) {
      const button = (text, action, title) => {
        const b = el('button', { type: 'button', text, title });
        b.addEventListener('click', () => action());
        return b;
      };
      this.stage = el('select', { name: 'export-stage', id: `${id}-export-stage` });
      this.output = el('textarea', { className: 'share-output', readonly: true, rows: 8, spellcheck: 'false', 'aria-label': 'the exported text', hidden: true });
      this.status = el('p', { className: 'share-status', role: 'status' });
      this.paste = el('textarea', {
        className: 'share-paste', rows: 5, spellcheck: 'false', id: `${id}-paste`,
        placeholder: 'Paste {k: v.tolist() for k, v in mha.state_dict().items()} as JSON, with query (and num_heads, tokens) if you like',
      });
      this.errors = el('ul', { className: 'share-errors', role: 'alert' });
      const panel = el('div', { className: 'share-panel', id: `${id}-share`, role: 'dialog', 'aria-label': 'Export and import', hidden: true }, [
        el('p', { className: 'share-row' }, [
          el('label', { for: this.stage.id, text: 'Stage' }), this.stage,
          button('PNG', () => this.download('png'), 'the stage as a PNG image'),
          button('SVG', () => this.download('svg'), 'the stage as an SVG image'),
          button('LaTeX', () => this.show(this.text('latex'), 'LaTeX: paste it inside \\[ … \\] (needs amsmath)'), 'the stage as a LaTeX matrix'),
          button('Markdown', () => this.show(this.text('markdown'), 'Markdown table'), 'the stage as a Markdown table'),
        ]),
        el('p', { className: 'share-row' }, [
          button('Copy as PyTorch', () => this.show(Export.pytorchSnippet(this.session.getState().case), 'Python: builds this nn.MultiheadAttention, runs it and prints every stage', true), 'a Python snippet that runs the same module'),
          button('JSON of every stage', () => this.download('json'), 'the case and every stage as JSON'),
          button('Copy link', () => this.show(this.link(), 'the link to this exact view', true), 'a link that restores this view'),
        ]),
        this.status, this.output,
        el('p', { className: 'share-row share-import-title' }, [el('label', { for: this.paste.id, text: 'Import a PyTorch module’s numbers' })]),
        this.paste,
        el('p', { className: 'share-row' }, [button('Import', () => this.import(), 'show the pasted state_dict'), button('Close', () => this.close(), 'close this panel')]),
        this.errors,
      ]);
      return panel;
    }

    get isOpen() { return !this.panel.hidden; }

    open() {
      this.fillStages();
      this.panel.hidden = false;
      this.toggle.setAttribute('aria-expanded', 'true');
      this.place();
      this.stage.focus({ preventScroll: true });
    }

    /* returnFocus: false when a click elsewhere closed it (focus goes there) */
    close(returnFocus = true) {
      if (!this.isOpen) return false;
      this.panel.hidden = true;
      this.toggle.setAttribute('aria-expanded', 'false');
      if (returnFocus) this.toggle.focus({ preventScroll: true });
      return true;
    }

    place() { place(this.panel, this.toggle.getBoundingClientRect(), this.viewRoot); }

    /* Every matrix on the page, in order; the attention weights chosen unless
     * another stage was. */
    fillStages() {
      const names = Catalogue.matrixCards(this.session.sections()).map((card) => card.stage);
      const chosen = this.stage.value || 'weights';
      this.stage.replaceChildren(...names.map((name) => el('option', { value: name, text: name })));
      this.stage.value = names.includes(chosen) ? chosen : names[0];
    }

    /* The chosen stage: its card, shape (the core's), values and labels. */
    selected() {
      const s = this.session, name = this.stage.value;
      const card = Catalogue.matrixCards(s.sections()).find((c) => c.stage === name);
      const parts = Catalogue.cardData(s, card), lab = s.labels();
      const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => { data.set(p, at); return at + p.length; }, 0);
      return {
        name, card, shape: card.shape, data,
        rowLabels: card.shape.length === 1 ? undefined : Catalogue.cardLabels(card.rowLabels, lab), colLabels: Catalogue.cardLabels(card.colLabels, lab),
      };
    }

    text(format) {
      const s = this.selected();
      return Export[format](s.name, s.shape, s.data, { rowLabels: s.rowLabels, colLabels: s.colLabels });
    }

    svg() {
      const s = this.selected();
      const kind = s.card.kind === 'bool' ? 'sequential' : s.card.kind;
      return Export.heatmapSVG(s.name, s.shape, s.data, { rowLabels: s.rowLabels, colLabels: s.colLabels, kind, theme: this.viewRoot.dataset.resolvedTheme || 'light' });
    }

    link() {
      const base = typeof location === 'object' ? location.href.split('#')[0] : '';
      return base + Link.encode(this.session.getState());
    }

    /* The PNG of an SVG: drawn on a canvas at twice its size. */
    png(svgText) {
      return new Promise((resolve, reject) => {
        const image = new Image();
        const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
        image.onload = () => {
          const canvas = document.createElement('canvas');
          canvas.width = image.width * 2;
          canvas.height = image.height * 2;
          const context = canvas.getContext('2d');
          context.scale(2, 2);
          context.drawImage(image, 0, 0);
          URL.revokeObjectURL(url);
          canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be made'))), 'image/png');
        };
        image.onerror = () => reject(new Error('the SVG could not be drawn'));
        image.src = url;
      });
    }

    /* A file for a stage (png, svg) or the whole pass (json): { blob, name }. */
    async file(kind) {
      if (!this.stage.value) this.fillStages();
      if (kind === 'json') {
        const { case: c } = this.session.getState();
        return { blob: new Blob([Export.stagesJSON(c, this.session.stages)], { type: 'application/json' }), name: 'attention-stages.json' };
      }
      const svg = this.svg(), name = `attention-${this.stage.value.replace('.', '_')}`;
      if (kind === 'svg') return { blob: new Blob([svg], { type: 'image/svg+xml' }), name: `${name}.svg` };
      return { blob: await this.png(svg), name: `${name}.png` };
    }

    async download(kind) {
      try {
        const { blob, name } = await this.file(kind);
        const a = el('a', { href: URL.createObjectURL(blob), download: name });
        this.panel.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
        this.setStatus(`Saved ${name}.`);
      } catch (e) {
        this.setStatus(`Could not save: ${e.message}`);
      }
    }

    /* Text in the panel, selected for copying, and on the clipboard if allowed. */
    show(text, label, copy = false) {
      this.output.hidden = false;
      this.output.value = text;
      this.output.setAttribute('aria-label', label);
      this.output.focus();
      this.output.select();
      this.setStatus(label);
      this.place();
      if (copy && navigator.clipboard && navigator.clipboard.writeText)
        navigator.clipboard.writeText(text).then(() => this.setStatus(`${label}: copied`), () => this.setStatus(`${label}: selected, press Ctrl+C to copy`));
    }

    setStatus(text) { this.status.textContent = text; }

    /* The pasted numbers, shown if they make a case the page can show; else
     * every problem, key by key, and the page stays as it was. */
    import() {
      const result = Import.importStateDict(this.paste.value, this.session.getState().case);
      let errors = result.errors || [];
      if (!errors.length) {
        const applied = this.session.apply({ type: 'case', case: result.case });
        if (!applied.ok) errors = [{ key: applied.error.key || '', message: applied.error.message }];
      }
      this.errors.replaceChildren(...errors.map((e) => el('li', {}, [e.key ? el('code', { text: e.key }) : null, e.key ? ': ' : '', e.key && e.message.startsWith(`${e.key}: `) ? e.message.slice(e.key.length + 2) : e.message])));
      this.place();
      if (errors.length) return this.setStatus(`Nothing imported: ${errors.length} problem${errors.length > 1 ? 's' : ''}.`);
      this.fillStages();
      this.setStatus(`Imported.${result.notes && result.notes.length ? ` ${result.notes.join(' ')}` : ''}`);
    }

    /* After a change of the session: the stage list follows the cards. */
    update(change) {
      if (change.structure && this.isOpen) this.fillStages();
    }
  }

  root.AttnShare = { Share };
})(typeof globalThis !== 'undefined' ? globalThis : this);
