import * as assert from 'uvu/assert';
import { compile, identifier, join, text } from '../src/statement-text.js';
import { storeSuites } from './helpers.js';

storeSuites('append statement text', (test) => {
  test('nested fragments number their parameters in text order, and the database reads them so', async ({ store }) => {
    const columns = [text`${'a'}::text as ${identifier('first "one"')}`, text`${2}::int + 40 as second`];
    const query = compile<{ 'first "one"': string; second: number; third: string[] }>(
      text`select ${join(columns)}, ${['x', 'y']}::text[] as third where ${join([text`${1} = ${1}`, text`true`], ' and ')}`,
    );
    assert.is(query.sql, 'select $1::text as "first ""one""", $2::int + 40 as second, $3::text[] as third where $4 = $5 and true');
    assert.equal(query.parameters, ['a', 2, ['x', 'y'], 1, 1]);
    const { rows } = await store.db.executeQuery(query);
    assert.equal(rows, [{ 'first "one"': 'a', second: 42, third: ['x', 'y'] }]);
  });

  test('an empty join writes nothing', () => {
    assert.is(compile(text`select 1${join([])}`).sql, 'select 1');
  });
});
