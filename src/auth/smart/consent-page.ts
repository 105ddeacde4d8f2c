/**
 * The server-rendered sign-in and consent page, and the error page shown when a request cannot
 * be sent back to the app. Every value is HTML-escaped; the page loads nothing from elsewhere.
 */
import { parseResourceScope } from '../scopes';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ACTIONS: Record<string, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** What a scope lets the app do, in words. */
export function describeScope(scope: string): string {
  const resource = parseResourceScope(scope);
  if (resource) {
    const what = resource.type === '*' ? 'all kinds of records' : `${resource.type} records`;
    const actions = [...resource.actions].map((a) => ACTIONS[a]).join(', ');
    const whose = resource.context === 'patient' ? 'of the selected patient' : resource.context === 'user' ? 'that you can access' : '';
    const filter = resource.query ? ` (only ${resource.query.map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
    return `${actions} ${what} ${whose}${filter}`.replace(/\s+/g, ' ').trim();
  }
  switch (scope) {
    case 'openid':
      return 'confirm who you are';
    case 'fhirUser':
      return 'know your user record (Patient, Practitioner or RelatedPerson)';
    case 'launch':
      return 'receive the context it was launched in';
    case 'launch/patient':
      return 'know which patient is selected';
    case 'launch/encounter':
      return 'know which encounter is selected';
    case 'offline_access':
      return 'keep access after you close it (until you revoke it)';
    case 'online_access':
      return 'keep access while you use it';
    default:
      return scope;
  }
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.6rem 0}input[type=email],input[type=password],input[type=text]{display:block;width:100%;padding:.4rem;box-sizing:border-box}
fieldset{margin:1rem 0}.error{color:#a00;font-weight:600}code{font-size:.85em;color:#555}button{margin-right:.5rem;padding:.4rem 1rem}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface ConsentPageModel {
  /** The handle of the pending authorization (hidden field). */
  request: string;
  clientName: string;
  scopes: readonly string[];
  /** Standalone launch asking for launch/patient: staff choose the patient. */
  askPatient: boolean;
  /** EHR launch: the patient it was launched for. */
  launchPatient?: string;
  email?: string;
  message?: string;
}

export function consentPage(model: ConsentPageModel): string {
  const scopes = model.scopes
    .map((scope) => `<label><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked> ${escapeHtml(describeScope(scope))} <code>${escapeHtml(scope)}</code></label>`)
    .join('');
  const patient = model.askPatient
    ? `<label>Patient id <small>(staff: the patient to open; patients sign in to their own record)</small><input type="text" name="patient" pattern="[A-Za-z0-9.\\-]{1,64}"></label>`
    : model.launchPatient
      ? `<p>Launched for patient <code>${escapeHtml(model.launchPatient)}</code>.</p>`
      : '';
  const body = `<h1>Sign in to authorize ${escapeHtml(model.clientName)}</h1>
${model.message ? `<p class="error" role="alert">${escapeHtml(model.message)}</p>` : ''}
<form method="post" action="consent">
<input type="hidden" name="request" value="${escapeHtml(model.request)}">
<label>Email<input type="email" name="email" autocomplete="username" required value="${escapeHtml(model.email ?? '')}"></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<fieldset><legend>${escapeHtml(model.clientName)} asks to</legend>${scopes}</fieldset>
${patient}
<button type="submit" name="decision" value="approve">Allow</button><button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>`;
  return layout(`Authorize ${model.clientName}`, body);
}

export function errorPage(error: string, description: string): string {
  return layout('Authorization error', `<h1>This authorization request cannot continue</h1><p class="error">${escapeHtml(error)}: ${escapeHtml(description)}</p><p>Return to the app and try again.</p>`);
}
