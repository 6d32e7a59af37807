import { VERSION } from '../../src/version.js';

type VersionedElement = CustomElementConstructor & { version?: string };

/**
 * Registers `tag` once. A page (a CMS, two widgets) may load the bundle twice: the same version already
 * defined is a no-op; a different version gets a single warning and keeps the first definition. Never throws.
 */
export function defineElement(tag: string, element: VersionedElement, registry: CustomElementRegistry = customElements): void {
  const existing: VersionedElement | undefined = registry.get(tag);
  if (!existing) {
    registry.define(tag, element);
    return;
  }
  if (existing === element || existing.version === VERSION) return;
  console.warn(
    `jitsi-elements: <${tag}> is already defined by version ${existing.version ?? 'unknown'}; version ${VERSION} was not registered.`,
  );
}
