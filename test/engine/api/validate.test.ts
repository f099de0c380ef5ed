import test from 'ava';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../../../engine/api/validate.js';

// RFC 1123 label (apimachinery IsDNS1123Label): 1-63 chars, lowercase alphanumerics and '-', starting
// and ending with an alphanumeric. Subdomain (IsDNS1123Subdomain): dot-separated labels, ≤ 253 chars.

const LABEL_MSG = (name: string) =>
  `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
const SUBDOMAIN_MSG = (name: string) =>
  `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;

test('dns1123LabelProblem accepts valid labels', (t) => {
  for (const name of ['a', '0', 'web', 'my-app-2', '9lives', 'a--b', 'a'.repeat(63)]) {
    t.is(dns1123LabelProblem(name), undefined, name);
  }
});

test('dns1123LabelProblem rejects names breaking the character and edge rules', (t) => {
  // Empty, uppercase, leading/trailing '-', '_' and '.' (a label has no dots).
  for (const name of ['', 'Web', 'web-', '-web', 'my_app', 'a.b', 'a b', 'ü']) {
    t.is(dns1123LabelProblem(name), LABEL_MSG(name), JSON.stringify(name));
  }
});

test('dns1123LabelProblem rejects 64 characters with the length message', (t) => {
  const name = 'a'.repeat(64);
  t.is(dns1123LabelProblem(name), `invalid name "${name}": must be no more than 63 characters`);
});

test('dns1123SubdomainProblem accepts dotted names up to 253 characters', (t) => {
  const exact = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  t.is(exact.length, 253);
  for (const name of ['a', 'example.com', 'web-1.default.svc', 'a.b.c', exact]) {
    t.is(dns1123SubdomainProblem(name), undefined, name);
  }
});

test('dns1123SubdomainProblem rejects bad characters, empty labels and bad edges', (t) => {
  for (const name of ['', 'Example.com', '.a', 'a.', 'a..b', 'a.-b', 'a-.b', 'a_b', 'a/b']) {
    t.is(dns1123SubdomainProblem(name), SUBDOMAIN_MSG(name), JSON.stringify(name));
  }
});

test('dns1123SubdomainProblem rejects 254 characters with the length message', (t) => {
  const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
  t.is(name.length, 254);
  t.is(dns1123SubdomainProblem(name), `invalid name "${name}": must be no more than 253 characters`);
});
