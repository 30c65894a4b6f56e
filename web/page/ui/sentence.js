/* sentence.js: a trained example's first step, before X: the sentence, in
 * words of its vocabulary (type another one), and X made of them: each
 * word's row of the word table plus its place's row of the position table.
 * An unknown word is answered beside the sentence, naming the vocabulary,
 * and nothing changes. Shown only for a trained example (session.vocabulary()).
 *
 *   const sentence = new Sentence(session, { id });
 *   sentence.element; sentence.update(change)
 *
 * A classic script: the global AttnSentence.
 * needs: AttnText, AttnFormat, AttnVocabulary, AttnDom, AttnMatrix */
(function (root) {
  'use strict';

  const Format = root.AttnFormat, Vocabulary = root.AttnVocabulary, Text = root.AttnText, { el, setHidden, markInvalid } = root.AttnDom, { Matrix } = root.AttnMatrix;
  const COMPACT_COLS = 5; /* as the pass's heatmaps */

  class Sentence {
    constructor(session, { id }) {
      this.session = session;
      this.id = id;
      const t = this.t = Text.of(session);
      /* a field that wraps, as tall as its text: the whole sentence in view ("… he helped her") */
      this.input = el('textarea', { id: `${id}-sentence`, className: 'sentence-input', rows: 1, spellcheck: 'false', autocomplete: 'off' });
      this.input.addEventListener('input', () => this.fit());
      /* its lines follow its width (a resize; the projector's bigger type), not every edit of a number */
      new ResizeObserver(() => { if (this.input.clientWidth !== this.fittedWidth) this.fit(); }).observe(this.input);
      this.message = el('p', { className: 'control-error sentence-error', role: 'alert', id: `${id}-sentence-error` });
      this.words = el('p', { className: 'sentence-words' });
      this.tables = el('div', { className: 'sentence-tables' });
      this.title = el('span', { className: 'card-letters' });
      this.element = el('figure', { className: 'card card-sentence', 'data-card': 'sentence', 'data-step': 1 }, [
        el('figcaption', {}, [el('span', { className: 'card-title', text: t('e.title') }), this.title]),
        el('p', { className: 'sentence-row' }, [el('label', { for: this.input.id, text: t('e.words') }), this.input]),
        this.message, this.words, this.tables,
      ]);
      let applied = null; /* the text Enter applied last */
      const apply = () => {
        applied = this.input.value;
        const result = session.apply({ type: 'sentence', text: this.input.value });
        this.message.textContent = result.ok ? '' : this.t.message(result.error);
        markInvalid(this.input, result.ok ? null : this.message);
      };
      /* (not again for the text Enter applied: Chromium fires change when the
       * view, rebuilt for the new sentence, moves the field) */
      this.input.addEventListener('change', () => { if (this.input.value !== applied) apply(); });
      this.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); apply(); } });
      this.update({ structure: true });
    }

    /* The field as tall as its lines (Enter applies: a sentence is one line,
     * wrapped). Not while it is not laid out: the observer calls it then. */
    fit() {
      this.fittedWidth = this.input.clientWidth;
      if (!this.fittedWidth) return;
      this.input.style.height = 'auto';
      this.input.style.height = `${this.input.scrollHeight + this.input.offsetHeight - this.input.clientHeight}px`;
    }

    update(change) {
      if (!change.structure && !change.values && !change.labels) return;
      const s = this.session, vocabulary = s.vocabulary();
      setHidden(this.element, !vocabulary);
      if (!vocabulary) return;
      const words = Vocabulary.sentenceOf(vocabulary, s.case);
      const tokens = s.labels().query;
      const text = tokens.join(' ');
      if (this.input !== this.input.getRootNode().activeElement && this.input.value !== text) {
        this.input.value = text;
        this.fit();
      }
      this.title.textContent = s.trainedWords().title;
      this.words.textContent = this.t('e.vocab', { words: Vocabulary.wordsOf(vocabulary).join(', ') });
      if (!words) {
        this.tables.replaceChildren(el('p', { className: 'note', text: this.t('e.hand') }));
        return;
      }
      const { word, position } = Vocabulary.embed(vocabulary, words);
      const E = s.config.embed_dim, features = Array.from({ length: E }, (_, j) => String(j));
      const table = (name, label, rows, rowLabels) => {
        const m = new Matrix({
          stage: name, head: null, rows: rows.length, cols: E, kind: 'diverging', editable: false, compact: E > COMPACT_COLS,
          rowLabels, colLabels: features, label, idPrefix: `${this.id}-${name}`, lang: s.lang,
        });
        m.update(Float32Array.from(rows.flat()), { scale: Format.niceScale(Format.maxAbs(rows.flat())) });
        return el('div', { className: 'sentence-table', 'data-table': name }, [el('p', { className: 'head-label', text: label }), m.element]);
      };
      this.tables.replaceChildren(
        table('words', this.t('e.word'), word, words),
        el('span', { className: 'sentence-plus', text: '+' }),
        table('positions', this.t('e.position'), position, words.map((_, i) => this.t('e.place', { i }))),
        el('span', { className: 'sentence-plus', text: '= X' }),
      );
    }
  }

  root.AttnSentence = { Sentence };
})(typeof globalThis !== 'undefined' ? globalThis : this);
