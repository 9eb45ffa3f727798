// Builds the dashboard (/) and the demo storefront (/demo) into apps/dashboard/dist,
// which the api role serves. `npm start` and `npm test` build it when sources changed.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { dashboard: here('./index.html'), demo: here('./demo/index.html') } },
  },
  // In-repo packages resolve to their TypeScript source (the `@thumbline/source` export condition).
  resolve: { conditions: ['@thumbline/source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
