/* controls.js: the toolbar. Every control sends one edit to the session and
 * shows the values in use: after a change from anywhere (a link, undo, a
 * preset) it is set again from the session. An edit the session refuses is
 * answered beside its control, and the control goes back to the value in
 * use. The module's on/off options are the format's (AttnCase.KEYS with
 * `control`).
 *
 *   const controls = new Controls(session, { id, actions: { walk, undo, redo }, share });
 *   controls.element; controls.sync();
 *
 * A classic script: the global AttnControls.
 * needs: AttnText, AttnCase, AttnCases, AttnDom */
(function (root) {
  'use strict';

  const Case = root.AttnCase, Cases = root.AttnCases, Text = root.AttnText, { el, markInvalid } = root.AttnDom;
  const FLAGS = Case.KEYS.filter((k) => k.control).map((k) => k.key); /* bias, add_bias_kv, add_zero_attn, average_attn_weights */
  /* [value, the key of its words] */
  const MASKS = Cases.MASK_KINDS.map((v) => [v, `c.m.${v}`]);
  const THEMES = ['auto', 'light', 'dark'].map((v) => [v, `c.t.${v}`]);
  const EXAMPLE_KINDS = ['lecture', 'trained', 'random'].map((v) => [v, `c.k.${v}`]);
  const LAYOUTS = ['pass', 'steps'].map((v) => [v, `c.l.${v}`]);

  class Controls {
    constructor(session, { id, actions, share }) {
      this.session = session;
      this.id = id;
      this.actions = actions;
      this.t = Text.of(session);
      this.element = this.build(share);
      this.sync();
    }

    build(share) {
      const t = this.t;
      const field = (text, input, name) => {
        const message = el('span', { className: 'control-error', role: 'alert', id: `${this.id}-${name}-error` });
        input.id = `${this.id}-${name}`;
        return el('span', { className: 'control', 'data-control': name }, [el('label', { for: input.id, text }), input, message]);
      };
      const number = (name, max) => el('input', { type: 'number', min: 1, max, step: 1, name, inputmode: 'numeric' });
      const select = (name, options) => el('select', { name }, options.map(([value, key]) => el('option', { value, text: t(key) })));
      const button = (name, text, title, action) => {
        const b = el('button', { type: 'button', name, text, title, 'data-control': name });
        b.addEventListener('click', action);
        return b;
      };
      this.inputs = {
        example: this.exampleList(),
        embed_dim: number('embed_dim', Cases.LIMITS.embed_dim),
        num_heads: number('num_heads', Cases.LIMITS.num_heads),
        ...Object.fromEntries(FLAGS.map((flag) => [flag, el('input', { type: 'checkbox', name: flag })])),
        attn_mask: select('attn_mask', MASKS),
        key_padding_mask: el('input', { type: 'checkbox', name: 'key_padding_mask' }),
        theme: select('theme', THEMES),
        layout: select('layout', LAYOUTS),
        present: el('input', { type: 'checkbox', name: 'present', title: t('c.presentT') }),
      };
      const i = this.inputs;
      i.example.querySelector('[value=custom]').disabled = true; /* shown, not chosen: an edited example */
      this.undoButton = button('undo', t('c.undo'), t('c.undoT'), () => this.actions.undo());
      this.redoButton = button('redo', '↷', t('c.redoT'), () => this.actions.redo());
      this.redoButton.setAttribute('aria-label', t('c.redo'));
      /* the module's options fold away (the pass needs the room); on a
       * phone the whole bar does, behind "Settings" */
      this.options = el('details', { className: 'control-options' }, [
        el('summary', { text: t('c.options') }),
        el('div', { className: 'control-group' }, FLAGS.map((flag) => field(flag, i[flag], flag))),
        el('div', { className: 'control-group' }, [field('attn_mask', i.attn_mask, 'attn_mask'), field('key_padding_mask', i.key_padding_mask, 'key_padding_mask')]),
      ]);
      if (share) share.element.dataset.control = 'share'; /* (hideable as the controls are) */
      this.settings = el('button', { type: 'button', className: 'controls-settings', 'aria-expanded': 'false', text: t('c.settings') });
      const bar = el('div', { className: 'controls', role: 'toolbar', 'aria-label': t('c.bar') }, [
        button('walk', t('c.walk'), t('c.walkT'), () => this.actions.walk()),
        this.settings,
        el('div', { className: 'control-group' }, [field(t('c.example'), i.example, 'example'), field('E', i.embed_dim, 'embed_dim'), field('H', i.num_heads, 'num_heads'), this.options]),
        el('div', { className: 'control-group' }, [
          button('randomize', t('c.rand'), t('c.randT'), () => this.edit('example', { type: 'randomize' })),
          button('pytorch', t('c.pt'), t('c.ptT'), () => this.edit('example', { type: 'pytorch-init' })),
          button('reset', t('c.reset'), t('c.resetT'), () => this.edit('example', { type: 'reset' })),
          this.undoButton, this.redoButton,
        ]),
        el('div', { className: 'control-group' }, [
          field(t('c.view'), i.layout, 'layout'), field(t('c.theme'), i.theme, 'theme'), field(t('c.present'), i.present, 'present'),
          share ? share.element : null,
        ]),
      ]);
      this.settings.addEventListener('click', () => {
        const open = bar.toggleAttribute('data-open');
        this.settings.setAttribute('aria-expanded', String(open));
      });
      i.example.addEventListener('change', () => this.edit('example', { type: 'example', name: i.example.value }));
      for (const name of ['embed_dim', 'num_heads'])
        i[name].addEventListener('change', () => {
          const value = Number(i[name].value);
          if (i[name].value.trim() === '' || !Number.isInteger(value) || value < 1) return this.answer(name, { ok: false, error: { message: t('c.whole', { name }) } });
          this.edit(name, { type: 'option', key: name, value });
        });
      for (const flag of FLAGS) i[flag].addEventListener('change', () => this.edit(flag, { type: 'option', key: flag, value: i[flag].checked }));
      i.attn_mask.addEventListener('change', () => this.edit('attn_mask', { type: 'option', key: 'attn_mask', value: i.attn_mask.value }));
      i.key_padding_mask.addEventListener('change', () => this.edit('key_padding_mask', { type: 'option', key: 'key_padding_mask', value: i.key_padding_mask.checked }));
      i.theme.addEventListener('change', () => this.edit('theme', { type: 'view', theme: i.theme.value }));
      i.layout.addEventListener('change', () => this.edit('layout', { type: 'view', layout: i.layout.value }));
      i.present.addEventListener('change', () => this.edit('present', { type: 'view', present: i.present.checked }));
      return bar;
    }

    /* The examples by kind: the lecture, heads that learned a job, bigger
     * sizes with random weights; and "your own" once one is edited. (A
     * trained example's name is its file's title, in the page's language.) */
    exampleList() {
      const list = el('select', { name: 'example' });
      for (const [kind, label] of EXAMPLE_KINDS) {
        const entries = Object.entries(Cases.EXAMPLES).filter(([, e]) => e.kind === kind);
        if (entries.length) list.append(el('optgroup', { label: this.t(label) }, entries.map(([name, e]) => el('option', { value: name, text: kind === 'trained' ? Cases.wordsOf(e, this.t.lang).title : this.t(`c.ex.${name}`) }))));
      }
      list.append(el('option', { value: 'custom', text: this.t('c.own') }));
      return list;
    }

    edit(name, edit) {
      this.answer(name, this.session.apply(edit));
    }

    /* The message beside a control, when the session refused its edit, and
     * the controls set to the values in use. */
    answer(name, result) {
      this.sync();
      if (!result.ok) this.message(this.element.querySelector(`[data-control="${name}"] .control-error`), this.t.message(result.error));
    }

    /* After a change of the session: a valid state is in place, so no
     * control's message stands; every control shows the value in use. */
    update() {
      for (const span of this.element.querySelectorAll('.control-error')) if (span.textContent) this.message(span, null);
      this.sync();
    }

    message(span, text) {
      span.textContent = text || '';
      markInvalid(span.parentElement.querySelector('input, select'), text ? span : null);
    }

    /* Every control shows the value in use. */
    sync() {
      const s = this.session, i = this.inputs, c = s.config;
      i.example.value = s.example || 'custom';
      i.embed_dim.value = c.embed_dim;
      i.num_heads.value = c.num_heads;
      for (const flag of FLAGS) i[flag].checked = Boolean(c[flag]);
      i.attn_mask.value = Cases.maskMode(s.case);
      i.key_padding_mask.checked = Boolean(s.case.key_padding_mask);
      i.theme.value = s.view.theme;
      i.layout.value = s.view.layout;
      i.present.checked = s.view.present;
      if (this.undoButton.disabled !== !s.canUndo) this.undoButton.disabled = !s.canUndo;
      if (this.redoButton.disabled !== !s.canRedo) this.redoButton.disabled = !s.canRedo;
    }
  }

  root.AttnControls = { Controls };
})(typeof globalThis !== 'undefined' ? globalThis : this);
