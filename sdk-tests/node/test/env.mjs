// What the SDK tests need from the running stack, read from the environment that NodeSdkTest sets
// (or that you export by hand against `./tollgate dev`), and the clients built from it.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through NodeSdkTest, or export the TOLLGATE_SDK_* variables`);
  }
  return value;
}

export const env = {
  baseURL: required('TOLLGATE_SDK_BASE_URL'), // http://127.0.0.1:PORT/v1
  rootURL: required('TOLLGATE_SDK_ROOT_URL'), // http://127.0.0.1:PORT (the Anthropic SDK adds /v1/messages)
  key: required('TOLLGATE_SDK_KEY'),
  narrowKey: required('TOLLGATE_SDK_NARROW_KEY'), // may use only the mock alias
  mock: required('TOLLGATE_SDK_ALIAS_MOCK'),
  embed: required('TOLLGATE_SDK_ALIAS_EMBED'),
  fake: required('TOLLGATE_SDK_ALIAS_FAKE'),
  rateLimited: required('TOLLGATE_SDK_ALIAS_RATE_LIMITED'),
  broken: required('TOLLGATE_SDK_ALIAS_BROKEN'),
};

// No retries: an error must reach the test as the gateway sent it, at once.
export function openai(apiKey = env.key) {
  return new OpenAI({ baseURL: env.baseURL, apiKey, maxRetries: 0, timeout: 20_000 });
}

export function anthropic(apiKey = env.key) {
  return new Anthropic({ baseURL: env.rootURL, apiKey, maxRetries: 0, timeout: 20_000 });
}

/** The gateway's own error body for a request, fetched without any SDK, to compare with what an SDK surfaces. */
export async function rawError(path, body, apiKey = env.key) {
  const headers = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const response = await fetch(env.rootURL + path, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

export const hello = [{ role: 'user', content: 'Hello from the SDK test' }];
