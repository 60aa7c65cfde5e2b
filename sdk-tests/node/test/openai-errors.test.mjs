// Each gateway error surfaces in the OpenAI Node SDK as its matching class, with the gateway's
// message, code, type and param exactly as the gateway sent them (compared with a plain fetch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { env, openai, rawError, hello } from './env.mjs';

async function expectSdkError(call, errorClass, { status, code, path = '/v1/chat/completions', body, key }) {
  const raw = await rawError(path, body, key);
  assert.equal(raw.status, status, JSON.stringify(raw.body));
  let caught;
  try {
    await call();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, 'the SDK call did not throw');
  assert.ok(caught instanceof errorClass, `expected ${errorClass.name}, got ${caught?.constructor?.name}: ${caught}`);
  assert.ok(caught instanceof OpenAI.APIError);
  assert.equal(caught.status, status);
  assert.equal(caught.code, code);
  assert.deepEqual(caught.error, raw.body.error, 'the error object reached the SDK intact');
  assert.equal(caught.message, `${status} ${raw.body.error.message}`);
  return caught;
}

test('openai AuthenticationError for a missing key (missing_api_key)', async () => {
  const client = new OpenAI({ baseURL: env.baseURL, apiKey: 'unused', maxRetries: 0,
    defaultHeaders: { authorization: null } });
  const body = { model: env.mock, messages: hello };
  const e = await expectSdkError(() => client.chat.completions.create(body), OpenAI.AuthenticationError,
    { status: 401, code: 'missing_api_key', body, key: null });
  assert.match(e.message, /Authorization: Bearer/);
});

test('openai AuthenticationError for an invalid key (invalid_api_key)', async () => {
  const body = { model: env.mock, messages: hello };
  const e = await expectSdkError(() => openai('sk-not-a-real-key').chat.completions.create(body),
    OpenAI.AuthenticationError, { status: 401, code: 'invalid_api_key', body, key: 'sk-not-a-real-key' });
  assert.equal(e.type, 'authentication_error');
});

test('openai PermissionDeniedError for an alias the key may not use (model_not_allowed)', async () => {
  const body = { model: env.fake, messages: hello };
  const e = await expectSdkError(() => openai(env.narrowKey).chat.completions.create(body),
    OpenAI.PermissionDeniedError, { status: 403, code: 'model_not_allowed', body, key: env.narrowKey });
  assert.equal(e.param, 'model');
  assert.match(e.message, new RegExp(`may not use alias '${env.fake}'. It may use: ${env.mock}\\.`));
});

test('openai NotFoundError for an unknown alias (model_not_found)', async () => {
  const body = { model: 'no-such-alias', messages: hello };
  const e = await expectSdkError(() => openai().chat.completions.create(body), OpenAI.NotFoundError,
    { status: 404, code: 'model_not_found', body });
  assert.match(e.message, /Unknown model alias 'no-such-alias'/);
});

test('openai BadRequestError for a request without messages (invalid_request)', async () => {
  const body = { model: env.mock };
  const e = await expectSdkError(() => openai().chat.completions.create(body), OpenAI.BadRequestError,
    { status: 400, code: 'invalid_request', body });
  assert.equal(e.param, 'messages');
  assert.equal(e.type, 'invalid_request_error');
});

test('openai BadRequestError for embeddings without input', async () => {
  const body = { model: env.embed };
  const e = await expectSdkError(() => openai().embeddings.create({ ...body, encoding_format: 'float' }),
    OpenAI.BadRequestError, { status: 400, code: 'invalid_request', body, path: '/v1/embeddings' });
  assert.equal(e.param, 'input');
});

test('openai RateLimitError when the provider answers 429 (provider_rate_limited)', async () => {
  const body = { model: env.rateLimited, messages: hello };
  const e = await expectSdkError(() => openai().chat.completions.create(body), OpenAI.RateLimitError,
    { status: 429, code: 'provider_rate_limited', body });
  assert.equal(e.type, 'rate_limit_error');
  assert.equal(e.headers.get('retry-after'), '7');
  assert.match(e.message, new RegExp(`behind alias '${env.rateLimited}'`));
  assert.match(e.message, /Rate limit reached for rate-limited-model/);
});

test('openai InternalServerError when the provider fails (502 provider_error)', async () => {
  const body = { model: env.broken, messages: hello };
  const e = await expectSdkError(() => openai().chat.completions.create(body), OpenAI.InternalServerError,
    { status: 502, code: 'provider_error', body });
  assert.equal(e.type, 'api_error');
  assert.match(e.message, /the provider failed \(HTTP 500\)/);
  assert.match(e.message, /The server had an error while processing your request/);
});

test('openai stream: an error before the first chunk throws the matching class', async () => {
  let caught;
  try {
    const stream = await openai().chat.completions.create({ model: env.rateLimited, messages: hello, stream: true });
    for await (const _ of stream) { /* never reached */ }
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof OpenAI.RateLimitError, String(caught));
  assert.equal(caught.code, 'provider_rate_limited');
});
