import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Member } from '@hivesync/sdk';
import { Markdown, safeUrl } from '@hivesync/ui';
import { matchMembers, mentionAt, mentionHandle } from '../components/MentionInput.js';
import { commentProblem } from '../components/CommentComposer.js';
import { excerpt, linesLabel, threadsPath } from './threads.js';

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));
const member = (email: string, name: string): Member => ({
  user_id: email,
  email,
  display_name: name,
  role: 'member',
  added_at: '2026-01-01T00:00:00.000Z',
});

describe('comments as Markdown', () => {
  it('renders GitHub-flavoured Markdown and shows raw HTML as text', () => {
    expect(html('**bold** and ~~gone~~')).toContain('<strong>bold</strong>');
    expect(html('**bold** and ~~gone~~')).toContain('<del>gone</del>');
    const hostile = html('<script>alert(1)</script> <img src=x onerror="alert(2)"> <b>b</b>');
    expect(hostile).not.toMatch(/<script|<img|<b>/);
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('keeps only http(s) and mailto links, and never loads an image', () => {
    expect(html('[x](https://example.com/a)')).toContain('href="https://example.com/a"');
    expect(html('[mail](mailto:a@example.com)')).toContain('href="mailto:a@example.com"');
    for (const bad of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', '/relative']) {
      expect(safeUrl(bad), bad).toBe('');
      expect(html(`[x](${bad})`), bad).not.toContain('href');
    }
    const image = html('![a cat](https://tracker.example/cat.png)');
    expect(image).not.toContain('<img');
    expect(image).toContain('<a href="https://tracker.example/cat.png"');
    expect(image).toContain('image: a cat');
    expect(html('- [x] done\n- [ ] to do')).toContain('aria-label="done"');
  });
});

describe('mentions', () => {
  const members = [
    member('ann@example.test', 'Ann Author'),
    member('bob@one.test', 'Bob'),
    member('bob@two.test', 'Bobby'),
  ];

  it('finds the @word before the caret', () => {
    expect(mentionAt('hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail a@b', 8)).toBeNull(); // an email address is not a mention
    expect(mentionAt('hi @an there', 12)).toBeNull();
  });

  it('matches by email or name and names a member so that the server finds exactly them', () => {
    expect(matchMembers(members, 'an').map((m) => m.email)).toEqual(['ann@example.test']);
    expect(matchMembers(members, 'bob').map((m) => m.email)).toEqual(['bob@one.test', 'bob@two.test']);
    expect(mentionHandle(members[0]!, members)).toBe('ann');
    expect(mentionHandle(members[1]!, members)).toBe('bob@one.test');
  });
});

describe('thread helpers', () => {
  it('checks a comment before it is sent', () => {
    expect(commentProblem('  \n')).toBe('Write something first.');
    expect(commentProblem('x'.repeat(20_001))).toMatch(/at most 20,000 characters; this one has 20,001/);
    expect(commentProblem('ok')).toBeNull();
  });

  it('names lines, cuts excerpts and builds list addresses', () => {
    expect(linesLabel(3, 3)).toBe('line 3');
    expect(linesLabel(3, 5)).toBe('lines 3–5');
    expect(excerpt('\n  first line  \nsecond')).toBe('first line');
    expect(excerpt('## **Bold** and `code` with [a link](https://x.test) <b>')).toBe('Bold and code with a link <b>');
    expect(excerpt('- [ ] ~~old~~ item')).toBe('old item');
    expect(excerpt('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(threadsPath('p1', { state: 'open', mine: false })).toBe('/projects/p1/threads');
    expect(threadsPath('p1', { state: 'resolved', mine: true }, 'c1')).toBe(
      '/projects/p1/threads?state=resolved&mine=1&cursor=c1',
    );
  });
});
