/* share.js: the "Export / import" panel of the controls: a stage as PNG, SVG,
 * LaTeX or Markdown, every stage as JSON, "Copy as PyTorch", the link; and a
 * pasted PyTorch state_dict read in, or a model file opened (.safetensors,
 * .npz; a .json file is read as a paste), from its file input or dropped
 * onto the view; what a model file does not say (num_heads) is asked for in
 * the panel first. Problems are listed key by key and nothing changes.
 * The panel opens next to its button, inside the viewport and the view, and
 * closes on Escape, on a click outside, or from its button.
 *
 * A classic script: the global AttnShare.
 * needs: AttnText, AttnCase, AttnCases, AttnCatalogue, AttnExport, AttnImport, AttnModelFile, AttnPoster, AttnLink, AttnDom */
(function (root) {
  'use strict';

  const Catalogue = root.AttnCatalogue, Export = root.AttnExport, Import = root.AttnImport, Link = root.AttnLink;
  const Case = root.AttnCase, Cases = root.AttnCases, ModelFile = root.AttnModelFile, Poster = root.AttnPoster;
  const { el, place } = root.AttnDom;

  class Share {
    constructor(session, { id, root: viewRoot }) {
      this.session = session;
      this.viewRoot = viewRoot;
      this.toggle = el('button', { type: 'button', className: 'share-toggle', text: root.AttnText.of(session)('w.share'), 'aria-expanded': 'false', 'aria-controls': `${id}-share` });
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
      /* a file dropped anywhere on the view opens as if chosen in the panel */
      const hasFiles = (e) => Boolean(e.dataTransfer) && [...e.dataTransfer.types].includes('Files');
      viewRoot.addEventListener('dragover', (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      });
      viewRoot.addEventListener('drop', (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer.files.length) this.openFile(e.dataTransfer.files[0]);
      });
      this.reads = 0; /* the latest file read wins */
      this.pending = null; /* a model file waiting for its missing options: { bytes, name, missing } */
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
      this.fileInput = el('input', { type: 'file', id: `${id}-model-file`, name: 'model-file', accept: '.safetensors,.npz,.json' });
      this.fileInput.addEventListener('change', () => {
        const file = this.fileInput.files[0];
        this.fileInput.value = ''; /* the same file chosen again is read again */
        if (file) this.openFile(file);
      });
      this.ask = el('form', { className: 'share-ask', hidden: true, novalidate: true, 'aria-label': 'what the model file does not say' });
      this.ask.addEventListener('submit', (e) => { e.preventDefault(); this.answer(); });
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
        el('p', { className: 'share-row' }, [
          el('label', { for: this.fileInput.id, text: 'Open a model file (.safetensors, .npz), or drop it onto the page:' }), this.fileInput,
        ]),
        this.ask,
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
      return Poster.stageMatrix(this.session, this.stage.value);
    }

    text(format) {
      const s = this.selected();
      return Export[format](s.name, s.shape, s.data, { rowLabels: s.rowLabels, colLabels: s.colLabels });
    }

    svg() {
      return Poster.stageSVG(this.session, this.stage.value, { theme: this.viewRoot.dataset.resolvedTheme || 'light' });
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
    import(text = this.paste.value, done = 'Imported.') {
      this.showImport(Import.importStateDict(text, this.session.getState().case), done);
    }

    /* An import's result: { case, notes } applied, or { errors } listed (and
     * then nothing changes). */
    showImport(result, done) {
      let errors = result.errors || [];
      if (!errors.length) {
        const applied = this.session.apply({ type: 'case', case: result.case, owned: true }); /* (made for this import alone) */
        if (!applied.ok) errors = [{ key: applied.error.key || '', message: applied.error.message }];
      }
      this.listErrors(errors);
      if (errors.length) return this.setStatus(`Nothing imported: ${errors.length} problem${errors.length > 1 ? 's' : ''}.`);
      this.fillStages();
      this.setStatus(result.notes && result.notes.length ? `${done.replace(/\.$/, '')}: ${result.notes.join('; ')}.` : done);
    }

    listErrors(errors) {
      this.errors.replaceChildren(...errors.map((e) => el('li', {}, [e.key ? el('code', { text: e.key }) : null, e.key ? ': ' : '', e.key && e.message.startsWith(`${e.key}: `) ? e.message.slice(e.key.length + 2) : e.message])));
      this.place();
    }

    /* A file chosen or dropped: a model file, or a .json one read as a paste. */
    async openFile(file) {
      const read = ++this.reads;
      if (!this.isOpen) this.open();
      this.showAsk(null);
      this.listErrors([]);
      this.setStatus(`Reading ${file.name}…`);
      let bytes;
      try {
        bytes = await file.arrayBuffer();
      } catch (e) {
        if (read !== this.reads) return;
        this.listErrors([{ key: '', message: `${file.name}: could not be read (${e.message})` }]);
        return this.setStatus('Nothing imported.');
      }
      if (read !== this.reads) return;
      if (/\.json$/i.test(file.name)) return this.import(new TextDecoder().decode(bytes), `Opened ${file.name}.`);
      this.pending = { bytes, name: file.name, missing: [] };
      return this.openModelFile({}, read);
    }

    /* The pending model file with the options given so far: shown, or its
     * problems listed, or what it lacks asked for. */
    async openModelFile(options, read) {
      const { bytes, name } = this.pending;
      const result = await ModelFile.readModelFile(bytes, name, { options, base: this.session.getState().case });
      if (read !== this.reads) return;
      if (result.missing) {
        this.pending.missing = result.missing;
        this.showAsk(result.missing);
        return this.setStatus(`${name} does not say ${result.missing.map((m) => m.key).join(' or ')}: give ${result.missing.length > 1 ? 'them' : 'it'} to open the file.`);
      }
      const asked = this.pending.missing.map((m) => m.key);
      const errors = result.errors || [];
      if (!errors.some((e) => asked.includes(e.key))) { /* else the answer was wrong: ask again */
        this.pending = null;
        this.showAsk(null);
      }
      if (result.case) {
        /* the page's limits first: a big case as nested arrays takes seconds to make */
        try {
          Cases.check(result.case);
        } catch (e) {
          if (!(e instanceof Case.CaseError)) throw e;
          return this.showImport({ errors: [{ key: e.key, message: e.message }] });
        }
        return this.showImport({ case: ModelFile.nestedCase(result.case), notes: result.notes }, `Opened ${name}.`);
      }
      return this.showImport(result);
    }

    /* The form for what a model file lacks (missing: [{ key, message,
     * embed_dim }]), or none (null). */
    showAsk(missing) {
      this.ask.hidden = !missing;
      if (!missing) return this.ask.replaceChildren();
      const fields = missing.map((m) => {
        const input = el('input', { type: 'number', min: 1, step: 1, name: m.key, id: `${this.fileInput.id}-${m.key}`, required: true, className: 'share-ask-value' });
        return el('p', { className: 'share-row' }, [
          el('label', { for: input.id, text: m.key }), input,
          m.embed_dim ? el('span', { text: `(divides embed_dim ${m.embed_dim})` }) : null,
        ]);
      });
      const cancel = el('button', { type: 'button', text: 'Cancel' });
      cancel.addEventListener('click', () => { this.pending = null; this.showAsk(null); this.setStatus('Nothing imported.'); });
      this.ask.replaceChildren(...fields, el('p', { className: 'share-row' }, [el('button', { type: 'submit', text: 'Open' }), cancel]));
      this.place();
      this.ask.querySelector('input').focus();
    }

    /* The form answered: the file opened again with the options given. */
    answer() {
      if (!this.pending) return;
      const options = {};
      for (const m of this.pending.missing) {
        const text = this.ask.elements[m.key].value.trim();
        if (!/^\d+$/.test(text) || Number(text) < 1)
          return this.listErrors([{ key: m.key, message: `${m.key}: expected a positive whole number, got ${Case.describe(text)}` }]);
        options[m.key] = Number(text);
      }
      this.listErrors([]);
      return this.openModelFile(options, ++this.reads);
    }

    /* After a change of the session: the stage list follows the cards. */
    update(change) {
      if (change.structure && this.isOpen) this.fillStages();
    }
  }

  root.AttnShare = { Share };
})(typeof globalThis !== 'undefined' ? globalThis : this);
