package dev.tollgate.sidecar.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.proto.control.v1.Deployment;
import dev.tollgate.proto.control.v1.LeaseKind;
import dev.tollgate.proto.control.v1.Limits;
import dev.tollgate.proto.control.v1.VirtualKey;
import dev.tollgate.sidecar.failure.GatewayException;
import dev.tollgate.sidecar.policy.Policy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LimiterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** $1 per million tokens in and out: one micro-dollar per token. */
    private static final Deployment DEPLOYMENT = Deployment.newBuilder().setId("chat#0").setProvider("mock")
            .setModel("m").putParams("input_cost_per_token", "0.000001").putParams("output_cost_per_token", "0.000001")
            .build();

    private static Policy.KeyGrant key(Limits limits) {
        VirtualKey vk = VirtualKey.newBuilder().setKeyId("k1").setKeyAlias("app").setLimits(limits).build();
        return new Policy.KeyGrant("k1", "app", Set.of(), false, 0, Map.of(), List.of(), vk);
    }

    private static ObjectNode chat(int maxTokens) {
        ObjectNode body = JSON.createObjectNode().put("model", "chat");
        body.putArray("messages").addObject().put("role", "user").put("content", "hi");
        if (maxTokens > 0) {
            body.put("max_tokens", maxTokens);
        }
        return body;
    }

    @Test
    void twoSidecarsUnderLoadNeverSpendMoreThanTheBudget() throws Exception {
        FakeLeaseServer server = new FakeLeaseServer(20_000);
        List<Limiter> sidecars = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            LeaseBook book = new LeaseBook(Clock.systemUTC());
            book.attach(server.channelFor(book));
            sidecars.add(new Limiter(book));
        }
        Policy.KeyGrant grant = key(Limits.newBuilder().setMaxBudgetMicros(20_000).build());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicLong spent = new AtomicLong();
        AtomicInteger refused = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            Limiter limiter = sidecars.get(t % 2);
            done.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        Ticket ticket = limiter.admit(grant, "chat", DEPLOYMENT, chat(20));
                        long cost = 30 + (i % 7);
                        spent.addAndGet(cost);
                        ticket.settle(cost, cost);
                    } catch (GatewayException e) {
                        assertEquals("budget_exceeded", e.error().code());
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertTrue(spent.get() <= 20_000, "spent " + spent.get());
        assertTrue(spent.get() > 15_000, "most of the budget should be usable: " + spent.get());
        assertTrue(refused.get() > 0);
    }

    @Test
    void requestsWithoutAnOutputCapRunOneAtATimePerBudget() throws Exception {
        FakeLeaseServer server = new FakeLeaseServer(1_000_000);
        LeaseBook book = new LeaseBook(Clock.systemUTC());
        book.attach(server.channelFor(book));
        Limiter limiter = new Limiter(book);
        Policy.KeyGrant grant = key(Limits.newBuilder().setMaxBudgetMicros(1_000_000).build());
        Ticket first = limiter.admit(grant, "chat", DEPLOYMENT, chat(0));
        long started = System.nanoTime();
        GatewayException second = org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class,
                () -> limiter.admit(grant, "chat", DEPLOYMENT, chat(0)));
        assertEquals("max_tokens", second.error().param());
        assertTrue(System.nanoTime() - started >= Limiter.ADMISSION_WAIT_MS * 900_000L);
        Ticket capped = limiter.admit(grant, "chat", DEPLOYMENT, chat(50));
        first.settle(10, 10);
        limiter.admit(grant, "chat", DEPLOYMENT, chat(0)).settle(10, 10);
        capped.settle(10, 10);
    }

    @Test
    void aHeldLeaseKeepsServingWhileTheControlPlaneIsDownAndNothingBeyondIt() throws Exception {
        FakeLeaseServer server = new FakeLeaseServer(1_000);
        LeaseBook book = new LeaseBook(Clock.systemUTC());
        book.attach(server.channelFor(book));
        Limiter limiter = new Limiter(book);
        Policy.KeyGrant grant = key(Limits.newBuilder().setRpmLimit(1_000).build());
        limiter.admit(grant, "chat", DEPLOYMENT, chat(1)).settle(0, 0);
        Slot slot = book.slot("key", "k1", LeaseKind.LEASE_KIND_REQUESTS);
        long held = slot.leases().get(0).granted;
        assertTrue(held > 1, "the first grant should cover more than one request: " + held);
        server.up = false;
        book.onDisconnected();
        int served = 1;
        long started = System.nanoTime();
        while (true) {
            try {
                limiter.admit(grant, "chat", DEPLOYMENT, chat(1)).settle(0, 0);
                served++;
            } catch (GatewayException e) {
                assertEquals("rate_limit_exceeded", e.error().code());
                assertTrue(e.error().message().contains("cannot be confirmed"), e.error().message());
                break;
            }
        }
        assertEquals(held, served);
        assertTrue(System.nanoTime() - started < 1_000_000_000L, "requests waited on a control plane that is down");
    }

    @Test
    void withoutAnyControlPlaneALimitedKeyIsRefusedAtOnceAndAnUnlimitedOnePasses() {
        Limiter limiter = new Limiter(new LeaseBook(Clock.systemUTC()));
        assertEquals(Ticket.NONE, limiter.admit(key(Limits.getDefaultInstance()), "chat", DEPLOYMENT, chat(0)));
        GatewayException e = org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class,
                () -> limiter.admit(key(Limits.newBuilder().setMaxBudgetMicros(5).build()), "chat", DEPLOYMENT, chat(1)));
        assertEquals(429, e.error().status());
        assertEquals("budget_exceeded", e.error().code());
        assertInstanceOf(Long.class, e.error().retryAfterSeconds().orElseThrow());
    }

    @Test
    void aRoutedRequestReservesForTheMostExpensiveDeploymentItMayReach() {
        Deployment pricey = DEPLOYMENT.toBuilder().setId("big#0").putParams("output_cost_per_token", "0.00001").build();
        Deployment capless = DEPLOYMENT.toBuilder().setId("open#0").build();
        Estimate worst = Estimate.worst(List.of(DEPLOYMENT, pricey), chat(100));
        assertEquals(Estimate.of(pricey, chat(100)).costMicros(), worst.costMicros());
        assertTrue(worst.costMicros() > Estimate.of(DEPLOYMENT, chat(100)).costMicros());
        assertTrue(worst.bounded());
        Estimate mixed = Estimate.worst(List.of(DEPLOYMENT.toBuilder().putParams("max_output_tokens", "64").build(),
                capless), chat(0));
        assertTrue(!mixed.bounded(), "a bound only if every reachable deployment's estimate is one");
    }

    @Test
    void boundedEstimateCoversPromptTextAndOutputCap() {
        Estimate e = Estimate.of(DEPLOYMENT, chat(100));
        assertTrue(e.bounded());
        assertEquals(100, e.outputTokens());
        assertTrue(e.promptTokens() >= "hi".length() + Estimate.TOKENS_PER_MESSAGE);
        assertEquals(e.promptTokens() + 100, e.costMicros());
        Estimate uncapped = Estimate.of(DEPLOYMENT, chat(0));
        assertTrue(!uncapped.bounded());
        Estimate known = Estimate.of(DEPLOYMENT.toBuilder().putParams("max_output_tokens", "64").build(), chat(0));
        assertTrue(known.bounded());
        assertEquals(64, known.outputTokens());
    }
}
