/** `npm run analyze`: regenerates custom-elements.json from the elements' JSDoc (the API contract). */
export default {
  globs: ['components/**/*.ts'],
  exclude: ['components/**/*.styles.ts', 'components/cdn.ts', 'components/cdn-iife.ts', 'components/jitsi-conference/call-views.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
