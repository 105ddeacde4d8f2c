/** The registry pages' HTML (src/web/registry; kept beside the public registry's domain tests). */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../../../src/web/registry/html';
import { renderVerifyPage } from '../../../../../src/web/registry/verify-page';
import { renderSearchPage } from '../../../../../src/web/registry/search-page';

describe('registry page HTML', () => {
  it('escapes text and attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(html`<p title="${'"><script>'}">${'<b>'}${html`<i>kept</i>`}${['<u>', html`<s>`]}</p>`.value).toBe('<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;<i>kept</i>&lt;u&gt;<s></p>');
  });

  it('renders an unknown license as NOT VALID with the number escaped', () => {
    const page = renderVerifyPage('<img src=x onerror=alert(1)>', undefined);
    expect(page).toContain('NOT VALID');
    expect(page).not.toContain('<img');
  });

  it('renders a valid license badge and escapes every stored value', () => {
    const page = renderVerifyPage('N-1', {
      license: { number: 'N-1', professionalType: { code: 'doctor', display: 'Medical doctor' }, status: 'active', valid: true, issued: '2026-01-01' },
      record: { name: '<script>x</script>', specializations: [], licenses: [], telecom: [], disciplinaryActions: [{ summary: '<b>bold</b>' }] },
    });
    expect(page).toContain('<span class="badge valid">VALID</span>');
    expect(page).not.toContain('<script>x');
    expect(page).not.toContain('<b>bold');
  });

  it('keeps the search input in the form, escaped', () => {
    const page = renderSearchPage({ input: { name: '"><script>alert(1)</script>' }, error: '<i>bad</i>' });
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('&lt;i&gt;bad&lt;/i&gt;');
    expect(page).not.toMatch(/<script|<i>/);
  });
});
