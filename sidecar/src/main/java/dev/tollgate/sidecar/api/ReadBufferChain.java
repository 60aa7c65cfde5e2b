package dev.tollgate.sidecar.api;

import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * Cuts, after each request, the list in which Helidon's HTTP/1 connection keeps the bytes it read,
 * working around a leak into the old generation. Helidon's {@link DataReader} (found in 4.2; 4.3 has the same fields) holds a
 * connection's reads as a linked list of nodes and drops a consumed node from the head without
 * clearing its link to the next one. Once any node of a keep-alive connection is in the old
 * generation (the connection sat idle through enough young collections, or a full collection ran
 * while the node was current), that dead node keeps its successor alive through every young
 * collection, that one the next, and so on: every later read of the connection is copied until it
 * is promoted as well. Measured with {@code ./tollgate bench}: the old generation grew by about
 * 0.25 MiB per young collection at 12,000 requests/s (a class histogram showed the garbage was
 * {@code DataReader$Node}s and their byte arrays), the heap reached its maximum within a minute
 * and a full collection of 70-200 ms followed every 40-50 s.
 *
 * <p>When a request's bytes have all been consumed ({@link DataReader#available()} is zero), the
 * reader's list is replaced by one fresh empty node, which is exactly the state of a new reader;
 * the next read links only from that young node. Helidon's fields are private, so this uses
 * reflection; if they are not there (another Helidon version), it turns itself off with one DEBUG
 * line and nothing else changes. Called on the connection's own thread after the request was
 * handled, when Helidon does not touch the reader. Thread-safe.
 */
final class ReadBufferChain {

    private static final System.Logger LOG = System.getLogger(ReadBufferChain.class.getName());
    private static final Access ACCESS = Access.find();
    private static final byte[] NO_BYTES = new byte[0];

    private ReadBufferChain() {
    }

    /** Whether the workaround is active (Helidon's internals were found). */
    static boolean active() {
        return ACCESS != null;
    }

    /** After {@code request} was handled: gives its connection's reader a fresh list when nothing is left unread. */
    static void cut(ServerRequest request) {
        if (ACCESS != null) {
            ACCESS.cut(request);
        }
    }

    /** The reflective handles; {@code null} when Helidon's internals are not as expected. */
    private record Access(Class<?> requestClass, VarHandle context, VarHandle head, VarHandle tail, MethodHandle newNode) {

        static Access find() {
            try {
                Class<?> requestClass = Class.forName("io.helidon.webserver.http1.Http1ServerRequest");
                Class<?> nodeClass = Class.forName("io.helidon.common.buffers.DataReader$Node");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                MethodHandles.Lookup inRequest = MethodHandles.privateLookupIn(requestClass, lookup);
                MethodHandles.Lookup inReader = MethodHandles.privateLookupIn(DataReader.class, lookup);
                MethodHandles.Lookup inNode = MethodHandles.privateLookupIn(nodeClass, lookup);
                VarHandle context = inRequest.findVarHandle(requestClass, "ctx", ConnectionContext.class);
                VarHandle head = inReader.findVarHandle(DataReader.class, "head", nodeClass);
                VarHandle tail = inReader.findVarHandle(DataReader.class, "tail", nodeClass);
                MethodHandle newNode;
                try {
                    // An inner class (Helidon 4.2, 4.3): the reader is the constructor's first argument.
                    newNode = inNode.findConstructor(nodeClass, MethodType.methodType(void.class, DataReader.class,
                            byte[].class));
                } catch (NoSuchMethodException e) {
                    newNode = MethodHandles.dropArguments(inNode.findConstructor(nodeClass,
                            MethodType.methodType(void.class, byte[].class)), 0, DataReader.class);
                }
                newNode = newNode.asType(MethodType.methodType(Object.class, DataReader.class, byte[].class));
                return new Access(requestClass, context, head, tail, newNode);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Helidon's HTTP/1 reader is not as expected (" + e
                        + "); its consumed read buffers are left as they are");
                return null;
            }
        }

        void cut(ServerRequest request) {
            if (!requestClass.isInstance(request)) {
                return;
            }
            ConnectionContext ctx = (ConnectionContext) context.get(request);
            DataReader reader = ctx == null ? null : ctx.dataReader();
            if (reader == null || reader.available() != 0) {
                return; // bytes of a next request are already buffered: the list is still in use
            }
            try {
                Object fresh = (Object) newNode.invokeExact(reader, NO_BYTES);
                head.set(reader, fresh);
                tail.set(reader, fresh);
            } catch (Throwable t) {
                if (t instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("cannot reset Helidon's read buffer list", t);
            }
        }
    }
}
