/* main.js: index.html's glue: the core, one app over the whole document,
 * and the URL, which holds the state: every edit writes the hash (batched:
 * once the edits have rested 150 ms), each history entry of the session is an entry of
 * the browser's, so Back and Forward (and Ctrl+Z, Ctrl+Shift+Z) walk the
 * edits; a link opens its state, a bad one the lecture with a message.
 * ?build=relaxed|simd|scalar forces that build (?nosimd: scalar); without it
 * the core picks the first of them that the browser runs.
 * The words are the link's language (lang=es), else the page's (<html
 * lang>), index.html's own (data-text: keys of text/) too; a link typed
 * later with another lang loads the page again in it.
 *
 * A classic script.
 * needs: AttnWasm, AttnCore, AttnText, AttnCases, AttnLink, AttnApp, AttnDom, AttnFit */
(function () {
  'use strict';

  const host = document.getElementById('app');
  const PAGE_LANG = document.documentElement.lang || 'en';

  /* index.html's own words (data-text), in the app's language. */
  function translatePage(lang) {
    const make = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
    const values = { module: make('code', 'torch.nn.MultiheadAttention'), editable: make('em', AttnText.t(lang, 'st.editable')),
      what: make('em', AttnText.t(lang, 'page.what')), walk: make('em', AttnText.t(lang, 'c.walk')) };
    document.documentElement.lang = lang;
    document.title = AttnText.t(lang, 'page.head');
    for (const node of document.querySelectorAll('[data-text]')) node.replaceChildren(...AttnText.parts(lang, node.dataset.text, values));
  }
  const HASH_DELAY_MS = 150;

  function fail(message) {
    host.replaceChildren(Object.assign(document.createElement('p'), { className: 'banner', textContent: message }));
    host.firstChild.setAttribute('role', 'alert');
  }

  /* The state a hash holds: { state } or { error }. An empty hash is the lecture. */
  function read(hash) {
    if (hash.length <= 1) return { state: { case: AttnCases.lectureCase(), view: {} } };
    try {
      return { state: AttnLink.decode(hash) };
    } catch (e) {
      return { error: e };
    }
  }

  async function start() {
    if (!window.AttnWasm) return fail('The attention core is not built: run `make open` (or `make`) in the project folder, then reload.');
    const params = new URLSearchParams(location.search);
    const build = params.has('nosimd') ? 'scalar' : params.get('build') ?? undefined;
    const attention = await AttnCore.createAttention({ build });
    const first = read(location.hash);
    /* a phone opens on the lesson: the sentence, X and the first step */
    const phone = typeof matchMedia === 'function' && matchMedia('(max-width: 700px)').matches;
    if (first.state && phone && !first.state.view.step) first.state.view = { ...first.state.view, step: 1 };

    /* the browser's entry holds the session's entry id */
    let app = null, fit = null, written = location.hash, writtenEntry = null;
    /* a write waits for the edits to rest (data-hash-pending until it is
       made): its timer, and the number of the change it follows (an idle
       callback of an earlier one must not write: it would leave the newer
       timer running, and during a long drag each write would start the next) */
    let timer = 0, changes = 0;
    const due = () => document.documentElement.hasAttribute('data-hash-pending');
    /* the hashes of the entries Back and Forward went to: their hashchanges
       are no new links (two quick steps may fire both popstates first) */
    const traversed = new Set();
    let traversing = false;
    const write = () => {
      const session = app.session;
      /* every entry made since the last write gets its own browser entry, so
         that Back steps through each edit, however quickly they came */
      if (writtenEntry !== null)
        for (const { id, state } of session.entriesBetween(writtenEntry)) history.pushState({ entry: id }, '', AttnLink.encode(state));
      written = AttnLink.encode({ case: session.case, view: session.view }); /* (encode only reads: no copy of a big case) */
      const state = { entry: session.entryId };
      if (writtenEntry !== null && session.entryId !== writtenEntry) history.pushState(state, '', written);
      else history.replaceState(state, '', written);
      writtenEntry = session.entryId;
      document.documentElement.removeAttribute('data-hash-pending');
    };
    /* a write still waiting, now: the browser's entries must be the session's before Back or Forward */
    const flush = () => { if (due()) { clearTimeout(timer); write(); } };
    const lecture = { case: AttnCases.lectureCase(), view: {} };
    const make = (state) => new AttnApp.App(host, {
      attention, state, lang: PAGE_LANG,
      onLanguage: () => location.reload(), /* (index.html loads every table) */
      /* undo and redo are Back and Forward, so that both walk the same entries */
      history: {
        undo: () => { if (app.session.canUndo) { flush(); history.back(); } },
        redo: () => { if (app.session.canRedo) { flush(); history.forward(); } },
      },
      onChange(change, session) {
        /* (written only when it changes: any write restyles the whole page) */
        if (document.documentElement.dataset.theme !== session.view.theme) document.documentElement.dataset.theme = session.view.theme;
        if (app && change.edit.type !== 'view') app.showBanner(null); /* a valid state is in place */
        if (!due()) document.documentElement.setAttribute('data-hash-pending', '');
        /* once the edits rest: a long link takes a frame or more to write (a
           100 KB hash cost Chromium 100-200 ms), so none is written while a
           drag or typing goes on */
        const number = ++changes;
        clearTimeout(timer);
        timer = setTimeout(() => AttnDom.whenIdle(() => { if (due() && number === changes) write(); }), HASH_DELAY_MS);
        if (!traversing) traversed.clear(); /* an edit since Back or Forward: those hashes, typed, are links again */
        if (change.structure) fit?.later(); /* (a new case of the same height: no resize reports it) */
      },
    });
    /* a link's case with the view it asks for; else (a view the case cannot
       have, e.g. a stage it has not) with the default view; else the lecture */
    const problems = [...(first.state?.problems || [])];
    for (const state of first.state ? [{ case: first.state.case, view: first.state.view }, { case: first.state.case, view: {} }] : []) {
      try {
        app = make(state);
        break;
      } catch (e) {
        if (e.name !== 'CaseError') throw e;
        problems.push(e);
      }
    }
    const fellBack = !app;
    if (!app) app = make(lecture);
    document.documentElement.dataset.theme = app.session.view.theme;
    translatePage(app.session.lang);
    const said = (errors) => [...new Set(errors.map((e) => app.t.message(e)))].join('; '); /* (a link's problems, once each) */
    if (fellBack) app.showBanner(app.t('page.bad', { error: said(first.error ? [first.error] : problems) }));
    else if (problems.length) app.showBanner(app.t('page.badPart', { error: said(problems) }));
    write();

    /* Back and Forward: the session's entry of that browser entry. */
    addEventListener('popstate', (e) => {
      const entry = e.state && e.state.entry;
      if (!Number.isInteger(entry) || entry === app.session.entryId) return;
      const hash = location.hash;
      writtenEntry = entry;
      written = hash;
      traversing = true;
      const moved = app.session.goToEntry(entry);
      traversing = false;
      if (moved) write();
      traversed.add(hash);
    });
    /* A link typed or set: its state, as a new entry; a bad one keeps what is shown.
       Its hash is the event's: a write that was waiting may have replaced
       location's before the event comes. Back and Forward change the hash
       too: popstate has shown their entry (and may have written it anew). */
    addEventListener('hashchange', (e) => {
      const hash = new URL(e.newURL).hash;
      if (traversed.delete(hash) || hash === written) return;
      written = hash;
      const next = read(hash);
      const result = next.state ? app.session.apply({ type: 'state', state: { case: next.state.case, view: next.state.view } }) : { ok: false, error: next.error };
      if (!result.ok) return app.showBanner(app.t('page.badKept', { error: app.t.message(result.error) }));
      writtenEntry = app.session.entryId; /* this entry is the browser's new one */
      write();
      if (next.state.problems) app.showBanner(app.t('page.badPart', { error: said(next.state.problems) }));
    });

    /* the sticky toolbar never hides the focused element (style.css: scroll-padding) */
    new ResizeObserver(() => {
      document.documentElement.style.setProperty('--attn-toolbar', `${app.controls.element.offsetHeight}px`);
    }).observe(app.controls.element);

    /* the pass's columns side by side where smaller type lets them; a walk-through's step kept in view */
    fit = new AttnFit.PassFit(app.stages.element, () => { if (app.session.view.step) app.stages.showStep(app.session.view.step, false); });
    window.attentionApp = app; /* for the console and the tests */
    document.documentElement.dataset.ready = 'true';
  }

  start().catch((e) => fail(`The page could not start: ${e.message}`));
})();
