/** GET /registry: the search form and one page of results (pure rendering). */
import type { Coding } from '@medplum/fhirtypes';
import type { Choice } from '../../domain/licensing/public/reference-lists';
import { licenseStatuses, professionalTypes, specialties, states } from '../../domain/licensing/public/reference-lists';
import type { RegistrySearchInput } from '../../domain/licensing/public/registry-query';
import type { RegistryPage } from '../../domain/licensing/public/registry-search';
import type { PublicRecord } from '../../domain/licensing/public/public-view';
import type { Html } from './html';
import { html, page } from './html';

export interface SearchPageModel {
  input: RegistrySearchInput;
  /** Absent when no search was made yet (or it failed). */
  result?: RegistryPage;
  error?: string;
  /** Query string of the next page, when there is one. */
  nextQuery?: string;
  firstQuery?: string;
}

function select(label: string, name: string, choices: readonly Choice[], selected: string | undefined): Html {
  const options = choices.map((c) => html`<option value="${c.code}"${c.code === selected ? html` selected` : ''}>${c.display}</option>`);
  return html`<label>${label}<select name="${name}"><option value="">Any</option>${options}</select></label>`;
}

function form(input: RegistrySearchInput): Html {
  return html`<form class="search" method="get" action="/registry" role="search">
<label>Name<input type="search" name="name" value="${input.name ?? ''}" maxlength="100"></label>
<label>License number<input type="search" name="license-number" value="${input.licenseNumber ?? ''}" maxlength="64"></label>
${select('Professional type', 'professional-type', professionalTypes(), input.professionalType)}
${select('Specialisation', 'specialization', specialties(), input.specialization)}
${select('State of practice', 'state', states(), input.state)}
${select('License status', 'status', licenseStatuses(), input.status)}
<button type="submit">Search</button>
</form>`;
}

const display = (c: Coding) => c.display ?? c.code ?? '';

function row(record: PublicRecord): Html {
  const licenses = record.licenses.map(
    (l) => html`<div><a href="/registry/verify/${encodeURIComponent(l.number)}">${l.number}</a> — ${display(l.professionalType)} — <span class="status">${l.valid ? 'valid' : l.status}</span></div>`,
  );
  const contacts = record.telecom.map((t) => html`<div>${t.system ? `${t.system}: ` : ''}${t.value}</div>`);
  return html`<tr><td>${record.name}</td><td>${licenses}</td><td>${record.specializations.map(display).join(', ')}</td><td>${record.state ? display(record.state) : ''}</td><td>${contacts}</td></tr>`;
}

function results(model: SearchPageModel): Html | '' {
  const result = model.result;
  if (!result) return '';
  if (result.records.length === 0) return html`<p>No registered professional matches this search.</p>`;
  const nav = html`<nav class="pages">${model.firstQuery !== undefined ? html`<a href="/registry?${model.firstQuery}">First page</a>` : ''}${model.nextQuery !== undefined ? html`<a rel="next" href="/registry?${model.nextQuery}">Next page</a>` : ''}</nav>`;
  return html`<p>${result.total} registered professional${result.total === 1 ? '' : 's'} found.</p>
<table><thead><tr><th>Name</th><th>Licenses</th><th>Specialisation</th><th>State</th><th>Public contact</th></tr></thead>
<tbody>${result.records.map(row)}</tbody></table>
${nav}`;
}

export function renderSearchPage(model: SearchPageModel): string {
  return page(
    'Search the register',
    html`<h1>Search the register of health professionals</h1>
${form(model.input)}
${model.error ? html`<p class="error" role="alert">${model.error}</p>` : ''}
${results(model)}`,
  );
}
