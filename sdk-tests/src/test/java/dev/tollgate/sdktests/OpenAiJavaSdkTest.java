package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}), unmodified, against the sidecar:
 * only the base URL and the API key differ from calling OpenAI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedSdkStack.class)
class OpenAiJavaSdkTest {

    private SdkStack stack;

    @BeforeAll
    void start(SdkStack shared) {
        stack = shared;
    }

    private OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(stack.openAiBaseUrl()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    private OpenAIClient client() {
        return client(stack.key);
    }

    private static ChatCompletionCreateParams.Builder chat(String alias, String text) {
        return ChatCompletionCreateParams.builder().model(alias).addUserMessage(text);
    }

    @Test
    void chatCompletionAnswersWithContentAndUsage() {
        ChatCompletion completion = client().chat().completions().create(chat(SdkStack.MOCK_CHAT, "Hello Java").build());
        assertEquals("This is a mock response from mock-chat-v1. You said: Hello Java",
                completion.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertTrue(usage.promptTokens() > 0 && usage.completionTokens() > 0, usage.toString());
    }

    @Test
    void streamingChunksAccumulateIntoTheAnswerWithUsageWhenAsked() {
        ChatCompletionCreateParams params = chat(SdkStack.MOCK_CHAT, "Hello stream")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                accumulator.accumulate(chunk);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
            });
        }
        assertTrue(chunks.size() > 3, "chunks: " + chunks.size());
        assertEquals("This is a mock response from mock-chat-v1. You said: Hello stream", text.toString());
        ChatCompletion assembled = accumulator.chatCompletion();
        assertEquals(text.toString(), assembled.choices().get(0).message().content().orElseThrow());
        CompletionUsage usage = chunks.getLast().usage().orElseThrow();
        assertTrue(usage.completionTokens() > 0, usage.toString());
        assertEquals(1, chunks.stream().filter(c -> c.usage().isPresent()).count());
    }

    @Test
    void toolCallRoundTripThroughAnOpenAiCompatibleUpstream() {
        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder().name("get_weather").description("Current weather in a city")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties",
                                        JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                                .build())
                        .build())
                .build();
        ChatCompletionCreateParams.Builder params = chat(SdkStack.FAKE_CHAT, "Weather in Paris?").addTool(weather);
        ChatCompletion first = client().chat().completions().create(params.build());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, first.choices().get(0).finishReason());
        ChatCompletionMessageFunctionToolCall call =
                first.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals(FakeOpenAi.TOOL_ARGUMENTS, call.function().arguments());

        params.addMessage(first.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("sunny, 21 C").build());
        ChatCompletion second = client().chat().completions().create(params.build());
        assertEquals("Tool result received: sunny, 21 C", second.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void jsonModeReachesTheProviderAndTheAnswerParses() throws Exception {
        ChatCompletion completion = client().chat().completions().create(chat(SdkStack.FAKE_CHAT, "JSON please")
                .responseFormat(ResponseFormatJsonObject.builder().build()).build());
        JsonNode answer = Http.JSON.readTree(completion.choices().get(0).message().content().orElseThrow());
        assertEquals("fake", answer.path("answer").asText());
        assertEquals("json_object", stack.upstream.requests().getLast().path("response_format").path("type").asText());
    }

    @Test
    void embeddingsAreUnitVectors() {
        CreateEmbeddingResponse response = client().embeddings().create(EmbeddingCreateParams.builder()
                .model(SdkStack.MOCK_EMBED).input("hello").build());
        List<Float> vector = response.data().get(0).embedding();
        assertEquals(8, vector.size());
        double norm = vector.stream().mapToDouble(x -> x * x).sum();
        assertEquals(1.0, norm, 1e-5);
        assertTrue(response.usage().promptTokens() > 0);
    }

    @Test
    void modelsListShowsTheAliasesTheKeyMayUse() {
        List<String> ids = client(stack.narrowKey).models().list().data().stream().map(Model::id).toList();
        assertEquals(List.of(SdkStack.MOCK_CHAT), ids);
    }

    @Test
    void invalidKeyIsUnauthorizedException() throws Exception {
        assertGatewayError(UnauthorizedException.class, 401, "invalid_api_key", "sk-not-a-real-key",
                c -> c.chat().completions().create(chat(SdkStack.MOCK_CHAT, "x").build()), SdkStack.MOCK_CHAT);
    }

    @Test
    void aliasNotAllowedIsPermissionDeniedException() throws Exception {
        assertGatewayError(PermissionDeniedException.class, 403, "model_not_allowed", stack.narrowKey,
                c -> c.chat().completions().create(chat(SdkStack.FAKE_CHAT, "x").build()), SdkStack.FAKE_CHAT);
    }

    @Test
    void unknownAliasIsNotFoundException() throws Exception {
        assertGatewayError(NotFoundException.class, 404, "model_not_found", stack.key,
                c -> c.chat().completions().create(chat("no-such-alias", "x").build()), "no-such-alias");
    }

    @Test
    void emptyMessagesIsBadRequestException() throws Exception {
        OpenAIServiceException e = assertThrows(BadRequestException.class, () -> client().chat().completions()
                .create(ChatCompletionCreateParams.builder().model(SdkStack.MOCK_CHAT).messages(List.of()).build()));
        assertEquals(400, e.statusCode());
        assertEquals("invalid_request", e.code().orElseThrow());
        assertEquals("messages", e.param().orElseThrow());
    }

    @Test
    void providerRateLimitIsRateLimitException() throws Exception {
        RateLimitException e = assertGatewayError(RateLimitException.class, 429, "provider_rate_limited", stack.key,
                c -> c.chat().completions().create(chat(SdkStack.RATE_LIMITED, "x").build()), SdkStack.RATE_LIMITED);
        assertEquals(List.of("7"), e.headers().values("retry-after"));
    }

    @Test
    void providerFailureIsInternalServerException() throws Exception {
        assertGatewayError(InternalServerException.class, 502, "provider_error", stack.key,
                c -> c.chat().completions().create(chat(SdkStack.BROKEN, "x").build()), SdkStack.BROKEN);
    }

    /** The SDK throws {@code type} whose error fields equal what the gateway sent (fetched without the SDK). */
    private <T extends OpenAIServiceException> T assertGatewayError(Class<T> type, int status, String code, String key,
                                                                    Consumer<OpenAIClient> call, String alias)
            throws Exception {
        HttpResponse<String> raw = Http.post(stack.openAiBaseUrl() + "/chat/completions", key,
                stack.stack.chat(alias, "x"));
        assertEquals(status, raw.statusCode(), raw.body());
        JsonNode expected = Http.json(raw).path("error");
        T e = assertThrows(type, () -> call.accept(client(key)));
        assertInstanceOf(OpenAIServiceException.class, e);
        assertEquals(status, e.statusCode());
        assertEquals(code, e.code().orElseThrow());
        assertEquals(expected.path("type").asText(), e.type().orElseThrow());
        JsonNode body = Http.JSON.readTree(Http.JSON.writeValueAsString(e.body().convert(Object.class)));
        assertEquals(expected.path("message").asText(), body.path("message").asText(), "the message reached the SDK intact");
        assertTrue(e.getMessage().contains(expected.path("message").asText()), e.getMessage());
        return e;
    }
}
