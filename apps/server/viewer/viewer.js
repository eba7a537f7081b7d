// The web preview viewer: resolve a code once, download the bundle, run it in a sandboxed iframe
// (scripts only, no same-origin: the bundle cannot reach this page, its storage or the API as the viewer).
(function () {
  'use strict';
  var form = document.getElementById('open');
  var input = document.getElementById('code');
  var status = document.getElementById('status');
  var frame = document.getElementById('app');
  var MESSAGES = {
    preview_token_consumed: 'This code has already been used. Ask for a new preview.',
    preview_token_expired: 'This preview has expired. Ask for a new one.',
    not_found: 'No preview has this code. Check it and try again.',
    conflict: 'This preview is not ready yet. Try again in a moment.',
  };

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ('0' + b.toString(16)).slice(-2);
      })
      .join('');
  }

  async function open(code) {
    frame.hidden = true;
    say('Opening ' + code + '…');
    var res = await fetch('/api/v1/previews/resolve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // The platform first: the server refuses an iOS or Android code here without using it up.
      body: JSON.stringify({ code: code, platform: 'web' }),
    });
    var body = await res.json().catch(function () {
      return {};
    });
    if (!res.ok) {
      var err = body.error || {};
      if (err.code === 'rate_limited')
        return say(
          'Too many attempts. Wait ' + (res.headers.get('retry-after') || 'a few') + ' s and try again.',
          true,
        );
      if (err.code === 'preview_platform_mismatch') {
        var platform = (err.details && err.details.platform) === 'ios' ? 'iOS' : 'Android';
        return say(
          'This is an ' +
            platform +
            ' preview: open code ' +
            code +
            ' in the HiveSync app on your ' +
            platform +
            ' device. The code has not been used and still works there.',
          true,
        );
      }
      return say(MESSAGES[err.code] || err.message || 'The preview could not be opened.', true);
    }
    say('Downloading ' + Math.round(body.size / 1024) + ' KB…');
    var bundle = await fetch(body.download_url);
    if (!bundle.ok) return say('The bundle could not be downloaded (' + bundle.status + ').', true);
    var bytes = await bundle.arrayBuffer();
    if (window.crypto && window.crypto.subtle) {
      var digest = hex(await window.crypto.subtle.digest('SHA-256', bytes));
      if (digest !== body.sha256) return say('The bundle did not match its checksum; it was not run.', true);
    }
    frame.srcdoc = new TextDecoder().decode(bytes);
    frame.hidden = false;
    say('Running preview ' + code + ' (' + body.platform + ').');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var code = input.value.trim().toUpperCase();
    if (code)
      open(code).catch(function (e) {
        say('The preview could not be opened: ' + e.message, true);
      });
  });

  var fromPath = decodeURIComponent(location.pathname.replace(/^\/p\/?/, '').split('/')[0] || '').toUpperCase();
  if (fromPath) {
    input.value = fromPath;
    open(fromPath).catch(function (e) {
      say('The preview could not be opened: ' + e.message, true);
    });
  } else {
    input.focus();
  }
})();
