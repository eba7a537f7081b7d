import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { Member } from '@hivesync/sdk';
import { useMembersQuery } from '../queries/threads.js';
import { useSession } from '../session/session.js';

/** The `@word` being typed just before the caret, if any: where its `@` is and what follows it. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|[^\w@])@([\w.+-]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() };
}

/**
 * How to mention a member so that the server finds exactly them: the part of the email before the `@` when no other
 * member's email has it, else the whole email (docs/COLLABORATION.md, Mentions).
 */
export function mentionHandle(member: Member, members: readonly Member[]): string {
  const local = member.email.split('@')[0]!;
  const same = members.filter((m) => m.email.split('@')[0]!.toLowerCase() === local.toLowerCase());
  return same.length === 1 ? local : member.email;
}

/** The members a typed `@query` may mean: by email or by name, at most `limit`. */
export function matchMembers(members: readonly Member[], query: string, limit = 8): Member[] {
  return members
    .filter((m) => m.email.toLowerCase().startsWith(query) || m.display_name.toLowerCase().includes(query))
    .slice(0, limit);
}

/** What the reply and comment boxes pass in. */
export interface MentionInputProps {
  projectId: string;
  value: string;
  onChange: (value: string) => void;
  /** Ctrl+Enter (⌘+Enter) sends the form. */
  onSubmit: () => void;
  id: string;
  describedBy?: string;
  invalid?: boolean;
  disabled?: boolean;
  textareaRef?: RefObject<HTMLTextAreaElement>;
}

/**
 * A textarea that completes `@` mentions of the project's members: typing `@` and a few letters lists who matches;
 * ↑ and ↓ move, Enter or Tab picks, Escape closes the list. The list is announced through aria-activedescendant and a
 * polite status line, as GitHub's comment box does.
 */
export function MentionInput(props: MentionInputProps) {
  const { projectId, value, onChange, onSubmit, id, describedBy, invalid, disabled } = props;
  const session = useSession();
  const me = session.status === 'signed_in' ? session.user.id : undefined;
  const [focused, setFocused] = useState(false);
  const members = useMembersQuery(projectId, focused);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const own = useRef<HTMLTextAreaElement>(null);
  const area = props.textareaRef ?? own;
  const listId = useId();
  // Where the caret goes after a pick: set as soon as React has put the new text in (before the next key is handled;
  // a later frame would move the caret back over what was typed meanwhile).
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null || !area.current) return;
    pendingCaret.current = null;
    area.current.setSelectionRange(at, at);
  });

  const all = (members.data?.members ?? []).filter((m) => m.user_id !== me);
  const mention = focused ? mentionAt(value, caret) : null;
  // Escape closes the list for that @word only: once it is gone, the next one opens it again.
  if (dismissedAt !== null && mention?.start !== dismissedAt) setDismissedAt(null);
  const choices = mention && mention.start !== dismissedAt ? matchMembers(all, mention.query) : [];
  const open = choices.length > 0;
  const current = Math.min(active, choices.length - 1);

  const track = () => setCaret(area.current?.selectionStart ?? 0);
  const pick = (member: Member) => {
    if (!mention) return;
    const handle = `@${mentionHandle(member, members.data?.members ?? [])} `;
    const next = value.slice(0, mention.start) + handle + value.slice(caret);
    const at = mention.start + handle.length;
    onChange(next);
    setCaret(at);
    setActive(0);
    pendingCaret.current = at;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      onSubmit();
      return;
    }
    if (!open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + choices.length) % choices.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      pick(choices[current]!);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setDismissedAt(mention!.start);
    }
  };

  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <div className="mention-input">
      <textarea
        ref={area}
        id={id}
        value={value}
        rows={4}
        disabled={disabled}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? optionId(current) : undefined}
        onChange={(e) => {
          onChange(e.target.value);
          setCaret(e.target.selectionStart);
          setActive(0);
        }}
        onSelect={track}
        onKeyDown={onKeyDown}
        onFocus={() => {
          setFocused(true);
          track();
        }}
        onBlur={() => setFocused(false)}
      />
      {open && (
        <ul id={listId} role="listbox" aria-label="Members to mention" className="mention-list">
          {choices.map((m, i) => (
            <li
              key={m.user_id}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              // mousedown, not click: the textarea keeps the focus (and its caret).
              onMouseDown={(e) => {
                e.preventDefault();
                pick(m);
              }}
            >
              <span className="mention-name">{m.display_name}</span> <span className="small">{m.email}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="visually-hidden" aria-live="polite">
        {open
          ? `${choices.length} ${choices.length === 1 ? 'member matches' : 'members match'}: ${choices[current]!.display_name}. Up and down arrows choose, Enter picks, Escape closes.`
          : ''}
      </p>
    </div>
  );
}
