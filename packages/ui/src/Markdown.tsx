import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import './markdown.css';

const SAFE_URL = /^(https?:|mailto:)/i;

/**
 * Keeps a URL only when it is http(s) or mailto; anything else (javascript:, data:, relative paths) becomes ''. Parsed
 * with URL so that tricks such as leading spaces or mixed case in the scheme are judged as a browser would.
 */
export function safeUrl(value: string): string {
  const trimmed = value.trim();
  if (!SAFE_URL.test(trimmed)) return '';
  try {
    const url = new URL(trimmed);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : '';
  } catch {
    return '';
  }
}

// Links open as plain links (no referrer, not followed by crawlers); a link whose URL was refused shows its text only.
// Images are never loaded (an arbitrary host could track readers, and the CSP refuses them anyway): they become links.
const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} rel="nofollow noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  img: ({ src, alt }) => {
    const label = `image: ${alt || (typeof src === 'string' ? src : '') || 'untitled'}`;
    return typeof src === 'string' && src ? (
      <a href={src} rel="nofollow noopener noreferrer">
        {label}
      </a>
    ) : (
      <span>[{label}]</span>
    );
  },
  // A task list's boxes: read-only, and named for screen readers.
  input: ({ type, checked }) =>
    type === 'checkbox' ? (
      <input type="checkbox" checked={checked ?? false} readOnly disabled aria-label={checked ? 'done' : 'to do'} />
    ) : null,
};

/**
 * A comment's Markdown (GitHub flavoured: tables, task lists, strikethrough, autolinks) as React elements. Raw HTML is
 * never rendered: react-markdown turns it into text, so a pasted `<script>` shows as written; URLs are kept only when
 * http(s) or mailto.
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} urlTransform={safeUrl} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
