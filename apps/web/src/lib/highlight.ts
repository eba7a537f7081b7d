/** A piece of a matched line: `match` pieces are what the search found, the rest is around them. */
export interface Segment {
  text: string;
  match: boolean;
}

/** How a search was asked, as far as finding its matches again in a line is concerned. */
export interface MatchOptions {
  regex: boolean;
  matchCase: boolean;
}

/**
 * Splits a line into the pieces the query matches and the rest, to show the matches highlighted (as text). The
 * server tells only the first match's column, so every match is found again here; a regular expression JavaScript
 * does not understand (the server's flavour differs a little) leaves the line unhighlighted rather than wrong.
 */
export function matchSegments(text: string, query: string, options: MatchOptions): Segment[] {
  const ranges = findRanges(text, query, options);
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) segments.push({ text: text.slice(at, start), match: false });
    segments.push({ text: text.slice(start, end), match: true });
    at = end;
  }
  if (at < text.length || segments.length === 0) segments.push({ text: text.slice(at), match: false });
  return segments;
}

function findRanges(text: string, query: string, { regex, matchCase }: MatchOptions): [number, number][] {
  if (query === '') return [];
  const ranges: [number, number][] = [];
  if (!regex) {
    const hay = matchCase ? text : text.toLowerCase();
    const needle = matchCase ? query : query.toLowerCase();
    // toLowerCase can change a string's length (rare letters): then positions would not line up, so none are shown.
    if (hay.length !== text.length || needle.length !== query.length) return [];
    for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) {
      ranges.push([i, i + needle.length]);
    }
    return ranges;
  }
  let re: RegExp;
  try {
    re = new RegExp(query, matchCase ? 'gu' : 'giu');
  } catch {
    return [];
  }
  for (const m of text.matchAll(re)) {
    if (m[0] === '') continue; // an empty match (`a*`) highlights nothing
    ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}
