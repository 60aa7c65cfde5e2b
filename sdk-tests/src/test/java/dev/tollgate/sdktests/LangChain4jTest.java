package dev.tollgate.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** LangChain4j's OpenAI module ({@code dev.langchain4j:langchain4j-open-ai}) pointed at the sidecar. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedSdkStack.class)
class LangChain4jTest {

    private SdkStack stack;

    @BeforeAll
    void start(SdkStack shared) {
        stack = shared;
    }

    private OpenAiChatModel chat(String alias, String key) {
        return OpenAiChatModel.builder().baseUrl(stack.openAiBaseUrl()).apiKey(key).modelName(alias).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void chatAnswersWithTokenUsage() {
        ChatResponse response = chat(SdkStack.MOCK_CHAT, stack.key).chat(ChatRequest.builder()
                .messages(UserMessage.from("Hello LangChain4j")).build());
        assertEquals("This is a mock response from mock-chat-v1. You said: Hello LangChain4j", response.aiMessage().text());
        assertEquals(FinishReason.STOP, response.finishReason());
        assertTrue(response.tokenUsage().inputTokenCount() > 0 && response.tokenUsage().outputTokenCount() > 0);
    }

    @Test
    void streamingDeliversPartialsThatJoinIntoTheCompleteResponse() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(stack.openAiBaseUrl())
                .apiKey(stack.key).modelName(SdkStack.MOCK_CHAT).timeout(Duration.ofSeconds(20)).build();
        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Hello streaming", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(20, TimeUnit.SECONDS);
        assertEquals("This is a mock response from mock-chat-v1. You said: Hello streaming", partials.toString());
        assertEquals(partials.toString(), response.aiMessage().text());
        assertTrue(response.tokenUsage().outputTokenCount() > 0, "LangChain4j asks for include_usage: " + response);
    }

    @Test
    void toolExecutionRoundTripThroughAnOpenAiCompatibleUpstream() {
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Current weather")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        OpenAiChatModel model = chat(SdkStack.FAKE_CHAT, stack.key);
        UserMessage question = UserMessage.from("Weather in Paris?");
        ChatResponse first = model.chat(ChatRequest.builder().messages(question).toolSpecifications(weather).build());
        AiMessage call = first.aiMessage();
        assertTrue(call.hasToolExecutionRequests(), call.toString());
        ToolExecutionRequest request = call.toolExecutionRequests().get(0);
        assertEquals("get_weather", request.name());
        assertEquals(FakeOpenAi.TOOL_ARGUMENTS, request.arguments());

        ChatResponse second = model.chat(ChatRequest.builder().toolSpecifications(weather)
                .messages(question, call, ToolExecutionResultMessage.from(request, "sunny, 21 C")).build());
        assertEquals("Tool result received: sunny, 21 C", second.aiMessage().text());
    }

    @Test
    void jsonResponseFormatReachesTheProvider() throws Exception {
        ChatResponse response = chat(SdkStack.FAKE_CHAT, stack.key).chat(ChatRequest.builder()
                .messages(UserMessage.from("JSON please")).responseFormat(ResponseFormat.JSON).build());
        assertEquals("fake", Http.JSON.readTree(response.aiMessage().text()).path("answer").asText());
    }

    @Test
    void embeddingsAreUnitVectors() {
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(stack.openAiBaseUrl()).apiKey(stack.key)
                .modelName(SdkStack.MOCK_EMBED).maxRetries(0).build();
        List<Embedding> embeddings = model.embedAll(List.of(dev.langchain4j.data.segment.TextSegment.from("hello"),
                dev.langchain4j.data.segment.TextSegment.from("world"))).content();
        assertEquals(2, embeddings.size());
        float[] v = embeddings.get(0).vector();
        assertEquals(8, v.length);
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-5);
    }

    @Test
    void gatewayErrorsBecomeLangChain4jExceptionsWithTheGatewayMessage() throws Exception {
        assertMapped(AuthenticationException.class, SdkStack.MOCK_CHAT, "sk-not-a-real-key", 401, "invalid_api_key");
        assertMapped(AuthenticationException.class, SdkStack.FAKE_CHAT, stack.narrowKey, 403, "model_not_allowed");
        assertMapped(ModelNotFoundException.class, "no-such-alias", stack.key, 404, "model_not_found");
        assertMapped(RateLimitException.class, SdkStack.RATE_LIMITED, stack.key, 429, "provider_rate_limited");
        assertMapped(InternalServerException.class, SdkStack.BROKEN, stack.key, 502, "provider_error");
    }

    @Test
    void invalidRequestIsInvalidRequestException() {
        // LangChain4j refuses empty messages itself; a blank model name reaches the gateway, which answers 400.
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> OpenAiChatModel.builder()
                .baseUrl(stack.openAiBaseUrl()).apiKey(stack.key).modelName(" ").maxRetries(0).build()
                .chat("x"));
        HttpException http = assertInstanceOf(HttpException.class, e.getCause());
        assertEquals(400, http.statusCode());
        assertTrue(http.getMessage().contains("\"code\":\"invalid_request\""), http.getMessage());
    }

    private <T extends RuntimeException> void assertMapped(Class<T> type, String alias, String key, int status,
                                                           String code) throws Exception {
        JsonNode expected = Http.json(Http.post(stack.openAiBaseUrl() + "/chat/completions", key,
                stack.stack.chat(alias, "x"))).path("error");
        T e = assertThrows(type, () -> chat(alias, key).chat("x"));
        HttpException http = assertInstanceOf(HttpException.class, e.getCause(), e.toString());
        assertEquals(status, http.statusCode());
        JsonNode error = Http.JSON.readTree(http.getMessage()).path("error");
        assertEquals(code, error.path("code").asText(), http.getMessage());
        assertEquals(expected.path("message").asText(), error.path("message").asText(), "message intact");
        // LangChain4j's message is the gateway's error body, verbatim.
        assertEquals(http.getMessage(), e.getMessage());
    }
}
