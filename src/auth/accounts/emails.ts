/** The texts of account emails. Links point at the server's public origin (BASE_URL without `/fhir`). */
import type { Email } from '../../jobs/mail-transport';

export function verificationEmail(to: string, link: string, hours: number): Email {
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Someone, hopefully you, registered this email address with Baobab.',
      '',
      'To confirm it and activate the account, open this link:',
      link,
      '',
      `The link works once and expires in ${hours} hours. Following it activates the account with the password chosen in the registration that sent it.`,
      'If you did not register, ignore this email: nothing happens without the link.',
    ].join('\n'),
  };
}

export function alreadyRegisteredEmail(to: string): Email {
  return {
    to,
    subject: 'You already have an account',
    text: [
      'Someone tried to register this email address with Baobab, but it already has an account.',
      '',
      'If that was you, sign in with your existing password. If it was not, you can ignore this email; your account is unchanged.',
    ].join('\n'),
  };
}

export function invitationEmail(to: string, link: string, token: string, hours: number): Email {
  return {
    to,
    subject: 'You have been invited to Baobab',
    text: [
      'An administrator created a Baobab account for this email address.',
      '',
      'Choose your password here:',
      link,
      '',
      `(Applications can also send POST /auth/set-password with {"token": "${token}", "password": "…"}.)`,
      `The link works once and expires in ${hours} hours.`,
    ].join('\n'),
  };
}
