/* poster.js: one stage of a session as the widget draws it, as a standalone
 * SVG (export.js's heatmap: the page's colours, numbers and token labels).
 * The export panel's "SVG" and the CLI's --svg (a poster to put inside an
 * <attention-viz> until it starts) both draw with it. Pure: no DOM.
 *
 *   stageMatrix(session, 'weights') -> { name, card, shape, data, rowLabels, colLabels }, or null
 *   stageSVG(session, 'weights', { theme: 'light' | 'dark', numbers: true }) -> '<svg ...>', or null
 *
 * A classic script: the global AttnPoster in a page, module.exports in Node.
 * needs: AttnCatalogue, AttnExport */
(function (root) {
  'use strict';

  const isNode = typeof module === 'object' && module.exports;
  const Catalogue = isNode ? require('./catalogue.js') : root.AttnCatalogue;
  const Export = isNode ? require('./export.js') : root.AttnExport;

  /* A stage's card, its numbers (the core's, heads one after another) and
   * its labels as the page shows them; null when the case has no such stage. */
  function stageMatrix(session, name) {
    const card = Catalogue.matrixCards(session.sections()).find((c) => c.stage === name);
    if (!card) return null;
    const parts = Catalogue.cardData(session, card), lab = session.labels();
    const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => { data.set(p, at); return at + p.length; }, 0);
    return {
      name, card, shape: card.shape, data,
      rowLabels: card.shape.length === 1 ? undefined : Catalogue.cardLabels(card.rowLabels, lab), colLabels: Catalogue.cardLabels(card.colLabels, lab),
    };
  }

  function stageSVG(session, name, { theme = 'light', numbers = true, lang } = {}) {
    const m = stageMatrix(session, name);
    if (!m) return null;
    const kind = m.card.kind === 'bool' ? 'sequential' : m.card.kind;
    return Export.heatmapSVG(m.name, m.shape, m.data, { rowLabels: m.rowLabels, colLabels: m.colLabels, kind, theme, numbers, lang });
  }

  const api = { stageMatrix, stageSVG };
  if (isNode) module.exports = api;
  else root.AttnPoster = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
