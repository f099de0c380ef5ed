import test from 'ava';
import {
  formatAssigned,
  maskToGpus,
  parseAssigned,
} from '../../../../../engine/scheduler/plugins/gpu-share/demand.js';

// `kreplay.io/gpu-assigned` lists GPU indexes (0..31, one bit each in the mask), comma-separated.

test('maskToGpus: set bits in ascending order', (t) => {
  t.deepEqual(maskToGpus(0), []);
  t.deepEqual(maskToGpus(0b1), [0]);
  t.deepEqual(maskToGpus(0b1001), [0, 3]);
  t.deepEqual(maskToGpus(0xff), [0, 1, 2, 3, 4, 5, 6, 7]);
  // Bit 31 makes the int32 mask negative.
  t.deepEqual(maskToGpus(1 << 31), [31]);
  t.deepEqual(maskToGpus((1 << 31) | (1 << 30) | 1), [0, 30, 31]);
});

test('formatAssigned', (t) => {
  t.is(formatAssigned(0), '');
  t.is(formatAssigned(0b1001), '0,3');
  t.is(formatAssigned(0b110), '1,2');
  t.is(formatAssigned(1 << 31), '31');
});

test('parseAssigned: valid lists, in any order and with spaces around entries', (t) => {
  t.is(parseAssigned('0'), 1);
  t.is(parseAssigned('0,3'), 9);
  t.is(parseAssigned('3,0'), 9);
  t.is(parseAssigned(' 1 , 2 '), 6);
  t.is(parseAssigned('31'), 1 << 31);
});

test('parseAssigned: absent or malformed gives undefined', (t) => {
  t.is(parseAssigned(undefined), undefined);
  for (const text of ['', '0,', ',0', 'a', '-1', '1.0', '0,0', '32', '1,,2', '0x1']) {
    t.is(parseAssigned(text), undefined, JSON.stringify(text));
  }
});

test('parseAssigned and formatAssigned round-trip', (t) => {
  for (const mask of [1, 9, 6, 0xf0f0, (1 << 31) | 5]) t.is(parseAssigned(formatAssigned(mask)), mask);
});
