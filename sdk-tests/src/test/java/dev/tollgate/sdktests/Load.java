package dev.tollgate.sdktests;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Concurrent clients posting chat completions to sidecars, recording every answer. Each client
 * is a thread; clients are spread over the given sidecar URLs round-robin.
 */
final class Load {

    /** One answer a client saw: status, error code, headers of interest; status -1 for an I/O failure. */
    record Answer(int status, String code, String requestId, String retryAfter, BigDecimal cost, long atMillis,
                  String sidecar) {
        boolean ok() {
            return status == 200;
        }
    }

    final Queue<Answer> answers = new ConcurrentLinkedQueue<>();

    /** Decides, after each answer a client got, whether that client goes on. */
    @FunctionalInterface
    interface Continue {
        boolean after(List<Answer> mine);
    }

    /**
     * Runs {@code clients} clients until each one's {@code go} says stop or {@code stop} holds;
     * returns when all have stopped (or {@code limitSeconds} passed).
     */
    void run(List<String> sidecars, int clients, String key, String body, Continue go, BooleanSupplier stop,
             long limitSeconds) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            String sidecar = sidecars.get(c % sidecars.size());
            Thread.ofPlatform().name("load-" + c).start(() -> {
                List<Answer> mine = new ArrayList<>();
                try {
                    while (!stop.getAsBoolean()) {
                        Answer a = post(sidecar, key, body);
                        answers.add(a);
                        mine.add(a);
                        if (!go.after(mine)) {
                            break;
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(limitSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("load did not finish within " + limitSeconds + " s");
        }
    }

    static Answer post(String sidecar, String key, String body) {
        try {
            HttpResponse<String> r = Http.post(sidecar + "/v1/chat/completions", key, body);
            String code = "";
            if (r.statusCode() != 200) {
                JsonNode error = Http.json(r).path("error");
                code = error.path("code").asText("");
            }
            return new Answer(r.statusCode(), code, r.headers().firstValue("x-tollgate-request-id").orElse(""),
                    r.headers().firstValue("retry-after").orElse(""),
                    r.headers().firstValue("x-tollgate-cost-usd").map(BigDecimal::new).orElse(BigDecimal.ZERO),
                    System.currentTimeMillis(), sidecar);
        } catch (IOException e) {
            return new Answer(-1, e.getClass().getSimpleName(), "", "", BigDecimal.ZERO, System.currentTimeMillis(),
                    sidecar);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted", "", "", BigDecimal.ZERO, System.currentTimeMillis(), sidecar);
        }
    }

    List<Answer> all() {
        return new ArrayList<>(answers);
    }
}
