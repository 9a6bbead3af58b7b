import assert from 'node:assert/strict';
import { suffixUrlRegex } from '../../agent/engine/urlSuffix';

describe('agent: probe file → script URL matching', () => {
  const matches = (file: string, url: string) => new RegExp(suffixUrlRegex(file)).test(url);

  it('matches a path suffix at a path boundary, as file URL or plain path', () => {
    assert.ok(matches('src/validate.js', 'file:///srv/app/src/validate.js'));
    assert.ok(matches('src/validate.js', '/srv/app/src/validate.js'));
    assert.ok(matches('validate.js', 'file:///srv/app/src/validate.js'));
    assert.ok(!matches('src/validate.js', 'file:///srv/app/mysrc/validate.js'));
    assert.ok(!matches('src/validate.js', 'file:///srv/app/src/validate.jsx'));
    assert.ok(!matches('src/validate.js', 'file:///srv/app/src/validateXjs'), 'dots are literal');
  });

  it('accepts ./relative, absolute, file:// and Windows spellings of the probe file', () => {
    assert.ok(matches('./src/validate.js', 'file:///srv/app/src/validate.js'));
    assert.ok(matches('/srv/app/src/validate.js', 'file:///srv/app/src/validate.js'));
    assert.ok(matches('file:///srv/app/src/validate.js', 'file:///srv/app/src/validate.js'));
    assert.ok(matches('src\\validate.js', 'file:///C:/app/src/validate.js'));
    assert.ok(matches('src/validate.js', 'C:\\app\\src\\validate.js'));
  });

  it('matches the percent-encoded spelling of file URLs', () => {
    assert.ok(matches('my app/validate.js', 'file:///srv/my%20app/validate.js'));
    assert.ok(matches('my app/validate.js', '/srv/my app/validate.js'));
  });
});
