/**
 * Pure layout arithmetic for `<jitsi-conference>`: how many columns make the largest tiles of a given aspect
 * in a box, how many tiles fit on a page, and what to ask the bridge for (only what is visible).
 */

export interface GridFit {
  columns: number;
  rows: number;
  /** Width and height of one tile, in px. */
  width: number;
  height: number;
}

/**
 * The grid that gives `count` tiles of aspect `ratio` (width / height) the largest size inside `width` x
 * `height` with `gap` between them. Ties go to fewer columns (rows fill left to right).
 */
export function fitGrid(count: number, width: number, height: number, ratio = 16 / 9, gap = 8): GridFit {
  const n = Math.max(1, count);
  let best: GridFit = { columns: 1, rows: n, width: 0, height: 0 };
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    const tileWidth = Math.min(cellWidth, cellHeight * ratio);
    if (tileWidth > best.width + 0.5) best = { columns, rows, width: tileWidth, height: tileWidth / ratio };
  }
  return best;
}

/**
 * How many tiles one page shows: as many as fit while each stays at least `minWidth` px wide (at least one,
 * at most `max`).
 */
export function pageCapacity(width: number, height: number, minWidth = 160, ratio = 16 / 9, gap = 8, max = 25): number {
  let capacity = 1;
  for (let count = 2; count <= max; count++) {
    if (fitGrid(count, width, height, ratio, gap).width >= minWidth) capacity = count;
  }
  return capacity;
}

/** The tiles of page `page` (0-based, clamped) out of `items`, `capacity` per page. */
export function pageOf<T>(items: readonly T[], page: number, capacity: number): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / Math.max(1, capacity)));
  const current = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(current * capacity, (current + 1) * capacity), page: current, pages };
}

/** The smallest standard video height that covers a tile of `height` css px on this screen. */
export function videoHeightFor(height: number, devicePixelRatio = 1): number {
  const needed = height * devicePixelRatio;
  for (const step of [180, 360, 720]) if (needed <= step) return step;
  return 1080;
}

export interface VisibleSource {
  sourceName: string;
  /** Tile height in css px. */
  height: number;
  onStage?: boolean;
}

/** protocol.md 8.2 ReceiverVideoConstraints for exactly the visible video: lastN is how many are shown. */
export function receiverConstraintsFor(visible: readonly VisibleSource[], devicePixelRatio = 1): {
  lastN: number;
  selectedSources: string[];
  onStageSources: string[];
  defaultConstraints: { maxHeight: number };
  constraints: Record<string, { maxHeight: number }>;
} {
  const constraints: Record<string, { maxHeight: number }> = {};
  for (const source of visible) constraints[source.sourceName] = { maxHeight: videoHeightFor(source.height, devicePixelRatio) };
  return {
    lastN: visible.length,
    selectedSources: visible.map((s) => s.sourceName),
    onStageSources: visible.filter((s) => s.onStage).map((s) => s.sourceName),
    // Sources not visible get nothing.
    defaultConstraints: { maxHeight: 0 },
    constraints,
  };
}
