/** GET /registry/verify/:licenseNumber: a VALID / NOT VALID badge with the public details (pure rendering). */
import type { Coding } from '@medplum/fhirtypes';
import type { Verification } from '../../domain/licensing/public/verify-license';
import { html, page } from './html';

const display = (c: Coding) => c.display ?? c.code ?? '';

/** `origin`: where this server is reached (the widget snippet shown on a found license points there). */
export function renderVerifyPage(number: string, found: Verification | undefined, origin?: string): string {
  if (!found) {
    return page(
      'License not found',
      html`<h1>License ${number}</h1>
<p><span class="badge not-valid">NOT VALID</span></p>
<p>The register holds no license with this number. Check the number, or <a href="/registry">search the register</a>.</p>`,
    );
  }
  const { record, license } = found;
  const actions = record.disciplinaryActions.map(
    (a) => html`<li>${a.date ? a.date.slice(0, 10) : ''} ${a.action ? (a.action.text ?? a.action.coding?.map(display).join(', ') ?? '') : ''}${a.summary ? html`: ${a.summary}` : ''}</li>`,
  );
  return page(
    `License ${license.number}: ${license.valid ? 'valid' : 'not valid'}`,
    html`<h1>License ${license.number}</h1>
<p><span class="badge ${license.valid ? 'valid' : 'not-valid'}">${license.valid ? 'VALID' : 'NOT VALID'}</span></p>
<dl class="details">
<dt>Name</dt><dd>${record.name}</dd>
<dt>Status</dt><dd class="status">${license.status}${license.suspendedUntil ? html` until ${license.suspendedUntil}` : ''}</dd>
<dt>Professional type</dt><dd>${display(license.professionalType)}</dd>
<dt>Specialisation</dt><dd>${record.specializations.map(display).join(', ') || '—'}</dd>
<dt>State of practice</dt><dd>${record.state ? display(record.state) : '—'}</dd>
<dt>Issued</dt><dd>${license.issued ?? '—'}</dd>
<dt>Expires</dt><dd>${license.expires ?? '—'}</dd>
</dl>
<h2>Public disciplinary record</h2>
${actions.length > 0 ? html`<ul>${actions}</ul>` : html`<p>None.</p>`}
${origin ? html`<h2>Show this verification on your site</h2>
<pre><code>${`<script src="${origin}/registry/widget.js" data-license-number="${license.number}"></script>`}</code></pre>` : ''}`,
  );
}
