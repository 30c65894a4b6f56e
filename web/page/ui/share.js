/* share.js: the "Export / import" panel of the controls: a stage as PNG, SVG,
 * LaTeX or Markdown, every stage as JSON, "Copy as PyTorch", the link; and a
 * pasted PyTorch state_dict read in, or a model file opened (.safetensors,
 * .npz; a .json file is read as a paste), from its file input or dropped
 * onto the view; what a model file does not say (num_heads; which of its
 * attention modules, when it holds several) is asked for in
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
  const { el, place, markInvalid } = root.AttnDom;
  /* A message's CLI flag (--random-query) as code, on one line: a narrow
   * card broke it after its "--". */
  const withFlags = (text) => text.split(/(--[a-z][a-z-]*)/).map((part, i) => (i % 2 ? el('code', { className: 'flag', text: part }) : part));

  class Share {
    constructor(session, { id, root: viewRoot }) {
      this.session = session;
      this.viewRoot = viewRoot;
      this.t = root.AttnText.of(session);
      this.toggle = el('button', { type: 'button', className: 'share-toggle', text: this.t('w.share'), 'aria-expanded': 'false', 'aria-controls': `${id}-share` });
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
      const t = this.t;
      const button = (text, action, title) => {
        const b = el('button', { type: 'button', text, title });
        b.addEventListener('click', () => action());
        return b;
      };
      this.stage = el('select', { name: 'export-stage', id: `${id}-export-stage` });
      this.output = el('textarea', { className: 'share-output', readonly: true, rows: 8, spellcheck: 'false', 'aria-label': t('sh.output'), hidden: true });
      /* what an export did, under its buttons; what an import did, beside its problems */
      this.exportStatus = el('p', { className: 'share-export-status', role: 'status' });
      this.status = el('p', { className: 'share-status', role: 'status' });
      this.paste = el('textarea', {
        className: 'share-paste', rows: 5, spellcheck: 'false', id: `${id}-paste`,
        placeholder: t('sh.paste'),
      });
      this.errors = el('ul', { className: 'share-errors', 'aria-live': 'assertive' }); /* (not role=alert: a list stays a list, its items listitems) */
      this.fileInput = el('input', { type: 'file', id: `${id}-model-file`, name: 'model-file', accept: '.safetensors,.npz,.json' });
      this.fileInput.addEventListener('change', () => {
        const file = this.fileInput.files[0];
        this.fileInput.value = ''; /* the same file chosen again is read again */
        if (file) this.openFile(file);
      });
      this.ask = el('form', { className: 'share-ask', hidden: true, novalidate: true, 'aria-label': t('sh.ask') });
      this.ask.addEventListener('submit', (e) => { e.preventDefault(); this.answer(); });
      const panel = el('div', { className: 'share-panel', id: `${id}-share`, role: 'dialog', 'aria-label': t('sh.panel'), hidden: true }, [
        el('p', { className: 'share-row' }, [
          el('label', { for: this.stage.id, text: t('sh.stage') }), this.stage,
          button('PNG', () => this.download('png'), t('sh.pngT')),
          button('SVG', () => this.download('svg'), t('sh.svgT')),
          button('LaTeX', () => this.show(this.text('latex'), t('sh.latex')), t('sh.latexT')),
          button('Markdown', () => this.show(this.text('markdown'), t('sh.md')), t('sh.mdT')),
        ]),
        el('p', { className: 'share-row' }, [
          button(t('sh.pt'), () => this.show(Export.pytorchSnippet(this.session.getState().case), t('sh.ptL'), true), t('sh.ptT')),
          button(t('sh.json'), () => this.download('json'), t('sh.jsonT')),
          button(t('sh.link'), () => this.show(this.link(), t('sh.linkL'), true), t('sh.linkT')),
        ]),
        this.exportStatus, this.output,
        el('p', { className: 'share-row share-import-title' }, [el('label', { for: this.paste.id, text: t('sh.importTitle') })]),
        el('p', { className: 'share-row' }, [
          el('label', { for: this.fileInput.id, text: t('sh.file') }), this.fileInput,
        ]),
        this.ask,
        this.paste,
        el('p', { className: 'share-row' }, [button(t('sh.import'), () => this.import(), t('sh.importT')), button(t('sh.close'), () => this.close(), t('sh.closeT'))]),
        this.status, this.errors,
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
      return Export[format](s.name, s.shape, s.data, { rowLabels: s.rowLabels, colLabels: s.colLabels, lang: this.session.lang });
    }

    svg() {
      return Poster.stageSVG(this.session, this.stage.value, { theme: this.viewRoot.dataset.resolvedTheme || 'light', lang: this.session.lang });
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
          canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(this.t('sh.noPng')))), 'image/png');
        };
        image.onerror = () => reject(new Error(this.t('sh.noSvg')));
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
        this.exportStatus.textContent = this.t('sh.saved', { name });
      } catch (e) {
        this.exportStatus.textContent = this.t('sh.notSaved', { error: e.message });
      }
    }

    /* Text in the panel, selected for copying, and on the clipboard if allowed. */
    show(text, label, copy = false) {
      this.output.hidden = false;
      this.output.value = text;
      this.output.setAttribute('aria-label', label);
      this.output.focus();
      this.output.select();
      this.exportStatus.textContent = label;
      this.place();
      if (copy && navigator.clipboard && navigator.clipboard.writeText)
        navigator.clipboard.writeText(text).then(() => { this.exportStatus.textContent = this.t('sh.copied', { label }); }, () => { this.exportStatus.textContent = this.t('sh.select', { label }); });
    }

    /* what an import (a paste or a file) did, or asks */
    setStatus(text) { this.status.textContent = text; }

    /* The pasted numbers, shown if they make a case the page can show; else
     * every problem, key by key, and the page stays as it was. */
    import(text = this.paste.value, done = this.t('sh.imported')) {
      this.showImport(Import.importStateDict(text, this.session.getState().case), done);
    }

    /* An import's result: { case, notes } applied, or { errors } listed (and
     * then nothing changes). notes: keyed ({ message, id, values }: import.js's,
     * a model file's keyedNotes), written in the page's language. */
    showImport(result, done) {
      let errors = result.errors || [];
      if (!errors.length) {
        const applied = this.session.apply({ type: 'case', case: result.case, owned: true }); /* (made for this import alone) */
        if (!applied.ok) errors = [applied.error];
      }
      this.listErrors(errors);
      if (errors.length) return this.setStatus(this.t('sh.problems', { n: errors.length, s: errors.length > 1 ? 's' : '' }));
      this.fillStages();
      this.setStatus(result.notes && result.notes.length ? this.t('sh.notes', { done: done.replace(/\.$/, ''), notes: result.notes.map((n) => this.t.message(n)).join('; ') }) : done);
    }

    /* errors: [{ key, message }], keyed ones (case.js, import.js, modelfile.js: id, values) in the page's language */
    listErrors(errors) {
      this.errors.replaceChildren(...errors.map((e) => {
        const message = this.t.message(e);
        return el('li', {}, [e.key ? el('code', { text: e.key }) : null, e.key ? ': ' : '', e.key && message.startsWith(`${e.key}: `) ? message.slice(e.key.length + 2) : message]);
      }));
      this.place();
    }

    /* A file chosen or dropped: a model file, or a .json one read as a paste. */
    async openFile(file) {
      const read = ++this.reads;
      if (!this.isOpen) this.open();
      this.showAsk(null);
      this.listErrors([]);
      this.setStatus(this.t('sh.reading', { name: file.name }));
      let bytes;
      try {
        bytes = await file.arrayBuffer();
      } catch (e) {
        if (read !== this.reads) return;
        this.listErrors([{ key: '', message: this.t('sh.unread', { name: file.name, error: e.message }) }]);
        return this.setStatus(this.t('sh.nothing'));
      }
      if (read !== this.reads) return;
      if (/\.json$/i.test(file.name)) return this.import(new TextDecoder().decode(bytes), this.t('sh.opened', { name: file.name }));
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
        const modules = result.missing.find((m) => m.choices), others = result.missing.filter((m) => !m.choices);
        const named = (list, word) => list.map((m) => (m.rows ? this.t('sh.rowsLabel') : m.key)).reduce((a, b) => this.t(word, { a, b })); /* ("num_heads and query rows (L)") */
        if (modules) return this.setStatus(this.t(others.length ? 'sh.chooseAnd' : 'sh.choose', { name, n: modules.choices.length, keys: others.length ? named(others, 'x.and') : '' }));
        const keys = named(result.missing, 'x.or');
        return this.setStatus(this.t(result.missing.length > 1 ? 'sh.lacks2' : 'sh.lacks', { name, keys }));
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
          return this.showImport({ errors: [e] });
        }
        return this.showImport({ case: ModelFile.nestedCase(result.case), notes: result.keyedNotes }, this.t('sh.opened', { name }));
      }
      return this.showImport(result);
    }

    /* The form for what a model file lacks (missing: [{ key, message,
     * embed_dim } or { key, message, choices }]), or none (null): a number,
     * or one of the choices (a whole model's attention modules). */
    showAsk(missing) {
      const focused = this.ask.contains(this.ask.getRootNode().activeElement);
      this.ask.hidden = !missing;
      if (!missing) {
        this.ask.replaceChildren();
        if (focused) this.fileInput.focus({ preventScroll: true }); /* (answered or cancelled: the focus stays in the panel, where Escape closes it) */
        return;
      }
      const fields = missing.map((m) => {
        const id = `${this.fileInput.id}-${m.key}`;
        const input = m.choices
          ? el('select', { name: m.key, id, className: 'share-ask-value' }, m.choices.map((choice) => el('option', { value: choice, text: choice || '""' })))
          : el('input', { type: 'text', inputmode: 'numeric', name: m.key, id, required: true, className: 'share-ask-value' }); /* (text: what was typed is said back as typed) */
        return el('p', { className: 'share-row' }, [
          el('label', { for: input.id, text: m.rows ? this.t('sh.rowsLabel') : m.key }), input,
          m.embed_dim ? el('span', { text: this.t(m.rows ? 'sh.rows' : 'sh.divides', { E: m.embed_dim }) }) : null,
          m.choices ? el('span', { text: this.t('sh.modules', { n: m.choices.length }) }) : null,
          el('span', { className: 'control-error', role: 'alert', id: `${id}-error` }), /* (an answer refused: beside its field) */
        ]);
      });
      const cancel = el('button', { type: 'button', text: this.t('sh.cancel') });
      cancel.addEventListener('click', () => { this.pending = null; this.showAsk(null); this.setStatus(this.t('sh.nothing')); });
      this.ask.replaceChildren(...fields, el('p', { className: 'share-row' }, [el('button', { type: 'submit', text: this.t('sh.open') }), cancel]));
      this.place();
      this.ask.querySelector('.share-ask-value').focus();
    }

    /* The form answered: the file opened again with the options given; an
     * answer that is no number of the kind asked is refused beside its
     * field (focused), and the file is not read again. */
    answer() {
      if (!this.pending) return;
      const options = {};
      let refused = null;
      for (const m of this.pending.missing) {
        const input = this.ask.elements[m.key];
        if (m.choices) { options[m.key] = input.value; continue; }
        const text = input.value.trim();
        const problem = !/^\d+$/.test(text) || Number(text) < 1 ? this.t('sh.whole', { key: m.key, got: Case.describe(text) })
          : m.rows && Number(text) > Cases.LIMITS.tokens ? this.t('sh.rowsMax', { key: m.key, max: Cases.LIMITS.tokens, got: text }) : '';
        const message = input.parentElement.querySelector('.control-error');
        message.replaceChildren(...withFlags(problem));
        markInvalid(input, problem ? message : null);
        refused ||= problem ? input : null;
        options[m.key] = Number(text);
      }
      if (refused) return refused.focus();
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
