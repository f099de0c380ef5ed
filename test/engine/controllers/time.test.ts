import test from 'ava';
import { parseTimestamp, timestamp } from '../../../engine/controllers/time.js';

// Virtual time is in microseconds; virtual 0 is the Unix epoch.

test('parseTimestamp: RFC 3339 text with milliseconds or seconds', (t) => {
  t.is(parseTimestamp('1970-01-01T00:00:00.000Z'), 0);
  t.is(parseTimestamp('1970-01-01T00:00:01Z'), 1_000_000);
  t.is(parseTimestamp('1970-01-01T00:01:00.250Z'), 60_250_000);
  // 2024-01-01T00:00:00Z is 1704067200 s after the epoch.
  t.is(parseTimestamp('2024-01-01T00:00:00Z'), 1_704_067_200_000_000);
  // An offset is honoured: 01:00+01:00 is midnight UTC.
  t.is(parseTimestamp('1970-01-01T01:00:00+01:00'), 0);
});

test('parseTimestamp: a Date', (t) => {
  t.is(parseTimestamp(new Date(1500)), 1_500_000);
});

test('parseTimestamp: undefined and unparseable text give undefined', (t) => {
  t.is(parseTimestamp(undefined), undefined);
  t.is(parseTimestamp('not a time'), undefined);
  t.is(parseTimestamp(''), undefined);
  t.is(parseTimestamp(new Date(Number.NaN)), undefined);
});

test('parseTimestamp inverts timestamp at millisecond precision', (t) => {
  t.is(parseTimestamp(timestamp(3_600_123_000)), 3_600_123_000);
  // Sub-millisecond virtual time is truncated by timestamp().
  t.is(parseTimestamp(timestamp(1_999)), 1_000);
});
