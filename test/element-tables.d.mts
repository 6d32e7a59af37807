/** Types of test/element-tables.mjs. */
export function renderElementTables(manifest: unknown): string;
export function readmeWithTables(readme: string, manifest: unknown): string;
export function normalizeManifest(text: string): string;
