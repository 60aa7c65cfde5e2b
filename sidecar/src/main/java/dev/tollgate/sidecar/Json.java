package dev.tollgate.sidecar;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Jackson for the sidecar: every mapper shares one pool of parse and write buffers. Jackson's
 * default pool is per thread, and each request runs on a new virtual thread, so every parse and
 * every serialisation allocated fresh 8-16 KiB buffers (a third of the sidecar's garbage in the
 * benchmark's profile); a shared pool hands them from request to request.
 */
public final class Json {

    private static final RecyclerPool<BufferRecycler> BUFFERS = JsonRecyclerPools.sharedConcurrentDequePool();

    private Json() {
    }

    /** A new factory using the shared buffers (one per mapper: a mapper registers itself as its factory's codec). */
    public static JsonFactory factory() {
        return JsonFactory.builder().recyclerPool(BUFFERS).build();
    }

    /** A default-configured mapper using the shared buffers. */
    public static ObjectMapper mapper() {
        return new ObjectMapper(factory());
    }
}
