import { useMemo, useState } from 'preact/hooks';
import type { DashboardClass } from '../src/server/api-types.ts';
import { formatBytes, formatCount, formatSignedBytes, formatSignedCount } from './format.ts';

type SortKey = 'name' | 'count' | 'countDelta' | 'selfSize' | 'retainedSize' | 'sizeDelta';

const COLUMNS: readonly { key: SortKey; label: string; numeric: boolean; growth?: boolean }[] = [
  { key: 'name', label: 'Class', numeric: false },
  { key: 'count', label: 'Objects', numeric: true },
  { key: 'countDelta', label: 'Δ objects', numeric: true, growth: true },
  { key: 'selfSize', label: 'Self size', numeric: true },
  { key: 'sizeDelta', label: 'Δ self size', numeric: true, growth: true },
  { key: 'retainedSize', label: 'Retained', numeric: true },
];

/** The class census of an analysis: the last snapshot's classes with their growth since the first; sortable. */
export function CensusTable(props: { classes: readonly DashboardClass[]; snapshots: number }) {
  const growthKnown = props.snapshots > 1;
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: growthKnown ? 'countDelta' : 'retainedSize',
    descending: true,
  });
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => {
    const wanted = filter.trim().toLowerCase();
    const kept = props.classes.filter((entry) => wanted === '' || entry.name.toLowerCase().includes(wanted));
    const direction = sort.descending ? -1 : 1;
    return kept.sort((a, b) => {
      if (sort.key === 'name') return direction * a.name.localeCompare(b.name);
      // Unknown growth sorts last whichever way.
      const x = a[sort.key];
      const y = b[sort.key];
      if (x === null) return y === null ? 0 : 1;
      if (y === null) return -1;
      return direction * (x - y);
    });
  }, [props.classes, sort, filter]);
  const columns = COLUMNS.filter((column) => growthKnown || column.growth !== true);
  return (
    <div class="census">
      <div class="table-tools">
        <input
          type="search"
          placeholder="Filter classes"
          value={filter}
          onInput={(event) => setFilter((event.target as HTMLInputElement).value)}
          aria-label="Filter classes"
        />
        <span class="muted small">
          {rows.length} of {props.classes.length} classes
          {growthKnown ? ', growth from the first snapshot to the last' : ' (one snapshot: no growth yet)'}
        </span>
      </div>
      <table class="sortable" data-testid="census">
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                class={column.numeric ? 'num' : ''}
                aria-sort={sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  onClick={() =>
                    setSort(
                      sort.key === column.key
                        ? { key: column.key, descending: !sort.descending }
                        : { key: column.key, descending: column.numeric },
                    )
                  }
                >
                  {column.label}
                  <span class="arrow">{sort.key === column.key ? (sort.descending ? '▼' : '▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => (
            <tr>
              <td class="class-name" title={entry.type}>
                {entry.type === 'closure' ? `${entry.name}()` : entry.name}
              </td>
              <td class="num">{formatCount(entry.count)}</td>
              {growthKnown && (
                <td class={`num ${entry.countDelta !== null && entry.countDelta > 0 ? 'grows' : ''}`}>
                  {formatSignedCount(entry.countDelta)}
                </td>
              )}
              <td class="num">{formatBytes(entry.selfSize)}</td>
              {growthKnown && (
                <td class={`num ${entry.sizeDelta !== null && entry.sizeDelta > 0 ? 'grows' : ''}`}>
                  {formatSignedBytes(entry.sizeDelta)}
                </td>
              )}
              <td class="num">{formatBytes(entry.retainedSize)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
