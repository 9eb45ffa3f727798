import { describe, expect, it } from 'vitest';
import { settingsClause } from './settings.ts';
import { splitStatements } from './migrate.ts';

describe('settingsClause', () => {
  it('renders numbers, booleans and escaped strings', () => {
    expect(settingsClause({ a: 1, b: true, c: "it's" })).toBe("SETTINGS a = 1, b = 1, c = 'it\\'s'");
    expect(settingsClause({})).toBe('');
    expect(settingsClause(undefined)).toBe('');
  });

  it('refuses names that are not plain identifiers', () => {
    expect(() => settingsClause({ 'a = 1; DROP': 1 })).toThrow(/invalid setting name/);
  });
});

describe('splitStatements', () => {
  it('splits on a semicolon at the end of a line and drops comments', () => {
    const sql = "-- header\nCREATE TABLE a (x String DEFAULT ';');\n\n-- two\nCREATE VIEW b AS SELECT 1;\n";
    expect(splitStatements(sql)).toEqual(["CREATE TABLE a (x String DEFAULT ';')", 'CREATE VIEW b AS SELECT 1']);
  });
});
