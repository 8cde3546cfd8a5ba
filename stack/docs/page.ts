import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Swagger UI from the swagger-ui-dist package, served from node_modules: no CDN.
const require = createRequire(import.meta.url);
export const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
export const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

export function readAsset(name: string): Buffer {
  return readFileSync(path.join(SWAGGER_DIR, name));
}

/**
 * The /docs page. The anon key is public by design (it ships in every client) and is filled
 * into "Authorize" so "Try it out" works at once; sign in through /auth/v1/token and paste the
 * access token as bearer to act as a user.
 */
export function docsPage(anonKey: string): string {
  const init = JSON.stringify({ anonKey });
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Agora API</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <style>body { margin: 0 } .swagger-ui .topbar { display: none }</style>
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script type="module">
    const { anonKey } = ${init};
    // Swagger UI stops drawing the page partway when the document has both HEAD and OPTIONS
    // operations (storage downloads, resumable uploads): those stay in /docs/openapi.json for
    // tools and are left out of this page, where they could not be tried from a browser anyway.
    const spec = await (await fetch('/docs/openapi.json')).json();
    for (const item of Object.values(spec.paths)) {
      delete item.head;
      delete item.options;
    }
    window.ui = SwaggerUIBundle({
      spec,
      dom_id: '#docs',
      deepLinking: true,
      docExpansion: 'list',
      filter: true,
      persistAuthorization: false,
      tryItOutEnabled: false,
      displayRequestDuration: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
      onComplete: () => {
        window.ui.preauthorizeApiKey('apikey', anonKey);
        window.ui.preauthorizeApiKey('bearer', anonKey);
      },
    });
  </script>
</body>
</html>`;
}
