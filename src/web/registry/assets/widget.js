/*
 * Baobab registry verification widget. Embed with
 *   <script src="https://HOST/registry/widget.js" data-license-number="BAO-DOC-2026-00001"></script>
 * It asks HOST's public $verify-license (readable from any origin) and shows a badge right after
 * the script tag, linking to the full verification page. Text only (textContent), styles through
 * the CSSOM, so it works on pages whose CSP forbids inline styles. A host page with its own CSP
 * must allow HOST in script-src and connect-src.
 */
/* global document, fetch */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.parentNode) return;
  var number = (script.getAttribute('data-license-number') || '').trim();
  var origin = new URL(script.src, document.baseURI).origin;

  var badge = document.createElement('a');
  badge.className = 'baobab-license-badge';
  badge.href = origin + '/registry/verify/' + encodeURIComponent(number);
  badge.target = '_blank';
  badge.rel = 'noopener';
  var s = badge.style;
  s.display = 'inline-block';
  s.padding = '6px 12px';
  s.borderRadius = '4px';
  s.font = '600 14px system-ui, sans-serif';
  s.textDecoration = 'none';
  s.color = '#fff';
  s.background = '#6b7280';
  badge.textContent = 'Checking license ' + number + '…';
  script.parentNode.insertBefore(badge, script.nextSibling);

  function show(valid, text) {
    badge.setAttribute('data-valid', valid ? 'true' : 'false');
    s.background = valid ? '#1b7f3b' : '#b3261e';
    badge.textContent = text;
  }

  function value(parameters, name) {
    var list = (parameters && parameters.parameter) || [];
    for (var i = 0; i < list.length; i++) if (list[i].name === name) return list[i];
    return undefined;
  }

  if (!number) return show(false, 'NOT VALID: no license number given');
  fetch(origin + '/fhir/Practitioner/$verify-license?license-number=' + encodeURIComponent(number), {
    headers: { Accept: 'application/fhir+json' },
    credentials: 'omit',
  })
    .then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    })
    .then(function (parameters) {
      var valid = (value(parameters, 'valid') || {}).valueBoolean === true;
      var name = (value(parameters, 'name') || {}).valueString;
      var status = (value(parameters, 'status') || {}).valueCode;
      var text = (valid ? 'VALID' : 'NOT VALID') + ' · ' + number;
      if (name) text += ' · ' + name;
      if (!valid && status) text += ' (' + status + ')';
      show(valid, text);
    })
    .catch(function () {
      badge.removeAttribute('data-valid');
      badge.textContent = 'License check unavailable · ' + number;
    });
})();
