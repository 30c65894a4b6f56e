/* main.js: index.html's glue: the core, one view of the whole document, and
 * the URL hash, which holds the state (every edit writes it; opening a link
 * restores it). ?nosimd in the address forces the scalar build. */
(function () {
  'use strict';

  const app = document.getElementById('app');

  function fail(message) {
    const p = document.createElement('p');
    p.className = 'banner';
    p.setAttribute('role', 'alert');
    p.textContent = message;
    app.replaceChildren(p);
  }

  /* The state in the hash, or the lecture's with a message saying why. */
  function stateFromHash() {
    if (location.hash.length <= 1) return { state: { case: AttnState.lectureCase(), view: {} }, message: null };
    try {
      return { state: AttnState.decodeHash(location.hash), message: null };
    } catch (e) {
      return { state: { case: AttnState.lectureCase(), view: {} }, message: `This link’s state could not be read (${e.message}), so the page shows the lecture’s example instead.` };
    }
  }

  async function start() {
    if (!window.AttnWasm) return fail('The attention core is not built: run `make open` (or `make`) in the project folder, then reload.');
    const simd = /[?&]nosimd\b/.test(location.search) ? false : undefined;
    const attention = await AttnCore.createAttention({ simd });
    const { state, message } = stateFromHash();
    let written = location.hash, pending = null;
    /* The hash is written at most every 150 ms: a long link takes time to
     * write, and browsers throttle history updates while one scrubs. */
    const writeHash = () => {
      pending = null;
      written = AttnState.encodeHash(view.getState());
      history.replaceState(null, '', written);
      document.documentElement.removeAttribute('data-hash-pending');
    };
    /* The page's background follows a theme forced on the view. */
    const followTheme = (shown) => {
      const theme = shown.root.dataset.theme;
      if (document.documentElement.dataset.theme !== theme) document.documentElement.dataset.theme = theme;
    };
    const view = new AttnView(app, {
      attention, state,
      onChange(changed) {
        followTheme(changed); /* (called from the constructor too, before `view` is set) */
        document.documentElement.setAttribute('data-hash-pending', '');
        if (!pending) pending = setTimeout(writeHash, 150);
      },
    });
    followTheme(view);
    if (message) view.showBanner(message);
    window.addEventListener('hashchange', () => {
      if (location.hash === written) return;
      const next = stateFromHash();
      view.setState(next.state);
      followTheme(view);
      view.showBanner(next.message);
      written = location.hash;
    });
    window.attentionView = view; /* for the console and the tests */
    document.documentElement.dataset.ready = 'true';
  }

  start().catch((e) => fail(`The page could not start: ${e.message}`));
})();
