package dev.tollgate.sidecar.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.sidecar.failure.GatewayError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The rule for request fields a provider cannot honour: refuse with 400 {@code unsupported_params}
 * naming them, unless the deployment sets {@code drop_params: true}, in which case they are
 * removed (and logged at debug).
 */
public final class UnsupportedParams {

    private static final System.Logger LOG = System.getLogger(UnsupportedParams.class.getName());

    private UnsupportedParams() {
    }

    /** Checks every top-level field of {@code body} against {@code supported}. */
    public static void enforce(ProviderCall call, ObjectNode body, Set<String> supported) {
        List<String> unsupported = new ArrayList<>();
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!supported.contains(name)) {
                unsupported.add(name);
            }
        }
        if (unsupported.isEmpty()) {
            return;
        }
        if (Boolean.parseBoolean(call.param("drop_params", "false"))) {
            unsupported.forEach(body::remove);
            LOG.log(System.Logger.Level.DEBUG, () -> "request " + call.requestId() + ": dropped " + unsupported
                    + " for " + call.target().describe() + " (drop_params: true)");
            return;
        }
        throw new GatewayError(400, "invalid_request_error", "unsupported_params",
                call.target().describe() + " cannot honour " + String.join(", ", unsupported)
                        + ". Remove them from the request, or set drop_params: true on the deployment to drop them.",
                unsupported.get(0), java.util.Optional.empty()).exception();
    }
}
