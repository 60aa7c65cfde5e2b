// The Anthropic Node SDK, unmodified, against the sidecar's /v1/messages, for aliases whose deployments
// are not Anthropic: the built-in mock provider and an OpenAI-compatible upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { env, anthropic, rawError } from './env.mjs';

const question = [{ role: 'user', content: 'Hello from the Anthropic SDK' }];

for (const [label, alias, expected] of [
  ['mock provider', () => env.mock, /^This is a mock response from mock-chat-v1\. You said: Hello from the Anthropic SDK$/],
  ['OpenAI-compatible upstream', () => env.fake, /^fake answer from gpt-4o-mini$/],
]) {
  test(`anthropic messages.create (${label})`, async () => {
    const message = await anthropic().messages.create({ model: alias(), max_tokens: 256, messages: question });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, alias());
    assert.match(message.id, /^msg_/);
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0].type, 'text');
    assert.match(message.content[0].text, expected);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, JSON.stringify(message.usage));
  });

  test(`anthropic messages.stream: text events and finalMessage (${label})`, async () => {
    const stream = anthropic().messages.stream({ model: alias(), max_tokens: 256, messages: question });
    let text = '';
    stream.on('text', (delta) => { text += delta; });
    const message = await stream.finalMessage();
    assert.match(text, expected);
    assert.equal(message.content[0].text, text);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.output_tokens > 0, JSON.stringify(message.usage));
    assert.equal(await stream.finalText(), text);
  });
}

test('anthropic tool use round trip through an OpenAI-compatible upstream', async () => {
  const client = anthropic();
  const tools = [{
    name: 'get_weather',
    description: 'Current weather in a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  }];
  const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const first = await client.messages.create({ model: env.fake, max_tokens: 256, tools, messages });
  assert.equal(first.stop_reason, 'tool_use');
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.ok(use, JSON.stringify(first.content));
  assert.equal(use.name, 'get_weather');
  assert.deepEqual(use.input, { city: 'Paris' });

  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21 C' }] });
  const second = await client.messages.create({ model: env.fake, max_tokens: 256, tools, messages });
  assert.equal(second.content[0].text, 'Tool result received: sunny, 21 C');
  assert.equal(second.stop_reason, 'end_turn');
});

async function expectAnthropicError(call, errorClass, { status, code, body, key }) {
  const raw = await rawError('/v1/messages', body, key);
  assert.equal(raw.status, status, JSON.stringify(raw.body));
  assert.equal(raw.body.type, 'error');
  let caught;
  try {
    await call();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof errorClass, `expected ${errorClass.name}, got ${caught?.constructor?.name}: ${caught}`);
  assert.ok(caught instanceof Anthropic.APIError);
  assert.equal(caught.status, status);
  assert.deepEqual(caught.error, raw.body, 'the error body reached the SDK intact');
  assert.equal(caught.apiMessage, raw.body.error.message);
  assert.equal(caught.error.error.code, code);
  return caught;
}

test('anthropic AuthenticationError for an invalid key', async () => {
  const body = { model: env.mock, max_tokens: 16, messages: question };
  const e = await expectAnthropicError(() => anthropic('sk-not-a-real-key').messages.create(body),
    Anthropic.AuthenticationError, { status: 401, code: 'invalid_api_key', body, key: 'sk-not-a-real-key' });
  assert.equal(e.type, 'authentication_error');
  assert.match(e.apiMessage, /Invalid virtual key/);
});

test('anthropic NotFoundError for an unknown alias', async () => {
  const body = { model: 'no-such-alias', max_tokens: 16, messages: question };
  const e = await expectAnthropicError(() => anthropic().messages.create(body), Anthropic.NotFoundError,
    { status: 404, code: 'model_not_found', body });
  assert.equal(e.type, 'not_found_error');
  assert.match(e.apiMessage, /Unknown model alias 'no-such-alias'/);
});

test('anthropic PermissionDeniedError for an alias the key may not use', async () => {
  const body = { model: env.fake, max_tokens: 16, messages: question };
  const e = await expectAnthropicError(() => anthropic(env.narrowKey).messages.create(body),
    Anthropic.PermissionDeniedError, { status: 403, code: 'model_not_allowed', body, key: env.narrowKey });
  assert.equal(e.type, 'permission_error');
});

test('anthropic RateLimitError when the provider answers 429', async () => {
  const body = { model: env.rateLimited, max_tokens: 16, messages: question };
  const e = await expectAnthropicError(() => anthropic().messages.create(body), Anthropic.RateLimitError,
    { status: 429, code: 'provider_rate_limited', body });
  assert.equal(e.type, 'rate_limit_error');
});

test('anthropic BadRequestError without max_tokens', async () => {
  const body = { model: env.mock, messages: question };
  const e = await expectAnthropicError(() => anthropic().messages.create(body), Anthropic.BadRequestError,
    { status: 400, code: 'invalid_request', body });
  assert.match(e.apiMessage, /max_tokens/);
});
