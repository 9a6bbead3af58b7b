import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The side panel's page: one bundled script and one stylesheet from the extension, nothing remote. The CSP allows
 * only those (script and the one feature-detection <style> by nonce; no 'unsafe-inline'), so even a message
 * rendered by mistake as HTML could not run code or restyle the panel.
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    // the toolkit (FAST) probes :focus-visible support with a <style> element carrying the csp-nonce meta's nonce
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta property="csp-nonce" content="${nonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('panel.css')}">
  <title>Runtruth</title>
</head>
<body>
  <main id="app" aria-label="Runtruth live runtime"></main>
  <script nonce="${nonce}" src="${asset('panel.js')}"></script>
</body>
</html>`;
}
