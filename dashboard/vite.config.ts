import { defineConfig } from 'vitest/config';

// The Query service serves dist/ at "/" (index.html for unknown paths); the app routes with the
// URL fragment (#/projects/...), so every page is the same index.html.
// In development, `npm run dev` (or `npm run preview` after a build) proxies /api to Query.
const query = process.env.RUNSTREAM_QUERY_URL ?? 'http://127.0.0.1:5102';
const proxy = { '/api': { target: query, changeOrigin: true } };

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: { echarts: ['echarts/core', 'echarts/charts', 'echarts/components', 'echarts/renderers'] },
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
