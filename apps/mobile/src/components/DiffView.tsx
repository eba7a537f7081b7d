import type { DiffFile, DiffLine } from '@hivesync/sdk';
import { Pressable, Text, View } from 'react-native';
import { highlightLine, TOKEN_COLORS } from '../lib/highlight';
import { colors, styles } from './ui';

/** One line of code, syntax-coloured. */
export function CodeLine({ text, path }: { text: string; path: string }) {
  return (
    <Text style={styles.mono}>
      {highlightLine(text, path).map((t, i) => (
        <Text key={i} style={{ color: TOKEN_COLORS[t.kind] }}>
          {t.text}
        </Text>
      ))}
    </Text>
  );
}

/** The line number a comment on a diff line is anchored to in the file as it is now (the old side). */
export function anchorLine(line: DiffLine, previousOld: number): number {
  return line.old_line ?? Math.max(1, previousOld);
}

/** A file of a diff: its hunks, added and deleted lines on green and red, each line pressable to comment on it. */
export function DiffFileView({
  file,
  onLinePress,
  selected,
}: {
  file: DiffFile;
  onLinePress?(line: DiffLine, anchor: number): void;
  /** The key (`hunk:index`) of the line being commented on. */
  selected?: string;
}) {
  return (
    <View style={{ borderWidth: 1, borderColor: colors.border, borderRadius: 8, marginBottom: 12, overflow: 'hidden' }}>
      <Text
        role="heading"
        aria-level={3}
        style={{ fontWeight: '700', padding: 8, backgroundColor: '#eaeef2', color: colors.text }}
      >
        {file.path}{' '}
        <Text style={styles.muted}>
          (+{file.additions} −{file.deletions})
        </Text>
      </Text>
      {file.hunks.map((hunk, h) => {
        let previousOld = hunk.old_start;
        return (
          <View key={h}>
            <Text style={[styles.mono, { color: colors.muted, padding: 4, backgroundColor: '#f6f8fa' }]}>
              @@ −{hunk.old_start},{hunk.old_lines} +{hunk.new_start},{hunk.new_lines} @@ {hunk.heading}
            </Text>
            {hunk.lines.map((line, i) => {
              const anchor = anchorLine(line, previousOld);
              if (line.old_line !== null) previousOld = line.old_line;
              const key = `${h}:${i}`;
              const sign = line.type === 'add' ? '+' : line.type === 'delete' ? '−' : ' ';
              const number = line.new_line ?? line.old_line ?? '';
              return (
                <Pressable
                  key={key}
                  role="button"
                  aria-label={`Comment on ${line.type === 'add' ? 'added' : line.type === 'delete' ? 'deleted' : ''} line ${number}`.replace(
                    '  ',
                    ' ',
                  )}
                  onPress={onLinePress ? () => onLinePress(line, anchor) : undefined}
                  style={[
                    styles.row,
                    {
                      backgroundColor:
                        selected === key
                          ? '#fff8c5'
                          : line.type === 'add'
                            ? colors.add
                            : line.type === 'delete'
                              ? colors.del
                              : '#fff',
                    },
                  ]}
                  testID={`diff-line-${key}`}
                >
                  <Text style={[styles.mono, { width: 44, textAlign: 'right', color: colors.muted, paddingRight: 6 }]}>
                    {number}
                  </Text>
                  <Text style={[styles.mono, { width: 14, color: colors.muted }]}>{sign}</Text>
                  <View style={{ flex: 1 }}>
                    <CodeLine text={line.text} path={file.path} />
                  </View>
                </Pressable>
              );
            })}
          </View>
        );
      })}
    </View>
  );
}
