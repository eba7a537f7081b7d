/**
 * Makes script text safe inside `<script>…</script>`: the HTML parser ends the element at the first `</script`
 * whatever the JavaScript around it means, so each one becomes `<\/script`, which means the same in a JavaScript
 * string, template or regular expression.
 */
export function escapeInlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

/** Makes style text safe inside `<style>…</style>` (`<\/style` is the same in CSS). */
export function escapeInlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

// Shows an uncaught error in the page instead of a blank screen (the preview runs on a phone, without devtools).
const ERROR_OVERLAY = `window.addEventListener('error',function(e){show(e.error||e.message)});window.addEventListener('unhandledrejection',function(e){show(e.reason)});function show(err){var p=document.getElementById('hivesync-error')||document.body.appendChild(document.createElement('pre'));p.id='hivesync-error';p.style.cssText='position:fixed;inset:0;margin:0;padding:16px;overflow:auto;background:#b00020;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap;z-index:2147483647';p.textContent=String(err&&err.stack||err)}`;

/**
 * The web bundle: one self-contained HTML document with the script (and any CSS) inlined, rendering into
 * `<div id="root">`. Nothing in it depends on when it was built.
 */
export function htmlDocument(script: string, css = ''): string {
  const style = `html,body{margin:0;min-height:100%}#root{min-height:100vh}${css === '' ? '' : `\n${escapeInlineStyle(css)}`}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">',
    '<title>HiveSync preview</title>',
    `<style>${style}</style>`,
    `<script>${ERROR_OVERLAY}</script>`,
    '</head>',
    '<body>',
    '<div id="root"></div>',
    `<script>${escapeInlineScript(script)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
