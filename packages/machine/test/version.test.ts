import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { avatarMachine, avatarMachineVersion, generationMachine, generationMachineVersion } from '../src/index.js';

const test = suite('machine versions');

const fingerprint = (machine: { root: { definition: unknown } }) =>
  createHash('sha256').update(JSON.stringify(machine.root.definition)).digest('hex').slice(0, 16);

// Every event records the machine version that accepted it, and stored snapshots are only reused
// for the same version. When a change to a machine makes this test fail, bump its version string
// (so replay can tell old histories from new ones) and then update the fingerprint here.
test('the avatar machine version changes whenever its structure does', () => {
  assert.equal({ version: avatarMachineVersion, fingerprint: fingerprint(avatarMachine) }, {
    version: 'avatar/1',
    fingerprint: '19cb35dd80451562',
  });
});

test('the generation machine version changes whenever its structure does', () => {
  assert.equal({ version: generationMachineVersion, fingerprint: fingerprint(generationMachine) }, {
    version: 'generation/1',
    fingerprint: 'f52726de6d49869c',
  });
});

test.run();
