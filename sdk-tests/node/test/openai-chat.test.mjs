// The OpenAI Node SDK, unmodified, against the sidecar: only baseURL and apiKey change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, openai, hello } from './env.mjs';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

test('openai chat.completions.create answers with content and usage', async () => {
  const completion = await openai().chat.completions.create({ model: env.mock, messages: hello });
  assert.equal(completion.object, 'chat.completion');
  assert.match(completion.choices[0].message.content, /You said: Hello from the SDK test/);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
});

test('openai withResponse exposes the gateway headers', async () => {
  const { data, response } = await openai().chat.completions
    .create({ model: env.mock, messages: hello })
    .withResponse();
  assert.ok(data.id);
  assert.equal(response.headers.get('x-tollgate-alias'), env.mock);
  assert.equal(response.headers.get('x-tollgate-deployment'), `${env.mock}#0`);
  assert.ok(response.headers.get('x-tollgate-request-id'));
});

test('openai stream: true iterates chunks that join into the answer', async () => {
  const stream = await openai().chat.completions.create({ model: env.mock, messages: hello, stream: true });
  let text = '';
  let chunks = 0;
  let finish = null;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.usage ?? null, null, 'no usage chunk unless include_usage is asked for');
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.ok(chunks > 3, `only ${chunks} chunks`);
  assert.match(text, /^This is a mock response from mock-chat-v1\. You said: Hello from the SDK test$/);
  assert.equal(finish, 'stop');
});

test('openai chat.completions.stream helper: content events and finalChatCompletion', async () => {
  const stream = openai().chat.completions.stream({ model: env.mock, messages: hello });
  let deltas = '';
  stream.on('content', (delta) => { deltas += delta; });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.role, 'assistant');
  assert.equal(final.choices[0].message.content, deltas);
  assert.match(deltas, /You said: Hello from the SDK test/);
  assert.equal(final.choices[0].finish_reason, 'stop');
});

test('openai stream_options.include_usage ends the stream with a usage chunk (mock)', async () => {
  const stream = await openai().chat.completions.create({
    model: env.mock, messages: hello, stream: true, stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0, JSON.stringify(last.usage));
  assert.equal(chunks.filter((c) => c.usage).length, 1);
});

test('openai stream_options.include_usage through an OpenAI-compatible upstream', async () => {
  const stream = openai().chat.completions.stream({
    model: env.fake, messages: hello, stream_options: { include_usage: true },
  });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'fake answer from gpt-4o-mini');
  assert.deepEqual(final.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
});

test('openai tool calls round trip: call, tool result, answer', async () => {
  const client = openai();
  const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const first = await client.chat.completions.create({ model: env.fake, messages, tools: [weatherTool] });
  const choice = first.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });

  messages.push(choice.message);
  messages.push({ role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' });
  const second = await client.chat.completions.create({ model: env.fake, messages, tools: [weatherTool] });
  assert.equal(second.choices[0].message.content, 'Tool result received: sunny, 21 C');
  assert.equal(second.choices[0].finish_reason, 'stop');
});

test('openai streamed tool call is assembled by the stream helper', async () => {
  const stream = openai().chat.completions.stream({
    model: env.fake, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weatherTool],
  });
  const final = await stream.finalChatCompletion();
  const call = final.choices[0].message.tool_calls[0];
  assert.equal(call.id, 'call_fake_0001');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
});

test('openai JSON mode: response_format reaches the provider and the answer parses', async () => {
  const completion = await openai().chat.completions.create({
    model: env.fake,
    messages: [{ role: 'user', content: 'Answer in JSON' }],
    response_format: { type: 'json_object' },
  });
  assert.deepEqual(JSON.parse(completion.choices[0].message.content), { answer: 'fake', model: 'gpt-4o-mini' });
});

test('openai embeddings.create decodes the default base64 vectors', async () => {
  // The SDK asks for encoding_format=base64 unless told otherwise, and decodes float32 itself.
  const result = await openai().embeddings.create({ model: env.embed, input: ['hello', 'world'] });
  assert.equal(result.data.length, 2);
  for (const item of result.data) {
    assert.equal(item.embedding.length, 8);
    const norm = item.embedding.reduce((s, x) => s + x * x, 0);
    assert.ok(Math.abs(norm - 1) < 1e-5, `not a unit vector: |v|^2 = ${norm}`);
  }
  assert.ok(result.usage.prompt_tokens > 0);
});

test('openai embeddings.create with encoding_format float matches base64', async () => {
  const client = openai();
  const floats = await client.embeddings.create({ model: env.embed, input: 'hello', encoding_format: 'float' });
  const decoded = await client.embeddings.create({ model: env.embed, input: 'hello' });
  const a = floats.data[0].embedding;
  const b = decoded.data[0].embedding;
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-6, `dimension ${i}: ${x} vs ${b[i]}`));
});

test('openai models.list lists the aliases the key may use', async () => {
  const ids = [];
  for await (const model of openai().models.list()) ids.push(model.id);
  for (const alias of [env.mock, env.embed, env.fake, env.rateLimited, env.broken]) {
    assert.ok(ids.includes(alias), `${alias} missing from ${ids}`);
  }
  const narrow = [];
  for await (const model of openai(env.narrowKey).models.list()) narrow.push(model.id);
  assert.deepEqual(narrow, [env.mock]);
});
