import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpText, staticFlagDocs } from '../../../src/cli/help.js';
import { lookupPath } from '../../../src/config/paths/index.js';
import { STATIC_SCHEMA } from '../../../src/config/static/schema.js';

void describe('help', () => {
  void it('lists the commands and every supported flag with its default', () => {
    const text = helpText();
    for (const command of ['turnpike [run] [flags]', 'turnpike check', 'turnpike healthcheck', 'turnpike version', '--help']) {
      assert.ok(text.includes(command), command);
    }
    assert.match(text, /--entryPoints\.<name>\.address\s+Address to listen on/);
    assert.match(text, /--entryPoints\.<name>\.transport\.respondingTimeouts\.readTimeout\n\s+.*\(default: 60s\)/);
    assert.match(text, /--log\.level\s+Log level: TRACE, DEBUG, INFO, WARN, ERROR, FATAL, PANIC \(default: ERROR\)/);
    assert.match(text, /--workers\s+Processes serving requests .*\(default: the number of CPU cores\)/);
    assert.match(text, /--configFile=PATH/);
    assert.ok(text.endsWith('\n'));
  });

  void it('documents only flags the schema knows', () => {
    const docs = staticFlagDocs();
    assert.ok(docs.length >= 30);
    for (const { flag } of docs) {
      // `domains[n].main`: the list index is its own segment in the schema.
      const segments = flag.slice(2).replace('<name>', 'x').replace(/\[n\]/g, '[0]').split('.');
      assert.ok(lookupPath(STATIC_SCHEMA, segments).found, flag);
    }
  });
});
