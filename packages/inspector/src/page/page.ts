import { readFile } from 'node:fs/promises';

export interface InspectorPage {
  /** The whole page, its script and stylesheet inline and allowed by `nonce` alone. */
  html(nonce: string): string;
}

function readClientFile(name: string): Promise<string> {
  return readFile(new URL(`../client/${name}`, import.meta.url), 'utf8');
}

/** The script and the stylesheet are inlined as they are: a closing tag inside would end them early. */
async function inlineAsset(name: string): Promise<string> {
  const text = await readClientFile(name);
  if (/<\/(script|style)/i.test(text)) throw new Error(`client/${name} must not contain a closing script or style tag`);
  return text;
}

/**
 * The page is a fixed shell: the machine diagram (drawn from the machine, no user data) and the
 * script that fills everything else from the JSON API with text nodes, never with markup.
 */
export async function loadPage(diagramSvg: string): Promise<InspectorPage> {
  const [script, styles, shell] = await Promise.all([inlineAsset('app.js'), inlineAsset('styles.css'), readClientFile('shell.html')]);
  const parts = shell.split(/(\{\{(?:styles|script|diagram|nonce)\}\})/);
  const fills: Record<string, (nonce: string) => string> = {
    '{{styles}}': () => styles,
    '{{script}}': () => script,
    '{{diagram}}': () => diagramSvg,
    '{{nonce}}': (nonce) => nonce,
  };
  return {
    html: (nonce) => parts.map((part) => fills[part]?.(nonce) ?? part).join(''),
  };
}
