import { useEffect, useRef, useSyncExternalStore } from 'react';
import { init, type ChartOption } from './echarts.js';

const DARK = '(prefers-color-scheme: dark)';

/** Whether the system asks for the dark theme, re-rendering when it changes. */
function useDarkScheme(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const query = window.matchMedia(DARK);
      query.addEventListener('change', onChange);
      return () => query.removeEventListener('change', onChange);
    },
    () => window.matchMedia(DARK).matches,
  );
}

/** A table that says what a chart shows: its caption, column headings and rows of text. */
export interface ChartTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

/**
 * An ECharts chart (canvas, in the system's light or dark theme, resized with its box) with its text alternative:
 * the chart is an image named by `label`, and `table` (the same figures) is one click away under it, for screen
 * readers and for copying. `size` picks the box's height (admin.css): a sparkline, a chart or a tall heatmap.
 */
export function Chart({
  option,
  label,
  table,
  size = 'chart',
  testId,
}: {
  option: ChartOption;
  label: string;
  table?: ChartTable;
  size?: 'sparkline' | 'chart' | 'tall';
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const dark = useDarkScheme();
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const instance = init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [dark]);

  useEffect(() => {
    chart.current?.setOption(
      {
        backgroundColor: 'transparent',
        animation: false,
        ...option,
        tooltip: option.tooltip && { renderMode: 'richText', ...(option.tooltip as object) },
      },
      { notMerge: true },
    );
  }, [option, dark]);

  return (
    <figure className={`admin-chart admin-chart-${size}`} data-testid={testId}>
      <div ref={box} className="admin-chart-canvas" role="img" aria-label={label} />
      {table && (
        <details className="admin-chart-table">
          <summary>
            Show as a table<span className="visually-hidden">: {table.caption}</span>
          </summary>
          <DataTable table={table} />
        </details>
      )}
    </figure>
  );
}

/** A chart's figures as a table with headers. */
export function DataTable({ table }: { table: ChartTable }) {
  return (
    <div className="admin-table-wrap">
      <table className="admin-table">
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.length === 0 ? (
            <tr>
              <td colSpan={table.columns.length}>No data in this range.</td>
            </tr>
          ) : (
            table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) =>
                  j === 0 ? (
                    <th scope="row" key={j}>
                      {cell}
                    </th>
                  ) : (
                    <td key={j}>{cell}</td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
