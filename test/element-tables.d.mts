/** Types of test/element-tables.mjs. */
export function renderElementTables(manifest: unknown, compact?: boolean): string;
export const TABLE_FILES: [string, boolean][];
export function withTables(text: string, manifest: unknown, compact: boolean): string;
export function normalizeManifest(text: string): string;
